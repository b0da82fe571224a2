// Browser test of the search box (issue 19, item 8): « CU d'Arras » and « Lens-Liévin »
// gave « Aucune commune trouvée ». Territories, EPCI (names and short names), communes
// and organisations are found, and the map flies to the result at a sensible zoom.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, normSpaces, waitReady, watchPage, assertNoPageErrors } from './support.mjs';

describe('recherche de territoires, EPCI, communes et organisations (navigateur)', { timeout: 4 * TIMEOUT }, () => {
  let browser;
  let page;
  const errors = [];

  before(async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
    page = await context.newPage();
    watchPage(page, errors);
    await page.goto(`${BASE}/`);
    await waitReady(page);
  });

  after(async () => {
    await browser?.close();
  });

  afterEach(() => assertNoPageErrors(errors));

  /** Types `q`, waits for an option of `kind` (an attribute selector's tail), returns the options' kinds and names. */
  async function search(q, kind) {
    const input = page.getByTestId('search-input');
    await input.fill('');
    await page.getByTestId('search-results').waitFor({ state: 'hidden', timeout: TIMEOUT / 3 });
    await input.fill(q);
    await page.locator(`[data-testid="search-option"][data-kind="${kind}"]`).first().waitFor({ timeout: TIMEOUT / 3 });
    return page.getByTestId('search-option').evaluateAll((els) => els.map((e) => [e.dataset.kind, e.querySelector('.search-option-name').textContent]));
  }

  it('finds an EPCI by its short name and flies to it', { timeout: TIMEOUT }, async () => {
    const options = await search("CU d'Arras", 'epci');
    assert.deepEqual(options[0], ['epci', "CU d'Arras"]);
    await page.getByTestId('search-input').press('Enter');
    await page.waitForFunction(() => document.body.dataset.zone === 'epci:200033579', null, { timeout: TIMEOUT });
    assert.equal(normSpaces(await page.getByTestId('zone-name').textContent()), "Communauté urbaine d'Arras");
    assert.equal(await page.getByTestId('level-epci').getAttribute('aria-pressed'), 'true');
    // The whole EPCI in view, not a street.
    await page.waitForFunction(() => !window.essAtlas.map.isMoving(), null, { timeout: TIMEOUT });
    const view = await page.evaluate(() => {
      const { map, data } = window.essAtlas;
      const b = data.epci.get('200033579').bbox;
      const bounds = map.getBounds();
      return { zoom: map.getZoom(), inside: bounds.contains([b[0], b[1]]) && bounds.contains([b[2], b[3]]) };
    });
    assert.ok(view.inside, 'the EPCI fits the view');
    assert.ok(view.zoom >= 8 && view.zoom <= 11, `zoom ${view.zoom}`);
  });

  it('finds a territory by its name, its EPCI too', { timeout: TIMEOUT }, async () => {
    const options = await search('Lens-Liévin', 'territory');
    assert.deepEqual(options[0], ['territory', 'Lens-Liévin']);
    assert.ok(options.some(([k, n]) => k === 'epci' && /Lens - Liévin/.test(n)), JSON.stringify(options));
    await page.locator('[data-testid="search-option"][data-kind="territory"]').first().click();
    await page.waitForFunction(() => document.body.dataset.zone === 'territory:LEN', null, { timeout: TIMEOUT });
  });

  it('finds an organisation and opens its card', { timeout: TIMEOUT }, async () => {
    const list = await page.evaluate(() => fetch('/api/organisations?q=association&per_page=1').then((r) => r.json()));
    const org = list.items[0];
    const options = await search(org.siret, `organisation"][data-code="${org.siret}`);
    assert.deepEqual(options, [['organisation', org.name]]);
    await page.locator(`[data-testid="search-option"][data-code="${org.siret}"]`).click();
    await page.locator(`[data-testid="org-popup"][data-siret="${org.siret}"]`).waitFor({ timeout: TIMEOUT });
  });
});
