// Browser test of the French number fields of the staff space (issue 19, item 1): a
// budget typed « 12 500,50 » was stored as 1 250 050 and published. A chargé de mission
// types French amounts into an action of the Ternois, sees what each field understood,
// is refused what cannot be read, saves; the API holds 12 500,5 and, once the portrait
// is published, the public EPCI page shows « 12 500,50 € ».
//
// scripts/browser-tests.sh creates the account and passes its password in ESS_ATLAS_CDM_PASSWORD.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, normSpaces, getJson, watchPage, assertNoPageErrors } from './support.mjs';

const CDM = process.env.ESS_ATLAS_CDM || 'charge-mission';
const CDM_PASSWORD = process.env.ESS_ATLAS_CDM_PASSWORD;
const TERRITORY = 'TER';
const EPCI = '200069672'; // CC du Ternois

/** A mutation of the API from the signed-in page (session cookie and CSRF token). */
async function send(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const session = await fetch('/api/session').then((r) => r.json());
    const res = await fetch(p, {
      method: m,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    return { status: res.status, body: await res.text() };
  }, [method, path, body]);
}

describe('montants saisis à la française (navigateur)', {
  timeout: 4 * TIMEOUT,
  skip: CDM_PASSWORD ? false : 'account not provided (run scripts/browser-tests.sh)',
}, () => {
  let browser;
  let page;
  let edition;
  const errors = [];

  before(async () => {
    edition = Math.max(...(await getJson('/api/editions')).items.map((e) => e.year));
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
    page = await context.newPage();
    watchPage(page, errors);
  });

  after(async () => {
    await browser?.close();
  });

  afterEach(() => assertNoPageErrors(errors.filter((e) => !/status of 400/.test(e))));

  it('reads « 12 500,50 », shows what it understood and refuses what it cannot read', { timeout: 2 * TIMEOUT }, async () => {
    await page.goto(`${BASE}/connexion`);
    await page.getByTestId('login-username').fill(CDM);
    await page.getByTestId('login-password').fill(CDM_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${BASE}/espace`, { timeout: TIMEOUT });
    await page.getByTestId('staff-territory').selectOption(TERRITORY);
    await page.getByTestId('staff-edition').selectOption(String(edition));
    await page.getByTestId('staff-open').click();
    await page.waitForSelector(`body[data-workspace="${TERRITORY}/${edition}"]`, { timeout: TIMEOUT });

    await page.getByTestId('orientation-title').fill('Financer les tiers-lieux');
    await page.getByTestId('orientation-save').click();
    await page.getByTestId('staff-orientation').first().waitFor({ timeout: TIMEOUT });
    await page.getByTestId('action-add').click();
    const form = page.getByTestId('action-new');
    await form.getByTestId('action-title').fill('Fonds d’amorçage des tiers-lieux');
    await form.getByText('CC du Ternois').click();
    await form.getByRole('button', { name: 'Ajouter une année' }).click();
    const year = form.locator('[data-role="year"]');
    const planned = form.locator('[data-role="planned"]');
    const actual = form.locator('[data-role="actual"]');
    await year.pressSequentially(String(edition + 1));
    // Typed key by key, as a user does, with the usual space and a NBSP.
    await planned.pressSequentially('12 500,50');
    const echo = (input) => input.locator('xpath=following-sibling::output[1]');
    assert.equal(normSpaces(await echo(planned).textContent()), 'Compris : 12 500,50 €');
    await actual.pressSequentially('3\u00a0000 €');
    assert.equal(normSpaces(await echo(actual).textContent()), 'Compris : 3 000 €');

    // What cannot be read is refused before anything is sent, in French.
    await actual.fill('12.500');
    assert.match(normSpaces(await echo(actual).textContent()), /ambigu/);
    assert.equal(await actual.getAttribute('aria-invalid'), 'true');
    await form.getByTestId('action-save').click();
    const message = page.getByTestId('staff-message');
    await page.waitForSelector('[data-testid="staff-message"].notice--error', { timeout: TIMEOUT });
    assert.match(normSpaces(await message.textContent()), /Budget réalisé : « 12\.500 » est ambigu.*Rien n'a été enregistré/);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.role), 'actual');

    await actual.fill('12500,5');
    assert.equal(normSpaces(await echo(actual).textContent()), 'Compris : 12 500,50 €');
    await form.getByTestId('action-save').click();
    await page.getByTestId('staff-action').first().waitFor({ timeout: TIMEOUT });
    assert.match(normSpaces(await message.textContent()), /Action enregistrée/);

    const actions = await page.evaluate(([t, e]) => fetch(`/api/actions?territory=${t}&edition=${e}`).then((r) => r.json()), [TERRITORY, edition]);
    const saved = actions.items.find((a) => a.title === 'Fonds d’amorçage des tiers-lieux');
    assert.deepEqual(saved.budgets.map((b) => [b.year, b.planned, b.actual]), [[edition + 1, 12500.5, 12500.5]]);

    // Editing the action shows the amounts back the French way.
    await page.getByTestId('staff-action').first().getByRole('button', { name: 'Modifier' }).click();
    const edit = page.getByTestId('action-edit');
    assert.equal(normSpaces(await edit.locator('[data-role="planned"]').inputValue()), '12 500,50 €');
  });

  it('shows the amount as it was typed once published', { timeout: 2 * TIMEOUT }, async () => {
    const path = `/api/portraits/${TERRITORY}/${edition}`;
    const steps = [
      ['PUT', path, { jeux_acteurs: 'Un tissu associatif rural.', dynamiques_projets: '', free_sections: [] }],
      ['POST', `${path}/transitions`, { to: 'soumis' }],
      ['POST', `${path}/transitions`, { to: 'valide', body: 'Commission territoriale du Ternois', decision_ref: 'CT-TER-1' }],
      ['POST', `${path}/transitions`, { to: 'adopte', body: 'Assemblée départementale', decision_ref: 'AD-TER-1' }],
      ['POST', `${path}/transitions`, { to: 'publie' }],
    ];
    for (const [method, p, body] of steps) {
      const res = await send(page, method, p, body);
      assert.ok(res.status < 300, `${method} ${p} → ${res.status} ${res.body}`);
    }
    await page.goto(`${BASE}/epci/${EPCI}`);
    const card = page.getByTestId('epci-actions').getByTestId('action-card').filter({ hasText: 'Fonds d’amorçage' });
    await card.waitFor({ timeout: TIMEOUT });
    const text = normSpaces(await card.textContent());
    assert.match(text, /prévu 12 500,50 € · réalisé 12 500,50 €/);
    assert.doesNotMatch(text, /1 250 050/);
  });

  it('leads from the public map to the staff space and says who is signed in (item 9)', { timeout: TIMEOUT }, async () => {
    const anonymous = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
    await anonymous.goto(`${BASE}/`);
    const link = anonymous.getByTestId('staff-link');
    assert.equal(normSpaces(await link.textContent()), 'Connexion');
    assert.equal(await link.getAttribute('href'), '/connexion');
    await anonymous.close();
    await page.goto(`${BASE}/`);
    await page.waitForSelector('[data-testid="staff-link"][data-signed-in]', { timeout: TIMEOUT });
    assert.equal(normSpaces(await page.getByTestId('staff-link').textContent()), 'Espace · Chargé de mission ESS');
    assert.equal(await page.getByTestId('staff-link').getAttribute('href'), '/espace');
  });
});
