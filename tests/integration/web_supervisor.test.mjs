// The wallboard as a supervisor watches it, in Debian's Chromium driven by Playwright: a mention
// arrives and the buzz and the queue move; an agent comes online and takes it, and their presence
// and load show it; the supervisor gives the conversation to another agent from the board.
// Screenshots go to build/screenshots/ (web-wallboard-*.png).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { browserUnavailable, launchBrowser, logInAs, newPage, screenshot } from './browser.mjs';
import { connectEvents, createUser, login, postGeneric, removeDir, review, reviewsAccount, startParley, tempDir, writeRoutedConfig } from './harness.mjs';

const unavailable = browserUnavailable();
let dir;
let parley;
let browser;
let page;
const sockets = [];

async function online(email) {
  const session = await login(parley.url, { email, password: `${email} password` });
  const events = connectEvents(parley.url, '', { cookie: session.cookie });
  sockets.push(events);
  assert.equal(await events.opened, true);
  await events.until((m) => m.event === 'agent.presence' && m.data.presence === 'online');
  return events;
}

before(async () => {
  if (unavailable) return;
  dir = tempDir();
  const config = writeRoutedConfig(dir, {
    sla_policies: { tight: { business_hours: false, targets: [{ metric: 'first_response', target: '10m' }] } },
    teams: { care: { members: ['Ann', 'Bob'], sla_policy: 'tight' } },
    agents: { Ann: { email: 'ann@example.com', cap: 4 }, Bob: { email: 'bob@example.com', cap: 4 } },
  }, reviewsAccount);
  parley = await startParley({ dataDir: dir, config });
  for (const [email, role] of [['sue@example.com', 'supervisor'], ['ann@example.com', 'agent'], ['bob@example.com', 'agent']]) {
    createUser({ config, dataDir: dir, email, role, password: `${email} password` });
  }
  browser = await launchBrowser();
  page = await newPage(browser);
});

after(async () => {
  for (const s of sockets) s.ws.close();
  if (browser) await browser.close();
  if (parley) await parley.stop();
  if (dir) removeDir(dir);
});

test('the wallboard moves with the mentions, the queue and the agents; the supervisor reassigns from it', { skip: unavailable ?? false }, async () => {
  await logInAs(page, parley.url, 'sue@example.com', 'sue@example.com password');
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Wallboard' }).click();
  const board = page.getByRole('region', { name: 'Wallboard' });
  await board.getByRole('heading', { name: /Buzz: 0 messages/ }).waitFor();
  const queues = board.getByRole('article', { name: 'Acme: queues' });
  await queues.getByRole('row', { name: /care 0/ }).waitFor();

  assert.equal((await postGeneric(parley.url, review('w1', 'dora', 'My order 7 is late and nobody answers'))).status, 202);
  await board.getByRole('heading', { name: /Buzz: 1 message in/ }).waitFor();
  await queues.getByRole('row', { name: /care 1/ }).waitFor();
  await board.getByRole('article', { name: 'Acme: SLA at risk' }).getByText(/dora · priority \d+ · nobody/).waitFor();
  await screenshot(page, 'web-wallboard-queued');

  // Ann comes online and is given it; the board shows her presence and her load.
  await online('ann@example.com');
  const agents = board.getByRole('article', { name: 'Acme: agents' });
  await agents.getByRole('row', { name: /Ann online 1 \/ 4/ }).waitFor();
  await queues.getByRole('row', { name: /care 0/ }).waitFor();

  // Bob comes online; the supervisor gives the conversation to him from the board.
  await online('bob@example.com');
  await agents.getByRole('row', { name: /Bob online 0 \/ 4/ }).waitFor();
  await board.getByLabel(/Give dora to/).selectOption({ label: 'Bob' });
  await board.getByRole('status').getByText('Given to Bob.').waitFor();
  await agents.getByRole('row', { name: /Bob online 1 \/ 4/ }).waitFor();
  await agents.getByRole('row', { name: /Ann online 0 \/ 4/ }).waitFor();
  await screenshot(page, 'web-wallboard-reassigned');
});
