// ess-atlas — the indicator dashboard: its choices (indicator, category, edition, earlier
// edition compared, measure, classes, « Cercles / Aplats », table; the store's `ind` slice),
// their controls in the bar above the map, the /api/indicators answers (cached), and the
// map they are drawn on: a choropleth coloured by classes, or, for a count, proportional
// circles (circles.js); masked zones (secret statistique) hatched. It composes the legend
// (indicators/legend.js), the table of zones (indicators/table.js) and the panel's card
// (indicators/card.js), and gives the map page the tooltip and label values.
//
// Everything comes from /api/indicators/catalogue and /api/indicators. The fill layers of the
// map (built by map/style.js, vector tiles with promoteId 'code') are recoloured with a
// `match` expression on the code; the masked zones get a fill-pattern from a small canvas
// image (no glyphs, no text layer).

import { api, el, fmtInt, fmtPop } from './util.js';
import { expandIndicators } from './compact.js';
import {
  METHODS, NO_DATA, SECRET_FILL, SECRET_LABEL, SECRET_MARK,
  classColours, classIndex, classify, classifyDiverging, fmtEvolution, fmtValue,
} from './classify.js';
import {
  CIRCLE_LAYER, CIRCLE_ZONE_FILL, MAX_RADIUS, circleScale, isStock,
} from './circles.js';
import { sliceOf } from './store.js';
import { renderCard as renderZoneCard } from './indicators/card.js';
import { createLegend } from './indicators/legend.js';
import { createTable } from './indicators/table.js';
import { LEVEL_WORDS } from './indicators/words.js';
import { MODES, SORT_KEYS, ZONE_OF_LEVEL } from './url.js';

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

export const HATCH_IMAGE = 'ess-hatch';
const SOURCE_OF = { territory: 'territories', epci: 'epci', commune: 'communes' };
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
    /** '' (the indicator's default: circles for a count), 'circles' or 'choropleth' */
    rep: '',
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
  /** Circles can show a count's values (not a rate, nor an evolution, which may be negative). */
  const circlesPossible = () => isStock(indicator()) && !evolutionMode();
  /** Whether the map shows proportional circles: a count's default, unless « Aplats » was chosen. */
  const circlesOn = () => circlesPossible() && st.rep !== 'choropleth';

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
    if (!['', 'circles', 'choropleth'].includes(st.rep) || !isStock(indicator())) st.rep = '';
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
    st.rep = h.rep || '';
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
      // Each indicator starts with its own representation (circles for a count).
      st.rep = '';
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
    for (const btn of document.querySelectorAll('#ind-rep [data-rep]')) {
      btn.addEventListener('click', () => {
        // Circles are a count's default: choosing them again leaves the link as it was.
        st.rep = btn.dataset.rep === 'circles' ? '' : btn.dataset.rep;
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
      // The choice is recorded at once, only the redraw waits: a redraw in between (another
      // level, another indicator) must not put the previous text back in the field.
      st.filter = filter.value;
      clearTimeout(timer);
      timer = setTimeout(renderTable, 150);
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
    $('ind-rep').hidden = !circlesPossible();
    for (const btn of document.querySelectorAll('#ind-rep [data-rep]')) {
      btn.setAttribute('aria-pressed', String(btn.dataset.rep === (circlesOn() ? 'circles' : 'choropleth')));
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
    const key = `${url}|${st.mode}|${st.method}|${circlesOn() ? 'circles' : 'choropleth'}`;
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
    // Counts: circles whose area is proportional to the value, scaled on the shown values only.
    const circles = circlesOn() ? circleScale(values, MAX_RADIUS[level] || MAX_RADIUS.commune) : null;
    view = { level, url, key, resp, byCode, classes, colours, diverging, circles, stats: { secret, nodata, total: byCode.size } };
    paint();
    renderLegend();
    renderTable();
    setBusy(false);
    const drawn = circles ? 'en cercles proportionnels' : `en ${classes.length} classe${classes.length > 1 ? 's' : ''}`;
    $('ind-live').textContent = `Carte : ${titleOf(resp)}, ${subtitleOf(resp)}, ${drawn}${secret ? `, ${fmtInt(secret)} zone${secret > 1 ? 's' : ''} sous secret statistique` : ''}.`;
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
    map.setFilter(`${source}-secret`, ['in', ['to-string', ['get', 'code']], ['literal', secret]]);
    if (view.circles) {
      // Circles over pale zones; masked zones keep their hatching and get no circle.
      map.setPaintProperty(`${source}-fill`, 'fill-color', secret.length
        ? ['match', ['to-string', ['get', 'code']], secret, SECRET_FILL, CIRCLE_ZONE_FILL] : CIRCLE_ZONE_FILL);
      paintCircles(map);
      return;
    }
    hideCircles(map);
    const expr = ['match', ['to-string', ['get', 'code']]];
    groups.forEach((codes, i) => {
      if (codes.length) expr.push(codes, view.colours[i]);
    });
    if (secret.length) expr.push(secret, SECRET_FILL);
    expr.push(NO_DATA);
    map.setPaintProperty(`${source}-fill`, 'fill-color', expr.length > 3 ? expr : NO_DATA);
    // Other levels: their colours are stale, but hidden; they are repainted when shown.
  }

  /**
   * The circles of the shown zones: one at each zone's label point, for a shown positive
   * value only (a masked cell has no value here, so no circle and no size).
   */
  function paintCircles(map) {
    const source = map.getSource(CIRCLE_LAYER);
    if (!source) return;
    const features = [];
    for (const [code, it] of view.byCode) {
      const m = measure(it);
      if (m.secret || !Number.isFinite(m.value) || m.value <= 0) continue;
      const at = ctx.labelPoint(view.level, code);
      if (!at) continue;
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: at },
        properties: { code, level: view.level, value: m.value, r: Math.round(view.circles.radius(m.value) * 10) / 10 },
      });
    }
    source.setData({ type: 'FeatureCollection', features });
    map.setLayoutProperty(CIRCLE_LAYER, 'visibility', 'visible');
  }

  function hideCircles(map) {
    if (map.getLayer(CIRCLE_LAYER)) map.setLayoutProperty(CIRCLE_LAYER, 'visibility', 'none');
  }

  // ------------------------------------------------------------------------------ legend

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

  const legend = createLegend({
    st, view: () => view, measure, fmtMeasure, evolutionMode, titleOf, subtitleOf, ctx, changed,
  });
  const renderLegend = () => legend.render();


  // ------------------------------------------------------------------------------ table

  const table = createTable({
    st, view: () => view, measure, fmtMeasure, colourOf, evolutionMode, circlesOn, titleOf, subtitleOf, store, ctx,
  });
  const renderTable = () => table.render();
  const markRow = (opts) => table.markRow(opts);


  // ------------------------------------------------------------------------------ panel card

  /** The « indicateur affiché » card of a zone's panel (indicators/card.js). */
  function renderCard(container, level, code) {
    if (!enabled) {
      container.replaceChildren();
      return Promise.resolve();
    }
    return renderZoneCard(container, level, code, { dataFor, compared: st.compare !== null, shortName: ctx.shortName });
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
    legend.wire();
    validate();
    syncControls();
  }

  /** Once the map's style is loaded. */
  function start() {
    if (!enabled) return;
    st.started = true;
    // The circles grow with the zoom: their legend follows.
    const map = ctx.map();
    if (map) {
      map.on('zoomend', () => {
        if (view && view.circles) legend.renderCircles();
      });
    }
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
