// Web chat in a real browser: a shop's page (served from another origin) carries the widget with
// one script tag; Debian's Chromium, driven by Playwright, is the visitor. The visitor starts a
// chat, the agent it is routed to sees them typing, the visitor sees the agent typing and the
// answer live, the history comes back after a reload, and a signed-in user is identified by the
// site's HMAC while a forged one is refused with the reason.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { browserUnavailable, launchBrowser, screenshot } from './browser.mjs';
import { callApi, connectEvents, createUser, login, removeDir, startParley, tempDir, waitUntilProcessed, writeRoutedConfig } from './harness.mjs';

const unavailable = browserUnavailable();
const identitySecret = 'site identity secret';

let dir;
let parley;
let site;
let siteUrl;
let browser;
let root;
let ann;
let annEvents;
let workspace;

function page(body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme shop</title>
<style>body{font-family:Georgia,serif;margin:40px;background:#fbf7f0}h1{color:#6b3b0f}</style></head>
<body><h1>Acme kettles</h1><p>Orders, returns and everything else.</p>${body}</body></html>`;
}

before(async () => {
  if (unavailable) return;
  dir = tempDir();
  const config = writeRoutedConfig(dir, { teams: { chat: { members: ['Ann'] } }, agents: { Ann: { email: 'ann@example.com', cap: 5 } } }, `
[[channel_accounts]]
workspace = "acme"
kind = "webchat"
name = "Acme Help"
platform_account_id = "acme-site"
credentials = { identity_secret = "${identitySecret}" }
`);
  parley = await startParley({ dataDir: dir, config });
  createUser({ config, dataDir: dir, email: 'ann@example.com', role: 'agent', password: 'ann password 123' });
  createUser({ config, dataDir: dir, email: 'root@example.com', role: 'admin', password: 'root password 123' });
  ann = await login(parley.url, { email: 'ann@example.com', password: 'ann password 123' });
  root = await login(parley.url, { email: 'root@example.com', password: 'root password 123' });
  workspace = (await callApi(parley.url, root, '/api/v1/workspaces')).json.items[0].id;

  // The shop: another origin, with the one script tag.
  const tag = (extra = '') => `<script src="${parley.url}/chat/widget.js" data-account="acme-site"${extra} async></script>`;
  const hash = createHmac('sha256', identitySecret).update('u-123').digest('hex');
  site = http.createServer((request, response) => {
    const pages = {
      '/': page(tag()),
      '/account': page(tag(` data-user-id="u-123" data-user-hash="${hash}" data-user-name="Jane Doe"`)),
      '/forged': page(tag(' data-user-id="u-999" data-user-hash="00ff"')),
    };
    const body = pages[new URL(request.url, 'http://x').pathname];
    response.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(body ?? 'not found');
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${site.address().port}`;
  browser = await launchBrowser();
});

after(async () => {
  annEvents?.ws.close();
  if (browser) await browser.close();
  if (site) await new Promise((resolve) => site.close(resolve));
  if (parley) await parley.stop();
  if (dir) removeDir(dir);
});

let visitorPage;
let conversationId;

test('a visitor starts a chat; they see the agent typing and the answer live', { skip: unavailable ?? false }, async () => {
  annEvents = connectEvents(parley.url, '', { cookie: ann.cookie });
  assert.equal(await annEvents.opened, true);
  await annEvents.until((m) => m.event === 'agent.presence' && m.data.presence === 'online');

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  visitorPage = await context.newPage();
  await visitorPage.goto(`${siteUrl}/`);
  await visitorPage.getByRole('button', { name: 'Chat with us' }).click();
  const dialog = visitorPage.getByRole('dialog', { name: 'Acme Help' });
  await dialog.getByText('Online').waitFor();
  await dialog.getByLabel('Your message').fill('Hi! Where is my order 42?');
  await dialog.getByLabel('Your message').press('Enter');
  await dialog.locator('.message.inbound', { hasText: 'Where is my order 42?' }).locator('.meta', { hasText: 'sent' }).waitFor();

  const assigned = await annEvents.until((m) => m.event === 'conversation.assigned');
  conversationId = assigned.data.conversation_id;
  const detail = (await callApi(parley.url, ann, `/api/v1/conversations/${conversationId}`)).json;
  assert.deepEqual(detail.messages.map((m) => [m.channel, m.text]), [['webchat', 'Hi! Where is my order 42?']]);
  assert.match(detail.customer.identities[0].platform_user_id, /^visitor:[0-9a-f]{32}$/);

  // The visitor types (the widget says so at most every 2 s): the agent sees it.
  await dialog.getByLabel('Your message').pressSequentially('It was a present', { delay: 200 });
  const typing = await annEvents.until((m) => m.event === 'conversation.typing' && m.data.customer_id);
  assert.equal(typing.data.conversation_id, conversationId);

  // The agent types, then answers: the visitor sees both.
  annEvents.ws.send(JSON.stringify({ type: 'typing', conversation_id: conversationId }));
  await dialog.getByText('Acme Help is typing…').waitFor();
  const reply = await callApi(parley.url, ann, `/api/v1/conversations/${conversationId}/replies`, {
    method: 'POST', body: { text: 'Hello! Order 42 left our warehouse this morning.' },
  });
  assert.equal(reply.status, 202, JSON.stringify(reply.json));
  await dialog.locator('.message.outbound', { hasText: 'Order 42 left our warehouse' }).waitFor();
  await dialog.getByLabel('Your message').fill('Thank you!');
  await screenshot(visitorPage, 'webchat-live');
  await dialog.getByLabel('Your message').press('Enter');
  await dialog.locator('.message.inbound', { hasText: 'Thank you!' }).locator('.meta', { hasText: 'sent' }).waitFor();

  await waitUntilProcessed(parley.url);
  const after = (await callApi(parley.url, ann, `/api/v1/conversations/${conversationId}`)).json;
  assert.deepEqual(after.messages.map((m) => [m.direction, m.text, m.direction === 'outbound' ? m.delivery : '']), [
    ['inbound', 'Hi! Where is my order 42?', ''],
    ['outbound', 'Hello! Order 42 left our warehouse this morning.', 'sent'],
    ['inbound', 'Thank you!', ''],
  ]);
});

test('after a reload the visitor gets the history back', { skip: unavailable ?? false }, async () => {
  await visitorPage.reload();
  const dialog = visitorPage.getByRole('dialog', { name: 'Acme Help' });
  await dialog.locator('.message.inbound', { hasText: 'Thank you!' }).waitFor();
  const texts = await dialog.locator('.message').evaluateAll((elements) => elements.map((e) => e.firstChild.textContent));
  assert.deepEqual(texts, ['Hi! Where is my order 42?', 'Hello! Order 42 left our warehouse this morning.', 'Thank you!']);
  await screenshot(visitorPage, 'webchat-history');
  // Still one conversation with the visitor.
  const list = (await callApi(parley.url, root, `/api/v1/conversations?workspace=${workspace}`)).json.items;
  assert.equal(list.length, 1);
});

test('a signed-in user is identified by the site\'s HMAC; a forged identity is refused', { skip: unavailable ?? false }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const signedIn = await context.newPage();
  await signedIn.goto(`${siteUrl}/account`);
  await signedIn.getByRole('button', { name: 'Chat with us' }).click();
  const dialog = signedIn.getByRole('dialog', { name: 'Acme Help' });
  await dialog.getByLabel('Your message').fill('I cannot log in to my account');
  await dialog.getByLabel('Your message').press('Enter');
  await dialog.locator('.message.inbound .meta', { hasText: 'sent' }).waitFor();
  await waitUntilProcessed(parley.url);
  const list = (await callApi(parley.url, root, `/api/v1/conversations?workspace=${workspace}&sort=recent`)).json.items;
  assert.equal(list.length, 2);
  const detail = (await callApi(parley.url, root, `/api/v1/conversations/${list[0].id}`)).json;
  assert.equal(detail.customer.identities[0].platform_user_id, 'user:u-123');
  assert.equal(detail.customer.identities[0].verified, true);
  assert.equal(detail.customer.display_name, 'Jane Doe');

  const forged = await context.newPage();
  await forged.goto(`${siteUrl}/forged`);
  await forged.getByRole('button', { name: 'Chat with us' }).click();
  await forged.getByRole('alert').getByText(/user_hash is not the HMAC-SHA256 of user_id/).waitFor();
  await forged.getByText('Unavailable').waitFor();
  await screenshot(forged, 'webchat-forged');
  await context.close();
});

test('the chat endpoint refuses what is not a chat, with the reason', { skip: unavailable ?? false }, async () => {
  const ws = (query) => new Promise((resolve) => {
    const socket = new WebSocket(`${parley.url.replace('http', 'ws')}/chat/ws?${query}`);
    const received = [];
    socket.addEventListener('message', (event) => received.push(JSON.parse(event.data)));
    const done = () => { socket.close(); resolve(received); };
    socket.addEventListener('open', () => {
      socket.send('not json');
      socket.send(JSON.stringify({ type: 'message', client_id: 'c1', text: '   ' }));
      socket.send(JSON.stringify({ type: 'message', client_id: 7, text: ['not', 'a', 'string'] }));
      setTimeout(done, 5000);
    });
    socket.addEventListener('message', () => { if (received.length >= 4) done(); });
    socket.addEventListener('close', () => resolve(received));
    socket.addEventListener('error', () => resolve('refused'));
  });
  assert.equal(await ws('account=nope&visitor=0123456789abcdef'), 'refused');
  const short = await ws('account=acme-site&visitor=short');
  assert.match(short[0].message, /visitor: the widget's token/);
  const errors = await ws('account=acme-site&visitor=0123456789abcdef0123');
  assert.equal(errors[0].type, 'welcome');
  assert.match(errors[1].message, /send message, typing or ping/);
  assert.equal(errors[2].message, 'text: the message is empty');
  assert.match(errors[3].message, /client_id/);  // fields of the wrong type: refused, not dropped

  // A script flooding the chat is slowed down: what is over the limit is refused, not stored.
  const flood = await new Promise((resolve) => {
    const socket = new WebSocket(`${parley.url.replace('http', 'ws')}/chat/ws?account=acme-site&visitor=flood0123456789abcdef`);
    const received = [];
    socket.addEventListener('message', (event) => {
      received.push(JSON.parse(event.data));
      if (received.filter((m) => m.type === 'ack' || m.type === 'error').length >= 22) { socket.close(); resolve(received); }
    });
    socket.addEventListener('open', () => {
      for (let i = 0; i < 22; i += 1) socket.send(JSON.stringify({ type: 'message', client_id: `f${i}`, text: `message ${i}` }));
    });
  });
  assert.equal(flood.filter((m) => m.type === 'ack').length, 20);
  assert.deepEqual(flood.filter((m) => m.type === 'error').map((m) => m.message),
    Array(2).fill('too many messages: at most 20 a minute; wait a moment and send it again'));
});
