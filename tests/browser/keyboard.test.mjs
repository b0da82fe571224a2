// Browser test of keyboard use and headings (issue 19, « also »): territories and EPCI
// could be selected from the map only with a pointer (or through the table); the EPCI
// page's action titles skipped a heading level (axe `heading-order`).

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, waitReady, watchPage, assertNoPageErrors } from './support.mjs';

/** Every heading level of the page in document order; a level may go down by one at most. */
async function headingJumps(page) {
  const levels = await page.locator('h1, h2, h3, h4, h5, h6').evaluateAll((hs) => hs
    .filter((h) => h.offsetParent !== null || h.classList.contains('visually-hidden'))
    .map((h) => [Number(h.tagName[1]), h.textContent.trim().slice(0, 40)]));
  const jumps = [];
  for (let i = 1; i < levels.length; i += 1) {
    if (levels[i][0] > levels[i - 1][0] + 1) jumps.push(`${levels[i - 1][1]} (h${levels[i - 1][0]}) → ${levels[i][1]} (h${levels[i][0]})`);
  }
  return jumps;
}

describe('clavier et titres (navigateur)', { timeout: 4 * TIMEOUT }, () => {
  let browser;
  let page;
  const errors = [];

  before(async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'fr-FR' });
    page = await context.newPage();
    watchPage(page, errors);
  });

  after(async () => {
    await browser?.close();
  });

  afterEach(() => assertNoPageErrors(errors));

  it('selects a territory, then an EPCI, from the map with the keyboard', { timeout: TIMEOUT }, async () => {
    await page.goto(`${BASE}/`);
    await waitReady(page);
    const label = page.locator('[data-testid="label-territory"][data-code="TER"]');
    assert.equal(await label.getAttribute('role'), 'button');
    assert.match(await label.getAttribute('aria-label'), /Territoire Ternois/);
    await label.focus();
    const outline = await label.evaluate((e) => getComputedStyle(e).outlineStyle);
    assert.notEqual(outline, 'none', 'the focus is visible');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.zone === 'territory:TER', null, { timeout: TIMEOUT });
    // The focus went to the panel's title: the reader hears the zone.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'zone-name');

    await page.getByTestId('level-epci').click();
    const epci = page.locator('[data-testid="label-epci"]').first();
    await epci.waitFor({ timeout: TIMEOUT });
    const code = await epci.getAttribute('data-code');
    await epci.focus();
    await page.keyboard.press(' ');
    await page.waitForFunction((c) => document.body.dataset.zone === `epci:${c}`, code, { timeout: TIMEOUT });
  });

  it('keeps the headings in order on the EPCI and territory pages', { timeout: TIMEOUT }, async () => {
    // The CC du Ternois has a published action once budgets.test.mjs has run (files run in order).
    for (const path of ['/epci/200033579', '/epci/200069672', '/territoires/ARR']) {
      await page.goto(`${BASE}${path}`);
      await page.getByTestId('page-keyfigures').waitFor({ timeout: TIMEOUT });
      await page.waitForFunction(() => !document.getElementById('page').hasAttribute('aria-busy'), null, { timeout: TIMEOUT });
      assert.deepEqual(await headingJumps(page), [], path);
    }
  });
});
