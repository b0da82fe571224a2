// Browser test of the map page: a real Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core against a running ess-atlas server.
//
//   cd web && npm ci                       # installs maplibre-gl and playwright-core
//   ess-atlas serve --listen 127.0.0.1:18080 …  # in another terminal
//   ESS_ATLAS_URL=http://127.0.0.1:18080 node --test tests/browser/
//
// Environment: ESS_ATLAS_URL (default http://127.0.0.1:18080), CHROMIUM (default /usr/bin/chromium),
// ESS_ATLAS_SCREENSHOT (default /tmp/ess-atlas-map.png).

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, frenchInt, normSpaces, getJson, waitReady, screenPoint, watchPage, assertNoPageErrors } from './support.mjs';


const SCREENSHOT = process.env.ESS_ATLAS_SCREENSHOT || '/tmp/ess-atlas-map.png';

async function zoneName(page) {
  return normSpaces(await page.getByTestId('zone-name').textContent());
}

describe('carte ess-atlas (navigateur)', { timeout: 5 * TIMEOUT }, () => {
  let browser;
  let context;
  let page;
  const pageErrors = [];
  let meta;
  let territories;

  before(async () => {
    meta = await getJson('/api/meta');
    territories = (await getJson('/api/territories')).items;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1366, height: 820 }, locale: 'fr-FR' });
    page = await context.newPage();
    watchPage(page, pageErrors);
  });

  after(async () => {
    await browser?.close();
  });

  // Each test answers for the errors of the pages it drove.
  afterEach(() => assertNoPageErrors(pageErrors));

  it('draws the nine territories with their labels', { timeout: TIMEOUT }, async () => {
    await page.goto(`${BASE}/`);
    await waitReady(page);

    const codes = await page.evaluate(() => {
      const { map } = window.essAtlas;
      const feats = map.queryRenderedFeatures({ layers: ['territories-fill'] });
      return [...new Set(feats.map((f) => String(f.properties.code)))].sort();
    });
    const expected = territories.map((t) => String(t.code)).sort();
    assert.equal(codes.length, 9, `rendered territories: ${codes.join(', ')}`);
    assert.deepEqual(codes, expected);
    // The zones come from the server's vector tiles (its /style.json sources).
    const sources = await page.evaluate(() => ['territories', 'epci', 'communes']
      .map((s) => window.essAtlas.map.getSource(s).type));
    assert.deepEqual(sources, ['vector', 'vector', 'vector']);

    const labels = page.getByTestId('label-territory');
    assert.equal(await labels.count(), 9);
    const texts = (await labels.allTextContents()).map(normSpaces).sort();
    assert.deepEqual(texts, territories.map((t) => t.name).sort());

    // Level control: territories active by default.
    assert.equal(await page.getByTestId('level-territories').getAttribute('aria-pressed'), 'true');

    // Attribution from /api/meta is visible, uncollapsed.
    const attrib = page.locator('.maplibregl-ctrl-attrib');
    assert.ok(await attrib.isVisible(), 'attribution visible');
    assert.ok(normSpaces(await attrib.textContent()).includes(normSpaces(meta.attribution)), 'attribution text from /api/meta');

    // Demo badge only with "demo": true.
    assert.equal(await page.getByTestId('demo-badge').isVisible(), meta.demo === true);
  });

  it('opens the panel of a territory clicked on the map', { timeout: TIMEOUT }, async () => {
    const arr = territories.find((t) => t.code === 'ARR');
    assert.ok(arr, 'territory ARR in /api/territories');
    const { x, y } = await screenPoint(page, arr.label_point);
    await page.mouse.click(x, y);

    const panel = page.getByTestId('zone-panel');
    await panel.waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.waitForFunction(() => document.querySelector('[data-testid="zone-name"]').textContent === 'Arrageois', null, { timeout: TIMEOUT });
    assert.equal(await zoneName(page), 'Arrageois');
    assert.match(normSpaces(await page.getByTestId('zone-kind').textContent()), /Territoire/);

    // Population in French: "213 287" (Intl puts U+202F between groups).
    const figures = normSpaces(await page.getByTestId('zone-figures').textContent());
    assert.ok(figures.includes(frenchInt(arr.population)), `population ${frenchInt(arr.population)} in « ${figures} »`);
    if (arr.population === 213287) assert.ok(figures.includes('213 287'));
    const area = arr.area_km2.toFixed(1).replace('.', ',').replace(/\B(?=(\d{3})+(?!\d))/, ' ');
    assert.ok(figures.includes(`${area} km²`), `area ${area} km² in « ${figures} »`);

    // Children once the detail has arrived, and the hash records the selection.
    await page.getByTestId('zone-children-epci').waitFor({ timeout: TIMEOUT });
    assert.ok((await page.getByTestId('zone-children-epci').getByTestId('zone-link').count()) >= 1);
    await page.waitForFunction(() => window.location.hash.includes('zone=territory:ARR'), null, { timeout: TIMEOUT });

    await page.waitForTimeout(400);
    await page.screenshot({ path: SCREENSHOT });
  });

  it('opens a child EPCI from the territory panel', { timeout: TIMEOUT }, async () => {
    const link = page.getByTestId('zone-children-epci').locator('[data-zone="epci:200033579"]');
    const target = (await link.count()) ? link : page.getByTestId('zone-children-epci').getByTestId('zone-link').first();
    const zone = await target.getAttribute('data-zone');
    const code = zone.split(':')[1];
    const epci = await getJson(`/api/epci/${code}`);

    await target.click();
    await page.waitForFunction((name) => document.querySelector('[data-testid="zone-name"]').textContent === name, epci.name, { timeout: TIMEOUT });
    assert.equal(await zoneName(page), normSpaces(epci.name));
    assert.match(normSpaces(await page.getByTestId('zone-kind').textContent()), new RegExp(`EPCI.*${epci.kind}`));
    assert.equal(await page.getByTestId('level-epci').getAttribute('aria-pressed'), 'true');
    // Its parents (territory, département) are listed and clickable.
    const parents = await page.getByTestId('zone-parents').getByTestId('zone-link').evaluateAll((els) => els.map((e) => e.dataset.zone));
    assert.ok(parents.includes(`territory:${epci.territory.code}`), `parents: ${parents}`);
    await page.waitForFunction((z) => window.location.hash.includes('level=epci') && window.location.hash.includes(`zone=${z}`) && window.location.hash.includes('map='), zone, { timeout: TIMEOUT });
  });

  it('restores the same view from the URL hash', { timeout: TIMEOUT }, async () => {
    await page.waitForFunction(() => !window.essAtlas.map.isMoving(), null, { timeout: TIMEOUT });
    await page.waitForTimeout(400); // let the hash catch up with the end of the camera move
    const before = await page.evaluate(() => ({
      hash: window.location.hash, name: document.querySelector('[data-testid="zone-name"]').textContent,
      zoom: window.essAtlas.map.getZoom(), center: window.essAtlas.map.getCenter().toArray(),
    }));

    const fresh = await context.newPage();
    try {
      await fresh.goto(`${BASE}/${before.hash}`);
      await waitReady(fresh);
      await fresh.getByTestId('zone-panel').waitFor({ state: 'visible', timeout: TIMEOUT });
      await fresh.waitForFunction((name) => document.querySelector('[data-testid="zone-name"]').textContent === name, before.name, { timeout: TIMEOUT });
      assert.equal(await fresh.getByTestId('level-epci').getAttribute('aria-pressed'), 'true');
      const after = await fresh.evaluate(() => ({
        zoom: window.essAtlas.map.getZoom(), center: window.essAtlas.map.getCenter().toArray(),
      }));
      assert.ok(Math.abs(after.zoom - before.zoom) < 0.05, `zoom ${after.zoom} vs ${before.zoom}`);
      assert.ok(Math.abs(after.center[0] - before.center[0]) < 0.01 && Math.abs(after.center[1] - before.center[1]) < 0.01,
        `center ${after.center} vs ${before.center}`);
      // The selected EPCI is outlined.
      const selected = await fresh.evaluate(() => window.essAtlas.map.queryRenderedFeatures({ layers: ['epci-selected'] }).length);
      assert.ok(selected > 0, 'selected outline drawn');
    } finally {
      await fresh.close();
    }

    // A plain reload of the first page gives the same result.
    await page.reload();
    await waitReady(page);
    await page.waitForFunction((name) => document.querySelector('[data-testid="zone-name"]').textContent === name, before.name, { timeout: TIMEOUT });
  });

  it('finds a commune with the search box', { timeout: TIMEOUT }, async () => {
    const input = page.getByTestId('search-input');
    await input.fill('arras');
    const option = page.getByTestId('search-option').filter({ hasText: 'Arras' }).first();
    await option.waitFor({ timeout: TIMEOUT });
    assert.ok((await page.getByTestId('search-option').count()) <= 10);
    await input.press('ArrowDown');
    await page.waitForFunction(() => document.querySelector('[data-testid="search-input"]').getAttribute('aria-activedescendant'));
    await option.click();
    await page.waitForFunction(() => document.querySelector('[data-testid="zone-name"]').textContent === 'Arras', null, { timeout: TIMEOUT });
    assert.match(normSpaces(await page.getByTestId('zone-subtitle').textContent()), /62041/);
    assert.equal(await page.getByTestId('level-communes').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('zone-parents').waitFor({ timeout: TIMEOUT });
    const parents = await page.getByTestId('zone-parents').getByTestId('zone-link').evaluateAll((els) => els.map((e) => e.dataset.zone.split(':')[0]));
    assert.deepEqual(parents, ['department', 'territory', 'epci']);

    // Escape closes the panel and clears the selection from the hash.
    await page.getByTestId('zone-name').focus();
    await page.keyboard.press('Escape');
    await page.getByTestId('zone-panel').waitFor({ state: 'hidden', timeout: TIMEOUT });
    await page.waitForFunction(() => !window.location.hash.includes('zone='), null, { timeout: TIMEOUT });
  });

  it('asks to zoom in when the communes start deeper than the view (a national geography)', { timeout: TIMEOUT }, async () => {
    // The Pas-de-Calais communes tile from zoom 0: the hint never shows.
    await page.getByTestId('level-communes').click();
    assert.equal(await page.getByTestId('zoom-hint').isHidden(), true);
    await page.getByTestId('level-territories').click();

    // A server over all of France announces its communes from zoom 7 (too many to
    // draw below): stand in for one by raising the TileJSON's minzoom above the view.
    const national = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'fr-FR' });
    const other = await national.newPage();
    watchPage(other, pageErrors, { label: 'national' });
    // France's extent reaches the overseas départements (the map once failed to start:
    // its margins went past the poles).
    await other.route(/\/api\/meta$/, async (route) => {
      const res = await route.fetch();
      const json = await res.json();
      json.department.bbox = [-61.809839, -21.388986, 55.836654, 51.088989];
      await route.fulfill({ response: res, json });
    });
    await other.route(/\/tiles\/communes\.json/, async (route) => {
      const res = await route.fetch();
      const json = await res.json();
      json.minzoom = 11;
      for (const l of json.vector_layers || []) l.minzoom = 11;
      await route.fulfill({ response: res, json });
    });
    await other.goto(`${BASE}/`);
    await waitReady(other);
    assert.ok(await other.evaluate(() => window.essAtlas.map.getZoom()) < 11);
    const hint = other.getByTestId('zoom-hint');
    assert.equal(await hint.isHidden(), true, 'no hint at the territories level');
    await other.getByTestId('level-communes').click();
    await hint.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.equal(normSpaces(await hint.locator('span').textContent()), 'Zoomez pour afficher les communes');
    await hint.getByRole('button', { name: 'Zoomer' }).click();
    await hint.waitFor({ state: 'hidden', timeout: TIMEOUT });
    assert.ok(await other.evaluate(() => window.essAtlas.map.getZoom()) >= 11);
    // Back to the EPCI level: drawn at any zoom, no hint.
    await other.evaluate(() => window.essAtlas.map.jumpTo({ zoom: 8 }));
    await other.getByTestId('level-epci').click();
    assert.equal(await hint.isHidden(), true);
    await national.close();
  });
});
