// ess-atlas — proportional circles for counts (stocks: establishments, jobs, euros of
// subsidies): the scale that makes a circle's area proportional to its value, and the
// reference values of the legend. A ratio (a share, a value per inhabitant) is drawn as a
// choropleth instead (classify.js): a circle's size adds up, a rate does not.
//
// Only the values that are shown enter the scale: a masked cell (« s », secret statistique)
// gets no circle and plays no part in the sizes, so that no circle can reveal it.
// Pure: no DOM, no map (tested by web/test/circles.test.mjs under node).

/** Id of the circles' GeoJSON source and of their layer on the map. */
export const CIRCLE_LAYER = 'ind-circles';
/** Colour of the circles (the darker blue of the sequential palette), and of the zones under them. */
export const CIRCLE_COLOUR = '#2c7fb8';
export const CIRCLE_ZONE_FILL = '#f1f4f7';

/**
 * Largest radius (px) of the circles at each zone level, at REFERENCE_ZOOM (a whole
 * département on a screen): fewer, larger zones get larger circles.
 */
export const MAX_RADIUS = { territory: 38, epci: 28, commune: 15 };
/**
 * Circles grow with the zoom, their area doubling at each zoom level (half the growth of
 * the zones, so that zoomed in they do not swallow the map), from REFERENCE_ZOOM − 4 up to
 * REFERENCE_ZOOM + 2 (twice their radius), and stay at those sizes beyond.
 */
export const REFERENCE_ZOOM = 8;
const ZOOM_RANGE = [-4, 2];

/** How much larger than at REFERENCE_ZOOM the circles are drawn at `zoom`. */
export function zoomFactor(zoom) {
  const dz = Math.min(ZOOM_RANGE[1], Math.max(ZOOM_RANGE[0], zoom - REFERENCE_ZOOM));
  return 2 ** (dz / 2);
}
/** Below this radius (px) a positive value is still drawn, as a dot that can be seen. */
export const MIN_RADIUS = 1.5;

/**
 * The map's layer of circles: points at the zones' label points, each with its radius `r`
 * (px, at REFERENCE_ZOOM) in its properties; the smallest drawn on top, so that every circle can be seen.
 */
export function circleLayer() {
  return {
    id: CIRCLE_LAYER, type: 'circle', source: CIRCLE_LAYER,
    layout: { visibility: 'none', 'circle-sort-key': ['-', 0, ['get', 'r']] },
    paint: {
      // r is the radius at REFERENCE_ZOOM; one stop a zoom level follows zoomFactor closely.
      'circle-radius': ['interpolate', ['linear'], ['zoom'],
        ...[-4, -3, -2, -1, 0, 1, 2].flatMap((dz) => [REFERENCE_ZOOM + dz, ['*', ['get', 'r'], zoomFactor(REFERENCE_ZOOM + dz)]])],
      'circle-color': CIRCLE_COLOUR,
      'circle-opacity': 0.78,
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1.2,
    },
  };
}

/** Whether an indicator is a stock (a count that adds up over zones), drawn as circles by default. */
export function isStock(ind) {
  return !!(ind && ind.additive);
}

/** The largest « round » number (1, 2 or 5 × 10ⁿ) not above `v` (> 0). */
export function niceFloor(v) {
  if (!(v > 0)) return 0;
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  // Guard against 4.999999 when v is exactly a round number.
  const e = 1e-9;
  const step = m >= 5 - e ? 5 : (m >= 2 - e ? 2 : 1);
  return step * p;
}

/**
 * The scale of a map's circles: `values` are the shown values (masked and missing ones left
 * out by the caller), `maxRadius` the radius of the largest. Returns { max, radius(v), refs }
 * where radius(v) = maxRadius × √(v / max) (area ∝ value; 0 for v ≤ 0) and `refs` are two or
 * three round reference values for the legend, largest first, each { value, r }.
 */
export function circleScale(values, maxRadius) {
  const shown = values.filter((v) => Number.isFinite(v) && v > 0);
  const max = shown.length ? Math.max(...shown) : 0;
  const radius = (v) => {
    if (!(max > 0) || !Number.isFinite(v) || v <= 0) return 0;
    return Math.max(MIN_RADIUS, maxRadius * Math.sqrt(v / max));
  };
  const refs = [];
  if (max > 0) {
    // Round values at about 1, 1/4 and 1/16 of the largest: radii in steps of a half.
    for (const f of [1, 1 / 4, 1 / 16]) {
      const value = niceFloor(max * f);
      if (value > 0 && !refs.some((r) => r.value === value)) refs.push({ value, r: radius(value) });
    }
    // Circles too small to read in the legend are left out (but at least two stay).
    while (refs.length > 2 && refs[refs.length - 1].r < 4) refs.pop();
  }
  return { max, radius, refs };
}
