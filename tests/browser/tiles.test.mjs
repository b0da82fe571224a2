// Vector tiles read by independent clients: the reference decoder of the format
// (@mapbox/vector-tile with pbf, the one MapLibre GL JS is built on) compared with the
// GeoJSON layers and the organisations API, and MapLibre GL JS rendering the server's
// own /style.json in Chromium.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, TIMEOUT, launchBrowser, getJson } from './support.mjs';

const modules = new URL('../../web/node_modules/', import.meta.url);
const { VectorTile } = await import(new URL('@mapbox/vector-tile/index.js', modules));
const { PbfReader: Pbf } = await import(new URL('pbf/index.js', modules));

/** Douglas–Peucker tolerance of the server, in tile units (src/tiles/mod.rs TOLERANCE). */
const TOLERANCE = 1;

async function fetchTile(path) {
  const res = await fetch(`${BASE}${path}`);
  if (res.status === 204) return null;
  assert.equal(res.status, 200, `GET ${path}`);
  return new VectorTile(new Pbf(new Uint8Array(await res.arrayBuffer())));
}

/** lon/lat → units of tile z/x/y (Web Mercator, y down). */
function toTile([lon, lat], z, x, y, extent) {
  const n = 2 ** z;
  const wx = ((lon + 180) / 360) * n;
  const r = (lat * Math.PI) / 180;
  const wy = ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n;
  return [(wx - x) * extent, (wy - y) * extent];
}

function shoelace(points) {
  let s = 0;
  for (let i = 0; i < points.length; i += 1) {
    const a = points[i];
    const b = points[(i + 1) % points.length];
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s / 2;
}

/** Area and perimeter of a GeoJSON (multi)polygon in tile units. */
function geoAreaPerimeter(geometry, z, x, y, extent) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let area = 0;
  let perimeter = 0;
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const pts = ring.map((p) => toTile(p, z, x, y, extent));
      area += shoelace(pts.slice(0, -1));
      for (let i = 1; i < pts.length; i += 1) {
        perimeter += Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]);
      }
    }
  }
  return { area: Math.abs(area), perimeter };
}

describe('tuiles vectorielles (décodeur de référence, MapLibre)', { timeout: 5 * TIMEOUT }, () => {
  let browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('a zoom-6 tile holds the GeoJSON layer\'s communes, EPCI and territories, with their areas', { timeout: TIMEOUT }, async () => {
    for (const layer of ['communes', 'epci', 'territories']) {
      const geo = await getJson(`/api/layers/${layer}.geojson`);
      const tile = await fetchTile(`/tiles/${layer}/6/32/21.mvt`);
      const l = tile.layers[layer];
      assert.ok(l, `layer ${layer} in the tile`);
      assert.equal(l.length, geo.features.length, `${layer}: same number of features`);
      const byCode = new Map();
      for (let i = 0; i < l.length; i += 1) {
        const f = l.feature(i);
        assert.equal(f.type, 3, 'polygon');
        byCode.set(String(f.properties.code), f);
      }
      for (const gf of geo.features) {
        const code = String(gf.properties.code);
        const f = byCode.get(code);
        assert.ok(f, `${layer} ${code} missing from the tile`);
        assert.equal(f.properties.name, gf.properties.name);
        const rings = f.loadGeometry().map((r) => r.map((p) => [p.x, p.y]));
        // Exterior rings positive, holes negative: the net area is the plain sum.
        const tileArea = rings.reduce((s, r) => s + shoelace(r), 0);
        const { area, perimeter } = geoAreaPerimeter(gf.geometry, 6, 32, 21, l.extent);
        const bound = perimeter * (TOLERANCE + 0.71);
        assert.ok(Math.abs(tileArea - area) <= bound, `${layer} ${code}: ${tileArea} vs ${area} (±${bound})`);
      }
    }
  });

  it('organisations tiles carry the public establishments the API lists', { timeout: TIMEOUT }, async () => {
    // The zoom-13 tile around Arras: establishments one by one.
    const z = 13;
    const n = 2 ** z;
    const x = Math.floor(((2.7775 + 180) / 360) * n);
    const r = (50.2910 * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
    const tile = await fetchTile(`/tiles/organisations/${z}/${x}/${y}.mvt`);
    assert.ok(tile, 'Arras has establishments');
    const l = tile.layers.organisations;
    const sirets = new Set();
    for (let i = 0; i < l.length; i += 1) {
      const f = l.feature(i);
      assert.equal(f.type, 1, 'point');
      assert.ok(!('count' in f.properties), 'no aggregate at zoom 13 here');
      sirets.add(f.properties.siret);
    }
    const lon = (v) => (v / n) * 360 - 180;
    const lat = (v) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * v) / n))) * 180) / Math.PI;
    const bbox = [lon(x), lat(y + 1), lon(x + 1), lat(y)].join(',');
    const listed = new Set();
    for (let page = 1; ; page += 1) {
      const res = await getJson(`/api/organisations?bbox=${bbox}&per_page=500&page=${page}`);
      for (const o of res.items) listed.add(o.siret);
      if (res.items.length < 500) break;
    }
    assert.ok(listed.size > 10);
    assert.deepEqual([...sirets].sort(), [...listed].sort());
  });

  it('MapLibre GL JS draws the server\'s /style.json on its own', { timeout: TIMEOUT }, async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const tiles = [];
    page.on('response', (res) => {
      if (res.url().includes('/tiles/') && res.url().includes('.mvt')) tiles.push(res.status());
    });
    await page.goto(`${BASE}/api/meta`);
    const result = await page.evaluate(async (base) => {
      const { Map } = await import(`${base}/vendor/maplibre-gl/maplibre-gl.mjs`);
      document.body.innerHTML = '<div id="m" style="width:900px;height:700px"></div>';
      const map = new Map({ container: 'm', style: `${base}/style.json`, center: [2.35, 50.5], zoom: 7.5, fadeDuration: 0 });
      map.on('error', (e) => { window.mapError = String(e.error && e.error.message); });
      await new Promise((resolve) => map.once('idle', resolve));
      const territories = new Set(map.queryRenderedFeatures({ layers: ['territories-fill'] }).map((f) => f.properties.code));
      const orgs = map.queryRenderedFeatures({ layers: ['organisations-aggregates', 'organisations-points'] });
      return { territories: [...territories].sort(), orgs: orgs.length, error: window.mapError || null };
    }, BASE);
    assert.equal(result.error, null);
    assert.equal(result.territories.length, 9, `territories drawn: ${result.territories}`);
    assert.ok(result.orgs > 0, 'organisations drawn');
    assert.ok(tiles.length > 0 && tiles.every((s) => s === 200 || s === 204), `tile statuses ${tiles}`);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
