// Unit tests of the matching of web/js/search.js, run by `node --test web/test/`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fold, matchZones } from '../js/search.js';

const EPCI = [
  { code: '200033579', name: "Communauté urbaine d'Arras", short_name: "CU d'Arras", population: 110000 },
  { code: '246200364', name: 'Communauté d\'agglomération de Lens - Liévin', short_name: 'CA de Lens - Liévin', population: 240000 },
  { code: '200035442', name: 'Communauté de communes du Sud-Artois', short_name: 'CC du Sud Artois', population: 28000 },
];

describe('search matching (issue 19: « CU d\'Arras » gave « Aucune commune trouvée »)', () => {
  it('folds accents, apostrophes and dashes', () => {
    assert.equal(fold('Lens - Liévin'), 'lens lievin');
    assert.equal(fold('CU d’Arras'), "cu d'arras");
  });

  it('finds EPCI by short name, name, word or SIREN', () => {
    assert.deepEqual(matchZones(EPCI, "CU d'Arras").map((m) => m.item.code), ['200033579']);
    assert.deepEqual(matchZones(EPCI, 'cu d’arras').map((m) => m.exact), [true]);
    assert.deepEqual(matchZones(EPCI, 'Lens-Liévin').map((m) => m.item.code), ['246200364']);
    assert.deepEqual(matchZones(EPCI, 'artois').map((m) => m.item.code), ['200035442']);
    assert.deepEqual(matchZones(EPCI, '200033579').map((m) => m.item.code), ['200033579']);
    assert.deepEqual(matchZones(EPCI, ''), []);
  });
});
