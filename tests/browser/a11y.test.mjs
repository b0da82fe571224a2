// Browser test of accessibility (issue 19, « Must show »): axe-core (a devDependency of
// web/package.json) runs on every page and in the map's main states — the map, a zone's
// panel open (on a desktop and a tablet), the organisations' list open, proportional
// circles shown, the territory and EPCI pages, the login page, the staff space signed in,
// the 404 page — and finds no violation of any impact.
//
// axe's script is evaluated in the page through the DevTools protocol (page.evaluate), so
// that no Content-Security-Policy of ours has to allow it.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BASE, TIMEOUT, getJson, launchBrowser, waitReady, watchPage, assertNoPageErrors } from './support.mjs';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const REFERENT = process.env.ESS_ATLAS_REFERENT || 'referent-arr';
const REFERENT_PASSWORD = process.env.ESS_ATLAS_REFERENT_PASSWORD;

/** axe's violations on the page as it is now, one readable line per rule. */
async function violations(page) {
  await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} — ${(n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160)}`),
    }));
  });
  return found.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`);
}

async function assertAccessible(page, what) {
  const found = await violations(page);
  assert.deepEqual(found, [], `axe-core on ${what}:\n  ${found.join('\n  ')}`);
}

describe('accessibilité, axe-core (navigateur)', { timeout: 12 * TIMEOUT }, () => {
  let browser;
  let page;
  const errors = [];

  before(async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'fr-FR' });
    page = await context.newPage();
    watchPage(page, errors);
  });

  after(async () => {
    await browser?.close();
  });

  afterEach(() => assertNoPageErrors(errors.filter((e) => !/status of 404/.test(e))));

  it('the map, then a zone\'s panel, then the organisations\' list', { timeout: 3 * TIMEOUT }, async () => {
    await page.goto(`${BASE}/`);
    await waitReady(page);
    await page.waitForFunction(() => document.body.dataset.indicator !== 'loading', null, { timeout: TIMEOUT });
    await assertAccessible(page, 'the map');

    // A territory with a published portrait when there is one (its Markdown has headings).
    const published = (await getJson('/api/portraits?published=true')).items || [];
    const code = published.length ? published[0].territory : 'ARR';
    await page.evaluate((c) => window.essAtlas.selectZone(`territory:${c}`), code);
    await page.waitForFunction((c) => document.body.dataset.zone === `territory:${c}`, code, { timeout: TIMEOUT });
    if (published.length) await page.getByTestId('zone-portrait').waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(() => !document.querySelector('#panel-body [aria-busy="true"], #panel-body[aria-busy="true"]'), null, { timeout: TIMEOUT });
    await assertAccessible(page, 'the map with a territory\'s panel open');

    await page.getByTestId('orgs-toggle').click();
    await page.getByTestId('orgs-panel').waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.waitForFunction(() => {
      const t = document.querySelector('[data-testid="orgs-total"]');
      return t && !/Chargement/.test(t.textContent);
    }, null, { timeout: TIMEOUT });
    await assertAccessible(page, 'the map with the organisations\' list open');
  });

  it('the map with a count drawn as circles, and the table open', { timeout: 2 * TIMEOUT }, async () => {
    await page.goto(`${BASE}/#level=epci&ind=ess_jobs&table=1`);
    await page.reload();
    await waitReady(page);
    await page.waitForFunction(() => document.body.dataset.indicator !== 'loading', null, { timeout: TIMEOUT });
    await page.getByTestId('zone-table').waitFor({ state: 'visible', timeout: TIMEOUT });
    await assertAccessible(page, 'the map with circles and the table');
  });

  it('the map on a tablet (1024×768), a zone\'s panel open over circles', { timeout: 2 * TIMEOUT }, async () => {
    const tablet = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'fr-FR', hasTouch: true });
    const p = await tablet.newPage();
    watchPage(p, errors, { label: 'tablet' });
    try {
      await p.goto(`${BASE}/#level=territories&ind=ess_establishments&zone=territory:ARR`);
      await waitReady(p);
      await p.waitForFunction(() => !['', 'loading'].includes(document.body.dataset.indicator || ''), null, { timeout: TIMEOUT });
      await p.getByTestId('zone-name').getByText('Arrageois').waitFor({ timeout: TIMEOUT });
      await p.waitForFunction(() => !document.querySelector('#panel-body [aria-busy="true"], #panel-body[aria-busy="true"]'), null, { timeout: TIMEOUT });
      await assertAccessible(p, 'the map on a tablet with a panel and circles');
    } finally {
      await tablet.close();
    }
  });

  it('the territory page, the EPCI page, the login page and the 404 page', { timeout: 2 * TIMEOUT }, async () => {
    for (const [path, ready] of [
      ['/territoires/ARR', '[data-testid="zone-page"], main'],
      ['/epci/200033579', '[data-testid="zone-page"], main'],
      ['/connexion', 'form'],
      ['/nulle-part', 'h1'],
    ]) {
      await page.goto(`${BASE}${path}`);
      await page.waitForSelector(ready, { timeout: TIMEOUT });
      await page.waitForLoadState('networkidle');
      await assertAccessible(page, path);
    }
  });

  it('the staff space, signed in', { timeout: 2 * TIMEOUT, skip: REFERENT_PASSWORD ? false : 'account not provided (run scripts/browser-tests.sh)' }, async () => {
    await page.goto(`${BASE}/connexion`);
    await page.getByTestId('login-username').fill(REFERENT);
    await page.getByTestId('login-password').fill(REFERENT_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${BASE}/espace`, { timeout: TIMEOUT });
    await page.waitForSelector('body[data-workspace]', { timeout: TIMEOUT });
    await page.waitForLoadState('networkidle');
    await assertAccessible(page, '/espace');
  });
});
