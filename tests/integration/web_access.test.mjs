// The web app for everyone, in Debian's Chromium driven by Playwright: every screen passes an
// accessibility audit (axe-core, WCAG 2.1 A and AA: names and labels, roles, contrast,
// structure), the login form is in reading order for the keyboard, and on a tablet (portrait and
// landscape) the inbox, the conversation, the wallboard and the admin page reflow to fit, with no
// sideways scrolling. Screenshots go to build/screenshots/ (web-tablet-*.png).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { audit, browserUnavailable, launchBrowser, logInAs, newPage, screenshot, scrollsSideways } from './browser.mjs';
import { FakeX } from './fake_x.mjs';
import { createUser, postGeneric, postXMention, removeDir, review, reviewsAccount, startParley, tempDir, waitUntilProcessed, writeRoutedConfig, xAccountConfig } from './harness.mjs';

const unavailable = browserUnavailable();
const brand = '4337869213';
const consumerSecret = 'x-consumer-secret';
const adminSections = ['Channel accounts', 'Keyword tables', 'Rules', 'Canned responses', 'Teams and agents', 'SLA and calendars', 'Users and roles', 'Dead letters'];

let dir;
let fake;
let parley;
let browser;

before(async () => {
  if (unavailable) return;
  fake = new FakeX('user-token');
  await fake.start();
  dir = tempDir();
  const config = writeRoutedConfig(dir, {
    calendars: { london: { time_zone: 'Europe/London', weekdays: ['08:00-20:00'] } },
    teams: { care: { members: ['Ann'], calendar: 'london' } },
    agents: { Ann: { email: 'ann@example.com', cap: 5, skills: ['language:en:5'] } },
  }, xAccountConfig({ brand, consumerSecret, accessToken: 'user-token', base: fake.base }) + reviewsAccount);
  parley = await startParley({ dataDir: dir, config });
  createUser({ config, dataDir: dir, email: 'ann@example.com', role: 'agent', password: 'ann password 123' });
  createUser({ config, dataDir: dir, email: 'ada@example.com', role: 'admin', password: 'ada password 123' });
  assert.equal(await postXMention(parley.url, {
    brand, consumerSecret, id: '1850000000000000101', user: '901', followers: 52_000,
    text: '@AcmeHelp I was charged twice for my booking and the app shows nothing!! card 4111 1111 1111 1111',
  }), 200);
  assert.equal((await postGeneric(parley.url, review('a1', 'dora', 'Lovely crew, thank you'))).status, 202);
  assert.equal((await postGeneric(parley.url, JSON.stringify({ id: 'broken', text: 'no author' }))).status, 400);
  await waitUntilProcessed(parley.url);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (parley) await parley.stop();
  if (fake) await fake.stop();
  if (dir) removeDir(dir);
});

test('every screen passes an accessibility audit (WCAG 2.1 A and AA)', { skip: unavailable ?? false }, async () => {
  const page = await newPage(browser);
  await page.goto(parley.url);
  await page.getByLabel('Email').waitFor();
  const found = { login: await audit(page) };
  await logInAs(page, parley.url, 'ada@example.com', 'ada password 123');
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await page.getByRole('navigation', { name: 'Inbox' }).locator('.row').first().waitFor();
  await page.keyboard.press('j');
  await page.getByRole('complementary', { name: 'Customer' }).getByText('History').waitFor();
  // The card number posted in public is hidden, with the advice to move to a private channel.
  const thread = page.getByRole('region', { name: 'Conversation' });
  await thread.getByText('the app shows nothing!! card [card]').waitFor();
  assert.equal(await thread.getByText('4111 1111 1111 1111').count(), 0);
  await thread.getByRole('note').getByText(/Personal data posted in public \(card\)/).waitFor();
  await thread.getByRole('button', { name: 'move to a private message' }).click();
  assert.equal(await page.getByLabel('Send as').inputValue(), 'private');
  found.conversation = await audit(page);
  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  found.shortcuts = await audit(page);
  await page.keyboard.press('Escape');
  await pages.getByRole('button', { name: 'Wallboard' }).click();
  await page.getByRole('heading', { name: 'Agents' }).waitFor();
  found.wallboard = await audit(page);
  await pages.getByRole('button', { name: 'Admin' }).click();
  for (const section of adminSections) {
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('button', { name: section }).click();
    await page.getByRole('heading', { name: section, level: 2 }).waitFor();
    await page.waitForLoadState('networkidle');
    found[section] = await audit(page);
  }
  for (const [screen, violations] of Object.entries(found)) assert.deepEqual(violations, [], screen);
});

test('the login form is in reading order for the keyboard', { skip: unavailable ?? false }, async () => {
  const page = await newPage(browser);
  await page.goto(parley.url);
  await page.getByLabel('Email').waitFor();
  const order = [await page.evaluate(() => document.activeElement?.getAttribute('type'))];  // focused first
  for (let i = 0; i < 2; i += 1) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement?.getAttribute('type') ?? document.activeElement?.tagName));
  }
  assert.deepEqual(order, ['email', 'password', 'submit']);
});

for (const [name, viewport] of [['portrait', { width: 768, height: 1024 }], ['landscape', { width: 1024, height: 768 }]]) {
  test(`on a tablet (${name}) every page reflows to fit`, { skip: unavailable ?? false }, async () => {
    const page = await newPage(browser, viewport);
    await logInAs(page, parley.url, 'ada@example.com', 'ada password 123');
    await page.getByRole('navigation', { name: 'Inbox' }).locator('.row').first().waitFor();
    await page.keyboard.press('j');
    await page.getByRole('region', { name: 'Conversation' }).getByText('charged twice').waitFor();
    await screenshot(page, `web-tablet-${name}-inbox`);
    assert.equal(await scrollsSideways(page), false, 'inbox and conversation');
    const pages = page.getByRole('navigation', { name: 'Pages' });
    await pages.getByRole('button', { name: 'Wallboard' }).click();
    await page.getByRole('heading', { name: 'Agents' }).waitFor();
    assert.equal(await scrollsSideways(page), false, 'wallboard');
    await screenshot(page, `web-tablet-${name}-wallboard`);
    await pages.getByRole('button', { name: 'Admin' }).click();
    for (const section of adminSections) {
      await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('button', { name: section }).click();
      await page.getByRole('heading', { name: section, level: 2 }).waitFor();
      assert.equal(await scrollsSideways(page), false, section);
    }
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('button', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    assert.equal(await scrollsSideways(page), false, 'rule editor');
    await screenshot(page, `web-tablet-${name}-admin`);
  });
}
