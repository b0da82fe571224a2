// ess-atlas — carte interactive de l'ESS du Pas-de-Calais: the map page's composition.
//
// Plain ES modules, no bundler, no framework. This file loads the page's data, creates the
// two features (organisations: orgs.js; indicators: indicators.js) and the map, and wires
// them together; each concern lives in web/js/map/:
//   context.js    the shared state: the view's store, the loaded data, the live handles
//   mapview.js    the MapLibre map: creation, controls, events, readiness
//   style.js      the map's style (the server's /style.json plus this page's layers)
//   levels.js     the display level and its layers; hover.js the hover and tooltip
//   labels.js     zone names as HTML markers (no glyphs are served)
//   camera.js     fitting zones and the département into the free part of the map
//   panel.js      the selected zone and its side panel
//   legend.js     the territories' legend; banner.js the status and error messages
//   permalink.js  the view's state in the URL hash (url.js formats and parses it)
//   export.js     « Exporter la carte »: the view as a PNG image or an A4 PDF page
// MapLibre GL JS is served by our own server from node_modules (/vendor/maplibre-gl/); its
// worker (maplibre-gl-worker.mjs) is found beside it. The fills are recoloured by the chosen
// indicator (joined client-side by code, never baked into tiles); the colours of families
// and territories come from /api/palettes.

import { api } from './util.js';
import { createOrganisations } from './orgs.js';
import { createIndicators } from './indicators.js';
import { loadPalettes, territoryColour } from './palettes.js';
import { parseZoneId } from './url.js';
import { setupSearch } from './search.js';
import { showStaffLink } from './staff.js';
import { initEmbedButton } from './embed.js';
import { frenchDate, initExportButton } from './map/export.js';
import {
  $, LEVEL_OF_ZONE, current, data, page, store, zoneDisplayName, zoneItem,
} from './map/context.js';
import { setStatus, showError, wireBanner } from './map/banner.js';
import { fitDepartment, syncAttribHeight } from './map/camera.js';
import { hideTooltip, hoverZone } from './map/hover.js';
import { updateLabels } from './map/labels.js';
import { renderLegend } from './map/legend.js';
import { levelMinZoom, setLevel } from './map/levels.js';
import { createMap, wireMap } from './map/mapview.js';
import { clearSelection, onIndicatorView, selectZone } from './map/panel.js';
import { readHash, wirePermalink } from './map/permalink.js';

/** A panel or the table opened or closed: the map takes the room left. */
function layoutChanged() {
  if (!page.map) return;
  page.map.resize();
  updateLabels();
}

function wireUi() {
  for (const btn of document.querySelectorAll('.level-btn')) {
    btn.addEventListener('click', () => setLevel(btn.dataset.level));
  }
  $('panel-close').addEventListener('click', () => clearSelection());
  $('zoom-hint-btn').addEventListener('click', () => {
    if (page.map) page.map.easeTo({ zoom: levelMinZoom(current().level) + 0.5 });
  });
  wireBanner();
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape' || ev.defaultPrevented) return;
    if (page.orgs && page.orgs.hasPopup()) {
      page.orgs.closePopup();
    } else if (!$('panel').hidden) {
      clearSelection();
    }
  });
  wirePermalink();
  showStaffLink($('staff-link'));
  setupSearch({
    input: $('search-input'),
    list: $('search-results'),
    territories: () => [...data.territory.values()],
    epci: () => [...data.epci.values()],
    epciName: (code) => {
      const e = data.epci.get(String(code));
      return e ? zoneDisplayName(e) : '';
    },
    selectZone: (id) => selectZone(id, { focus: true }),
    openOrganisation: (item) => {
      if (page.orgs) page.orgs.show(item);
    },
  });
}

async function boot() {
  wireUi();
  setStatus('Chargement des données…');
  let meta;
  let territories;
  let epci;
  let communes;
  let catalogue;
  try {
    [meta, territories, epci, communes, catalogue, data.style] = await Promise.all([
      api('/api/meta'), api('/api/territories'), api('/api/epci'), api('/api/communes'),
      // Without indicators (no edition imported, older server) the map keeps its plain colours.
      api('/api/indicators/catalogue').catch(() => null),
      api('/style.json'),
      loadPalettes(),
    ]);
  } catch (err) {
    setStatus(null);
    showError(`Les données de la carte n'ont pas pu être chargées. ${err.message || ''}`.trim(), () => window.location.reload());
    return;
  }
  data.meta = meta;
  for (const t of territories.items || []) data.territory.set(String(t.code), t);
  for (const e of epci.items || []) data.epci.set(String(e.code), e);
  for (const c of communes.items || []) data.commune.set(String(c.code), c);
  for (const code of data.territory.keys()) data.colours.set(code, territoryColour(code));

  const dept = meta.department || {};
  $('brand-sub').textContent = dept.name ? `${dept.name} · économie sociale et solidaire` : 'Économie sociale et solidaire';
  document.title = `Atlas de l'ESS — ${dept.name || 'Pas-de-Calais'}`;
  $('demo-badge').hidden = meta.demo !== true;
  if (catalogue && Array.isArray(catalogue.items)) {
    data.catalogueRaw = catalogue;
    for (const i of catalogue.items) data.catalogue.set(i.id, i);
  }
  page.ind = createIndicators(store, {
    meta,
    catalogue,
    map: () => page.map,
    selectZone: (id, opts = {}) => selectZone(id, { fit: 'if-needed', switchLevel: false, ...opts }),
    shortName: (level, code) => {
      const item = data[level] && data[level].get(String(code));
      return item ? zoneDisplayName(item) : '';
    },
    labelPoint: (level, code) => {
      const item = data[level] && data[level].get(String(code));
      return item && Array.isArray(item.label_point) ? item.label_point : null;
    },
    hover: hoverZone,
    onView: () => {
      updateLabels();
      onIndicatorView();
    },
    showError,
    layoutChanged,
  });
  page.ind.init();
  renderLegend();

  page.orgs = createOrganisations(store, {
    meta,
    map: () => page.map,
    zoneName: (id) => {
      const item = zoneItem(id);
      return item ? zoneDisplayName(item) : parseZoneId(id).code;
    },
    clearZone: () => clearSelection({ restoreFocus: false }),
    selectZone: (id) => selectZone(id),
    hideTooltip,
    layoutChanged,
  });
  page.orgs.init();

  const initial = readHash();
  page.orgs.apply(initial.orgs, { initial: true });
  page.ind.apply(initial.ind, { initial: true });
  let level = current().level;
  if (initial.level) level = initial.level;
  if (initial.zone) {
    const z = parseZoneId(initial.zone);
    if (!initial.level && z) level = LEVEL_OF_ZONE[z.level];
  }
  setLevel(level);

  setStatus('Chargement de la carte…');
  try {
    page.map = createMap(initial.view);
  } catch (err) {
    setStatus(null);
    showError("La carte ne peut pas s'afficher : ce navigateur ne prend pas en charge WebGL.");
    console.error(err);
    return;
  }
  window.essAtlas = {
    map: page.map, store, data, selectZone, setLevel, orgs: page.orgs, ind: page.ind,
    /** The view's state (tests read `state.zone`). */
    get state() { return current(); },
  };
  wireMap();
  page.map.once('load', () => {
    syncAttribHeight();
    if (!initial.view && !initial.zone) fitDepartment(false);
    if (initial.zone) {
      selectZone(initial.zone, { fit: !initial.view, switchLevel: !initial.level });
    }
    page.orgs.start();
    page.ind.start();
  });
}

/** The words of « Exporter la carte » for the view on screen (see map/export.js). */
function exportInfo() {
  const dept = (data.meta && data.meta.department) || {};
  const deptName = dept.name || 'Pas-de-Calais';
  const zone = current().zone ? zoneItem(current().zone) : null;
  const where = zone ? zoneDisplayName(zone) : deptName;
  const shown = !$('legend-choro').hidden && page.ind && page.ind.enabled;
  const ind = shown ? page.ind.indicator() : null;
  const orgs = !$('legend-orgs').hidden;
  const what = ind ? $('legend-choro-title').textContent : (orgs ? "Organisations de l'ESS" : "Territoires de l'ESS");
  const edition = page.ind && page.ind.enabled ? page.ind.state().edition : null;
  const sub = ind ? $('legend-choro-sub').textContent : (edition ? `édition ${edition}` : '');
  const sources = [ind && ind.source ? `Source : ${ind.source}` : "Source : registre de l'ESS (SIRENE, INSEE)"];
  if (edition) sources.push(`édition ${edition}`);
  if (data.meta && data.meta.attribution) sources.push(`fonds de carte : ${data.meta.attribution}`);
  const slug = `${ind ? ind.id : (orgs ? 'organisations' : 'territoires')}${zone ? `-${current().zone.replace(':', '-')}` : ''}${edition ? `-${edition}` : ''}`;
  return {
    title: `${what} — ${where}`,
    subtitle: sub,
    source: sources.join(' · '),
    demo: !$('demo-badge').hidden || !$('legend-choro-demo').hidden,
    department: `Département du ${deptName}`,
    date: frenchDate(new Date()),
    slug: slug.replace(/[^A-Za-z0-9_-]+/g, '-'),
  };
}

initEmbedButton();
initExportButton({ map: () => page.map, info: exportInfo });
boot();
