// ess-atlas — the ESS organisations on the map: the clustered points layer and its HTML
// donuts, the filters (edition, families, sector, size, employers, text), the paged list
// kept in step with the map and the selected zone, the popup and the record of one
// organisation, the CSV link. The map style's parts are in orgs/style.js, the clusters'
// donuts in orgs/clusters.js, the writing of one organisation in orgs/record.js.
//
// Over 700 lines on purpose: one feature whose filters, list, layer and popup share the
// store's `orgs` slice and the requests in flight (aborted when the filters change);
// splitting them would put those back into callbacks passed around (issue 15).
//
// Everything comes from the organisations API (/api/organisations, .geojson, .csv). The map
// has no glyphs: cluster counts are HTML markers (a donut of the families with the count in
// the middle) above a plain circle layer that takes the clicks and answers
// queryRenderedFeatures.

import { Popup } from '/vendor/maplibre-gl/maplibre-gl.mjs';
import { api, el, fmtInt } from './util.js';
import * as palette from './palettes.js';
import { sliceOf } from './store.js';
import { parseZoneId } from './url.js';
import { NAF_SECTIONS, SIZE_GROUPS } from './reference.js';
import { EMPTY_FC } from './orgs/style.js';
import { createClusterMarkers } from './orgs/clusters.js';
import {
  OUTSIDE_TOTALS, add, fact, familyLine, fillPopup, formatSiret, frenchDate, nfJobs, sectorText, shortSize, svgCross,
} from './orgs/record.js';
import { declarationsPart, declaredBlock, loadDeclarations } from './orgs/declare.js';


// ---------------------------------------------------------------------------------------------
// Constants (the families and their colours come from the server: palettes.js; NAF sections
// and size groups from reference.js)
// ---------------------------------------------------------------------------------------------


const PER_PAGE = 50;
const FOCUS_ZOOM = 13;
const POINT_LAYERS = ['orgs-clusters', 'orgs-points'];
const ZONE_PARAM = { territory: 'territory', epci: 'epci', commune: 'commune' };
const ZONE_KIND = { territory: 'territoire', epci: 'EPCI', commune: 'commune' };

const organisations = (n) => `${fmtInt(n)} organisation${n > 1 ? 's' : ''}`;

// ---------------------------------------------------------------------------------------------
// The feature
// ---------------------------------------------------------------------------------------------

/**
 * @param {object} store  the view's state (store.js): this feature keeps its filters in the
 *   store's `orgs` slice (the URL is written from the store) and follows its `zone`.
 * @param {object} ctx  hooks into the page: meta; map() → the MapLibre map;
 *   zoneName(id) → the name of a zone; clearZone(); selectZone(id); hideTooltip();
 *   layoutChanged()
 */
export function createOrganisations(store, ctx) {
  const $ = (id) => document.getElementById(id);
  const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

  store.set({
    orgs: {
      on: false,
      edition: null,
      families: [],
      naf: '',
      size: '',
      employer: false,
      q: '',
      page: 1,
      /** SIRET of the organisation whose popup is open. */
      org: null,
    },
  });
  /** The store's `orgs` slice, and this feature's own state beside it. */
  const st = sliceOf(store, 'orgs', {
    collapsed: false,
    started: false,
    /** 'list' or 'detail' (the record of st.org in the panel). */
    view: 'list',
  });
  const meta = ctx.meta || {};
  const editions = Array.isArray(meta.editions) ? [...meta.editions].sort((a, b) => a - b) : null;
  const hasData = editions === null || editions.length > 0;
  const latest = editions && editions.length ? editions[editions.length - 1] : null;
  let editionInfo = new Map();
  let editionNotice = '';

  let listCtl = null;
  let layerCtl = null;
  let listKey = null; // key of the list shown or being fetched
  let layerKey = null; // key of the points shown or being fetched
  let lastList = null;
  let layerCount = null;
  let popup = null;
  let popupToken = 0;
  let qTimer = 0;
  const clusters = createClusterMarkers(() => ctx.map(), () => st.on && hasData);

  // -------------------------------------------------------------------------------- filters

  function zoneFilter() {
    const id = store.get().zone;
    const z = parseZoneId(id);
    if (!z || !ZONE_PARAM[z.level]) return null;
    return { param: ZONE_PARAM[z.level], code: z.code, name: ctx.zoneName(id), level: z.level };
  }

  function filterParams() {
    const p = new URLSearchParams();
    if (st.edition) p.set('edition', String(st.edition));
    const z = zoneFilter();
    if (z) p.set(z.param, z.code);
    if (st.families.length) p.set('family', st.families.join(','));
    if (st.naf) p.set('naf_section', st.naf);
    if (st.size && SIZE_GROUPS[st.size]) p.set('size', SIZE_GROUPS[st.size].codes.join(','));
    if (st.employer) p.set('employer', 'true');
    if (st.q) p.set('q', st.q);
    return p;
  }

  function activeFilterCount() {
    return (st.families.length ? 1 : 0) + (st.naf ? 1 : 0) + (st.size ? 1 : 0) + (st.employer ? 1 : 0) + (st.q ? 1 : 0);
  }

  function validEdition(year) {
    editionNotice = '';
    if (!year) return latest;
    if (editions && !editions.includes(year)) {
      editionNotice = latest
        ? `L'édition ${year} demandée n'est pas disponible : affichage de l'édition ${latest}.`
        : '';
      return latest;
    }
    return year;
  }

  /** Apply a state read from the hash (on load, or when the hash is edited by hand). */
  function apply(h, { initial = false } = {}) {
    if (!h) return;
    st.edition = validEdition(h.edition);
    st.families = h.families;
    st.naf = h.naf;
    st.size = h.size;
    st.employer = h.employer;
    st.q = h.q;
    st.page = h.page;
    const org = h.org;
    syncControls();
    if (h.on !== st.on) setOn(h.on, { open: true });
    if (!st.on || initial || !st.started) {
      st.org = org;
      return;
    }
    refresh();
    if (org && org !== st.org) openOrganisation(org, { fly: false });
    else if (!org && st.org) closePopup();
  }

  // -------------------------------------------------------------------------------- controls

  function buildControls() {
    const chips = $('orgs-families');
    chips.replaceChildren(...palette.familyList().map((f) => el('button', {
      type: 'button', class: 'chip', 'aria-pressed': 'false', 'data-family': f.id, 'data-testid': 'orgs-family',
      title: f.outsideTotals ? `${f.label} : ${OUTSIDE_TOTALS}` : f.label,
      onclick: () => {
        const set = new Set(st.families);
        if (set.has(f.id)) set.delete(f.id);
        else set.add(f.id);
        st.families = palette.familyList().map((x) => x.id).filter((id) => set.has(id));
        filtersChanged();
      },
    },
    el('span', { class: 'chip-dot', style: `--c:${f.colour}`, 'aria-hidden': 'true' }),
    el('span', { text: f.chip || f.label }),
    f.outsideTotals ? el('span', { class: 'chip-mark', 'aria-hidden': 'true', text: '*' }) : null)));

    $('orgs-naf').replaceChildren(
      el('option', { value: '', text: 'Tous les secteurs' }),
      ...Object.entries(NAF_SECTIONS).map(([code, label]) => el('option', { value: code, text: `${code} · ${label}` })),
    );
    $('orgs-size').replaceChildren(
      el('option', { value: '', text: 'Toutes les tailles' }),
      ...Object.entries(SIZE_GROUPS).map(([k, g]) => el('option', { value: k, text: g.label })),
    );
    renderEditionOptions();

    $('orgs-naf').addEventListener('change', (e) => { st.naf = e.target.value; filtersChanged(); });
    $('orgs-size').addEventListener('change', (e) => { st.size = e.target.value; filtersChanged(); });
    $('orgs-employer').addEventListener('change', (e) => { st.employer = e.target.checked; filtersChanged(); });
    $('orgs-edition').addEventListener('change', (e) => {
      st.edition = Number(e.target.value) || latest;
      editionNotice = '';
      filtersChanged();
    });
    const q = $('orgs-q');
    q.addEventListener('input', () => {
      clearTimeout(qTimer);
      qTimer = setTimeout(() => {
        const v = q.value.trim();
        if (v === st.q) return;
        st.q = v;
        filtersChanged();
      }, 320);
    });
    q.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        clearTimeout(qTimer);
        const v = q.value.trim();
        if (v !== st.q) { st.q = v; filtersChanged(); }
      } else if (e.key === 'Escape' && q.value) {
        e.preventDefault();
        e.stopPropagation();
        q.value = '';
        if (st.q) { st.q = ''; filtersChanged(); }
      }
    });
    $('orgs-reset').addEventListener('click', () => {
      Object.assign(st, { families: [], naf: '', size: '', employer: false, q: '' });
      syncControls();
      filtersChanged();
    });
    $('orgs-toggle').addEventListener('click', () => setOn(!st.on, { open: true }));
    $('orgs-collapse').addEventListener('click', () => setCollapsed(true, { focus: true }));
    $('orgs-expand').addEventListener('click', () => setCollapsed(false, { focus: true }));
    $('orgs-close').addEventListener('click', () => setOn(false));
  }

  function renderEditionOptions() {
    const select = $('orgs-edition');
    const years = editions ? [...editions].reverse() : (st.edition ? [st.edition] : []);
    select.replaceChildren(...years.map((y) => {
      const info = editionInfo.get(y);
      const label = info && info.demo ? `${y} (démonstration)` : String(y);
      return el('option', { value: String(y), text: label });
    }));
    if (st.edition) select.value = String(st.edition);
    select.disabled = years.length < 2;
  }

  function syncControls() {
    for (const chip of document.querySelectorAll('#orgs-families .chip')) {
      chip.setAttribute('aria-pressed', String(st.families.includes(chip.dataset.family)));
    }
    $('orgs-naf').value = st.naf;
    $('orgs-size').value = st.size;
    $('orgs-employer').checked = st.employer;
    if (document.activeElement !== $('orgs-q') || !$('orgs-q').value.trim()) $('orgs-q').value = st.q;
    if (st.edition) $('orgs-edition').value = String(st.edition);
    const n = activeFilterCount();
    const active = [];
    if (st.families.length) active.push(st.families.map((f) => palette.family(f).chip).join(', '));
    if (st.naf) active.push(`Secteur ${st.naf}`);
    if (st.size) active.push(SIZE_GROUPS[st.size].label);
    if (st.employer) active.push('Employeurs');
    $('orgs-filters-active').textContent = active.length ? active.join(' · ') : 'Famille, secteur, taille…';
    $('orgs-filters').classList.toggle('has-active', active.length > 0);
    $('orgs-reset').hidden = !n;
    renderZone();
  }

  function renderZone() {
    const box = $('orgs-zone');
    const z = zoneFilter();
    box.hidden = !z;
    if (!z) {
      box.replaceChildren();
      return;
    }
    box.replaceChildren(el('span', { class: 'zone-chip', 'data-testid': 'orgs-zone-chip' },
      el('span', { class: 'zone-chip-kind', text: ZONE_KIND[z.level] }),
      el('span', { class: 'zone-chip-name', text: z.name }),
      el('button', {
        type: 'button', class: 'zone-chip-clear', 'aria-label': `Retirer la zone ${z.name} (revenir à tout le département)`,
        title: 'Tout le département', 'data-testid': 'orgs-zone-clear', onclick: () => ctx.clearZone(),
      }, svgCross())));
  }

  function filtersChanged() {
    // The open record may no longer match: close it with the old query.
    if (st.org) closePopup();
    st.page = 1;
    st.view = 'list';
    syncControls();
    refresh();
  }

  // -------------------------------------------------------------------------------- on / off, panel

  function setOn(on, { open = true } = {}) {
    st.on = on;
    const btn = $('orgs-toggle');
    btn.setAttribute('aria-pressed', String(on));
    document.body.classList.toggle('has-orgs', on);
    if (on && open) st.collapsed = false;
    if (!on) {
      closePopup();
      listCtl?.abort();
      layerCtl?.abort();
    }
    applyPanel();
    applyLayerVisibility();
    renderLegend();
    if (on && st.started) {
      refresh();
      loadEditionInfo();
    }
  }

  function setCollapsed(collapsed, { focus = false } = {}) {
    st.collapsed = collapsed;
    applyPanel();
    if (!focus) return;
    if (collapsed) $('orgs-expand').focus({ preventScroll: true });
    else $('orgs-title').focus({ preventScroll: true });
  }

  function applyPanel() {
    const panel = $('orgs');
    const show = st.on && !st.collapsed;
    const changed = panel.hidden === show;
    panel.hidden = !show;
    $('orgs-expand').hidden = !(st.on && st.collapsed);
    document.body.classList.toggle('has-orgs-panel', show);
    $('orgs-empty').hidden = hasData;
    $('orgs-main').hidden = !hasData;
    $('orgs-edition-box').hidden = !hasData;
    if (changed) ctx.layoutChanged();
  }

  /** Small screens: the zone panel and this one cannot both be open; the zone wins. */
  function makeRoom() {
    if (!st.on || st.collapsed) return;
    const wrap = document.querySelector('.map-wrap');
    if (wrap && (wrap.clientWidth < 300 || wrap.clientHeight < 180)) setCollapsed(true);
  }

  // -------------------------------------------------------------------------------- data

  function refresh() {
    if (!st.on || !st.started || !hasData) return;
    const key = filterParams().toString();
    if (key !== layerKey) loadLayer(key);
    const lk = `${key}|${st.page}`;
    if (lk !== listKey) loadList(key, lk);
    else if (lastList) renderList(lastList);
  }

  async function loadList(key, lk) {
    listCtl?.abort();
    const ctl = new AbortController();
    listCtl = ctl;
    listKey = lk;
    const panel = $('orgs');
    panel.dataset.state = 'loading';
    $('orgs-list').setAttribute('aria-busy', 'true');
    const p = new URLSearchParams(key);
    p.set('page', String(st.page));
    p.set('per_page', String(PER_PAGE));
    try {
      const res = await api(`/api/organisations?${p}`, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      const pages = Math.max(1, Math.ceil(res.total / PER_PAGE));
      if (st.page > pages) {
        // A page past the end (shared link, data changed): show the last one.
        st.page = pages;
        listKey = null;
        refresh();
        return;
      }
      lastList = { ...res, key };
      panel.dataset.key = key;
      renderList(lastList);
      panel.dataset.state = 'ready';
    } catch (err) {
      if (err.name === 'AbortError') return;
      listKey = null;
      lastList = null;
      panel.dataset.state = 'error';
      renderListError(err);
    } finally {
      if (listCtl === ctl) $('orgs-list').removeAttribute('aria-busy');
    }
  }

  async function loadLayer(key) {
    const map = ctx.map();
    if (!map || !map.getSource('orgs')) return;
    layerCtl?.abort();
    const ctl = new AbortController();
    layerCtl = ctl;
    layerKey = key;
    layerCount = null;
    document.body.dataset.orgsLayer = 'loading';
    try {
      const fc = await api(`/api/organisations.geojson?${key}`, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      layerCount = Array.isArray(fc.features) ? fc.features.length : 0;
      map.getSource('orgs').setData(fc);
      clusters.clear();
      if (lastList && lastList.key === key) renderNote(lastList);
      map.once('idle', () => {
        if (layerKey === key) document.body.dataset.orgsLayer = key;
        clusters.update();
      });
    } catch (err) {
      if (err.name === 'AbortError') return;
      layerKey = null;
      layerCount = null;
      document.body.dataset.orgsLayer = 'error';
      map.getSource('orgs').setData(EMPTY_FC);
      clusters.clear();
      renderLayerError(err);
    }
  }

  async function loadEditionInfo() {
    if (editionInfo.size || !hasData) return;
    try {
      const res = await api('/api/editions');
      editionInfo = new Map((res.items || []).map((e) => [e.year, e]));
      renderEditionOptions();
      if (lastList) renderHead(lastList);
    } catch { /* the select keeps plain years */ }
  }

  // -------------------------------------------------------------------------------- list

  function renderHead(res) {
    $('orgs-total').textContent = organisations(res.total);
    $('orgs-total').dataset.total = String(res.total);
    $('orgs-expand-count').textContent = fmtInt(res.total);
    const info = editionInfo.get(res.edition);
    const ctxLine = $('orgs-context');
    ctxLine.textContent = `Édition ${res.edition}`;
    ctxLine.title = info && info.reference_date ? `Établissements actifs au ${frenchDate(info.reference_date)}` : '';
    $('orgs-demo').hidden = res.demo !== true;
    const csv = $('orgs-csv');
    csv.href = `/api/organisations.csv?${res.key}`;
    csv.setAttribute('aria-disabled', String(res.total === 0));
    csv.classList.toggle('is-disabled', res.total === 0);
  }

  function renderNote(res) {
    const notes = [];
    if (editionNotice) notes.push(editionNotice);
    if (layerCount !== null && layerKey === res.key && layerCount < res.total) {
      const missing = res.total - layerCount;
      notes.push(`${fmtInt(missing)} sans position : ${missing > 1 ? 'elles figurent' : 'elle figure'} dans la liste mais pas sur la carte.`);
    }
    const box = $('orgs-note');
    box.textContent = notes.join(' ');
    box.hidden = !notes.length;
  }

  function renderList(res) {
    renderHead(res);
    renderNote(res);
    const list = $('orgs-list');
    const detail = $('orgs-detail');
    const showDetail = st.view === 'detail' && st.org;
    detail.hidden = !showDetail;
    list.hidden = !!showDetail;
    $('orgs-pager').hidden = !!showDetail;
    if (showDetail) return;
    if (!res.items.length) {
      list.replaceChildren(el('li', { class: 'orgs-none', 'data-testid': 'orgs-none' },
        el('p', { text: res.total === 0 && activeFilterCount() === 0 && !zoneFilter()
          ? `Aucune organisation publique dans l'édition ${res.edition}.`
          : 'Aucune organisation ne correspond à ces critères.' }),
        activeFilterCount() ? el('button', { type: 'button', class: 'btn btn--small', text: 'Effacer les filtres', onclick: () => $('orgs-reset').click() }) : null));
    } else {
      list.replaceChildren(...res.items.map((o) => el('li', {}, orgRow(o, res))));
    }
    list.start = (res.page - 1) * res.per_page + 1;
    renderPager(res);
  }

  function orgRow(o, res) {
    const fam = palette.family(o.family);
    const sector = o.naf_section && NAF_SECTIONS[o.naf_section];
    const place = o.commune ? o.commune.name : o.code_insee;
    return el('button', {
      type: 'button', class: 'org-row', 'data-testid': 'org-row', 'data-siret': o.siret,
      'aria-current': o.siret === st.org ? 'true' : null,
      onclick: () => {
        st.view = 'list';
        openOrganisation(o.siret, { item: { ...o, edition: res.edition, demo: res.demo }, fly: true });
      },
    },
    el('span', {
      class: `org-dot${o.location_approximate ? ' org-dot--approx' : ''}`,
      style: `--c:${fam ? fam.colour : palette.unknownFamilyColour()}`,
      'aria-hidden': 'true',
    }),
    el('span', { class: 'org-row-main' },
      el('span', { class: 'org-row-name', text: o.name || o.enseigne || o.siret }),
      o.enseigne && o.enseigne !== o.name ? el('span', { class: 'org-row-sub', text: o.enseigne }) : null,
      el('span', { class: 'org-row-meta', text: [fam ? fam.one : o.family_label, sector].filter(Boolean).join(' · ') }),
      el('span', { class: 'org-row-meta', text: [place, shortSize(o)].filter(Boolean).join(' · ') })));
  }

  function renderPager(res) {
    const pager = $('orgs-pager');
    const pages = Math.max(1, Math.ceil(res.total / res.per_page));
    if (pages <= 1) {
      pager.replaceChildren();
      pager.hidden = true;
      return;
    }
    pager.hidden = false;
    const go = (page) => {
      st.page = page;
      refresh();
      $('orgs-body').scrollTo({ top: $('orgs-results').offsetTop - 8 });
    };
    pager.replaceChildren(
      el('button', {
        type: 'button', class: 'btn btn--small', 'data-testid': 'orgs-prev', disabled: res.page <= 1,
        'aria-label': 'Page précédente', onclick: () => go(res.page - 1),
      }, '‹ Précédente'),
      el('span', { class: 'pager-info', 'data-testid': 'orgs-page', text: `Page ${fmtInt(res.page)} sur ${fmtInt(pages)}` }),
      el('button', {
        type: 'button', class: 'btn btn--small', 'data-testid': 'orgs-next', disabled: res.page >= pages,
        'aria-label': 'Page suivante', onclick: () => go(res.page + 1),
      }, 'Suivante ›'),
    );
  }

  function renderListError(err) {
    $('orgs-total').textContent = 'Liste indisponible';
    delete $('orgs-total').dataset.total;
    $('orgs-context').textContent = '';
    $('orgs-pager').hidden = true;
    $('orgs-detail').hidden = true;
    const list = $('orgs-list');
    list.hidden = false;
    list.replaceChildren(el('li', { class: 'panel-error', role: 'alert' },
      el('p', { text: `La liste des organisations n'a pas pu être chargée. ${err.message || ''}` }),
      el('button', { type: 'button', class: 'btn', text: 'Réessayer', onclick: () => { listKey = null; refresh(); } })));
  }

  function renderLayerError(err) {
    const box = $('orgs-note');
    box.hidden = false;
    box.textContent = `Les points de la carte n'ont pas pu être chargés. ${err.message || ''}`;
  }

  // -------------------------------------------------------------------------------- map layer

  function applyLayerVisibility() {
    const map = ctx.map();
    if (!map || !map.getLayer('orgs-points')) return;
    const vis = st.on && hasData ? 'visible' : 'none';
    for (const id of [...POINT_LAYERS, 'org-focus-ring']) map.setLayoutProperty(id, 'visibility', vis);
    if (vis === 'none') clusters.clear();
    else clusters.update();
  }

  function hitFeatures(point) {
    const map = ctx.map();
    if (!map || !st.on || !hasData || !map.getLayer('orgs-points')) return [];
    const pad = 3;
    return map.queryRenderedFeatures([[point.x - pad, point.y - pad], [point.x + pad, point.y + pad]], { layers: POINT_LAYERS });
  }

  /** Whether a map click at this point belongs to the organisations layer. */
  function hit(point) {
    return hitFeatures(point).length > 0;
  }

  /** Hover text for a point of the layer, or null. */
  function tooltipAt(point) {
    const f = hitFeatures(point)[0];
    if (!f) return null;
    const p = f.properties || {};
    if (p.point_count) return { title: organisations(Number(p.point_count)), sub: 'Touchez pour zoomer' };
    if (p.siret === st.org && popup) return { hide: true };
    const fam = palette.family(p.family);
    return { title: p.name || p.siret, sub: fam ? fam.one : '' };
  }

  function wireMap() {
    const map = ctx.map();
    map.on('click', 'orgs-clusters', async (e) => {
      const f = e.features && e.features[0];
      if (!f) return;
      try {
        const zoom = await map.getSource('orgs').getClusterExpansionZoom(f.properties.cluster_id);
        map.easeTo({ center: f.geometry.coordinates, zoom: Math.min(zoom + 0.2, map.getMaxZoom()), duration: reduceMotion.matches ? 0 : 500 });
      } catch { /* the cluster went away with new data */ }
    });
    map.on('click', 'orgs-points', (e) => {
      const f = e.features && e.features[0];
      if (!f) return;
      openOrganisation(String(f.properties.siret), { lngLat: f.geometry.coordinates, fly: false, name: f.properties.name, family: f.properties.family });
    });
    for (const id of POINT_LAYERS) {
      map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    }
    map.on('render', () => {
      if (st.on && hasData) clusters.schedule();
    });
  }

  // -------------------------------------------------------------------------------- popup and record

  function closePopup() {
    popupToken += 1;
    if (popup) {
      const p = popup;
      popup = null;
      p.remove();
    }
    st.org = null;
    st.view = 'list';
    setFocus(null);
    markRows();
    if (lastList && st.on) renderList(lastList);
  }

  function setFocus(lngLat) {
    const map = ctx.map();
    const src = map && map.getSource('org-focus');
    if (!src) return;
    src.setData(lngLat
      ? { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: lngLat }, properties: {} }] }
      : EMPTY_FC);
  }

  function markRows() {
    for (const row of document.querySelectorAll('#orgs-list .org-row')) {
      if (row.dataset.siret === st.org) row.setAttribute('aria-current', 'true');
      else row.removeAttribute('aria-current');
    }
  }

  /**
   * Open the popup of one organisation. `item` (a list item) avoids a request; otherwise the
   * record is fetched from /api/organisations/{siret}.
   */
  async function openOrganisation(siret, { item = null, lngLat = null, fly = false, name = '', family = '' } = {}) {
    const map = ctx.map();
    if (!map) return;
    const token = ++popupToken;
    if (popup) {
      const p = popup;
      popup = null;
      p.remove();
    }
    st.org = siret;
    markRows();
    ctx.hideTooltip();

    const where = item && Number.isFinite(item.lon) && Number.isFinite(item.lat) ? [item.lon, item.lat] : lngLat;
    const content = el('div', { class: 'org-pop', 'data-testid': 'org-popup', 'data-siret': siret });
    if (item) {
      fillPopup(content, item, { onOpen: () => showDetail(item) });
      addDeclared(content, siret, token);
    } else {
      const fam = palette.family(family);
      add(content,
        fam ? familyLine(fam) : null,
        el('h3', { class: 'org-pop-name', text: name || siret }),
        el('p', { class: 'org-pop-loading', text: 'Chargement de la fiche…' }),
      );
    }
    if (where) showPopup(where, content, fly);

    let record = item;
    if (!record) {
      try {
        const p = new URLSearchParams();
        if (st.edition) p.set('edition', String(st.edition));
        record = await api(`/api/organisations/${encodeURIComponent(siret)}?${p}`);
      } catch (err) {
        if (token !== popupToken) return;
        content.replaceChildren(
          el('h3', { class: 'org-pop-name', text: name || siret }),
          el('p', { class: 'org-pop-error', text: err.status === 404
            ? "Cette organisation ne figure pas dans l'édition affichée."
            : `La fiche n'a pas pu être chargée. ${err.message || ''}` }),
        );
        if (!where) {
          st.org = null;
        }
        return;
      }
      if (token !== popupToken) return;
      content.replaceChildren();
      fillPopup(content, record, { onOpen: () => showDetail(record) });
      addDeclared(content, siret, token);
      if (!where && Number.isFinite(record.lon) && Number.isFinite(record.lat)) {
        showPopup([record.lon, record.lat], content, fly);
      }
    }
    if (token !== popupToken) return;
    st.record = record;
    if (st.view === 'detail') renderDetail(record);
  }

  /** Puts the accepted declaration of `siret` in the popup, above its button. */
  function addDeclared(content, siret, token) {
    loadDeclarations(siret).then((answer) => {
      const block = declaredBlock(answer.items[0], { compact: true });
      if (token !== popupToken || !block) return;
      const button = content.querySelector('.org-pop-open');
      content.insertBefore(block, button);
    }).catch(() => {});
  }

  function showPopup(lngLat, content, fly) {
    const map = ctx.map();
    if (fly) {
      const zoom = Math.max(map.getZoom(), FOCUS_ZOOM);
      // Put the point in the lower part of the map: the popup opens above it, with room
      // for a whole card on a tablet (at 0.2 a card with a declaration ran off the bottom).
      const opts = { center: lngLat, zoom, offset: [0, Math.round(map.getContainer().clientHeight * 0.32)] };
      if (reduceMotion.matches) map.jumpTo(opts);
      else map.flyTo({ ...opts, duration: 900, essential: true });
    }
    setFocus(lngLat);
    const p = new Popup({ closeButton: true, closeOnClick: true, maxWidth: '320px', offset: 12, className: 'org-popup', focusAfterOpen: false })
      .setLngLat(lngLat)
      .setDOMContent(content)
      .addTo(map);
    p.on('close', () => {
      if (popup !== p) return;
      popup = null;
      closePopup();
    });
    popup = p;
    // MapLibre does not pan to show a popup (Leaflet's autoPan): a card opened near the
    // map's edge ran off a tablet's screen. Once laid out (after the flight, if any), the
    // map pans by what overflows.
    const fit = () => {
      if (popup !== p) return;
      const c = map.getContainer().getBoundingClientRect();
      const r = p.getElement().getBoundingClientRect();
      const m = 12;
      const over = (lo, hi, min, max) => (lo < min + m ? lo - min - m : hi > max - m ? Math.min(hi - max + m, lo - min - m) : 0);
      const dx = over(r.left, r.right, c.left, c.right);
      const dy = over(r.top, r.bottom, c.top, c.bottom);
      if (dx || dy) map.panBy([dx, dy], { duration: reduceMotion.matches ? 0 : 300 });
    };
    if (fly) map.once('moveend', () => requestAnimationFrame(fit));
    else requestAnimationFrame(fit);
  }

  function showDetail(o) {
    st.view = 'detail';
    st.record = o;
    if (st.collapsed || $('orgs').hidden) setCollapsed(false);
    renderDetail(o);
    const title = $('orgs-detail-title');
    if (title) {
      title.focus({ preventScroll: true });
      $('orgs-detail').scrollIntoView({ block: 'start', behavior: reduceMotion.matches ? 'auto' : 'smooth' });
    }
  }

  function renderDetail(o) {
    const fam = palette.family(o.family);
    const box = $('orgs-detail');
    const zoneBtn = (z, level) => (z ? el('button', {
      type: 'button', class: 'link-btn', text: z.name,
      onclick: () => ctx.selectZone(`${level}:${z.code}`),
    }) : '—');
    const frDate = (d) => (d ? frenchDate(d) : '—');
    const jobs = Number.isFinite(o.jobs_estimate) ? nfJobs.format(o.jobs_estimate) : '—';
    box.replaceChildren(
      el('button', { type: 'button', class: 'btn btn--ghost btn--back', 'data-testid': 'org-detail-back', onclick: () => { st.view = 'list'; if (lastList) renderList(lastList); } }, '‹ Retour à la liste'),
      el('article', { class: 'org-detail', 'data-testid': 'org-detail', 'data-siret': o.siret },
        fam ? familyLine(fam) : null,
        el('h3', { class: 'org-detail-name', id: 'orgs-detail-title', tabindex: '-1', text: o.name || o.siret }),
        o.enseigne && o.enseigne !== o.name ? el('p', { class: 'org-pop-sub', text: o.enseigne }) : null,
        el('dl', { class: 'org-detail-facts' },
          fact('Secteur', sectorText(o)),
          fact('Activité (NAF)', o.naf || '—'),
          fact("Tranche d'effectifs", o.size_label || 'Non renseignée'),
          fact('Effectif estimé', `${jobs} (milieu de la tranche SIRENE)`),
          fact('Employeur', o.employer ? 'Oui' : 'Non'),
          fact('Établissement', o.siege ? 'Siège' : 'Établissement secondaire'),
          fact('Date de création', frDate(o.creation_date)),
          fact('Adresse', o.address || 'Non renseignée'),
          el('div', { class: 'org-fact' }, el('dt', { text: 'Commune' }), el('dd', {}, zoneBtn(o.commune, 'commune'))),
          el('div', { class: 'org-fact' }, el('dt', { text: 'EPCI' }), el('dd', {}, zoneBtn(o.epci, 'epci'))),
          el('div', { class: 'org-fact' }, el('dt', { text: 'Territoire' }), el('dd', {}, zoneBtn(o.territory, 'territory'))),
          fact('SIRET', formatSiret(o.siret)),
          fact('Catégorie juridique', o.categorie_juridique || '—'),
          o.rna ? fact('RNA', o.rna) : null),
        o.location_approximate ? el('p', { class: 'org-pop-approx', text: 'Localisation approximative : le point est placé dans la commune, pas à l’adresse.' }) : null,
        declarationsPart(o.siret, () => st.view === 'detail' && st.record === o),
        Number.isFinite(o.lon) && Number.isFinite(o.lat)
          ? el('button', {
            type: 'button', class: 'btn btn--small', text: 'Centrer la carte sur cette organisation',
            onclick: () => openOrganisation(o.siret, { item: o, fly: true }),
          })
          : el('p', { class: 'field-note', text: "Pas de position connue : l'organisation n'est pas sur la carte." })),
    );
    box.hidden = false;
    $('orgs-list').hidden = true;
    $('orgs-pager').hidden = true;
  }

  // -------------------------------------------------------------------------------- legend

  function renderLegend() {
    const box = $('legend-orgs');
    if (!box) return;
    box.hidden = !(st.on && hasData);
    if (box.childElementCount) return;
    add(box,
      el('p', { class: 'legend-title', text: "Organisations de l'ESS" }),
      el('ul', { class: 'legend-list legend-families', 'data-testid': 'legend-families' },
        palette.familyList().map((f) => el('li', { class: 'legend-family' },
          el('span', { class: 'org-dot', style: `--c:${f.colour}`, 'aria-hidden': 'true' }),
          el('span', {}, f.label, f.outsideTotals ? el('span', { class: 'legend-note', text: ` (${OUTSIDE_TOTALS})` }) : null)))),
      el('ul', { class: 'legend-list legend-symbols' },
        el('li', { class: 'legend-family' },
          el('span', { class: 'org-dot org-dot--approx', style: '--c:#5a6675', 'aria-hidden': 'true' }),
          el('span', { text: 'Localisation approximative' })),
        el('li', { class: 'legend-family' },
          el('span', { class: 'legend-cluster', 'aria-hidden': 'true', text: '12' }),
          el('span', { text: 'Regroupement : nombre et répartition par famille' }))),
    );
  }

  // -------------------------------------------------------------------------------- lifecycle

  function init() {
    // Big screens show the filters; tablets start with them folded, to leave room for the list.
    $('orgs-filters').open = window.innerHeight >= 900 && window.innerWidth > 1024;
    buildControls();
    syncControls();
    applyPanel();
    renderLegend();
  }

  /** Called once the map style is loaded and the initial zone (if any) is selected. */
  function start() {
    st.started = true;
    wireMap();
    applyLayerVisibility();
    if (st.on) {
      refresh();
      loadEditionInfo();
      if (st.org) {
        const org = st.org;
        st.org = null;
        openOrganisation(org, { fly: false });
      }
    }
  }

  function onZoneChange() {
    renderZone();
    if (!st.started || !st.on) return;
    if (st.org) closePopup();
    st.page = 1;
    st.view = 'list';
    refresh();
    makeRoom();
  }

  st.edition = latest;
  store.subscribe(['zone'], onZoneChange);

  return {
    init,
    start,
    apply,
    hit,
    tooltipAt,
    setOn,
    state: st,
    closePopup,
    hasPopup: () => popup !== null,
    /** Shows the organisations and opens one's card, flying to it (the search box). */
    show: (item) => {
      if (!st.on) setOn(true, { open: false });
      openOrganisation(item.siret, { item, fly: true });
    },
  };
}
