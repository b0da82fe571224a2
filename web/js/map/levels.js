// ess-atlas — the display level (territories, EPCI, communes): the segmented control, the
// zone layers shown for it, the legend's border lines, and the hint to zoom in when the
// level starts at a higher zoom (communes of a national geography). The level itself is the
// store's `level`; labels and the features follow it through the store.

import { $, LEVELS, SOURCE_IDS, current, page, store } from './context.js';
import { clearHover } from './hover.js';
import { epciLineColour, levelVisibility } from './style.js';

export function setLevel(level) {
  if (!(level in LEVELS)) return;
  store.set({ level });
  for (const btn of document.querySelectorAll('.level-btn')) {
    btn.setAttribute('aria-pressed', String(btn.dataset.level === level));
  }
  document.body.dataset.level = level;
  if (page.map && page.map.getLayer('territories-fill')) {
    clearHover();
    page.map.setPaintProperty('epci-line', 'line-color', epciLineColour(level));
    for (const s of SOURCE_IDS) {
      const vis = s === level ? 'visible' : 'none';
      page.map.setLayoutProperty(`${s}-fill`, 'visibility', vis);
      page.map.setLayoutProperty(`${s}-secret`, 'visibility', vis);
      page.map.setLayoutProperty(`${s}-hover`, 'visibility', vis);
    }
    for (const id of ['communes-line', 'epci-line']) page.map.setLayoutProperty(id, 'visibility', levelVisibility(id, level));
  }
  const sub = $('legend-line-sub');
  sub.hidden = level === 'territories';
  $('legend-line-commune').hidden = level !== 'communes';
  $('legend').dataset.level = level;
  updateZoomHint();
}

/** The zoom where a zone layer's tiles start (0 for a département; 7 for the communes of France). */
export function levelMinZoom(level) {
  // The source's TileJSON says it; MapLibre keeps it on the source once loaded.
  const source = page.map && page.map.getSource(level);
  return (source && Number(source.minzoom)) || 0;
}

/** Below the communes' first zoom the level draws nothing: say so, and offer to zoom in. */
export function updateZoomHint() {
  const hint = $('zoom-hint');
  if (!hint || !page.map) return;
  const min = levelMinZoom(current().level);
  hint.hidden = !(min > 0 && page.map.getZoom() < min);
}
