// ess-atlas — the selected zone and its side panel: selecting a zone (outline on the map,
// level, view, store's `zone`), and the panel's contents: header, documents to download,
// the indicator card, the zone's profile (key figures, breakdowns, series, sources), its
// published portrait or actions, its figures, parents and children. Closing the panel clears
// the selection and gives the focus back.

import {
  api, el, fmtArea, fmtInt, fmtPop, nfPct, plural,
} from '../util.js';
import { renderProfile } from '../profile.js';
import { parseZoneId } from '../url.js';
import { renderAction, renderDecisions, renderPlan, renderSections } from '../portrait.js';
import { downloadLinks } from '../downloads.js';
import {
  $, LEVELS, LEVEL_OF_ZONE, SOURCE_IDS, current, data, page, store, zoneDisplayName, zoneId, zoneItem,
} from './context.js';
import { hideZoneNotFound, showError } from './banner.js';
import { ensureVisible, fitTo } from './camera.js';
import { setLevel } from './levels.js';

const EPCI_KINDS = {
  CA: "Communauté d'agglomération",
  CC: 'Communauté de communes',
  CU: 'Communauté urbaine',
  ME: 'Métropole',
  MET: 'Métropole',
};
/** A map narrower than this (px) folds the legend when a panel opens. */
const NARROW_MAP = 900;
const CHILDREN_PREVIEW = 12;

let selectToken = 0;
let lastFocusBeforePanel = null;

export function setSelectedFilters(id) {
  if (!page.map || !page.map.getLayer('territories-selected')) return;
  const z = parseZoneId(id);
  const none = ['==', ['to-string', ['get', 'code']], '\u0000'];
  for (const s of SOURCE_IDS) {
    const match = z && z.level !== 'department' && LEVELS[s].zone === z.level
      ? ['==', ['to-string', ['get', 'code']], String(z.code)]
      : none;
    page.map.setFilter(`${s}-selected`, match);
    page.map.setFilter(`${s}-selected-casing`, match);
  }
}

function loadDetail(id) {
  if (data.details.has(id)) return data.details.get(id);
  const z = parseZoneId(id);
  let p;
  if (z.level === 'department') {
    p = Promise.resolve({
      ...data.meta.department,
      level: 'department',
      territories: [...data.territory.values()].map((t) => ({ code: t.code, name: t.name, population: t.population })),
      parents: [],
    });
  } else {
    const path = { territory: 'territories', epci: 'epci', commune: 'communes' }[z.level];
    p = api(`/api/${path}/${encodeURIComponent(z.code)}`);
  }
  p = p.catch((err) => {
    data.details.delete(id);
    throw err;
  });
  data.details.set(id, p);
  return p;
}

/**
 * Select a zone: outline it, switch the level, fit the view, open its panel.
 * @param {string} id  zone id ("territory:ARR", "epci:200033579", "commune:62041", "department:62")
 */
export async function selectZone(id, { fit = true, switchLevel = true, focus = false } = {}) {
  const item = zoneItem(id);
  if (!item) {
    showError('Zone introuvable : le lien utilisé ne correspond à aucune zone connue.');
    return;
  }
  hideZoneNotFound();
  const z = parseZoneId(id);
  document.body.dataset.zone = id;
  if (switchLevel) setLevel(LEVEL_OF_ZONE[z.level]);
  setSelectedFilters(id);
  openPanel(item, z.level);
  // The features follow the zone (store subscribers) once the panel has taken its room.
  store.set({ zone: id });
  if (fit === 'if-needed') ensureVisible(item.bbox);
  else if (fit) fitTo(item.bbox, { maxZoom: z.level === 'commune' ? 11.5 : 11 });
  if (focus) $('zone-name').focus({ preventScroll: true });

  const token = ++selectToken;
  const body = $('panel-body');
  body.setAttribute('aria-busy', 'true');
  const slots = {
    downloads: el('div', { class: 'panel-slot', id: 'zone-downloads-slot' }),
    card: el('div', { class: 'panel-slot', id: 'zone-card-slot' }),
    profile: el('div', { class: 'panel-slot', id: 'zone-profile-slot' }),
    portrait: el('div', { class: 'panel-slot', id: 'zone-portrait-slot' }),
    sources: el('div', { class: 'panel-slot', id: 'zone-sources-slot' }),
    figures: el('div', { class: 'panel-slot', id: 'zone-figures-slot' }, renderFigures(item, z.level)),
    links: el('div', { class: 'panel-slot', id: 'zone-links-slot' }, el('p', { class: 'panel-loading', text: 'Chargement de la fiche…' })),
  };
  body.replaceChildren(...Object.values(slots));
  renderDownloads();
  panelShown = { id, edition: null, indicator: null };
  if (page.ind && page.ind.enabled) {
    $('zone-figures-slot').prepend(el('h3', { class: 'panel-section-title', text: 'Population et superficie' }));
    page.ind.renderCard(slots.card, z.level, z.code);
    refreshProfile();
  }
  loadPortrait(id);
  try {
    const detail = await loadDetail(id);
    if (token !== selectToken) return;
    renderPanel(detail, z.level);
  } catch (err) {
    if (token !== selectToken) return;
    slots.links.replaceChildren(
      el('div', { class: 'panel-error', role: 'alert' },
        el('p', { text: `Impossible de charger la fiche détaillée. ${err.message || ''}` }),
        el('button', { type: 'button', class: 'btn', onclick: () => selectZone(id, { fit: false }), text: 'Réessayer' })),
    );
  } finally {
    if (token === selectToken) body.removeAttribute('aria-busy');
  }
}

function epciShortName(siren) {
  const e = data.epci.get(String(siren));
  return (e && (e.short_name || e.name)) || siren;
}

/**
 * The published portrait of a territory (its latest edition: qualitative sections,
 * decisions, orientations and actions), or the published actions that concern an EPCI.
 * The figures are the profile's, above: a portrait never retypes them.
 */
async function loadPortrait(id) {
  const slot = $('zone-portrait-slot');
  const z = parseZoneId(id);
  if (!slot || !z || (z.level !== 'territory' && z.level !== 'epci')) return;
  const code = encodeURIComponent(z.code);
  try {
    if (z.level === 'territory') {
      const list = await api(`/api/portraits?territory=${code}&published=true`);
      if (current().zone !== id) return;
      const latest = (list.items || [])[0];
      const link = el('a', { class: 'btn btn--ghost btn--small', href: `/territoires/${code}`, 'data-testid': 'zone-portrait-link', text: 'Page du territoire' });
      if (!latest) {
        slot.replaceChildren(el('section', { class: 'panel-section', 'data-testid': 'zone-portrait' },
          el('h3', { class: 'panel-section-title', text: 'Portrait du territoire' }),
          el('p', { class: 'panel-note', 'data-testid': 'zone-portrait-empty', text: 'Aucun portrait publié pour ce territoire.' }), link));
        return;
      }
      const p = await api(`/api/portraits/${code}/${latest.edition}`);
      if (current().zone !== id) return;
      slot.replaceChildren(el('section', { class: 'panel-section portrait', 'data-testid': 'zone-portrait' },
        el('h3', { class: 'panel-section-title' }, 'Portrait du territoire', el('span', { class: 'count', text: `${p.edition}` })),
        renderDecisions(p),
        renderSections(p, { level: 4 }),
        renderPlan(p, { level: 4, epciName: epciShortName }),
        link));
    } else {
      const list = await api(`/api/actions?epci=${code}&published=true`);
      if (current().zone !== id) return;
      const items = list.items || [];
      slot.replaceChildren(el('section', { class: 'panel-section', 'data-testid': 'zone-actions' },
        el('h3', { class: 'panel-section-title' }, 'Actions qui concernent cet EPCI', el('span', { class: 'count', text: fmtInt(items.length) })),
        items.length
          ? el('div', { class: 'action-list' }, items.map((a) => renderAction(a, { epciName: epciShortName, showOrientation: true })))
          : el('p', { class: 'panel-note', text: 'Aucune action publiée ne concerne cet EPCI.' }),
        el('a', { class: 'btn btn--ghost btn--small', href: `/epci/${code}`, text: "Page de l'EPCI" })));
    }
  } catch (err) {
    if (current().zone !== id) return;
    slot.replaceChildren(el('div', { class: 'panel-error', role: 'alert' },
      el('p', { text: `Le portrait n'a pas pu être chargé. ${err.message || ''}`.trim() })));
  }
}

/** What the panel's profile shows: zone, edition and indicator it was drawn for. */
let panelShown = { id: null, edition: null, indicator: null };

function loadProfile(zoneLevel, code, edition) {
  const key = `${zoneLevel}:${code}@${edition}`;
  if (data.profiles.has(key)) return data.profiles.get(key);
  const p = api(`/api/zones/${zoneLevel}/${encodeURIComponent(code)}/profile?edition=${edition}`).catch((err) => {
    data.profiles.delete(key);
    throw err;
  });
  data.profiles.set(key, p);
  return p;
}

/** (Re)draw the profile sections of the selected zone for the dashboard's edition and indicator. */
export async function refreshProfile() {
  if (!page.ind || !page.ind.enabled || !current().zone) return;
  const slot = $('zone-profile-slot');
  if (!slot) return;
  const id = current().zone;
  const z = parseZoneId(id);
  const { edition, indicator } = page.ind.state();
  if (panelShown.id === id && panelShown.edition === edition && panelShown.indicator === indicator) return;
  panelShown = { id, edition, indicator };
  if (!slot.childElementCount) slot.append(el('p', { class: 'panel-loading', text: 'Chargement des chiffres clés…' }));
  slot.setAttribute('aria-busy', 'true');
  const dept = data.meta.department;
  try {
    const [profile, deptProfile] = await Promise.all([
      loadProfile(z.level, z.code, edition),
      z.level === 'department' ? Promise.resolve(null) : loadProfile('department', dept.code, edition).catch(() => null),
    ]);
    if (current().zone !== id || panelShown.edition !== edition || panelShown.indicator !== indicator) return;
    const parts = renderProfile(profile, {
      catalogue: data.catalogue,
      catalogueRaw: data.catalogueRaw,
      indicatorId: indicator,
      categoryLabel: page.ind.categoryLabel(),
      deptProfile,
      deptCode: dept.code,
      deptName: dept.name,
      levelWords: { parent: { epci: 'Territoire', commune: 'EPCI' }[z.level] || '' },
      shortName: (p) => {
        const known = data.epci.get(String(p.code));
        return (known && known.short_name) || p.name;
      },
    });
    slot.replaceChildren(...[parts.keyFigures, parts.breakdowns, parts.series].filter(Boolean));
    const sources = $('zone-sources-slot');
    if (sources) sources.replaceChildren(parts.sources);
  } catch (err) {
    if (current().zone !== id) return;
    panelShown.edition = null;
    slot.replaceChildren(el('div', { class: 'panel-error', role: 'alert' },
      el('p', { text: `Les chiffres de la zone n'ont pas pu être chargés. ${err.message || ''}`.trim() }),
      el('button', { type: 'button', class: 'btn', onclick: () => refreshProfile(), text: 'Réessayer' })));
  } finally {
    if (current().zone === id) slot.removeAttribute('aria-busy');
  }
}

/** The selected zone's documents (fiche PDF, XLSX, CSV) for the edition on screen. */
function renderDownloads() {
  const slot = $('zone-downloads-slot');
  const z = parseZoneId(current().zone);
  if (!slot || !z) return;
  const item = zoneItem(current().zone);
  const links = downloadLinks(z.level, z.code, page.ind && page.ind.enabled ? page.ind.state().edition : null, item ? zoneDisplayName(item) : '');
  slot.replaceChildren(...(links ? [links] : []));
}

/** The dashboard's choices changed: redraw what the open panel shows of them. */
export function onIndicatorView() {
  if (!current().zone || $('panel').hidden) return;
  renderDownloads();
  const z = parseZoneId(current().zone);
  const card = $('zone-card-slot');
  if (card) page.ind.renderCard(card, z.level, z.code);
  refreshProfile();
}


export function clearSelection({ restoreFocus = true } = {}) {
  selectToken += 1;
  delete document.body.dataset.zone;
  setSelectedFilters(null);
  closePanel(restoreFocus);
  panelShown = { id: null, edition: null, indicator: null };
  store.set({ zone: null });
}

function kindLine(item, level) {
  switch (level) {
    case 'department': return 'Département';
    case 'territory': return 'Territoire';
    case 'epci': {
      const k = item.kind ? ` · ${EPCI_KINDS[item.kind] || item.kind} (${item.kind})` : '';
      return `EPCI${k}`;
    }
    case 'commune': return 'Commune';
    default: return '';
  }
}

function subtitleLine(item, level) {
  switch (level) {
    case 'department': return `Code ${item.code}`;
    case 'territory': {
      const parts = [];
      if (Number.isFinite(item.epci_count)) parts.push(plural(item.epci_count, 'EPCI', 'EPCI'));
      if (Number.isFinite(item.commune_count)) parts.push(plural(item.commune_count, 'commune', 'communes'));
      return parts.join(' · ');
    }
    case 'epci': {
      const parts = [];
      if (item.short_name && item.short_name !== item.name) parts.push(item.short_name);
      parts.push(`SIREN ${item.code}`);
      return parts.join(' · ');
    }
    case 'commune': return `Code INSEE ${item.code}`;
    default: return '';
  }
}

function openPanel(item, level) {
  const panel = $('panel');
  const wasHidden = panel.hidden;
  if (wasHidden) lastFocusBeforePanel = document.activeElement;
  panel.hidden = false;
  panel.dataset.level = level;
  document.body.classList.add('has-panel');
  $('zone-kind').textContent = kindLine(item, level);
  $('zone-name').textContent = item.name;
  $('zone-subtitle').textContent = subtitleLine(item, level);
  panel.scrollTop = 0;
  $('panel-body').scrollTop = 0;
  if (wasHidden && page.map) {
    page.map.resize();
    // The panel takes the room: on a narrow map, fold the legend (it can be reopened).
    // (a tablet's map beside the panel is ~660 px: the open legend would hide the zone).
    if (page.map.getContainer().clientWidth < NARROW_MAP) $('legend').open = false;
  }
}

function closePanel(restoreFocus = true) {
  const panel = $('panel');
  if (panel.hidden) return;
  const hadFocus = panel.contains(document.activeElement);
  panel.hidden = true;
  document.body.classList.remove('has-panel');
  if (page.map) page.map.resize();
  if (restoreFocus && hadFocus) {
    const target = lastFocusBeforePanel && document.contains(lastFocusBeforePanel) ? lastFocusBeforePanel : page.map && page.map.getCanvas();
    if (target && target.focus) target.focus({ preventScroll: true });
  }
}

function figure(label, value, note) {
  return el('div', { class: 'figure' },
    el('dt', { text: label }),
    el('dd', {}, el('span', { class: 'figure-value', text: value }), note ? el('span', { class: 'figure-note', text: note }) : null));
}

function renderFigures(item, level) {
  const deptPop = data.meta && data.meta.department.population;
  const density = Number.isFinite(item.population) && item.area_km2 > 0 ? item.population / item.area_km2 : NaN;
  const share = level !== 'department' && deptPop && Number.isFinite(item.population) ? item.population / deptPop : NaN;
  return el('dl', { class: 'figures', 'data-testid': 'zone-figures' },
    figure('Population', fmtInt(item.population), 'habitants'),
    figure('Superficie', fmtArea(item.area_km2)),
    figure('Densité', Number.isFinite(density) ? fmtInt(Math.round(density)) : '—', 'hab./km²'),
    level === 'department'
      ? figure('Communes', fmtInt(data.meta.counts ? data.meta.counts.communes : data.commune.size), `${fmtInt(data.territory.size)} territoires · ${fmtInt(data.epci.size)} EPCI`)
      : figure('Part du département', Number.isFinite(share) ? nfPct.format(share) : '—', 'de la population'),
  );
}

const PARENT_LEVEL_LABEL = { department: 'Département', territory: 'Territoire', epci: 'EPCI', commune: 'Commune' };

function zoneButton(level, entry, { showPop = true, tag = null } = {}) {
  const id = zoneId(level, entry.code);
  const known = zoneItem(id);
  // EPCI: the short name ("CU d'Arras") reads better in lists than the legal one.
  const name = (level === 'epci' && known && known.short_name) || entry.name || (known && zoneDisplayName(known)) || entry.code;
  const pop = Number.isFinite(entry.population) ? entry.population : known && known.population;
  return el('button', {
    type: 'button',
    class: 'zone-link',
    'data-testid': 'zone-link',
    'data-zone': id,
    onclick: () => selectZone(id, { focus: true }),
  },
  tag ? el('span', { class: 'zone-link-tag', text: tag }) : null,
  el('span', { class: 'zone-link-name', text: name }),
  showPop && Number.isFinite(pop) ? el('span', { class: 'zone-link-pop', text: fmtPop(pop) }) : null);
}

function childList(title, level, entries, testid) {
  const sorted = [...entries].sort((a, b) => (b.population || 0) - (a.population || 0) || String(a.name).localeCompare(String(b.name), 'fr'));
  const list = el('ul', { class: 'zone-list', 'data-testid': testid });
  const section = el('section', { class: 'panel-section' },
    el('h3', { class: 'panel-section-title' }, title, el('span', { class: 'count', text: fmtInt(sorted.length) })),
    list);
  const render = (all) => {
    const shown = all ? sorted : sorted.slice(0, CHILDREN_PREVIEW);
    list.replaceChildren(...shown.map((e) => el('li', {}, zoneButton(level, e))));
  };
  render(sorted.length <= CHILDREN_PREVIEW + 3);
  if (sorted.length > CHILDREN_PREVIEW + 3) {
    const more = el('button', {
      type: 'button', class: 'btn btn--ghost', 'aria-expanded': 'false',
      text: `Afficher les ${fmtInt(sorted.length)} ${level === 'commune' ? 'communes' : 'zones'}`,
    });
    more.addEventListener('click', () => {
      const expanded = more.getAttribute('aria-expanded') === 'true';
      render(!expanded);
      more.setAttribute('aria-expanded', String(!expanded));
      more.textContent = expanded
        ? `Afficher les ${fmtInt(sorted.length)} ${level === 'commune' ? 'communes' : 'zones'}`
        : `Afficher seulement les ${CHILDREN_PREVIEW} plus peuplées`;
    });
    section.append(more);
  }
  return section;
}

function renderPanel(detail, level) {
  const item = { ...zoneItem(zoneId(level, detail.code)), ...detail };
  // Refresh the header with the detailed record (names may be more complete).
  $('zone-kind').textContent = kindLine(item, level);
  $('zone-name').textContent = item.name;
  $('zone-subtitle').textContent = subtitleLine(item, level);

  const figuresSlot = $('zone-figures-slot');
  if (figuresSlot) {
    const old = figuresSlot.querySelector('[data-testid="zone-figures"]');
    if (old) old.replaceWith(renderFigures(item, level));
  }
  const parts = [];

  const parents = Array.isArray(detail.parents) ? detail.parents : [];
  if (parents.length) {
    const order = ['department', 'territory', 'epci'];
    const sorted = [...parents].sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
    parts.push(el('nav', { class: 'panel-section', 'aria-label': 'Zones de rattachement' },
      el('h3', { class: 'panel-section-title', text: 'Rattachement' }),
      el('ol', { class: 'parents', 'data-testid': 'zone-parents' },
        sorted.map((p) => el('li', {}, zoneButton(p.level, p, { showPop: false, tag: PARENT_LEVEL_LABEL[p.level] || p.level }))))));
  }

  if (level === 'department') {
    parts.push(childList('Territoires', 'territory', detail.territories || [], 'zone-children-territories'));
  }
  if (level === 'territory') {
    if (Array.isArray(detail.epci)) parts.push(childList('EPCI du territoire', 'epci', detail.epci, 'zone-children-epci'));
    if (Array.isArray(detail.communes)) parts.push(childList('Communes', 'commune', detail.communes, 'zone-children-communes'));
  }
  if (level === 'epci' && Array.isArray(detail.communes)) {
    parts.push(childList('Communes membres', 'commune', detail.communes, 'zone-children-communes'));
  }
  const links = $('zone-links-slot');
  if (links) links.replaceChildren(...parts);
}
