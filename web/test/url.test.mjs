// Unit tests of web/js/url.js (the permalink), run by `node --test web/test/`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatHash, parseHash, parseZoneId } from '../js/url.js';

const ORGS_OFF = { on: false, edition: null, families: [], naf: '', size: '', employer: false, q: '', page: 1, org: null };
const IND = {
  indicator: 'ess_share_jobs', cat: '', edition: 2023, compare: null, mode: 'value', method: 'jenks',
  table: false, sort: { key: 'value', dir: 'desc' },
};

describe('parseZoneId', () => {
  it('splits a zone id at its first colon and knows the four kinds', () => {
    assert.deepEqual(parseZoneId('epci:200033579'), { level: 'epci', code: '200033579' });
    assert.deepEqual(parseZoneId('department:62'), { level: 'department', code: '62' });
    assert.deepEqual(parseZoneId('territory:A:B'), { level: 'territory', code: 'A:B' });
    for (const bad of ['region:32', 'epci:', ':62', 'epci', '', null, 42]) assert.equal(parseZoneId(bad), null, String(bad));
  });
});

describe('formatHash then parseHash', () => {
  it('gives back the state it wrote', () => {
    const state = {
      level: 'epci',
      zone: 'epci:200033579',
      view: { zoom: 9.5, center: [2.7812, 50.2911] },
      ind: { ...IND, cat: 'family:cooperative', compare: 2021, mode: 'evolution_percent', method: 'quantiles', table: true, sort: { key: 'name', dir: 'asc' } },
      orgs: { on: true, edition: 2023, families: ['association', 'fondation'], naf: 'Q', size: '10-49', employer: true, q: 'café & co', page: 3, org: '12345678901234' },
    };
    const hash = formatHash(state);
    const back = parseHash(hash);
    assert.equal(back.level, state.level);
    assert.equal(back.zone, state.zone);
    assert.deepEqual(back.view, state.view);
    assert.deepEqual(back.ind, state.ind);
    assert.deepEqual(back.orgs, state.orgs);
  });

  it('writes the parts in a fixed order, and only what differs from the defaults', () => {
    assert.equal(formatHash({ level: 'territories' }), '#level=territories');
    assert.equal(
      formatHash({ level: 'territories', zone: null, view: { zoom: 8, center: [2.5, 50.5] }, ind: IND, orgs: ORGS_OFF }),
      '#level=territories&map=8.00/50.5000/2.5000&ind=ess_share_jobs&year=2023',
    );
    assert.equal(
      formatHash({ level: 'communes', zone: 'commune:62041', ind: { ...IND, table: true }, orgs: { ...ORGS_OFF, on: true, size: '250+', q: 'a b' } }),
      '#level=communes&zone=commune:62041&ind=ess_share_jobs&year=2023&table=1&orgs=1&size=250%2B&q=a%20b',
    );
  });

  it('writes a count\'s representation only when one was chosen (issue 19, item 6)', () => {
    const ind = { ...IND, indicator: 'ess_jobs' };
    assert.equal(formatHash({ level: 'epci', ind }), '#level=epci&ind=ess_jobs&year=2023');
    const hash = formatHash({ level: 'epci', ind: { ...ind, rep: 'choropleth' } });
    assert.equal(hash, '#level=epci&ind=ess_jobs&year=2023&rep=choropleth');
    assert.equal(parseHash(hash).ind.rep, 'choropleth');
    assert.equal(parseHash('#rep=circles').ind.rep, 'circles');
    assert.equal(parseHash('#rep=pie').ind.rep, undefined);
  });

  it('writes no organisation filter while the layer is off', () => {
    const hash = formatHash({ level: 'epci', orgs: { ...ORGS_OFF, families: ['mutuelle'], naf: 'A' } });
    assert.equal(hash, '#level=epci');
  });
});

describe('parseHash', () => {
  it('drops what is malformed and keeps the rest', () => {
    const h = parseHash('#level=regions&zone=region:32&map=8/95/2&orgs=1&family=association,Bad-Id&naf=zz&size=huge&page=-2&org=123&year=19&vs=abc&mode=nope&cls=magic&tsort=value-up');
    assert.equal(h.level, undefined);
    assert.equal(h.zone, undefined);
    assert.equal(h.view, undefined, 'latitude 95 is off the map');
    assert.deepEqual(h.orgs, { on: true, families: ['association'], naf: '', size: '', employer: false, q: '', page: 1, org: null });
    assert.deepEqual(h.ind, { compare: null, table: false });
  });

  it('keeps only the families the server knows, when told them', () => {
    const h = parseHash('orgs=1&family=association,mutuelle,unknown', { families: ['association', 'mutuelle'] });
    assert.deepEqual(h.orgs.families, ['association', 'mutuelle']);
  });

  it('reads a lower-case NAF section, trims and caps the search text', () => {
    const h = parseHash(`#orgs=1&naf=q&q=${encodeURIComponent(`  ${'x'.repeat(200)}  `)}`);
    assert.equal(h.orgs.naf, 'Q');
    assert.equal(h.orgs.q.length, 120);
  });

  it('reads the map view as zoom/latitude/longitude', () => {
    assert.deepEqual(parseHash('#map=10.25/50.2900/2.7800').view, { zoom: 10.25, center: [2.78, 50.29] });
    assert.equal(parseHash('#map=10/50').view, undefined);
    assert.equal(parseHash('').view, undefined);
  });

  it('does not take an inherited property for a known value', () => {
    const h = parseHash('#orgs=1&size=constructor&cls=toString');
    assert.equal(h.orgs.size, '');
    assert.equal(h.ind.method, undefined);
  });
});
