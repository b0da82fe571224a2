// Unit tests of web/js/numbers.js (French number input), run by `node --test web/test/`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MONEY_MAX, formatNumber, parseNumber } from '../js/numbers.js';

const MONEY = { unit: '€', min: 0, max: MONEY_MAX, decimals: 2 };
const value = (text, o = MONEY) => {
  const r = parseNumber(text, o);
  assert.ok(r.ok, `${JSON.stringify(text)} should read: ${r.error}`);
  return r.value;
};
const refused = (text, o = MONEY) => {
  const r = parseNumber(text, o);
  assert.equal(r.ok, false, `${JSON.stringify(text)} should be refused, read ${r.value}`);
  return r.error;
};

describe('parseNumber', () => {
  it('reads the French ways of writing an amount (issue 19: « 12 500,50 » was stored 1 250 050)', () => {
    assert.equal(value('12 500,50'), 12500.5);
    assert.equal(value('12500,5'), 12500.5);
    assert.equal(value('12 500 €'), 12500);
    assert.equal(value('12\u00a0500,50\u00a0€'), 12500.5);
    assert.equal(value('12\u202f500,50'), 12500.5);
    assert.equal(value('1\u2009250\u2009000'), 1250000);
    assert.equal(value('  7 000 EUR '), 7000);
    assert.equal(value('12500'), 12500);
    assert.equal(value('0,5'), 0.5);
    assert.equal(value(',5'), 0.5);
    assert.equal(value('12.500,50'), 12500.5);
    assert.equal(value('1.250.000'), 1250000);
    assert.equal(value('12.5'), 12.5);
    assert.equal(value('0.125', { decimals: 3 }), 0.125);
  });

  it('reads an empty field as no value', () => {
    assert.equal(value(''), null);
    assert.equal(value('   '), null);
    assert.equal(value(undefined), null);
  });

  it('refuses what it cannot read unambiguously, in French', () => {
    assert.match(refused('douze mille'), /n'est pas un nombre/);
    assert.match(refused('12,500,50'), /plusieurs virgules/);
    assert.match(refused('12 50'), /groupez les chiffres par trois/);
    assert.match(refused('1 2500'), /groupez/);
    assert.match(refused('12.500'), /ambigu/);
    assert.match(refused('12,505'), /deux au plus/);
    assert.match(refused('12 500,'), /après la virgule/);
    assert.match(refused('1e6'), /n'est pas un nombre/);
    assert.match(refused('€'), /n'est pas un nombre/);
    assert.match(refused('12 €', { min: 0 }), /n'est pas un nombre/); // « € » only in money fields
  });

  it('keeps to the bounds it is given', () => {
    assert.match(refused('-5'), /positif ou nul/);
    assert.match(refused('1 000 000 000,01'), /dépasse le maximum/);
    assert.equal(value('1 000 000 000'), MONEY_MAX);
    assert.match(refused('2024,5', { integer: true, min: 1900, max: 2200 }), /nombre entier/);
    assert.match(refused('1850', { integer: true, min: 1900, max: 2200 }), /au moins 1\u202f900/);
    assert.equal(value('2024', { integer: true, min: 1900, max: 2200 }), 2024);
    assert.equal(value('-3,5', {}), -3.5);
    assert.equal(value('\u22123,5', {}), -3.5);
  });
});

describe('formatNumber', () => {
  it('writes back what was read, cents only when there are any', () => {
    assert.equal(formatNumber(12500.5, MONEY), '12\u202f500,50 €');
    assert.equal(formatNumber(12500, MONEY), '12\u202f500 €');
    assert.equal(formatNumber(2024, { integer: true, grouping: false }), '2024');
    assert.equal(formatNumber(-3.5), '\u22123,5');
    assert.equal(formatNumber(null), '');
  });

  it('round-trips through parseNumber', () => {
    for (const v of [0, 0.5, 12, 12500.5, 999999999.99, 1250000]) {
      assert.equal(value(formatNumber(v, MONEY)), v, String(v));
    }
  });
});
