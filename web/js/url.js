// ess-atlas — the permalink: the view's state read from and written to the URL hash
// (#level=epci&zone=epci:200033579&map=9.00/50.2900/2.7800&ind=…&orgs=1&family=…).
//
// Pure: no DOM, no map (tested by web/test/url.test.mjs under node). Parsing drops what is
// malformed and keeps the rest; what depends on the server's data (an indicator id, an edition
// that exists) is checked by the feature that applies it. Written parts come in a fixed order,
// and only those that differ from the defaults, so that a shared link stays short.

import { METHODS } from './classify.js';
import { NAF_SECTIONS, SIZE_GROUPS } from './reference.js';

/** Display levels of the map. */
export const LEVELS = ['territories', 'epci', 'communes'];
/** The zone kind each display level shows. */
export const ZONE_OF_LEVEL = { territories: 'territory', epci: 'epci', communes: 'commune' };
/** Zone kinds of a zone id ("epci:200033579"). */
export const ZONE_KINDS = ['department', 'territory', 'epci', 'commune'];
/** Modes of the indicator dashboard: the edition's values, or an evolution. */
export const MODES = ['value', 'evolution_absolute', 'evolution_percent'];
/** How a count may be drawn, when not its default: proportional circles or a choropleth. */
export const REPRESENTATIONS = ['circles', 'choropleth'];
/** Columns the zone table sorts by. */
export const SORT_KEYS = ['name', 'parent', 'population', 'value', 'evolution'];

/** The parts of a zone id, or null: "epci:200033579" → { level: 'epci', code: '200033579' }. */
export function parseZoneId(id) {
  if (typeof id !== 'string') return null;
  const i = id.indexOf(':');
  if (i <= 0) return null;
  const level = id.slice(0, i);
  const code = id.slice(i + 1);
  if (!ZONE_KINDS.includes(level) || !code) return null;
  return { level, code };
}

/**
 * The organisations' part of the state: `known.families`, when given, is the list of the
 * family ids the server knows (others are dropped); without it any snake_case id is kept.
 */
function parseOrganisations(params, known) {
  const out = { on: params.get('orgs') === '1' };
  const ed = Number(params.get('edition'));
  if (Number.isInteger(ed) && ed > 1900 && ed < 3000) out.edition = ed;
  const isFamily = known.families ? (f) => known.families.includes(f) : (f) => /^[a-z_]+$/.test(f);
  out.families = (params.get('family') || '').split(',').filter(isFamily);
  const naf = (params.get('naf') || '').toUpperCase();
  out.naf = NAF_SECTIONS[naf] ? naf : '';
  const size = params.get('size') || '';
  out.size = Object.hasOwn(SIZE_GROUPS, size) ? size : '';
  out.employer = params.get('employer') === '1';
  out.q = (params.get('q') || '').trim().slice(0, 120);
  const page = Number(params.get('page'));
  out.page = Number.isInteger(page) && page > 1 ? page : 1;
  const org = params.get('org') || '';
  out.org = /^\d{14}$/.test(org) ? org : null;
  return out;
}

/** The indicator dashboard's part of the state (only the keys present in the URL). */
function parseIndicators(params) {
  const out = {};
  const ind = params.get('ind');
  if (ind) out.indicator = ind;
  const cat = params.get('cat');
  if (cat !== null) out.cat = cat;
  const year = Number(params.get('year'));
  if (Number.isInteger(year) && year > 1900) out.edition = year;
  const vs = Number(params.get('vs'));
  out.compare = Number.isInteger(vs) && vs > 1900 ? vs : null;
  const mode = params.get('mode');
  if (mode && MODES.includes(mode)) out.mode = mode;
  const cls = params.get('cls');
  if (cls && Object.hasOwn(METHODS, cls)) out.method = cls;
  const rep = params.get('rep');
  if (rep && REPRESENTATIONS.includes(rep)) out.rep = rep;
  out.table = params.get('table') === '1';
  const sort = (params.get('tsort') || '').split('-');
  if (SORT_KEYS.includes(sort[0]) && (sort[1] === 'asc' || sort[1] === 'desc')) out.sort = { key: sort[0], dir: sort[1] };
  return out;
}

/**
 * The view's state in `hash` ("#level=…" or "level=…"): { level?, zone?, view?: { zoom,
 * center: [lon, lat] }, orgs: {…}, ind: {…} }. `known` narrows what is accepted (see
 * parseOrganisations).
 */
export function parseHash(hash, known = {}) {
  const params = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  const out = {};
  const level = params.get('level');
  if (level && LEVELS.includes(level)) out.level = level;
  const zone = params.get('zone');
  if (zone && parseZoneId(zone)) out.zone = zone;
  const m = (params.get('map') || '').split('/').map(Number);
  if (m.length === 3 && m.every(Number.isFinite) && Math.abs(m[1]) <= 85 && Math.abs(m[2]) <= 180) {
    out.view = { zoom: m[0], center: [m[2], m[1]] };
  }
  out.orgs = parseOrganisations(params, known);
  out.ind = parseIndicators(params);
  return out;
}

function organisationParts(o) {
  if (!o || !o.on) return [];
  const parts = ['orgs=1'];
  if (o.edition) parts.push(`edition=${o.edition}`);
  if (o.families.length) parts.push(`family=${o.families.join(',')}`);
  if (o.naf) parts.push(`naf=${o.naf}`);
  if (o.size) parts.push(`size=${encodeURIComponent(o.size)}`);
  if (o.employer) parts.push('employer=1');
  if (o.q) parts.push(`q=${encodeURIComponent(o.q)}`);
  if (o.page > 1) parts.push(`page=${o.page}`);
  if (o.org) parts.push(`org=${o.org}`);
  return parts;
}

function indicatorParts(s) {
  if (!s) return [];
  const parts = [`ind=${s.indicator}`];
  if (s.cat) parts.push(`cat=${encodeURIComponent(s.cat)}`);
  parts.push(`year=${s.edition}`);
  if (s.compare !== null) parts.push(`vs=${s.compare}`, `mode=${s.mode}`);
  if (s.method !== 'jenks') parts.push(`cls=${s.method}`);
  if (s.rep) parts.push(`rep=${s.rep}`);
  if (s.table) {
    parts.push('table=1');
    if (s.sort.key !== 'value' || s.sort.dir !== 'desc') parts.push(`tsort=${s.sort.key}-${s.sort.dir}`);
  }
  return parts;
}

/**
 * The hash ("#level=…") of a view's state: `level`, `zone` (or null), `view` ({ zoom,
 * center: [lon, lat] } or null), `ind` (the dashboard's state, null without indicators),
 * `orgs` (the organisations' state; nothing is written while the layer is off).
 */
export function formatHash({ level, zone = null, view = null, ind = null, orgs = null }) {
  const parts = [`level=${level}`];
  if (zone) parts.push(`zone=${zone}`);
  if (view) parts.push(`map=${view.zoom.toFixed(2)}/${view.center[1].toFixed(4)}/${view.center[0].toFixed(4)}`);
  parts.push(...indicatorParts(ind), ...organisationParts(orgs));
  return `#${parts.join('&')}`;
}
