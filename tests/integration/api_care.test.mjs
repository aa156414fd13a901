// The care resources over the API on a running server: a mention arrives on X, an agent finds the
// conversation, reads the thread, replies through the outbox, and sees the reply delivered.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';

import { FakeX } from './fake_x.mjs';
import { createUser as create, login as logIn, removeDir, startParley, tempDir, waitUntilProcessed, writeConfig, xAccountConfig } from './harness.mjs';

const brand = '4337869213';
const consumerSecret = 'x-consumer-secret';
let dir;
let config;
let parley;
let fake;

function createUser(email, role, password) {
  create({ config, dataDir: dir, email, role, password });
}

const login = (email, password) => logIn(parley.url, { email, password });

async function api(session, path, { method = 'GET', body } = {}) {
  const headers = { cookie: session.cookie };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['x-csrf-token'] = session.csrf;
  }
  const response = await fetch(`${parley.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

before(async () => {
  fake = new FakeX('user-token');
  await fake.start();
  dir = tempDir();
  config = writeConfig(dir, xAccountConfig({ brand, consumerSecret, accessToken: 'user-token', base: fake.base }));
  parley = await startParley({ dataDir: dir, config });
  createUser('agent@example.com', 'agent', 'agent password 123');
  createUser('analyst@example.com', 'analyst', 'analyst password 123');
  const body = JSON.stringify({
    for_user_id: brand,
    tweet_create_events: [{
      id_str: '1850000000000000001', text: '@AcmeHelp where is my refund?',
      created_at: 'Mon Nov 23 08:00:00 +0000 2026',
      user: { id_str: '777', screen_name: 'jane', followers_count: 40 },
    }],
  });
  const signature = 'sha256=' + createHmac('sha256', consumerSecret).update(body).digest('base64');
  const delivered = await fetch(`${parley.url}/webhooks/x`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature }, body,
  });
  assert.equal(delivered.status, 200);
  await waitUntilProcessed(parley.url);
});

after(async () => {
  if (parley) await parley.stop();
  await fake.stop();
  removeDir(dir);
});

test('an agent finds the conversation, replies, and sees the reply sent', async () => {
  const agent = await login('agent@example.com', 'agent password 123');
  const workspaces = await api(agent, '/api/v1/workspaces');
  assert.equal(workspaces.json.items.length, 1);
  const accounts = await api(agent, '/api/v1/channel-accounts');
  const x = accounts.json.items.find((a) => a.kind === 'x');
  assert.equal(x.webhook_path, '/webhooks/x');
  assert.deepEqual(x.credentials_set.sort(), ['access_token', 'consumer_secret']);
  assert.equal(JSON.stringify(accounts.json).includes('user-token'), false);

  const list = await api(agent, '/api/v1/conversations?status=queued&sort=priority&limit=10');
  assert.equal(list.status, 200);
  assert.equal(list.json.items.length, 1);
  const id = list.json.items[0].id;
  // Triaged on the way in: a question about the customer's own refund, with its reasons.
  const triaged = list.json.items[0];
  assert.equal(triaged.tier, 'tier1');
  assert.ok(triaged.priority >= 40, `priority ${triaged.priority}`);
  assert.ok(triaged.tags.includes('refund'), JSON.stringify(triaged.tags));
  assert.ok(triaged.priority_reasons.includes('question'), JSON.stringify(triaged.priority_reasons));
  const detail = await api(agent, `/api/v1/conversations/${id}`);
  assert.equal(detail.json.messages.length, 1);
  assert.equal(detail.json.messages[0].text, '@AcmeHelp where is my refund?');

  const reply = await api(agent, `/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text: 'Hi Jane, checking now ^AG' } });
  assert.equal(reply.status, 202);
  assert.equal(reply.json.kind, 'reply');
  for (let i = 0; i < 100; i += 1) {
    const thread = (await api(agent, `/api/v1/conversations/${id}`)).json.messages;
    if (thread.length === 2 && thread[1].delivery === 'sent') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const thread = (await api(agent, `/api/v1/conversations/${id}`)).json;
  assert.equal(thread.messages.length, 2);
  assert.equal(thread.messages[1].direction, 'outbound');
  assert.equal(thread.messages[1].delivery, 'sent');
  assert.equal(thread.messages[1].platform_message_id, fake.ids[0]);
  const me = (await api(agent, '/api/v1/me')).json.user;
  assert.equal(thread.messages[1].user_id, me.id);  // who wrote it
  assert.ok(thread.conversation.first_response_at);
  assert.deepEqual(fake.requests[0].body, { text: 'Hi Jane, checking now ^AG', reply: { in_reply_to_tweet_id: '1850000000000000001' } });

  // Moving to private on X is a DM to the author.
  const dm = await api(agent, `/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text: 'DMing you', private: true } });
  assert.equal(dm.json.kind, 'direct_message');
});

test('bad requests and other roles are refused with the reason', async () => {
  const agent = await login('agent@example.com', 'agent password 123');
  assert.equal((await api(agent, '/api/v1/conversations?status=nope')).status, 400);
  assert.equal((await api(agent, '/api/v1/conversations?cursor=garbage')).status, 400);
  assert.equal((await api(agent, '/api/v1/conversations/12345')).status, 404);
  const id = (await api(agent, '/api/v1/conversations')).json.items[0].id;
  const empty = await api(agent, `/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text: '' } });
  assert.equal(empty.status, 400);
  const unknown = await api(agent, `/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text: 'x', sudo: true } });
  assert.equal(unknown.status, 400);
  assert.equal((await api(agent, '/api/v1/users')).status, 403);

  const analyst = await login('analyst@example.com', 'analyst password 123');
  assert.equal((await api(analyst, `/api/v1/conversations/${id}`)).status, 200);
  const refused = await api(analyst, `/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text: 'hello' } });
  assert.equal(refused.status, 403);
  assert.equal(refused.json.error.message, 'the analyst role does not allow reply');
});
