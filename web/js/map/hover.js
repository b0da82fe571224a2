// ess-atlas — the map's hover: the highlighted zone (feature state `hover`) and the tooltip
// that follows a real pointer (zone name with the indicator's value or the population, or
// the organisation under the pointer); over a proportional circle, the circle's zone. The
// table's rows highlight zones through hoverZone.

import { el, fmtPop } from '../util.js';
import { CIRCLE_LAYER } from '../circles.js';
import { LEVELS, LEVEL_OF_ZONE, SOURCE_IDS, data, page, zoneDisplayName } from './context.js';

const CAN_HOVER = window.matchMedia('(hover: hover) and (pointer: fine)');
let hovered = null; // { source, sourceLayer, id }
let tooltip = null;

export function clearHover() {
  if (hovered && page.map) {
    page.map.setFeatureState(hovered, { hover: false });
  }
  hovered = null;
  if (page.map) page.map.getCanvas().style.cursor = '';
  if (tooltip) tooltip.hidden = true;
}

/** The smallest proportional circle under a point (drawn on top of the larger ones), or null. */
export function circleAt(point) {
  const map = page.map;
  if (!map.getLayer(CIRCLE_LAYER) || map.getLayoutProperty(CIRCLE_LAYER, 'visibility') === 'none') return null;
  const hits = map.queryRenderedFeatures(point, { layers: [CIRCLE_LAYER] });
  if (!hits.length) return null;
  return hits.reduce((a, b) => (b.properties.r < a.properties.r ? b : a));
}

function onFillMove(e) {
  let f = e.features && e.features[0];
  if (!f) return;
  // Over a circle, its zone is the one pointed at (a large circle spills over its neighbours).
  const circle = circleAt(e.point);
  if (circle) {
    const source = LEVEL_OF_ZONE[circle.properties.level];
    f = { source, id: String(circle.properties.code), properties: { code: String(circle.properties.code) } };
  }
  const source = f.source;
  const id = f.id ?? (f.properties && f.properties.code);
  if (!hovered || hovered.source !== source || hovered.id !== id) {
    if (hovered) page.map.setFeatureState(hovered, { hover: false });
    hovered = { source, sourceLayer: source, id };
    page.map.setFeatureState(hovered, { hover: true });
  }
  page.map.getCanvas().style.cursor = 'pointer';
  // Tooltips only for real pointers (no hover on touch screens).
  if (!CAN_HOVER.matches) return;
  const pointerType = e.originalEvent && e.originalEvent.pointerType;
  if (pointerType && pointerType !== 'mouse') return;
  const org = page.orgs && page.orgs.tooltipAt(e.point);
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
    const tip = page.ind && page.ind.tooltip(zl, id);
    if (tip) {
      tooltip.replaceChildren(el('strong', { text: name }),
        ...tip.lines.map((line, i) => el('span', { class: i === 0 ? `tip-value${tip.secret ? ' is-secret' : ''}` : null, text: line })));
    } else {
      tooltip.replaceChildren(el('strong', { text: name }), el('span', { text: fmtPop(Number(pop)) }));
    }
  }
  tooltip.hidden = false;
  const { x, y } = e.point;
  const w = page.map.getContainer().clientWidth;
  tooltip.style.transform = `translate(${Math.min(x + 14, w - tooltip.offsetWidth - 8)}px, ${Math.max(y - tooltip.offsetHeight - 10, 4)}px)`;
}

/** Hover highlight of a zone from outside the map (the table's rows). */
export function hoverZone(zoneLevel, code) {
  if (!page.map || !page.map.getLayer('territories-hover')) return;
  if (hovered) page.map.setFeatureState(hovered, { hover: false });
  hovered = code ? { source: LEVEL_OF_ZONE[zoneLevel], sourceLayer: LEVEL_OF_ZONE[zoneLevel], id: String(code) } : null;
  if (hovered) page.map.setFeatureState(hovered, { hover: true });
}

export function hideTooltip() {
  if (tooltip) tooltip.hidden = true;
}

/** Creates the tooltip and follows the pointer over the zone fills. */
export function wireHover() {
  tooltip = el('div', { class: 'map-tooltip', 'aria-hidden': 'true', hidden: true });
  page.map.getContainer().append(tooltip);
  for (const s of SOURCE_IDS) {
    page.map.on('mousemove', `${s}-fill`, onFillMove);
    page.map.on('mouseleave', `${s}-fill`, clearHover);
  }
}
