// Browser test of the organisations layer, filters and list (same set-up as map.test.mjs).
//
// The harness starts the server on a fresh database, so what it holds is not ours to choose:
// an empty registry (no edition imported) must show a clear French message; a filled one
// (sample files, demo editions) must show points, a list whose total matches the API, filters
// that refetch both, and a URL that restores them.
//
//   ESS_ATLAS_URL=http://127.0.0.1:18080 node --test tests/browser/

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, frenchInt, normSpaces, getJson, waitReady, watchPage, assertNoPageErrors } from './support.mjs';


const SCREENSHOT = process.env.ESS_ATLAS_ORGS_SCREENSHOT || '/tmp/ess-atlas-organisations.png';
const FAMILIES = ['association', 'cooperative', 'mutuelle', 'fondation', 'societe_commerciale_ess'];

/** Waits until the list shows the answer for filters containing every `parts` ("family=…"). */
async function waitList(page, parts = []) {
  await page.waitForFunction((want) => {
    const panel = document.querySelector('[data-testid="orgs-panel"]');
    if (!panel || panel.dataset.state !== 'ready') return false;
    const key = decodeURIComponent(panel.dataset.key || '');
    return want.every((p) => key.split('&').includes(p));
  }, parts, { timeout: TIMEOUT });
  return Number(await page.getByTestId('orgs-total').getAttribute('data-total'));
}

/** Waits until the points layer holds the answer for filters containing every `parts`. */
async function waitLayer(page, parts = []) {
  await page.waitForFunction((want) => {
    const key = decodeURIComponent(document.body.dataset.orgsLayer || '');
    if (!key || key === 'loading' || key === 'error') return false;
    return want.every((p) => key.split('&').includes(p));
  }, parts, { timeout: TIMEOUT });
}

/** What the organisations layers draw: unique clusters and points, with their counts. */
async function rendered(page) {
  return page.evaluate(() => {
    const { map } = window.essAtlas;
    const feats = map.queryRenderedFeatures({ layers: ['orgs-clusters', 'orgs-points'] });
    const clusters = new Map();
    const points = new Map();
    for (const f of feats) {
      const p = f.properties;
      if (p.point_count) clusters.set(p.cluster_id, p);
      else points.set(p.siret, p);
    }
    const total = [...clusters.values()].reduce((s, p) => s + p.point_count, 0) + points.size;
    return { total, clusters: [...clusters.values()], points: [...points.values()] };
  });
}

/** Resolves once the map has rendered everything it has (a repaint, then 'idle'). */
async function settle(page) {
  await page.evaluate(() => new Promise((resolve) => {
    const { map } = window.essAtlas;
    map.once('idle', () => resolve());
    map.triggerRepaint();
  }));
}

async function openFilters(page) {
  const open = await page.getByTestId('orgs-filters').evaluate((d) => d.open);
  if (!open) await page.getByTestId('orgs-filters-summary').click();
}

describe('organisations (navigateur)', { timeout: 6 * TIMEOUT }, () => {
  let browser;
  let context;
  let page;
  const pageErrors = [];
  let meta;
  let hasData;
  let chosen = null; // { family, total } once the filter test has run
  let sharedHash = '';

  before(async () => {
    meta = await getJson('/api/meta');
    hasData = Array.isArray(meta.editions) && meta.editions.length > 0;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1366, height: 820 }, locale: 'fr-FR', acceptDownloads: true });
    page = await context.newPage();
    watchPage(page, pageErrors);
  });

  after(async () => {
    await browser?.close();
  });

  // Each test answers for the errors of the pages it drove.
  afterEach(() => assertNoPageErrors(pageErrors));

  it('toggles the organisations layer and panel', { timeout: 2 * TIMEOUT }, async () => {
    await page.goto(`${BASE}/`);
    await waitReady(page);
    const toggle = page.getByTestId('orgs-toggle');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    assert.equal(await page.getByTestId('orgs-panel').isVisible(), false);

    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    await page.getByTestId('orgs-panel').waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.waitForFunction(() => window.location.hash.includes('orgs=1'), null, { timeout: TIMEOUT });

    if (!hasData) {
      // Empty registry: a clear French message, no filters, no legend, no points.
      const empty = page.getByTestId('orgs-empty');
      await empty.waitFor({ state: 'visible', timeout: TIMEOUT });
      assert.match(normSpaces(await empty.textContent()), /Aucune donnée d'organisation importée/);
      assert.equal(await page.getByTestId('orgs-filters').isVisible(), false);
      assert.equal(await page.getByTestId('legend-orgs').isVisible(), false);
      const visibility = await page.evaluate(() => window.essAtlas.map.getLayoutProperty('orgs-points', 'visibility'));
      assert.equal(visibility, 'none');
      await page.screenshot({ path: SCREENSHOT });
      return;
    }

    // Total of the list = total of the API with the default filters (latest edition).
    const latest = meta.editions[meta.editions.length - 1];
    const api = await getJson(`/api/organisations?per_page=1`);
    assert.equal(api.edition, latest);
    const total = await waitList(page, [`edition=${latest}`]);
    assert.equal(total, api.total);
    const label = normSpaces(await page.getByTestId('orgs-total').textContent());
    assert.equal(label, `${frenchInt(api.total)} organisation${api.total > 1 ? 's' : ''}`);
    assert.equal(await page.getByTestId('orgs-demo').isVisible(), api.demo === true, 'demo line under the list header');
    assert.equal(await page.getByTestId('demo-badge').isVisible(), meta.demo === true, 'demo badge');
    assert.ok(await page.getByTestId('legend-orgs').isVisible() || !(await page.getByTestId('legend').evaluate((d) => d.open)),
      'legend of the families when the legend is open');
    assert.equal(await page.getByTestId('legend-families').locator('li').count(), 5);

    // Points: with the whole département in view, clusters + points account for every
    // located organisation of the GeoJSON answer.
    const geo = await getJson(`/api/organisations.geojson?edition=${latest}`);
    await waitLayer(page, [`edition=${latest}`]);
    await page.getByTestId('overview').click();
    await page.waitForFunction(() => !window.essAtlas.map.isMoving(), null, { timeout: TIMEOUT });
    await settle(page);
    if (geo.features.length > 0) {
      await page.waitForFunction(() => window.essAtlas.map.queryRenderedFeatures({ layers: ['orgs-clusters', 'orgs-points'] }).length > 0, null, { timeout: TIMEOUT });
    }
    const drawn = await rendered(page);
    assert.equal(drawn.total, geo.features.length, `rendered ${drawn.total} of ${geo.features.length} points`);
    // The clusters carry an HTML donut of the families with their count (no glyphs on the map).
    if (geo.features.length > 50) {
      const donut = page.getByTestId('org-cluster').first();
      await donut.waitFor({ timeout: TIMEOUT });
      assert.match(await donut.evaluate((d) => d.style.background), /conic-gradient/);
      assert.match(normSpaces(await donut.textContent()), /^\d[\d ,k]*$/);
    }

    // Rows: at most 50, French pager when there are more.
    const rows = await page.getByTestId('org-row').count();
    assert.equal(rows, Math.min(50, api.total));
    if (api.total > 50) {
      await page.getByTestId('orgs-next').click();
      await page.waitForFunction(() => window.location.hash.includes('page=2'), null, { timeout: TIMEOUT });
      await page.waitForFunction(() => /Page 2 sur/.test(document.querySelector('[data-testid="orgs-page"]').textContent), null, { timeout: TIMEOUT });
      const second = await getJson(`/api/organisations?page=2`);
      await page.waitForFunction((siret) => document.querySelector('[data-testid="org-row"]')?.dataset.siret === siret, second.items[0].siret, { timeout: TIMEOUT });
      await page.getByTestId('orgs-prev').click();
      await page.waitForFunction(() => !window.location.hash.includes('page='), null, { timeout: TIMEOUT });
    }
  });

  it('filters by family: list, points, CSV and URL follow', { timeout: 2 * TIMEOUT }, async (t) => {
    if (!hasData) {
      t.skip('no edition imported');
      return;
    }
    const totals = {};
    for (const f of FAMILIES) totals[f] = (await getJson(`/api/organisations?family=${f}&per_page=1`)).total;
    const all = (await getJson('/api/organisations?per_page=1')).total;
    const candidates = FAMILIES.filter((f) => totals[f] > 0);
    assert.ok(candidates.length > 0, 'some family has organisations');
    // A family with organisations, smaller than the whole (quicker, and the filter shows).
    const family = ['cooperative', 'mutuelle', 'fondation', 'association', 'societe_commerciale_ess']
      .find((f) => totals[f] > 0 && totals[f] < all) || candidates[0];
    chosen = { family, total: totals[family] };

    await openFilters(page);
    const chip = page.getByTestId('orgs-families').locator(`[data-family="${family}"]`);
    await chip.click();
    assert.equal(await chip.getAttribute('aria-pressed'), 'true');
    const total = await waitList(page, [`family=${family}`]);
    assert.equal(total, totals[family], `list total for ${family}`);
    await page.waitForFunction((f) => window.location.hash.includes(`family=${f}`), family, { timeout: TIMEOUT });

    // Every row and every drawn point is of that family; clusters hold no other family.
    const rowFamilies = await page.getByTestId('org-row').evaluateAll((els) => els.length);
    assert.equal(rowFamilies, Math.min(50, total));
    await waitLayer(page, [`family=${family}`]);
    await settle(page);
    const drawn = await rendered(page);
    for (const p of drawn.points) assert.equal(p.family, family, `point ${p.siret}`);
    for (const c of drawn.clusters) {
      for (const other of FAMILIES.filter((f) => f !== family)) assert.equal(c[other] || 0, 0, `cluster holds ${other}`);
    }
    const geo = await getJson(`/api/organisations.geojson?family=${family}`);
    assert.ok(drawn.total <= geo.features.length);

    // The CSV link carries the same filters and answers that many rows.
    const href = await page.getByTestId('orgs-csv').getAttribute('href');
    assert.match(href, /^\/api\/organisations\.csv\?/);
    assert.ok(decodeURIComponent(href).includes(`family=${family}`), href);
    const csv = await fetch(`${BASE}${href}`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') || '', /text\/csv/);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.length);
    assert.equal(lines.length - 1, total, 'CSV rows');

    // A row opens its popup on the map, and the hash records it.
    const first = page.getByTestId('org-row').first();
    const siret = await first.getAttribute('data-siret');
    const one = await getJson(`/api/organisations/${siret}`);
    await first.click();
    const popup = page.getByTestId('org-popup');
    await popup.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.equal(await popup.getAttribute('data-siret'), siret);
    const text = normSpaces(await popup.textContent());
    assert.ok(text.includes(normSpaces(one.name)), `popup names ${one.name}: « ${text} »`);
    assert.ok(text.includes(one.commune.name), 'popup gives the commune');
    assert.equal(text.includes('Localisation approximative'), one.location_approximate === true);
    assert.equal(text.includes('Données de démonstration'), one.demo === true);
    await page.waitForFunction((s) => window.location.hash.includes(`org=${s}`), siret, { timeout: TIMEOUT });

    // « Voir la fiche dans la liste » shows the record in the panel.
    await page.getByTestId('org-popup-open').click();
    const detail = page.getByTestId('org-detail');
    await detail.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.equal(await detail.getAttribute('data-siret'), siret);
    await page.getByTestId('org-detail-back').click();
    await page.getByTestId('orgs-list').waitFor({ state: 'visible', timeout: TIMEOUT });

    // Text search by SIRET narrows to that establishment.
    await page.getByTestId('orgs-q').fill(siret);
    assert.equal(await waitList(page, [`family=${family}`, `q=${siret}`]), 1);
    await page.waitForFunction((s) => window.location.hash.includes(`q=${s}`), siret, { timeout: TIMEOUT });
    await page.getByTestId('orgs-q').fill('');
    await waitList(page, [`family=${family}`]);
    await page.waitForFunction(() => !window.location.hash.includes('q='), null, { timeout: TIMEOUT });

    // Employers only.
    await openFilters(page);
    await page.getByTestId('orgs-employer').check({ force: true });
    const employers = (await getJson(`/api/organisations?family=${family}&employer=true&per_page=1`)).total;
    assert.equal(await waitList(page, [`family=${family}`, 'employer=true']), employers);
    await page.waitForFunction(() => window.location.hash.includes('employer=1'), null, { timeout: TIMEOUT });

    // A filter change closes the record that no longer belongs to the query.
    await page.getByTestId('org-popup').waitFor({ state: 'detached', timeout: TIMEOUT });
    await page.waitForFunction(() => !window.location.hash.includes('org='), null, { timeout: TIMEOUT });

    // Open one of the employers, then share the view.
    if (employers > 0) {
      await page.getByTestId('org-row').first().click();
      await page.getByTestId('org-popup').waitFor({ state: 'visible', timeout: TIMEOUT });
      await page.waitForFunction(() => window.location.hash.includes('org='), null, { timeout: TIMEOUT });
    }
    await page.waitForFunction(() => !window.essAtlas.map.isMoving(), null, { timeout: TIMEOUT });
    await page.waitForTimeout(300);
    sharedHash = await page.evaluate(() => window.location.hash);
    await page.screenshot({ path: SCREENSHOT });
  });

  it('restores the filters from a shared link', { timeout: TIMEOUT }, async (t) => {
    if (!hasData || !chosen) {
      t.skip('no edition imported');
      return;
    }
    const fresh = await context.newPage();
    try {
      await fresh.goto(`${BASE}/${sharedHash}`);
      await waitReady(fresh);
      await fresh.getByTestId('orgs-panel').waitFor({ state: 'visible', timeout: TIMEOUT });
      assert.equal(await fresh.getByTestId('orgs-toggle').getAttribute('aria-pressed'), 'true');
      const employers = (await getJson(`/api/organisations?family=${chosen.family}&employer=true&per_page=1`)).total;
      assert.equal(await waitList(fresh, [`family=${chosen.family}`, 'employer=true']), employers);
      const chip = fresh.getByTestId('orgs-families').locator(`[data-family="${chosen.family}"]`);
      assert.equal(await chip.getAttribute('aria-pressed'), 'true');
      assert.equal(await fresh.getByTestId('orgs-employer').isChecked(), true);
      assert.match(normSpaces(await fresh.getByTestId('orgs-filters-active').textContent()), /Employeurs/);
      await waitLayer(fresh, [`family=${chosen.family}`, 'employer=true']);
      // The organisation whose popup was open comes back too.
      const org = /(?:^|[#&])org=(\d{14})/.exec(sharedHash);
      if (org) {
        const popup = fresh.getByTestId('org-popup');
        await popup.waitFor({ state: 'visible', timeout: TIMEOUT });
        assert.equal(await popup.getAttribute('data-siret'), org[1]);
      }
    } finally {
      await fresh.close();
    }
  });

  it('limits the list to the selected zone', { timeout: TIMEOUT }, async (t) => {
    if (!hasData || !chosen) {
      t.skip('no edition imported');
      return;
    }
    // Back to all families, then select the territory of the first organisation.
    await page.getByTestId('orgs-reset').click();
    await waitList(page);
    const first = (await getJson('/api/organisations?per_page=1')).items[0];
    const code = first.territory.code;
    await page.evaluate((c) => window.essAtlas.selectZone(`territory:${c}`), code);
    const want = (await getJson(`/api/organisations?territory=${code}&per_page=1`)).total;
    assert.equal(await waitList(page, [`territory=${code}`]), want);
    assert.match(normSpaces(await page.getByTestId('orgs-zone').textContent()), new RegExp(first.territory.name));
    // Clearing the zone from the filters goes back to the whole département.
    await page.getByTestId('orgs-zone-clear').click();
    await page.getByTestId('zone-panel').waitFor({ state: 'hidden', timeout: TIMEOUT });
    const all = (await getJson('/api/organisations?per_page=1')).total;
    await page.waitForFunction(() => !decodeURIComponent(document.querySelector('[data-testid="orgs-panel"]').dataset.key || '').includes('territory='), null, { timeout: TIMEOUT });
    assert.equal(await waitList(page), all);
  });

  it('switches edition', { timeout: 2 * TIMEOUT }, async (t) => {
    if (!hasData || meta.editions.length < 2) {
      t.skip('fewer than two editions');
      return;
    }
    const oldest = meta.editions[0];
    const latest = meta.editions[meta.editions.length - 1];
    const select = page.getByTestId('orgs-edition');
    assert.equal(await select.inputValue(), String(latest));
    await select.selectOption(String(oldest));
    const want = await getJson(`/api/organisations?edition=${oldest}&per_page=1`);
    assert.equal(await waitList(page, [`edition=${oldest}`]), want.total);
    await page.waitForFunction((y) => window.location.hash.includes(`edition=${y}`), oldest, { timeout: TIMEOUT });
    assert.match(normSpaces(await page.getByTestId('orgs-context').textContent()), new RegExp(String(oldest)));
    assert.equal(await page.getByTestId('orgs-demo').isVisible(), want.demo === true);
    await waitLayer(page, [`edition=${oldest}`]);
    await select.selectOption(String(latest));
    await waitList(page, [`edition=${latest}`]);
  });
});
