// ess-atlas — le tableau de bord des indicateurs : carte choroplèthe, légende en classes,
// zones masquées (secret statistique) hachurées, sélecteurs (indicateur, champ, édition,
// évolution), tableau des zones synchronisé avec la carte, et la carte « indicateur » de la
// fiche d'une zone.
//
// Everything comes from /api/indicators/catalogue and /api/indicators. The fill layers of the
// map (built by app.js, GeoJSON with promoteId 'code') are recoloured with a `match` expression
// on the code; the masked zones get a fill-pattern from a small canvas image (no glyphs, no
// text layer).

import { api, el, fmtInt, fmtPop } from './util.js';
import { expandIndicators } from './compact.js';
import {
  METHODS, NO_DATA, SECRET_FILL, SECRET_LABEL, SECRET_MARK,
  classColours, classIndex, classify, classifyDiverging, fmtEvolution, fmtNumber, fmtValue, unitText,
} from './classify.js';
import { sliceOf } from './store.js';
import { MODES, SORT_KEYS, ZONE_OF_LEVEL } from './url.js';

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

export const HATCH_IMAGE = 'ess-hatch';
const SOURCE_OF = { territory: 'territories', epci: 'epci', commune: 'communes' };
const LEVEL_WORDS = {
  territory: { one: 'territoire', many: 'territoires', title: 'Territoire', parent: 'Département' },
  epci: { one: 'EPCI', many: 'EPCI', title: 'EPCI', parent: 'Territoire' },
  commune: { one: 'commune', many: 'communes', title: 'Commune', parent: 'EPCI' },
  department: { one: 'département', many: 'départements', title: 'Département', parent: '' },
};
/** Groups of the indicator picker (ids unknown to this list go to « Autres indicateurs »). */
const GROUPS = [
  { label: 'Emploi', ids: ['ess_share_jobs', 'ess_jobs', 'ess_jobs_per_1000', 'share_of_ess_jobs'] },
  { label: 'Établissements', ids: ['ess_establishments', 'ess_employers', 'ess_establishments_per_10000'] },
  {
    label: 'Subventions du Département',
    ids: ['ess_subsidies', 'ess_subsidies_per_job', 'ess_subsidies_per_inhabitant',
      'share_of_department_ess_subsidies', 'share_of_department_ess_jobs', 'subsidies_to_jobs_index'],
  },
];
const DEFAULT_INDICATOR = 'ess_share_jobs';
const DIMENSIONS = {
  family: { label: 'Famille juridique', key: 'families' },
  sector: { label: "Secteur d'activité (NAF)", key: 'sectors' },
  size: { label: "Taille de l'établissement", key: 'size_classes' },
};

const nfOrdinal = (n) => (n === 1 ? '1er' : `${fmtInt(n)}e`);
const short = (s, n = 58) => (s.length > n ? `${s.slice(0, n - 1).trimEnd()}…` : s);

/** A small diagonal hatching, drawn on a canvas, for map.addImage (pixel ratio 2). */
export function hatchImage() {
  const size = 16;
  const c = document.createElement('canvas');
  c.width = size;
  c.height = size;
  const g = c.getContext('2d');
  g.strokeStyle = '#5d6978';
  g.lineWidth = 2.4;
  g.lineCap = 'square';
  for (const o of [-size, 0, size]) {
    g.beginPath();
    g.moveTo(o, size);
    g.lineTo(o + size, 0);
    g.stroke();
  }
  return g.getImageData(0, 0, size, size);
}

// ---------------------------------------------------------------------------------------------
// The feature
// ---------------------------------------------------------------------------------------------

/**
 * @param {object} store the view's state (store.js): the dashboard's choices are its `ind`
 *   slice (null without indicators; the URL is written from the store); the map's `level`
 *   and the selected `zone` are read from it and followed.
 * @param {object} ctx hooks into the page:
 *   meta, catalogue; map() → the MapLibre map; selectZone(id); shortName(level, code);
 *   hover(level, code | null); onView() (labels, panel); showError(message, retry);
 *   layoutChanged()
 */
export function createIndicators(store, ctx) {
  const $ = (id) => document.getElementById(id);
  const catalogue = ctx.catalogue;
  const meta = ctx.meta || {};
  const editions = Array.isArray(meta.editions) ? [...meta.editions].sort((a, b) => a - b) : [];
  const enabled = !!(catalogue && Array.isArray(catalogue.items) && catalogue.items.length && editions.length);
  const latest = editions.length ? editions[editions.length - 1] : null;
  const indicators = new Map((enabled ? catalogue.items : []).map((i) => [i.id, i]));
  const categories = new Map(); // "family:cooperative" → { dim, id, label, in_totals }
  if (enabled) {
    for (const [dim, d] of Object.entries(DIMENSIONS)) {
      for (const c of catalogue[d.key] || []) categories.set(`${dim}:${c.id}`, { dim, ...c });
    }
  }

  const choices = {
    indicator: DEFAULT_INDICATOR,
    cat: '', // "" or "family:cooperative"
    edition: latest,
    compare: null,
    mode: 'value',
    method: 'jenks',
    table: false,
    sort: { key: 'value', dir: 'desc' },
  };
  store.set({ ind: enabled ? choices : null });
  /** The store's `ind` slice (the choices), and this feature's own state beside it. */
  const own = { filter: '', started: false };
  const st = enabled ? sliceOf(store, 'ind', own) : { ...choices, ...own };
  /** The zone level the map shows: 'territory' | 'epci' | 'commune'. */
  const zoneLevel = () => ZONE_OF_LEVEL[store.get().level];

  /** What the map shows: one /api/indicators answer and its classes. */
  let view = null; // { level, url, resp, byCode, classes, colours, stats }
  const cache = new Map(); // url → Promise
  let token = 0;
  let notice = '';

  // ------------------------------------------------------------------------------ state

  const indicator = () => indicators.get(st.indicator);
  const category = () => (st.cat ? categories.get(st.cat) : null);
  const evolutionMode = () => st.compare !== null && st.mode !== 'value';

  function validate() {
    notice = '';
    if (!indicators.has(st.indicator)) st.indicator = indicators.has(DEFAULT_INDICATOR) ? DEFAULT_INDICATOR : catalogue.items[0].id;
    if (st.cat && !categories.has(st.cat)) st.cat = '';
    if (indicator().needs_category && !st.cat) {
      const first = [...categories.keys()][0];
      st.cat = first || '';
    }
    if (!editions.includes(st.edition)) {
      if (st.edition) notice = `L'édition ${st.edition} n'est pas disponible : affichage de l'édition ${latest}.`;
      st.edition = latest;
    }
    if (st.compare !== null && !(editions.includes(st.compare) && st.compare < st.edition)) st.compare = null;
    if (st.compare === null) st.mode = 'value';
    else if (!MODES.includes(st.mode) || st.mode === 'value') st.mode = defaultEvolutionMode();
    if (!METHODS[st.method]) st.method = 'jenks';
    if (!SORT_KEYS.includes(st.sort.key)) st.sort = { key: 'value', dir: 'desc' };
  }

  function defaultEvolutionMode() {
    const ind = indicator();
    return ind && !ind.additive ? 'evolution_absolute' : 'evolution_percent';
  }

  function queryString(level) {
    const p = new URLSearchParams();
    p.set('level', level);
    p.set('indicator', st.indicator);
    p.set('edition', String(st.edition));
    const c = category();
    if (c) p.set(c.dim, c.id);
    if (st.compare !== null) p.set('compare_edition', String(st.compare));
    return p.toString();
  }

  /** The /api/indicators answer for a level with the current choices (cached). */
  function dataFor(level) {
    // Communes in the compact form: a table instead of objects (France: 7 MB → ~1 MB).
    const url = `/api/indicators?${queryString(level)}${level === 'commune' ? '&form=compact' : ''}`;
    let p = cache.get(url);
    if (!p) {
      p = api(url).then(expandIndicators).catch((err) => {
        cache.delete(url);
        throw err;
      });
      cache.set(url, p);
      if (cache.size > 40) cache.delete(cache.keys().next().value);
    }
    return p;
  }

  /** The figure the map shows for an item: its value, or its evolution. */
  function measure(item) {
    if (!item) return { value: null, secret: false, missing: true };
    if (!evolutionMode()) return { value: item.value, secret: !!item.secret };
    const evo = item.evolution && item.evolution[st.mode === 'evolution_percent' ? 'percent' : 'absolute'];
    return evo ? { value: evo.value, secret: !!evo.secret } : { value: null, secret: false };
  }

  function fmtMeasure(m, ind = view && view.resp.indicator) {
    if (!m || m.missing) return '—';
    if (m.secret) return SECRET_MARK;
    if (!Number.isFinite(m.value)) return evolutionMode() ? 'n.c.' : '—';
    return evolutionMode() ? fmtEvolution(m.value, ind, st.mode) : fmtValue(m.value, ind);
  }

  /** Apply a state read from the hash (on load, or when the hash is edited by hand). */
  function apply(h, { initial = false } = {}) {
    if (!enabled || !h) return;
    st.indicator = h.indicator || DEFAULT_INDICATOR;
    st.cat = h.cat || '';
    st.edition = h.edition || latest;
    st.compare = h.compare ?? null;
    st.mode = h.mode || (st.compare !== null ? '' : 'value');
    st.method = h.method || 'jenks';
    st.sort = h.sort || { key: 'value', dir: 'desc' };
    validate();
    syncControls();
    setTable(!!h.table);
    if (notice) ctx.showError(notice);
    if (!initial) refresh();
  }

  // ------------------------------------------------------------------------------ controls

  function buildControls() {
    const sel = $('ind-indicator');
    const used = new Set();
    const groups = GROUPS.map((g) => {
      const items = g.ids.map((id) => indicators.get(id)).filter(Boolean);
      items.forEach((i) => used.add(i.id));
      return { label: g.label, items };
    });
    const others = catalogue.items.filter((i) => !used.has(i.id));
    if (others.length) groups.push({ label: 'Autres indicateurs', items: others });
    sel.replaceChildren(...groups.filter((g) => g.items.length).map((g) => el('optgroup', { label: g.label },
      g.items.map((i) => el('option', {
        value: i.id,
        title: i.definition || '',
        text: i.needs_category ? `${i.label} (d'une famille, d'un secteur, d'une taille)` : i.label,
      })))));

    const cat = $('ind-category');
    const opts = [el('option', { value: '', text: "Toute l'ESS (4 familles)" })];
    for (const [dim, d] of Object.entries(DIMENSIONS)) {
      const list = [...categories.values()].filter((c) => c.dim === dim);
      if (!list.length) continue;
      opts.push(el('optgroup', { label: d.label }, list.map((c) => el('option', {
        value: `${dim}:${c.id}`,
        title: c.label,
        text: dim === 'sector'
          ? `${c.id} · ${short(c.label)}`
          : (c.in_totals === false ? `${c.label} (hors totaux)` : c.label),
      }))));
    }
    cat.replaceChildren(...opts);

    $('ind-edition').replaceChildren(...[...editions].reverse().map((y) => el('option', { value: String(y), text: String(y) })));

    sel.addEventListener('change', () => {
      st.indicator = sel.value;
      changed();
    });
    cat.addEventListener('change', () => {
      st.cat = cat.value;
      changed();
    });
    $('ind-edition').addEventListener('change', (e) => {
      st.edition = Number(e.target.value);
      changed();
    });
    $('ind-compare').addEventListener('change', (e) => {
      const v = e.target.value;
      const was = st.compare;
      st.compare = v ? Number(v) : null;
      if (was === null && st.compare !== null) st.mode = defaultEvolutionMode();
      changed();
    });
    for (const btn of document.querySelectorAll('#ind-mode [data-mode]')) {
      btn.addEventListener('click', () => {
        st.mode = btn.dataset.mode;
        changed();
      });
    }
    $('ind-table-toggle').addEventListener('click', () => setTable(!st.table, { focus: !st.table }));
    $('zone-table-close').addEventListener('click', () => {
      setTable(false);
      $('ind-table-toggle').focus({ preventScroll: true });
    });
    const filter = $('zone-table-filter');
    let timer = 0;
    filter.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        st.filter = filter.value.trim();
        renderTable();
      }, 150);
    });
    filter.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && filter.value) {
        e.preventDefault();
        e.stopPropagation();
        filter.value = '';
        st.filter = '';
        renderTable();
      }
    });
  }

  function syncControls() {
    if (!enabled) return;
    const ind = indicator();
    $('ind-indicator').value = st.indicator;
    $('ind-indicator').title = ind.definition || '';
    const cat = $('ind-category');
    cat.value = st.cat;
    cat.options[0].disabled = !!ind.needs_category;
    cat.closest('.ind-field').classList.toggle('is-required', !!ind.needs_category);
    $('ind-edition').value = String(st.edition);
    const earlier = editions.filter((y) => y < st.edition).reverse();
    const cmp = $('ind-compare');
    cmp.replaceChildren(
      el('option', { value: '', text: 'Aucune', title: earlier.length ? 'Valeurs de l’édition, sans comparaison' : 'Pas d’édition antérieure' }),
      ...earlier.map((y) => el('option', { value: String(y), text: String(y) })),
    );
    cmp.disabled = !earlier.length;
    cmp.value = st.compare === null ? '' : String(st.compare);
    $('ind-mode').hidden = st.compare === null;
    for (const btn of document.querySelectorAll('#ind-mode [data-mode]')) {
      btn.setAttribute('aria-pressed', String(btn.dataset.mode === st.mode));
    }
    $('ind-table-toggle').setAttribute('aria-pressed', String(st.table));
  }

  function changed() {
    validate();
    syncControls();
    refresh();
  }

  function setTable(on, { focus = false } = {}) {
    st.table = on;
    $('zone-table').hidden = !on;
    $('ind-table-toggle').setAttribute('aria-pressed', String(on));
    document.body.classList.toggle('has-table', on);
    if (on) renderTable();
    ctx.layoutChanged();
    if (on) {
      markRow({ scroll: true });
      if (focus) $('zone-table-title').focus({ preventScroll: true });
    }
  }

  // ------------------------------------------------------------------------------ data → map

  async function refresh() {
    if (!enabled || !st.started) return;
    const level = zoneLevel();
    const url = `/api/indicators?${queryString(level)}`;
    const key = `${url}|${st.mode}|${st.method}`;
    if (view && view.key === key) return;
    const my = ++token;
    setBusy(true);
    try {
      const resp = await dataFor(level);
      if (my !== token) return;
      setView(level, resp, url, key);
    } catch (err) {
      if (my !== token) return;
      setBusy(false);
      document.body.dataset.indicator = 'error';
      $('legend-choro-status').textContent = "L'indicateur n'a pas pu être chargé.";
      ctx.showError(`L'indicateur n'a pas pu être chargé. ${err.message || ''}`.trim(), () => {
        view = null;
        refresh();
      });
    }
  }

  function setBusy(busy) {
    const box = $('legend-choro');
    box.classList.toggle('is-loading', busy);
    box.setAttribute('aria-busy', String(busy));
    if (busy) document.body.dataset.indicator = 'loading';
  }

  function setView(level, resp, url, key) {
    const byCode = new Map((resp.items || []).map((it) => [String(it.code), it]));
    const values = [];
    let secret = 0;
    let nodata = 0;
    for (const it of byCode.values()) {
      const m = measure(it);
      if (m.secret) secret += 1;
      else if (Number.isFinite(m.value)) values.push(m.value);
      else nodata += 1;
    }
    const diverging = evolutionMode();
    const classes = diverging ? classifyDiverging(values, st.method) : classify(values, st.method);
    const colours = classColours(classes, diverging);
    view = { level, url, key, resp, byCode, classes, colours, diverging, stats: { secret, nodata, total: byCode.size } };
    paint();
    renderLegend();
    renderTable();
    setBusy(false);
    $('ind-live').textContent = `Carte : ${titleOf(resp)}, ${subtitleOf(resp)}, en ${classes.length} classe${classes.length > 1 ? 's' : ''}${secret ? `, ${fmtInt(secret)} zone${secret > 1 ? 's' : ''} sous secret statistique` : ''}.`;
    document.body.dataset.indicator = url.replace(/^\/api\/indicators\?/, '');
    ctx.onView();
  }

  function colourOf(m) {
    if (!view) return NO_DATA;
    if (m.secret) return SECRET_FILL;
    const i = classIndex(view.classes, m.value);
    return i < 0 ? NO_DATA : view.colours[i];
  }

  function paint() {
    const map = ctx.map();
    if (!map || !view) return;
    const source = SOURCE_OF[view.level];
    if (!map.getLayer(`${source}-fill`)) return;
    const groups = view.classes.map(() => []);
    const secret = [];
    for (const [code, it] of view.byCode) {
      const m = measure(it);
      if (m.secret) secret.push(code);
      else {
        const i = classIndex(view.classes, m.value);
        if (i >= 0) groups[i].push(code);
      }
    }
    const expr = ['match', ['to-string', ['get', 'code']]];
    groups.forEach((codes, i) => {
      if (codes.length) expr.push(codes, view.colours[i]);
    });
    if (secret.length) expr.push(secret, SECRET_FILL);
    expr.push(NO_DATA);
    map.setPaintProperty(`${source}-fill`, 'fill-color', expr.length > 3 ? expr : NO_DATA);
    map.setFilter(`${source}-secret`, ['in', ['to-string', ['get', 'code']], ['literal', secret]]);
    // Other levels: their colours are stale, but hidden; they are repainted when shown.
  }

  // ------------------------------------------------------------------------------ legend

  function boundsText(c) {
    const ind = view.resp.indicator;
    const f = (v) => (view.diverging ? fmtEvolution(v, ind, st.mode) : fmtValue(v, ind));
    if (view.diverging && c.min === 0 && c.max === 0) return '0 (stable)';
    if (c.min === c.max) return f(c.min);
    // Euros carry their unit on both bounds (« 12 345 € à 1,4 M€ »); other units once.
    const lo = view.diverging ? fmtEvolution(c.min, ind, st.mode) : (ind.unit === '€' ? fmtValue : fmtNumber)(c.min, ind);
    return `${lo} à ${f(c.max)}`;
  }

  function titleOf(resp) {
    const ind = resp.indicator;
    return ind.label;
  }

  function subtitleOf(resp, level = view && view.level) {
    const parts = [];
    const cat = resp.category;
    if (cat && cat.dimension !== 'total') parts.push(cat.label);
    parts.push(LEVEL_WORDS[level] ? LEVEL_WORDS[level].many : level);
    parts.push(evolutionMode() ? `évolution ${resp.compare_edition}–${resp.edition}` : `édition ${resp.edition}`);
    return parts.join(' · ');
  }

  function unitLine(resp) {
    const ind = resp.indicator;
    const bits = [];
    const u = unitText(ind, evolutionMode() ? st.mode : 'value');
    if (u && u !== '%') bits.push(`en ${u}`);
    else if (u === '%') bits.push('en %');
    if (ind.estimate) bits.push('effectif estimé');
    return bits.join(' · ');
  }

  function renderLegend() {
    const box = $('legend-choro');
    if (!view) return;
    const { resp, classes, colours, stats } = view;
    const ind = resp.indicator;
    $('legend-choro-title').textContent = titleOf(resp);
    $('legend-choro-sub').textContent = subtitleOf(resp);
    $('legend-choro-unit').textContent = unitLine(resp);
    $('legend-choro-demo').hidden = resp.demo !== true;
    $('legend-choro-status').textContent = '';

    const dept = resp.department || {};
    const deptM = measure(dept);
    // The département's own value is on the scale of the zones only for ratios and % changes.
    const comparable = !ind.additive || st.mode === 'evolution_percent';
    const deptClass = comparable && !deptM.secret && Number.isFinite(deptM.value)
      ? classes.findIndex((c) => deptM.value >= c.min && deptM.value <= c.max) : -1;
    const rows = classes.map((c, i) => el('li', { class: 'legend-class', 'data-testid': 'legend-class', dataset: { class: String(i) } },
      el('span', { class: 'swatch', style: `background:${colours[i]}`, 'aria-hidden': 'true' }),
      el('span', { class: 'legend-bound', text: boundsText(c) }),
      i === deptClass ? el('span', { class: 'legend-dept-mark', title: `${dept.name || 'Département'} : ${fmtMeasure(deptM, ind)}`, text: dept.code || 'Dépt' }) : null,
      el('span', { class: 'legend-count', title: `${fmtInt(c.count)} ${LEVEL_WORDS[view.level].many}`, text: fmtInt(c.count) })));
    rows.reverse(); // highest values on top
    if (stats.secret) {
      rows.push(el('li', { class: 'legend-class legend-class--secret', 'data-testid': 'legend-secret' },
        el('span', { class: 'swatch swatch--secret', 'aria-hidden': 'true' }),
        el('span', { class: 'legend-bound' }, el('strong', { text: SECRET_MARK }), ` — ${SECRET_LABEL}`),
        el('span', { class: 'legend-count', text: fmtInt(stats.secret) })));
    }
    if (stats.nodata) {
      rows.push(el('li', { class: 'legend-class', 'data-testid': 'legend-nodata' },
        el('span', { class: 'swatch', style: `background:${NO_DATA}`, 'aria-hidden': 'true' }),
        el('span', { class: 'legend-bound', text: evolutionMode() ? 'n.c. — non calculable (valeur initiale nulle)' : 'Pas de valeur' }),
        el('span', { class: 'legend-count', text: fmtInt(stats.nodata) })));
    }
    $('legend-classes').replaceChildren(...rows);
    const deptLine = $('legend-choro-dept');
    deptLine.replaceChildren(
      el('span', { class: 'legend-dept-mark', 'aria-hidden': 'true', text: dept.code || '' }),
      el('span', {}, `${dept.name || 'Département'} : `, el('strong', { text: fmtMeasure(deptM, ind) })),
    );
    deptLine.hidden = !dept.name;
    for (const btn of box.querySelectorAll('[data-method]')) btn.setAttribute('aria-pressed', String(btn.dataset.method === st.method));
    // Folded legend: a colour ramp in the summary.
    $('legend-ramp').replaceChildren(...[...colours].map((c) => el('i', { style: `background:${c}` })));
    box.hidden = false;
    $('legend-territories').hidden = true;
  }

  function wireLegend() {
    for (const btn of document.querySelectorAll('#legend-choro [data-method]')) {
      btn.addEventListener('click', () => {
        st.method = btn.dataset.method;
        changed();
      });
    }
  }

  // ------------------------------------------------------------------------------ table

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
    const { level, byCode } = view;
    const q = st.filter.toLocaleLowerCase('fr').normalize('NFD').replace(/[\u0300-\u036f]/g, '');
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

  function renderTable() {
    if (!st.table || !view) return;
    const { level, resp } = view;
    const ind = resp.indicator;
    const evo = st.compare !== null;
    const valueColoured = !evolutionMode();
    const words = LEVEL_WORDS[level];
    $('zone-table-title').textContent = `Tableau des ${words.many}`;
    $('zone-table-sub').textContent = `${titleOf(resp)} · ${subtitleOf(resp)}${resp.demo ? ' · données de démonstration' : ''}`;
    $('zone-table-filter').placeholder = `Filtrer les ${words.many}…`;
    $('zone-table-filter').value = st.filter;

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
            renderTable();
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

  // ------------------------------------------------------------------------------ panel card

  /** The « indicateur affiché » card of a zone's panel (value, parent, département, evolution, rank). */
  async function renderCard(container, level, code) {
    if (!enabled) {
      container.replaceChildren();
      return;
    }
    const my = (container.dataset.token = String(Number(container.dataset.token || 0) + 1));
    container.setAttribute('aria-busy', 'true');
    let resp;
    try {
      resp = await dataFor(level === 'department' ? 'territory' : level);
    } catch (err) {
      if (container.dataset.token !== my) return;
      container.replaceChildren(el('p', { class: 'panel-error', text: `Indicateur indisponible. ${err.message || ''}` }));
      container.removeAttribute('aria-busy');
      return;
    }
    if (container.dataset.token !== my) return;
    container.removeAttribute('aria-busy');
    const ind = resp.indicator;
    const item = level === 'department' ? resp.department : (resp.items || []).find((it) => String(it.code) === String(code));
    if (!item) {
      container.replaceChildren(el('p', { class: 'panel-loading', text: "Pas de valeur de l'indicateur pour cette zone." }));
      return;
    }
    const dept = resp.department;
    const parent = level === 'department' ? null : item.parent;
    const parentIsDept = parent && dept && String(parent.code) === String(dept.code);
    const evoOn = st.compare !== null;
    const cat = resp.category && resp.category.dimension !== 'total' ? resp.category.label : '';

    const big = item.secret
      ? el('p', { class: 'ind-card-value is-secret', 'data-testid': 'zone-indicator-value' },
        el('span', { class: 'secret-mark', text: SECRET_MARK }), ' ',
        el('span', { class: 'ind-card-secret', text: SECRET_LABEL }))
      : el('p', { class: 'ind-card-value', 'data-testid': 'zone-indicator-value' }, fmtValue(item.value, ind));
    const unitWord = ind.unit === '%' || ind.unit === '€' ? '' : String(ind.unit || '').replace(/\s*\(estimation\)/, '');
    const unit = [unitWord, ind.estimate ? 'effectif estimé' : '', `édition ${resp.edition}`].filter(Boolean).join(' · ');

    // Comparison with the parent and the département: bars for ratios, plain rows for counts.
    const refs = [{ label: 'Cette zone', short: (level !== 'department' && ctx.shortName(level, code)) || item.name, fig: item, self: true }];
    if (parent && !parentIsDept) refs.push({ label: LEVEL_WORDS[level].parent, short: level === 'commune' ? (ctx.shortName('epci', parent.code) || parent.name) : parent.name, fig: parent });
    if (dept && level !== 'department') refs.push({ label: 'Département', short: dept.name, fig: dept });
    let compare = null;
    if (refs.length > 1) {
      const max = Math.max(...refs.map((r) => (r.fig.secret || !Number.isFinite(r.fig.value) ? 0 : r.fig.value)), 0);
      const bars = !ind.additive && max > 0;
      compare = el('ul', { class: `ind-compare${bars ? ' ind-compare--bars' : ''}`, 'data-testid': 'zone-indicator-compare' },
        refs.map((r) => el('li', { class: r.self ? 'is-self' : null },
          el('span', { class: 'ind-compare-name' }, el('span', { class: 'ind-compare-kind', text: r.self ? 'Zone' : r.label }), ` ${r.short}`),
          bars ? el('span', { class: 'ind-compare-bar', 'aria-hidden': 'true' },
            el('i', { class: r.fig.secret ? 'swatch--secret' : null, style: `width:${r.fig.secret ? 100 : Math.max(1.5, (100 * (r.fig.value || 0)) / max)}%` })) : null,
          el('span', { class: `ind-compare-value${r.fig.secret ? ' is-secret' : ''}`, title: r.fig.secret ? SECRET_LABEL : null, text: r.fig.secret ? SECRET_MARK : fmtValue(r.fig.value, ind) }))));
    }

    let evolution = null;
    if (evoOn) {
      const ev = item.evolution || {};
      const a = ev.absolute || {};
      const p = ev.percent || {};
      const txt = (f, mode) => (f.secret ? SECRET_MARK : (Number.isFinite(f.value) ? fmtEvolution(f.value, ind, mode) : 'n.c.'));
      evolution = el('p', { class: 'ind-card-evo', 'data-testid': 'zone-indicator-evolution' },
        el('span', { class: 'ind-card-evo-label', text: `Depuis ${resp.compare_edition} : ` }),
        el('strong', { text: txt(a, 'evolution_absolute') }),
        ' (', el('strong', { text: txt(p, 'evolution_percent') }), ')',
        (a.secret || p.secret) ? el('span', { class: 'visually-hidden', text: ` ${SECRET_LABEL}` }) : null);
    }

    let rank = null;
    if (level !== 'department' && !item.secret && Number.isFinite(item.value)) {
      const vals = (resp.items || []).filter((it) => !it.secret && Number.isFinite(it.value)).map((it) => it.value);
      const r = 1 + vals.filter((v) => v > item.value).length;
      const masked = (resp.items || []).length - vals.length;
      rank = el('p', { class: 'ind-card-rank', 'data-testid': 'zone-indicator-rank' },
        `Rang : ${nfOrdinal(r)} sur ${fmtInt(vals.length)} ${LEVEL_WORDS[level].many}, de la plus forte à la plus faible valeur`,
        masked ? ` (${fmtInt(masked)} valeur${masked > 1 ? 's' : ''} masquée${masked > 1 ? 's' : ''} ou absente${masked > 1 ? 's' : ''})` : '', '.');
    }

    // The département: the spread of its territories (ratios only: counts do not compare).
    if (level === 'department' && !ind.additive) {
      const known = (resp.items || []).filter((it) => !it.secret && Number.isFinite(it.value));
      if (known.length >= 2) {
        const lo = known.reduce((a, b) => (b.value < a.value ? b : a));
        const hi = known.reduce((a, b) => (b.value > a.value ? b : a));
        rank = el('p', { class: 'ind-card-rank', 'data-testid': 'zone-indicator-spread' },
          `Territoires : de ${fmtValue(lo.value, ind)} (${lo.name}) à ${fmtValue(hi.value, ind)} (${hi.name}).`);
      }
    }

    container.replaceChildren(el('section', { class: 'ind-card', 'data-testid': 'zone-indicator', 'aria-labelledby': 'ind-card-title' },
      el('h3', { class: 'ind-card-title', id: 'ind-card-title' },
        el('span', { text: ind.label }),
        cat ? el('span', { class: 'ind-card-cat', text: cat }) : null),
      big,
      el('p', { class: 'ind-card-unit', text: unit }),
      item.secret ? el('p', { class: 'ind-card-note', text: 'Valeur masquée : elle permettrait de reconnaître un établissement (moins de 3 établissements, ou un seul qui porte plus de 85 % des emplois).' }) : null,
      evolution,
      compare,
      rank,
      resp.demo ? el('p', { class: 'demo-note', text: 'Données de démonstration (fictives)' }) : null));
  }

  // ------------------------------------------------------------------------------ map helpers

  /** Tooltip lines of a zone of the displayed level. */
  function tooltip(level, code) {
    if (!view || view.level !== level) return null;
    const it = view.byCode.get(String(code));
    if (!it) return null;
    const ind = view.resp.indicator;
    const m = measure(it);
    const lines = [];
    if (evolutionMode()) {
      lines.push(`${fmtMeasure(m, ind)}${m.secret ? ` — ${SECRET_LABEL}` : ''} (${view.resp.compare_edition}–${view.resp.edition})`);
      lines.push(`${view.resp.edition} : ${it.secret ? `${SECRET_MARK} — ${SECRET_LABEL}` : fmtValue(it.value, ind)}`);
    } else {
      lines.push(it.secret ? `${SECRET_MARK} — ${SECRET_LABEL}` : `${fmtValue(it.value, ind)}${ind.unit && ind.unit !== '%' && ind.unit !== '€' ? ` ${ind.unit}` : ''}`);
    }
    lines.push(fmtPop(it.population));
    return { lines, secret: m.secret };
  }

  /** Short value shown under a territory's name on the map, or ''. */
  function labelValue(level, code) {
    if (!view || view.level !== level) return '';
    const it = view.byCode.get(String(code));
    return it ? fmtMeasure(measure(it)) : '';
  }

  // ------------------------------------------------------------------------------ lifecycle

  function init() {
    $('ind-bar').hidden = !enabled;
    document.body.classList.toggle('has-indicators', enabled);
    if (!enabled) return;
    buildControls();
    wireLegend();
    validate();
    syncControls();
  }

  /** Once the map's style is loaded. */
  function start() {
    if (!enabled) return;
    st.started = true;
    refresh();
  }

  function onLevelChange() {
    if (!enabled) return;
    refresh();
  }

  function onZoneChange() {
    markRow({ scroll: true });
  }

  store.subscribe(['level'], onLevelChange);
  store.subscribe(['zone'], onZoneChange);

  return {
    enabled,
    init,
    start,
    apply,
    renderCard,
    tooltip,
    labelValue,
    dataFor,
    /** Current choices, for the panel (edition of the profile, default breakdown…). */
    state: () => ({ ...st, evolution: evolutionMode() }),
    indicator,
    categoryLabel: () => (category() ? category().label : ''),
    repaint: paint,
  };
}
