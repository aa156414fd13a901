// Webhook deliveries: signed, durable before the answer, de-duplicated, bad input dead-lettered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  metric, postGeneric, removeDir, review, sign, startParley, stats, tempDir, waitUntilProcessed,
  writeConfig,
} from './harness.mjs';

let dir;
let parley;

before(async () => {
  dir = tempDir();
  parley = await startParley({ dataDir: dir, config: writeConfig(dir) });
});

after(async () => {
  if (parley) await parley.stop();
  removeDir(dir);
});

test('a signed delivery is accepted, stored and processed into a conversation', async () => {
  const { status, json } = await postGeneric(parley.url, review('r-1', 'jane'));
  assert.equal(status, 202);
  assert.match(json.payload_id, /^\d+$/);
  const health = await waitUntilProcessed(parley.url);
  assert.equal(health.inbox.processed, 1);
});

test('unsigned, wrongly signed and unknown-account deliveries are refused unprocessed', async () => {
  const body = review('r-2');
  const unsigned = await fetch(`${parley.url}/webhooks/generic?account=reviews`, {
    method: 'POST', body,
  });
  assert.equal(unsigned.status, 401);
  assert.match((await unsigned.json()).error.message, /missing X-Parley-Signature/);
  const forged = await postGeneric(parley.url, body, { signature: sign(body, 'guess') });
  assert.equal(forged.status, 401);
  const unknown = await postGeneric(parley.url, body, { account: 'nobody' });
  assert.equal(unknown.status, 403);
  const noAccount = await fetch(`${parley.url}/webhooks/generic`, { method: 'POST', body });
  assert.equal(noAccount.status, 400);
  const health = await (await fetch(`${parley.url}/healthz`)).json();
  assert.equal(health.inbox.processed + health.inbox.pending + health.inbox.dead_letters, 1);
});

test('a malformed payload gets the reason and is kept as a dead letter', async () => {
  const { status, json } = await postGeneric(parley.url, JSON.stringify({ id: 'r-3', text: 'hi' }));
  assert.equal(status, 400);
  assert.equal(json.error.message, 'message.author: is required (an object with at least an id)');
  const health = await waitUntilProcessed(parley.url);
  assert.equal(health.inbox.dead_letters, 1);
  const broken = await postGeneric(parley.url, '{"id": ');
  assert.equal(broken.status, 400);
  assert.match(broken.json.error.message, /not valid JSON/);
});

test('a platform retry is recognised and stored once', async () => {
  const body = review('r-4', 'sam');
  assert.equal((await postGeneric(parley.url, body)).status, 202);
  assert.equal((await postGeneric(parley.url, body)).status, 202);
  await waitUntilProcessed(parley.url);
  assert.equal(await metric(parley.url, 'parley_ingest_duplicates_total'), 1);
  const { stored } = stats(dir);
  assert.equal(stored.message, 2);  // r-1 and r-4
  assert.equal(stored.customer, 2);
});
