// Browser test of the portrait workflow, end to end: a referent logs in, writes the
// portrait of their territory and submits it; a chargé de mission records the commission's
// validation and the Assemblée's adoption, then publishes; the public map's territory panel,
// the territory page and the EPCI page show the result. A <script> typed into the portrait
// must show as text and never run.
//
// scripts/browser-tests.sh creates the two accounts with `ess-atlas user add` and passes
// their passwords in ESS_ATLAS_REFERENT_PASSWORD and ESS_ATLAS_CDM_PASSWORD.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, normSpaces, getJson, waitReady } from './support.mjs';

const REFERENT = process.env.ESS_ATLAS_REFERENT || 'referent-arr';
const REFERENT_PASSWORD = process.env.ESS_ATLAS_REFERENT_PASSWORD;
const CDM = process.env.ESS_ATLAS_CDM || 'charge-mission';
const CDM_PASSWORD = process.env.ESS_ATLAS_CDM_PASSWORD;
const SCREENSHOT = process.env.ESS_ATLAS_PORTRAIT_SCREENSHOT || '/tmp/ess-atlas-portrait.png';
const MARK = 'Coopératives agricoles du Ternois';

async function login(browser, username, password) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  await page.goto(`${BASE}/connexion`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`${BASE}/espace`, { timeout: TIMEOUT });
  await page.waitForSelector('body[data-workspace]', { timeout: TIMEOUT });
  return { context, page, errors };
}

async function waitStatus(page, status) {
  await page.waitForSelector(`[data-testid="portrait-status"][data-status="${status}"]`, { timeout: TIMEOUT });
}

describe('portrait d\'un territoire : rédaction, validation, publication (navigateur)', {
  timeout: 6 * TIMEOUT,
  skip: REFERENT_PASSWORD && CDM_PASSWORD ? false : 'accounts not provided (run scripts/browser-tests.sh)',
}, () => {
  let browser;
  let edition;

  before(async () => {
    const editions = (await getJson('/api/editions')).items.map((e) => e.year).sort((a, b) => b - a);
    edition = editions[0];
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('refuses a wrong password with a French message', { timeout: TIMEOUT }, async () => {
    const context = await browser.newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    await page.goto(`${BASE}/connexion`);
    await page.getByTestId('login-username').fill(REFERENT);
    await page.getByTestId('login-password').fill('pas le bon mot de passe');
    await page.getByTestId('login-submit').click();
    const error = page.getByTestId('login-error');
    await error.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await error.textContent(), /Identifiant ou mot de passe incorrect/);
    assert.equal(new URL(page.url()).pathname, '/connexion');
    await context.close();
  });

  it('a referent writes the portrait of their territory and submits it', { timeout: 2 * TIMEOUT }, async () => {
    assert.ok(edition, 'the demo data has editions');
    const { context, page, errors } = await login(browser, REFERENT, REFERENT_PASSWORD);
    assert.match(normSpaces(await page.getByTestId('staff-who').textContent()), /Référent territorial/);
    // The referent's territory comes first; the latest edition is selected.
    assert.equal(await page.getByTestId('staff-territory').inputValue(), 'ARR');
    assert.equal(await page.getByTestId('staff-edition').inputValue(), String(edition));
    await page.waitForSelector('[data-testid="portrait-form"]', { timeout: TIMEOUT });

    await page.getByTestId('section-jeux-acteurs').fill(`## ${MARK}\n\nUn réseau **dense** d'associations. <script>window.__xss = 1</script>`);
    await page.getByTestId('section-dynamiques').fill('- Tiers-lieux\n- [La CRESS](https://www.cress-hdf.org)');
    await page.getByTestId('portrait-save').click();
    await waitStatus(page, 'brouillon');
    assert.match(normSpaces(await page.getByTestId('staff-message').textContent()), /Brouillon enregistré/);

    await page.getByTestId('orientation-title').fill("Développer l'emploi dans l'ESS");
    await page.getByTestId('orientation-save').click();
    await page.getByTestId('staff-orientation').first().waitFor({ timeout: TIMEOUT });

    await page.getByTestId('action-add').click();
    const form = page.getByTestId('action-new');
    await form.getByTestId('action-title').fill('Pôle territorial de coopération économique');
    await form.getByTestId('action-pilot').fill('Maison du Département Arrageois');
    await form.getByTestId('action-partners').fill('CRESS, APES');
    await form.getByTestId('action-flagship').check();
    await form.getByText("CU d'Arras").click();
    await form.getByTestId('action-save').click();
    await page.getByTestId('staff-action').first().waitFor({ timeout: TIMEOUT });

    await page.getByTestId('transition-soumis').click();
    await waitStatus(page, 'soumis');
    // Submitted: no more editing, and the referent cannot validate.
    assert.equal(await page.getByTestId('portrait-form').count(), 0);
    assert.equal(await page.getByTestId('transition-valide').count(), 0);

    await page.getByTestId('logout').click();
    await page.waitForURL(`${BASE}/`, { timeout: TIMEOUT });
    const session = await page.evaluate(() => fetch('/api/session').then((r) => r.json()));
    assert.equal(session.authenticated, false);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('a chargé de mission records the validation and the adoption, then publishes', { timeout: 2 * TIMEOUT }, async () => {
    const { context, page, errors } = await login(browser, CDM, CDM_PASSWORD);
    // Every territory is open to a chargé de mission; pick the referent's.
    await page.getByTestId('staff-territory').selectOption('ARR');
    await page.getByTestId('staff-edition').selectOption(String(edition));
    await page.getByTestId('staff-open').click();
    await waitStatus(page, 'soumis');

    // A decision without its reference is refused with the server's message.
    await page.getByTestId('transition-valide').click();
    await page.waitForSelector('[data-testid="staff-message"].notice--error', { timeout: TIMEOUT });
    assert.match(await page.getByTestId('staff-message').textContent(), /référence de la décision/);

    await page.getByTestId('decision-ref-valide').fill('CT-ARR-2026-03');
    await page.getByTestId('transition-valide').click();
    await waitStatus(page, 'valide');
    await page.getByTestId('decision-ref-adopte').fill('AD-2026-117');
    await page.getByTestId('transition-adopte').click();
    await waitStatus(page, 'adopte');
    await page.getByTestId('transition-publie').click();
    await waitStatus(page, 'publie');
    const decisions = normSpaces(await page.getByTestId('portrait-decisions').textContent());
    assert.match(decisions, /CT-ARR-2026-03/);
    assert.match(decisions, /AD-2026-117/);
    const history = normSpaces(await page.getByTestId('history').first().textContent());
    assert.match(history, new RegExp(REFERENT));
    // The steps in words, not the workflow's internal codes (issue 19: « → valide »).
    assert.match(history, /→ Validé \(commission\)/);
    assert.match(history, /→ Publié/);
    assert.doesNotMatch(history, /→ (soumis|valide|adopte|publie)\b/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('the public map panel shows the published portrait', { timeout: 2 * TIMEOUT }, async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR' });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`console: ${msg.text()}`); });
    await page.goto(`${BASE}/#level=territories&zone=territory:ARR`);
    await waitReady(page);
    const portrait = page.getByTestId('zone-portrait');
    await portrait.getByText(MARK).waitFor({ timeout: TIMEOUT });
    const text = normSpaces(await portrait.textContent());
    assert.match(text, /Portrait du territoire/);
    assert.match(text, new RegExp(String(edition)));
    assert.match(text, /CT-ARR-2026-03/);
    assert.match(text, /Pôle territorial de coopération économique/);
    assert.match(text, /Opération phare/);
    // The script shows as text and never ran.
    assert.match(text, /<script>window.__xss = 1<\/script>/);
    assert.equal(await portrait.locator('script').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    // Figures come from the indicators, beside the portrait, not from its text.
    assert.ok(await page.getByTestId('zone-keyfigures').isVisible(), 'key figures in the panel');
    await page.screenshot({ path: SCREENSHOT });

    await page.goto(`${BASE}/territoires/ARR`);
    await page.getByTestId('page-portrait').getByText(MARK).waitFor({ timeout: TIMEOUT });
    assert.equal(normSpaces(await page.getByTestId('page-title').textContent()), 'Arrageois');
    await page.getByTestId('page-keyfigures').waitFor({ timeout: TIMEOUT });

    await page.goto(`${BASE}/epci/200033579`);
    await page.getByTestId('epci-actions').getByText('Pôle territorial de coopération économique').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
