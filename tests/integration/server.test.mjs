// The server's front: health, metrics, errors, static files, limits and graceful shutdown.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';

import { removeDir, startParley, tempDir } from './harness.mjs';

let dir;
let parley;

before(async () => {
  dir = tempDir();
  parley = await startParley({ dataDir: dir, env: { PARLEY_SERVER_MAX_BODY_BYTES: '2048' } });
});

after(async () => {
  if (parley) await parley.stop();
  removeDir(dir);
});

test('healthz reports status, version and the inbox', async () => {
  const response = await fetch(`${parley.url}/healthz`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /application\/json/);
  const body = await response.json();
  assert.equal(body.status, 'ok');
  assert.match(body.version, /^\d+\.\d+\.\d+$/);
  assert.deepEqual(body.inbox, { pending: 0, processed: 0, dead_letters: 0 });
});

test('metrics are in the Prometheus text format with request counts and latencies', async () => {
  await fetch(`${parley.url}/healthz`);
  const response = await fetch(`${parley.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  assert.match(text, /# TYPE parley_http_requests_total counter/);
  assert.match(text, /parley_http_requests_total\{route="\/healthz",method="GET",status="200"\} \d+/);
  assert.match(text, /parley_http_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} \d+/);
  assert.match(text, /parley_http_request_duration_seconds_count\{route="\/healthz"\} \d+/);
  assert.match(text, /parley_inbox_payloads\{state="pending"\} 0/);
});

test('errors have one JSON shape', async () => {
  const missing = await fetch(`${parley.url}/webhooks/nothing`, { method: 'POST' });
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), {
    error: { code: 'not_found', message: 'no such endpoint: /webhooks/nothing' },
  });
  const wrong = await fetch(`${parley.url}/healthz`, { method: 'DELETE' });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'GET');
  assert.equal((await wrong.json()).error.code, 'method_not_allowed');
});

test('oversized bodies are refused with 413', async () => {
  const response = await fetch(`${parley.url}/webhooks/generic?account=x`, {
    method: 'POST',
    body: 'x'.repeat(10_000),
  });
  assert.equal(response.status, 413);
  assert.equal((await response.json()).error.code, 'payload_too_large');
});

test('the web app is served, with client-side routes falling back to it', async () => {
  const index = await fetch(`${parley.url}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /text\/html/);
  assert.match(await index.text(), /<title>Parley<\/title>/);
  const route = await fetch(`${parley.url}/inbox/123`);
  assert.equal(route.status, 200);
  const asset = await fetch(`${parley.url}/assets/missing.js`);
  assert.equal(asset.status, 404);
});

// fetch() normalises "..", so path traversal is tried on a raw socket.
function rawGet(port, target) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.on('data', (chunk) => { data += chunk; });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

test('no path leads out of the web root', async () => {
  for (const target of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/a/../../etc/passwd']) {
    const response = await rawGet(parley.port, target);
    assert.match(response, /^HTTP\/1\.1 400/, target);
    assert.doesNotMatch(response, /root:/, target);
  }
});

test('SIGTERM shuts down cleanly', async () => {
  const otherDir = tempDir();
  const other = await startParley({ dataDir: otherDir });
  const { code } = await other.stop('SIGTERM');
  removeDir(otherDir);
  assert.equal(code, 0);
  assert.match(other.stderr(), /server\.stopped/);
});
