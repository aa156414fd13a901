// Debian's Chromium driven by playwright-core, for the tests that use Parley as a person does.
// Playwright cannot download its own browser here (DESIGN.md): it is pointed at /usr/bin/chromium,
// headless, with a throwaway profile. Screenshots go to build/screenshots/ for a person to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

export const chromiumPath = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotDir = process.env.PARLEY_SCREENSHOTS ?? join('build', 'screenshots');

// Why the browser cannot run here, or null.
export function browserUnavailable() {
  return existsSync(chromiumPath) ? null : `${chromiumPath} is absent (scripts/install-deps.sh installs chromium)`;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

// A page of its own (cookies, storage) at the size the app is designed for first.
export async function newPage(browser, viewport = { width: 1280, height: 800 }) {
  const page = await (await browser.newContext({ viewport })).newPage();
  if (process.env.PARLEY_DEBUG_PAGE) {
    page.on('console', (m) => console.log('page:', m.text()));
    page.on('pageerror', (e) => console.log('page error:', e.message));
  }
  return page;
}

// Logs in through the web app's form; resolves once the app shows its pages.
export async function logInAs(page, url, email, password) {
  await page.goto(url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

// Audits the page as it stands with axe-core against WCAG 2.1 A and AA (names and labels, roles,
// contrast, structure). Resolves to one line per violation and element, for assert.deepEqual.
export async function audit(page) {
  const require = createRequire(import.meta.url);
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  }
  const results = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  return results.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1]?.trim() ?? v.help}`));
}

// Whether the page is wider than the window (it should reflow instead).
export async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}
