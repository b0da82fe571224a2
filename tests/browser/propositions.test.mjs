// Browser test of partners' proposals (issue 20): the CRESS's partner account proposes a
// new orientation for the Arrageois from /espace; the referent accepts it in /espace; the
// partner then reads it accepted, and the orientation exists, credited to the CRESS.
//
// scripts/browser-tests.sh creates the accounts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, getJson } from './support.mjs';

const REFERENT = process.env.ESS_ATLAS_REFERENT || 'referent-arr';
const REFERENT_PASSWORD = process.env.ESS_ATLAS_REFERENT_PASSWORD;
const PARTNER = process.env.ESS_ATLAS_PARTNER || 'partenaire-cress';
const PARTNER_PASSWORD = process.env.ESS_ATLAS_PARTNER_PASSWORD;
const MARK = `Observer l'emploi de l'ESS ${Date.now()}`;

async function login(browser, username, password) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(`${BASE}/connexion`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`${BASE}/espace`, { timeout: TIMEOUT });
  await page.waitForSelector('[data-testid="staff-propositions"]:not([hidden]) [data-testid="proposal-list"]', { timeout: TIMEOUT });
  return { context, page };
}

describe('propositions des partenaires : proposition, acceptation, crédit (navigateur)', {
  timeout: 4 * TIMEOUT,
  skip: REFERENT_PASSWORD && PARTNER_PASSWORD ? false : 'accounts not provided (run scripts/browser-tests.sh)',
}, () => {
  let browser;
  let edition;

  before(async () => {
    const editions = (await getJson('/api/editions')).items.map((e) => e.year).sort((a, b) => a - b);
    [edition] = editions;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('the partner proposes, the referent accepts, the proposal is credited', { timeout: 3 * TIMEOUT }, async () => {
    const partner = await login(browser, PARTNER, PARTNER_PASSWORD);
    // A partner sees its space only: no dashboard, no staff tools.
    assert.equal(await partner.page.getByTestId('staff-dashboard').isVisible(), false);
    assert.equal(await partner.page.getByTestId('staff-imports').isVisible(), false);
    const form = partner.page.getByTestId('proposal-form');
    await form.getByTestId('proposal-territory').selectOption('ARR');
    await form.getByTestId('proposal-edition').selectOption(String(edition));
    await form.getByTestId('proposal-kind').selectOption('orientation');
    await form.getByTestId('proposal-title').fill(MARK);
    await form.getByTestId('proposal-body').fill('Un tableau de bord annuel de l’emploi, avec l’observatoire régional.');
    await form.getByRole('button', { name: 'Envoyer la proposition' }).click();
    await partner.page.getByTestId('proposal-message').filter({ hasText: 'envoyée' }).waitFor({ timeout: TIMEOUT });
    await partner.page.getByTestId('proposal-item').filter({ hasText: MARK }).waitFor({ timeout: TIMEOUT });

    const referent = await login(browser, REFERENT, REFERENT_PASSWORD);
    const item = referent.page.getByTestId('proposal-item').filter({ hasText: MARK });
    await item.waitFor({ timeout: TIMEOUT });
    assert.match(await item.textContent(), /Proposé par : CRESS Hauts-de-France/);
    await item.getByRole('button', { name: 'Accepter', exact: true }).click();
    await referent.page.getByTestId('proposal-message').filter({ hasText: 'décision enregistrée' }).waitFor({ timeout: TIMEOUT });

    await partner.page.reload();
    const accepted = partner.page.locator('[data-testid="proposal-item"][data-status="acceptee"]').filter({ hasText: MARK });
    await accepted.waitFor({ timeout: TIMEOUT });
    const context = await partner.page.evaluate(async (e) => (await fetch(`/api/propositions/contexte?territory=ARR&edition=${e}`)).json(), edition);
    const created = context.orientations.find((o) => o.title === MARK);
    assert.ok(created, 'the orientation was created');
    const credit = context.partner_credits.find((c) => c.orientation_id === created.id);
    assert.equal(credit && credit.organisation, 'CRESS Hauts-de-France');
    await Promise.all([partner.context.close(), referent.context.close()]);
  });
});
