// Browser test of the map on a 1024×768 tablet (issue 19, item 4): the 260 px legend was
// open by default and hid the selected zone, and the sources took a large strip. The
// legend starts folded and folds when a panel opens; the attribution is compact.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, getJson, launchBrowser, waitReady, watchPage, assertNoPageErrors } from './support.mjs';

describe('carte sur une tablette (navigateur)', { timeout: 3 * TIMEOUT }, () => {
  let browser;
  let page;
  const errors = [];

  before(async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'fr-FR', hasTouch: true });
    page = await context.newPage();
    watchPage(page, errors);
  });

  after(async () => {
    await browser?.close();
  });

  afterEach(() => assertNoPageErrors(errors));

  it('fits the top bar in the tablet\'s width, landscape and portrait: every control reachable', { timeout: 2 * TIMEOUT }, async () => {
    for (const viewport of [{ width: 1024, height: 768 }, { width: 768, height: 1024 }]) {
      await page.setViewportSize(viewport);
      await page.goto(`${BASE}/`);
      await waitReady(page);
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
      }));
      assert.ok(scroll <= client, `${viewport.width} px: the page is ${scroll} px wide in a ${client} px window`);
      for (const id of ['search-input', 'orgs-toggle', 'staff-link', 'level-territories', 'level-epci', 'level-communes']) {
        const box = await page.getByTestId(id).boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= viewport.width,
          `${viewport.width} px: ${id} out of the window: ${JSON.stringify(box)}`);
      }
    }
    await page.setViewportSize({ width: 1024, height: 768 });
  });

  it('shows a whole organisation card opened from a link, wherever its point is', { timeout: 2 * TIMEOUT }, async () => {
    // Lens sits where a card fits neither above nor below its point in the département's
    // view: it opened below and ran off the screen.
    const [org] = (await getJson('/api/organisations?territory=LEN&q=lens&per_page=1')).items;
    await page.goto(`${BASE}/#orgs=1&org=${org.siret}`);
    await waitReady(page);
    const popup = page.getByTestId('org-popup');
    await popup.waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.waitForFunction(() => !window.essAtlas.map.isMoving(), null, { timeout: TIMEOUT });
    await page.waitForTimeout(400);
    const box = await popup.boundingBox();
    const map = await page.locator('#map').boundingBox();
    assert.ok(box.y >= map.y && box.y + box.height <= map.y + map.height && box.x >= map.x && box.x + box.width <= map.x + map.width,
      `card ${JSON.stringify(box)} outside the map ${JSON.stringify(map)}`);
    await page.getByTestId('org-popup-open').click({ trial: true });
  });

  it('leaves the selected zone clear of the legend, with compact sources', { timeout: 2 * TIMEOUT }, async () => {
    await page.goto(`${BASE}/#level=territories&zone=territory:ARR`);
    await waitReady(page);
    await page.getByTestId('zone-name').getByText('Arrageois').waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(() => !window.essAtlas.map.isMoving(), null, { timeout: TIMEOUT });
    assert.equal(await page.getByTestId('legend').evaluate((d) => d.open), false, 'the legend starts folded');
    // The zone's outline: no corner of its box, nor its label point, under the legend.
    const { legend, points } = await page.evaluate(() => {
      const { map, data } = window.essAtlas;
      const t = data.territory.get('ARR');
      const r = map.getContainer().getBoundingClientRect();
      const at = (ll) => { const p = map.project(ll); return [r.left + p.x, r.top + p.y]; };
      const l = document.querySelector('[data-testid="legend"]').getBoundingClientRect();
      return { legend: [l.left, l.top, l.right, l.bottom], points: [at(t.label_point)] };
    });
    for (const [x, y] of points) {
      const inside = x >= legend[0] && x <= legend[2] && y >= legend[1] && y <= legend[3];
      assert.equal(inside, false, `the zone's label point ${x},${y} is under the legend ${legend}`);
    }
    const attrib = await page.locator('.maplibregl-ctrl-attrib').boundingBox();
    assert.ok(attrib.height <= 40, `attribution ${attrib.height} px high`);
    assert.equal(await page.locator('.maplibregl-ctrl-attrib.maplibregl-compact').count(), 1, 'compact attribution');
    await page.screenshot({ path: process.env.ESS_ATLAS_TABLET_SCREENSHOT || '/tmp/ess-atlas-tablet.png' });
  });
});
