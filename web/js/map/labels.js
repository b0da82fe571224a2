// ess-atlas — the map's names as HTML markers (no glyphs are served): territories (with the
// indicator's value under the name), EPCI, and the communes from zoom 10, placed greedily
// without overlaps. Territory and EPCI names are keyboard buttons that open the zone's panel.
// They follow the store (level, selected zone); app.js also asks after moves and resizes.

import { Marker } from '/vendor/maplibre-gl/maplibre-gl.mjs';
import { el } from '../util.js';
import {
  ALWAYS_LABELLED_TERRITORIES, current, data, page, store, zoneDisplayName, zoneId,
} from './context.js';
import { selectZone } from './panel.js';

const COMMUNE_LABEL_MIN_ZOOM = 10;
const COMMUNE_LABEL_CAP = 70;
const TERRITORY_LABEL_MAX_ZOOM = 10;
const EPCI_LABEL_MAX_ZOOM = 11;

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
  const h = kind === 'commune' ? 16 : (kind === 'territory' && page.ind && page.ind.enabled ? 36 : 20);
  return { w: text.length * charW + 10, h };
}

function overlaps(a, list) {
  for (const b of list) {
    if (a.x1 < b.x2 && a.x2 > b.x1 && a.y1 < b.y2 && a.y2 > b.y1) return true;
  }
  return false;
}

function wantedLabels() {
  if (!page.map) return [];
  const zoom = page.map.getZoom();
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
    const b = page.map.getBounds();
    const inView = [...data.commune.values()]
      .filter((c) => Array.isArray(c.label_point) && b.contains(c.label_point))
      .sort((a, c) => (c.population || 0) - (a.population || 0));
    for (const c of inView) wanted.push({ kind: 'commune', item: c, text: c.name, priority: 2 });
  }
  // Greedy placement without overlaps (estimated boxes), bigger zones first.
  const placed = [];
  const result = [];
  const canvas = page.map.getContainer();
  const W = canvas.clientWidth;
  const H = canvas.clientHeight;
  let communeCount = 0;
  for (const l of wanted) {
    if (!Array.isArray(l.item.label_point)) continue;
    if (l.kind === 'commune' && communeCount >= COMMUNE_LABEL_CAP) continue;
    const p = page.map.project(l.item.label_point);
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

export function updateLabels() {
  if (!page.map) return;
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
        // The visible (short) name is in the accessible name (axe `label-content-name-mismatch`).
        'aria-label': selectable ? `${l.kind === 'territory' ? 'Territoire' : 'EPCI'} ${l.text} : ouvrir sa fiche` : null,
        title: selectable && l.item.name !== l.text ? l.item.name : null,
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
      const marker = new Marker({ element, anchor: 'center' }).setLngLat(l.item.label_point).addTo(page.map);
      entry = { marker, element };
      labels.set(key, entry);
    }
    entry.marker.setOffset([0, Math.round(l.dy || 0)]);
    entry.element.classList.toggle('is-selected', key === selected);
    if (l.kind === 'territory') {
      // Shown by CSS (::after), so that the label's text stays the territory's name.
      const value = page.ind ? page.ind.labelValue('territory', l.item.code) : '';
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

store.subscribe(['level', 'zone'], () => updateLabels());
