// Debian's Chromium driven by playwright-core, for the tests that use Parley as a person does.
// Playwright cannot download its own browser here (DESIGN.md): it is pointed at /usr/bin/chromium,
// headless, with a throwaway profile. Screenshots go to build/screenshots/ for a person to look at.
import { existsSync, mkdirSync } from 'node:fs';
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

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
