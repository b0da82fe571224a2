// ess-atlas — the colours of the ESS families and of the territories, as the server serves
// them (/api/palettes, from src/ess/palette.rs, the one home of both palettes: the tiles'
// style and the summaries' maps use it too). The web keeps no copy: loadPalettes() runs once
// at boot, before anything is drawn, and the family colours also become CSS custom
// properties (--family-association, …) for the style sheet.

import { api } from './util.js';

let families = [];
let byId = new Map();
let unknownFamily = '';
let territories = new Map();
let noTerritory = '';

/** Keeps the palettes of a /api/palettes answer; sets the CSS properties when in a page. */
export function setPalettes(p) {
  families = (p.families || []).map((f) => ({
    id: f.id,
    label: f.label,
    /** Label where room is short (filter chips). */
    chip: f.short_label || f.label,
    /** Singular, for one organisation. */
    one: f.singular || f.label,
    colour: f.colour,
    outsideTotals: f.in_statistical_totals === false,
  }));
  byId = new Map(families.map((f) => [f.id, f]));
  unknownFamily = p.unknown_family;
  territories = new Map((p.territories || []).map((t) => [String(t.code), t.colour]));
  noTerritory = p.no_territory;
  if (typeof document !== 'undefined') {
    const root = document.documentElement.style;
    for (const f of families) root.setProperty(`--family-${f.id}`, f.colour);
    root.setProperty('--family-unknown', unknownFamily);
  }
}

/** Fetches and keeps the palettes (see setPalettes). */
export async function loadPalettes() {
  setPalettes(await api('/api/palettes'));
}

/** The families in the order of the legend: { id, label, chip, one, colour, outsideTotals }. */
export function familyList() {
  return families;
}

/** The family with identifier `id`, or undefined. */
export function family(id) {
  return byId.get(id);
}

export function unknownFamilyColour() {
  return unknownFamily;
}

/** MapLibre expression: the colour of a feature's `family` property. */
export function familyColourExpression() {
  return ['match', ['get', 'family'], ...families.flatMap((f) => [f.id, f.colour]), unknownFamily];
}

/** Fill of the territory `code` (the fill of no territory when unknown). */
export function territoryColour(code) {
  return territories.get(String(code)) || noTerritory;
}
