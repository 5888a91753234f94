// What the portal scripts share: Debian's Chromium driven by playwright-core, and a failing check.
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function expect(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** A fresh browser profile (no cookies shared between users). */
export async function launch() {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'drydock-chromium-')), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Signs up through the portal's form and checks that the page that follows is the new user's, signed in. */
export async function signUp(page, portal, username, password) {
  await page.goto(portal + '/signup');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(new RegExp('/u/' + username)), page.click('form.form button[type=submit]')]);
  expect((await page.textContent('a.me')).trim() === username, `not signed in as ${username} after sign-up`);
}
