// Unit tests of web/js/circles.js: the proportional circles' scale (issue 19, item 6).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REFERENCE_ZOOM, circleLayer, circleScale, isStock, niceFloor, zoomFactor } from '../js/circles.js';

describe('circles', () => {
  it('makes the area of a circle proportional to its value', () => {
    const { radius } = circleScale([100, 400, 25], 40);
    assert.equal(radius(400), 40);
    assert.equal(radius(100), 20);
    // Areas: 400 is four times 100.
    assert.ok(Math.abs(radius(400) ** 2 / radius(100) ** 2 - 4) < 1e-9);
    assert.equal(radius(0), 0);
    assert.equal(radius(null), 0);
  });

  it('sizes circles only from the values shown, never a masked one', () => {
    // The caller leaves out masked cells: a large masked value cannot change any radius.
    const shown = circleScale([10, 40], 30);
    assert.equal(shown.max, 40);
    assert.equal(shown.radius(40), 30);
    assert.deepEqual(circleScale([10, 40, NaN, null, undefined], 30).max, 40);
  });

  it('draws a tiny value as a visible dot', () => {
    const { radius } = circleScale([1, 1e6], 40);
    assert.ok(radius(1) >= 1.5);
  });

  it('rounds the legend to 1, 2 or 5 × 10ⁿ, largest first, within the largest value', () => {
    assert.equal(niceFloor(7412.5), 5000);
    assert.equal(niceFloor(1400000), 1000000);
    assert.equal(niceFloor(200), 200);
    assert.equal(niceFloor(0.3), 0.2);
    assert.equal(niceFloor(0), 0);
    const { refs, max } = circleScale([120, 2600, 7412.5], 40);
    assert.ok(refs.length >= 2 && refs.length <= 3, JSON.stringify(refs));
    assert.deepEqual(refs.map((r) => r.value), [5000, 1000, 200].slice(0, refs.length));
    for (const r of refs) assert.ok(r.value <= max && r.r <= 40);
    for (let i = 1; i < refs.length; i += 1) assert.ok(refs[i].r < refs[i - 1].r);
  });

  it('has no legend without a positive value', () => {
    assert.deepEqual(circleScale([], 40).refs, []);
    assert.deepEqual(circleScale([0, 0], 40).refs, []);
  });

  it('doubles the area of the circles at each zoom level, within limits', () => {
    assert.equal(zoomFactor(REFERENCE_ZOOM), 1);
    assert.ok(Math.abs(zoomFactor(REFERENCE_ZOOM + 1) ** 2 - 2) < 1e-9);
    assert.equal(zoomFactor(REFERENCE_ZOOM + 2), 2);
    assert.equal(zoomFactor(REFERENCE_ZOOM + 7), 2, 'no larger beyond two levels');
    assert.equal(zoomFactor(REFERENCE_ZOOM - 9), 0.25);
    // The layer's stops say the same.
    const expr = circleLayer().paint['circle-radius'];
    const stops = expr.slice(3);
    for (let i = 0; i < stops.length; i += 2) assert.equal(stops[i + 1][2], zoomFactor(stops[i]));
  });

  it('calls stocks the additive indicators', () => {
    assert.equal(isStock({ additive: true }), true);
    assert.equal(isStock({ additive: false }), false);
    assert.equal(isStock(null), false);
  });
});
