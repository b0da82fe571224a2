// ess-atlas — the map's legend box when no indicator is shown: the territories with their
// colours (each a button that opens its panel), folded at first on narrow screens. The
// indicator's legend (classes, circles) is indicators.js's; the border lines are levels.js's.

import { el } from '../util.js';
import { $, NARROW_SCREEN, data, page, zoneId } from './context.js';
import { selectZone } from './panel.js';

export function renderLegend() {
  const list = $('legend-list');
  const items = [...data.territory.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  list.replaceChildren(...items.map((t) => el('li', {},
    el('button', {
      type: 'button', class: 'legend-item', 'data-testid': 'legend-territory', 'data-zone': zoneId('territory', t.code),
      onclick: () => selectZone(zoneId('territory', t.code), { focus: true }),
    },
    el('span', { class: 'swatch', style: `background:${data.colours.get(t.code)}`, 'aria-hidden': 'true' }),
    el('span', { text: t.name })))));
  // With indicators, the classes of the choropleth replace the list of territories.
  $('legend-territories').hidden = !!(page.ind && page.ind.enabled);
  // Phones and tablets: the legend starts folded so that it does not hide the map (issue 19).
  if (window.matchMedia(NARROW_SCREEN).matches) $('legend').open = false;
  $('legend').hidden = false;
}
