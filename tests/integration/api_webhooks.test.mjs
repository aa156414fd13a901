// Outgoing webhooks on a running server: an admin subscribes a local receiver to a workspace's
// events; a mention arrives and the receiver gets it signed as docs/webhooks.md says; a receiver
// that fails is retried with backoff, the log shows each attempt, and a delivery can be sent
// again. Every API response is checked against docs/openapi.yaml.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';

import { createUser, eventually, firstAdmin, login, postGeneric, removeDir, review, startParley, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';
import { checkResponse } from './openapi_schema.mjs';

let dir;
let config;
let parley;
let document;
let admin;
let workspace;
let receiver;
const received = [];
const answers = {};  // by path: statuses to answer with, in order; then 200

// Checks a delivery's signature as a receiver would: HMAC-SHA256 of "<t>.<body>" with the secret.
function verify(secret, header, body) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=')));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  return parts.v1.length === expected.length && timingSafeEqual(Buffer.from(parts.v1), Buffer.from(expected))
    && Math.abs(Date.now() / 1000 - Number(parts.t)) < 300;
}

async function api(path, { method = 'GET', body, session = admin } = {}) {
  const headers = { cookie: session.cookie };
  if (method !== 'GET') headers['x-csrf-token'] = session.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${parley.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  checkResponse(document, method, path, response.status, json);
  return { status: response.status, json };
}


before(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      received.push({ url: request.url, headers: request.headers, body });
      response.writeHead(answers[request.url]?.shift() ?? 200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  dir = tempDir();
  config = writeConfig(dir, `
[webhooks]
first_retry_ms = 200
max_retry_ms = 400
max_attempts = 3
`);
  parley = await startParley({ dataDir: dir, config });
  document = await (await fetch(`${parley.url}/api/v1/openapi.json`)).json();
  admin = await login(parley.url, await firstAdmin(parley));
  workspace = (await api('/api/v1/workspaces')).json.items[0].id;
});

after(async () => {
  if (parley) await parley.stop();
  receiver?.close();
  removeDir(dir);
});

test('a subscribed receiver gets each event signed, and a failing one is retried', async () => {
  const url = `http://127.0.0.1:${receiver.address().port}/hooks/parley`;
  const created = await api(`/api/v1/workspaces/${workspace}/webhooks`, {
    method: 'POST', body: { url, events: ['conversation.*', 'message.created'], description: 'CRM sync' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { secret, id } = created.json;
  assert.match(secret, /^whsec_[0-9a-f]{64}$/);
  const shown = await api(`/api/v1/webhooks/${id}`);
  assert.equal(shown.json.secret, undefined);
  assert.equal(JSON.stringify((await api(`/api/v1/workspaces/${workspace}/webhooks`)).json).includes(secret), false);

  answers['/hooks/parley'] = [500];  // the first delivery fails once
  assert.equal((await postGeneric(parley.url, review('w1', 'jo', 'my parcel is lost'))).status, 202);
  await waitUntilProcessed(parley.url);
  await eventually('two events delivered', () => received.length >= 3);
  const events = received.map((r) => r.headers['parley-event']);
  assert.ok(events.includes('conversation.created'), events.join());
  assert.ok(events.includes('message.created'), events.join());
  for (const r of received) {
    assert.equal(r.url, '/hooks/parley');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.ok(verify(secret, r.headers['parley-signature'], r.body), r.headers['parley-signature']);
    assert.equal(verify('whsec_wrong', r.headers['parley-signature'], r.body), false);
    const body = JSON.parse(r.body);
    assert.equal(body.event, r.headers['parley-event']);
    assert.equal(body.workspace_id, workspace);
    assert.equal(typeof body.seq, 'number');
  }
  // The failed one came again, with the same delivery id and body.
  const first = received[0];
  const again = received.slice(1).find((r) => r.headers['parley-delivery'] === first.headers['parley-delivery']);
  assert.ok(again, 'the failed delivery was retried');
  assert.equal(again.body, first.body);

  const log = await eventually('the log to show the retry', async () => {
    const response = await api(`/api/v1/webhooks/${id}/deliveries`);
    const retried = response.json.items.find((d) => d.id === first.headers['parley-delivery']);
    return retried?.state === 'sent' ? response : undefined;
  });
  const retried = log.json.items.find((d) => d.id === first.headers['parley-delivery']);
  assert.equal(retried.attempts, 2);
  assert.equal(retried.last_status, 200);
  assert.ok(log.json.items.every((d) => d.state === 'sent'));

  // A person sends one again: a new attempt series with the same id.
  const before = received.length;
  const redelivered = await api(`/api/v1/webhook-deliveries/${retried.id}/redeliver`, { method: 'POST', body: {} });
  assert.equal(redelivered.status, 202);
  await eventually('the redelivery', () => received.length > before);
  assert.equal(received.at(-1).headers['parley-delivery'], retried.id);
});

test('a receiver that never accepts ends failed; disabled and deleted webhooks get nothing', async () => {
  const url = `http://127.0.0.1:${receiver.address().port}/hooks/failing`;
  const created = await api(`/api/v1/workspaces/${workspace}/webhooks`, { method: 'POST', body: { url, events: ['message.created'] } });
  const id = created.json.id;
  answers['/hooks/failing'] = [503, 503, 503];
  await postGeneric(parley.url, review('w2', 'al', 'where is my refund'));
  const failed = await eventually('the delivery to fail', async () => {
    const items = (await api(`/api/v1/webhooks/${id}/deliveries`)).json.items;
    return items.length === 1 && items[0].state === 'failed' ? items[0] : undefined;
  });
  assert.equal(failed.attempts, 3);
  assert.equal(failed.last_status, 503);
  assert.match(failed.last_error, /503/);

  const disabled = await api(`/api/v1/webhooks/${id}`, { method: 'PATCH', body: { enabled: false } });
  assert.equal(disabled.json.enabled, false);
  await postGeneric(parley.url, review('w3', 'al', 'still no refund'));
  await waitUntilProcessed(parley.url);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await api(`/api/v1/webhooks/${id}/deliveries`)).json.items.length, 1);

  assert.equal((await api(`/api/v1/webhooks/${id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await api(`/api/v1/webhooks/${id}`)).status, 404);
  assert.equal((await api(`/api/v1/webhook-deliveries/${failed.id}/redeliver`, { method: 'POST', body: {} })).status, 404);
});

test('bad subscriptions are refused, and only admins manage them', async () => {
  for (const [body, pattern] of [
    [{ url: 'ftp://example.com/x' }, /url/],
    [{ url: 'not a url' }, /url/],
    [{ events: ['message.created'] }, /url is required/],
    [{ url: 'http://127.0.0.1/x', events: ['Message Created'] }, /events/],
    [{ url: 'http://127.0.0.1/x', secret: 'mine' }, /unknown field 'secret'/],
  ]) {
    const refused = await api(`/api/v1/workspaces/${workspace}/webhooks`, { method: 'POST', body });
    assert.equal(refused.status, 400, JSON.stringify(body));
    assert.match(refused.json.error.message, pattern);
  }
  createUser({ config, dataDir: dir, email: 'lead@example.com', role: 'supervisor', password: 'lead password 123' });
  const supervisor = await login(parley.url, { email: 'lead@example.com', password: 'lead password 123' });
  const refused = await api(`/api/v1/workspaces/${workspace}/webhooks`, { session: supervisor });
  assert.equal(refused.status, 403);
});
