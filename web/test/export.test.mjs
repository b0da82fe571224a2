// Unit tests of web/js/map/export.js's pure parts (« Exporter la carte »: the date in
// French, the scale bar), run by `node --test web/test/`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  LINE_CONTRAST, conicParts, contrast, frenchDate, lineSwatch, metresPerPixel, scaleBar,
} from '../js/map/export.js';

describe('frenchDate', () => {
  it('writes the day, the month in words and the year', () => {
    assert.equal(frenchDate(new Date(2026, 11, 5)), '5 décembre 2026');
    assert.equal(frenchDate(new Date(2027, 7, 31)), '31 août 2027');
  });
  it('writes the first of the month « 1er »', () => {
    assert.equal(frenchDate(new Date(2027, 2, 1)), '1er mars 2027');
  });
});

describe('metresPerPixel', () => {
  it('is MapLibre’s ground resolution (512 px tiles), shrinking with the latitude', () => {
    assert.ok(Math.abs(metresPerPixel(0, 0) - 78271.517) < 0.01);
    // At 50.5° N, zoom 9: about 97 m per pixel.
    const m = metresPerPixel(50.5, 9);
    assert.ok(Math.abs(m - 78271.517 * Math.cos((50.5 * Math.PI) / 180) / 512) < 1e-6);
    assert.ok(m > 96 && m < 98, String(m));
  });
});

describe('scaleBar', () => {
  it('takes the longest round distance that fits', () => {
    assert.deepEqual(scaleBar(100, 110), { metres: 10000, px: 100, label: '10 km' });
    assert.deepEqual(scaleBar(100, 99), { metres: 5000, px: 50, label: '5 km' });
    assert.deepEqual(scaleBar(2, 120), { metres: 200, px: 100, label: '200 m' });
    assert.equal(scaleBar(12.5, 120).label, '1 km');
    assert.equal(scaleBar(30, 120).label, '2 km');
  });
  it('never draws wider than asked', () => {
    for (const mpp of [0.7, 3, 17, 97, 450, 1234]) {
      const bar = scaleBar(mpp, 110);
      assert.ok(bar.px <= 110 && bar.px > 110 / 5.01, `${mpp}: ${bar.px}`);
    }
  });
});

describe('conicParts', () => {
  it('reads a cluster’s ring as written and as the browser serialises it', () => {
    assert.deepEqual(conicParts('conic-gradient(#0072b2 0.00% 60.00%, #e69f00 60.00% 100.00%)'),
      [['#0072b2', 0, 0.6], ['#e69f00', 0.6, 1]]);
    assert.deepEqual(conicParts('background: conic-gradient(rgb(0, 114, 178) 0%, rgb(0, 114, 178) 79.68%, rgb(230, 159, 0) 79.68%, rgb(230, 159, 0) 100%)'),
      [['rgb(0, 114, 178)', 0, 79.68 / 100], ['rgb(230, 159, 0)', 79.68 / 100, 1]]);
    assert.deepEqual(conicParts('#1d3f66'), []);
  });
});

describe('lineSwatch', () => {
  it('reads colours as the browser writes them and measures their contrast', () => {
    assert.equal(Math.round(contrast('#ffffff', '#000000')), 21);
    assert.equal(contrast('rgb(255, 255, 255)', '#ffffff'), 1);
    assert.ok(Math.abs(contrast('rgba(29, 39, 51, 1)', '#ffffff') - contrast('#1d2733', '#ffffff')) < 1e-9);
  });

  it('cases a pale line so that « Limite d’EPCI » stands out on paper (issue 19)', () => {
    // The EPCI border is white; the legend drew it over a pale grey: invisible once printed.
    const s = lineSwatch('rgb(255, 255, 255)', 'rgb(223, 230, 236)');
    assert.ok(s.casing, 'a casing');
    assert.ok(contrast(s.line, s.casing) >= LINE_CONTRAST);
    assert.ok(contrast(s.casing, s.fill) >= LINE_CONTRAST);
    // Over a light choropleth class too; over a dark one, white stands out alone.
    assert.ok(lineSwatch('#ffffff', '#9ecae1').casing);
    assert.equal(lineSwatch('#ffffff', '#08519c').casing, null);
  });

  it('leaves a line that stands out as it is', () => {
    const s = lineSwatch('rgb(59, 88, 118)', '#dfe6ec');
    assert.equal(s.casing, null);
    assert.ok(contrast(s.line, s.fill) >= LINE_CONTRAST);
  });
});
