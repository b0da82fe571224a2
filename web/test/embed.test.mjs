// Unit tests of web/js/embed.js (the « Intégrer cette carte » snippet), run by
// `node --test web/test/`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { embedSnippet, embedUrl } from '../js/embed.js';

describe('embedUrl', () => {
  it('carries the zone, indicator, edition and category of the permalink', () => {
    assert.equal(
      embedUrl('#level=communes&zone=epci:200033579&ind=ess_jobs&cat=family:cooperative&year=2020', 'https://atlas.example/'),
      'https://atlas.example/embed?zone=epci%2F200033579&indicator=ess_jobs&edition=2020&family=cooperative',
    );
    assert.equal(
      embedUrl('#level=epci&zone=territory:ARR&ind=share_of_ess_jobs&cat=size:10-49&year=2023', 'http://x'),
      'http://x/embed?zone=territoire%2FARR&indicator=share_of_ess_jobs&edition=2023&size=10-49',
    );
  });

  it('shows the département with the default indicator when the view has neither', () => {
    assert.equal(embedUrl('', 'http://x'), 'http://x/embed?indicator=ess_share_jobs');
    assert.equal(embedUrl('#level=territories&zone=department:62', 'http://x'), 'http://x/embed?zone=departement%2F62&indicator=ess_share_jobs');
  });
});

describe('embedSnippet', () => {
  it('is one iframe with the URL escaped for an attribute', () => {
    const html = embedSnippet('http://x/embed?zone=epci%2F1&indicator=a&edition=2023');
    assert.match(html, /^<iframe src="http:\/\/x\/embed\?zone=epci%2F1&amp;indicator=a&amp;edition=2023" title="[^"]+"/);
    assert.match(html, /<\/iframe>$/);
  });
});
