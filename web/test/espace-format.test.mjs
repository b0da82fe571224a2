// Unit tests of web/js/espace-format.js (pure), run by `node --test web/test/`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { count, counted, dateTime, euros, size } from '../js/espace-format.js';

/** Intl's fr-FR output separates thousands with U+202F: fold to a plain space to compare. */
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('espace-format', () => {
  it('writes counts and euros the French way', () => {
    assert.equal(plain(count(12345)), '12 345');
    assert.equal(count(Number.NaN), '—');
    assert.equal(plain(euros(12500.5)), '12 500,50 €');
    assert.equal(plain(euros(3000)), '3 000 €');
    assert.equal(plain(euros(-0)), '0 €');
    assert.equal(plain(counted(1, 'ligne', 'lignes')), '1 ligne');
    assert.equal(plain(counted(1200, 'ligne', 'lignes')), '1 200 lignes');
  });

  it('writes sizes in octets, ko and Mo with a decimal comma', () => {
    assert.equal(size(12), '12 octets');
    assert.equal(size(1536), '1,5 ko');
    assert.equal(size(50 * 1024 * 1024), '50 Mo');
  });

  it('reads the server\'s UTC times and leaves unreadable text as it is', () => {
    const text = dateTime('2026-12-05 07:40:12');
    assert.match(text, /^0[56]\/12\/2026 \d{2}:\d{2}$/);
    assert.equal(dateTime(''), '—');
    assert.equal(dateTime('hier'), 'hier');
  });
});
