// ess-atlas — where the map looks: fitting a zone or the whole département into the part of
// the map that the legend and the attribution leave free, moving only when a clicked zone
// is not in view, and the home view of a national geography (mainland France).

import { $, ALWAYS_LABELLED_TERRITORIES, data, page } from './context.js';

/** Padding for fitBounds: keep the zone clear of the legend and the attribution. */
export function fitPadding() {
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

export function fitTo(bbox, { maxZoom = 12.5, animate = true } = {}) {
  if (!page.map || !Array.isArray(bbox) || bbox.length !== 4) return;
  page.map.resize();
  const c = page.map.getContainer();
  const pad = fitPadding();
  // Never ask for more padding than the map can hold (small screens, bottom sheet open).
  const maxPadX = Math.max(0, (c.clientWidth - 80) / 2);
  const maxPadY = Math.max(0, (c.clientHeight - 80) / 2);
  const padding = {
    top: Math.min(pad.top, maxPadY), bottom: Math.min(pad.bottom, maxPadY),
    left: Math.min(pad.left, maxPadX), right: Math.min(pad.right, maxPadX),
  };
  const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  page.map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], {
    padding, maxZoom, duration: animate && !reduce ? 700 : 0,
  });
}

/** After a click on the map: move only if the zone is not entirely in view, never zoom in. */
export function ensureVisible(bbox) {
  if (!page.map || !Array.isArray(bbox)) return;
  page.map.resize();
  const c = page.map.getContainer();
  const a = page.map.project([bbox[0], bbox[3]]);
  const b = page.map.project([bbox[2], bbox[1]]);
  if (a.x >= 8 && a.y >= 8 && b.x <= c.clientWidth - 8 && b.y <= c.clientHeight - 40) return;
  fitTo(bbox, { maxZoom: page.map.getZoom() });
}

/** Expose the attribution's height to CSS (the legend must not cover it). */
export function syncAttribHeight() {
  const attrib = page.map && page.map.getContainer().querySelector('.maplibregl-ctrl-bottom-right');
  if (attrib) $('legend').style.setProperty('--attrib-h', `${Math.ceil(attrib.getBoundingClientRect().height) + 12}px`);
}

/**
 * The home view: the whole département. A national geography spans the overseas
 * départements too, which would leave the mainland a speck: its home view is the
 * territories within 15° of the most populous one (metropolitan France); the others
 * stay one pan or zoom away.
 */
export function homeBbox() {
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

export function fitDepartment(animate = true) {
  if (data.meta) fitTo(homeBbox(), { animate });
}

