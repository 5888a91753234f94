// A repository's storage and its prune in Debian's Chromium:
//   node storage.mjs <portal-url> <screenshot-dir> <registry-host> <first-layout> <second-layout> <first-digest> <suffix>
// Signs up, pushes two images to one tag with skopeo (the first is left untagged), reads the storage
// panel, previews a prune (it lists the untagged manifest and changes nothing), confirms it, and
// checks that a second user is refused. Exits non-zero with the reason otherwise.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, launch, signUp } from './browser.mjs';

const [portal, shots, registry, firstLayout, secondLayout, firstDigest, suffix] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const owner = 'pruner' + suffix;
const stranger = 'onlooker' + suffix;
const repository = `${owner}/app`;
const password = 'a long enough password';


/** The storage panel's figure of a field ("manifests", "stored", ...), reloading until the repository is shown. */
async function panel(page, path, field) {
  for (let i = 0; i < 40; i++) {
    const response = await page.goto(portal + path);
    if (response.status() === 200 && await page.locator(`dl.storage dd.${field}`).count() > 0) {
      return (await page.textContent(`dl.storage dd.${field}`)).trim();
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no storage panel on ${path}`);
}

const ownerBrowser = await launch();
const strangerBrowser = await launch();
try {
  const page = await ownerBrowser.newPage();
  await signUp(page, portal, owner, password);
  for (const layout of [firstLayout, secondLayout]) { // the second push moves v1 away from the first image
    execFileSync('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', `${owner}:${password}`,
      `oci:${layout}:v1`, `docker://${registry}/${repository}:v1`], { stdio: 'pipe' });
  }

  expect(await panel(page, `/r/${repository}`, 'manifests') === '2 (1 untagged)',
    'the repository page does not show two manifests, one untagged: ' + await page.textContent('dl.storage'));
  const stored = Number(await page.getAttribute('dl.storage', 'data-stored-bytes'));
  const reclaimable = Number(await page.getAttribute('dl.storage', 'data-reclaimable-bytes'));
  expect(stored > 0 && reclaimable > 0 && reclaimable < stored, `stored ${stored}, reclaimable ${reclaimable}`);
  await page.screenshot({ path: join(shots, 'storage.png'), fullPage: true });

  // the preview lists the untagged image and deletes nothing
  await page.goto(portal + `/r/${repository}/settings`);
  await page.click('form.prune-form button[type=submit]');
  await page.waitForSelector('.prune-preview');
  const listed = await page.locator(`.prune-preview code[title="${firstDigest}"]`).count();
  expect(listed === 1, 'the preview does not list the untagged image: ' + await page.textContent('.prune-preview'));
  expect(await page.locator('.prune-preview li').count() === 1, 'the preview lists more than the untagged image');
  await page.screenshot({ path: join(shots, 'prune-preview.png'), fullPage: true });
  expect(await panel(page, `/r/${repository}`, 'manifests') === '2 (1 untagged)', 'the preview deleted something');

  // confirmed: it goes, and the panel says so
  await page.goto(portal + `/r/${repository}/settings`);
  await page.click('form.prune-form button[type=submit]');
  await page.waitForSelector('.prune-preview form.prune-form button');
  await page.click('.prune-preview form.prune-form button[type=submit]');
  await page.waitForSelector('.prune-done');
  expect((await page.textContent('.prune-done')).includes('Deleted 1 manifest'), await page.textContent('.prune-done'));
  expect((await page.textContent('dl.storage dd.manifests')).trim() === '1 (0 untagged)',
    'the settings page does not show the pruned figures: ' + await page.textContent('dl.storage'));
  await page.screenshot({ path: join(shots, 'pruned.png'), fullPage: true });

  // the namespace page has a row for it
  await page.goto(portal + `/u/${owner}`);
  expect(await page.locator(`table.storage-by-repository tr[data-repository="${repository}"]`).count() === 1,
    'the namespace page has no storage row for the repository');

  // someone else sees the public repository's storage, but may not prune it
  const other = await strangerBrowser.newPage();
  await signUp(other, portal, stranger, password);
  expect(await panel(other, `/r/${repository}`, 'manifests') === '1 (0 untagged)', 'a reader does not see the storage');
  await other.goto(portal + `/r/${repository}/settings`);
  await other.click('form.prune-form button[type=submit]');
  await other.waitForSelector('#prune-error');
  expect(await other.locator('.prune-preview').count() === 0, 'a stranger was shown a prune preview');
  await other.screenshot({ path: join(shots, 'prune-refused.png'), fullPage: true });
} finally {
  await ownerBrowser.close();
  await strangerBrowser.close();
}
