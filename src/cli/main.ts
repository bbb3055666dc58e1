// The `pakaya` command line: parses argv with commander and dispatches to subcommands. Every
// error from bad input ends as one clear line on stderr and a non-zero exit, never a stack trace.
import { Command, CommanderError, Option } from 'commander';
import { IdentityError, TOKEN_TTL_DEFAULT_MS, TOKEN_TTL_MAX_MS } from '../cluster/identity/index.js';
import { ElfError } from '../machine/elf.js';
import { ENGINES } from '../machine/machine.js';
import { NetError } from '../net/errors.js';
import type { NodeId } from '../net/node-id.js';
import { AdminError, NodeNotRunningError } from '../node/admin-client.js';
import { CHECKPOINT_EVERY_MAX_MS } from '../node/admin-procs-routes.js';
import { AdminServerError } from '../node/admin-server.js';
import { CredentialError } from '../node/credential.js';
import { HomeError } from '../node/home.js';
import { IdentityStoreError } from '../node/identity-store.js';
import { JoinExchangeError } from '../node/join-exchange.js';
import { LockError } from '../node/lock.js';
import { CounterError } from '../node/npid-counter.js';
import { SIGTERM } from '../node/signal-names.js';
import { watchStdOutput, writeOutput } from '../node/std-output.js';
import { type AdminOptions, addAdminOptions } from './admin.js';
import { checkpointCommand } from './checkpoint.js';
import {
  clusterCredentialCommand,
  clusterInitCommand,
  clusterRevokeCommand,
  clusterTokenCommand,
  parseNodeArgument,
} from './cluster.js';
import {
  clusterAclCommand,
  clusterRevokeCertCommand,
  clusterStatusCommand,
  netBlockCommand,
} from './cluster-status.js';
import { demoCommand } from './demo.js';
import { clusterDemoCommand } from './demo-cluster.js';
import { OutputError, UsageError } from './io.js';
import { killCommand } from './kill.js';
import { type MachineRunOptions, machineRun } from './machine-run.js';
import { migrateCommand } from './migrate.js';
import { CaptureError, netDecodeCommand, netPingCommand, netTraceCommand } from './net.js';
import { type NodeStartOptions, nodeStartCommand } from './node-start.js';
import { nodesCommand } from './nodes.js';
import {
  homeOption,
  nodeIdText,
  parseAddress,
  parseCount,
  parseDuration,
  parseMemoryMiB,
  parseNpidArgument,
  parsePid,
  parsePidOrNpid,
  parseSeeds,
  parseSignalOption,
} from './options.js';
import {
  killNpidCommand,
  logsCommand,
  psAllCommand,
  type SpawnOptions,
  spawnCommand,
  waitCommand,
} from './procs.js';
import { psCommand } from './ps.js';
import { restoreCommand } from './restore.js';
import { type RunOptions, runCommand } from './run.js';
import { registerSimCommand } from './sim.js';
import { storeCheckpointCommand, storeRestoreCommand } from './store.js';

export const VERSION = '0.1.0';

/** Exit status after a write to a closed pipe: 128 + SIGPIPE, as a shell reports a program it killed. */
export const EXIT_SIGPIPE = 141;

function buildProgram(setExit: (code: Promise<number>) => void): Command {
  const program = new Command('pakaya');
  program
    .description('Pakaya: a distributed microkernel on an emulated RISC-V machine')
    .version(VERSION)
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({
      // One line per bad flag or argument, in the same voice as every other error.
      outputError: (text, write) => write(`pakaya: ${text.replace(/^error: /, '')}`),
    });

  const machine = program.command('machine').description('the bare machine, without the kernel');
  machine
    .command('run')
    .description('run a bare-metal ELF in M-mode until it writes tohost (riscv-tests convention)')
    .argument('<elf>', 'a bare-metal RISC-V ELF32 with a tohost symbol')
    .addOption(
      new Option('--max-instructions <n>', 'give up after this many instructions (exit 3)')
        .argParser(parseCount)
        .default(100_000_000),
    )
    .option('--trace', 'print one line per instruction: pc, raw bits, disassembly, value written', false)
    .addOption(memoryOption())
    .addOption(engineOption())
    .option('--profile', 'print where guest and host time went (JIT) to stderr', false)
    .action((elf: string, opts: MachineRunOptions) => {
      setExit(machineRun(elf, opts));
    });

  program
    .command('run')
    .description('run a static RISC-V Linux ELF as a process (output and exit status as under qemu-riscv32)')
    .argument('<elf>', 'a static RISC-V ELF32 executable')
    .argument('[args...]', 'arguments passed to the program')
    .addOption(memoryOption())
    .option('--stats', 'after the program ends, print instructions retired and MIPS to stderr', false)
    .addOption(engineOption())
    .option('--profile', 'print where guest and host time went (JIT) to stderr', false)
    .passThroughOptions()
    .action((elf: string, args: string[], opts: RunOptions) => {
      setExit(runCommand(elf, args, opts));
    });

  program
    .command('demo')
    .description(
      'show a cluster at work: three nodes on loopback, programs across them, a migration, a node failure',
    )
    .option('--single', 'run the example programs together on one node instead (the one-node demo)', false)
    .addOption(memoryOption())
    .action((opts: { memory: number; single: boolean }) => {
      setExit(opts.single ? demoCommand(opts) : clusterDemoCommand());
    });

  const node = program.command('node').description('a long-running node');
  node
    .command('start')
    .description('run a node on its home until SIGINT or SIGTERM, serving the admin API on <home>/admin.sock')
    .addOption(homeOption())
    .addOption(memoryOption())
    .addOption(
      new Option(
        '--listen <host:port>',
        'take part in the cluster: serve node links on HOST:PORT (TCP+TLS and UDP; port 0: the OS picks)',
      ).argParser(parseAddress),
    )
    .addOption(
      new Option(
        '--join <host:port,...>',
        'seed nodes to join through (the CA node for a first join)',
      ).argParser(parseSeeds),
    )
    .option(
      '--token <token>',
      'a join token from pakaya cluster token (once, on a home without a cluster identity)',
    )
    .addOption(
      new Option('--discover <how>', 'also find members on the LAN with sealed multicast beacons').choices([
        'multicast',
      ]),
    )
    .addOption(
      new Option(
        '--admin-listen <host:port>',
        'also serve the admin API over mTLS on HOST:PORT for clients with a cluster credential (ACL-checked)',
      ).argParser(parseAddress),
    )
    .action((opts: NodeStartOptions) => {
      setExit(nodeStartCommand(opts));
    });

  program
    .command('ps')
    .description('list the processes of the node at --home')
    .addOption(homeOption())
    .option('--json', 'print the process table as a JSON array', false)
    .option('--all', 'list every process in the cluster with its node (JSON rows gain node)', false)
    .addOption(nodeOption())
    .action((opts: { home?: string; node?: string; json: boolean; all: boolean }) => {
      if (opts.all && opts.node !== undefined) throw new UsageError('--all and --node do not go together');
      setExit(opts.all ? psAllCommand(opts) : psCommand(opts));
    });

  program
    .command('nodes')
    .description('list the nodes the node at --home knows and its links to them')
    .addOption(homeOption())
    .option('--json', 'print a JSON array, one row per node (own included)', false)
    .action((opts: { home?: string; json: boolean }) => {
      setExit(nodesCommand(opts));
    });

  const net = program.command('net').description('network debugging: ping, trace, decode');
  net
    .command('ping')
    .description('measure round trips to another node over its mTLS link')
    .argument('<node>', 'node id (8 hex digits)', nodeIdText)
    .addOption(homeOption())
    .addOption(new Option('--count <n>', 'round trips').argParser(parseCount).default(10))
    .addOption(new Option('--size <bytes>', 'ping payload bytes').argParser(parseCount).default(64))
    .option('--json', 'print min_us, median_us, p99_us, max_us and count as JSON', false)
    .action((node: string, opts: { home?: string; count: number; size: number; json: boolean }) => {
      setExit(netPingCommand(node, opts));
    });
  net
    .command('trace')
    .description('show every frame on every link of the node at --home until interrupted')
    .addOption(homeOption())
    .option('--out <file>', 'also save a capture file (pakaya net decode prints it)')
    .action((opts: { home?: string; out?: string }) => {
      setExit(netTraceCommand(opts));
    });
  for (const verb of ['block', 'unblock'] as const)
    net
      .command(verb)
      .description(
        verb === 'block'
          ? 'debugging aid: drop all traffic between the node at --home and these nodes (a partition)'
          : 'restore traffic with these nodes',
      )
      .argument('<nodes...>', 'node ids (8 hex digits)')
      .addOption(homeOption())
      .action((nodes: string[], opts: { home?: string }) => {
        setExit(netBlockCommand(nodes, verb === 'block', opts));
      });
  net
    .command('decode')
    .description('print a capture file written by pakaya net trace --out')
    .argument('<file>', 'capture file')
    .action((file: string) => {
      setExit(netDecodeCommand(file));
    });

  program
    .command('kill')
    .description(
      'send a signal to a process: by pid on the node at --home, or by NPID anywhere in the cluster',
    )
    .argument(
      '<pid|npid>',
      'process id (the PID column of pakaya ps) or NPID (8 hex digits:number)',
      parsePidOrNpid,
    )
    .addOption(
      new Option(
        '-s, --signal <name|number>',
        'TERM, KILL, STOP, CONT, INT, ... (with or without SIG), or 1-64',
      )
        .argParser(parseSignalOption)
        .default(SIGTERM, 'TERM'),
    )
    .addOption(homeOption())
    .addOption(nodeOption())
    .action((pid: number | string, opts: { home?: string; node?: string; signal: number }) => {
      if (typeof pid === 'number') setExit(killCommand(pid, opts));
      else if (opts.node !== undefined)
        throw new UsageError('an NPID names its process cluster-wide: drop --node');
      else setExit(killNpidCommand(pid, opts));
    });

  program
    .command('spawn')
    .description('start a program in the cluster: on --node, else where placement puts it; prints its NPID')
    .argument('<elf>', 'a static RISC-V ELF32 executable (sent to the node, content-addressed)')
    .argument('[args...]', 'arguments passed to the program')
    .addOption(homeOption())
    .addOption(nodeOption())
    .addOption(
      new Option('--restart <policy>', 'what recovery does when its node dies')
        .choices(['no', 'on-failure', 'always'])
        .default('no'),
    )
    .addOption(
      new Option(
        '--checkpoint-every <duration>',
        'checkpoint it periodically in guest time: 500ms, 2s, 1m, ...',
      ).argParser((value: string) => parseDuration(value, CHECKPOINT_EVERY_MAX_MS)),
    )
    .passThroughOptions()
    .action((elf: string, args: string[], opts: SpawnOptions) => {
      setExit(spawnCommand(elf, args, opts));
    });

  program
    .command('logs')
    .description("print a process's stdout and stderr (kept by the node it runs on), by NPID from any node")
    .argument('<npid>', 'NPID (8 hex digits:number)', parseNpidArgument)
    .option('-f, --follow', 'keep printing new output until the process exits', false)
    .addOption(homeOption())
    .action((npid: string, opts: { home?: string; follow: boolean }) => {
      setExit(logsCommand(npid, opts));
    });

  program
    .command('wait')
    .description('wait for a process to exit, by NPID from any node; exits with its status')
    .argument('<npid>', 'NPID (8 hex digits:number)', parseNpidArgument)
    .addOption(homeOption())
    .action((npid: string, opts: { home?: string }) => {
      setExit(waitCommand(npid, opts));
    });

  program
    .command('migrate')
    .description('move a running process to another node (live migration), from any node of the cluster')
    .argument('<npid>', 'the process (its NPID, as ps --all shows it)')
    .argument('<node>', 'the node to move it to (8 hex digits)', nodeIdText)
    .addOption(
      new Option(
        '--mode <mode>',
        'precopy: dirty-page rounds, then a short freeze; postcopy: move, then fetch on fault',
      )
        .choices(['precopy', 'postcopy'])
        .default('precopy'),
    )
    .option('--json', 'print the summary as JSON', false)
    .addOption(homeOption())
    .action(
      (npid: string, node: string, opts: { home?: string; mode: 'precopy' | 'postcopy'; json: boolean }) => {
        setExit(migrateCommand(npid, node, opts));
      },
    );

  program
    .command('checkpoint')
    .description(
      'write a checkpoint image of a process on the node at --home, or (--store) checkpoint an NPID into the cluster store',
    )
    .argument('<target>', 'process id; with --store, the NPID (from any node)')
    .argument('[file]', 'image file to write (replaced atomically); not with --store')
    .option('--stop', 'leave the process stopped once the image is written', false)
    .option('--group', 'capture the processes that share memory or IPC objects with it, together', false)
    .option('--store', 'checkpoint into the cluster store, replicated to other nodes', false)
    .addOption(
      new Option('--restart <policy>', 'with --store: set the restart policy recovery follows').choices([
        'no',
        'on-failure',
        'always',
      ]),
    )
    .addOption(
      new Option(
        '--every <duration>',
        'with --store: checkpoint it again every DURATION of guest time',
      ).argParser((value: string) => parseDuration(value, 86_400_000)),
    )
    .option('--json', 'print the answer as JSON (with --store)', false)
    .addOption(homeOption())
    .addOption(nodeOption())
    .action(
      (
        target: string,
        file: string | undefined,
        opts: {
          home?: string;
          node?: string;
          stop: boolean;
          group: boolean;
          store: boolean;
          restart?: string;
          every?: number;
          json: boolean;
        },
      ) => {
        setExit(
          (async () => {
            if (opts.store) {
              if (file !== undefined) throw new UsageError('checkpoint --store takes an NPID and no file');
              return storeCheckpointCommand(target, opts);
            }
            if (file === undefined) throw new UsageError('checkpoint needs a file (or --store and an NPID)');
            let pid: number;
            try {
              pid = parsePid(target);
            } catch (err) {
              throw new UsageError((err as Error).message);
            }
            return checkpointCommand(pid, file, opts);
          })(),
        );
      },
    );

  program
    .command('restore')
    .description(
      'restore a checkpoint image (a process or a group) on the node at --home, or (--store) an NPID from the cluster store',
    )
    .argument('<source>', 'image file written by pakaya checkpoint; with --store, the NPID')
    .option('--store', "restore the NPID's last replicated checkpoint onto this node", false)
    .option('--json', 'print the answer as JSON (with --store)', false)
    .addOption(homeOption())
    .addOption(nodeOption())
    .action((source: string, opts: { home?: string; node?: string; store: boolean; json: boolean }) => {
      setExit(opts.store ? storeRestoreCommand(source, opts) : restoreCommand(source, opts));
    });

  const cluster = program.command('cluster').description('cluster identity: the CA, join tokens, revocation');
  cluster
    .command('init')
    .description(
      "make a cluster in the home: a CA, this node's certificate and the cluster key; prints the cluster id",
    )
    .addOption(homeOption())
    .action((opts: { home?: string }) => {
      setExit(clusterInitCommand(opts));
    });
  cluster
    .command('token')
    .description('print a single-use join token (on the node that ran cluster init)')
    .addOption(homeOption())
    .addOption(
      new Option('--ttl <duration>', 'how long the token is valid: 500ms, 30s, 10m, 1h, ... up to 7d')
        .argParser((value: string) => parseDuration(value, TOKEN_TTL_MAX_MS))
        .default(TOKEN_TTL_DEFAULT_MS, '1h'),
    )
    .action((opts: { home?: string; ttl: number }) => {
      setExit(clusterTokenCommand(opts));
    });
  cluster
    .command('revoke')
    .description(
      'revoke a node (its links close and it cannot reconnect), or with --cert an admin client credential (in the registry)',
    )
    .argument('[node]', 'node id (8 hex digits, as NPIDs print it)', parseNodeArgument)
    .option('--cert <file>', 'revoke this certificate (client-NAME.crt) cluster-wide instead of a node')
    .addOption(homeOption())
    .action((nodeId: NodeId | undefined, opts: AdminOptions & { cert?: string }) => {
      if ((nodeId === undefined) === (opts.cert === undefined))
        throw new UsageError('cluster revoke: give a node id or --cert FILE (one of them)');
      setExit(
        opts.cert !== undefined
          ? clusterRevokeCertCommand(opts.cert, opts)
          : clusterRevokeCommand(nodeId as NodeId, opts),
      );
    });

  cluster
    .command('credential')
    .description('issue an admin client certificate and key for client:<name>, signed by the CA')
    .argument('<name>', 'client name (letters, digits, . _ @ -)')
    .addOption(homeOption())
    .option('--out <dir>', 'where to write client-<name>.crt, client-<name>.key and ca.crt', '.')
    .action((name: string, opts: { home?: string; out?: string }) => {
      setExit(clusterCredentialCommand(name, opts));
    });
  cluster
    .command('status')
    .description(
      'the Raft status of the node at --home: term, leader, commit and applied index, voters, learners',
    )
    .addOption(homeOption())
    .option('--json', 'print a JSON object', false)
    .action((opts: { home?: string; json: boolean }) => {
      setExit(clusterStatusCommand(opts));
    });
  const acl = cluster.command('acl').description('grant or revoke rights in the registry ACLs');
  for (const verb of ['grant', 'revoke'] as const)
    acl
      .command(verb)
      .description(
        `${verb} a right (join, spawn, kill, migrate, metrics, acl-admin) ${verb === 'grant' ? 'to' : 'from'} a principal`,
      )
      .argument('<principal>', 'node:<8 hex>, client:<name> or *')
      .argument('<right>', 'join, spawn, kill, migrate, metrics or acl-admin')
      .addOption(homeOption())
      .action((principal: string, right: string, opts: { home?: string }) => {
        setExit(clusterAclCommand(verb === 'grant', principal, right, opts));
      });

  // Commands that act through a node's admin API also reach it over mTLS (--admin, --credential).
  for (const path of [
    ['ps'],
    ['kill'],
    ['spawn'],
    ['logs'],
    ['wait'],
    ['checkpoint'],
    ['restore'],
    ['nodes'],
    ['net', 'ping'],
    ['net', 'block'],
    ['net', 'unblock'],
    ['cluster', 'status'],
    ['cluster', 'acl', 'grant'],
    ['cluster', 'acl', 'revoke'],
    ['cluster', 'revoke'],
  ]) {
    let command: Command | undefined = program;
    for (const name of path) command = command?.commands.find((c) => c.name() === name);
    if (command === undefined) throw new Error(`no command ${path.join(' ')}`);
    addAdminOptions(command);
  }
  registerSimCommand(program, setExit);
  return program;
}

/** Errors that mean "the node or its home said no": one line on stderr, exit 1. */
const NODE_ERRORS = [
  AdminError,
  NodeNotRunningError,
  AdminServerError,
  HomeError,
  LockError,
  CounterError,
  IdentityError,
  IdentityStoreError,
  JoinExchangeError,
  CaptureError,
  NetError,
  CredentialError,
] as const;

/** `--node ID`: run the command on another cluster node, through the local node's mTLS link. */
function nodeOption(): Option {
  return new Option(
    '--node <id>',
    'act on another cluster node (8 hex digits), via the node at --home',
  ).argParser(nodeIdText);
}

function engineOption(): Option {
  return new Option('--engine <engine>', 'execution engine').choices([...ENGINES]).default('jit');
}

function memoryOption(): Option {
  return new Option('--memory <MiB>', 'RAM size in MiB')
    .argParser(parseMemoryMiB)
    .default(256 * 1024 * 1024, '256');
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  // A closed or full stdout/stderr is an event we handle, never an uncaught stream error.
  watchStdOutput();
  let pending: Promise<number> = Promise.resolve(0);
  const program = buildProgram((code) => {
    pending = code;
  });
  try {
    await program.parseAsync(argv);
    return await pending;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed the message (or help/version output).
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version'
        ? 0
        : 2;
    }
    if (err instanceof ElfError || err instanceof UsageError || err instanceof RangeError) {
      writeOutput(2, `pakaya: ${err.message}\n`);
      return err instanceof UsageError ? 2 : 1;
    }
    if (NODE_ERRORS.some((kind) => err instanceof kind)) {
      writeOutput(2, `pakaya: ${(err as Error).message}\n`);
      return 1;
    }
    if (err instanceof OutputError) {
      // The reader went away (`pakaya ps | head`): exit as a program killed by SIGPIPE, silently.
      if (err.code === 'EPIPE') return EXIT_SIGPIPE;
      writeOutput(2, `pakaya: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
