// Browser test of the SIRENE stock import started from /espace (issue 19, item 3): the
// chargé de mission picks the files of the server's import directory, starts the import,
// sees its progress (the establishments arrive through a named pipe, as from a slow
// disk, so that the page is seen mid-file), then the French report; a file cut in the
// middle of a line is refused with its line and nothing is changed.
//
// scripts/browser-tests.sh starts the server with ESS_ATLAS_IMPORT_DIR (read by
// `serve --import-dir`) and the chargé de mission's password in ESS_ATLAS_CDM_PASSWORD.
// The import goes into edition 1990, older than the demonstration's: the other tests read
// the latest one.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BASE, TIMEOUT, assertNoPageErrors, launchBrowser, normSpaces, watchPage } from './support.mjs';

const CDM = process.env.ESS_ATLAS_CDM || 'charge-mission';
const CDM_PASSWORD = process.env.ESS_ATLAS_CDM_PASSWORD;
const IMPORT_DIR = process.env.ESS_ATLAS_IMPORT_DIR;
const SCREENSHOT = process.env.ESS_ATLAS_SIRENE_SCREENSHOT || '/tmp/ess-atlas-sirene';
const FIXTURES = new URL('../fixtures/sirene/', import.meta.url);
const YEAR = '1990';
const require = createRequire(new URL('../../web/package.json', import.meta.url));
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations (any impact) inside the SIRENE card. */
async function violations(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run('[data-testid="sirene-import"]', { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

describe('espace des équipes : import SIRENE depuis le serveur (navigateur)', {
  timeout: 4 * TIMEOUT,
  skip: CDM_PASSWORD && IMPORT_DIR ? false : 'account or import directory not provided (run scripts/browser-tests.sh)',
}, () => {
  let browser;
  let page;
  const errors = [];
  const pipe = IMPORT_DIR ? path.join(IMPORT_DIR, 'StockEtablissement_tube.csv') : '';
  const establishments = fs.readFileSync(new URL('StockEtablissement_sample.csv', FIXTURES), 'utf8');

  before(async () => {
    fs.copyFileSync(new URL('StockUniteLegale_sample.csv', FIXTURES), path.join(IMPORT_DIR, 'StockUniteLegale_utf8.csv'));
    fs.rmSync(pipe, { force: true });
    execFileSync('mkfifo', [pipe]);
    // Cut in the middle of its last line: an interrupted download.
    fs.writeFileSync(path.join(IMPORT_DIR, 'StockEtablissement_coupe.csv'), establishments.slice(0, -40));
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    page = await context.newPage();
    watchPage(page, errors, { label: 'espace SIRENE' });
    await page.goto(`${BASE}/connexion`);
    await page.getByTestId('login-username').fill(CDM);
    await page.getByTestId('login-password').fill(CDM_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${BASE}/espace`, { timeout: TIMEOUT });
    await page.getByTestId('sirene-form').waitFor({ timeout: TIMEOUT });
  });

  after(async () => {
    await browser?.close();
    if (IMPORT_DIR) {
      for (const name of ['StockEtablissement_tube.csv', 'StockEtablissement_coupe.csv', 'StockUniteLegale_utf8.csv']) {
        fs.rmSync(path.join(IMPORT_DIR, name), { force: true });
      }
    }
  });

  it('starts an import, shows its progress, then the French report', { timeout: 2 * TIMEOUT }, async () => {
    const form = page.getByTestId('sirene-form');
    // INSEE's names preselect the files (the first of each kind).
    assert.equal(await page.getByTestId('sirene-unites').inputValue(), 'StockUniteLegale_utf8.csv');
    await page.getByTestId('sirene-etablissements').selectOption('StockEtablissement_tube.csv');
    await page.getByTestId('sirene-edition').fill(YEAR);
    await page.getByTestId('sirene-date').fill('2023-12-31');
    // The writer waits until the import opens the pipe.
    const lines = establishments.split(/(?<=\n)/);
    const writer = fs.promises.open(pipe, 'w');
    await page.getByTestId('sirene-start').click();
    const handle = await writer;
    await handle.write(lines.slice(0, 3).join(''));
    const status = page.getByTestId('sirene-status');
    await page.waitForFunction(() => /2 lignes lues/.test(document.querySelector('[data-testid="sirene-status"]').textContent), null, { timeout: TIMEOUT });
    assert.match(normSpaces(await status.innerText()), /^Étape 1 sur 2 — lecture des établissements : StockEtablissement_tube\.csv, 2 lignes lues$/);
    assert.equal(await page.getByTestId('sirene-progress').isVisible(), true);
    assert.equal(await page.getByTestId('sirene-start').isDisabled(), true);
    await form.screenshot({ path: `${SCREENSHOT}-progress.png` });
    assert.deepEqual(await violations(page), [], 'axe-core on the import in progress');

    await handle.write(lines.slice(3).join(''));
    await handle.close();
    const done = page.getByTestId('sirene-done');
    await done.waitFor({ timeout: TIMEOUT });
    assert.match(normSpaces(await done.innerText()), new RegExp(`Import SIRENE terminé le .* : Édition ${YEAR} remplacée par cet import\\.`));
    const report = page.getByTestId('sirene-result').getByTestId('report-files');
    const cells = (await report.locator('tbody tr').first().locator('td').allInnerTexts()).map(normSpaces);
    assert.deepEqual(cells, ['StockEtablissement_tube.csv', '4', '4', '0', '0']);
    // The stored reports of the imports card now show the new edition.
    assert.equal(await page.getByTestId('imports-edition').inputValue(), YEAR);
    await page.locator('[data-testid="stored-report"][data-kind="sirene"]').first().waitFor({ timeout: TIMEOUT });
    await form.screenshot({ path: `${SCREENSHOT}-report.png` });
    assert.deepEqual(await violations(page), [], 'axe-core on the report');
  });

  it('refuses a damaged file in French, with its line, and changes nothing', { timeout: 2 * TIMEOUT }, async () => {
    const before = await page.evaluate(async (y) => (await (await fetch(`/api/editions/${y}/reports`)).json()).items.length, YEAR);
    await page.reload();
    await page.getByTestId('sirene-form').waitFor({ timeout: TIMEOUT });
    // The last import is still shown after a reload.
    await page.getByTestId('sirene-done').waitFor({ timeout: TIMEOUT });
    await page.getByTestId('sirene-etablissements').selectOption('StockEtablissement_coupe.csv');
    await page.getByTestId('sirene-edition').fill(YEAR);
    await page.getByTestId('sirene-start').click();
    const error = page.getByTestId('sirene-error');
    await error.waitFor({ timeout: TIMEOUT });
    const text = normSpaces(await error.innerText());
    assert.match(text, /^Import SIRENE interrompu, rien n’a été modifié : StockEtablissement_coupe\.csv, ligne 5 : .*semble coupé/);
    assert.doesNotMatch(text, new RegExp(IMPORT_DIR.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const afterCount = await page.evaluate(async (y) => (await (await fetch(`/api/editions/${y}/reports`)).json()).items.length, YEAR);
    assert.equal(afterCount, before, 'a refused import stored a report');
    await page.getByTestId('sirene-import').screenshot({ path: `${SCREENSHOT}-refused.png` });
    assert.deepEqual(await violations(page), [], 'axe-core on the refusal');
    assertNoPageErrors(errors);
  });
});
