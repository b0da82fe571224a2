// ess-atlas — the map's search box (a combobox): territories and EPCI (names and short
// names such as « CU d'Arras », matched here from the lists the map already holds),
// communes (/api/communes?q=) and organisations (/api/organisations?q=). A zone is
// selected and the map flies to it (its outline fits the view, so a territory is seen
// whole and a commune closer); an organisation opens its card on the map.

import { api, el } from './util.js';

const LIMIT = 10;
const KINDS = {
  territory: { label: 'Territoire', max: 3 },
  epci: { label: 'EPCI', max: 4 },
  commune: { label: 'Commune', max: 10 },
  organisation: { label: 'Organisation', max: 3 },
};

/** Lower case, no accents, one kind of apostrophe and of space: « Lens - Liévin » ~ « lens-lievin ». */
export function fold(s) {
  return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[’`]/g, "'").replace(/[\s\u00a0\u202f-]+/g, ' ').trim();
}

/**
 * Zones of `items` whose name, short name or code matches `q`: exact names first, then
 * names that start with it, then the others. Pure (web/test/search.test.mjs).
 */
export function matchZones(items, q) {
  const f = fold(q);
  if (!f) return [];
  const scored = [];
  for (const item of items) {
    const names = [item.name, item.short_name, item.code].filter(Boolean).map(fold);
    let score = -1;
    if (names.some((n) => n === f)) score = 0;
    else if (names.some((n) => n.startsWith(f) || n.split(/[ ']/).some((w) => w.startsWith(f)))) score = 1;
    else if (names.some((n) => n.includes(f))) score = 2;
    if (score >= 0) scored.push({ item, score });
  }
  scored.sort((a, b) => a.score - b.score || (b.item.population || 0) - (a.item.population || 0));
  return scored.map((s) => ({ item: s.item, exact: s.score === 0 }));
}

/**
 * Wires the search box.
 * @param {object} o  { input, list, territories(), epci(), epciName(code), selectZone(id), openOrganisation(item) }
 */
export function setupSearch(o) {
  const { input, list } = o;
  let results = [];
  let active = -1;
  let timer = 0;
  let controller = null;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const setActive = (i) => {
    active = i;
    [...list.querySelectorAll('[role="option"]')].forEach((li, j) => {
      li.setAttribute('aria-selected', String(j === i));
      if (j === i) {
        input.setAttribute('aria-activedescendant', li.id);
        li.scrollIntoView({ block: 'nearest' });
      }
    });
    if (i < 0) input.removeAttribute('aria-activedescendant');
  };
  const message = (text) => {
    results = [];
    list.replaceChildren(el('li', { class: 'search-message', role: 'option', 'aria-disabled': 'true', text }));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };
  const choose = (i) => {
    const r = results[i];
    if (!r) return;
    input.value = r.name;
    close();
    if (r.kind === 'organisation') o.openOrganisation(r.item);
    else o.selectZone(`${r.kind}:${r.item.code}`);
  };
  const render = () => {
    if (!results.length) {
      message('Aucun territoire, EPCI, commune ou organisation trouvé.');
      return;
    }
    list.replaceChildren(...results.map((r, i) => {
      const li = el('li', {
        id: `search-opt-${i}`, role: 'option', class: `search-option search-option--${r.kind}`, 'aria-selected': 'false',
        'data-testid': 'search-option', 'data-kind': r.kind, 'data-code': r.item.code || r.item.siret,
      },
      el('span', { class: 'search-option-name', text: r.name }),
      el('span', { class: 'search-option-meta', text: [KINDS[r.kind].label, r.meta].filter(Boolean).join(' · ') }));
      li.addEventListener('pointerdown', (ev) => ev.preventDefault()); // keep focus in the input
      li.addEventListener('click', () => choose(i));
      return li;
    }));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    setActive(-1);
  };
  const run = async () => {
    const q = input.value.trim();
    if (controller) controller.abort();
    if (q.length < 2 && !/^\d+$/.test(q)) {
      close();
      return;
    }
    controller = new AbortController();
    const { signal } = controller;
    const zones = [
      ...matchZones(o.territories(), q).slice(0, KINDS.territory.max).map((m) => ({ ...m, kind: 'territory', name: m.item.name, meta: '' })),
      ...matchZones(o.epci(), q).slice(0, KINDS.epci.max).map((m) => ({
        ...m, kind: 'epci', name: m.item.short_name || m.item.name, meta: m.item.short_name && m.item.short_name !== m.item.name ? m.item.name : '',
      })),
    ];
    try {
      const [communes, organisations] = await Promise.all([
        api(`/api/communes?q=${encodeURIComponent(q)}&limit=${LIMIT}`, { signal }),
        q.length >= 3 ? api(`/api/organisations?q=${encodeURIComponent(q)}&per_page=${KINDS.organisation.max}`, { signal }).catch(() => ({ items: [] })) : { items: [] },
      ]);
      if (signal.aborted) return;
      const fq = fold(q);
      const towns = (communes.items || []).map((c) => ({
        item: c, kind: 'commune', name: c.name, exact: fold(c.name) === fq,
        meta: [c.code, c.epci ? o.epciName(c.epci.code) || c.epci.name : ''].filter(Boolean).join(' · '),
      }));
      const orgs = (organisations.items || []).slice(0, KINDS.organisation.max).map((g) => ({
        item: g, kind: 'organisation', name: g.name || g.enseigne || g.siret, exact: false,
        meta: [g.commune_name || (g.commune && g.commune.name), g.siret].filter(Boolean).join(' · '),
      }));
      const all = [...zones, ...towns, ...orgs];
      // Exact names first (« Arras » the commune before « CU d'Arras »), in kind order.
      const exact = all.filter((r) => r.exact);
      const rest = all.filter((r) => !r.exact);
      const room = LIMIT - exact.length - Math.min(orgs.length, 2);
      const restZones = rest.filter((r) => r.kind !== 'organisation').slice(0, Math.max(0, room));
      const restOrgs = rest.filter((r) => r.kind === 'organisation').slice(0, LIMIT - exact.length - restZones.length);
      results = [...exact, ...restZones, ...restOrgs].slice(0, LIMIT);
      render();
    } catch (err) {
      if (err.name === 'AbortError') return;
      message('Recherche indisponible pour le moment.');
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 180);
  });
  input.addEventListener('keydown', (ev) => {
    const open = !list.hidden && results.length > 0;
    if (ev.key === 'ArrowDown') {
      ev.preventDefault();
      if (list.hidden) { run(); return; }
      if (open) setActive((active + 1) % results.length);
    } else if (ev.key === 'ArrowUp') {
      ev.preventDefault();
      if (open) setActive(active <= 0 ? results.length - 1 : active - 1);
    } else if (ev.key === 'Enter') {
      if (open) {
        ev.preventDefault();
        choose(active >= 0 ? active : 0);
      }
    } else if (ev.key === 'Escape') {
      if (!list.hidden) {
        ev.preventDefault();
        ev.stopPropagation();
        close();
      } else if (input.value) {
        ev.preventDefault();
        ev.stopPropagation();
        input.value = '';
      }
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 120));
  input.addEventListener('focus', () => {
    if (input.value.trim().length >= 2 && results.length) render();
  });
}
