// ess-atlas — the indicator dashboard's table: the zones of the map's level with their
// population, value (with its class colour when the map is a choropleth) and evolution,
// sortable by each column, filtered by name, the selected zone's row marked and scrolled
// into view, a row's name selecting its zone. The département's line in the footer.

import { el, fmtInt } from '../util.js';
import { SECRET_LABEL, SECRET_MARK, fmtEvolution, fmtValue, unitText } from '../classify.js';
import { LEVEL_WORDS } from './words.js';

/**
 * The table of the dashboard `dash`: { st (its choices: sort, filter, table, compare, mode),
 * view() (what the map shows), measure, fmtMeasure, colourOf, evolutionMode, circlesOn,
 * titleOf, subtitleOf, store, ctx (hover, selectZone, shortName) }.
 */
export function createTable(dash) {
  const $ = (id) => document.getElementById(id);
  const {
    st, measure, fmtMeasure, colourOf, evolutionMode, circlesOn, titleOf, subtitleOf, store, ctx,
  } = dash;

  function levelTitle(level) {
    return { territory: 'Territoire', epci: 'EPCI', commune: 'Commune' }[level] || 'Zone';
  }

  /** Name shown in the table (EPCI: the short name, « CC du Ternois »). */
  function rowName(level, it) {
    return (level === 'epci' && ctx.shortName('epci', it.code)) || it.name;
  }

  function parentName(level, it) {
    const p = it.parent;
    if (!p) return '';
    if (level === 'commune') return ctx.shortName('epci', p.code) || p.name;
    return p.name;
  }

  function sortedRows() {
    const view = dash.view();
    const { level, byCode } = view;
    const q = st.filter.trim().toLocaleLowerCase('fr').normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    let rows = [...byCode.values()];
    if (q) {
      rows = rows.filter((it) => `${it.name} ${rowName(level, it)} ${it.code} ${parentName(level, it)}`
        .toLocaleLowerCase('fr').normalize('NFD').replace(/[\u0300-\u036f]/g, '').includes(q));
    }
    const { key, dir } = st.sort;
    const sign = dir === 'asc' ? 1 : -1;
    const num = (it) => {
      if (key === 'population') return it.population;
      if (key === 'value') return it.secret ? null : it.value;
      if (key === 'evolution') { const m = measure(it); return m.secret ? null : m.value; }
      return null;
    };
    rows.sort((a, b) => {
      if (key === 'name' || key === 'parent') {
        const sa = key === 'name' ? rowName(level, a) : parentName(level, a);
        const sb = key === 'name' ? rowName(level, b) : parentName(level, b);
        return sign * String(sa).localeCompare(String(sb), 'fr') || String(a.name).localeCompare(String(b.name), 'fr');
      }
      const va = num(a);
      const vb = num(b);
      const fa = Number.isFinite(va);
      const fb = Number.isFinite(vb);
      // Masked and missing values always last, whatever the direction.
      if (fa !== fb) return fa ? -1 : 1;
      if (!fa) return String(a.name).localeCompare(String(b.name), 'fr');
      return sign * (va - vb) || String(a.name).localeCompare(String(b.name), 'fr');
    });
    return rows;
  }

  function valueCell(fig, text, colour, testid) {
    const secret = fig && fig.secret;
    return el('td', {
      class: `num${secret ? ' is-secret' : ''}`,
      'data-testid': testid,
      title: secret ? SECRET_LABEL : null,
    },
    colour ? el('span', { class: `cell-swatch${secret ? ' swatch--secret' : ''}`, style: secret ? null : `background:${colour}`, 'aria-hidden': 'true' }) : null,
    el('span', { class: 'cell-text', text }),
    secret ? el('span', { class: 'visually-hidden', text: ` (${SECRET_LABEL})` }) : null);
  }

  function render() {
    const view = dash.view();
    if (!st.table || !view) return;
    const { level, resp } = view;
    const ind = resp.indicator;
    const evo = st.compare !== null;
    const valueColoured = !evolutionMode() && !circlesOn();
    const words = LEVEL_WORDS[level];
    $('zone-table-title').textContent = `Tableau des ${words.many}`;
    $('zone-table-sub').textContent = `${titleOf(resp)} · ${subtitleOf(resp)}${resp.demo ? ' · données de démonstration' : ''}`;
    $('zone-table-filter').placeholder = `Filtrer les ${words.many}…`;
    const filterField = $('zone-table-filter');
    if (filterField.value !== st.filter) filterField.value = st.filter;

    const cols = [
      { key: 'name', label: levelTitle(level), cls: 'col-name' },
      level !== 'territory' ? { key: 'parent', label: words.parent, cls: 'col-parent' } : null,
      { key: 'population', label: 'Population', cls: 'num' },
      { key: 'value', label: `Valeur ${resp.edition}`, unit: ind.unit === '%' ? '%' : ind.unit, cls: 'num col-value' },
      evo ? { key: 'evolution', label: `Évolution ${resp.compare_edition}–${resp.edition}`, unit: unitText(ind, st.mode), cls: 'num col-evo' } : null,
    ].filter(Boolean);
    if (st.sort.key === 'evolution' && !evo) st.sort = { key: 'value', dir: 'desc' };
    if (st.sort.key === 'parent' && level === 'territory') st.sort = { key: 'name', dir: 'asc' };

    const head = el('tr', {}, cols.map((c) => {
      const active = st.sort.key === c.key;
      const sortAttr = active ? (st.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none';
      return el('th', { scope: 'col', class: c.cls, 'aria-sort': sortAttr },
        el('button', {
          type: 'button', class: 'th-sort', 'data-sort': c.key, 'data-testid': `zone-table-sort-${c.key}`,
          onclick: () => {
            const dir = active ? (st.sort.dir === 'asc' ? 'desc' : 'asc') : (c.key === 'name' || c.key === 'parent' ? 'asc' : 'desc');
            st.sort = { key: c.key, dir };
            render();
            const again = $('zone-table').querySelector(`[data-sort="${c.key}"]`);
            if (again) again.focus({ preventScroll: true });
          },
        },
        el('span', { class: 'th-label' }, c.label, c.unit ? el('span', { class: 'th-unit', text: ` (${c.unit})` }) : null),
        el('span', { class: 'th-arrow', 'aria-hidden': 'true' })));
    }));

    const rows = sortedRows();
    const selected = store.get().zone;
    const body = rows.map((it) => {
      const code = String(it.code);
      const id = `${level}:${code}`;
      const valueFig = { value: it.value, secret: it.secret };
      const evoM = evo ? measure(it) : null;
      const evoAny = evo && it.evolution ? it.evolution[st.mode === 'evolution_percent' ? 'percent' : 'absolute'] : null;
      const tr = el('tr', {
        'data-code': code, 'data-testid': 'zone-table-row', class: id === selected ? 'is-selected' : null,
        'aria-current': id === selected ? 'true' : null,
        onmouseenter: () => ctx.hover(level, code),
        onmouseleave: () => ctx.hover(level, null),
        onclick: (e) => {
          if (e.target.closest('button')) return;
          ctx.selectZone(id);
        },
      },
      el('th', { scope: 'row', class: 'col-name' },
        el('button', { type: 'button', class: 'row-link', 'data-testid': 'zone-table-link', title: it.name, onclick: () => ctx.selectZone(id, { focus: true }) }, rowName(level, it))),
      level !== 'territory' ? el('td', { class: 'col-parent', text: parentName(level, it) }) : null,
      el('td', { class: 'num', text: fmtInt(it.population) }),
      valueCell(valueFig, it.secret ? SECRET_MARK : fmtValue(it.value, ind), valueColoured ? colourOf(valueFig) : null, 'zone-table-value'),
      evo ? valueCell(evoAny, evoAny ? (evoAny.secret ? SECRET_MARK : (Number.isFinite(evoAny.value) ? fmtEvolution(evoAny.value, ind, st.mode) : 'n.c.')) : '—',
        colourOf(evoM), 'zone-table-evolution') : null);
      return tr;
    });
    const dept = resp.department;
    const foot = dept ? el('tr', { class: 'row-dept' },
      el('th', { scope: 'row', class: 'col-name' }, dept.name, el('span', { class: 'row-dept-kind', text: ' · département' })),
      level !== 'territory' ? el('td', { class: 'col-parent' }) : null,
      el('td', { class: 'num', text: fmtInt(dept.population) }),
      valueCell(dept, dept.secret ? SECRET_MARK : fmtValue(dept.value, ind), null, 'zone-table-dept'),
      evo ? valueCell(dept.evolution && dept.evolution[st.mode === 'evolution_percent' ? 'percent' : 'absolute'],
        fmtMeasure(measure(dept), ind), null, 'zone-table-dept-evolution') : null) : null;

    const table = el('table', { class: 'data-table', 'data-testid': 'zone-table-table' },
      el('caption', { class: 'visually-hidden', text: `${titleOf(resp)}, par ${words.one} : ${subtitleOf(resp)}. Cliquez sur un en-tête pour trier, sur un nom pour afficher sa fiche.` }),
      el('thead', {}, head),
      el('tbody', {}, body.length ? body : el('tr', {}, el('td', { colspan: String(cols.length), class: 'table-empty', text: 'Aucune zone ne correspond au filtre.' }))),
      foot ? el('tfoot', {}, foot) : null);
    $('zone-table-count').textContent = `${fmtInt(rows.length)} ${rows.length > 1 ? words.many : words.one}`;
    $('zone-table-scroll').replaceChildren(table);
    markRow({ scroll: true });
  }

  function markRow({ scroll = false } = {}) {
    const view = dash.view();
    if (!st.table || !view) return;
    const selected = store.get().zone;
    let target = null;
    for (const tr of $('zone-table').querySelectorAll('tbody tr[data-code]')) {
      const on = `${view.level}:${tr.dataset.code}` === selected;
      tr.classList.toggle('is-selected', on);
      if (on) {
        tr.setAttribute('aria-current', 'true');
        target = tr;
      } else tr.removeAttribute('aria-current');
    }
    if (target && scroll) {
      const box = $('zone-table-scroll');
      const r = target.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      const head = box.querySelector('thead');
      const foot = box.querySelector('tfoot');
      const headH = head ? head.getBoundingClientRect().height : 0;
      const footH = foot ? foot.getBoundingClientRect().height : 0;
      const inner = b.height - headH - footH;
      if (r.top < b.top + headH || r.bottom > b.bottom - footH) box.scrollTop += r.top - b.top - headH - inner / 2 + r.height / 2;
    }
  }

  return { render, markRow };
}
