// The web app as an admin uses it, in Debian's Chromium driven by Playwright: add a keyword table
// entry, and the next mention is tagged by it without a restart; write a rule, test it on a
// message and save it; read what connecting a channel account takes; set up teams, agents, an SLA
// policy and a calendar; create a user and change their role; replay a dead letter; write a
// canned response. Screenshots go to build/screenshots/ (web-admin-*.png).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { browserUnavailable, launchBrowser, logInAs, newPage, screenshot } from './browser.mjs';
import { createUser, postGeneric, removeDir, review, startParley, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';

const unavailable = browserUnavailable();
let dir;
let parley;
let browser;
let page;

before(async () => {
  if (unavailable) return;
  dir = tempDir();
  const config = writeConfig(dir);
  parley = await startParley({ dataDir: dir, config });
  createUser({ config, dataDir: dir, email: 'ada@example.com', role: 'admin', password: 'ada password 123' });
  browser = await launchBrowser();
  page = await newPage(browser);
});

after(async () => {
  if (browser) await browser.close();
  if (parley) await parley.stop();
  if (dir) removeDir(dir);
});

async function openSection(name) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('button', { name }).click();
}

async function api(path, options = {}) {
  return page.evaluate(async ([p, o]) => {
    const response = await fetch(p, o);
    return { status: response.status, json: await response.json().catch(() => null) };
  }, [path, options]);
}

test('an admin adds a keyword table entry and the next mention is tagged by it', { skip: unavailable ?? false }, async () => {
  await logInAs(page, parley.url, 'ada@example.com', 'ada password 123');
  await openSection('Keyword tables');
  await page.getByLabel('New table').fill('tickets');
  await page.getByRole('button', { name: 'Create table' }).click();
  const form = page.getByRole('form', { name: 'Add an entry to tickets' });
  await form.getByLabel('Pattern').fill('golden ticket');
  await form.getByLabel('Tags').fill('golden, vip');
  await form.getByLabel('Priority').fill('40');
  await form.getByRole('button', { name: 'Add entry' }).click();
  await page.getByRole('status').getByText('"golden ticket" added to "tickets"').waitFor();
  await page.getByRole('cell', { name: 'golden ticket', exact: true }).waitFor();
  await screenshot(page, 'web-admin-keywords');

  assert.equal((await postGeneric(parley.url, review('g1', 'charlie', 'I lost my golden ticket at the gate'))).status, 202);
  await waitUntilProcessed(parley.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Inbox' }).click();
  await page.getByRole('navigation', { name: 'Inbox' }).locator('.row').first().waitFor();
  await page.keyboard.press('j');
  const tags = page.getByRole('region', { name: 'Conversation' }).getByRole('list', { name: 'Tags' });
  await tags.getByText('golden', { exact: true }).waitFor();
  await tags.getByText('vip', { exact: true }).waitFor();
  await screenshot(page, 'web-admin-tagged');
});

test('a saved view narrows the inbox, and is there again after a reload', { skip: unavailable ?? false }, async () => {
  const inbox = page.getByRole('navigation', { name: 'Inbox' });
  const filters = inbox.getByRole('form', { name: 'Filters' });
  await filters.getByLabel('Channel').selectOption({ label: 'X' });
  await inbox.getByText('Nothing matches this view.').waitFor();
  await filters.getByLabel('Save as').fill('X only');
  await filters.getByRole('button', { name: 'Save view' }).click();
  await page.reload();
  await inbox.getByText('charlie').waitFor();  // a reload starts from everything open
  await filters.getByLabel('View').selectOption({ label: 'X only' });
  await inbox.getByText('Nothing matches this view.').waitFor();
  await filters.getByLabel('View').selectOption({ label: 'Everything open' });
  await inbox.getByText('charlie').waitFor();
});

test('an admin writes a rule, tests it on a message, saves it, and the next mention follows it', { skip: unavailable ?? false }, async () => {
  await openSection('Rules');
  await page.getByRole('button', { name: 'New rule' }).click();
  const editor = page.getByRole('form', { name: 'New rule' });
  await editor.getByLabel('Name').fill('golden tickets first');
  await editor.getByRole('button', { name: 'Add condition' }).click();
  const condition = editor.getByRole('group', { name: 'Condition 1' });
  await condition.getByLabel('Test').selectOption({ label: 'matches keyword table' });
  await condition.getByLabel('Values').fill('tickets');
  const action = editor.getByRole('group', { name: 'Action 1' });
  await action.getByLabel('Action', { exact: true }).selectOption({ label: 'Set priority' });
  await action.getByLabel('Argument').fill('88');
  await editor.getByRole('button', { name: 'Add action' }).click();
  await editor.getByRole('group', { name: 'Action 2' }).getByLabel('Argument').fill('golden-rule');

  const tester = page.getByRole('region', { name: 'Test this rule' });
  await tester.getByLabel('Message').fill('where is my golden ticket??');
  await tester.getByRole('button', { name: 'Test' }).click();
  const result = tester.getByRole('status', { name: 'Test result' });
  await result.getByText('The rule fires.').waitFor();
  await result.getByText(/^Actions: golden tickets first: set_priority 88; golden tickets first: tag golden-rule/).waitFor();
  await result.getByText(/Priority 88/).waitFor();
  await screenshot(page, 'web-admin-rule-test');
  await tester.getByLabel('Message').fill('my parcel is late');
  await tester.getByRole('button', { name: 'Test' }).click();
  await result.getByText('The rule does not fire.').waitFor();

  await editor.getByRole('button', { name: 'Save rule' }).click();
  await page.getByRole('status').getByText('Rule "golden tickets first" saved').waitFor();
  await page.getByRole('list', { name: 'Rules in order' }).getByText('When the message matches keyword table tickets, then Set priority 88, Tag golden-rule').waitFor();
  await screenshot(page, 'web-admin-rules');

  assert.equal((await postGeneric(parley.url, review('g2', 'dora', 'Found a golden ticket in my bar, what now?'))).status, 202);
  await waitUntilProcessed(parley.url);
  const workspace = (await api('/api/v1/workspaces')).json.items[0].id;
  const list = (await api(`/api/v1/conversations?workspace=${workspace}&sort=recent`)).json.items;
  const dora = list.find((c) => c.customer?.handle === 'dora' || c.customer?.display_name === 'dora');
  assert.ok(dora, JSON.stringify(list.map((c) => c.customer)));
  assert.equal(dora.priority, 88);
  assert.ok(dora.tags.includes('golden-rule'), JSON.stringify(dora.tags));
});

test('an admin sees the webhook URL and the secret to paste into the platform', { skip: unavailable ?? false }, async () => {
  await openSection('Channel accounts');
  const card = page.getByRole('article', { name: /generic:reviews|reviews/ });
  const url = await card.getByLabel(/^Webhook URL of/).inputValue();
  assert.equal(url, `${parley.url}/webhooks/generic?account=reviews`);
  await card.getByRole('button', { name: 'Show set-up' }).click();
  assert.equal(await card.getByLabel(/^secret of/).inputValue(), 'test-secret');
  await screenshot(page, 'web-admin-channels');
});

test('an admin sets up teams, agents, an SLA policy and a calendar, and the server applies them', { skip: unavailable ?? false }, async () => {
  await openSection('Teams and agents');
  for (const name of ['Ann', 'Bob']) {
    await page.getByLabel('New agent').fill(name);
    await page.getByRole('button', { name: 'Add agent' }).click();
  }
  const ann = page.getByRole('article', { name: 'agent Ann' });
  await ann.getByLabel('Login email').fill('ada@example.com');
  await ann.getByLabel('Cap').fill('4');
  await ann.getByLabel('Skills').fill('language:en:5, topic:billing');
  await ann.getByLabel('Channel weights').fill('whatsapp:2');
  await page.getByLabel('New team').fill('care');
  await page.getByRole('button', { name: 'Add team' }).click();
  const care = page.getByRole('article', { name: 'team care' });
  await care.getByLabel('Ann').check();
  await care.getByLabel('Bob').check();
  await care.getByLabel('Leader').selectOption('Ann');
  await care.getByLabel('Overflow after').fill('10m');
  await screenshot(page, 'web-admin-teams');
  await page.getByRole('button', { name: 'Save and apply' }).click();
  await page.getByRole('status').getByText('Saved and applied').waitFor();
  const workspace = (await api('/api/v1/workspaces')).json.items[0].id;
  let routing = (await api(`/api/v1/workspaces/${workspace}/routing`)).json;
  assert.deepEqual(routing.teams.care.members.sort(), ['Ann', 'Bob']);
  assert.equal(routing.teams.care.leader, 'Ann');
  assert.equal(routing.teams.care.max_wait, '10m');
  assert.equal(routing.agents.Ann.cap, 4);
  assert.deepEqual(routing.agents.Ann.skills, ['language:en:5', 'topic:billing:3']);
  assert.deepEqual(routing.agents.Ann.weights, { whatsapp: 2 });

  // A mistake is refused with the field, and nothing changes.
  await care.getByLabel('Overflow after').fill('ten minutes');
  await page.getByRole('button', { name: 'Save and apply' }).click();
  await page.getByRole('alert').getByText(/max_wait/).waitFor();
  routing = (await api(`/api/v1/workspaces/${workspace}/routing`)).json;
  assert.equal(routing.teams.care.max_wait, '10m');
  await page.getByRole('button', { name: 'Discard' }).click();

  await openSection('SLA and calendars');
  await page.getByLabel('New calendar').fill('london');
  await page.getByRole('button', { name: 'Add calendar' }).click();
  const london = page.getByRole('article', { name: 'calendar london' });
  await london.getByLabel('Time zone').fill('Europe/London');
  for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) await london.getByLabel(day).fill('08:00-20:00');
  await london.getByLabel('Holidays').fill('2026-12-25, 2026-12-26');
  await page.getByLabel('New SLA policy').fill('gold');
  await page.getByRole('button', { name: 'Add SLA policy' }).click();
  const gold = page.getByRole('article', { name: 'SLA policy gold' });
  await gold.getByRole('button', { name: 'Add target' }).click();
  await gold.getByLabel('Channel of target 2').selectOption({ label: 'X' });
  await gold.getByLabel('Tier of target 2').selectOption('1');
  await gold.getByLabel('Target 2', { exact: true }).fill('15m');
  await gold.getByLabel('Warning of target 2').fill('5m');
  await page.getByRole('button', { name: 'Save and apply' }).click();
  await page.getByRole('status').getByText('Saved and applied').waitFor();
  await screenshot(page, 'web-admin-sla');
  routing = (await api(`/api/v1/workspaces/${workspace}/routing`)).json;
  assert.equal(routing.calendars.london.time_zone, 'Europe/London');
  assert.deepEqual(routing.calendars.london.weekly.mon, ['08:00-20:00']);
  assert.deepEqual(routing.calendars.london.weekly.sat, []);
  assert.deepEqual(routing.calendars.london.holidays, ['2026-12-25', '2026-12-26']);
  assert.deepEqual(routing.sla_policies.gold.targets.find((t) => t.channel === 'x'), { metric: 'first_response', channel: 'x', tier: 1, target: '15m', warn_before: '5m' });
});

test('an admin creates a user, changes their role and disables them', { skip: unavailable ?? false }, async () => {
  await openSection('Users and roles');
  const form = page.getByRole('form', { name: 'New user' });
  await form.getByLabel('Email').fill('eve@example.com');
  await form.getByLabel('Name').fill('Eve');
  await form.getByLabel('Role').selectOption({ label: 'Agent' });
  await form.getByLabel('Password').fill('eve password 123');
  await form.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('status').getByText('eve@example.com created').waitFor();
  await page.getByLabel('Role of eve@example.com').selectOption({ label: 'Team leader' });
  await page.getByRole('status').getByText('eve@example.com is now Team leader.').waitFor();
  await page.getByRole('button', { name: 'Disable eve@example.com' }).click();
  await page.getByRole('button', { name: 'Enable eve@example.com' }).waitFor();
  await screenshot(page, 'web-admin-users');
  const eve = (await api('/api/v1/users')).json.items.find((u) => u.email === 'eve@example.com');
  assert.equal(eve.role, 'team_leader');
  assert.equal(eve.disabled, true);
  const login = await fetch(`${parley.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'eve@example.com', password: 'eve password 123' }) });
  assert.notEqual(login.status, 200);
});

test('an admin reads a dead letter and replays it', { skip: unavailable ?? false }, async () => {
  // Refused to the sender, and kept as a dead letter.
  assert.equal((await postGeneric(parley.url, JSON.stringify({ id: 'broken-1', text: 'no author here' }))).status, 400);
  await waitUntilProcessed(parley.url);
  await openSection('Dead letters');
  const table = page.getByRole('table', { name: 'Dead letters' });
  await table.getByRole('row').nth(1).waitFor();
  const id = (await api('/api/v1/dead-letters')).json.items[0].id;
  await page.getByRole('button', { name: `Show dead letter ${id}` }).click();
  const letter = page.getByRole('article', { name: `Dead letter ${id}` });
  await letter.getByText('no author here', { exact: false }).waitFor();
  await screenshot(page, 'web-admin-dead-letters');
  await letter.getByRole('button', { name: 'Replay' }).click();
  await page.getByRole('status').getByText(`Dead letter ${id} is back in the inbox`).waitFor();
});

test('a canned response written here is offered in the reply box', { skip: unavailable ?? false }, async () => {
  await openSection('Canned responses');
  await page.getByRole('button', { name: 'New canned response' }).click();
  const form = page.getByRole('form', { name: 'New canned response' });
  await form.getByLabel('Name').fill('Golden ticket');
  await form.getByLabel('Shortcut').fill('/golden');
  await form.getByLabel('Text').fill('Hi {{customer.first_name}}, lucky you! {{agent.first_name}}');
  await form.getByRole('button', { name: 'Save canned response' }).click();
  await page.getByRole('status').getByText('"Golden ticket" saved.').waitFor();
  await page.getByRole('cell', { name: 'Golden ticket', exact: true }).waitFor();
  await screenshot(page, 'web-admin-canned');
  const workspace = (await api('/api/v1/workspaces')).json.items[0].id;
  const canned = (await api(`/api/v1/workspaces/${workspace}/canned-responses`)).json.items.find((c) => c.name === 'Golden ticket');
  assert.deepEqual(canned.variables.sort(), ['agent.first_name', 'customer.first_name']);
});
