// Drives the portal in Debian's Chromium: node portal.mjs <portal-url> <screenshot-dir> <repository> <tag>
// Exits non-zero with the reason when the portal does not show what a user must see.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, launch } from './browser.mjs';

const [portal, shots, repository, tag] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

const context = await launch();
try {
  const page = await context.newPage();

  const home = await page.goto(portal + '/');
  expect(home.status() === 200, `home answered ${home.status()}`);
  const card = page.locator(`li[data-repository="${repository}"]`);
  expect(await card.count() === 1, `home does not list ${repository}`);
  expect((await card.textContent()).includes(tag), `home does not show tag ${tag} of ${repository}`);
  await page.screenshot({ path: join(shots, 'home.png'), fullPage: true });

  await page.fill('input[name="q"]', repository.split('/').pop());
  await Promise.all([page.waitForURL(/\/search\?q=/), page.click('form.search button')]);
  const result = page.locator(`li.result[data-repository="${repository}"]`);
  expect(await result.count() === 1, `search for ${repository} does not find it`);
  await page.screenshot({ path: join(shots, 'search.png'), fullPage: true });

  await Promise.all([page.waitForURL(new RegExp('/r/' + repository)), result.locator('a.repo-name').click()]);
  expect((await page.locator('h1.repo-name').textContent()).trim() === repository, 'repository page has the wrong title');
  expect(await page.locator('td.tag-name', { hasText: tag }).count() === 1, `repository page lacks tag ${tag}`);
  expect((await page.inputValue('#pull-command')).endsWith(`/${repository}:${tag}`), 'pull command is wrong');
  await page.screenshot({ path: join(shots, 'repository.png'), fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'repository-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  const missing = await page.goto(portal + '/r/nobody/nothing-here');
  expect(missing.status() === 404, `a missing repository answered ${missing.status()}`);
  expect((await page.textContent('h1')).includes('not found'), 'the 404 page does not say so');
  await page.screenshot({ path: join(shots, 'not-found.png'), fullPage: true });
  console.log('portal e2e: all checks passed');
} finally {
  await context.close();
}
