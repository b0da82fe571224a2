// Unit tests of web/js/classify.js (pure: no DOM, no map), run by `node --test web/test/`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DIVERGING_MID, SECRET_MARK, SEQUENTIAL,
  classColours, classIndex, classify, classifyDiverging, fmtEuros, fmtEvolution, fmtFigure, fmtNumber,
  fmtValue, unitText,
} from '../js/classify.js';

/** Intl's fr-FR output separates thousands with U+202F: fold to a plain space to compare. */
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('classify', () => {
  it('puts every finite value in exactly one class, classes ascending and disjoint', () => {
    const values = [1, 2, 2, 3, 10, 11, 12, 50, 51, 52, 100, NaN, null, Infinity];
    for (const method of ['jenks', 'quantiles']) {
      const classes = classify(values, method, 5);
      const finite = values.filter(Number.isFinite);
      assert.equal(classes.reduce((n, c) => n + c.count, 0), finite.length, method);
      for (let i = 1; i < classes.length; i += 1) {
        assert.ok(classes[i - 1].max < classes[i].min, `${method}: class ${i} overlaps`);
      }
      for (const v of finite) {
        const i = classIndex(classes, v);
        assert.ok(classes[i].min <= v && v <= classes[i].max, `${method}: ${v} in class ${i}`);
      }
    }
  });

  it('finds the natural breaks of well separated groups (Jenks)', () => {
    const classes = classify([1, 2, 3, 20, 21, 22, 100, 101], 'jenks', 3);
    assert.deepEqual(classes, [
      { min: 1, max: 3, count: 3 },
      { min: 20, max: 22, count: 3 },
      { min: 100, max: 101, count: 2 },
    ]);
  });

  it('splits into equal counts by quantiles', () => {
    const classes = classify([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'quantiles', 5);
    assert.deepEqual(classes.map((c) => c.count), [2, 2, 2, 2, 2]);
  });

  it('makes fewer classes than asked when values are tied, none without values', () => {
    assert.equal(classify([4, 4, 4, 7], 'jenks', 5).length, 2);
    assert.equal(classify([4, 4, 4, 4], 'quantiles', 5).length, 1);
    assert.deepEqual(classify([NaN, undefined], 'jenks', 5), []);
  });

  it('gives the class index of a value, -1 when it is not a number', () => {
    const classes = [{ min: 0, max: 1, count: 1 }, { min: 5, max: 9, count: 2 }];
    assert.equal(classIndex(classes, 0.5), 0);
    assert.equal(classIndex(classes, 3), 1); // between classes: the next one
    assert.equal(classIndex(classes, 99), 1); // above the last: the last
    assert.equal(classIndex(classes, NaN), -1);
  });
});

describe('classifyDiverging', () => {
  it('never mixes a fall and a rise, and gives the stable zones a class of their own', () => {
    const classes = classifyDiverging([-30, -20, -1, 0, 0, 2, 3, 40, 50], 'jenks', 5);
    assert.ok(classes.length <= 5);
    for (const c of classes) assert.ok(c.max < 0 || c.min > 0 || (c.min === 0 && c.max === 0), JSON.stringify(c));
    assert.deepEqual(classes.find((c) => c.min === 0), { min: 0, max: 0, count: 2 });
    assert.equal(classes.reduce((n, c) => n + c.count, 0), 9);
  });

  it('gives all the classes to one side when every value is on it', () => {
    const classes = classifyDiverging([1, 2, 3, 40, 50, 60], 'quantiles', 3);
    assert.ok(classes.every((c) => c.min > 0));
  });
});

describe('classColours', () => {
  it('spreads the sequential palette over fewer classes, darkest last', () => {
    const three = classColours([{}, {}, {}], false);
    assert.deepEqual(three, [SEQUENTIAL[0], SEQUENTIAL[2], SEQUENTIAL[4]]);
    assert.equal(classColours([{}, {}, {}, {}, {}], false)[4], SEQUENTIAL[4]);
  });

  it('colours falls, stability and rises apart', () => {
    const classes = [{ min: -9, max: -5 }, { min: -4, max: -1 }, { min: 0, max: 0 }, { min: 2, max: 8 }];
    const colours = classColours(classes, true);
    assert.equal(colours[2], DIVERGING_MID);
    assert.equal(new Set(colours).size, 4);
  });
});

describe('French formats', () => {
  const pct = { unit: '%', decimals: 1, additive: false };
  const count = { unit: 'établissements', decimals: 0, additive: true };

  it('writes numbers the French way, with a true minus sign', () => {
    assert.equal(plain(fmtNumber(12345, count)), '12 345');
    assert.equal(plain(fmtValue(11.84, pct)), '11,8 %');
    assert.equal(fmtNumber(-3, count), '\u22123');
    assert.equal(fmtValue(NaN, pct), '—');
  });

  it('writes estimated jobs in whole units, rounded as the fiches do (issue 19: « 7 412,5 »)', () => {
    const jobs = { unit: 'emplois estimés', decimals: 1, additive: true, estimate: true };
    assert.equal(plain(fmtNumber(7412.5, jobs)), '7 413');
    assert.equal(plain(fmtNumber(49592, jobs)), '49 592');
  });

  it('writes every amount in whole euros, one unit for all (issue 19: « 70 320 € | 189 k€ | 1,4 M€ »)', () => {
    assert.equal(plain(fmtEuros(1_400_000)), '1 400 000 €');
    assert.equal(plain(fmtEuros(12345)), '12 345 €');
    assert.equal(plain(fmtValue(2_000_000, { unit: '€' })), '2 000 000 €');
  });

  it('shows a secret figure as « s », never its value', () => {
    assert.equal(fmtFigure({ value: 12, secret: true }, count), SECRET_MARK);
    assert.equal(fmtFigure({ value: 12, secret: false }, count), '12');
    assert.equal(fmtFigure(null, count), '—');
  });

  it('writes evolutions with their sign, in points for a percentage', () => {
    assert.equal(fmtEvolution(1.1, pct, 'evolution_absolute'), '+1,1 pt');
    assert.equal(fmtEvolution(-2.5, pct, 'evolution_absolute'), '\u22122,5 pts');
    assert.equal(fmtEvolution(-3.24, count, 'evolution_percent'), '\u22123,2 %');
    assert.equal(fmtEvolution(0, count, 'evolution_absolute'), '0');
    assert.equal(fmtEvolution(NaN, count, 'evolution_absolute'), 'n.c.');
  });

  it('names the unit of each mode', () => {
    assert.equal(unitText(pct), '%');
    assert.equal(unitText(pct, 'evolution_absolute'), 'points de %');
    assert.equal(unitText(count, 'evolution_absolute'), 'écart, établissements');
    assert.equal(unitText(count, 'evolution_percent'), '% d’évolution');
    assert.equal(unitText(null), '');
  });
});
