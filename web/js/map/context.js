// ess-atlas — the map page's shared state: the view's store (store.js: level, selected zone,
// and the slices the organisations and indicators add), the data loaded at start (zones,
// server style, catalogue, caches), and the handles of the map and of its two features.
// Every module of the page (web/js/map/) imports them from here instead of passing them
// around. Also the zone vocabulary they share (levels, zone ids, display names).
//
// Owns no behaviour: no DOM beyond `$`, no map calls.

import { createStore } from '../store.js';
import { parseZoneId } from '../url.js';

/** Display levels (the segmented control) and how they map to API zones. */
export const LEVELS = {
  territories: { source: 'territories', zone: 'territory', title: 'Territoires' },
  epci: { source: 'epci', zone: 'epci', title: 'EPCI' },
  communes: { source: 'communes', zone: 'commune', title: 'Communes' },
};
export const LEVEL_OF_ZONE = { department: 'territories', territory: 'territories', epci: 'epci', commune: 'communes' };
export const SOURCE_IDS = ['territories', 'epci', 'communes'];

/** Screens where the legend starts folded and the attribution is compact (tablets, phones). */
export const NARROW_SCREEN = '(max-width: 1100px)';
/** Up to this many territories (a département's), every territory name is always shown. */
export const ALWAYS_LABELLED_TERRITORIES = 12;

/**
 * The view's state (store.js), what the URL carries: the display level, the selected zone id
 * ("epci:200033579" or null), and the slices of the organisations (orgs) and the indicators
 * (ind), which those features add. The URL is written from it (permalink.js subscribes).
 */
export const store = createStore({ level: 'territories', zone: null });
export const current = () => store.get();

/** What the page loaded at start, and its caches. */
export const data = {
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

/**
 * The page's live handles: the MapLibre map, the organisations (orgs.js) and indicator
 * (indicators.js) features, created by app.js at boot; `ready` once the map has drawn its
 * first frame (the URL is written from then on).
 */
export const page = { map: null, orgs: null, ind: null, ready: false };

export const $ = (id) => document.getElementById(id);

export function zoneId(level, code) {
  return `${level}:${code}`;
}

/** The list item (with bbox, label_point…) of a zone, or a department pseudo-item. */
export function zoneItem(id) {
  const z = parseZoneId(id);
  if (!z) return null;
  if (z.level === 'department') {
    const d = data.meta && data.meta.department;
    return d && d.code === z.code ? { ...d, level: 'department' } : null;
  }
  return data[z.level].get(z.code) || null;
}

export function zoneDisplayName(item) {
  return item.short_name || item.name;
}

