// Browser test of the staff space's dashboard and imports (issue 19, items 3 and 9): a
// chargé de mission sees a submitted portrait in the « tableau de bord » with who must
// act next; uploads an SCDL subsidies file for the oldest edition, reads the dry run's
// French preview, confirms it (accepting the drop from the demonstration file), and the
// subsidy figures of the indicators become the file's.
//
// scripts/browser-tests.sh creates the chargé de mission account and passes its password
// in ESS_ATLAS_CDM_PASSWORD. The test writes only the oldest edition (the other browser
// tests read the latest one).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, assertNoPageErrors, getJson, launchBrowser, normSpaces, watchPage } from './support.mjs';

const CDM = process.env.ESS_ATLAS_CDM || 'charge-mission';
const CDM_PASSWORD = process.env.ESS_ATLAS_CDM_PASSWORD;
const REFERENT = process.env.ESS_ATLAS_REFERENT || 'referent-arr';
const REFERENT_PASSWORD = process.env.ESS_ATLAS_REFERENT_PASSWORD;
const SCREENSHOT = process.env.ESS_ATLAS_ESPACE_SCREENSHOT || '/tmp/ess-atlas-espace';

/** A fetch in the page, as the signed-in user, with the CSRF token for mutations. */
function inPage(page, method, path, body) {
  return page.evaluate(async ({ method: m, path: p, body: b }) => {
    const session = await (await fetch('/api/session')).json();
    const res = await fetch(p, {
      method: m,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': session.csrf },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    return { status: res.status, json: await res.json().catch(() => null) };
  }, { method, path, body });
}

describe('espace des équipes : tableau de bord et imports (navigateur)', {
  timeout: 6 * TIMEOUT,
  skip: CDM_PASSWORD ? false : 'account not provided (run scripts/browser-tests.sh)',
}, () => {
  let browser;
  let context;
  let page;
  let oldest;
  const errors = [];

  before(async () => {
    const years = (await getJson('/api/editions')).items.map((e) => e.year).sort((a, b) => a - b);
    oldest = years[0];
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    page = await context.newPage();
    watchPage(page, errors, { label: 'espace' });
    await page.goto(`${BASE}/connexion`);
    await page.getByTestId('login-username').fill(CDM);
    await page.getByTestId('login-password').fill(CDM_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${BASE}/espace`, { timeout: TIMEOUT });
    await page.waitForSelector('body[data-workspace]', { timeout: TIMEOUT });
  });

  after(async () => {
    await browser?.close();
  });

  it('lists a submitted portrait in the dashboard, with who must act next', { timeout: 2 * TIMEOUT }, async () => {
    const path = `/api/portraits/TER/${oldest}`;
    // A fresh submission (a re-run sends the portrait back to draft first), so that it
    // is the newest change.
    // (The list, not the portrait: a missing portrait's 404 would be logged by the page.)
    const list = await inPage(page, 'GET', `/api/portraits?territory=TER&edition=${oldest}`);
    const current = (list.json.items || [])[0];
    if (!current) {
      const saved = await inPage(page, 'PUT', path, { jeux_acteurs: 'Acteurs du Ternois', dynamiques_projets: 'Projets' });
      assert.equal(saved.status, 200, JSON.stringify(saved.json));
    } else if (current.status === 'soumis') {
      const back = await inPage(page, 'POST', `${path}/transitions`, { to: 'brouillon' });
      assert.equal(back.status, 200, JSON.stringify(back.json));
    }
    const step = await inPage(page, 'POST', `${path}/transitions`, { to: 'soumis' });
    assert.equal(step.status, 200, JSON.stringify(step.json));
    await page.reload();
    await page.waitForSelector('#dashboard[data-ready]', { timeout: TIMEOUT });
    const cell = page.locator(`[data-testid="dashboard-cell"][data-territory="TER"][data-edition="${oldest}"]`);
    assert.equal(await cell.getAttribute('data-status'), 'soumis');
    assert.match(normSpaces(await cell.innerText()), /Soumis à valider en commission territoriale/);
    const tally = normSpaces(await page.getByTestId('dashboard-tally').innerText());
    assert.match(tally, /Soumis : \d+/);
    const changes = normSpaces(await page.getByTestId('dashboard-changes').innerText());
    assert.match(changes, new RegExp(`portrait Ternois ${oldest} → Soumis`));
    await page.getByTestId('staff-dashboard').screenshot({ path: `${SCREENSHOT}-tableau-de-bord.png` });
    // On a tablet, the grid scrolls inside its card rather than widening the page.
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.screenshot({ path: `${SCREENSHOT}-tableau-de-bord-tablette.png` });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px on a tablet`);
    await page.setViewportSize({ width: 1280, height: 900 });
    // A cell opens that territory's workspace.
    await cell.getByRole('button').click();
    await page.waitForSelector(`body[data-workspace="TER/${oldest}"]`, { timeout: TIMEOUT });
  });

  it('imports an SCDL file: upload, French preview, confirmation, figures', { timeout: 3 * TIMEOUT }, async () => {
    // Thirty associations of the oldest edition, each granted an amount that differs
    // from one run to the next (so that the figure is seen to change on a re-run too).
    const base = 1000 + (Date.now() % 997);
    const orgs = (await getJson(`/api/organisations?edition=${oldest}&family=association&per_page=30`)).items;
    assert.ok(orgs.length >= 20, `only ${orgs.length} associations`);
    const rows = orgs.map((o, i) => [
      'Département du Pas-de-Calais', `${oldest}-03-17`, `"${o.name.replace(/"/g, '""')}"`,
      o.siret.replace(/(\d{3})(\d{3})(\d{3})(\d{5})/, '$1 $2 $3 $4'), `"${base + 10 * i},50"`, '1',
    ].join(','));
    // One unreadable amount: a rejected line with its number and column.
    rows.push(`Département du Pas-de-Calais,${oldest}-03-17,ASSO SANS MONTANT,,"douze",1`);
    const csv = ['nomAttribuant,dateConvention,nomBeneficiaire,idBeneficiaire,montant,pourcentageSubvention', ...rows].join('\r\n');
    const expected = orgs.reduce((sum, _o, i) => sum + base + 10 * i + 0.5, 0);

    const card = page.getByTestId('staff-imports');
    await card.scrollIntoViewIfNeeded();
    await page.getByTestId('imports-edition').selectOption(String(oldest));
    await page.waitForSelector('[data-testid="imports-stored"]:not([aria-busy])', { timeout: TIMEOUT });
    await page.getByTestId('import-kind').selectOption('subventions');
    await page.getByTestId('import-file').setInputFiles({
      name: `subventions-${oldest}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8'),
    });
    await page.getByTestId('import-preview').click();
    const preview = page.getByTestId('import-preview-report');
    await preview.waitFor({ timeout: TIMEOUT });
    const text = normSpaces(await preview.innerText());
    assert.match(text, /rien n’a encore été modifié/);
    assert.match(text, new RegExp(`subventions-${oldest}\\.csv ${orgs.length + 1} ${orgs.length} 0 1`), text);
    const rejected = normSpaces(await preview.getByTestId('report-rejected').innerText());
    assert.match(rejected, new RegExp(`subventions-${oldest}\\.csv ${orgs.length + 2} montant`), rejected);
    // Nothing changed yet: the stored figure is still the demonstration file's.
    const indicator = `/api/indicators?level=department&indicator=ess_subsidies&edition=${oldest}`;
    const before = (await inPage(page, 'GET', indicator)).json.items[0].value;
    assert.notEqual(Math.round(before * 100), Math.round(expected * 100));
    await page.screenshot({ path: `${SCREENSHOT}-apercu.png`, fullPage: false });
    // Fewer lines than the demonstration file: the plausibility checks ask to accept it.
    if (await page.getByTestId('import-refusal').count()) {
      assert.equal(await page.getByTestId('import-confirm').isDisabled(), true);
      await page.getByTestId('import-accept').check();
    }
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('import-done').waitFor({ timeout: TIMEOUT });
    assert.match(normSpaces(await page.getByTestId('import-done').innerText()), new RegExp(`Import terminé : Édition ${oldest} remplacée`));
    const after = (await inPage(page, 'GET', indicator)).json.items[0].value;
    assert.equal(Math.round(after * 100), Math.round(expected * 100), `${after} ≠ ${expected}`);
    // The stored report is listed first, and the dashboard's imports table follows.
    await page.waitForSelector('[data-testid="stored-report"][data-kind="subventions"]', { timeout: TIMEOUT });
    const stored = normSpaces(await page.locator('[data-testid="stored-report"][data-kind="subventions"]').first().innerText());
    assert.match(stored, new RegExp(`${orgs.length + 1} lignes lues, ${orgs.length} conservées`));
    await page.waitForFunction((y) => {
      const cell = document.querySelector(`[data-testid="dashboard-imports"] tr[data-edition="${y}"] td[data-kind="subventions"]`);
      return cell && /31 lignes lues/.test(cell.title);
    }, oldest, { timeout: TIMEOUT });
    await card.screenshot({ path: `${SCREENSHOT}-import.png` });
    assertNoPageErrors(errors);
  });

  it('shows a referent its own portraits to write, and no upload form', {
    timeout: TIMEOUT, skip: REFERENT_PASSWORD ? false : 'referent account not provided',
  }, async () => {
    const other = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'fr-FR' });
    try {
      const p = await other.newPage();
      await p.goto(`${BASE}/connexion`);
      await p.getByTestId('login-username').fill(REFERENT);
      await p.getByTestId('login-password').fill(REFERENT_PASSWORD);
      await p.getByTestId('login-submit').click();
      await p.waitForURL(`${BASE}/espace`, { timeout: TIMEOUT });
      await p.waitForSelector('#dashboard[data-ready]', { timeout: TIMEOUT });
      const mine = normSpaces(await p.locator(`[data-testid="dashboard-cell"][data-territory="ARR"][data-edition="${oldest}"]`).innerText());
      assert.match(mine, /à rédiger par le référent du territoire À vous d’agir/);
      const theirs = normSpaces(await p.locator(`[data-testid="dashboard-cell"][data-territory="TER"][data-edition="${oldest}"]`).innerText());
      assert.doesNotMatch(theirs, /À vous/);
      await p.waitForSelector('[data-testid="imports-stored"]:not([aria-busy])', { timeout: TIMEOUT });
      assert.equal(await p.getByTestId('import-form').count(), 0);
      assert.match(normSpaces(await p.getByTestId('staff-imports').innerText()), /réservé aux chargés de mission/);
    } finally {
      await other.close();
    }
  });

  it('answers a damaged file with a French message naming its line and column', { timeout: TIMEOUT }, async () => {
    await page.getByTestId('import-kind').selectOption('subventions');
    await page.getByTestId('import-file').setInputFiles({
      name: 'mauvais.csv', mimeType: 'text/csv', buffer: Buffer.from('nomBeneficiaire,idBeneficiaire,somme\r\nASSO,1,2\r\n', 'utf8'),
    });
    await page.getByTestId('import-preview').click();
    const error = page.getByTestId('import-error');
    await error.waitFor({ timeout: TIMEOUT });
    assert.match(normSpaces(await error.innerText()), /mauvais\.csv : colonne « montant » absente de l’en-tête \(ligne 1\)/);
  });
});
