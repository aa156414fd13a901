// The live events over one WebSocket on a running server: what arrives, filtered by who may see
// it, and what a client gets back after a reconnect.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { connectEvents, createUser as create, firstAdmin, login as logIn, postGeneric, removeDir, startParley, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';

let dir;
let config;
let parley;
let agent;

function createUser(email, role, password) {
  create({ config, dataDir: dir, email, role, password });
}

const login = (email, password) => logIn(parley.url, { email, password });

const connect = (query = '', headers = {}) => connectEvents(parley.url, query, headers);

async function review(id, account = 'reviews') {
  const body = JSON.stringify({ id, kind: 'review', text: `Review ${id}`, author: { id: `u-${id}`, handle: id } });
  assert.equal((await postGeneric(parley.url, body, { account })).status, 202);
}

before(async () => {
  dir = tempDir();
  config = writeConfig(dir, `
[[workspaces]]
slug = "globex"

[[channel_accounts]]
workspace = "globex"
kind = "generic"
platform_account_id = "globex-reviews"
credentials = { secret = "test-secret" }
`);
  parley = await startParley({ dataDir: dir, config });
  createUser('agent@example.com', 'agent', 'agent password 123');
  agent = await login('agent@example.com', 'agent password 123');
});

after(async () => {
  if (parley) await parley.stop();
  removeDir(dir);
});

test('new messages arrive live, and a reconnect gets what it missed', async () => {
  const first = connect('', { cookie: agent.cookie });
  assert.equal(await first.opened, true);
  const hello = await first.next();
  assert.equal(hello.type, 'hello');
  assert.match(hello.epoch, /^[0-9a-f]{16}$/);

  await review('r-1');
  const created = await first.next();
  assert.equal(created.event, 'conversation.created');
  const message = await first.next();
  assert.equal(message.event, 'message.created');
  assert.equal(message.data.conversation_id, created.data.conversation_id);
  assert.equal(message.seq, created.seq + 1);

  first.ws.send(JSON.stringify({ type: 'ping' }));
  assert.deepEqual(await first.next(), { type: 'pong', seq: message.seq });
  first.ws.close();

  // Away for a while: two colleagues' messages arrive meanwhile.
  await review('r-2');
  await review('r-3');
  await waitUntilProcessed(parley.url);
  const again = connect(`?since=${hello.epoch}.${message.seq}`, { cookie: agent.cookie });
  assert.equal((await again.next()).type, 'hello');
  const missed = [];
  for (let i = 0; i < 4; i += 1) missed.push(await again.next());
  assert.deepEqual(missed.map((m) => m.event), ['conversation.created', 'message.created', 'conversation.created', 'message.created']);
  assert.deepEqual(missed.map((m) => m.seq), [message.seq + 1, message.seq + 2, message.seq + 3, message.seq + 4]);
  again.ws.close();

  // Another run of the server (or anything unknown): reload.
  const stale = connect('?since=0123456789abcdef.3', { cookie: agent.cookie });
  assert.equal((await stale.next()).type, 'hello');
  assert.equal((await stale.next()).type, 'resync');
  stale.ws.close();
});

test('events are filtered by what the receiver may see', async () => {
  const credentials = await firstAdmin(parley);
  const admin = await login(credentials.email, credentials.password);
  const call = async (path, method, body) => {
    const response = await fetch(`${parley.url}${path}`, {
      method, headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    return response.json();
  };
  const workspaces = (await call('/api/v1/workspaces', 'GET')).items;
  const globex = workspaces.find((w) => w.slug === 'globex').id;
  const gus = await call('/api/v1/users', 'POST', { email: 'gus@globex.example', role: 'agent', password: 'gus password 123', workspace_ids: [globex] });
  assert.ok(gus.id, JSON.stringify(gus));
  const session = await login('gus@globex.example', 'gus password 123');
  const stream = connect('', { cookie: session.cookie });
  assert.equal((await stream.next()).type, 'hello');
  await review('acme-only');  // acme: not for gus
  await review('globex-1', 'globex-reviews');
  const first = await stream.next();
  assert.equal(first.workspace_id, globex);
  assert.equal((await stream.next()).workspace_id, globex);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(stream.pending(), 0);
  stream.ws.close();
});

test('a handshake without a session, or from another site, is refused', async () => {
  assert.equal(await connect('').opened, false);
  assert.equal(await connect('', { cookie: agent.cookie, origin: 'https://evil.example' }).opened, false);
  const plain = await fetch(`${parley.url}/api/v1/events`, { headers: { cookie: agent.cookie } });
  assert.equal(plain.status, 426);
});
