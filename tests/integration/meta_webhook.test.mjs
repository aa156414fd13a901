// Meta webhooks: the hub.challenge handshake, X-Hub-Signature-256 on every delivery, batched
// entries for several pages, and WhatsApp — including the real signed delivery from the test data.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { removeDir, startParley, stats, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';

const appSecret = 'meta-app-secret';
const vectorDir = join('..', 'shared', 'data', 'meta-webhooks', 'signature-vectors');
const vector = existsSync(join(vectorDir, 'whatsapp_x_hub_signature_256_vector.json'))
  ? JSON.parse(readFileSync(join(vectorDir, 'whatsapp_x_hub_signature_256_vector.json'), 'utf8'))
  : null;
let dir;
let parley;

before(async () => {
  dir = tempDir();
  const account = (kind, id, secret = appSecret) => `
[[channel_accounts]]
workspace = "acme"
kind = "${kind}"
platform_account_id = "${id}"
credentials = { app_secret = "${secret}", verify_token = "verify-me" }
`;
  let extra = account('facebook', 'PAGE1') + account('facebook', 'PAGE2') +
    account('whatsapp', 'PN1');
  // The real delivery's number, with the secret it was signed with.
  if (vector) extra += account('whatsapp', '277321005464405', vector.app_secret);
  parley = await startParley({ dataDir: dir, config: writeConfig(dir, extra) });
});

after(async () => {
  if (parley) await parley.stop();
  removeDir(dir);
});

const sign = (body, key = appSecret) =>
  'sha256=' + createHmac('sha256', key).update(body).digest('hex');

async function deliver(body, signature = sign(body)) {
  const headers = { 'content-type': 'application/json' };
  if (signature) headers['x-hub-signature-256'] = signature;
  const response = await fetch(`${parley.url}/webhooks/meta`, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json() };
}

function comment(page, id, text) {
  return {
    id: page, time: 1, changes: [{ field: 'feed', value: {
      item: 'comment', verb: 'add', comment_id: id, post_id: `${page}_1`, parent_id: `${page}_1`,
      from: { id: 'U1', name: 'Jane' }, created_time: 1700000000, message: text } }],
  };
}

test('the subscription handshake echoes the challenge for a known verify token', async () => {
  const ok = await fetch(`${parley.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444`);
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), '1158201444');
  const wrong = await fetch(`${parley.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
  assert.equal(wrong.status, 403);
  const incomplete = await fetch(`${parley.url}/webhooks/meta?hub.challenge=1`);
  assert.equal(incomplete.status, 400);
});

test('deliveries must carry a valid signature and reach a known account', async () => {
  const body = JSON.stringify({ object: 'page', entry: [comment('PAGE1', 'c0', 'hello')] });
  assert.equal((await deliver(body, null)).status, 401);
  assert.equal((await deliver(body, sign(body, 'wrong'))).status, 401);
  const stranger = JSON.stringify({ object: 'page', entry: [comment('PAGE9', 'c9', 'hi')] });
  assert.equal((await deliver(stranger)).status, 403);
});

test('one delivery for two pages is kept for each page and read once by each', async () => {
  const body = JSON.stringify({
    object: 'page', entry: [comment('PAGE1', 'c1', 'late refund'), comment('PAGE2', 'c2', 'rude staff')],
  });
  const { status, json } = await deliver(body);
  assert.equal(status, 200);
  assert.equal(json.payload_ids.length, 2);
  await waitUntilProcessed(parley.url);
  assert.equal(stats(dir).stored.message, 2);
});

test('a WhatsApp message is accepted and threaded', async () => {
  const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{
    field: 'messages', value: { messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550000000', phone_number_id: 'PN1' },
      contacts: [{ profile: { name: 'Jane' }, wa_id: '447700900123' }],
      messages: [{ from: '447700900123', id: 'wamid.1', timestamp: '1700000000', type: 'text',
        text: { body: 'my card was declined' } }] } }] }] });
  assert.equal((await deliver(body)).status, 200);
  await waitUntilProcessed(parley.url);
  assert.equal(stats(dir).stored.message, 3);
});

test('the real signed WhatsApp delivery from the test data verifies and is processed', async (t) => {
  if (!vector) {
    t.skip('../shared/data/meta-webhooks is absent');
    return;
  }
  const body = readFileSync(join(vectorDir, vector.raw_body_file));
  const response = await fetch(`${parley.url}/webhooks/meta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': vector.x_hub_signature_256 },
    body,
  });
  assert.equal(response.status, 200);
  await waitUntilProcessed(parley.url);
  assert.equal(stats(dir).stored.message, 4);
});
