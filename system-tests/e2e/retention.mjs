// A repository's retention rules in Debian's Chromium:
//   node retention.mjs <portal-url> <screenshot-dir> <registry-host> <first-layout> <second-layout> <suffix>
// Signs up, pushes tags v1 and new (one image) and old (another) with skopeo, writes a rule with
// no number (refused, the form keeps what was typed), then "keep the last 1 of *, protect v1";
// previews what the rules remove (the tag old alone), applies them, checks that a second user may
// not change the rules, and removes them; then a namespace's rules on the user's page and an
// organisation's, which the second user is not shown and may not post. Exits non-zero with the
// reason otherwise.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, launch, signUp } from './browser.mjs';

const [portal, shots, registry, firstLayout, secondLayout, suffix] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const owner = 'keeper' + suffix;
const stranger = 'passerby' + suffix;
const repository = `${owner}/app`;
const password = 'a long enough password';

function push(layout, tag) {
  execFileSync('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', `${owner}:${password}`,
    `oci:${layout}:v1`, `docker://${registry}/${repository}:${tag}`], { stdio: 'pipe' });
}

const ownerBrowser = await launch();
const strangerBrowser = await launch();
try {
  const page = await ownerBrowser.newPage();
  await signUp(page, portal, owner, password);
  push(secondLayout, 'v1');
  push(firstLayout, 'old');
  push(secondLayout, 'new');

  await page.goto(portal + `/r/${repository}/settings`);
  expect(await page.locator('.retention-none').count() === 1, 'a new repository shows retention rules');
  // a rule without its number is refused, and the form keeps what was typed
  await page.locator('input[name=ruleTags]').first().fill('*');
  await page.locator('select[name=ruleKind]').first().selectOption('keepLast');
  await page.locator('input[name=ruleValue]').first().fill('x');
  await page.fill('#protect', 'v1');
  await page.click('form.retention-form button[type=submit]');
  await page.waitForSelector('#rules-error');
  expect((await page.textContent('#rules-error')).includes('whole number'), await page.textContent('#rules-error'));
  expect(await page.inputValue('#protect') === 'v1', 'the refused form lost the protected tags');
  expect(await page.locator('input[name=ruleTags]').first().inputValue() === '*', 'the refused form lost the rule');
  await page.screenshot({ path: join(shots, 'retention-refused.png'), fullPage: true });

  await page.locator('input[name=ruleValue]').first().fill('1');
  await page.click('form.retention-form button[type=submit]');
  await page.waitForSelector('.retention-stored');
  expect((await page.textContent('.retention-stored')).includes(owner), await page.textContent('.retention-stored'));
  expect(await page.locator('input[name=ruleValue]').first().inputValue() === '1', 'the saved rule is not shown');
  await page.screenshot({ path: join(shots, 'retention.png'), fullPage: true });

  // the preview names what the rules remove and removes nothing
  await page.click('#preview-rules');
  await page.waitForSelector('.prune-preview');
  const tags = await page.locator('.pruned-tags li code').allTextContents();
  expect(tags.length === 1 && tags[0] === 'old', 'the preview does not list exactly the tag old: ' + tags);
  await page.screenshot({ path: join(shots, 'retention-preview.png'), fullPage: true });
  await page.click('.prune-preview form.prune-form button[type=submit]');
  await page.waitForSelector('.prune-done');
  expect((await page.textContent('.prune-done')).includes('Removed 1 tag'), await page.textContent('.prune-done'));

  // someone else may read the public repository but is not shown its rules, and a form posted anyway is refused
  const other = await strangerBrowser.newPage();
  await signUp(other, portal, stranger, password);
  await other.goto(portal + `/r/${repository}/settings`);
  expect(await other.locator('form.retention-form').count() === 0, 'a stranger is shown the rules form');
  const csrf = await other.locator('input[name=csrf]').first().inputValue();
  const post = (path, fields) => other.evaluate(async ([url, body]) => (await fetch(url, { method: 'POST',
    redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body) })).status, [portal + path, { csrf, ...fields }]);
  const rule = { action: 'retention', ruleTags: '*', ruleKind: 'keepLast', ruleValue: '0' };
  for (const fields of [rule, { action: 'retention-remove' }]) {
    const status = await post(`/r/${repository}/settings`, fields);
    expect(status === 403, `a stranger's ${fields.action} answered ${status}`);
  }
  await page.goto(portal + `/r/${repository}/settings`);
  expect(await page.locator('input[name=ruleValue]').first().inputValue() === '1', 'the stranger changed the rules');

  // the owner removes the rules
  await page.goto(portal + `/r/${repository}/settings`);
  await page.click('form.retention-remove-form button[type=submit]');
  await page.waitForSelector('.retention-none');

  // a namespace's rules, on the user's own page and on an organisation's for its admins
  await page.goto(portal + `/u/${owner}`);
  await page.locator('input[name=ruleTags]').first().fill('pr-*');
  await page.locator('select[name=ruleKind]').first().selectOption('olderThan');
  await page.locator('input[name=ruleValue]').first().fill('14d');
  await page.click('form.retention-form button[type=submit]');
  await page.waitForSelector('.retention-stored');
  expect(await page.locator('input[name=ruleValue]').first().inputValue() === '14d', 'the namespace rule is not shown');
  await page.screenshot({ path: join(shots, 'retention-namespace.png'), fullPage: true });
  const organization = 'keepers' + suffix;
  await page.goto(portal + '/orgs/new');
  await page.fill('#name', organization);
  await page.click('form[action="/orgs/new"] button[type=submit]');
  await page.waitForURL(portal + `/orgs/${organization}`);
  await page.locator('input[name=ruleTags]').first().fill('*');
  await page.locator('input[name=ruleValue]').first().fill('20');
  await page.click('form.retention-form button[type=submit]');
  await page.waitForSelector('.retention-stored');

  // the stranger sees no rules on those pages, and a form posted anyway is refused
  for (const path of [`/u/${owner}`, `/orgs/${organization}`]) {
    await other.goto(portal + path);
    expect(await other.locator('form.retention-form').count() === 0, `a stranger is shown the rules form on ${path}`);
  }
  for (const path of [`/u/${owner}/retention`, `/orgs/${organization}/retention`]) {
    for (const fields of [rule, { action: 'retention-remove' }]) {
      const status = await post(path, fields);
      expect(status === 403, `a stranger's ${fields.action} at ${path} answered ${status}`);
    }
  }
  await page.goto(portal + `/u/${owner}`);
  expect(await page.locator('input[name=ruleValue]').first().inputValue() === '14d', 'the stranger changed the rules');
} finally {
  await ownerBrowser.close();
  await strangerBrowser.close();
}
