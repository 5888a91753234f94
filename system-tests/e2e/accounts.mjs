// The signed-in portal in Debian's Chromium:
//   node accounts.mjs <portal-url> <screenshot-dir> <registry-host> <oci-layout-dir> <suffix>
// Signs up, creates an organisation and a private repository, creates a token, pushes with skopeo
// using it, then checks tags, layers, history, inspect, star, search, README sanitising, and that a
// second user can neither find nor open the repository. Exits non-zero with the reason otherwise.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, launch, signUp } from './browser.mjs';

const [portal, shots, registry, layout, suffix] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const owner = 'owner' + suffix;
const stranger = 'stranger' + suffix;
const organization = 'org' + suffix;
const repository = `${organization}/vault`;
const password = 'a long enough password';


async function submit(page, urlPattern) {
  await Promise.all([page.waitForURL(urlPattern), page.click('form.form button[type=submit]')]);
}

const ownerBrowser = await launch();
const strangerBrowser = await launch();
try {
  const page = await ownerBrowser.newPage();
  let scripts = 0;
  page.on('dialog', async dialog => { scripts++; await dialog.dismiss(); });

  // sign up: a bad name is refused beside the field and creates nothing
  await page.goto(portal + '/signup');
  await page.fill('#username', 'Not A Name');
  await page.fill('#password', password);
  await page.click('form.form button[type=submit]');
  expect(await page.locator('#username-error').count() === 1, 'an invalid username is not explained beside the field');
  await page.screenshot({ path: join(shots, 'signup-error.png'), fullPage: true });
  await signUp(page, portal, owner, password);
  const cookies = await ownerBrowser.cookies(portal);
  const session = cookies.find(c => c.name === 'drydock_session');
  expect(session && session.httpOnly && session.sameSite === 'Lax', 'the session cookie is not HttpOnly and SameSite=Lax');

  // an organisation and a private repository in it
  await page.goto(portal + '/orgs/new');
  await page.fill('#name', organization);
  await submit(page, new RegExp('/orgs/' + organization));
  await page.goto(portal + `/new?namespace=${organization}`);
  await page.fill('#name', 'Bad Name');
  await page.click('form.form button[type=submit]');
  expect(await page.locator('#name-error').count() === 1, 'an invalid repository name is not explained beside the field');
  await page.fill('#name', 'vault');
  await page.fill('#description', 'Where the gold is kept');
  await page.check('input[name=visibility][value=private]');
  await submit(page, new RegExp('/r/' + repository + '$'));
  expect(await page.locator('.badge-private').count() === 1, 'the new repository is not marked private');

  // a README with script and event-handler payloads
  await page.goto(portal + `/r/${repository}/settings`);
  await page.fill('#readme', '# The vault\n\nKeep out.\n\n<script>alert("script")</script>\n\n'
    + '<img src="x" onerror="alert(\'img\')">\n\n<a href="javascript:alert(\'link\')">click</a> [md](javascript:alert(1))\n');
  await submit(page, new RegExp('/r/' + repository + '$'));
  expect((await page.textContent('article.readme h1')).trim() === 'The vault', 'the README is not rendered');
  expect(await page.locator('article.readme script, article.readme img, article.readme a[href^="javascript"]').count() === 0,
    'the README kept active content');

  // a token, shown once, used by skopeo to push
  await page.goto(portal + '/settings/tokens');
  await page.fill('#token-name', 'ci');
  await page.fill('#token-expires', '2001-01-01');
  await page.click('form.form button[type=submit]');
  expect(await page.locator('.field-error').count() >= 1, 'an expiry in the past is not refused beside the field');
  await page.fill('#token-name', 'ci');
  await page.fill('#token-expires', '');
  await page.selectOption('#token-scope', 'read-write');
  await page.click('form.form button[type=submit]');
  const token = await page.inputValue('#new-token');
  expect(token.startsWith('ddpat_'), 'no token was shown');
  await page.screenshot({ path: join(shots, 'tokens.png'), fullPage: true });
  execFileSync('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', `${owner}:${token}`,
    `oci:${layout}:v1`, `docker://${registry}/${repository}:v1`], { stdio: 'pipe' });
  execFileSync('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', `${owner}:${token}`,
    `oci:${layout}:v1`, `docker://${registry}/${repository}:stable`], { stdio: 'pipe' });
  execFileSync('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', `${owner}:${token}`,
    `oci:${layout}:v1`, `docker://${registry}/${owner}/mirror:v1`], { stdio: 'pipe' });
  await page.goto(portal + '/settings/tokens');
  expect((await page.textContent('tr[data-token="ci"]')).includes('UTC'), 'the token does not show when it was last used');

  // tags (two tags of one digest visibly share it), then the image's layers, history and inspect data
  let tagsShown = false;
  for (let i = 0; i < 20 && !tagsShown; i++) {
    await page.goto(portal + `/r/${repository}`);
    tagsShown = await page.locator('tr[data-tag="v1"]').count() === 1 && await page.locator('tr[data-tag="stable"]').count() === 1;
    if (!tagsShown) await page.waitForTimeout(250);
  }
  expect(tagsShown, 'the pushed tags do not appear on the repository page');
  expect(await page.locator('.badge.shared').count() === 2, 'two tags of one digest are not shown as sharing it');
  expect((await page.textContent('tr[data-tag="v1"] .platforms')).trim() === 'linux/amd64', 'the tag does not show its platform');
  await page.screenshot({ path: join(shots, 'private-repository.png'), fullPage: true });
  await Promise.all([page.waitForURL(new RegExp(`/r/${repository}/tags/v1$`)), page.click('tr[data-tag="v1"] .tag-name a')]);
  expect(await page.locator('table.layers tbody tr').count() >= 1, 'the image page lists no layers');
  let shared = false;
  for (let i = 0; i < 20 && !shared; i++) {
    shared = (await page.textContent('table.layers tbody tr:first-child td.sharing')).includes('1 other image in 1 other repository');
    if (!shared) { await page.waitForTimeout(250); await page.reload(); }
  }
  expect(shared, 'the image page does not show that its layers are shared with the mirror');
  expect(await page.locator('table.history tbody tr').count() >= 1, 'the image page shows no history');
  const inspect = JSON.parse(await page.textContent('pre.inspect'));
  expect(inspect.Architecture === 'amd64' && inspect.Os === 'linux', 'inspect shows the wrong platform');
  expect(Array.isArray(inspect.RootFS.Layers) && inspect.RootFS.Layers.length >= 1, 'inspect lacks the rootfs diff ids');
  expect((await page.textContent('.platform')).trim() === 'linux/amd64', 'the image page shows the wrong platform');
  await page.screenshot({ path: join(shots, 'image.png'), fullPage: true });

  // star it, find it in search
  await page.goto(portal + `/r/${repository}`);
  await Promise.all([page.waitForURL(new RegExp(`/r/${repository}$`)), page.click('button.star')]);
  expect((await page.textContent('button.star')).includes('Starred'), 'the star button does not show the star');
  expect((await page.textContent('.stars strong')).trim() === '1', 'the star count is not 1');
  await page.goto(portal + '/search?q=gold');
  expect(await page.locator(`li.result[data-repository="${repository}"]`).count() === 1, 'the owner cannot find the private repository');
  await page.screenshot({ path: join(shots, 'search-signed-in.png'), fullPage: true });

  // the tag history, and the audit log of the organisation
  await page.goto(portal + `/r/${repository}/tags/v1/history`);
  expect(await page.locator('table.tag-history tbody tr').count() >= 1, 'the tag history is empty');
  await page.goto(portal + `/audit?organization=${organization}`);
  expect(await page.locator('tr[data-type="dev.drydock.manifest.pushed"]').count() >= 1, 'the audit log lacks the push');
  await page.screenshot({ path: join(shots, 'audit.png'), fullPage: true });
  expect(scripts === 0, `a script ran in the owner's pages (${scripts} dialogs)`);

  // a second user can neither find nor open it
  const other = await strangerBrowser.newPage();
  await signUp(other, portal, stranger, password);
  await other.goto(portal + '/search?q=gold');
  expect(await other.locator(`li.result[data-repository="${repository}"]`).count() === 0, 'a stranger finds the private repository');
  for (const path of [`/r/${repository}`, `/r/${repository}/tags/v1`, `/r/${repository}/tags/v1/history`, `/orgs/${organization}`]) {
    const response = await other.goto(portal + path);
    const body = await other.textContent('main');
    expect(!body.includes('vault') || response.status() === 404, `a stranger sees the repository at ${path}`);
    expect(path.startsWith('/orgs') || response.status() === 404, `a stranger's ${path} answered ${response.status()}`);
  }
  await other.screenshot({ path: join(shots, 'stranger-not-found.png'), fullPage: true });

  // the owner deletes the repository, after confirming with its name
  await page.goto(portal + `/r/${repository}/settings`);
  await page.fill('#confirm', 'not the name');
  await page.click('form.delete-form button[type=submit]');
  expect(await page.locator('#confirm-error').count() === 1, 'a wrong confirmation is not refused beside the field');
  await page.fill('#confirm', repository);
  await Promise.all([page.waitForURL(new RegExp('/orgs/' + organization + '$')),
    page.click('form.delete-form button[type=submit]')]);
  expect(await page.locator(`li.result[data-repository="${repository}"]`).count() === 0, 'the deleted repository is still listed');
  const deleted = await page.goto(portal + `/r/${repository}`);
  expect(deleted.status() === 404, `the deleted repository answered ${deleted.status()}`);

  // signing out ends the session
  await Promise.all([page.waitForURL(portal + '/'), page.click('.account button.link')]);
  expect(await page.locator('a.me').count() === 0, 'still signed in after signing out');
  const afterLogout = await page.goto(portal + '/settings/tokens');
  expect(afterLogout.url().includes('/login'), 'the tokens page is open after signing out');
  console.log('portal accounts e2e: all checks passed');
} finally {
  await ownerBrowser.close();
  await strangerBrowser.close();
}
