// Browser test of « Exporter la carte » (issue 19, item 7): the view on screen exported as
// a PNG image (its title, legend, scale, north and date drawn around the map) and as a
// one-page A4 landscape PDF, both composed in the browser.

import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, readFile, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BASE, TIMEOUT, launchBrowser, getJson, waitReady, watchPage, assertNoPageErrors,
} from './support.mjs';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SCREENSHOT = process.env.ESS_ATLAS_EXPORT_SCREENSHOT || '/tmp/ess-atlas-export';

/** Width and height of a PNG file (its IHDR chunk). */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('export de la carte (navigateur)', { timeout: 4 * TIMEOUT }, () => {
  let browser;
  let page;
  let dir;
  let latest;
  const errors = [];

  before(async () => {
    latest = Math.max(...(await getJson('/api/editions')).items.map((e) => e.year));
    dir = await mkdtemp(path.join(tmpdir(), 'ess-export-'));
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', acceptDownloads: true });
    page = await context.newPage();
    watchPage(page, errors);
  });

  after(async () => {
    await browser?.close();
  });

  afterEach(() => assertNoPageErrors(errors));

  it('exports the view on screen as a PNG with its title, legend and scale', { timeout: 2 * TIMEOUT }, async () => {
    await page.goto(`${BASE}/#level=communes&zone=epci:200033579&ind=ess_share_jobs&year=${latest}`);
    await waitReady(page);
    await page.waitForFunction(() => !['', 'loading'].includes(document.body.dataset.indicator || ''), null, { timeout: TIMEOUT });
    await page.waitForFunction(() => document.querySelectorAll('#legend-classes li').length >= 3, null, { timeout: TIMEOUT });
    const mapBox = await page.evaluate(() => {
      const c = window.essAtlas.map.getContainer();
      return { w: c.clientWidth, h: c.clientHeight, dpr: window.devicePixelRatio };
    });
    await page.getByTestId('export-open').click();
    await page.getByTestId('export-dialog').waitFor({ timeout: TIMEOUT });
    // The dialog passes axe-core (no violation of any impact).
    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    assert.deepEqual(violations, []);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.getByTestId('export-png').click(),
    ]);
    assert.match(download.suggestedFilename(), new RegExp(`^carte-ess-ess_share_jobs-epci-200033579-${latest}-\\d{4}-\\d{2}-\\d{2}\\.png$`));
    const file = path.join(dir, 'carte.png');
    await download.saveAs(file);
    const bytes = await readFile(file);
    await copyFile(file, `${SCREENSHOT}-communes.png`);
    const { width, height } = pngSize(bytes);
    // The map, plus the legend column beside it and the title and source around it, drawn
    // at twice the screen's resolution at least (for print).
    const scale = Math.max(2, mapBox.dpr);
    assert.equal(width, Math.round((mapBox.w + 16 + 16 + 250) * scale), `${width}×${height}`);
    assert.ok(height >= (mapBox.h + 62 + 40) * scale, `${width}×${height}`);
    // The map on screen went back to the screen's resolution.
    assert.equal(await page.evaluate(() => window.essAtlas.map.getCanvas().width), Math.round(mapBox.w * mapBox.dpr));
    await page.getByTestId('export-status').getByText('Image PNG enregistrée.').waitFor({ timeout: TIMEOUT });

    // Not blank: decoded in the page, its pixels vary (map colours, text, white margins).
    const stats = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const px = g.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      let white = 0;
      for (let i = 0; i < px.length; i += 4 * 7) {
        colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
        if (px[i] > 250 && px[i + 1] > 250 && px[i + 2] > 250) white += 1;
      }
      // The map's centre (inside the map frame) is not white paper.
      const mid = g.getImageData(Math.round(c.width * 0.3), Math.round(c.height * 0.5), 1, 1).data;
      return { colours: colours.size, whiteShare: white / (px.length / 28), mid: [...mid] };
    }, bytes.toString('base64'));
    assert.ok(stats.colours > 50, `colours: ${stats.colours}`);
    assert.ok(stats.whiteShare < 0.6, `white: ${stats.whiteShare}`);
    assert.notDeepEqual(stats.mid.slice(0, 3), [255, 255, 255]);
  });

  it('draws « Limite d’EPCI » readably in the exported legend', { timeout: 2 * TIMEOUT }, async () => {
    // At the EPCI level the border is white: over the legend's pale swatch it could not be
    // seen once exported (issue 19); the page and the export case it.
    await page.keyboard.press('Escape');
    await page.goto(`${BASE}/#level=epci&ind=ess_share_jobs&year=${latest}`);
    await page.reload();
    await waitReady(page);
    await page.waitForFunction(() => document.querySelectorAll('#legend-classes li').length >= 3, null, { timeout: TIMEOUT });
    assert.equal(await page.locator('#legend-line-sub').isVisible(), true, await page.evaluate(() => {
      const sub = document.getElementById('legend-line-sub');
      return `hidden: ${sub.hidden}, closest hidden: ${sub.closest('[hidden]')?.id}, level: ${document.body.dataset.level}, ${document.querySelector('.legend')?.outerHTML.slice(0, 300)}`;
    }));
    const swatch = await page.evaluate(async () => {
      const { contrast } = await import('/js/map/export.js');
      const after = getComputedStyle(document.querySelector('#legend-line-sub .legend-line'), '::after');
      return { shadow: after.boxShadow, cased: contrast(after.backgroundColor, 'rgb(29, 39, 51)') >= 3 };
    });
    assert.match(swatch.shadow, /rgba\(29, 39, 51/, 'the page legend cases the white line');
    assert.ok(swatch.cased);
    await page.getByTestId('export-open').click();
    await page.getByTestId('export-dialog').waitFor({ timeout: TIMEOUT });
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.getByTestId('export-png').click(),
    ]);
    const file = path.join(dir, 'carte-epci.png');
    await download.saveAs(file);
    await copyFile(file, `${SCREENSHOT}-epci.png`);
    await page.getByTestId('export-status').getByText('Image PNG enregistrée.').waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Escape');
    // Back to the view the PDF test exports.
    await page.goto(`${BASE}/#level=communes&zone=epci:200033579&ind=ess_share_jobs&year=${latest}`);
    await waitReady(page);
    await page.waitForFunction(() => document.querySelectorAll('#legend-classes li').length >= 3, null, { timeout: TIMEOUT });
    await page.getByTestId('export-open').click();
    await page.getByTestId('export-dialog').waitFor({ timeout: TIMEOUT });
  });

  it('exports the same view as a one-page PDF', { timeout: 2 * TIMEOUT }, async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.getByTestId('export-pdf').click(),
    ]);
    assert.match(download.suggestedFilename(), /\.pdf$/);
    const file = path.join(dir, 'carte.pdf');
    await download.saveAs(file);
    const bytes = await readFile(file);
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = bytes.toString('latin1');
    assert.equal((text.match(/\/Type \/Page\b/g) || []).length, 1, 'one page');
    // A4 landscape in points.
    assert.match(text, /\/MediaBox \[0 0 841\.(89|88)\d* 595\.(28|27)\d*\]/);
    assert.match(text, /\/Subtype \/Image/);
    await page.getByTestId('export-status').getByText('Document PDF enregistré.').waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Escape');
  });
});
