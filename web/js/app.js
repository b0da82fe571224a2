// ess-atlas — carte interactive de l'ESS du Pas-de-Calais.
//
// Plain ES module, no bundler, no framework. MapLibre GL JS is served by our own server from
// node_modules (/vendor/maplibre-gl/); its worker (maplibre-gl-worker.mjs) is found beside it.
// The map style is the server's /style.json: its vector tile sources (one TileJSON per zone
// layer, features identified by `code`) and its zone layers, to which this page adds its own
// (see buildStyle); the fills are recoloured by the chosen indicator (joined client-side by
// code, never baked into tiles). The view's state lives in one store (store.js), written to
// the URL (url.js); the colours of families and territories come from /api/palettes.
// No glyphs: every text label on the map is an HTML marker.

import {
  Map as MapLibreMap,
  Marker,
  NavigationControl,
  ScaleControl,
  AttributionControl,
} from '/vendor/maplibre-gl/maplibre-gl.mjs';
import {
  SERVER_DOWN, api, el, escapeHtml, fmtArea, fmtInt, fmtPop, nfPct, plural,
} from './util.js';
import { onServerBack, reportDown } from './connection.js';
import { createOrganisations, styleLayers as orgLayers, styleSources as orgSources } from './orgs.js';
import { HATCH_IMAGE, createIndicators, hatchImage } from './indicators.js';
import { familyList, loadPalettes, territoryColour } from './palettes.js';
import { renderProfile } from './profile.js';
import { createStore } from './store.js';
import { formatHash, parseHash, parseZoneId } from './url.js';
import { renderAction, renderDecisions, renderPlan, renderSections } from './portrait.js';
import { downloadLinks } from './downloads.js';
import { setupSearch } from './search.js';
import { showStaffLink } from './staff.js';
import { initEmbedButton } from './embed.js';

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/** Display levels (the segmented control) and how they map to API zones. */
const LEVELS = {
  territories: { source: 'territories', zone: 'territory', title: 'Territoires' },
  epci: { source: 'epci', zone: 'epci', title: 'EPCI' },
  communes: { source: 'communes', zone: 'commune', title: 'Communes' },
};
const LEVEL_OF_ZONE = { department: 'territories', territory: 'territories', epci: 'epci', commune: 'communes' };
const SOURCE_IDS = ['territories', 'epci', 'communes'];

const INK = '#14375e';
const SELECTED = '#0b2540';
/** The EPCI borders over the communes' white borders. */
const EPCI_LINE_ON_COMMUNES = '#7d8fa3';
/** Fill of the zones while the first indicator is loading. */
const PENDING_FILL = '#e6eaee';

const EPCI_KINDS = {
  CA: "Communauté d'agglomération",
  CC: 'Communauté de communes',
  CU: 'Communauté urbaine',
  ME: 'Métropole',
  MET: 'Métropole',
};

/** Screens where the legend starts folded and the attribution is compact (tablets, phones). */
const NARROW_SCREEN = '(max-width: 1100px)';
/** A map narrower than this (px) folds the legend when a panel opens. */
const NARROW_MAP = 900;
const COMMUNE_LABEL_MIN_ZOOM = 10;
const COMMUNE_LABEL_CAP = 70;
/** Up to this many territories (a département's), every territory name is always shown. */
const ALWAYS_LABELLED_TERRITORIES = 12;
const TERRITORY_LABEL_MAX_ZOOM = 10;
const EPCI_LABEL_MAX_ZOOM = 11;
const CHILDREN_PREVIEW = 12;

const MAP_LOCALE = {
  'AttributionControl.ToggleAttribution': 'Afficher ou masquer les sources',
  'Map.Title': 'Carte',
  'Marker.Title': 'Repère',
  'NavigationControl.ResetBearing': "Réorienter la carte vers le nord",
  'NavigationControl.ZoomIn': 'Zoom avant',
  'NavigationControl.ZoomOut': 'Zoom arrière',
  'ScaleControl.Meters': 'm',
  'ScaleControl.Kilometers': 'km',
  'CooperativeGesturesHandler.WindowsHelpText': 'Utilisez Ctrl + molette pour zoomer',
  'CooperativeGesturesHandler.MacHelpText': 'Utilisez ⌘ + molette pour zoomer',
  'CooperativeGesturesHandler.MobileHelpText': 'Utilisez deux doigts pour déplacer la carte',
  'Popup.Close': 'Fermer la fiche',
};

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/**
 * The view's state (store.js), what the URL carries: the display level, the selected zone id
 * ("epci:200033579" or null), and the slices of the organisations (orgs) and the indicators
 * (ind), which those features add. The URL is written from it (writeHash subscribes).
 */
const store = createStore({ level: 'territories', zone: null });
const current = () => store.get();
/** Whether the map has drawn its first frame (the URL is written from then on). */
let ready = false;
/** The last hash this page wrote (its own writes are not a navigation). */
let lastHash = '';

const data = {
  meta: null,
  /** the server's MapLibre style (/style.json): zone sources */
  style: null,
  /** code → list item, per zone level */
  territory: new Map(),
  epci: new Map(),
  commune: new Map(),
  /** territory code → fill colour */
  colours: new Map(),
  /** zone id → detail promise */
  details: new Map(),
  /** "level:code@edition" → profile promise */
  profiles: new Map(),
  /** catalogue entries by id (/api/indicators/catalogue) */
  catalogue: new Map(),
  catalogueRaw: null,
};

let map = null;
/** The organisations feature (orgs.js), created once /api/meta is known. */
let orgs = null;
/** The indicator dashboard (indicators.js): choropleth, legend, table. */
let ind = null;
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function zoneId(level, code) {
  return `${level}:${code}`;
}

/** The list item (with bbox, label_point…) of a zone, or a department pseudo-item. */
function zoneItem(id) {
  const z = parseZoneId(id);
  if (!z) return null;
  if (z.level === 'department') {
    const d = data.meta && data.meta.department;
    return d && d.code === z.code ? { ...d, level: 'department' } : null;
  }
  return data[z.level].get(z.code) || null;
}

function zoneDisplayName(item) {
  return item.short_name || item.name;
}

// ---------------------------------------------------------------------------------------------
// Status and errors
// ---------------------------------------------------------------------------------------------

function setStatus(text) {
  const box = $('status');
  if (text) {
    $('status-text').textContent = text;
    box.hidden = false;
  } else {
    box.hidden = true;
  }
}

let retryAction = null;
/** Whether the banner says the server did not answer (it clears once the server is back). */
let errorIsConnection = false;
function showError(message, retry = null, { connection = message.includes(SERVER_DOWN) } = {}) {
  $('error-text').textContent = message;
  retryAction = retry;
  errorIsConnection = connection;
  $('error-retry').hidden = !retry;
  $('error').hidden = false;
}

function hideError() {
  $('error').hidden = true;
  retryAction = null;
  errorIsConnection = false;
}

// The server answers again (connection.js): a banner about it is stale; retry what failed.
onServerBack(() => {
  if ($('error').hidden || !errorIsConnection) return;
  const action = retryAction;
  hideError();
  if (action) action();
});

// ---------------------------------------------------------------------------------------------
// Style
// ---------------------------------------------------------------------------------------------

/** Visibility at display level `level` of a line layer, or of the fill of source `layerId`. */
function levelVisibility(layerId, level) {
  if (layerId === 'communes-line') return level === 'communes' ? 'visible' : 'none';
  if (layerId === 'epci-line') return level === 'territories' ? 'none' : 'visible';
  if (layerId === 'territories-line') return 'visible';
  return layerId === `${level}-fill` ? 'visible' : 'none';
}

/** The EPCI borders' colour: the server style's, darker over the communes' own borders. */
function epciLineColour(level) {
  if (level === 'communes') return EPCI_LINE_ON_COMMUNES;
  const layer = data.style.layers.find((l) => l.id === 'epci-line');
  return layer.paint['line-color'];
}

/**
 * The map's style: the server's /style.json (src/tiles/style.rs: the zone sources, and the
 * zone layers drawn as this map draws them), with one level shown at a time, the fills
 * recoloured by indicator when there are indicators, and this page's interactive layers
 * inserted: hatching of the masked zones and hover above each fill, the selection's outline
 * above the lines, the organisations (clustered GeoJSON, orgs.js) on top. The server's own
 * organisations layers (vector tiles, not clustered) are left out.
 */
function buildStyle() {
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
    if (ind && ind.enabled) layer.paint['fill-color'] = PENDING_FILL;
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
    ...orgSources(),
  };
  return { version: 8, name: 'ess-atlas', sources, layers };
}

// ---------------------------------------------------------------------------------------------
// Levels
// ---------------------------------------------------------------------------------------------

function setLevel(level) {
  if (!(level in LEVELS)) return;
  store.set({ level });
  for (const btn of document.querySelectorAll('.level-btn')) {
    btn.setAttribute('aria-pressed', String(btn.dataset.level === level));
  }
  document.body.dataset.level = level;
  if (map && map.getLayer('territories-fill')) {
    clearHover();
    map.setPaintProperty('epci-line', 'line-color', epciLineColour(level));
    for (const s of SOURCE_IDS) {
      const vis = s === level ? 'visible' : 'none';
      map.setLayoutProperty(`${s}-fill`, 'visibility', vis);
      map.setLayoutProperty(`${s}-secret`, 'visibility', vis);
      map.setLayoutProperty(`${s}-hover`, 'visibility', vis);
    }
    for (const id of ['communes-line', 'epci-line']) map.setLayoutProperty(id, 'visibility', levelVisibility(id, level));
    updateLabels();
  }
  const sub = $('legend-line-sub');
  sub.hidden = level === 'territories';
  $('legend-line-commune').hidden = level !== 'communes';
  $('legend').dataset.level = level;
  updateZoomHint();
}

/** The zoom where a zone layer's tiles start (0 for a département; 7 for the communes of France). */
function levelMinZoom(level) {
  // The source's TileJSON says it; MapLibre keeps it on the source once loaded.
  const source = map && map.getSource(level);
  return (source && Number(source.minzoom)) || 0;
}

/** Below the communes' first zoom the level draws nothing: say so, and offer to zoom in. */
function updateZoomHint() {
  const hint = $('zoom-hint');
  if (!hint || !map) return;
  const min = levelMinZoom(current().level);
  hint.hidden = !(min > 0 && map.getZoom() < min);
}

// ---------------------------------------------------------------------------------------------
// Hover + tooltip
// ---------------------------------------------------------------------------------------------

const CAN_HOVER = window.matchMedia('(hover: hover) and (pointer: fine)');
let hovered = null; // { source, sourceLayer, id }
let tooltip = null;

function clearHover() {
  if (hovered && map) {
    map.setFeatureState(hovered, { hover: false });
  }
  hovered = null;
  if (map) map.getCanvas().style.cursor = '';
  if (tooltip) tooltip.hidden = true;
}

function onFillMove(e) {
  const f = e.features && e.features[0];
  if (!f) return;
  const source = f.source;
  const id = f.id ?? (f.properties && f.properties.code);
  if (!hovered || hovered.source !== source || hovered.id !== id) {
    if (hovered) map.setFeatureState(hovered, { hover: false });
    hovered = { source, sourceLayer: source, id };
    map.setFeatureState(hovered, { hover: true });
  }
  map.getCanvas().style.cursor = 'pointer';
  // Tooltips only for real pointers (no hover on touch screens).
  if (!CAN_HOVER.matches) return;
  const pointerType = e.originalEvent && e.originalEvent.pointerType;
  if (pointerType && pointerType !== 'mouse') return;
  const org = orgs && orgs.tooltipAt(e.point);
  if (org && org.hide) {
    tooltip.hidden = true;
    return;
  }
  if (org) {
    tooltip.replaceChildren(el('strong', { text: org.title }), org.sub ? el('span', { text: org.sub }) : null);
  } else {
    const zl = LEVELS[source].zone;
    const item = data[zl].get(String(id));
    const name = item ? zoneDisplayName(item) : f.properties.name;
    const pop = item ? item.population : f.properties.population;
    const tip = ind && ind.tooltip(zl, id);
    if (tip) {
      tooltip.replaceChildren(el('strong', { text: name }),
        ...tip.lines.map((line, i) => el('span', { class: i === 0 ? `tip-value${tip.secret ? ' is-secret' : ''}` : null, text: line })));
    } else {
      tooltip.replaceChildren(el('strong', { text: name }), el('span', { text: fmtPop(Number(pop)) }));
    }
  }
  tooltip.hidden = false;
  const { x, y } = e.point;
  const w = map.getContainer().clientWidth;
  tooltip.style.transform = `translate(${Math.min(x + 14, w - tooltip.offsetWidth - 8)}px, ${Math.max(y - tooltip.offsetHeight - 10, 4)}px)`;
}

/** Hover highlight of a zone from outside the map (the table's rows). */
function hoverZone(zoneLevel, code) {
  if (!map || !map.getLayer('territories-hover')) return;
  if (hovered) map.setFeatureState(hovered, { hover: false });
  hovered = code ? { source: LEVEL_OF_ZONE[zoneLevel], sourceLayer: LEVEL_OF_ZONE[zoneLevel], id: String(code) } : null;
  if (hovered) map.setFeatureState(hovered, { hover: true });
}

// ---------------------------------------------------------------------------------------------
// HTML labels
// ---------------------------------------------------------------------------------------------

const labels = new Map(); // key → { marker, element }

const EPCI_LABEL_WIDTH = 124; // px, must match .zone-label--epci max-width

function estimateBox(kind, text) {
  if (kind === 'epci') {
    const raw = text.length * 6.6;
    const lines = Math.ceil(raw / EPCI_LABEL_WIDTH);
    return { w: Math.min(raw, EPCI_LABEL_WIDTH) + 4, h: lines * 14 + 2 };
  }
  const charW = kind === 'territory' ? 8.6 : 6.3;
  // Territory labels carry the indicator's value on a second line.
  const h = kind === 'commune' ? 16 : (kind === 'territory' && ind && ind.enabled ? 36 : 20);
  return { w: text.length * charW + 10, h };
}

function overlaps(a, list) {
  for (const b of list) {
    if (a.x1 < b.x2 && a.x2 > b.x1 && a.y1 < b.y2 && a.y2 > b.y1) return true;
  }
  return false;
}

function wantedLabels() {
  if (!map) return [];
  const zoom = map.getZoom();
  const wanted = [];
  if (current().level === 'territories' && zoom < TERRITORY_LABEL_MAX_ZOOM) {
    // Many territories (a national geography): the most populous placed first.
    const territories = [...data.territory.values()];
    if (territories.length > ALWAYS_LABELLED_TERRITORIES) territories.sort((a, b) => (b.population || 0) - (a.population || 0));
    for (const t of territories) wanted.push({ kind: 'territory', item: t, text: t.name, priority: 0 });
  }
  if (current().level === 'epci' && zoom < EPCI_LABEL_MAX_ZOOM) {
    const byPop = [...data.epci.values()].sort((a, b) => (b.population || 0) - (a.population || 0));
    for (const e of byPop) wanted.push({ kind: 'epci', item: e, text: zoneDisplayName(e), priority: 1 });
  }
  if (zoom >= COMMUNE_LABEL_MIN_ZOOM) {
    const b = map.getBounds();
    const inView = [...data.commune.values()]
      .filter((c) => Array.isArray(c.label_point) && b.contains(c.label_point))
      .sort((a, c) => (c.population || 0) - (a.population || 0));
    for (const c of inView) wanted.push({ kind: 'commune', item: c, text: c.name, priority: 2 });
  }
  // Greedy placement without overlaps (estimated boxes), bigger zones first.
  const placed = [];
  const result = [];
  const canvas = map.getContainer();
  const W = canvas.clientWidth;
  const H = canvas.clientHeight;
  let communeCount = 0;
  for (const l of wanted) {
    if (!Array.isArray(l.item.label_point)) continue;
    if (l.kind === 'commune' && communeCount >= COMMUNE_LABEL_CAP) continue;
    const p = map.project(l.item.label_point);
    const { w, h } = estimateBox(l.kind, l.text);
    // Territory and EPCI labels may slide up or down a little to avoid a neighbour.
    const shifts = l.kind === 'commune' ? [0] : [0, h * 0.9, -h * 0.9, h * 1.6, -h * 1.6];
    let placedAt = null;
    for (const dy of shifts) {
      const box = { x1: p.x - w / 2, x2: p.x + w / 2, y1: p.y + dy - h / 2, y2: p.y + dy + h / 2 };
      if (l.kind === 'commune' && (box.x1 < 0 || box.x2 > W || box.y1 < 0 || box.y2 > H)) break;
      if (!overlaps(box, placed)) {
        placedAt = { box, dy };
        break;
      }
    }
    if (!placedAt) {
      if (l.kind !== 'territory' || data.territory.size > ALWAYS_LABELLED_TERRITORIES) continue;
      // The nine territory names of a département are always shown.
      placedAt = { box: { x1: p.x - w / 2, x2: p.x + w / 2, y1: p.y - h / 2, y2: p.y + h / 2 }, dy: 0 };
    }
    placed.push(placedAt.box);
    result.push({ ...l, dy: placedAt.dy });
    if (l.kind === 'commune') communeCount += 1;
  }
  return result;
}

function updateLabels() {
  if (!map) return;
  const wanted = wantedLabels();
  const keep = new Set();
  const selected = current().zone;
  for (const l of wanted) {
    const key = zoneId(l.kind, l.item.code);
    keep.add(key);
    let entry = labels.get(key);
    if (!entry) {
      // Territory and EPCI names are buttons for the keyboard (Tab, then Entrée): the
      // zones can be chosen on the map without a pointer (issue 19). Communes stay text.
      const selectable = l.kind === 'territory' || l.kind === 'epci';
      const element = el('div', {
        class: `zone-label zone-label--${l.kind}${selectable ? ' zone-label--key' : ''}`,
        'data-testid': `label-${l.kind}`,
        'data-code': l.item.code,
        'aria-hidden': selectable ? null : 'true',
        role: selectable ? 'button' : null,
        tabindex: selectable ? '0' : null,
        'aria-label': selectable ? `${l.kind === 'territory' ? 'Territoire' : 'EPCI'} ${l.item.name} : ouvrir sa fiche` : null,
        text: l.text,
      });
      if (selectable) {
        element.addEventListener('keydown', (ev) => {
          if (ev.key !== 'Enter' && ev.key !== ' ') return;
          ev.preventDefault();
          ev.stopPropagation();
          selectZone(key, { fit: 'if-needed', switchLevel: false, focus: true });
        });
      }
      const marker = new Marker({ element, anchor: 'center' }).setLngLat(l.item.label_point).addTo(map);
      entry = { marker, element };
      labels.set(key, entry);
    }
    entry.marker.setOffset([0, Math.round(l.dy || 0)]);
    entry.element.classList.toggle('is-selected', key === selected);
    if (l.kind === 'territory') {
      // Shown by CSS (::after), so that the label's text stays the territory's name.
      const value = ind ? ind.labelValue('territory', l.item.code) : '';
      if (value) entry.element.dataset.value = value;
      else delete entry.element.dataset.value;
      entry.element.classList.toggle('is-secret', value === 's');
    }
  }
  for (const [key, entry] of labels) {
    if (!keep.has(key)) {
      entry.marker.remove();
      labels.delete(key);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Selection and panel
// ---------------------------------------------------------------------------------------------

let selectToken = 0;
let lastFocusBeforePanel = null;

function setSelectedFilters(id) {
  if (!map || !map.getLayer('territories-selected')) return;
  const z = parseZoneId(id);
  const none = ['==', ['to-string', ['get', 'code']], '\u0000'];
  for (const s of SOURCE_IDS) {
    const match = z && z.level !== 'department' && LEVELS[s].zone === z.level
      ? ['==', ['to-string', ['get', 'code']], String(z.code)]
      : none;
    map.setFilter(`${s}-selected`, match);
    map.setFilter(`${s}-selected-casing`, match);
  }
}

/** Padding for fitBounds: keep the zone clear of the legend and the attribution. */
function fitPadding() {
  const c = $('map');
  const attrib = c.querySelector('.maplibregl-ctrl-bottom-right');
  const attribH = attrib ? attrib.getBoundingClientRect().height : 40;
  const pad = { top: 28, bottom: Math.max(28, attribH + 12), left: 28, right: 28 };
  const legend = $('legend');
  if (legend && !legend.hidden) {
    // The legend sits top-right: leave its width free if the map is wide enough.
    const lw = legend.getBoundingClientRect().width + 24;
    if (c.clientWidth - lw - pad.left > 480) pad.right = lw;
  }
  return pad;
}

function fitTo(bbox, { maxZoom = 12.5, animate = true } = {}) {
  if (!map || !Array.isArray(bbox) || bbox.length !== 4) return;
  map.resize();
  const c = map.getContainer();
  const pad = fitPadding();
  // Never ask for more padding than the map can hold (small screens, bottom sheet open).
  const maxPadX = Math.max(0, (c.clientWidth - 80) / 2);
  const maxPadY = Math.max(0, (c.clientHeight - 80) / 2);
  const padding = {
    top: Math.min(pad.top, maxPadY), bottom: Math.min(pad.bottom, maxPadY),
    left: Math.min(pad.left, maxPadX), right: Math.min(pad.right, maxPadX),
  };
  const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], {
    padding, maxZoom, duration: animate && !reduce ? 700 : 0,
  });
}

/** After a click on the map: move only if the zone is not entirely in view, never zoom in. */
function ensureVisible(bbox) {
  if (!map || !Array.isArray(bbox)) return;
  map.resize();
  const c = map.getContainer();
  const a = map.project([bbox[0], bbox[3]]);
  const b = map.project([bbox[2], bbox[1]]);
  if (a.x >= 8 && a.y >= 8 && b.x <= c.clientWidth - 8 && b.y <= c.clientHeight - 40) return;
  fitTo(bbox, { maxZoom: map.getZoom() });
}

/** Expose the attribution's height to CSS (the legend must not cover it). */
function syncAttribHeight() {
  const attrib = map && map.getContainer().querySelector('.maplibregl-ctrl-bottom-right');
  if (attrib) $('legend').style.setProperty('--attrib-h', `${Math.ceil(attrib.getBoundingClientRect().height) + 12}px`);
}

/**
 * The home view: the whole département. A national geography spans the overseas
 * départements too, which would leave the mainland a speck: its home view is the
 * territories within 15° of the most populous one (metropolitan France); the others
 * stay one pan or zoom away.
 */
function homeBbox() {
  const full = data.meta.department.bbox;
  const all = [...data.territory.values()].filter((t) => Array.isArray(t.bbox) && Array.isArray(t.label_point));
  if (all.length <= ALWAYS_LABELLED_TERRITORIES) return full;
  const anchor = all.reduce((a, b) => ((b.population || 0) > (a.population || 0) ? b : a));
  const near = all.filter((t) => Math.abs(t.label_point[0] - anchor.label_point[0]) < 15
    && Math.abs(t.label_point[1] - anchor.label_point[1]) < 15);
  return near.reduce(
    (b, t) => [Math.min(b[0], t.bbox[0]), Math.min(b[1], t.bbox[1]), Math.max(b[2], t.bbox[2]), Math.max(b[3], t.bbox[3])],
    [Infinity, Infinity, -Infinity, -Infinity],
  );
}

function fitDepartment(animate = true) {
  if (data.meta) fitTo(homeBbox(), { animate });
}

function loadDetail(id) {
  if (data.details.has(id)) return data.details.get(id);
  const z = parseZoneId(id);
  let p;
  if (z.level === 'department') {
    p = Promise.resolve({
      ...data.meta.department,
      level: 'department',
      territories: [...data.territory.values()].map((t) => ({ code: t.code, name: t.name, population: t.population })),
      parents: [],
    });
  } else {
    const path = { territory: 'territories', epci: 'epci', commune: 'communes' }[z.level];
    p = api(`/api/${path}/${encodeURIComponent(z.code)}`);
  }
  p = p.catch((err) => {
    data.details.delete(id);
    throw err;
  });
  data.details.set(id, p);
  return p;
}

/**
 * Select a zone: outline it, switch the level, fit the view, open its panel.
 * @param {string} id  zone id ("territory:ARR", "epci:200033579", "commune:62041", "department:62")
 */
async function selectZone(id, { fit = true, switchLevel = true, focus = false } = {}) {
  const item = zoneItem(id);
  if (!item) {
    showError('Zone introuvable : le lien utilisé ne correspond à aucune zone connue.');
    return;
  }
  hideErrorIfDetail();
  const z = parseZoneId(id);
  document.body.dataset.zone = id;
  if (switchLevel) setLevel(LEVEL_OF_ZONE[z.level]);
  setSelectedFilters(id);
  openPanel(item, z.level);
  // The features follow the zone (store subscribers) once the panel has taken its room.
  store.set({ zone: id });
  updateLabels();
  if (fit === 'if-needed') ensureVisible(item.bbox);
  else if (fit) fitTo(item.bbox, { maxZoom: z.level === 'commune' ? 11.5 : 11 });
  if (focus) $('zone-name').focus({ preventScroll: true });

  const token = ++selectToken;
  const body = $('panel-body');
  body.setAttribute('aria-busy', 'true');
  const slots = {
    downloads: el('div', { class: 'panel-slot', id: 'zone-downloads-slot' }),
    card: el('div', { class: 'panel-slot', id: 'zone-card-slot' }),
    profile: el('div', { class: 'panel-slot', id: 'zone-profile-slot' }),
    portrait: el('div', { class: 'panel-slot', id: 'zone-portrait-slot' }),
    sources: el('div', { class: 'panel-slot', id: 'zone-sources-slot' }),
    figures: el('div', { class: 'panel-slot', id: 'zone-figures-slot' }, renderFigures(item, z.level)),
    links: el('div', { class: 'panel-slot', id: 'zone-links-slot' }, el('p', { class: 'panel-loading', text: 'Chargement de la fiche…' })),
  };
  body.replaceChildren(...Object.values(slots));
  renderDownloads();
  panelShown = { id, edition: null, indicator: null };
  if (ind && ind.enabled) {
    $('zone-figures-slot').prepend(el('h3', { class: 'panel-section-title', text: 'Population et superficie' }));
    ind.renderCard(slots.card, z.level, z.code);
    refreshProfile();
  }
  loadPortrait(id);
  try {
    const detail = await loadDetail(id);
    if (token !== selectToken) return;
    renderPanel(detail, z.level);
  } catch (err) {
    if (token !== selectToken) return;
    slots.links.replaceChildren(
      el('div', { class: 'panel-error', role: 'alert' },
        el('p', { text: `Impossible de charger la fiche détaillée. ${err.message || ''}` }),
        el('button', { type: 'button', class: 'btn', onclick: () => selectZone(id, { fit: false }), text: 'Réessayer' })),
    );
  } finally {
    if (token === selectToken) body.removeAttribute('aria-busy');
  }
}

function epciShortName(siren) {
  const e = data.epci.get(String(siren));
  return (e && (e.short_name || e.name)) || siren;
}

/**
 * The published portrait of a territory (its latest edition: qualitative sections,
 * decisions, orientations and actions), or the published actions that concern an EPCI.
 * The figures are the profile's, above: a portrait never retypes them.
 */
async function loadPortrait(id) {
  const slot = $('zone-portrait-slot');
  const z = parseZoneId(id);
  if (!slot || !z || (z.level !== 'territory' && z.level !== 'epci')) return;
  const code = encodeURIComponent(z.code);
  try {
    if (z.level === 'territory') {
      const list = await api(`/api/portraits?territory=${code}&published=true`);
      if (current().zone !== id) return;
      const latest = (list.items || [])[0];
      const link = el('a', { class: 'btn btn--ghost btn--small', href: `/territoires/${code}`, 'data-testid': 'zone-portrait-link', text: 'Page du territoire' });
      if (!latest) {
        slot.replaceChildren(el('section', { class: 'panel-section', 'data-testid': 'zone-portrait' },
          el('h3', { class: 'panel-section-title', text: 'Portrait du territoire' }),
          el('p', { class: 'panel-note', 'data-testid': 'zone-portrait-empty', text: 'Aucun portrait publié pour ce territoire.' }), link));
        return;
      }
      const p = await api(`/api/portraits/${code}/${latest.edition}`);
      if (current().zone !== id) return;
      slot.replaceChildren(el('section', { class: 'panel-section portrait', 'data-testid': 'zone-portrait' },
        el('h3', { class: 'panel-section-title' }, 'Portrait du territoire', el('span', { class: 'count', text: `${p.edition}` })),
        renderDecisions(p),
        renderSections(p, { level: 4 }),
        renderPlan(p, { level: 4, epciName: epciShortName }),
        link));
    } else {
      const list = await api(`/api/actions?epci=${code}&published=true`);
      if (current().zone !== id) return;
      const items = list.items || [];
      slot.replaceChildren(el('section', { class: 'panel-section', 'data-testid': 'zone-actions' },
        el('h3', { class: 'panel-section-title' }, 'Actions qui concernent cet EPCI', el('span', { class: 'count', text: fmtInt(items.length) })),
        items.length
          ? el('div', { class: 'action-list' }, items.map((a) => renderAction(a, { epciName: epciShortName, showOrientation: true })))
          : el('p', { class: 'panel-note', text: 'Aucune action publiée ne concerne cet EPCI.' }),
        el('a', { class: 'btn btn--ghost btn--small', href: `/epci/${code}`, text: "Page de l'EPCI" })));
    }
  } catch (err) {
    if (current().zone !== id) return;
    slot.replaceChildren(el('div', { class: 'panel-error', role: 'alert' },
      el('p', { text: `Le portrait n'a pas pu être chargé. ${err.message || ''}`.trim() })));
  }
}

/** What the panel's profile shows: zone, edition and indicator it was drawn for. */
let panelShown = { id: null, edition: null, indicator: null };

function loadProfile(zoneLevel, code, edition) {
  const key = `${zoneLevel}:${code}@${edition}`;
  if (data.profiles.has(key)) return data.profiles.get(key);
  const p = api(`/api/zones/${zoneLevel}/${encodeURIComponent(code)}/profile?edition=${edition}`).catch((err) => {
    data.profiles.delete(key);
    throw err;
  });
  data.profiles.set(key, p);
  return p;
}

/** (Re)draw the profile sections of the selected zone for the dashboard's edition and indicator. */
async function refreshProfile() {
  if (!ind || !ind.enabled || !current().zone) return;
  const slot = $('zone-profile-slot');
  if (!slot) return;
  const id = current().zone;
  const z = parseZoneId(id);
  const { edition, indicator } = ind.state();
  if (panelShown.id === id && panelShown.edition === edition && panelShown.indicator === indicator) return;
  panelShown = { id, edition, indicator };
  if (!slot.childElementCount) slot.append(el('p', { class: 'panel-loading', text: 'Chargement des chiffres clés…' }));
  slot.setAttribute('aria-busy', 'true');
  const dept = data.meta.department;
  try {
    const [profile, deptProfile] = await Promise.all([
      loadProfile(z.level, z.code, edition),
      z.level === 'department' ? Promise.resolve(null) : loadProfile('department', dept.code, edition).catch(() => null),
    ]);
    if (current().zone !== id || panelShown.edition !== edition || panelShown.indicator !== indicator) return;
    const parts = renderProfile(profile, {
      catalogue: data.catalogue,
      catalogueRaw: data.catalogueRaw,
      indicatorId: indicator,
      categoryLabel: ind.categoryLabel(),
      deptProfile,
      deptCode: dept.code,
      deptName: dept.name,
      levelWords: { parent: { epci: 'Territoire', commune: 'EPCI' }[z.level] || '' },
      shortName: (p) => {
        const known = data.epci.get(String(p.code));
        return (known && known.short_name) || p.name;
      },
    });
    slot.replaceChildren(...[parts.keyFigures, parts.breakdowns, parts.series].filter(Boolean));
    const sources = $('zone-sources-slot');
    if (sources) sources.replaceChildren(parts.sources);
  } catch (err) {
    if (current().zone !== id) return;
    panelShown.edition = null;
    slot.replaceChildren(el('div', { class: 'panel-error', role: 'alert' },
      el('p', { text: `Les chiffres de la zone n'ont pas pu être chargés. ${err.message || ''}`.trim() }),
      el('button', { type: 'button', class: 'btn', onclick: () => refreshProfile(), text: 'Réessayer' })));
  } finally {
    if (current().zone === id) slot.removeAttribute('aria-busy');
  }
}

/** The selected zone's documents (fiche PDF, XLSX, CSV) for the edition on screen. */
function renderDownloads() {
  const slot = $('zone-downloads-slot');
  const z = parseZoneId(current().zone);
  if (!slot || !z) return;
  const item = zoneItem(current().zone);
  const links = downloadLinks(z.level, z.code, ind && ind.enabled ? ind.state().edition : null, item ? zoneDisplayName(item) : '');
  slot.replaceChildren(...(links ? [links] : []));
}

/** The dashboard's choices changed: redraw what the open panel shows of them. */
function onIndicatorView() {
  updateLabels();
  if (!current().zone || $('panel').hidden) return;
  renderDownloads();
  const z = parseZoneId(current().zone);
  const card = $('zone-card-slot');
  if (card) ind.renderCard(card, z.level, z.code);
  refreshProfile();
}

function hideErrorIfDetail() {
  // A previous "zone not found" message is stale once a valid zone is chosen.
  if ($('error-text').textContent.startsWith('Zone introuvable')) hideError();
}

function clearSelection({ restoreFocus = true } = {}) {
  selectToken += 1;
  delete document.body.dataset.zone;
  setSelectedFilters(null);
  closePanel(restoreFocus);
  panelShown = { id: null, edition: null, indicator: null };
  store.set({ zone: null });
  updateLabels();
}

function kindLine(item, level) {
  switch (level) {
    case 'department': return 'Département';
    case 'territory': return 'Territoire';
    case 'epci': {
      const k = item.kind ? ` · ${EPCI_KINDS[item.kind] || item.kind} (${item.kind})` : '';
      return `EPCI${k}`;
    }
    case 'commune': return 'Commune';
    default: return '';
  }
}

function subtitleLine(item, level) {
  switch (level) {
    case 'department': return `Code ${item.code}`;
    case 'territory': {
      const parts = [];
      if (Number.isFinite(item.epci_count)) parts.push(plural(item.epci_count, 'EPCI', 'EPCI'));
      if (Number.isFinite(item.commune_count)) parts.push(plural(item.commune_count, 'commune', 'communes'));
      return parts.join(' · ');
    }
    case 'epci': {
      const parts = [];
      if (item.short_name && item.short_name !== item.name) parts.push(item.short_name);
      parts.push(`SIREN ${item.code}`);
      return parts.join(' · ');
    }
    case 'commune': return `Code INSEE ${item.code}`;
    default: return '';
  }
}

function openPanel(item, level) {
  const panel = $('panel');
  const wasHidden = panel.hidden;
  if (wasHidden) lastFocusBeforePanel = document.activeElement;
  panel.hidden = false;
  panel.dataset.level = level;
  document.body.classList.add('has-panel');
  $('zone-kind').textContent = kindLine(item, level);
  $('zone-name').textContent = item.name;
  $('zone-subtitle').textContent = subtitleLine(item, level);
  panel.scrollTop = 0;
  $('panel-body').scrollTop = 0;
  if (wasHidden && map) {
    map.resize();
    // The panel takes the room: on a narrow map, fold the legend (it can be reopened).
    // (a tablet's map beside the panel is ~660 px: the open legend would hide the zone).
    if (map.getContainer().clientWidth < NARROW_MAP) $('legend').open = false;
  }
}

function closePanel(restoreFocus = true) {
  const panel = $('panel');
  if (panel.hidden) return;
  const hadFocus = panel.contains(document.activeElement);
  panel.hidden = true;
  document.body.classList.remove('has-panel');
  if (map) map.resize();
  if (restoreFocus && hadFocus) {
    const target = lastFocusBeforePanel && document.contains(lastFocusBeforePanel) ? lastFocusBeforePanel : map && map.getCanvas();
    if (target && target.focus) target.focus({ preventScroll: true });
  }
}

function figure(label, value, note) {
  return el('div', { class: 'figure' },
    el('dt', { text: label }),
    el('dd', {}, el('span', { class: 'figure-value', text: value }), note ? el('span', { class: 'figure-note', text: note }) : null));
}

function renderFigures(item, level) {
  const deptPop = data.meta && data.meta.department.population;
  const density = Number.isFinite(item.population) && item.area_km2 > 0 ? item.population / item.area_km2 : NaN;
  const share = level !== 'department' && deptPop && Number.isFinite(item.population) ? item.population / deptPop : NaN;
  return el('dl', { class: 'figures', 'data-testid': 'zone-figures' },
    figure('Population', fmtInt(item.population), 'habitants'),
    figure('Superficie', fmtArea(item.area_km2)),
    figure('Densité', Number.isFinite(density) ? fmtInt(Math.round(density)) : '—', 'hab./km²'),
    level === 'department'
      ? figure('Communes', fmtInt(data.meta.counts ? data.meta.counts.communes : data.commune.size), `${fmtInt(data.territory.size)} territoires · ${fmtInt(data.epci.size)} EPCI`)
      : figure('Part du département', Number.isFinite(share) ? nfPct.format(share) : '—', 'de la population'),
  );
}

const PARENT_LEVEL_LABEL = { department: 'Département', territory: 'Territoire', epci: 'EPCI', commune: 'Commune' };

function zoneButton(level, entry, { showPop = true, tag = null } = {}) {
  const id = zoneId(level, entry.code);
  const known = zoneItem(id);
  // EPCI: the short name ("CU d'Arras") reads better in lists than the legal one.
  const name = (level === 'epci' && known && known.short_name) || entry.name || (known && zoneDisplayName(known)) || entry.code;
  const pop = Number.isFinite(entry.population) ? entry.population : known && known.population;
  return el('button', {
    type: 'button',
    class: 'zone-link',
    'data-testid': 'zone-link',
    'data-zone': id,
    onclick: () => selectZone(id, { focus: true }),
  },
  tag ? el('span', { class: 'zone-link-tag', text: tag }) : null,
  el('span', { class: 'zone-link-name', text: name }),
  showPop && Number.isFinite(pop) ? el('span', { class: 'zone-link-pop', text: fmtPop(pop) }) : null);
}

function childList(title, level, entries, testid) {
  const sorted = [...entries].sort((a, b) => (b.population || 0) - (a.population || 0) || String(a.name).localeCompare(String(b.name), 'fr'));
  const list = el('ul', { class: 'zone-list', 'data-testid': testid });
  const section = el('section', { class: 'panel-section' },
    el('h3', { class: 'panel-section-title' }, title, el('span', { class: 'count', text: fmtInt(sorted.length) })),
    list);
  const render = (all) => {
    const shown = all ? sorted : sorted.slice(0, CHILDREN_PREVIEW);
    list.replaceChildren(...shown.map((e) => el('li', {}, zoneButton(level, e))));
  };
  render(sorted.length <= CHILDREN_PREVIEW + 3);
  if (sorted.length > CHILDREN_PREVIEW + 3) {
    const more = el('button', {
      type: 'button', class: 'btn btn--ghost', 'aria-expanded': 'false',
      text: `Afficher les ${fmtInt(sorted.length)} ${level === 'commune' ? 'communes' : 'zones'}`,
    });
    more.addEventListener('click', () => {
      const expanded = more.getAttribute('aria-expanded') === 'true';
      render(!expanded);
      more.setAttribute('aria-expanded', String(!expanded));
      more.textContent = expanded
        ? `Afficher les ${fmtInt(sorted.length)} ${level === 'commune' ? 'communes' : 'zones'}`
        : `Afficher seulement les ${CHILDREN_PREVIEW} plus peuplées`;
    });
    section.append(more);
  }
  return section;
}

function renderPanel(detail, level) {
  const item = { ...zoneItem(zoneId(level, detail.code)), ...detail };
  // Refresh the header with the detailed record (names may be more complete).
  $('zone-kind').textContent = kindLine(item, level);
  $('zone-name').textContent = item.name;
  $('zone-subtitle').textContent = subtitleLine(item, level);

  const figuresSlot = $('zone-figures-slot');
  if (figuresSlot) {
    const old = figuresSlot.querySelector('[data-testid="zone-figures"]');
    if (old) old.replaceWith(renderFigures(item, level));
  }
  const parts = [];

  const parents = Array.isArray(detail.parents) ? detail.parents : [];
  if (parents.length) {
    const order = ['department', 'territory', 'epci'];
    const sorted = [...parents].sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
    parts.push(el('nav', { class: 'panel-section', 'aria-label': 'Zones de rattachement' },
      el('h3', { class: 'panel-section-title', text: 'Rattachement' }),
      el('ol', { class: 'parents', 'data-testid': 'zone-parents' },
        sorted.map((p) => el('li', {}, zoneButton(p.level, p, { showPop: false, tag: PARENT_LEVEL_LABEL[p.level] || p.level }))))));
  }

  if (level === 'department') {
    parts.push(childList('Territoires', 'territory', detail.territories || [], 'zone-children-territories'));
  }
  if (level === 'territory') {
    if (Array.isArray(detail.epci)) parts.push(childList('EPCI du territoire', 'epci', detail.epci, 'zone-children-epci'));
    if (Array.isArray(detail.communes)) parts.push(childList('Communes', 'commune', detail.communes, 'zone-children-communes'));
  }
  if (level === 'epci' && Array.isArray(detail.communes)) {
    parts.push(childList('Communes membres', 'commune', detail.communes, 'zone-children-communes'));
  }
  const links = $('zone-links-slot');
  if (links) links.replaceChildren(...parts);
}

// ---------------------------------------------------------------------------------------------
// URL hash
// ---------------------------------------------------------------------------------------------

function readHash() {
  return parseHash(window.location.hash, { families: familyList().map((f) => f.id) });
}

let hashTimer = 0;
/** Writes the view's state into the URL (soon: one write for a burst of changes). */
function writeHash() {
  if (!ready) return;
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => {
    const { level, zone, ind: indicators, orgs: organisations } = current();
    let at = null;
    if (map) {
      const c = map.getCenter();
      at = { zoom: map.getZoom(), center: [c.lng, c.lat] };
    }
    const hash = formatHash({ level, zone, view: at, ind: indicators, orgs: organisations });
    if (hash !== window.location.hash) {
      lastHash = hash;
      history.replaceState(history.state, '', hash);
    }
  }, 150);
}
store.subscribe(null, writeHash);

function applyHash({ initial = false } = {}) {
  const h = readHash();
  if (h.view && !initial) map.jumpTo(h.view);
  if (h.level) setLevel(h.level);
  if (h.zone) {
    if (h.zone !== current().zone) {
      selectZone(h.zone, { fit: !h.view, switchLevel: !h.level });
    }
  } else if (current().zone) {
    clearSelection({ restoreFocus: false });
  }
  if (orgs) orgs.apply(h.orgs);
  if (ind) ind.apply(h.ind);
}

// ---------------------------------------------------------------------------------------------
// Legend
// ---------------------------------------------------------------------------------------------

function renderLegend() {
  const list = $('legend-list');
  const items = [...data.territory.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  list.replaceChildren(...items.map((t) => el('li', {},
    el('button', {
      type: 'button', class: 'legend-item', 'data-testid': 'legend-territory', 'data-zone': zoneId('territory', t.code),
      onclick: () => selectZone(zoneId('territory', t.code), { focus: true }),
    },
    el('span', { class: 'swatch', style: `background:${data.colours.get(t.code)}`, 'aria-hidden': 'true' }),
    el('span', { text: t.name })))));
  // With indicators, the classes of the choropleth replace the list of territories.
  $('legend-territories').hidden = !!(ind && ind.enabled);
  // Phones and tablets: the legend starts folded so that it does not hide the map (issue 19).
  if (window.matchMedia(NARROW_SCREEN).matches) $('legend').open = false;
  $('legend').hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Map
// ---------------------------------------------------------------------------------------------

class OverviewControl {
  onAdd() {
    this._container = el('div', { class: 'maplibregl-ctrl maplibregl-ctrl-group' },
      el('button', {
        type: 'button', class: 'overview-btn', title: "Vue d'ensemble du département",
        'aria-label': "Vue d'ensemble du département", 'data-testid': 'overview',
        onclick: () => fitDepartment(),
      }, svgHome()));
    return this._container;
  }

  onRemove() {
    this._container.remove();
  }
}

function svgHome() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M4 4h6v2H6v4H4zM20 4v6h-2V6h-4V4zM4 20v-6h2v4h4v2zM20 20h-6v-2h4v-4h2z');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

function createMap(view) {
  const dept = data.meta.department;
  const [minX, minY, maxX, maxY] = dept.bbox;
  // Generous margins: a short, wide map (table open) must still fit the whole département.
  // Clamped to the world: a national geography spans the overseas départements too.
  const dx = (maxX - minX) * 2;
  const dy = (maxY - minY) * 1.2;
  const bounds = [
    [Math.max(-170, minX - dx), Math.max(-75, minY - dy)],
    [Math.min(170, maxX + dx), Math.min(75, maxY + dy)],
  ];
  // Zoom 6 shows a whole département; a wider geography may be seen whole, one zoom out.
  const container = document.getElementById('map');
  const width = Math.max(320, (container && container.clientWidth) || 1024);
  const fitZoom = Math.log2((360 / Math.max(1e-6, maxX - minX)) * (width / 512));
  const minZoom = Math.max(0, Math.min(6, Math.floor(fitZoom) - 1));
  const options = {
    container: 'map',
    style: buildStyle(),
    attributionControl: false,
    maplibreLogo: false,
    locale: MAP_LOCALE,
    maxBounds: bounds,
    minZoom,
    maxZoom: 15,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    renderWorldCopies: false,
    fadeDuration: 0,
  };
  if (view) {
    options.center = view.center;
    options.zoom = view.zoom;
  } else {
    const home = homeBbox();
    options.bounds = [[home[0], home[1]], [home[2], home[3]]];
    options.fitBoundsOptions = { padding: fitPadding() };
  }
  const m = new MapLibreMap(options);
  // The hatching of the masked zones: a small canvas image (no sprite is served).
  m.setMissingStyleImageResolver((id) => {
    if (id === HATCH_IMAGE && !m.hasImage(HATCH_IMAGE)) m.addImage(HATCH_IMAGE, hatchImage(), { pixelRatio: 2 });
  });
  m.touchZoomRotate.disableRotation();
  m.keyboard.disableRotation();
  m.addControl(new NavigationControl({ showCompass: false }), 'top-left');
  m.addControl(new OverviewControl(), 'top-left');
  const attribution = data.meta.attribution ? escapeHtml(data.meta.attribution) : '';
  // On a tablet or phone the sources fold behind an « i » (130 px of a phone's 430 before).
  const compact = window.matchMedia(NARROW_SCREEN).matches;
  m.addControl(new AttributionControl({ compact, customAttribution: attribution || undefined }), 'bottom-right');
  if (compact) {
    // MapLibre opens a compact attribution until the first drag: start it folded.
    m.once('load', () => {
      const attrib = m.getContainer().querySelector('.maplibregl-ctrl-attrib');
      if (attrib) attrib.classList.remove('maplibregl-compact-show');
      if (attrib && attrib.hasAttribute('open')) attrib.removeAttribute('open');
      syncAttribHeight();
    });
  }
  // Added after the attribution, so MapLibre stacks it just above.
  m.addControl(new ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-right');
  return m;
}

function wireMap() {
  tooltip = el('div', { class: 'map-tooltip', 'aria-hidden': 'true', hidden: true });
  map.getContainer().append(tooltip);

  for (const s of SOURCE_IDS) {
    map.on('mousemove', `${s}-fill`, onFillMove);
    map.on('mouseleave', `${s}-fill`, clearHover);
    map.on('click', `${s}-fill`, (e) => {
      const f = e.features && e.features[0];
      if (!f) return;
      // A click on an organisation point or cluster is theirs, not the zone's.
      if (orgs && orgs.hit(e.point)) return;
      const code = String(f.id ?? f.properties.code);
      const id = zoneId(LEVELS[s].zone, code);
      if (id === current().zone) return;
      if (tooltip) tooltip.hidden = true;
      selectZone(id, { fit: 'if-needed', switchLevel: false });
    });
  }
  map.on('moveend', () => {
    updateLabels();
    writeHash();
  });
  map.on('zoomend', () => {
    updateLabels();
    updateZoomHint();
  });
  map.on('resize', () => {
    syncAttribHeight();
    if (tooltip) tooltip.hidden = true;
    updateLabels();
  });
  const failedSources = new Set();
  map.on('error', (e) => {
    const err = e && e.error;
    if (e && e.sourceId) {
      failedSources.add(e.sourceId);
      const names = { territories: 'territoires', epci: 'EPCI', communes: 'communes' };
      setStatus(null);
      // No answer at all (server restarting): clear the banner once it answers again.
      const noAnswer = !(err && Number.isInteger(err.status));
      if (noAnswer) reportDown();
      const { sourceId } = e;
      // Once the server is back, the layer's tiles are asked again (the page is kept).
      const reloadSource = () => {
        failedSources.delete(sourceId);
        const source = map.getSource(sourceId);
        // setUrl/setTiles with the same value makes MapLibre ask every tile again.
        if (source && source.url && typeof source.setUrl === 'function') source.setUrl(source.url);
        else if (source && source.tiles && typeof source.setTiles === 'function') source.setTiles(source.tiles);
        else window.location.reload();
      };
      showError(`Impossible de charger la couche des ${names[sourceId] || sourceId}.${noAnswer ? ` ${SERVER_DOWN}` : ''}`,
        noAnswer ? reloadSource : () => window.location.reload(), { connection: noAnswer });
    } else {
      console.error(err || e);
    }
  });

  map.on('sourcedata', (e) => {
    if (e.sourceId === current().level && e.sourceDataType === 'metadata') updateZoomHint();
  });
  map.on('load', () => {
    setLevel(current().level);
    if (current().zone) setSelectedFilters(current().zone);
    updateLabels();
  });

  const checkReady = () => {
    if (ready) return;
    if (!map.isStyleLoaded() || failedSources.size) return;
    const loaded = SOURCE_IDS.every((s) => map.getSource(s) && map.isSourceLoaded(s));
    if (!loaded) return;
    ready = true;
    map.off('idle', checkReady);
    setStatus(null);
    updateLabels();
    document.body.dataset.mapReady = '1';
    writeHash();
  };
  map.on('idle', checkReady);
}

// ---------------------------------------------------------------------------------------------
// Boot
// ---------------------------------------------------------------------------------------------

function wireUi() {
  for (const btn of document.querySelectorAll('.level-btn')) {
    btn.addEventListener('click', () => setLevel(btn.dataset.level));
  }
  $('panel-close').addEventListener('click', () => clearSelection());
  $('zoom-hint-btn').addEventListener('click', () => {
    if (map) map.easeTo({ zoom: levelMinZoom(current().level) + 0.5 });
  });
  $('error-close').addEventListener('click', hideError);
  $('error-retry').addEventListener('click', () => {
    const action = retryAction;
    hideError();
    if (action) action();
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape' || ev.defaultPrevented) return;
    if (orgs && orgs.hasPopup()) {
      orgs.closePopup();
    } else if (!$('panel').hidden) {
      clearSelection();
    }
  });
  window.addEventListener('hashchange', () => {
    if (window.location.hash === lastHash) return;
    lastHash = window.location.hash;
    if (map && ready) applyHash();
  });
  showStaffLink($('staff-link'));
  setupSearch({
    input: $('search-input'),
    list: $('search-results'),
    territories: () => [...data.territory.values()],
    epci: () => [...data.epci.values()],
    epciName: (code) => {
      const e = data.epci.get(String(code));
      return e ? zoneDisplayName(e) : '';
    },
    selectZone: (id) => selectZone(id, { focus: true }),
    openOrganisation: (item) => {
      if (orgs) orgs.show(item);
    },
  });
}

async function boot() {
  wireUi();
  setStatus('Chargement des données…');
  let meta;
  let territories;
  let epci;
  let communes;
  let catalogue;
  try {
    [meta, territories, epci, communes, catalogue, data.style] = await Promise.all([
      api('/api/meta'), api('/api/territories'), api('/api/epci'), api('/api/communes'),
      // Without indicators (no edition imported, older server) the map keeps its plain colours.
      api('/api/indicators/catalogue').catch(() => null),
      api('/style.json'),
      loadPalettes(),
    ]);
  } catch (err) {
    setStatus(null);
    showError(`Les données de la carte n'ont pas pu être chargées. ${err.message || ''}`.trim(), () => window.location.reload());
    return;
  }
  data.meta = meta;
  for (const t of territories.items || []) data.territory.set(String(t.code), t);
  for (const e of epci.items || []) data.epci.set(String(e.code), e);
  for (const c of communes.items || []) data.commune.set(String(c.code), c);
  for (const code of data.territory.keys()) data.colours.set(code, territoryColour(code));

  const dept = meta.department || {};
  $('brand-sub').textContent = dept.name ? `${dept.name} · économie sociale et solidaire` : 'Économie sociale et solidaire';
  document.title = `Atlas de l'ESS — ${dept.name || 'Pas-de-Calais'}`;
  $('demo-badge').hidden = meta.demo !== true;
  if (catalogue && Array.isArray(catalogue.items)) {
    data.catalogueRaw = catalogue;
    for (const i of catalogue.items) data.catalogue.set(i.id, i);
  }
  ind = createIndicators(store, {
    meta,
    catalogue,
    map: () => map,
    selectZone: (id, opts = {}) => selectZone(id, { fit: 'if-needed', switchLevel: false, ...opts }),
    shortName: (level, code) => {
      const item = data[level] && data[level].get(String(code));
      return item ? zoneDisplayName(item) : '';
    },
    hover: hoverZone,
    onView: onIndicatorView,
    showError,
    layoutChanged: () => {
      if (!map) return;
      map.resize();
      updateLabels();
    },
  });
  ind.init();
  renderLegend();

  orgs = createOrganisations(store, {
    meta,
    map: () => map,
    zoneName: (id) => {
      const item = zoneItem(id);
      return item ? zoneDisplayName(item) : parseZoneId(id).code;
    },
    clearZone: () => clearSelection({ restoreFocus: false }),
    selectZone: (id) => selectZone(id),
    hideTooltip: () => {
      if (tooltip) tooltip.hidden = true;
    },
    layoutChanged: () => {
      if (!map) return;
      map.resize();
      updateLabels();
    },
  });
  orgs.init();

  const initial = readHash();
  orgs.apply(initial.orgs, { initial: true });
  ind.apply(initial.ind, { initial: true });
  let level = current().level;
  if (initial.level) level = initial.level;
  if (initial.zone) {
    const z = parseZoneId(initial.zone);
    if (!initial.level && z) level = LEVEL_OF_ZONE[z.level];
  }
  setLevel(level);

  setStatus('Chargement de la carte…');
  try {
    map = createMap(initial.view);
  } catch (err) {
    setStatus(null);
    showError("La carte ne peut pas s'afficher : ce navigateur ne prend pas en charge WebGL.");
    console.error(err);
    return;
  }
  window.essAtlas = {
    map, store, data, selectZone, setLevel, orgs, ind,
    /** The view's state (tests read `state.zone`). */
    get state() { return current(); },
  };
  wireMap();
  map.once('load', () => {
    syncAttribHeight();
    if (!initial.view && !initial.zone) fitDepartment(false);
    if (initial.zone) {
      selectZone(initial.zone, { fit: !initial.view, switchLevel: !initial.level });
    }
    orgs.start();
    ind.start();
  });
}

initEmbedButton();
boot();
