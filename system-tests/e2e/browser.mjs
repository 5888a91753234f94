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
