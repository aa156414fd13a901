// Outbound through a running server: a reply enqueued with `parley outbox send` goes to a local
// fake of the X API with the published shape, a rate limit is waited out, and a reply whose
// request was in flight when the server was killed is never sent a second time.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';

import { removeDir, runParley, startParley, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';

const brand = '4337869213';
const consumerSecret = 'x-consumer-secret';
const accessToken = 'x-user-token';

// A fake X API v2: checks each request against the published shape, records it, and answers
// from a script of behaviours ('ok', 'rate-limit', 'hold').
class FakeX {
  constructor() {
    this.requests = [];
    this.script = [];
    this.held = [];
    this.nextId = 1860000000000000001n;
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => this.handle(req, res, body));
    });
  }
  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${this.server.address().port}`;
  }
  async stop() {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
  handle(req, res, raw) {
    const problem = (status, detail) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ title: 'Invalid Request', detail, type: 'about:blank', status }));
    };
    let body;
    try { body = JSON.parse(raw); } catch { return problem(400, 'body is not JSON'); }
    this.requests.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
    if (req.method !== 'POST' || req.url !== '/2/tweets') return problem(404, 'unknown endpoint');
    if (req.headers.authorization !== `Bearer ${accessToken}`) {
      return problem(401, 'Unauthorized');
    }
    if (!req.headers['content-type']?.startsWith('application/json')) {
      return problem(400, 'content-type must be application/json');
    }
    if (typeof body.text !== 'string' || body.text.length === 0 ||
        (body.reply && !/^\d+$/.test(body.reply.in_reply_to_tweet_id))) {
      return problem(400, 'text and reply.in_reply_to_tweet_id do not have the published shape');
    }
    const behaviour = this.script.shift() ?? 'ok';
    if (behaviour === 'hold') { this.held.push(res); return; }
    if (behaviour === 'rate-limit') {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1',
        'x-rate-limit-remaining': '0' });
      return res.end(JSON.stringify({ title: 'Too Many Requests', detail: 'Too Many Requests',
        type: 'about:blank', status: 429 }));
    }
    const id = String(this.nextId++);
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { id, text: body.text, edit_history_tweet_ids: [id] } }));
  }
}

let dir;
let config;
let fake;

before(async () => {
  fake = new FakeX();
  await fake.start();
  dir = tempDir();
  config = writeConfig(dir, `
[outbound]
poll_interval_ms = 100

[[channel_accounts]]
workspace = "acme"
kind = "x"
name = "@AcmeHelp"
platform_account_id = "${brand}"
api_base_url = "${fake.base}"
credentials = { consumer_secret = "${consumerSecret}", access_token = "${accessToken}" }
`);
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
