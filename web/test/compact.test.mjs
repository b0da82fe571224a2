// Unit tests of web/js/compact.js (pure), run by `node --test web/test/`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandIndicators } from '../js/compact.js';

const compactAnswer = {
  indicator: { id: 'ess_jobs' },
  level: 'commune',
  form: 'compact',
  department: { code: '62', name: 'Pas-de-Calais', value: 10, secret: false, source: 'sirene' },
  compact: {
    columns: ['code', 'name', 'population', 'value', 'secret', 'restricted', 'parent',
      'evolution_absolute', 'evolution_absolute_secret', 'evolution_percent', 'evolution_percent_secret'],
    rows: [
      ['62001', 'Ablain-Saint-Nazaire', 1915, 12.5, 0, 0, '200033579', 2, 0, 19.0, 0],
      ['62002', 'Ablainzevelle', 230, null, 1, 0, '200033579', null, 1, null, 1],
      ['62003', 'Achicourt', 7800, 40, 0, 1, null, null, 0, null, 0],
    ],
    parents: { 200033579: { name: 'CU d’Arras', figure: { value: 300, secret: false, source: 'sirene' } } },
    source: 'sirene',
  },
};

describe('expandIndicators', () => {
  it('rebuilds the full form’s items, parents and evolutions from the rows', () => {
    const full = expandIndicators(compactAnswer);
    assert.equal(full.form, 'full');
    assert.equal(full.compact, undefined);
    assert.deepEqual(full.items[0], {
      code: '62001', name: 'Ablain-Saint-Nazaire', population: 1915,
      value: 12.5, secret: false, source: 'sirene',
      evolution: {
        absolute: { value: 2, secret: false, source: 'sirene' },
        percent: { value: 19.0, secret: false, source: 'sirene' },
      },
      parent: { code: '200033579', name: 'CU d’Arras', value: 300, secret: false, source: 'sirene' },
    });
    // A masked figure stays masked: no value, secret true, in value and evolutions.
    assert.equal(full.items[1].value, null);
    assert.equal(full.items[1].secret, true);
    assert.equal(full.items[1].evolution.absolute.secret, true);
    // `restricted` only where the server said so; no parent without one.
    assert.equal(full.items[2].restricted, true);
    assert.equal(full.items[0].restricted, undefined);
    assert.equal(full.items[2].parent, undefined);
    assert.equal(full.department, compactAnswer.department);
  });

  it('reads a per-row source column, and leaves the full form untouched', () => {
    const mixed = structuredClone(compactAnswer);
    mixed.compact.columns = ['code', 'name', 'population', 'value', 'secret', 'restricted', 'parent', 'source'];
    mixed.compact.rows = [['62001', 'A', 1, 1, 0, 0, null, 'observatoire']];
    mixed.compact.source = null;
    assert.equal(expandIndicators(mixed).items[0].source, 'observatoire');
    const already = { form: 'full', items: [{ code: 'x' }] };
    assert.equal(expandIndicators(already), already);
  });
});
