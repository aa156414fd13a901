// The web app as an admin uses it, in Debian's Chromium driven by Playwright: add a keyword table
// entry, and the next mention is tagged by it without a restart. Screenshots go to
// build/screenshots/ (web-admin-*.png).
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

test('an admin adds a keyword table entry and the next mention is tagged by it', { skip: unavailable ?? false }, async () => {
  await logInAs(page, parley.url, 'ada@example.com', 'ada password 123');
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Keyword tables' }).click();
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
