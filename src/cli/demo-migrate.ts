// The cluster demo's migration act: the worker running on the "mover" moves, live, to the CA node
// (`pakaya migrate`, pre-copy) while it keeps writing its memory. The progress the owner streams
// (POST /v1/processes/<npid>/migrate?stream=1, NDJSON) is drawn as the command draws it: one bar
// redrawn in place on a terminal, a line per round otherwise; then the command's summary. The worker
// checks its whole memory when it ends (the last act), so a page lost in the move fails the demo.
import { request } from 'node:http';
import { homePaths } from '../node/home.js';
import { DEMO_MIGRATE_MS } from './demo-limits.js';
import { DemoFailure } from './demo-nodes.js';
import { type Act, label, type Stage, type Verdict } from './demo-stage.js';
import { progressLine, summaryText } from './migrate.js';

type Progress = Parameters<typeof progressLine>[0];
type Summary = Parameters<typeof summaryText>[0];

/** The last line of a streamed migration: the summary, or why it failed. */
type Outcome = { summary: Summary } | { error: string };

/** Longest NDJSON line taken from the stream, in characters. */
const LINE_MAX = 64 * 1024;

/** Asks the node at `home` to migrate `npid` to `node`, calling `onProgress` for each report. */
export function streamMigration(
  home: string,
  npid: string,
  node: string,
  onProgress: (p: Progress) => void,
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let last: Outcome | undefined;
    const take = (text: string): void => {
      if (text.trim() === '') return;
      let line: { progress?: Progress; summary?: Summary; error?: { code?: string; message?: string } };
      try {
        line = JSON.parse(text) as typeof line;
      } catch {
        return;
      }
      if (line.progress !== undefined) onProgress(line.progress);
      else if (line.summary !== undefined) last = { summary: line.summary };
      else if (line.error !== undefined)
        last = { error: `${line.error.code ?? 'error'}: ${line.error.message ?? 'no message'}` };
    };
    const req = request(
      {
        socketPath: homePaths(home).socket,
        method: 'POST',
        path: `/v1/processes/${encodeURIComponent(npid)}/migrate?stream=1`,
        headers: { 'Content-Type': 'application/json' },
        timeout: DEMO_MIGRATE_MS,
      },
      (res) => {
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          pending += chunk;
          for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
            take(pending.slice(0, nl));
            pending = pending.slice(nl + 1);
          }
          if (pending.length > LINE_MAX)
            req.destroy(new Error(`a progress line over ${LINE_MAX} characters`));
        });
        res.on('end', () => {
          take(pending);
          resolve(last ?? { error: 'the node sent no summary' });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${DEMO_MIGRATE_MS / 1000} s`)));
    req.on('error', reject);
    req.end(JSON.stringify({ node, mode: 'precopy' }));
  });
}

export const migrateAct: Act = {
  title: 'a live migration: the worker moves to another node while it runs (pakaya migrate)',
  run: async (stage: Stage): Promise<Verdict[]> => {
    const { cluster, mover, ca, moving } = stage;
    if (moving === undefined) throw new DemoFailure('the worker was never spawned');
    let summary: Summary | undefined;
    let shown = '';
    await cluster.inline(['migrate', '--home', mover.home, moving.npid, ca.id], async () => {
      const outcome = await streamMigration(mover.home, moving.npid, ca.id, (p) => {
        // A new bar on a terminal each report; else a line when the phase or round changes.
        const key = `${p.phase} ${p.round}`;
        if (cluster.tty || key !== shown) cluster.progress(`  ${progressLine(p)}`);
        shown = key;
      });
      cluster.progress(undefined);
      if ('error' in outcome) throw new Error(outcome.error);
      summary = outcome.summary;
      return summaryText(outcome.summary);
    });
    if (summary === undefined) throw new DemoFailure(`pakaya migrate ${moving.npid} gave no summary`);
    const ok = summary.to === ca.id;
    if (ok) stage.movedTo = ca;
    return [
      {
        what: `migration of ${moving.npid}`,
        ok,
        detail: ok
          ? `${mover.label} to ${ca.label} in ${summary.total_ms.toFixed(0)} ms, frozen ${summary.freeze_ms.toFixed(1)} ms, ${summary.rounds} rounds, ${summary.bytes} bytes`
          : `ended on ${label(stage, summary.to)} (wanted ${ca.label})`,
      },
    ];
  },
};
