// ess-atlas — the organisations' clusters as HTML markers (the map has no glyphs): a donut
// of the families' shares with the count in the middle, sized as the circle layer below it
// (orgs/style.js), which takes the clicks. Redrawn at most once a frame while the map moves.

import { Marker } from '/vendor/maplibre-gl/maplibre-gl.mjs';
import { el, nfInt } from '../util.js';
import * as palette from '../palettes.js';
import { CLUSTER_MAX_ZOOM, clusterRadius } from './style.js';

const nfCompact = new Intl.NumberFormat('fr-FR', { notation: 'compact', maximumFractionDigits: 1 });
const fmtCount = (n) => (n >= 10000 ? nfCompact.format(n) : nfInt.format(n));

/** The cluster markers of the map `getMap()`, drawn while `shown()` (the layer is on). */
export function createClusterMarkers(getMap, shown) {
  const clusterMarkers = new Map(); // cluster id → { marker, element }

  function clearClusterMarkers() {
    for (const { marker } of clusterMarkers.values()) marker.remove();
    clusterMarkers.clear();
  }

  function donut(props, count) {
    let acc = 0;
    const stops = [];
    for (const f of palette.familyList()) {
      const n = Number(props[f.id]) || 0;
      if (!n) continue;
      const from = (acc / count) * 100;
      acc += n;
      const to = (acc / count) * 100;
      stops.push(`${f.colour} ${from.toFixed(2)}% ${to.toFixed(2)}%`);
    }
    return stops.length ? `conic-gradient(${stops.join(', ')})` : '#1d3f66';
  }

  let markerFrame = 0;
  function scheduleClusterMarkers() {
    if (markerFrame) return;
    markerFrame = requestAnimationFrame(() => {
      markerFrame = 0;
      updateClusterMarkers();
    });
  }

  function updateClusterMarkers() {
    const map = getMap();
    if (!map || !shown() || !map.getSource('orgs') || !map.isSourceLoaded('orgs')) return;
    if (map.getZoom() > CLUSTER_MAX_ZOOM + 1) {
      // No cluster at this zoom: skip the source query on every frame.
      if (clusterMarkers.size) clearClusterMarkers();
      return;
    }
    const feats = map.querySourceFeatures('orgs', { filter: ['has', 'point_count'] });
    const keep = new Set();
    for (const f of feats) {
      const p = f.properties || {};
      const id = p.cluster_id;
      if (id === undefined || keep.has(id)) continue;
      keep.add(id);
      const count = Number(p.point_count) || 0;
      let entry = clusterMarkers.get(id);
      if (!entry) {
        const r = clusterRadius(count);
        const element = el('div', {
          class: 'org-cluster', 'data-testid': 'org-cluster', 'aria-hidden': 'true',
          style: `width:${2 * r}px;height:${2 * r}px;background:${donut(p, count)}`,
        }, el('span', { class: 'org-cluster-count', text: fmtCount(count) }));
        const marker = new Marker({ element, anchor: 'center' }).setLngLat(f.geometry.coordinates).addTo(map);
        entry = { marker, element };
        clusterMarkers.set(id, entry);
      }
    }
    for (const [id, entry] of clusterMarkers) {
      if (!keep.has(id)) {
        entry.marker.remove();
        clusterMarkers.delete(id);
      }
    }
  }

  return { update: updateClusterMarkers, schedule: scheduleClusterMarkers, clear: clearClusterMarkers };
}
