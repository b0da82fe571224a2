// Browser test of the way from a zone to its fiche (issue 19, item 2): the map's panel
// offers « Fiche PDF », « Tableur (XLSX) », « CSV » for the selected zone and the edition
// on screen, and the EPCI page shows the EPCI's figures, profile and map as the
// territory page does.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, normSpaces, getJson, waitReady, watchPage, assertNoPageErrors } from './support.mjs';

describe('fiches depuis la carte et page EPCI (navigateur)', { timeout: 4 * TIMEOUT }, () => {
  let browser;
  let page;
  let editions;
  const errors = [];

  before(async () => {
    editions = (await getJson('/api/editions')).items.map((e) => e.year).sort((a, b) => b - a);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', acceptDownloads: true });
    page = await context.newPage();
    watchPage(page, errors);
  });

  after(async () => {
    await browser?.close();
  });

  afterEach(() => assertNoPageErrors(errors));

  it('the panel downloads the selected zone’s fiche for the edition on screen', { timeout: 2 * TIMEOUT }, async () => {
    assert.ok(editions.length >= 2, 'the demo data has several editions');
    const older = editions[1];
    await page.goto(`${BASE}/#level=epci&zone=epci:200033579&year=${older}`);
    await waitReady(page);
    const links = page.getByTestId('zone-downloads');
    await links.waitFor({ timeout: TIMEOUT });
    assert.equal(await page.getByTestId('ind-edition').inputValue(), String(older));
    const pdf = links.getByTestId('zone-download-pdf');
    assert.equal(normSpaces(await pdf.textContent()), 'Fiche PDF');
    assert.equal(await pdf.getAttribute('href'), `/epci/200033579/fiche.pdf?edition=${older}`);
    const res = await page.evaluate((href) => fetch(href).then(async (r) => ({
      status: r.status, type: r.headers.get('content-type'), head: new TextDecoder().decode((await r.arrayBuffer()).slice(0, 5)),
    })), await pdf.getAttribute('href'));
    assert.deepEqual(res, { status: 200, type: 'application/pdf', head: '%PDF-' });

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      links.getByTestId('zone-download-xlsx').click(),
    ]);
    assert.match(download.suggestedFilename(), /\.xlsx$/);
    assert.ok(download.url().endsWith(`/epci/200033579/fiche.xlsx?edition=${older}`), download.url());
    assert.equal(await download.failure(), null);
    assert.equal(normSpaces(await links.getByTestId('zone-download-csv').textContent()), 'CSV');
    // The editable text (ODT), issue 21.
    const odt = links.getByTestId('zone-download-odt');
    assert.equal(normSpaces(await odt.textContent()), 'Texte modifiable (ODT)');
    assert.equal(await odt.getAttribute('href'), `/epci/200033579/fiche.odt?edition=${older}`);
    const odtRes = await page.evaluate((href) => fetch(href).then(async (r) => ({
      status: r.status, type: r.headers.get('content-type'), head: new TextDecoder().decode((await r.arrayBuffer()).slice(30, 38)),
    })), await odt.getAttribute('href'));
    assert.deepEqual(odtRes, { status: 200, type: 'application/vnd.oasis.opendocument.text', head: 'mimetype' });

    // Another edition chosen: the links follow.
    await page.getByTestId('ind-edition').selectOption(String(editions[0]));
    await page.waitForFunction((y) => document.querySelector('[data-testid="zone-download-pdf"]')?.getAttribute('href').endsWith(`edition=${y}`), editions[0], { timeout: TIMEOUT });

    // A territory has them too; a commune has none.
    await page.evaluate(() => window.essAtlas.selectZone('territory:ARR'));
    await page.waitForFunction(() => document.querySelector('[data-testid="zone-download-xlsx"]')?.getAttribute('href').startsWith('/territoires/ARR/fiche.xlsx'), null, { timeout: TIMEOUT });
    await page.evaluate(() => window.essAtlas.selectZone('commune:62041'));
    await page.waitForFunction(() => document.body.dataset.zone === 'commune:62041', null, { timeout: TIMEOUT });
    assert.equal(await page.getByTestId('zone-downloads').count(), 0);
  });

  it('the EPCI page shows the EPCI’s figures, profile and map', { timeout: TIMEOUT }, async () => {
    const profile = await getJson(`/api/zones/epci/200033579/profile?edition=${editions[0]}`);
    await page.goto(`${BASE}/epci/200033579`);
    const figures = page.getByTestId('page-keyfigures');
    await figures.waitFor({ timeout: TIMEOUT });
    const first = profile.key_figures[0];
    assert.match(normSpaces(await figures.textContent()), new RegExp(first.label));
    assert.match(normSpaces(await figures.textContent()), /Territoire/);
    await page.getByTestId('page-profile').getByTestId('zone-breakdown-family').waitFor({ timeout: TIMEOUT });
    await page.getByTestId('page-map').locator('svg').waitFor({ timeout: TIMEOUT });
    const downloads = page.getByTestId('zone-downloads');
    assert.equal(await downloads.getByTestId('zone-download-pdf').getAttribute('href'), `/epci/200033579/fiche.pdf?edition=${editions[0]}`);
    assert.ok(await page.getByTestId('fiche-link').isVisible());
  });

  it('writes figures one way: whole estimated jobs, one money unit, French dates and articles', { timeout: TIMEOUT }, async () => {
    await page.goto(`${BASE}/epci/200033579`);
    const profile = page.getByTestId('page-profile');
    await profile.getByTestId('zone-breakdown-family').waitFor({ timeout: TIMEOUT });
    // The breakdowns by estimated jobs: whole numbers (« 7 412,5 » before).
    await profile.getByRole('button', { name: 'Effectif estimé' }).first().click();
    // The value itself, without its share of the jobs (« · 85,8 % »).
    const values = (await profile.locator('.bar-value').evaluateAll((els) => els.map((e) => e.firstChild.textContent)))
      .map(normSpaces).filter((v) => v !== 's');
    assert.ok(values.length > 3, values.join(' | '));
    for (const v of values) assert.doesNotMatch(v, /\d,\d/, `estimated jobs with a decimal: ${v}`);
    // One money unit in a row: no k€ / M€ beside whole euros.
    const figures = normSpaces(await page.getByTestId('page-keyfigures').textContent());
    assert.doesNotMatch(figures, /[kM]€/, figures);
    assert.match(figures, /emplois estimés|effectif estimé/);
    const caption = normSpaces(await page.getByTestId('page-keyfigures').locator('caption').textContent());
    assert.match(caption, /^Chiffres clés de la Communauté urbaine d'Arras/);
    await page.goto(`${BASE}/territoires/ARR`);
    const cap = page.getByTestId('page-keyfigures').locator('caption');
    await cap.waitFor({ state: 'attached', timeout: TIMEOUT });
    assert.match(normSpaces(await cap.textContent()), /^Chiffres clés de l'Arrageois/);

    // The fiche: French reference date, whole euros, no « fiche cu ».
    const html = await page.evaluate(() => fetch('/epci/200033579/fiche').then((r) => r.text()));
    assert.match(html, /actifs au \d{1,2}(er)?\s\S+ \d{4}/);
    assert.doesNotMatch(html, /au \d{4}-\d{2}-\d{2}/);
    assert.doesNotMatch(html, /\d\s?[kM]€/);
  });
});
