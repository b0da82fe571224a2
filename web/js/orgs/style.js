// ess-atlas — the organisations' parts of the map style: the clustered GeoJSON source
// (with a count per family in each cluster), the focus ring's source, and their circle
// layers (clusters, points coloured by family, approximate locations hollow, focus ring),
// which map/style.js adds to the page's style. The cluster sizes are shared with the HTML
// donuts that orgs.js draws over the clusters.

import * as palette from '../palettes.js';

/** Above this zoom every point is drawn on its own. */
export const CLUSTER_MAX_ZOOM = 12;
export const EMPTY_FC = { type: 'FeatureCollection', features: [] };

/** Radius (px) of a cluster for its number of points; the circle layer uses the same steps. */
const CLUSTER_STEPS = [[0, 14], [10, 17], [50, 21], [200, 25], [1000, 30]];
export function clusterRadius(count) {
  let r = CLUSTER_STEPS[0][1];
  for (const [min, radius] of CLUSTER_STEPS) if (count >= min) r = radius;
  return r;
}

export function styleSources() {
  return {
    orgs: {
      type: 'geojson',
      data: EMPTY_FC,
      cluster: true,
      clusterRadius: 46,
      clusterMaxZoom: CLUSTER_MAX_ZOOM,
      clusterProperties: Object.fromEntries(palette.familyList().map((f) => [
        f.id, ['+', ['case', ['==', ['get', 'family'], f.id], 1, 0]],
      ])),
      attribution: '',
    },
    'org-focus': { type: 'geojson', data: EMPTY_FC, attribution: '' },
  };
}

export function styleLayers() {
  const hidden = { visibility: 'none' };
  const familyColour = palette.familyColourExpression();
  const step = ['step', ['get', 'point_count'], ...CLUSTER_STEPS.flatMap(([min, r], i) => (i === 0 ? [r] : [min, r]))];
  return [
    {
      id: 'orgs-clusters', type: 'circle', source: 'orgs', filter: ['has', 'point_count'], layout: hidden,
      // Covered by the HTML donut of the same size: this layer takes the clicks.
      paint: { 'circle-color': '#1d3f66', 'circle-radius': step, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
    },
    {
      id: 'orgs-points', type: 'circle', source: 'orgs', filter: ['!', ['has', 'point_count']], layout: hidden,
      paint: {
        // Approximate locations (placed inside their commune) are drawn hollow.
        'circle-color': ['case', ['boolean', ['get', 'approximate'], false], '#ffffff', familyColour],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 4.5, 12, 6, 15, 8.5],
        'circle-stroke-color': ['case', ['boolean', ['get', 'approximate'], false], familyColour, '#ffffff'],
        'circle-stroke-width': ['case', ['boolean', ['get', 'approximate'], false], 2.2, 1.4],
      },
    },
    {
      id: 'org-focus-ring', type: 'circle', source: 'org-focus', layout: hidden,
      paint: {
        'circle-color': 'rgba(0,0,0,0)',
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 10, 15, 14],
        'circle-stroke-color': '#0b2540',
        'circle-stroke-width': 3,
      },
    },
  ];
}
