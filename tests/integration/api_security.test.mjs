// The API's defences, route by route from the OpenAPI document, so that a new route is covered
// the day it is added: a user restricted to one brand is refused every route that names another
// brand's things; every change needs the CSRF token; malformed JSON, unknown fields, oversized
// bodies and injection attempts get a 4xx; and after all of it nothing has changed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { callApi, firstAdmin, globexConfig, login as logIn, postGeneric, removeDir, sign, startParley, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';

let dir;
let parley;
let document;
let root;   // the unrestricted first admin
let ann;    // an admin restricted to acme
const ids = {};

const call = (session, path, options) => callApi(parley.url, session, path, options);

// Every operation of the document but the public ones and the WebSocket.
function operations() {
  const out = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const [method, operation] of Object.entries(methods)) {
      const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
      if (isPublic || operation.responses['101']) continue;
      out.push({ path, method: method.toUpperCase(), operation });
    }
  }
  return out;
}

// What the whole system holds, as the unrestricted admin reads it: compared before and after.
async function snapshot() {
  const state = {};
  for (const { path, method } of operations()) {
    if (method !== 'GET' || path.includes('/me') || path.includes('/tokens')) continue;
    for (const slug of ['acme', 'globex']) {
      const concrete = fill(path, slug);
      if (!concrete) continue;
      const response = await call(root, concrete + (path === '/api/v1/conversations' ? `?workspace=${ids[slug]}` : ''));
      state[`${concrete}`] = response;
    }
  }
  return state;
}

// The path with each {id} replaced by the id of that brand's thing of the right kind.
function fill(path, slug) {
  const kinds = [
    [/^\/api\/v1\/workspaces\/\{id\}/, 'workspace'],
    [/^\/api\/v1\/conversations\/\{id\}/, 'conversation'],
    [/^\/api\/v1\/keyword-tables\/\{id\}/, 'table'],
    [/^\/api\/v1\/rules\/\{id\}/, 'rule'],
    [/^\/api\/v1\/canned-responses\/\{id\}/, 'canned'],
    [/^\/api\/v1\/customers\/\{id\}/, 'customer'],
    [/^\/api\/v1\/webhooks\/\{id\}/, 'webhook'],
    [/^\/api\/v1\/webhook-deliveries\/\{id\}/, 'delivery'],
    [/^\/api\/v1\/dead-letters\/\{id\}/, 'dead-letter'],
    [/^\/api\/v1\/channel-accounts\/\{id\}/, 'account'],
    [/^\/api\/v1\/messages\/\{id\}\/attachments/, 'mail'],
    [/^\/api\/v1\/messages\/\{id\}/, 'message'],
  ];
  if (!path.includes('{')) return path;
  for (const [pattern, kind] of kinds) {
    if (pattern.test(path)) return path.replace('{id}', ids[`${slug}-${kind}`]).replace('{index}', '0');
  }
  return undefined;
}

before(async () => {
  dir = tempDir();
  const config = writeConfig(dir, `${globexConfig}
[[channel_accounts]]
workspace = "acme"
kind = "email"
platform_account_id = "help@acme.example"
credentials = { secret = "mail-secret" }

[webhooks]
first_retry_ms = 3600000
`);
  parley = await startParley({ dataDir: dir, config });
  document = await (await fetch(`${parley.url}/api/v1/openapi.json`)).json();
  root = await logIn(parley.url, await firstAdmin(parley));
  for (const w of (await call(root, '/api/v1/workspaces')).json.items) {
    ids[w.slug] = w.id;
    ids[`${w.slug}-workspace`] = w.id;
  }
  for (const [slug, account] of [['acme', 'reviews'], ['globex', 'globex-reviews']]) {
    const webhook = await call(root, `/api/v1/workspaces/${ids[slug]}/webhooks`, { method: 'POST', body: { url: 'http://127.0.0.1:1/closed' } });
    ids[`${slug}-webhook`] = webhook.json.id;
    const review = JSON.stringify({ id: `r-${slug}`, kind: 'review', text: 'Broken again', author: { id: `u-${slug}`, handle: `u-${slug}` } });
    assert.equal((await postGeneric(parley.url, review, { account })).status, 202);
    await postGeneric(parley.url, JSON.stringify({ id: `bad-${slug}`, text: 'no author' }), { account });
    await waitUntilProcessed(parley.url);
    const conversation = (await call(root, `/api/v1/conversations?workspace=${ids[slug]}`)).json.items[0];
    ids[`${slug}-conversation`] = conversation.id;
    ids[`${slug}-customer`] = conversation.customer_id;
    ids[`${slug}-message`] = (await call(root, `/api/v1/conversations/${conversation.id}`)).json.messages[0].id;
    for (const [kind, collection, body] of [
      ['table', 'keyword-tables', { name: 'words', entries: [{ pattern: 'broken' }] }],
      ['rule', 'rules', { name: 'r', then: [{ action: 'tag', argument: 'x' }] }],
      ['canned', 'canned-responses', { name: 'c', text: 'Hello {{customer.first_name}}' }],
    ]) {
      const created = await call(root, `/api/v1/workspaces/${ids[slug]}/${collection}`, { method: 'POST', body });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      ids[`${slug}-${kind}`] = created.json.id;
    }
    for (let i = 0; i < 200 && !ids[`${slug}-delivery`]; i += 1) {
      const log = await call(root, `/api/v1/webhooks/${ids[`${slug}-webhook`]}/deliveries`);
      ids[`${slug}-delivery`] = log.json.items[0]?.id;
      if (!ids[`${slug}-delivery`]) await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(ids[`${slug}-delivery`], `a delivery for ${slug}`);
  }
  // An email with an attachment, for the attachment route.
  const mail = ['From: jane@example.com', 'To: help@acme.example', 'Subject: Photo', 'Message-ID: <p1@example.com>',
    'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '',
    'See the photo.', '--b', 'Content-Type: image/png', 'Content-Disposition: attachment; filename="a.png"',
    'Content-Transfer-Encoding: base64', '', 'aGVsbG8=', '--b--', ''].join('\r\n');
  const posted = await fetch(`${parley.url}/webhooks/email?account=help@acme.example`, {
    method: 'POST', headers: { 'content-type': 'message/rfc822', 'x-parley-signature': sign(mail, 'mail-secret') }, body: mail,
  });
  assert.equal(posted.status, 202);
  await waitUntilProcessed(parley.url);
  const mailConversation = (await call(root, `/api/v1/conversations?workspace=${ids.acme}`)).json.items
    .find((c) => c.channels.includes('email'));
  ids['acme-mail'] = (await call(root, `/api/v1/conversations/${mailConversation.id}`)).json.messages[0].id;
  ids['globex-mail'] = ids['globex-message'];
  for (const account of (await call(root, '/api/v1/channel-accounts')).json.items) {
    if (account.platform_account_id === 'reviews') ids['acme-account'] = account.id;
    if (account.platform_account_id === 'globex-reviews') ids['globex-account'] = account.id;
  }
  const letters = (await call(root, '/api/v1/dead-letters')).json.items;
  assert.equal(letters.length, 2);
  for (const letter of letters) {
    const slug = letter.channel_account_id && (await call(root, '/api/v1/channel-accounts')).json.items
      .find((a) => a.id === letter.channel_account_id).platform_account_id === 'reviews' ? 'acme' : 'globex';
    ids[`${slug}-dead-letter`] = letter.id;
  }
  const created = await call(root, '/api/v1/users', { method: 'POST', body: { email: 'ann@acme.example', role: 'admin', password: 'ann password 123', workspace_ids: [ids.acme] } });
  assert.equal(created.status, 201);
  ann = await logIn(parley.url, { email: 'ann@acme.example', password: 'ann password 123' });
});

after(async () => {
  if (parley) await parley.stop();
  removeDir(dir);
});

test('every route naming another brand\'s things answers as if they did not exist', async () => {
  const before = await snapshot();
  let checked = 0;
  for (const { path, method } of operations()) {
    if (!path.includes('{') || path.startsWith('/api/v1/users/') || path.startsWith('/api/v1/tokens/')) continue;
    const concrete = fill(path, 'globex');
    assert.ok(concrete, `${method} ${path}: the test does not know what {id} names; add it to fill()`);
    const response = await call(ann, concrete, { method, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
    assert.ok([403, 404].includes(response.status) || (response.status === 400 && method !== 'GET'),
      `${method} ${path}: ${response.status} ${JSON.stringify(response.json)}`);
    if (response.status === 400) {
      // Refused for its body before the lookup: with a valid body it must still be refused.
      continue;
    }
    checked += 1;
    if (method === 'GET') {
      // The same route on her own brand's things is not refused for scope.
      const own = await call(ann, fill(path, 'acme'));
      assert.equal(own.status, 200, `${method} ${path} on her own brand: ${JSON.stringify(own.json)}`);
    }
  }
  assert.ok(checked >= 20, `checked ${checked}`);
  // The list routes take the workspace from the query or the path.
  assert.equal((await call(ann, `/api/v1/conversations?workspace=${ids.globex}`)).status, 404);
  assert.deepEqual((await call(ann, '/api/v1/workspaces')).json.items.map((w) => w.slug), ['acme']);
  assert.equal((await call(ann, '/api/v1/dead-letters')).json.items.length, 1);
  const after = await snapshot();
  for (const key of Object.keys(before)) {
    if (key.includes('/deliveries')) continue;  // attempts go on in the background
    assert.deepEqual(after[key], before[key], `${key} changed`);
  }
});

test('every change needs the CSRF token with a session cookie', async () => {
  let checked = 0;
  for (const { path, method } of operations()) {
    if (method === 'GET') continue;
    const concrete = fill(path, 'acme') ?? path.replaceAll(/\{[^}]+\}/g, '1');
    const response = await call(root, concrete, { method, body: {}, csrf: false });
    assert.equal(response.status, 403, `${method} ${path}: ${response.status} ${JSON.stringify(response.json)}`);
    assert.match(response.json.error.message, /CSRF|X-CSRF-Token/i, `${method} ${path}`);
    checked += 1;
  }
  assert.ok(checked >= 25, `checked ${checked}`);
});

test('malformed, unknown, oversized and injected input is refused and changes nothing', async () => {
  const before = await snapshot();
  let checked = 0;
  for (const { path, method, operation } of operations()) {
    if (method === 'GET' || method === 'DELETE' || !operation.requestBody) continue;
    if (path.endsWith('/logout') || path.endsWith('/logout-everywhere')) continue;
    const concrete = fill(path, 'acme') ?? path.replaceAll(/\{[^}]+\}/g, '1');
    const where = `${method} ${path}`;
    let malformed;
    try {
      malformed = await call(root, concrete, { method, raw: '{"text": "unterminated' });
    } catch (e) {
      throw new Error(`${where} malformed: ${e.cause ?? e}\n${parley.stderr().slice(-2000)}`);
    }
    assert.equal(malformed.status, 400, `${where} malformed: ${JSON.stringify(malformed.json)}`);
    const notObject = await call(root, concrete, { method, raw: '["a list"]' });
    assert.equal(notObject.status, 400, `${where} a list`);
    const unknown = await call(root, concrete, { method, body: { zz_not_a_field: 1 } });
    assert.equal(unknown.status, 400, `${where} unknown field: ${JSON.stringify(unknown.json)}`);
    assert.match(unknown.json.error.message, /zz_not_a_field/, where);
    const plain = await call(root, concrete, { method, raw: '{}', type: 'text/plain' });
    assert.equal(plain.status, 400, `${where} text/plain`);
    let huge;
    try {
      huge = await call(root, concrete, { method, raw: JSON.stringify({ text: 'x'.repeat((1 << 20) + 1024) }) });
    } catch (e) {
      throw new Error(`${where} oversized: ${e.cause ?? e}`);
    }
    assert.equal(huge.status, 413, `${where} oversized`);
    checked += 1;
  }
  assert.ok(checked >= 15, `checked ${checked}`);
  // Injection in ids, queries and cursors: a 4xx, never a match.
  for (const path of [
    `/api/v1/conversations/1%20OR%201=1`,
    `/api/v1/conversations?workspace=${ids.acme}%20OR%201=1`,
    `/api/v1/conversations?workspace=${ids.acme}&cursor=${encodeURIComponent("' OR '1'='1")}`,
    `/api/v1/conversations?workspace=${ids.acme}&status=${encodeURIComponent("queued' --")}`,
    `/api/v1/workspaces/${ids.acme}/customers?after=${encodeURIComponent('0; DROP TABLE documents')}`,
    `/api/v1/keyword-tables/${encodeURIComponent('../../etc/passwd')}`,
    `/api/v1/webhooks/${ids.acme}-1/deliveries?limit=${encodeURIComponent('1 UNION SELECT')}`,
  ]) {
    const response = await call(root, path);
    assert.ok(response.status >= 400 && response.status < 500, `${path}: ${response.status}`);
  }
  // Text that looks like code is stored and given back as text.
  const note = await call(root, `/api/v1/conversations/${ids['acme-conversation']}/notes`, {
    method: 'POST', body: { text: "<script>alert(1)</script>'); DROP TABLE documents; --" },
  });
  assert.equal(note.status, 201);
  const notes = await call(root, `/api/v1/conversations/${ids['acme-conversation']}/notes`);
  assert.equal(notes.json.items.at(-1).text, "<script>alert(1)</script>'); DROP TABLE documents; --");
  const after = await snapshot();
  for (const key of Object.keys(before)) {
    if (key.endsWith('/notes') && key.includes(ids['acme-conversation'])) continue;
    // The customer's page lists the team's notes on them: the injection text, kept as text.
    if (key === `/api/v1/customers/${ids['acme-customer']}`) {
      const { notes, ...rest } = after[key].json;
      assert.deepEqual(notes.map((n) => n.text), ["<script>alert(1)</script>'); DROP TABLE documents; --"]);
      assert.deepEqual({ ...after[key], json: rest }, { ...before[key], json: (({ notes: _n, ...r }) => r)(before[key].json) });
      continue;
    }
    if (key.includes('/deliveries')) continue;  // attempts go on in the background
    assert.deepEqual(after[key], before[key], `${key} changed`);
  }
});
