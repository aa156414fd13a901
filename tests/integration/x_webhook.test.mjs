// X webhooks: the CRC challenge, signature checks on every delivery, and a DM thread with the
// brand's own answer recognised as such.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';

import { removeDir, startParley, stats, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';

const brand = '4337869213';
const consumerSecret = 'x-consumer-secret';
let dir;
let parley;

before(async () => {
  dir = tempDir();
  const config = writeConfig(dir, `
[[channel_accounts]]
workspace = "acme"
kind = "x"
name = "@AcmeHelp"
platform_account_id = "${brand}"
credentials = { consumer_secret = "${consumerSecret}" }
`);
  parley = await startParley({ dataDir: dir, config });
});

after(async () => {
  if (parley) await parley.stop();
  removeDir(dir);
});

const xSignature = (body, key = consumerSecret) =>
  'sha256=' + createHmac('sha256', key).update(body).digest('base64');

function directMessage(id, sender, recipient, text) {
  return JSON.stringify({
    for_user_id: brand,
    direct_message_events: [{
      type: 'message_create', id, created_timestamp: String(Date.now()),
      message_create: { target: { recipient_id: recipient }, sender_id: sender,
        message_data: { text } },
    }],
    users: {
      [sender]: { id: sender, screen_name: sender === brand ? 'AcmeHelp' : 'jane', followers_count: 12 },
    },
  });
}

async function deliver(body, signature = xSignature(body)) {
  const headers = { 'content-type': 'application/json' };
  if (signature) headers['x-twitter-webhooks-signature'] = signature;
  const response = await fetch(`${parley.url}/webhooks/x`, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json() };
}

test('the CRC challenge is answered with the HMAC of the consumer secret', async () => {
  const response = await fetch(`${parley.url}/webhooks/x?crc_token=challenge_string`);
  assert.equal(response.status, 200);
  const expected = 'sha256=' +
    createHmac('sha256', consumerSecret).update('challenge_string').digest('base64');
  assert.deepEqual(await response.json(), { response_token: expected });
  const missing = await fetch(`${parley.url}/webhooks/x`);
  assert.equal(missing.status, 400);
});

test('deliveries without a valid signature, or for an unknown user, are refused', async () => {
  const body = directMessage('1', '7', brand, 'hello');
  assert.equal((await deliver(body, null)).status, 401);
  assert.equal((await deliver(body, xSignature(body, 'wrong'))).status, 401);
  assert.equal((await deliver(body, xSignature(body + ' '))).status, 401);
  const stranger = body.replace(`"for_user_id":"${brand}"`, '"for_user_id":"999"');
  assert.equal((await deliver(stranger)).status, 403);
  const health = await (await fetch(`${parley.url}/healthz`)).json();
  assert.equal(health.inbox.pending + health.inbox.processed + health.inbox.dead_letters, 0);
});

test("a customer's DM and the brand's answer make one conversation", async () => {
  const first = await deliver(directMessage('9001', '7', brand, 'my booking ref is ABC123'));
  assert.equal(first.status, 200);
  assert.match(first.json.payload_id, /^\d+$/);
  const answer = await deliver(directMessage('9002', brand, '7', 'thanks, rebooked you ^JD'));
  assert.equal(answer.status, 200);
  await waitUntilProcessed(parley.url);
  const { stored } = stats(dir);
  assert.equal(stored.message, 2);
  assert.equal(stored.customer, 1);       // the brand is not a customer of itself
  assert.equal(stored.conversation, 1);
});

test('a signed but unreadable delivery gets the reason and is kept as a dead letter', async () => {
  const body = JSON.stringify({ for_user_id: brand, mystery_events: [] });
  const { status, json } = await deliver(body);
  assert.equal(status, 400);
  assert.equal(json.error.message,
    'body: an Account Activity delivery with no event type Parley knows');
  const health = await waitUntilProcessed(parley.url);
  assert.equal(health.inbox.dead_letters, 1);
});
