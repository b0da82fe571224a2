// Browser test of what a user meets when something goes wrong (issue 19, item 10): an
// unknown page and a bad fiche link answer a French page (not the browser's empty error
// page, not raw JSON); a territory that does not exist offers no fiche; codes are read
// whatever their case; the « Le serveur ne répond pas » banner clears once the server
// answers again.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, normSpaces, waitReady, watchPage, assertNoPageErrors } from './support.mjs';

describe('erreurs en français et bandeaux qui s’effacent (navigateur)', { timeout: 5 * TIMEOUT }, () => {
  let browser;
  let page;
  const errors = [];

  before(async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
    page = await context.newPage();
    watchPage(page, errors);
  });

  after(async () => {
    await browser?.close();
  });

  // The 404s asked for on purpose, and the requests cut on purpose, are not the page's errors.
  afterEach(() => assertNoPageErrors(errors.filter((e) => !/status of 40[04]|ERR_CONNECTION_REFUSED|ERR_FAILED/.test(e))));

  it('answers a French page for an unknown address and a bad fiche link', { timeout: TIMEOUT }, async () => {
    for (const path of ['/nulle-part', '/territoires/XXX/fiche', '/territoires/XXX/fiche.pdf', '/epci/123/fiche.xlsx']) {
      const res = await page.goto(`${BASE}${path}`);
      assert.equal(res.status(), 404, path);
      assert.match(res.headers()['content-type'], /^text\/html/, path);
      assert.equal(normSpaces(await page.locator('h1').textContent()), 'Page introuvable', path);
      assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
      assert.equal(await page.getByRole('link', { name: 'Retour à la carte' }).getAttribute('href'), '/');
    }
    const res = await page.goto(`${BASE}/territoires/ARR/fiche?edition=demain`);
    assert.equal(res.status(), 400);
    assert.equal(normSpaces(await page.locator('h1').textContent()), 'Lien incorrect');
  });

  it('offers no fiche for a territory that does not exist, and reads codes in any case', { timeout: TIMEOUT }, async () => {
    // An unknown zone is a 404 with the French error page, which offers no fiche.
    for (const path of ['/territoires/XXX', '/epci/123456789']) {
      const res = await page.goto(`${BASE}${path}`);
      assert.equal(res.status(), 404, path);
      assert.equal(normSpaces(await page.locator('h1').textContent()), 'Page introuvable', path);
      assert.equal(await page.getByTestId('fiche-link').count(), 0);
      assert.equal(await page.getByTestId('zone-downloads').count(), 0);
    }

    await page.goto(`${BASE}/territoires/arr`);
    await page.getByTestId('page-title').getByText('Arrageois').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.getByTestId('fiche-link').getAttribute('href'), '/territoires/ARR/fiche');
    await page.getByTestId('page-keyfigures').waitFor({ timeout: TIMEOUT });
  });

  it('clears the « Le serveur ne répond pas » banner once the server answers again', { timeout: 2 * TIMEOUT }, async () => {
    await page.goto(`${BASE}/`);
    await waitReady(page);
    // The server stops answering the indicators' requests…
    const cut = (route) => route.abort('connectionrefused');
    await page.route('**/api/indicators?*', cut);
    await page.getByTestId('ind-indicator').selectOption('ess_employers');
    const banner = page.getByTestId('error');
    await banner.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(normSpaces(await banner.textContent()), /Le serveur ne répond pas/);
    // …then answers again: the banner goes away by itself and the indicator is drawn.
    await page.unroute('**/api/indicators?*', cut);
    await banner.waitFor({ state: 'hidden', timeout: TIMEOUT });
    await page.waitForFunction(() => document.querySelector('[data-testid="legend-choro-title"]')?.textContent.includes('employeurs'), null, { timeout: TIMEOUT });
  });
});
