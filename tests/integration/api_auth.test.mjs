// The API's front door on a running server: the first admin, logging in, CSRF, API tokens,
// permissions by role, and the dead letters admins can list and replay.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createUser as create, firstAdmin, login as logIn, postGeneric, removeDir, startParley, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';

let dir;
let config;
let parley;
let admin;  // { email, password }

function createUser(email, role, password) {
  create({ config, dataDir: dir, email, role, password });
  return { email, password };
}

async function api(path, { method = 'GET', body, cookie, csrf, token, raw, extra = {} } = {}) {
  const headers = { ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${parley.url}${path}`, {
    method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null };
}

async function login(credentials) {
  const session = await logIn(parley.url, credentials);
  assert.match(session.setCookie, /^parley_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  return session;
}

before(async () => {
  dir = tempDir();
  config = writeConfig(dir);
  parley = await startParley({ dataDir: dir, config });
  admin = await firstAdmin(parley);
  for (const role of ['agent', 'analyst', 'approver', 'team_leader', 'supervisor']) {
    createUser(`${role}@example.com`, role, `${role} password 123`);
  }
});

after(async () => {
  if (parley) await parley.stop();
  removeDir(dir);
});

test('every route but login and the document refuses an anonymous caller', async () => {
  const document = (await api('/api/v1/openapi.json')).json;
  assert.equal(document.openapi, '3.1.0');
  let checked = 0;
  for (const [path, operations] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const [method, operation] of Object.entries(operations)) {
      const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
      if (isPublic || operation.responses['101']) continue;  // WebSockets: api_events.test.mjs
      const verb = method.toUpperCase();
      const response = await api(path.replaceAll(/\{[^}]+\}/g, '1'), { method: verb, body: verb === 'GET' ? undefined : {} });
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal(response.json.error.code, 'unauthenticated');
      checked += 1;
    }
  }
  assert.ok(checked >= 8, `checked ${checked} routes`);
});

test('logging in: one answer for a wrong email or password, bad input refused', async () => {
  const wrong = await api('/api/v1/auth/login', { method: 'POST', body: { email: admin.email, password: 'nope nope nope' } });
  const unknown = await api('/api/v1/auth/login', { method: 'POST', body: { email: 'who@example.com', password: 'nope nope nope' } });
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.json, unknown.json);
  assert.equal((await api('/api/v1/auth/login', { method: 'POST', raw: '{"email": ' })).status, 400);
  const unknownField = await api('/api/v1/auth/login', { method: 'POST', body: { email: 'a@b.c', password: 'x', admin: true } });
  assert.equal(unknownField.status, 400);
  assert.match(unknownField.json.error.message, /unknown field 'admin'/);
  // A form on another site cannot log the browser in (login CSRF).
  const plain = await api('/api/v1/auth/login', { method: 'POST', raw: JSON.stringify(admin), extra: { 'content-type': 'text/plain' } });
  assert.equal(plain.status, 400);
  assert.match(plain.json.error.message, /application\/json/);
  const crossSite = await api('/api/v1/auth/login', { method: 'POST', body: admin, extra: { 'sec-fetch-site': 'cross-site' } });
  assert.equal(crossSite.status, 403);
  const foreign = await api('/api/v1/auth/login', { method: 'POST', body: admin, extra: { origin: 'https://evil.example' } });
  assert.equal(foreign.status, 403);
  const sameOrigin = await api('/api/v1/auth/login', { method: 'POST', body: admin, extra: { origin: parley.url } });
  assert.equal(sameOrigin.status, 200);
  // Oversized bodies and injection attempts: a 4xx, and nothing changes.
  const huge = await api('/api/v1/auth/login', { method: 'POST', raw: JSON.stringify({ email: 'x'.repeat(2 << 20), password: 'y' }), extra: { 'content-type': 'application/json' } });
  assert.equal(huge.status, 413);
  const injected = await api('/api/v1/auth/login', { method: 'POST', body: { email: "admin@parley.local' OR '1'='1", password: "' OR '1'='1" } });
  assert.equal(injected.status, 401);
  const session = await login(admin);
  const cursor = await api(`/api/v1/dead-letters?after=${encodeURIComponent("1 OR 1=1")}`, { cookie: session.cookie });
  assert.equal(cursor.status, 400);
  const users = await api('/api/v1/users', { cookie: session.cookie });
  assert.equal(users.json.items.every((u) => !u.email.includes("'")), true);
});

test('a session works with its cookie, changes need the CSRF token, logout ends it', async () => {
  const session = await login(admin);
  assert.equal(session.user.role, 'admin');
  assert.equal(session.user.password_hash, undefined);
  const me = await api('/api/v1/me', { cookie: session.cookie });
  assert.equal(me.status, 200);
  assert.equal(me.json.csrf_token, session.csrf);

  const forged = await api('/api/v1/tokens', { method: 'POST', cookie: session.cookie, body: { name: 'x' } });
  assert.equal(forged.status, 403);
  assert.match(forged.json.error.message, /X-CSRF-Token/);
  const wrongToken = await api('/api/v1/tokens', { method: 'POST', cookie: session.cookie, csrf: 'f'.repeat(64), body: { name: 'x' } });
  assert.equal(wrongToken.status, 403);

  // A second, planted session cookie is refused rather than guessed between.
  const planted = await api('/api/v1/me', { cookie: `${session.cookie}; parley_session=${'0'.repeat(64)}` });
  assert.equal(planted.status, 401);

  const logout = await api('/api/v1/auth/logout', { method: 'POST', cookie: session.cookie, csrf: session.csrf });
  assert.equal(logout.status, 204);
  assert.match(logout.headers.get('set-cookie'), /Max-Age=0/);
  assert.equal((await api('/api/v1/me', { cookie: session.cookie })).status, 401);
});

test('API tokens are shown once, act as their user without CSRF, and can be revoked', async () => {
  const session = await login(admin);
  const created = await api('/api/v1/tokens', { method: 'POST', cookie: session.cookie, csrf: session.csrf, body: { name: 'crm sync' } });
  assert.equal(created.status, 201);
  assert.match(created.json.secret, /^pk_[0-9a-f]{64}$/);
  const listed = await api('/api/v1/tokens', { cookie: session.cookie });
  assert.equal(listed.json.items.length, 1);
  assert.equal(JSON.stringify(listed.json).includes(created.json.secret), false);

  const me = await api('/api/v1/me', { token: created.json.secret });
  assert.equal(me.status, 200);
  assert.equal(me.json.user.email, admin.email);
  assert.equal(me.json.csrf_token, null);
  const revoked = await api(`/api/v1/tokens/${created.json.token.id}`, { method: 'DELETE', token: created.json.secret });
  assert.equal(revoked.status, 204);
  assert.equal((await api('/api/v1/me', { token: created.json.secret })).status, 401);
});

test('dead letters: listed and replayed by admins only', async () => {
  const bad = await postGeneric(parley.url, JSON.stringify({ id: 'r-broken', text: 'no author' }));
  assert.equal(bad.status, 400);
  await waitUntilProcessed(parley.url);

  const agent = await login({ email: 'agent@example.com', password: 'agent password 123' });
  const refused = await api('/api/v1/dead-letters', { cookie: agent.cookie });
  assert.equal(refused.status, 403);
  assert.equal(refused.json.error.message, 'the agent role does not allow manage_dead_letters');
  const analyst = await login({ email: 'analyst@example.com', password: 'analyst password 123' });
  assert.equal((await api('/api/v1/dead-letters', { cookie: analyst.cookie })).status, 403);

  const session = await login(admin);
  const list = await api('/api/v1/dead-letters?limit=10', { cookie: session.cookie });
  assert.equal(list.status, 200);
  assert.equal(list.json.items.length, 1);
  const letter = list.json.items[0];
  assert.equal(letter.channel, 'generic');
  assert.match(letter.error, /author/);
  assert.equal((await api('/api/v1/dead-letters?limit=0', { cookie: session.cookie })).status, 400);

  const detail = await api(`/api/v1/dead-letters/${letter.id}`, { cookie: session.cookie });
  assert.equal(detail.status, 200);
  assert.equal(JSON.parse(detail.json.body).id, 'r-broken');
  assert.equal((await api('/api/v1/dead-letters/999999', { cookie: session.cookie })).status, 404);

  const noCsrf = await api(`/api/v1/dead-letters/${letter.id}/replay`, { method: 'POST', cookie: session.cookie });
  assert.equal(noCsrf.status, 403);
  const replay = await api(`/api/v1/dead-letters/${letter.id}/replay`, { method: 'POST', cookie: session.cookie, csrf: session.csrf });
  assert.equal(replay.status, 202);
  assert.deepEqual(replay.json, { id: letter.id, state: 'pending' });
  await waitUntilProcessed(parley.url);
  // Still broken: a dead letter again, tried twice.
  const again = await api('/api/v1/dead-letters', { cookie: session.cookie });
  assert.equal(again.json.items[0].attempts, 2);
});

test('log out everywhere ends every session of the user', async () => {
  const a = await login(admin);
  const b = await login(admin);
  const out = await api('/api/v1/auth/logout-everywhere', { method: 'POST', cookie: a.cookie, csrf: a.csrf });
  assert.equal(out.status, 204);
  assert.equal((await api('/api/v1/me', { cookie: a.cookie })).status, 401);
  assert.equal((await api('/api/v1/me', { cookie: b.cookie })).status, 401);
});

test('every role is refused exactly the routes its permissions do not cover', async () => {
  const document = (await api('/api/v1/openapi.json')).json;
  const operations = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation['x-permission'] && !operation.responses['101']) operations.push({ path, method: method.toUpperCase(), permission: operation['x-permission'] });
    }
  }
  // Logging out ends the session the loop uses: last.
  operations.sort((a, b) => Number(a.path.startsWith('/api/v1/auth/')) - Number(b.path.startsWith('/api/v1/auth/')));
  const roles = ['admin', 'supervisor', 'team_leader', 'approver', 'agent', 'analyst'];
  for (const role of roles) {
    const session = role === 'admin' ? await login(admin)
      : await login({ email: `${role}@example.com`, password: `${role} password 123` });
    const me = await api('/api/v1/me', { cookie: session.cookie });
    const granted = new Set(me.json.permissions);
    assert.ok(granted.has('authenticated'));
    for (const { path, method, permission } of operations) {
      let response;
      try {
        response = await api(path.replaceAll(/\{[^}]+\}/g, '1'), {
          method, cookie: session.cookie, csrf: session.csrf, body: method === 'GET' ? undefined : {},
        });
      } catch (e) {
        throw new Error(`${role} ${method} ${path}: ${e.cause ?? e}\n${parley.stderr().slice(-3000)}`);
      }
      const refusedByRole = response.status === 403 && /role does not allow/.test(response.json.error.message);
      assert.equal(refusedByRole, !granted.has(permission),
        `${role} ${method} ${path} (${permission}): ${response.status} ${JSON.stringify(response.json)}`);
    }
  }
});
