// Unit tests of web/js/names.js (French articles of place names), run by `node --test web/test/`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deName } from '../js/names.js';

describe('deName', () => {
  it('gives the nine territories their article (issue 19: « Chiffres clés de Arrageois »)', () => {
    assert.deepEqual(
      ['Arrageois', 'Artois', 'Audomarois', 'Boulonnais', 'Calaisis', 'Hénin-Carvin', 'Lens-Liévin', 'Montreuillois', 'Ternois'].map(deName),
      ["de l'Arrageois", "de l'Artois", "de l'Audomarois", 'du Boulonnais', 'du Calaisis', "d'Hénin-Carvin", 'de Lens-Liévin', 'du Montreuillois', 'du Ternois'],
    );
  });

  it('treats EPCI as communautés, the département and towns as they read', () => {
    assert.equal(deName("CU d'Arras"), "de la CU d'Arras");
    assert.equal(deName("Communauté urbaine d'Arras"), "de la Communauté urbaine d'Arras");
    assert.equal(deName('CA du Boulonnais'), 'de la CA du Boulonnais');
    assert.equal(deName('Pas-de-Calais'), 'du Pas-de-Calais');
    assert.equal(deName('Arras'), "d'Arras");
    assert.equal(deName('Saint-Omer'), 'de Saint-Omer');
  });
});
