// ess-atlas — the map's style: the server's /style.json (its zone sources and layers) with
// this page's interactive layers inserted (hatching of masked zones, hover, selection
// outline, organisations), and which zone layers each display level shows.
//
// Pure over the loaded data: builds objects, never touches the map (levels.js applies them).

import { CIRCLE_LAYER, circleLayer } from '../circles.js';
import { HATCH_IMAGE } from '../indicators.js';
import { styleLayers as orgLayers, styleSources as orgSources } from '../orgs/style.js';
import { SOURCE_IDS, current, data, page } from './context.js';

export const INK = '#14375e';
const SELECTED = '#0b2540';
/** The EPCI borders over the communes' white borders. */
const EPCI_LINE_ON_COMMUNES = '#7d8fa3';
/** Fill of the zones while the first indicator is loading. */
const PENDING_FILL = '#e6eaee';

/** Visibility at display level `level` of a line layer, or of the fill of source `layerId`. */
export function levelVisibility(layerId, level) {
  if (layerId === 'communes-line') return level === 'communes' ? 'visible' : 'none';
  if (layerId === 'epci-line') return level === 'territories' ? 'none' : 'visible';
  if (layerId === 'territories-line') return 'visible';
  return layerId === `${level}-fill` ? 'visible' : 'none';
}

/** The EPCI borders' colour: the server style's, darker over the communes' own borders. */
export function epciLineColour(level) {
  if (level === 'communes') return EPCI_LINE_ON_COMMUNES;
  const layer = data.style.layers.find((l) => l.id === 'epci-line');
  return layer.paint['line-color'];
}

/**
 * The map's style: the server's /style.json (src/tiles/style.rs: the zone sources, and the
 * zone layers drawn as this map draws them), with one level shown at a time, the fills
 * recoloured by indicator when there are indicators, and this page's interactive layers
 * inserted: hatching of the masked zones and hover above each fill, the proportional circles
 * of counts, the selection's outline above the lines, the organisations (clustered GeoJSON,
 * orgs.js) on top. The server's own organisations layers (vector tiles, not clustered) are
 * left out.
 */
export function buildStyle() {
  const level = current().level;
  const hoverOpacity = ['case', ['boolean', ['feature-state', 'hover'], false], 0.12, 0];
  const none = ['==', ['to-string', ['get', 'code']], '\u0000'];
  const zoneLayer = (layer) => SOURCE_IDS.includes(layer.source);
  const layers = [];
  for (const serverLayer of data.style.layers) {
    if (serverLayer.type !== 'background' && !zoneLayer(serverLayer)) continue;
    const layer = structuredClone(serverLayer);
    const s = layer.source;
    if (layer.id === `${s}-fill` || layer.type === 'line') {
      layer.layout = { ...layer.layout, visibility: levelVisibility(layer.id, level) };
    }
    if (layer.id === 'epci-line') layer.paint['line-color'] = epciLineColour(level);
    layers.push(layer);
    if (layer.id !== `${s}-fill`) continue;
    // Until the first indicator arrives, the fills wait in a neutral tone.
    if (page.ind && page.ind.enabled) layer.paint['fill-color'] = PENDING_FILL;
    const visibility = s === level ? 'visible' : 'none';
    layers.push(
      // Zones under the secret statistique: hatched (a pattern image, see hatchImage()).
      {
        id: `${s}-secret`, type: 'fill', source: s, 'source-layer': s, filter: none,
        layout: { visibility },
        paint: { 'fill-pattern': HATCH_IMAGE, 'fill-opacity': 0.85 },
      },
      {
        id: `${s}-hover`, type: 'fill', source: s, 'source-layer': s,
        layout: { visibility },
        paint: { 'fill-color': INK, 'fill-opacity': hoverOpacity },
      },
    );
  }
  // Counts: proportional circles over the zones (indicators.js fills and shows them).
  layers.push(circleLayer());
  for (const s of SOURCE_IDS) {
    layers.push(
      {
        id: `${s}-selected-casing`, type: 'line', source: s, 'source-layer': s, filter: none,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 7, 5, 12, 8] },
      },
      {
        id: `${s}-selected`, type: 'line', source: s, 'source-layer': s, filter: none,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': SELECTED, 'line-width': ['interpolate', ['linear'], ['zoom'], 7, 2.6, 12, 4] },
      },
    );
  }
  // Organisations: clustered points above every zone layer.
  layers.push(...orgLayers());
  // Zone sources: the server style's vector tiles (TileJSON URLs, promoteId code).
  const sources = {
    ...Object.fromEntries(SOURCE_IDS.map((s) => [s, { ...data.style.sources[s], attribution: '' }])),
    [CIRCLE_LAYER]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
    ...orgSources(),
  };
  return { version: 8, name: 'ess-atlas', sources, layers };
}

