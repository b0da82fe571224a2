// Browser test of the indicator dashboard: choropleth and its classed legend, the profile panel
// of a zone, the synced table, the secret statistique and the URL that restores the view (same
// set-up as map.test.mjs).
//
// Every figure the page shows is checked against /api/indicators, formatted here
// independently of the page (no Intl): "12 345", "11,8 %", "+982".
//
//   ESS_ATLAS_URL=http://127.0.0.1:18080 node --test tests/browser/
//
// Environment: ESS_ATLAS_URL, CHROMIUM, ESS_ATLAS_INDICATORS_SCREENSHOT (prefix, default
// /tmp/ess-atlas-indicators).

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, normSpaces, getJson, waitReady, screenPoint, watchPage, assertNoPageErrors } from './support.mjs';


const SHOTS = process.env.ESS_ATLAS_INDICATORS_SCREENSHOT || '/tmp/ess-atlas-indicators';

/** A French number without Intl: "12 345", "7,5", "11,8". `fixed` keeps trailing zeros. */
function frenchNumber(v, decimals, fixed) {
  const neg = v < 0;
  const a = Math.abs(v);
  let s = fixed ? a.toFixed(decimals) : String(Math.round(a * 10 ** decimals) / 10 ** decimals);
  if (!fixed && s.includes('e')) s = a.toFixed(decimals);
  const [i, d] = s.split('.');
  const int = i.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${neg ? '\u2212' : ''}${int}${d ? `,${d}` : ''}`;
}

/** The decimals the page writes: an estimated count in whole units (issue 19). */
const shownDecimals = (ind) => (ind.estimate && ind.additive ? 0 : ind.decimals || 0);

/** A value of a catalogue indicator as the page must write it. */
function frenchValue(v, ind) {
  const n = frenchNumber(v, shownDecimals(ind), !ind.additive);
  return ind.unit === '%' ? `${n} %` : n;
}

/** An absolute evolution: signed, in points for a percentage. */
function frenchEvolution(v, ind) {
  const n = frenchNumber(v, shownDecimals(ind), !ind.additive);
  const signed = v > 0 ? `+${n}` : n;
  if (ind.unit === '%') return `${signed} pt${Math.abs(v) >= 2 ? 's' : ''}`;
  return signed;
}

/** Waits until the map shows the /api/indicators answer whose query holds every `parts`. */
async function waitIndicator(page, parts) {
  await page.waitForFunction((want) => {
    const key = document.body.dataset.indicator || '';
    if (!key || key === 'loading' || key === 'error') return false;
    const have = key.split('&').map(decodeURIComponent);
    return want.every((p) => have.includes(p));
  }, parts, { timeout: TIMEOUT });
}

async function legendBounds(page) {
  return (await page.getByTestId('legend-class').locator('.legend-bound').allTextContents()).map(normSpaces);
}

async function text(locator) {
  return normSpaces(await locator.textContent());
}

describe('tableau de bord des indicateurs (navigateur)', { timeout: 10 * TIMEOUT }, () => {
  let browser;
  let context;
  let page;
  const pageErrors = [];
  let meta;
  let catalogue;
  let byId;
  let latest;
  let territories;
  let enabled = false;

  before(async () => {
    meta = await getJson('/api/meta');
    catalogue = await getJson('/api/indicators/catalogue');
    byId = new Map(catalogue.items.map((i) => [i.id, i]));
    territories = (await getJson('/api/territories')).items;
    enabled = Array.isArray(meta.editions) && meta.editions.length > 0;
    latest = enabled ? meta.editions[meta.editions.length - 1] : null;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR' });
    page = await context.newPage();
    // A pattern image the style could not find would draw masked zones without their hatching.
    watchPage(page, pageErrors, { warnings: /could not be loaded/ });
  });

  after(async () => {
    await browser?.close();
  });

  // Each test answers for the errors of the pages it drove.
  afterEach(() => assertNoPageErrors(pageErrors));

  it('colours the territories by the headline indicator, then by the one picked', { timeout: 2 * TIMEOUT }, async (t) => {
    if (!enabled) {
      t.skip('no edition imported');
      return;
    }
    await page.goto(`${BASE}/`);
    await waitReady(page);
    assert.ok(await page.getByTestId('ind-bar').isVisible(), 'indicator bar shown');
    await waitIndicator(page, ['level=territory', 'indicator=ess_share_jobs', `edition=${latest}`]);
    assert.equal(await page.getByTestId('ind-indicator').inputValue(), 'ess_share_jobs');
    assert.equal(await page.getByTestId('ind-edition').inputValue(), String(latest));
    assert.equal(await text(page.getByTestId('legend-choro-title')), normSpaces(byId.get('ess_share_jobs').label));

    const share = await getJson(`/api/indicators?level=territory&indicator=ess_share_jobs&edition=${latest}`);
    const before = await legendBounds(page);
    assert.ok(before.length >= 2 && before.length <= 5, `classes: ${before.join(' | ')}`);
    assert.ok(before.every((b) => b.endsWith('%')), `percent bounds: ${before.join(' | ')}`);
    // Highest class on top: it ends with the largest value, the lowest class starts with the smallest.
    const vals = share.items.filter((i) => !i.secret && Number.isFinite(i.value)).map((i) => i.value);
    const ind = byId.get('ess_share_jobs');
    assert.ok(before[0].endsWith(frenchValue(Math.max(...vals), ind)), `top class ${before[0]}`);
    assert.ok(before[before.length - 1].startsWith(frenchNumber(Math.min(...vals), shownDecimals(ind), true)), `bottom class ${before[before.length - 1]}`);
    // The classes count all nine territories.
    const counts = (await page.getByTestId('legend-class').locator('.legend-count').allTextContents()).map(Number);
    assert.equal(counts.reduce((a, b) => a + b, 0), share.items.length);
    // The map is coloured by a match expression on the codes, one colour per class.
    const fill = await page.evaluate(() => window.essAtlas.map.getPaintProperty('territories-fill', 'fill-color'));
    assert.equal(fill[0], 'match');
    // Labels carry the value, the legend says « données de démonstration » when it is so.
    const arr = share.items.find((i) => i.code === 'ARR');
    const label = page.locator('[data-testid="label-territory"][data-code="ARR"]');
    assert.equal(normSpaces(await label.getAttribute('data-value')), frenchValue(arr.value, ind));
    assert.equal(await page.locator('#legend-choro-demo').isVisible(), share.demo === true);

    // Pick another indicator: the legend and the hash follow.
    await page.getByTestId('ind-indicator').selectOption('ess_establishments');
    await waitIndicator(page, ['level=territory', 'indicator=ess_establishments', `edition=${latest}`]);
    await page.waitForFunction(() => window.location.hash.includes('ind=ess_establishments'), null, { timeout: TIMEOUT });
    // A count is drawn as circles (circles.test.mjs); its classes are one click away.
    assert.ok(await page.getByTestId('legend-circles').isVisible(), 'circles for a count');
    await page.getByTestId('ind-rep-choropleth').click();
    await page.waitForFunction(() => window.location.hash.includes('rep=choropleth'), null, { timeout: TIMEOUT });
    const afterBounds = await legendBounds(page);
    assert.notDeepEqual(afterBounds, before, 'class bounds changed');
    assert.ok(afterBounds.every((b) => !b.includes('%')), `count bounds: ${afterBounds.join(' | ')}`);
    assert.equal(await text(page.getByTestId('legend-choro-title')), normSpaces(byId.get('ess_establishments').label));

    // Quantiles instead of natural breaks: other bounds, same zones.
    await page.getByTestId('legend-method-quantiles').click();
    await page.waitForFunction(() => window.location.hash.includes('cls=quantiles'), null, { timeout: TIMEOUT });
    const q = await legendBounds(page);
    const qCounts = (await page.getByTestId('legend-class').locator('.legend-count').allTextContents()).map(Number);
    assert.equal(qCounts.reduce((a, b) => a + b, 0), share.items.length);
    await page.getByTestId('legend-method-jenks').click();
    await page.waitForFunction(() => !window.location.hash.includes('cls='), null, { timeout: TIMEOUT });
    assert.ok(q.length >= 2);
    await page.screenshot({ path: `${SHOTS}-map.png` });
  });

  it('opens the profile of a territory clicked on the map, with the figures of the API', { timeout: 2 * TIMEOUT }, async (t) => {
    if (!enabled) {
      t.skip('no edition imported');
      return;
    }
    const ind = byId.get('ess_establishments');
    const api = await getJson(`/api/indicators?level=territory&indicator=ess_establishments&edition=${latest}`);
    const item = api.items.find((i) => i.code === 'ARR' && !i.secret) || api.items.find((i) => !i.secret);
    const terr = territories.find((x) => x.code === item.code);
    const { x, y } = await screenPoint(page, terr.label_point);
    await page.mouse.click(x, y);
    await page.waitForFunction((name) => document.querySelector('[data-testid="zone-name"]').textContent === name, terr.name, { timeout: TIMEOUT });
    await page.getByTestId('zone-indicator-value').waitFor({ timeout: TIMEOUT });

    const want = frenchValue(item.value, ind);
    assert.equal(await text(page.getByTestId('zone-indicator-value')), want);
    // Beside the département, as the API gives it.
    const compare = await text(page.getByTestId('zone-indicator-compare'));
    assert.ok(compare.includes(frenchValue(api.department.value, ind)), `département ${api.department.value} in « ${compare} »`);

    // Key figures of the profile: the same number in the row of this indicator.
    await page.getByTestId('zone-keyfigures').waitFor({ timeout: TIMEOUT });
    const kf = page.getByTestId('zone-keyfigures').locator('tr[data-indicator="ess_establishments"]');
    assert.equal(await text(kf.getByTestId('zone-keyfigure')), want);
    // Estimates are said so.
    const jobs = page.getByTestId('zone-keyfigures').locator('tr[data-indicator="ess_jobs"]');
    assert.match(await text(jobs), /effectif estimé/);

    // Bar charts by family, sector and size class, and the series across editions.
    const profile = await getJson(`/api/zones/territory/${item.code}/profile?edition=${latest}`);
    await page.getByTestId('zone-breakdown-family').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.getByTestId('zone-breakdown-family').locator('li').count(), profile.breakdowns.family.length);
    assert.equal(await page.getByTestId('zone-breakdown-size').locator('li').count(), profile.breakdowns.size.length);
    assert.ok(await page.getByTestId('zone-breakdown-sector').locator('li').count() >= 1);
    // The breakdown follows the indicator: establishments of the associations.
    const asso = profile.breakdowns.family.find((r) => r.id === 'association');
    const assoRow = normSpaces(await page.getByTestId('zone-breakdown-family').locator('li').first().textContent());
    assert.ok(assoRow.includes(asso.ess_establishments.secret ? 's' : frenchValue(asso.ess_establishments.value, ind)), assoRow);
    const chart = page.getByTestId('zone-series-chart');
    await chart.waitFor({ timeout: TIMEOUT });
    assert.equal(await chart.locator('.series-axis').count(), profile.series.length);
    await page.getByTestId('zone-sources').waitFor({ timeout: TIMEOUT });
    assert.ok((await text(page.getByTestId('zone-sources'))).includes(normSpaces(profile.source_label)));
    // The children links are still there.
    await page.getByTestId('zone-children-epci').waitFor({ timeout: TIMEOUT });
    await page.waitForFunction((c) => window.location.hash.includes(`zone=territory:${c}`), item.code, { timeout: TIMEOUT });
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}-panel.png` });
  });

  it('shows the same values in a sortable table that selects the zone', { timeout: 2 * TIMEOUT }, async (t) => {
    if (!enabled) {
      t.skip('no edition imported');
      return;
    }
    const ind = byId.get('ess_establishments');
    const api = await getJson(`/api/indicators?level=territory&indicator=ess_establishments&edition=${latest}`);
    await page.getByTestId('ind-table-toggle').click();
    const table = page.getByTestId('zone-table');
    await table.waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.waitForFunction(() => window.location.hash.includes('table=1'), null, { timeout: TIMEOUT });
    const rows = table.getByTestId('zone-table-row');
    assert.equal(await rows.count(), api.items.length);
    // Every row: the value of the API (or « s »).
    for (const item of api.items) {
      const cell = table.locator(`tr[data-code="${item.code}"]`).getByTestId('zone-table-value').locator('.cell-text');
      assert.equal(await text(cell), item.secret ? 's' : frenchValue(item.value, ind), `row ${item.code}`);
    }
    // The selected territory's row is marked, and shows the panel's number.
    const selected = await page.evaluate(() => window.essAtlas.state.zone.split(':')[1]);
    const row = table.locator(`tr[data-code="${selected}"]`);
    assert.equal(await row.getAttribute('aria-current'), 'true');
    assert.equal(await text(row.getByTestId('zone-table-value').locator('.cell-text')), await text(page.getByTestId('zone-indicator-value')));

    // Sorted by value, descending, by default; then by name.
    const valueTh = table.locator('th:has([data-sort="value"])');
    assert.equal(await valueTh.getAttribute('aria-sort'), 'descending');
    const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.code));
    const byValue = [...api.items].sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity)).map((i) => i.code);
    assert.deepEqual(order.filter((c) => !api.items.find((i) => i.code === c).secret), byValue.filter((c) => !api.items.find((i) => i.code === c).secret));
    await table.getByTestId('zone-table-sort-name').click();
    assert.equal(await table.locator('th:has([data-sort="name"])').getAttribute('aria-sort'), 'ascending');
    assert.equal(await valueTh.getAttribute('aria-sort'), 'none');
    const names = (await table.getByTestId('zone-table-link').allTextContents()).map(normSpaces);
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b, 'fr')));
    await page.waitForFunction(() => window.location.hash.includes('tsort=name-asc'), null, { timeout: TIMEOUT });

    // The name filter; cleared, then the table redrawn at once (a sort, another level): the
    // table must not put the old text back (a redraw during the filter's pause once did).
    const filter = table.getByTestId('zone-table-filter');
    const first = api.items[0];
    await filter.fill(first.name);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="zone-table-row"]').length === n,
      api.items.filter((i) => i.name.includes(first.name)).length, { timeout: TIMEOUT });
    await filter.fill('');
    await table.getByTestId('zone-table-sort-name').click();
    await table.getByTestId('zone-table-sort-name').click();
    await page.waitForTimeout(400);
    assert.equal(await filter.inputValue(), '');
    assert.equal(await rows.count(), api.items.length, 'every row back once the filter is cleared');

    // A click on a row selects its zone: panel, outline and hash.
    const other = api.items.find((i) => i.code !== selected);
    await table.locator(`tr[data-code="${other.code}"]`).getByTestId('zone-table-link').click();
    await page.waitForFunction((name) => document.querySelector('[data-testid="zone-name"]').textContent === name, other.name, { timeout: TIMEOUT });
    await page.waitForFunction((c) => window.location.hash.includes(`zone=territory:${c}`), other.code, { timeout: TIMEOUT });
    assert.equal(await table.locator(`tr[data-code="${other.code}"]`).getAttribute('aria-current'), 'true');
    await page.getByTestId('zone-indicator-value').waitFor({ timeout: TIMEOUT });
    await page.waitForFunction((want) => {
      const n = document.querySelector('[data-testid="zone-indicator-value"]');
      return n && n.textContent.replace(/[\s\u00a0\u202f]+/g, ' ').trim() === want;
    }, other.secret ? 's secret statistique' : frenchValue(other.value, ind), { timeout: TIMEOUT });
    const outlined = await page.evaluate(() => window.essAtlas.map.getFilter('territories-selected'));
    assert.equal(outlined[2], other.code);
  });

  it('maps an evolution between two editions', { timeout: 2 * TIMEOUT }, async (t) => {
    if (!enabled || meta.editions.length < 2) {
      t.skip('fewer than two editions');
      return;
    }
    const ind = byId.get('ess_establishments');
    const first = meta.editions[0];
    await page.getByTestId('ind-compare').selectOption(String(first));
    await waitIndicator(page, ['level=territory', 'indicator=ess_establishments', `compare_edition=${first}`]);
    await page.waitForFunction((y) => window.location.hash.includes(`vs=${y}`) && window.location.hash.includes('mode=evolution_'), first, { timeout: TIMEOUT });
    assert.ok(await page.getByTestId('ind-mode').isVisible());
    // Absolute difference: the table's evolution column and the panel say the API's figure.
    await page.getByTestId('ind-mode').locator('[data-mode="evolution_absolute"]').click();
    await page.waitForFunction(() => window.location.hash.includes('mode=evolution_absolute'), null, { timeout: TIMEOUT });
    const api = await getJson(`/api/indicators?level=territory&indicator=ess_establishments&edition=${latest}&compare_edition=${first}`);
    assert.match(await text(page.getByTestId('legend-choro-sub')), new RegExp(`${first}.${latest}`));
    for (const item of api.items) {
      const e = item.evolution.absolute;
      const cell = page.getByTestId('zone-table').locator(`tr[data-code="${item.code}"]`).getByTestId('zone-table-evolution').locator('.cell-text');
      assert.equal(await text(cell), e.secret ? 's' : frenchEvolution(e.value, ind), `evolution ${item.code}`);
    }
    const selected = await page.evaluate(() => window.essAtlas.state.zone.split(':')[1]);
    const sel = api.items.find((i) => i.code === selected);
    await page.getByTestId('zone-indicator-evolution').waitFor({ timeout: TIMEOUT });
    const evo = await text(page.getByTestId('zone-indicator-evolution'));
    assert.ok(evo.includes(String(first)), evo);
    if (!sel.evolution.absolute.secret) assert.ok(evo.includes(frenchEvolution(sel.evolution.absolute.value, ind)), evo);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}-evolution.png` });
    // Back to the value of the edition.
    await page.getByTestId('ind-compare').selectOption('');
    await page.waitForFunction(() => !window.location.hash.includes('vs='), null, { timeout: TIMEOUT });
  });

  it('hatches a masked commune and writes « s » for it', { timeout: 2 * TIMEOUT }, async (t) => {
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
    assert.ok(masked.every((i) => i.value === null), 'a masked value is null in the API');
    const target = masked.sort((a, b) => (b.population || 0) - (a.population || 0))[0];

    await page.getByTestId('level-communes').click();
    await waitIndicator(page, ['level=commune', 'indicator=ess_establishments', `edition=${latest}`]);
    // Legend: a hatched « s — secret statistique » class counting the masked communes.
    const legendSecret = page.getByTestId('legend-secret');
    await legendSecret.waitFor({ timeout: TIMEOUT });
    const secretText = await text(legendSecret);
    assert.match(secretText, /s — secret statistique/);
    assert.ok(secretText.endsWith(String(masked.length)), secretText);
    // Map: the commune is in the hatched layer's filter, and not in any colour class.
    const inHatch = await page.evaluate((code) => {
      const f = window.essAtlas.map.getFilter('communes-secret');
      return JSON.stringify(f).includes(`"${code}"`);
    }, target.code);
    assert.ok(inHatch, `commune ${target.code} hatched`);

    // Table: « s » in its row; the filter box finds it; a click opens its panel with « s ».
    const table = page.getByTestId('zone-table');
    await table.getByTestId('zone-table-filter').fill(target.name);
    const row = table.locator(`tr[data-code="${target.code}"]`);
    await row.waitFor({ timeout: TIMEOUT });
    assert.equal(await text(row.getByTestId('zone-table-value').locator('.cell-text')), 's');
    // Said in full to screen readers and in the tooltip.
    assert.equal(await text(row.getByTestId('zone-table-value')), 's (secret statistique)');
    assert.equal(await row.getByTestId('zone-table-value').getAttribute('title'), 'secret statistique');
    await row.getByTestId('zone-table-link').click();
    await page.waitForFunction((name) => document.querySelector('[data-testid="zone-name"]').textContent === name, target.name, { timeout: TIMEOUT });
    await page.waitForFunction(() => {
      const n = document.querySelector('[data-testid="zone-indicator-value"]');
      return n && /^s\s*secret statistique$/.test(n.textContent.replace(/[\s\u00a0\u202f]+/g, ' ').trim());
    }, null, { timeout: TIMEOUT });
    await page.getByTestId('zone-keyfigures').waitFor({ timeout: TIMEOUT });
    const kf = page.getByTestId('zone-keyfigures').locator('tr[data-indicator="ess_establishments"]').getByTestId('zone-keyfigure');
    assert.equal(await text(kf), 's (secret statistique)');
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}-secret.png` });
    await table.getByTestId('zone-table-filter').fill('');
  });

  it('restores indicator, category, level, edition and zone from a shared link', { timeout: 2 * TIMEOUT }, async (t) => {
    if (!enabled) {
      t.skip('no edition imported');
      return;
    }
    const edition = meta.editions.length > 1 ? meta.editions[meta.editions.length - 2] : latest;
    await page.getByTestId('zone-table-filter').fill('');
    await page.getByTestId('level-epci').click();
    await page.getByTestId('ind-indicator').selectOption('ess_jobs_per_1000');
    await page.getByTestId('ind-category').selectOption('family:cooperative');
    await page.getByTestId('ind-edition').selectOption(String(edition));
    await waitIndicator(page, ['level=epci', 'indicator=ess_jobs_per_1000', `edition=${edition}`, 'family=cooperative']);
    const api = await getJson(`/api/indicators?level=epci&indicator=ess_jobs_per_1000&edition=${edition}&family=cooperative`);
    const epci = api.items.find((i) => i.code === '200033579') || api.items[0];
    await page.getByTestId('zone-table').locator(`tr[data-code="${epci.code}"]`).getByTestId('zone-table-link').click();
    await page.waitForFunction((c) => window.location.hash.includes(`zone=epci:${c}`) && window.location.hash.includes('cat=family'), epci.code, { timeout: TIMEOUT });
    await page.waitForFunction(() => !window.essAtlas.map.isMoving(), null, { timeout: TIMEOUT });
    await page.waitForTimeout(400);
    const hash = await page.evaluate(() => window.location.hash);
    for (const part of ['level=epci', 'ind=ess_jobs_per_1000', `year=${edition}`, 'cat=family%3Acooperative', `zone=epci:${epci.code}`, 'table=1']) {
      assert.ok(hash.includes(part), `${part} in ${hash}`);
    }

    const fresh = await context.newPage();
    watchPage(fresh, pageErrors, { label: 'shared link' });
    try {
      await fresh.goto(`${BASE}/${hash}`);
      await waitReady(fresh);
      await waitIndicator(fresh, ['level=epci', 'indicator=ess_jobs_per_1000', `edition=${edition}`, 'family=cooperative']);
      assert.equal(await fresh.getByTestId('ind-indicator').inputValue(), 'ess_jobs_per_1000');
      assert.equal(await fresh.getByTestId('ind-category').inputValue(), 'family:cooperative');
      assert.equal(await fresh.getByTestId('ind-edition').inputValue(), String(edition));
      assert.equal(await fresh.getByTestId('level-epci').getAttribute('aria-pressed'), 'true');
      await fresh.waitForFunction((name) => document.querySelector('[data-testid="zone-name"]').textContent === name, epci.name, { timeout: TIMEOUT });
      const ind = byId.get('ess_jobs_per_1000');
      await fresh.waitForFunction((want) => {
        const n = document.querySelector('[data-testid="zone-indicator-value"]');
        return n && n.textContent.replace(/[\s\u00a0\u202f]+/g, ' ').trim() === want;
      }, epci.secret ? 's secret statistique' : frenchValue(epci.value, ind), { timeout: TIMEOUT });
      assert.match(await text(fresh.getByTestId('zone-indicator')), /Coopératives/);
      assert.ok(await fresh.getByTestId('zone-table').isVisible(), 'table restored');
      assert.equal(await fresh.getByTestId('zone-table').locator(`tr[data-code="${epci.code}"]`).getAttribute('aria-current'), 'true');
      await fresh.waitForTimeout(400);
      await fresh.screenshot({ path: `${SHOTS}-shared.png` });
    } finally {
      await fresh.close();
    }
  });

  it('maps the Département\'s subsidies in euros, in their own group', { timeout: 2 * TIMEOUT }, async (t) => {
    const api = enabled ? await getJson(`/api/indicators?level=territory&indicator=ess_subsidies&edition=${latest}`) : null;
    if (!api || !Number.isFinite(api.department.value)) {
      t.skip('no subsidies imported');
      return;
    }
    /** Euros as the page must write them, whole whatever the amount: "12 345 €", "1 400 000 €". */
    const euros = (v) => `${frenchNumber(Math.round(v), 0, false)} €`;
    const fresh = await context.newPage();
    watchPage(fresh, pageErrors, { label: 'subsidies' });
    try {
      await fresh.goto(`${BASE}/#level=territory&ind=ess_subsidies&year=${latest}&table=1`);
      await waitReady(fresh);
      await waitIndicator(fresh, ['level=territory', 'indicator=ess_subsidies', `edition=${latest}`]);
      const group = await fresh.getByTestId('ind-indicator').locator('option[value="ess_subsidies"]')
        .evaluate((o) => o.parentElement.getAttribute('label'));
      assert.equal(group, 'Subventions du Département');
      const table = fresh.getByTestId('zone-table');
      await table.waitFor({ state: 'visible', timeout: TIMEOUT });
      for (const item of api.items) {
        const cell = table.locator(`tr[data-code="${item.code}"]`).getByTestId('zone-table-value').locator('.cell-text');
        assert.equal(await text(cell), euros(item.value), `row ${item.code}`);
      }
      // The département's total, 1 400 000 € in the 2023 demonstration data.
      const dept = await text(table.getByTestId('zone-table-dept').first());
      assert.equal(dept, euros(api.department.value));
    } finally {
      await fresh.close();
    }
  });
});
