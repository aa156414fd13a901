// Outbound through a running server: a reply enqueued with `parley outbox send` goes to a local
// fake of the X API with the published shape, a rate limit is waited out, and a reply whose
// request was in flight when the server was killed is never sent a second time.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';

import { FakeX } from './fake_x.mjs';
import { removeDir, runParley, startParley, tempDir, waitUntilProcessed, writeConfig, xAccountConfig } from './harness.mjs';

const brand = '4337869213';
const consumerSecret = 'x-consumer-secret';
const accessToken = 'x-user-token';

let dir;
let config;
let fake;

before(async () => {
  fake = new FakeX(accessToken);
  await fake.start();
  dir = tempDir();
  config = writeConfig(dir, xAccountConfig({ brand, consumerSecret, accessToken, base: fake.base }));
});

after(async () => {
  await fake.stop();
  removeDir(dir);
});

const xSignature = (body) =>
  'sha256=' + createHmac('sha256', consumerSecret).update(body).digest('base64');

async function mention(url, id, text) {
  const body = JSON.stringify({
    for_user_id: brand,
    tweet_create_events: [{
      id_str: id, text, created_at: 'Mon Nov 23 08:00:00 +0000 2026',
      user: { id_str: '777', screen_name: 'jane', followers_count: 40 },
    }],
  });
  const response = await fetch(`${url}/webhooks/x`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': xSignature(body) },
    body,
  });
  assert.equal(response.status, 200);
}

function send(to, text) {
  const result = runParley(['outbox', 'send', '--config', config, '--data', dir,
    '--account', '@AcmeHelp', '--kind', 'reply', '--to', to, '--text', text]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

function item(id) {
  const result = runParley(['outbox', 'list', '--config', config, '--data', dir]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .find((i) => i.id === id);
}

async function until(predicate, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a reply goes out once, in the published shape, after waiting out a rate limit', async () => {
  const parley = await startParley({ dataDir: dir, config });
  try {
    await mention(parley.url, '1850000000000000001', '@AcmeHelp my order is late');
    await waitUntilProcessed(parley.url);
    fake.script.push('rate-limit');
    const queued = send('1850000000000000001', 'Sorry Jane, looking into it now');
    assert.equal(queued.state, 'queued');
    const sent = await until(() => item(queued.id)?.state === 'sent' && item(queued.id), 'sent');
    assert.equal(sent.attempts, 2);
    assert.match(sent.platform_id, /^\d+$/);
    const requests = fake.requests.filter((r) => r.body.text === 'Sorry Jane, looking into it now');
    assert.equal(requests.length, 2);  // the 429, then the one that went through
    assert.deepEqual(requests[1].body,
      { text: 'Sorry Jane, looking into it now', reply: { in_reply_to_tweet_id: '1850000000000000001' } });
  } finally {
    await parley.stop();
  }
});

test('a reply in flight when the server is killed is not sent again; its echo settles it', async () => {
  let parley = await startParley({ dataDir: dir, config });
  const texts = ['We have refunded your order', 'Second note', 'Third note'];
  try {
    fake.script.push('hold');
    const items = texts.map((t) => send('1850000000000000001', t));
    await until(() => fake.requests.some((r) => r.body.text === texts[0]), 'the request to arrive');
    const killed = await parley.stop('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    // Items are claimed one at a time: only the first was in flight.
    assert.equal(fake.requests.filter((r) => texts.slice(1).includes(r.body.text)).length, 0);

    parley = await startParley({ dataDir: dir, config });
    const settled = await until(() => item(items[0].id)?.state === 'unconfirmed' && item(items[0].id),
      'the item in flight to be unconfirmed');
    assert.equal(settled.error_code, 'unconfirmed');
    // The ones that had not left go out now; the one in doubt does not go again.
    await until(() => items.slice(1).every((i) => item(i.id)?.state === 'sent'), 'the rest to be sent');
    await new Promise((r) => setTimeout(r, 500));  // several poll intervals
    assert.equal(fake.requests.filter((r) => r.body.text === texts[0]).length, 1);

    // X delivers the brand's own tweet: it is the reply in doubt, which is now settled.
    const echo = JSON.stringify({
      for_user_id: brand,
      tweet_create_events: [{
        id_str: '1860000000000009999', text: texts[0], created_at: 'Mon Nov 23 08:01:00 +0000 2026',
        in_reply_to_status_id_str: '1850000000000000001',
        user: { id_str: brand, screen_name: 'AcmeHelp', followers_count: 5000 },
      }],
    });
    const response = await fetch(`${parley.url}/webhooks/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': xSignature(echo) },
      body: echo,
    });
    assert.equal(response.status, 200);
    const confirmed = await until(() => item(items[0].id)?.state === 'sent' && item(items[0].id),
      'the echo to settle the item');
    assert.equal(confirmed.platform_id, '1860000000000009999');
    const requeue = runParley(['outbox', 'requeue', String(items[0].id), '--config', config, '--data', dir]);
    assert.equal(requeue.code, 1);
    assert.match(requeue.stderr, /only an unconfirmed or failed item can be sent again/);
    assert.equal(fake.requests.filter((r) => r.body.text === texts[0]).length, 1);

    // One server per data directory.
    await assert.rejects(startParley({ dataDir: dir, config }), /in use by another Parley process/);
  } finally {
    await parley.stop();
  }
});

test('bad input to `parley outbox send` is refused with the reason', () => {
  const unknown = runParley(['outbox', 'send', '--config', config, '--data', dir,
    '--account', 'nobody', '--to', '1', '--text', 'x']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no channel account 'nobody' \(known: .*@AcmeHelp/);
  const noText = runParley(['outbox', 'send', '--config', config, '--data', dir,
    '--account', '@AcmeHelp', '--to', '1']);
  assert.equal(noText.code, 2);
  assert.match(noText.stderr, /--text is required/);
});
