// Browser test of the CDESS's proposals in /espace (issue 20): a chargé de mission reads
// the edition's proposals, is told in French what is missing, records one tied to an
// orientation of the département's plan, and deletes it; the public API follows. The
// referent reads the list without the form nor the delete buttons; a partner does not
// see the section. axe-core finds no violation in the chargé de mission's section.
//
// scripts/browser-tests.sh creates the accounts.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BASE, TIMEOUT, assertNoPageErrors, getJson, launchBrowser, normSpaces, watchPage } from './support.mjs';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CDM = process.env.ESS_ATLAS_CDM || 'charge-mission';
const CDM_PASSWORD = process.env.ESS_ATLAS_CDM_PASSWORD;
const REFERENT = process.env.ESS_ATLAS_REFERENT || 'referent-arr';
const REFERENT_PASSWORD = process.env.ESS_ATLAS_REFERENT_PASSWORD;
const PARTNER = process.env.ESS_ATLAS_PARTNER || 'partenaire-cress';
const PARTNER_PASSWORD = process.env.ESS_ATLAS_PARTNER_PASSWORD;
const MARK = `Un observatoire départemental des coopératives ${Date.now()}`;

async function login(browser, username, password, errors) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  const page = await context.newPage();
  watchPage(page, errors, { label: username });
  await page.goto(`${BASE}/connexion`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`${BASE}/espace`, { timeout: TIMEOUT });
  return { context, page };
}

/** The public list of `edition`'s proposals. */
async function publicTitles(edition) {
  return (await getJson(`/api/cdess/propositions?edition=${edition}`)).items.map((p) => p.title);
}

/** A JSON mutation from a signed-in page, with its CSRF token. */
function inPage(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const s = await (await fetch('/api/session')).json();
    const res = await fetch(p, {
      method: m,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf },
      body: b === null ? undefined : JSON.stringify(b),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, [method, path, body]);
}

describe('propositions du CDESS dans l’espace des équipes (navigateur)', {
  timeout: 5 * TIMEOUT,
  skip: CDM_PASSWORD && REFERENT_PASSWORD && PARTNER_PASSWORD ? false : 'accounts not provided (run scripts/browser-tests.sh)',
}, () => {
  let browser;
  let latest;
  const errors = [];

  before(async () => {
    const years = (await getJson('/api/editions')).items.map((e) => e.year).sort((a, b) => b - a);
    [latest] = years;
    browser = await launchBrowser();
  });

  afterEach(() => assertNoPageErrors(errors));

  after(async () => {
    await browser?.close();
  });

  it('a chargé de mission records a proposal on an orientation of the département, then deletes it', { timeout: 3 * TIMEOUT }, async () => {
    const cdm = await login(browser, CDM, CDM_PASSWORD, errors);
    const { page } = cdm;
    const meta = await getJson('/api/meta');
    // An orientation of the département's plan for the proposal to concern.
    const o = await inPage(page, 'POST', '/api/orientations', {
      territory: String(meta.department.code), edition: latest, period_start: 2024, period_end: 2029,
      title: 'Coopérer à l’échelle du département',
    });
    assert.equal(o.status, 201, JSON.stringify(o.body));
    await page.reload();
    const section = page.getByTestId('staff-cdess');
    await section.waitFor({ timeout: TIMEOUT });
    // The latest edition first, with what the public already reads.
    assert.equal(await section.getByTestId('cdess-edition').inputValue(), String(latest));
    const before = await publicTitles(latest);
    const items = section.getByTestId('cdess-item');
    if (before.length) await items.first().waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await items.evaluateAll((nodes) => nodes.map((n) => n.querySelector('strong').textContent)), before);

    const form = section.getByTestId('cdess-form');
    await form.getByTestId('cdess-orientation').selectOption(String(o.body.id));
    // What is missing is said, and nothing is sent.
    await form.getByRole('button', { name: 'Enregistrer la proposition' }).click();
    const fault = form.getByTestId('cdess-form-message');
    await fault.filter({ hasText: 'Indiquez la date de la séance' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await fault.getAttribute('role'), 'alert');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'cdess-f-session');
    const date = form.getByLabel('Date de la séance du CDESS (obligatoire)');
    assert.equal(await date.getAttribute('aria-invalid'), 'true');
    await date.fill(`${latest + 1}-06-12`);
    assert.equal(await date.getAttribute('aria-invalid'), null, 'no longer marked once filled');
    await form.getByRole('button', { name: 'Enregistrer la proposition' }).click();
    await fault.filter({ hasText: 'Indiquez le titre' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'cdess-f-title');
    assert.deepEqual(await publicTitles(latest), before, 'nothing recorded');

    await form.getByLabel('Titre (obligatoire)').fill(MARK);
    await form.getByLabel('Texte (Markdown)').fill('Le CDESS propose de suivre chaque année les coopératives du département.');
    await form.getByRole('button', { name: 'Enregistrer la proposition' }).click();
    const message = section.getByTestId('cdess-message');
    await message.filter({ hasText: 'enregistrée' }).waitFor({ timeout: TIMEOUT });
    assert.equal(await section.getByTestId('cdess-form').getByTestId('cdess-title').inputValue(), '', 'an empty form for the next one');
    const item = items.filter({ hasText: MARK });
    await item.waitFor({ timeout: TIMEOUT });
    const text = normSpaces(await item.textContent());
    assert.match(text, new RegExp(`Séance du 12 juin ${latest + 1}`));
    assert.match(text, /Orientation : Coopérer à l’échelle du département/);
    assert.match(text, /par charge-mission/);
    const recorded = (await getJson(`/api/cdess/propositions?edition=${latest}`)).items.find((p) => p.title === MARK);
    assert.ok(recorded, 'public once recorded');
    assert.equal(recorded.orientation_id, o.body.id);
    assert.equal(recorded.session_on, `${latest + 1}-06-12`);

    // axe-core on the section with its form and list.
    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run('#cdess', { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    assert.deepEqual(violations, []);

    // Deleting asks first; a refusal keeps it.
    page.once('dialog', (d) => d.dismiss());
    await item.getByRole('button', { name: `Supprimer la proposition « ${MARK} »` }).click();
    assert.ok((await publicTitles(latest)).includes(MARK), 'kept when the question is refused');
    page.once('dialog', (d) => d.accept());
    await item.getByRole('button', { name: `Supprimer la proposition « ${MARK} »` }).click();
    await message.filter({ hasText: 'supprimée' }).waitFor({ timeout: TIMEOUT });
    await item.waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.ok(!(await publicTitles(latest)).includes(MARK), 'no longer public');

    // Leave the département's plan as it was for the other tests.
    const gone = await inPage(page, 'DELETE', `/api/orientations/${o.body.id}`, null);
    assert.equal(gone.status, 204);
    await cdm.context.close();
  });

  it('the referent reads the list only; a partner does not see it', { timeout: TIMEOUT }, async () => {
    const referent = await login(browser, REFERENT, REFERENT_PASSWORD, errors);
    const section = referent.page.getByTestId('staff-cdess');
    await section.waitFor({ timeout: TIMEOUT });
    await section.getByText('Seuls les chargés de mission enregistrent').waitFor({ timeout: TIMEOUT });
    const count = (await publicTitles(latest)).length;
    assert.equal(await section.getByTestId('cdess-item').count(), count);
    assert.equal(await section.getByTestId('cdess-form').count(), 0);
    assert.equal(await section.getByRole('button', { name: /Supprimer/ }).count(), 0);
    await referent.context.close();

    const partner = await login(browser, PARTNER, PARTNER_PASSWORD, errors);
    await partner.page.waitForSelector('[data-testid="staff-propositions"]:not([hidden]) [data-testid="proposal-list"]', { timeout: TIMEOUT });
    assert.equal(await partner.page.getByTestId('staff-cdess').isVisible(), false);
    await partner.context.close();
  });
});
