// Cross-workspace access on a running server: a user restricted to one brand sees and does
// nothing in another, and a restricted admin cannot hand out more than they have.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { callApi, firstAdmin, globexConfig, login as logIn, postGeneric, removeDir, startParley, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';

let dir;
let parley;
let root;  // the unrestricted first admin's session
const ids = {};

const call = (session, path, options) => callApi(parley.url, session, path, options);

const login = (email, password) => logIn(parley.url, { email, password });

before(async () => {
  dir = tempDir();
  const config = writeConfig(dir, globexConfig);
  parley = await startParley({ dataDir: dir, config });
  const credentials = await firstAdmin(parley);
  root = await login(credentials.email, credentials.password);
  for (const [account, user] of [['reviews', 'ann'], ['globex-reviews', 'gus']]) {
    const review = JSON.stringify({ id: `r-${user}`, kind: 'review', text: 'Broken again', author: { id: user, handle: user } });
    assert.equal((await postGeneric(parley.url, review, { account })).status, 202);
  }
  // A payload for globex that cannot be processed: a dead letter of that workspace.
  await postGeneric(parley.url, JSON.stringify({ id: 'bad', text: 'no author' }), { account: 'globex-reviews' });
  await waitUntilProcessed(parley.url);
  for (const w of (await call(root, '/api/v1/workspaces')).json.items) ids[w.slug] = w.id;
  for (const slug of ['acme', 'globex']) {
    ids[`${slug}-conversation`] = (await call(root, `/api/v1/conversations?workspace=${ids[slug]}`)).json.items[0].id;
  }
});

after(async () => {
  if (parley) await parley.stop();
  removeDir(dir);
});

test('a user restricted to one brand sees and does nothing in another', async () => {
  const created = await call(root, '/api/v1/users', { method: 'POST', body: { email: 'ann@acme.example', role: 'supervisor', password: 'ann password 123' } });
  assert.equal(created.status, 201);
  const restricted = await call(root, `/api/v1/users/${created.json.id}`, { method: 'PATCH', body: { workspace_ids: [ids.acme] } });
  assert.equal(restricted.status, 200);
  assert.deepEqual(restricted.json.workspace_ids, [ids.acme]);

  const ann = await login('ann@acme.example', 'ann password 123');
  assert.deepEqual((await call(ann, '/api/v1/workspaces')).json.items.map((w) => w.slug), ['acme']);
  const accounts = (await call(ann, '/api/v1/channel-accounts')).json.items;
  assert.deepEqual(accounts.map((a) => a.platform_account_id), ['reviews']);
  // Only one brand to see: the list needs no workspace, and never shows the other.
  const mine = await call(ann, '/api/v1/conversations');
  assert.equal(mine.status, 200);
  assert.deepEqual(mine.json.items.map((c) => c.id), [ids['acme-conversation']]);
  assert.equal((await call(ann, `/api/v1/conversations?workspace=${ids.globex}`)).status, 404);
  assert.equal((await call(ann, `/api/v1/conversations/${ids['globex-conversation']}`)).status, 404);
  const reply = await call(ann, `/api/v1/conversations/${ids['globex-conversation']}/replies`, { method: 'POST', body: { text: 'hello' } });
  assert.equal(reply.status, 404);
  assert.equal((await call(ann, `/api/v1/conversations/${ids['acme-conversation']}`)).status, 200);
});

test('a restricted admin sees their dead letters only and cannot widen anyone', async () => {
  const created = await call(root, '/api/v1/users', { method: 'POST', body: { email: 'ada@acme.example', role: 'admin', password: 'ada password 123', workspace_ids: [ids.acme] } });
  assert.equal(created.status, 201);
  const ada = await login('ada@acme.example', 'ada password 123');
  assert.equal((await call(root, '/api/v1/dead-letters')).json.items.length, 1);
  assert.equal((await call(ada, '/api/v1/dead-letters')).json.items.length, 0);

  const unrestricted = await call(ada, '/api/v1/users', { method: 'POST', body: { email: 'eve@acme.example', role: 'admin', password: 'eve password 123' } });
  assert.equal(unrestricted.status, 403);
  const elsewhere = await call(ada, '/api/v1/users', { method: 'POST', body: { email: 'eve@acme.example', role: 'agent', password: 'eve password 123', workspace_ids: [ids.globex] } });
  assert.equal(elsewhere.status, 403);
  const inside = await call(ada, '/api/v1/users', { method: 'POST', body: { email: 'eve@acme.example', role: 'agent', password: 'eve password 123', workspace_ids: [ids.acme] } });
  assert.equal(inside.status, 201);
  const widen = await call(ada, `/api/v1/users/${inside.json.id}`, { method: 'PATCH', body: { workspace_ids: [ids.acme, ids.globex] } });
  assert.equal(widen.status, 403);
  const self = (await call(ada, '/api/v1/me')).json.user.id;
  const demoteSelf = await call(ada, `/api/v1/users/${self}`, { method: 'PATCH', body: { role: 'agent' } });
  assert.equal(demoteSelf.status, 422);
  assert.match(demoteSelf.json.error.message, /your own role/);
  const freeSelf = await call(ada, `/api/v1/users/${self}`, { method: 'PATCH', body: { workspace_ids: [] } });
  assert.equal(freeSelf.status, 403);

  // Disabling ends the user's sessions at once.
  const eve = await login('eve@acme.example', 'eve password 123');
  assert.equal((await call(eve, '/api/v1/me')).status, 200);
  assert.equal((await call(ada, `/api/v1/users/${inside.json.id}`, { method: 'PATCH', body: { disabled: true } })).status, 200);
  assert.equal((await call(eve, '/api/v1/me')).status, 401);
  const bad = await call(ada, `/api/v1/users/${inside.json.id}`, { method: 'PATCH', body: { role: 'wizard' } });
  assert.equal(bad.status, 400);
});
