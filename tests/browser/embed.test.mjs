// Browser test of the embeddable map (issue 21): « Intégrer cette carte » gives the
// <iframe> of the view on screen; that snippet, put in a page served from another origin
// (a partner's site), shows the zone's map with its legend, source and the link back to
// the atlas.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { BASE, TIMEOUT, launchBrowser, getJson, waitReady, watchPage, assertNoPageErrors } from './support.mjs';

describe('carte intégrable (navigateur)', { timeout: 4 * TIMEOUT }, () => {
  let browser;
  let page;
  let partner;
  let partnerOrigin;
  let snippet = '';
  let latest;
  const errors = [];

  before(async () => {
    latest = Math.max(...(await getJson('/api/editions')).items.map((e) => e.year));
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
    page = await context.newPage();
    // The partner's site: another origin (another host name and port) serving the snippet.
    partner = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="fr"><head><title>Partenaire</title></head><body>
        <h1>Le site d'un EPCI</h1>${snippet}</body></html>`);
    });
    await new Promise((resolve) => { partner.listen(0, '127.0.0.1', resolve); });
    partnerOrigin = `http://localhost:${partner.address().port}`;
    assert.notEqual(new URL(partnerOrigin).origin, new URL(BASE).origin);
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => { partner?.close(resolve); });
  });

  afterEach(() => assertNoPageErrors(errors));

  it('« Intégrer cette carte » gives the iframe of the view on screen', { timeout: 2 * TIMEOUT }, async () => {
    watchPage(page, errors, { label: 'atlas' });
    await page.goto(`${BASE}/#level=communes&zone=epci:200033579&ind=ess_share_jobs&year=${latest}`);
    await waitReady(page);
    await page.getByTestId('embed-open').click();
    const code = page.getByTestId('embed-code');
    await code.waitFor({ timeout: TIMEOUT });
    snippet = await code.inputValue();
    await page.keyboard.press('Escape');
    const src = `${BASE}/embed?zone=epci%2F200033579&amp;indicator=ess_share_jobs&amp;edition=${latest}`;
    assert.ok(snippet.startsWith(`<iframe src="${src}"`), snippet);
    page.removeAllListeners();
  });

  it('the snippet shows the map, its legend and the link inside another origin’s page', { timeout: 2 * TIMEOUT }, async () => {
    assert.ok(snippet, 'the previous test made the snippet');
    const refused = [];
    page.on('console', (msg) => { if (msg.type() === 'error') refused.push(msg.text()); });
    await page.goto(partnerOrigin);
    const frame = page.frameLocator('iframe');
    const svg = frame.getByTestId('embed-svg');
    await svg.waitFor({ timeout: TIMEOUT });
    // The CU d'Arras has 46 communes: each is drawn, coloured or hatched.
    const paths = await svg.locator('.embed-parts path').count();
    assert.equal(paths, 46);
    const fills = await svg.locator('.embed-parts path').evaluateAll((ps) => ps.map((p) => p.getAttribute('fill')));
    assert.ok(fills.every((f) => /^#[0-9a-f]{6}$|^url\(#secret\)$/.test(f)), fills.join(' '));
    assert.ok(new Set(fills).size >= 3, 'several classes');
    const box = await svg.boundingBox();
    assert.ok(box && box.width > 300 && box.height > 150, `the map has a size: ${JSON.stringify(box)}`);
    const legend = frame.getByTestId('embed-legend').locator('li');
    assert.ok(await legend.count() >= 3, 'a legend of classes');
    assert.match(await frame.getByTestId('embed-source').textContent(), /^Source : /);
    assert.match(await frame.getByTestId('embed-demo').textContent(), /Données de démonstration/);
    const link = frame.getByTestId('embed-link');
    assert.equal(await link.getAttribute('href'), `/#level=communes&zone=epci:200033579&ind=ess_share_jobs&year=${latest}&cls=quantiles`);
    // The link opens the atlas on the same view, on the atlas's origin.
    const [atlas] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await atlas.waitForLoadState('domcontentloaded');
    assert.ok(atlas.url().startsWith(`${BASE}/#level=communes&zone=epci:200033579`), atlas.url());
    await atlas.close();
    assert.deepEqual(refused, [], 'the browser framed the page without complaint');
  });

  it('the header links to the open data page, which offers the latest edition’s files', { timeout: TIMEOUT }, async () => {
    watchPage(page, errors, { label: 'données' });
    await page.goto(`${BASE}/`);
    await waitReady(page);
    await page.getByTestId('opendata-link').click();
    await page.waitForURL(`${BASE}/donnees`);
    const edition = page.locator(`[data-testid="opendata-edition"][data-edition="${latest}"]`);
    assert.equal(await edition.getByTestId('opendata-zip').getAttribute('href'), `/donnees/${latest}/donnees-ess-${latest}.zip`);
    assert.ok(await edition.getByTestId('opendata-file').count() >= 9, 'each file of the set');
    assert.match(await edition.getByTestId('opendata-demo').textContent(), /Données de démonstration/);
    const res = await fetch(`${BASE}/donnees/${latest}/datapackage.json`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).edition, latest);
    page.removeAllListeners();
  });
});
