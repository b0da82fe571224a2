// ess-atlas — the permalink's wiring: the view's state written to the URL hash after each
// change (url.js formats it; one write for a burst), and a hash edited by hand or pasted
// applied to the map, the selection and the two features. This page's own writes are not
// navigations.

import { familyList } from '../palettes.js';
import { formatHash, parseHash } from '../url.js';
import { current, page, store } from './context.js';
import { setLevel } from './levels.js';
import { clearSelection, selectZone } from './panel.js';

/** The last hash this page wrote (its own writes are not a navigation). */
let lastHash = '';

export function readHash() {
  return parseHash(window.location.hash, { families: familyList().map((f) => f.id) });
}

let hashTimer = 0;
/** Writes the view's state into the URL (soon: one write for a burst of changes). */
export function writeHash() {
  if (!page.ready) return;
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => {
    const { level, zone, ind: indicators, orgs: organisations } = current();
    let at = null;
    if (page.map) {
      const c = page.map.getCenter();
      at = { zoom: page.map.getZoom(), center: [c.lng, c.lat] };
    }
    const hash = formatHash({ level, zone, view: at, ind: indicators, orgs: organisations });
    if (hash !== window.location.hash) {
      lastHash = hash;
      history.replaceState(history.state, '', hash);
    }
  }, 150);
}
store.subscribe(null, writeHash);

export function applyHash({ initial = false } = {}) {
  const h = readHash();
  if (h.view && !initial) page.map.jumpTo(h.view);
  if (h.level) setLevel(h.level);
  if (h.zone) {
    if (h.zone !== current().zone) {
      selectZone(h.zone, { fit: !h.view, switchLevel: !h.level });
    }
  } else if (current().zone) {
    clearSelection({ restoreFocus: false });
  }
  if (page.orgs) page.orgs.apply(h.orgs);
  if (page.ind) page.ind.apply(h.ind);
}

/** Follows the hash when it is edited by hand (once the map is ready). */
export function wirePermalink() {
  window.addEventListener('hashchange', () => {
    if (window.location.hash === lastHash) return;
    lastHash = window.location.hash;
    if (page.map && page.ready) applyHash();
  });
}
