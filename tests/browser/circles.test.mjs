// Browser test of proportional circles (issue 19, item 6): a count (establishments, jobs,
// euros of subsidies) is drawn by default as circles at the zones' label points, whose area
// is proportional to the value, with a legend of round reference circles; a ratio stays a
// choropleth; « Cercles / Aplats » switches a count to a choropleth and back, and the link
// keeps the choice. A masked cell (« s ») gets no circle: its zone stays hatched.
//
// Environment: ESS_ATLAS_URL, CHROMIUM, ESS_ATLAS_CIRCLES_SCREENSHOT (prefix, default
// /tmp/ess-atlas-circles): a desktop (1440×900) and a tablet (1024×768) screenshot.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, normSpaces, getJson, waitReady, watchPage, assertNoPageErrors } from './support.mjs';

const SHOTS = process.env.ESS_ATLAS_CIRCLES_SCREENSHOT || '/tmp/ess-atlas-circles';

/** Waits until the map shows the /api/indicators answer whose query holds every `parts`. */
async function waitIndicator(page, parts) {
  await page.waitForFunction((want) => {
    const key = document.body.dataset.indicator || '';
    if (!key || key === 'loading' || key === 'error') return false;
    const have = key.split('&').map(decodeURIComponent);
    return want.every((p) => have.includes(p));
  }, parts, { timeout: TIMEOUT });
}

/** The circles the map draws, by zone code: { r, visible }. */
async function drawnCircles(page) {
  await page.waitForFunction(() => window.essAtlas.map.loaded() && !window.essAtlas.map.isMoving(), null, { timeout: TIMEOUT });
  return page.evaluate(() => {
    const { map } = window.essAtlas;
    const visible = map.getLayoutProperty('ind-circles', 'visibility') !== 'none';
    const byCode = {};
    for (const f of map.queryRenderedFeatures({ layers: ['ind-circles'] })) byCode[f.properties.code] = f.properties.r;
    return { visible, byCode };
  });
}

describe('cercles proportionnels (navigateur)', { timeout: 8 * TIMEOUT }, () => {
  let browser;
  let context;
  let page;
  const errors = [];
  let latest;
  let enabled = false;

  before(async () => {
    const meta = await getJson('/api/meta');
    enabled = Array.isArray(meta.editions) && meta.editions.length > 0;
    latest = enabled ? meta.editions[meta.editions.length - 1] : null;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'fr-FR' });
    page = await context.newPage();
    watchPage(page, errors, { warnings: /could not be loaded/ });
  });

  after(async () => {
    await browser?.close();
  });

  afterEach(() => assertNoPageErrors(errors));

  it('draws a count as circles whose area is proportional to the value, a ratio as a choropleth', { timeout: 2 * TIMEOUT }, async (t) => {
    if (!enabled) {
      t.skip('no edition imported');
      return;
    }
    await page.goto(`${BASE}/#level=epci`);
    await waitReady(page);
    // A ratio (the default, the share of jobs): classes, no circles, no toggle.
    await waitIndicator(page, ['level=epci', 'indicator=ess_share_jobs']);
    assert.equal((await drawnCircles(page)).visible, false, 'no circles for a share');
    assert.equal(await page.getByTestId('ind-rep').isVisible(), false, 'no « Cercles / Aplats » for a ratio');
    assert.equal((await page.evaluate(() => window.essAtlas.map.getPaintProperty('epci-fill', 'fill-color')))[0], 'match');

    // A count: circles by default.
    await page.getByTestId('ind-indicator').selectOption('ess_jobs');
    await waitIndicator(page, ['level=epci', 'indicator=ess_jobs', `edition=${latest}`]);
    const api = await getJson(`/api/indicators?level=epci&indicator=ess_jobs&edition=${latest}`);
    const { visible, byCode } = await drawnCircles(page);
    assert.equal(visible, true, 'circles shown for a count');
    const shown = api.items.filter((i) => !i.secret && i.value > 0);
    assert.deepEqual(Object.keys(byCode).sort(), shown.map((i) => String(i.code)).sort(), 'one circle per EPCI with a value');
    // Area ∝ value: r² / value is the same for every circle (radii are rounded to 0.1 px).
    const max = shown.reduce((a, b) => (b.value > a.value ? b : a));
    const radius = (v) => byCode[max.code] * Math.sqrt(v / max.value);
    for (const it of shown) {
      if (radius(it.value) < 1.5) continue; // the smallest are drawn as visible dots
      assert.ok(Math.abs(radius(it.value) - byCode[it.code]) <= 0.15, `circle of ${it.code}: r=${byCode[it.code]} for ${it.value}, not ${radius(it.value)}`);
    }
    // Under the circles the zones are not classed.
    assert.equal(typeof await page.evaluate(() => window.essAtlas.map.getPaintProperty('epci-fill', 'fill-color')), 'string');
    // Legend: two or three round reference circles, largest first, in French.
    const legend = page.getByTestId('legend-circles');
    await page.getByTestId('legend').evaluate((d) => { d.open = true; });
    assert.ok(await legend.isVisible(), 'circle legend shown');
    const refs = await legend.getByTestId('legend-circle').evaluateAll((cs) => cs.map((c) => [Number(c.dataset.value), Number(c.getAttribute('r'))]));
    // The legend is drawn at the map's zoom: radii at the reference zoom × its scale.
    const scale = Number(await legend.locator('svg').getAttribute('data-scale'));
    assert.ok(scale > 0.2 && scale <= 2, `scale ${scale}`);
    assert.ok(refs.length >= 2 && refs.length <= 3, `reference circles: ${JSON.stringify(refs)}`);
    for (let i = 1; i < refs.length; i += 1) assert.ok(refs[i][0] < refs[i - 1][0] && refs[i][1] < refs[i - 1][1]);
    for (const [v, r] of refs) {
      assert.match(String(v), /^[125]0*$/, `round value ${v}`);
      assert.ok(Math.abs(radius(v) * scale - r) <= 0.15, `legend circle ${v}: r=${r}, on the map ${radius(v) * scale}`);
    }
    const labels = (await legend.locator('text').allTextContents()).map(normSpaces);
    assert.deepEqual(labels, refs.map(([v]) => String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ' ')));
    assert.equal(await page.getByTestId('legend-class').count(), 0, 'no colour classes');
    assert.equal(await page.getByTestId('legend-method-jenks').isVisible(), false);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}-desktop.png` });

    // Where the largest circle spills over a neighbour, the pointer is on the circle's zone:
    // the tooltip names it and a click opens it.
    const spill = await page.evaluate(({ circles, scale: k }) => {
      const { map, data } = window.essAtlas;
      const box = map.getContainer().getBoundingClientRect();
      for (const [code, r] of circles) {
        const c = map.project(data.epci.get(String(code)).label_point);
        for (let a = 0; a < 2 * Math.PI; a += Math.PI / 16) {
          const p = [c.x + 0.85 * r * k * Math.cos(a), c.y + 0.85 * r * k * Math.sin(a)];
          const under = map.queryRenderedFeatures(p, { layers: ['epci-fill'] })[0];
          if (under && String(under.properties.code) !== String(code)) {
            return { code: String(code), x: box.left + p[0], y: box.top + p[1], neighbour: String(under.properties.code) };
          }
        }
      }
      return null;
    }, { circles: Object.entries(byCode).sort((a, b) => b[1] - a[1]), scale });
    assert.ok(spill, 'a circle spills over a neighbour');
    if (spill) {
      await page.mouse.move(spill.x, spill.y);
      const tip = page.locator('.map-tooltip strong');
      await tip.waitFor({ state: 'visible', timeout: TIMEOUT });
      const shortName = await page.evaluate((c) => {
        const e = window.essAtlas.data.epci.get(c);
        return e.short_name || e.name;
      }, spill.code);
      assert.equal(normSpaces(await tip.textContent()), normSpaces(shortName), `tooltip over ${spill.code}'s circle, above ${spill.neighbour}`);
      await page.mouse.click(spill.x, spill.y);
      await page.waitForFunction((c) => document.body.dataset.zone === `epci:${c}`, spill.code, { timeout: TIMEOUT });
    }
  });

  it('switches a count to a choropleth and back with « Cercles / Aplats », kept in the link', { timeout: 2 * TIMEOUT }, async (t) => {
    if (!enabled) {
      t.skip('no edition imported');
      return;
    }
    const rep = page.getByTestId('ind-rep');
    assert.ok(await rep.isVisible(), 'toggle shown for a count');
    assert.equal(await page.getByTestId('ind-rep-circles').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('ind-rep-choropleth').click();
    await page.waitForFunction(() => window.location.hash.includes('rep=choropleth'), null, { timeout: TIMEOUT });
    await page.waitForFunction(() => window.essAtlas.map.getLayoutProperty('ind-circles', 'visibility') === 'none', null, { timeout: TIMEOUT });
    assert.equal((await page.evaluate(() => window.essAtlas.map.getPaintProperty('epci-fill', 'fill-color')))[0], 'match');
    assert.ok(await page.getByTestId('legend-class').count() >= 2, 'colour classes');
    assert.equal(await page.getByTestId('legend-circles').isVisible(), false);
    assert.equal(await page.getByTestId('ind-rep-choropleth').getAttribute('aria-pressed'), 'true');

    // The link restores the choropleth.
    const hash = await page.evaluate(() => window.location.hash);
    const fresh = await context.newPage();
    watchPage(fresh, errors, { label: 'shared link' });
    try {
      await fresh.goto(`${BASE}/${hash}`);
      await waitReady(fresh);
      await waitIndicator(fresh, ['level=epci', 'indicator=ess_jobs']);
      assert.equal((await drawnCircles(fresh)).visible, false);
      assert.equal(await fresh.getByTestId('ind-rep-choropleth').getAttribute('aria-pressed'), 'true');
    } finally {
      await fresh.close();
    }

    await page.getByTestId('ind-rep-circles').click();
    await page.waitForFunction(() => !window.location.hash.includes('rep='), null, { timeout: TIMEOUT });
    assert.equal((await drawnCircles(page)).visible, true);

    // An evolution may be negative: it is a choropleth, without the toggle; circles come back after.
    const meta = await getJson('/api/meta');
    if (meta.editions.length > 1) {
      await page.getByTestId('ind-compare').selectOption(String(meta.editions[0]));
      await waitIndicator(page, ['indicator=ess_jobs', `compare_edition=${meta.editions[0]}`]);
      assert.equal((await drawnCircles(page)).visible, false, 'no circles for an evolution');
      assert.equal(await rep.isVisible(), false, 'no toggle for an evolution');
      await page.getByTestId('ind-compare').selectOption('');
      await page.waitForFunction(() => !window.location.hash.includes('vs='), null, { timeout: TIMEOUT });
      await page.waitForFunction(() => window.essAtlas.map.getLayoutProperty('ind-circles', 'visibility') === 'visible', null, { timeout: TIMEOUT });
    }
  });

  it('draws no circle for a masked commune, which stays hatched', { timeout: 2 * TIMEOUT }, async (t) => {
    if (!enabled) {
      t.skip('no edition imported');
      return;
    }
    const api = await getJson(`/api/indicators?level=commune&indicator=ess_establishments&edition=${latest}`);
    const masked = api.items.filter((i) => i.secret);
    if (!masked.length) {
      t.skip('no masked commune in this data');
      return;
    }
    await page.getByTestId('ind-indicator').selectOption('ess_establishments');
    await page.getByTestId('level-communes').click();
    await waitIndicator(page, ['level=commune', 'indicator=ess_establishments', `edition=${latest}`]);
    const { visible, byCode } = await drawnCircles(page);
    assert.equal(visible, true);
    const drawn = masked.filter((i) => String(i.code) in byCode).map((i) => i.code);
    assert.deepEqual(drawn, [], 'masked communes drawn as circles');
    const hatched = await page.evaluate(() => JSON.stringify(window.essAtlas.map.getFilter('communes-secret')));
    for (const i of masked) assert.ok(hatched.includes(`"${i.code}"`), `commune ${i.code} hatched`);
    // Every commune with a value has its circle; the legend counts the masked ones.
    const shown = api.items.filter((i) => !i.secret && i.value > 0);
    assert.equal(Object.keys(byCode).length, shown.length);
    assert.ok(normSpaces(await page.getByTestId('legend-secret').textContent()).endsWith(String(masked.length)));
  });

  it('fits circles on a tablet (1024×768)', { timeout: 2 * TIMEOUT }, async (t) => {
    if (!enabled) {
      t.skip('no edition imported');
      return;
    }
    const tablet = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'fr-FR', hasTouch: true });
    const p = await tablet.newPage();
    watchPage(p, errors, { label: 'tablet', warnings: /could not be loaded/ });
    try {
      await p.goto(`${BASE}/#level=territories&ind=ess_subsidies&year=${latest}&zone=territory:ARR`);
      await waitReady(p);
      await waitIndicator(p, ['level=territory', 'indicator=ess_subsidies']);
      const { visible, byCode } = await drawnCircles(p);
      assert.equal(visible, true);
      assert.ok(Object.keys(byCode).length >= 1);
      await p.waitForTimeout(300);
      await p.screenshot({ path: `${SHOTS}-tablet.png` });
    } finally {
      await tablet.close();
    }
  });
});
