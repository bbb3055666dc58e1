// Join tokens and the join exchange: single use, expiry, wrong secrets, malformed text, a CA that
// does not match the token, revoked nodes — each refused with its reason and no change of state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  acceptJoinResponse,
  type CaState,
  checkToken,
  emptyRevocationList,
  emptyTokenBook,
  formatToken,
  IdentityError,
  mintToken,
  nodeIdFromCertificate,
  parseToken,
  prepareJoin,
  revoke,
  TOKEN_TTL_MAX_MS,
  validateTokenBook,
} from '../../src/cluster/identity/index.js';
import { handleJoinRequest } from '../../src/cluster/identity/join.js';
import { foreignCluster, NOW, node, testCluster } from './identity-fixture.js';

const refusal = (reason: string) => (err: unknown) => err instanceof IdentityError && err.reason === reason;
const HOUR = 3600_000;

async function caState(): Promise<CaState> {
  const ca = await testCluster();
  return { ...ca, tokens: emptyTokenBook(), revoked: emptyRevocationList(), selfNodeId: node(1) };
}

test('a minted token is one printable line naming the CA and is checked against the book', async () => {
  const ca = await testCluster();
  const { token, book } = mintToken(emptyTokenBook(), {
    caFingerprint: ca.caFingerprint,
    now: NOW,
    ttlMs: HOUR,
  });
  assert.match(token, /^pakaya-join-1\.[0-9a-f]{64}\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}\.\d+$/);
  const parsed = parseToken(token);
  assert.equal(parsed.caFingerprint, ca.caFingerprint);
  assert.equal(parsed.expiresAt, NOW + HOUR);
  assert.equal(formatToken(parsed), token);
  // The book holds a hash of the secret, never the secret.
  assert.equal(book.tokens.length, 1);
  const secret = token.split('.')[3] ?? '';
  assert.ok(!JSON.stringify(book).includes(secret));
  assert.equal(checkToken(book, token, ca.caFingerprint, NOW + HOUR - 1).id, parsed.id);
  assert.deepEqual(validateTokenBook(JSON.parse(JSON.stringify(book))), book);
  assert.throws(() =>
    mintToken(book, { caFingerprint: ca.caFingerprint, now: NOW, ttlMs: TOKEN_TTL_MAX_MS + 1 }),
  );
});

test('token refusals: none, malformed, CA mismatch, unknown, wrong secret, expired', async () => {
  const ca = await testCluster();
  const { token, book } = mintToken(emptyTokenBook(), {
    caFingerprint: ca.caFingerprint,
    now: NOW,
    ttlMs: HOUR,
  });
  const fp = ca.caFingerprint;
  assert.throws(() => checkToken(book, undefined, fp, NOW), refusal('no-token'));
  assert.throws(() => checkToken(book, '   ', fp, NOW), refusal('no-token'));
  for (const bad of [
    'hello',
    `${token}.x`,
    token.replace('pakaya-join-1', 'pakaya-join-2'),
    token.slice(0, -20),
    'x'.repeat(600),
  ]) {
    assert.throws(() => checkToken(book, bad, fp, NOW), refusal('malformed-token'), bad);
  }
  const foreign = await foreignCluster();
  assert.throws(() => checkToken(book, token, foreign.caFingerprint, NOW), refusal('ca-mismatch'));
  const parsed = parseToken(token);
  const otherId = formatToken({ ...parsed, id: '0123456789abcdef' });
  assert.throws(() => checkToken(book, otherId, fp, NOW), refusal('unknown-token'));
  const secret = new Uint8Array(parsed.secret);
  secret[0] = (secret[0] ?? 0) ^ 1;
  assert.throws(() => checkToken(book, formatToken({ ...parsed, secret }), fp, NOW), refusal('wrong-secret'));
  // The CA's expiry counts, not the one written in the token.
  const lying = formatToken({ ...parsed, expiresAt: NOW + 100 * HOUR });
  assert.throws(() => checkToken(book, lying, fp, NOW + HOUR), refusal('expired-token'));
  assert.throws(() => checkToken(book, token, fp, NOW + HOUR), refusal('expired-token'));
});

test('a join issues a certificate for the joiner, marks the token used, and the joiner accepts it', async () => {
  const state = await caState();
  const { token, book } = mintToken(state.tokens, {
    caFingerprint: state.caFingerprint,
    now: NOW,
    ttlMs: HOUR,
  });
  const ca = { ...state, tokens: book };
  const prepared = await prepareJoin(token, node(0xbeef));
  const outcome = await handleJoinRequest(prepared.request, ca, NOW + 1000);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.error.message);
  assert.equal(outcome.nodeId, 0xbeef);
  assert.equal(nodeIdFromCertificate(outcome.response.nodeCertPem), 0xbeef);
  assert.deepEqual(outcome.response.clusterKey, state.clusterKey);
  assert.equal(outcome.tokens.tokens[0]?.used, true);
  assert.equal(outcome.tokens.tokens[0]?.usedBy, '0000beef');
  assert.equal(ca.tokens.tokens[0]?.used, false, 'the book passed in is not changed');

  const joined = await acceptJoinResponse(prepared, outcome.response, NOW + 2000);
  assert.equal(joined.nodeId, 0xbeef);
  assert.equal(joined.clusterId, state.clusterId);
  assert.equal(joined.caFingerprint, state.caFingerprint);
  assert.equal(joined.nodeKeyPem, prepared.keyPem);

  // The same token again: refused as reused, and the book is unchanged.
  const again = await prepareJoin(token, node(0xbee0));
  const second = await handleJoinRequest(again.request, { ...ca, tokens: outcome.tokens }, NOW + 3000);
  assert.ok(!second.ok);
  assert.equal(second.error.reason, 'reused-token');
});

test('join refusals change nothing: expired token, wrong CA, revoked node, the CA node’s own id, bad CSR', async () => {
  const state = await caState();
  const { token, book } = mintToken(state.tokens, {
    caFingerprint: state.caFingerprint,
    now: NOW,
    ttlMs: HOUR,
  });
  const ca = { ...state, tokens: book };
  const snapshot = JSON.stringify(book);
  const cases: [string, CaState, () => Promise<{ token: string; csrPem: string }>, number][] = [
    ['expired-token', ca, async () => (await prepareJoin(token, node(10))).request, NOW + HOUR],
    ['no-token', ca, async () => ({ ...(await prepareJoin(token, node(10))).request, token: '' }), NOW],
    [
      'revoked',
      { ...ca, revoked: revoke(ca.revoked, { nodeId: node(11) }) },
      async () => (await prepareJoin(token, node(11))).request,
      NOW,
    ],
    ['bad-request', ca, async () => (await prepareJoin(token, node(1))).request, NOW],
    ['bad-request', ca, async () => ({ token, csrPem: 'garbage' }), NOW],
  ];
  for (const [reason, caState_, request, at] of cases) {
    const outcome = await handleJoinRequest(await request(), caState_, at);
    assert.ok(!outcome.ok, reason);
    assert.equal(outcome.error.reason, reason, outcome.error.message);
  }
  assert.equal(JSON.stringify(book), snapshot);
  // A token minted by another CA is refused before anything else.
  const foreign = await foreignCluster();
  const other = mintToken(emptyTokenBook(), { caFingerprint: foreign.caFingerprint, now: NOW, ttlMs: HOUR });
  const outcome = await handleJoinRequest((await prepareJoin(other.token, node(12))).request, ca, NOW);
  assert.ok(!outcome.ok);
  assert.equal(outcome.error.reason, 'ca-mismatch');
});

test('the joiner refuses a response from a CA the token does not name, or for another key', async () => {
  const state = await caState();
  const foreign = await foreignCluster();
  const { token, book } = mintToken(state.tokens, {
    caFingerprint: state.caFingerprint,
    now: NOW,
    ttlMs: HOUR,
  });
  const prepared = await prepareJoin(token, node(0x42));
  const outcome = await handleJoinRequest(prepared.request, { ...state, tokens: book }, NOW);
  assert.ok(outcome.ok);
  // An impostor CA answers: its certificate does not match the token's fingerprint.
  const impostor = { ...outcome.response, caCertPem: foreign.caCertPem };
  await assert.rejects(acceptJoinResponse(prepared, impostor, NOW), refusal('ca-mismatch'));
  // A certificate for a different key (another joiner's request).
  const otherPrepared = await prepareJoin(token, node(0x42));
  await assert.rejects(acceptJoinResponse(otherPrepared, outcome.response, NOW), /not for this node key/);
  await assert.rejects(
    acceptJoinResponse(prepared, { ...outcome.response, clusterKey: new Uint8Array(5) }, NOW),
    /cluster key/,
  );
  await assert.rejects(prepareJoin('nonsense', node(1)), refusal('malformed-token'));
});
