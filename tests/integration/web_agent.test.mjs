// The web app as an agent uses it, in Debian's Chromium driven by Playwright: log in, see a new
// mention arrive in the inbox live (no reload) with who wrote it, their reach, why it matters and
// its deadline, open it from the keyboard, answer it, and see the answer delivered and the SLA
// clock stop. Screenshots of each screen go to build/screenshots/ (web-*.png).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { browserUnavailable, launchBrowser, newPage, screenshot } from './browser.mjs';
import { FakeX } from './fake_x.mjs';
import { callApi, connectEvents, createUser, login, postXMention, removeDir, startParley, tempDir, writeRoutedConfig, xAccountConfig } from './harness.mjs';

const unavailable = browserUnavailable();
const brand = '4337869213';
const consumerSecret = 'x-consumer-secret';

let dir;
let fake;
let parley;
let browser;
let page;
let bobEvents;

before(async () => {
  if (unavailable) return;
  fake = new FakeX('user-token');
  await fake.start();
  dir = tempDir();
  const config = writeRoutedConfig(dir, {
    teams: { care: { members: ['Ann', 'Bob'] } },
    agents: { Ann: { email: 'ann@example.com', cap: 5 }, Bob: { email: 'bob@example.com', cap: 5 } },
  },
    xAccountConfig({ brand, consumerSecret, accessToken: 'user-token', base: fake.base }));
  parley = await startParley({ dataDir: dir, config });
  createUser({ config, dataDir: dir, email: 'ann@example.com', role: 'agent', password: 'ann password 123' });
  createUser({ config, dataDir: dir, email: 'bob@example.com', role: 'agent', password: 'bob password 123' });
  createUser({ config, dataDir: dir, email: 'sue@example.com', role: 'supervisor', password: 'sue password 123' });
  // A canned response with variables, written by a supervisor.
  const sue = await login(parley.url, { email: 'sue@example.com', password: 'sue password 123' });
  const workspace = (await callApi(parley.url, sue, '/api/v1/workspaces')).json.items[0].id;
  const canned = await callApi(parley.url, sue, `/api/v1/workspaces/${workspace}/canned-responses`, {
    method: 'POST', body: { name: 'Refund on its way', shortcut: '/refund', text: 'Hi {{customer.first_name}}, your refund is on its way. ^{{agent.initials}}' },
  });
  assert.equal(canned.status, 201, JSON.stringify(canned.json));
  browser = await launchBrowser();
  page = await newPage(browser);
});

after(async () => {
  bobEvents?.ws.close();
  if (browser) await browser.close();
  if (parley) await parley.stop();
  if (fake) await fake.stop();
  if (dir) removeDir(dir);
});

test('an agent logs in; a wrong password is refused with the reason', { skip: unavailable ?? false }, async () => {
  await page.goto(parley.url);
  await page.getByLabel('Email').fill('ann@example.com');
  await page.getByLabel('Password').fill('not her password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').waitFor();
  await screenshot(page, 'web-login-refused');
  await page.getByLabel('Password').fill('ann password 123');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Inbox' }).waitFor();
  await page.getByRole('status').getByText('Live').waitFor();
});

test('a new mention arrives in the inbox live; she opens it from the keyboard and answers it', { skip: unavailable ?? false }, async () => {
  const inbox = page.getByRole('navigation', { name: 'Inbox' });
  await inbox.getByText('Nothing waiting').waitFor();
  assert.equal(await postXMention(parley.url, {
    brand, consumerSecret, id: '1850000000000000001', user: '777', followers: 48_000,
    text: '@AcmeHelp my refund for order 42 never arrived and nobody answers!!',
  }), 200);
  const row = inbox.locator('.row').first();
  await row.waitFor();
  const shown = await row.innerText();
  for (const part of [/User 777/, /48k/, /X/, /influencer/, /min left/]) assert.match(shown, part);
  await screenshot(page, 'web-inbox');

  await page.keyboard.press('j');
  const conversation = page.getByRole('region', { name: 'Conversation' });
  await conversation.getByText('my refund for order 42 never arrived').waitFor();
  await conversation.getByText(/SLA: \d+ min left/).waitFor();
  // The customer panel: who this is on every channel, and their history.
  const customer = page.getByRole('complementary', { name: 'Customer' });
  await customer.getByRole('list', { name: 'Identities' }).getByText(/@?user777 · 48k followers/).waitFor();
  await customer.getByRole('list', { name: 'Conversations with this customer' }).getByText(/this conversation/).waitFor();

  // A colleague opens the same conversation and starts typing: she sees it (no collisions).
  const id = await row.getAttribute('data-conversation');
  const bob = await login(parley.url, { email: 'bob@example.com', password: 'bob password 123' });
  bobEvents = connectEvents(parley.url, '', { cookie: bob.cookie });
  assert.equal(await bobEvents.opened, true);
  bobEvents.ws.send(JSON.stringify({ type: 'typing', conversation_id: id }));
  await conversation.getByRole('status').getByText('Bob is typing…').waitFor();
  await screenshot(page, 'web-colleague-typing');
  await page.keyboard.press('r');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'reply');
  await page.keyboard.type('So sorry! We are looking into order 42 now and will DM you shortly.');
  // Her typing reaches the colleague's live events too.
  const annTyping = await bobEvents.until((m) => m.event === 'conversation.typing' && m.data.conversation_id === id);
  assert.ok(annTyping.data.agent_id);
  await page.keyboard.press('Control+Enter');
  await conversation.locator('.message.outbound .delivery', { hasText: 'sent' }).waitFor();
  // The answer stopped the first-response clock.
  await conversation.getByText(/First response in \d+ min/).waitFor();
  await conversation.getByText('clock stopped').waitFor();
  await inbox.locator('.row').getByText('waiting on customer').waitFor();  // the row follows, live
  assert.ok(fake.requests.some((r) => r.body?.text?.includes('looking into order 42')), 'X received the answer');
  await screenshot(page, 'web-conversation');

  await page.keyboard.press('Escape');  // out of the reply box: the shortcuts work again
  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  await screenshot(page, 'web-shortcuts');
  await page.keyboard.press('Escape');
});

test('she tags it from the keyboard, and moves the thread to a DM with a public note that says so', { skip: unavailable ?? false }, async () => {
  const conversation = page.getByRole('region', { name: 'Conversation' });
  await page.keyboard.press('t');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'tag-input');
  await page.keyboard.type('refund-chase');
  await page.keyboard.press('Enter');
  const tags = conversation.getByRole('list', { name: 'Conversation tags' });
  await tags.getByText('refund-chase').waitFor();
  await page.keyboard.press('Escape');

  await page.fill('#reply', 'Could you send us the order email address here? We will check the refund.');
  await conversation.getByLabel('Send as').selectOption('private');
  const note = conversation.getByLabel('Public note');
  await page.waitForFunction(() => document.getElementById('announcement')?.value.includes('direct message'));
  assert.match(await note.inputValue(), /^Hi User, we've sent you a direct message/);
  await screenshot(page, 'web-move-to-dm');
  await conversation.getByRole('button', { name: 'Send reply' }).click();
  await conversation.getByRole('status').getByText(/Queued as direct message.*public note/).waitFor();
  const dm = () => fake.requests.find((r) => r.url === '/2/dm_conversations/with/777/messages');
  for (let i = 0; i < 200 && !dm(); i += 1) await new Promise((r) => setTimeout(r, 25));
  assert.match(dm()?.body.text ?? '', /order email address/);
  await conversation.locator('.message.outbound', { hasText: 'direct message so we can look' }).locator('.delivery', { hasText: 'sent' }).waitFor();
  assert.ok(fake.requests.some((r) => r.url === '/2/tweets' && r.body.text.includes('sent you a direct message')), 'the public note went out as a reply');

  // Tags come off as easily, and the tag stays a label: the server has it.
  await conversation.getByRole('button', { name: 'Remove tag refund-chase' }).click();
  await tags.getByText('refund-chase').waitFor({ state: 'detached' });
});

test('she logs a phone call as a note and resolves the conversation; it leaves her inbox', { skip: unavailable ?? false }, async () => {
  const conversation = page.getByRole('region', { name: 'Conversation' });
  await conversation.getByText(/Notes \(0\) and resolving/).click();
  const noteForm = conversation.getByRole('form', { name: 'Add a note' });
  await noteForm.getByLabel('Note', { exact: true }).fill('Called him: the refund went out today.');
  await noteForm.getByLabel('Kind').selectOption('phone_call');
  await noteForm.getByRole('button', { name: 'Add note' }).click();
  await conversation.getByRole('list', { name: 'Notes' }).getByText('the refund went out today').waitFor();
  // The customer panel shows the team's notes on him, and how he has felt.
  const customer = page.getByRole('complementary', { name: 'Customer' });
  await customer.getByRole('list', { name: 'Notes on this customer' }).getByText('the refund went out today').waitFor();
  await customer.getByRole('img', { name: /^Sentiment in 1 conversation: latest \d\.\d of 10/ }).waitFor();
  await conversation.locator('.message.inbound .mood').getByText(/^(unhappy|a little unhappy|neutral|content|delighted) \(\d\.\d\)$/).waitFor();
  await screenshot(page, 'web-notes');
  // A canned response, filled in for this customer and this agent, lands in the reply box.
  await conversation.getByLabel('Canned response').selectOption({ label: 'Refund on its way (/refund)' });
  await page.waitForFunction(() => document.getElementById('reply')?.value.startsWith('Hi '));
  assert.match(await page.inputValue('#reply'), /^Hi User, your refund is on its way\. \^/);
  await page.fill('#reply', '');
  await conversation.getByRole('form', { name: 'Resolve' }).getByRole('button', { name: 'Resolve' }).click();
  await conversation.getByRole('status').getByText('Resolved.').waitFor();
  await page.getByRole('navigation', { name: 'Inbox' }).getByText('Nothing waiting').waitFor();
});
