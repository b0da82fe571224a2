// ess-atlas — the MapLibre map itself: its creation (bounds, zooms, French control labels,
// the overview button, compact attribution on narrow screens, the hatching image) and its
// events: clicks that select zones, moves that redraw labels and the permalink, source
// errors shown in the banner and retried once the server is back, and the first complete
// frame that marks the page ready.

import {
  Map as MapLibreMap,
  NavigationControl,
  ScaleControl,
  AttributionControl,
} from '/vendor/maplibre-gl/maplibre-gl.mjs';
import { SERVER_DOWN, el, escapeHtml } from '../util.js';
import { reportDown } from '../connection.js';
import { CIRCLE_LAYER } from '../circles.js';
import { HATCH_IMAGE, hatchImage } from '../indicators.js';
import {
  LEVELS, NARROW_SCREEN, SOURCE_IDS, current, data, page, zoneId,
} from './context.js';
import { setStatus, showError } from './banner.js';
import { fitDepartment, fitPadding, homeBbox, syncAttribHeight } from './camera.js';
import { circleAt, hideTooltip, wireHover } from './hover.js';
import { updateLabels } from './labels.js';
import { setLevel, updateZoomHint } from './levels.js';
import { selectZone, setSelectedFilters } from './panel.js';
import { writeHash } from './permalink.js';
import { buildStyle } from './style.js';

const MAP_LOCALE = {
  'AttributionControl.ToggleAttribution': 'Afficher ou masquer les sources',
  'Map.Title': 'Carte',
  'Marker.Title': 'Repère',
  'NavigationControl.ResetBearing': "Réorienter la carte vers le nord",
  'NavigationControl.ZoomIn': 'Zoom avant',
  'NavigationControl.ZoomOut': 'Zoom arrière',
  'ScaleControl.Meters': 'm',
  'ScaleControl.Kilometers': 'km',
  'CooperativeGesturesHandler.WindowsHelpText': 'Utilisez Ctrl + molette pour zoomer',
  'CooperativeGesturesHandler.MacHelpText': 'Utilisez ⌘ + molette pour zoomer',
  'CooperativeGesturesHandler.MobileHelpText': 'Utilisez deux doigts pour déplacer la carte',
  'Popup.Close': 'Fermer la fiche',
};

class OverviewControl {
  onAdd() {
    this._container = el('div', { class: 'maplibregl-ctrl maplibregl-ctrl-group' },
      el('button', {
        type: 'button', class: 'overview-btn', title: "Vue d'ensemble du département",
        'aria-label': "Vue d'ensemble du département", 'data-testid': 'overview',
        onclick: () => fitDepartment(),
      }, svgHome()));
    return this._container;
  }

  onRemove() {
    this._container.remove();
  }
}

function svgHome() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M4 4h6v2H6v4H4zM20 4v6h-2V6h-4V4zM4 20v-6h2v4h4v2zM20 20h-6v-2h4v-4h2z');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

export function createMap(view) {
  const dept = data.meta.department;
  const [minX, minY, maxX, maxY] = dept.bbox;
  // Generous margins: a short, wide map (table open) must still fit the whole département.
  // Clamped to the world: a national geography spans the overseas départements too.
  const dx = (maxX - minX) * 2;
  const dy = (maxY - minY) * 1.2;
  const bounds = [
    [Math.max(-170, minX - dx), Math.max(-75, minY - dy)],
    [Math.min(170, maxX + dx), Math.min(75, maxY + dy)],
  ];
  // Zoom 6 shows a whole département; a wider geography may be seen whole, one zoom out.
  const container = document.getElementById('map');
  const width = Math.max(320, (container && container.clientWidth) || 1024);
  const fitZoom = Math.log2((360 / Math.max(1e-6, maxX - minX)) * (width / 512));
  const minZoom = Math.max(0, Math.min(6, Math.floor(fitZoom) - 1));
  const options = {
    container: 'map',
    style: buildStyle(),
    attributionControl: false,
    maplibreLogo: false,
    locale: MAP_LOCALE,
    maxBounds: bounds,
    minZoom,
    maxZoom: 15,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    renderWorldCopies: false,
    fadeDuration: 0,
  };
  if (view) {
    options.center = view.center;
    options.zoom = view.zoom;
  } else {
    const home = homeBbox();
    options.bounds = [[home[0], home[1]], [home[2], home[3]]];
    options.fitBoundsOptions = { padding: fitPadding() };
  }
  const m = new MapLibreMap(options);
  // The hatching of the masked zones: a small canvas image (no sprite is served).
  m.setMissingStyleImageResolver((id) => {
    if (id === HATCH_IMAGE && !m.hasImage(HATCH_IMAGE)) m.addImage(HATCH_IMAGE, hatchImage(), { pixelRatio: 2 });
  });
  m.touchZoomRotate.disableRotation();
  m.keyboard.disableRotation();
  m.addControl(new NavigationControl({ showCompass: false }), 'top-left');
  m.addControl(new OverviewControl(), 'top-left');
  const attribution = data.meta.attribution ? escapeHtml(data.meta.attribution) : '';
  // On a tablet or phone the sources fold behind an « i » (130 px of a phone's 430 before).
  const compact = window.matchMedia(NARROW_SCREEN).matches;
  m.addControl(new AttributionControl({ compact, customAttribution: attribution || undefined }), 'bottom-right');
  if (compact) {
    // MapLibre opens a compact attribution until the first drag: start it folded.
    m.once('load', () => {
      const attrib = m.getContainer().querySelector('.maplibregl-ctrl-attrib');
      if (attrib) attrib.classList.remove('maplibregl-compact-show');
      if (attrib && attrib.hasAttribute('open')) attrib.removeAttribute('open');
      syncAttribHeight();
    });
  }
  // Added after the attribution, so MapLibre stacks it just above.
  m.addControl(new ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-right');
  return m;
}

export function wireMap() {
  wireHover();
  for (const s of SOURCE_IDS) {
    page.map.on('click', `${s}-fill`, (e) => {
      const f = e.features && e.features[0];
      if (!f) return;
      // A click on an organisation point or cluster is theirs, not the zone's; on a circle, its zone's.
      if (page.orgs && page.orgs.hit(e.point)) return;
      if (circleAt(e.point)) return;
      const code = String(f.id ?? f.properties.code);
      const id = zoneId(LEVELS[s].zone, code);
      if (id === current().zone) return;
      hideTooltip();
      selectZone(id, { fit: 'if-needed', switchLevel: false });
    });
  }
  page.map.on('click', CIRCLE_LAYER, (e) => {
    if (page.orgs && page.orgs.hit(e.point)) return;
    const f = circleAt(e.point);
    if (!f) return;
    const id = zoneId(f.properties.level, String(f.properties.code));
    if (id === current().zone) return;
    hideTooltip();
    selectZone(id, { fit: 'if-needed', switchLevel: false });
  });
  page.map.on('moveend', () => {
    updateLabels();
    writeHash();
  });
  page.map.on('zoomend', () => {
    updateLabels();
    updateZoomHint();
  });
  page.map.on('resize', () => {
    syncAttribHeight();
    hideTooltip();
    updateLabels();
  });
  const failedSources = new Set();
  page.map.on('error', (e) => {
    const err = e && e.error;
    if (e && e.sourceId) {
      failedSources.add(e.sourceId);
      const names = { territories: 'territoires', epci: 'EPCI', communes: 'communes' };
      setStatus(null);
      // No answer at all (server restarting): clear the banner once it answers again.
      const noAnswer = !(err && Number.isInteger(err.status));
      if (noAnswer) reportDown();
      const { sourceId } = e;
      // Once the server is back, the layer's tiles are asked again (the page is kept).
      const reloadSource = () => {
        failedSources.delete(sourceId);
        const source = page.map.getSource(sourceId);
        // setUrl/setTiles with the same value makes MapLibre ask every tile again.
        if (source && source.url && typeof source.setUrl === 'function') source.setUrl(source.url);
        else if (source && source.tiles && typeof source.setTiles === 'function') source.setTiles(source.tiles);
        else window.location.reload();
      };
      showError(`Impossible de charger la couche des ${names[sourceId] || sourceId}.${noAnswer ? ` ${SERVER_DOWN}` : ''}`,
        noAnswer ? reloadSource : () => window.location.reload(), { connection: noAnswer });
    } else {
      console.error(err || e);
    }
  });

  page.map.on('sourcedata', (e) => {
    if (e.sourceId === current().level && e.sourceDataType === 'metadata') updateZoomHint();
  });
  page.map.on('load', () => {
    setLevel(current().level);
    if (current().zone) setSelectedFilters(current().zone);
    updateLabels();
  });

  const checkReady = () => {
    if (page.ready) return;
    if (!page.map.isStyleLoaded() || failedSources.size) return;
    const loaded = SOURCE_IDS.every((s) => page.map.getSource(s) && page.map.isSourceLoaded(s));
    if (!loaded) return;
    page.ready = true;
    page.map.off('idle', checkReady);
    setStatus(null);
    updateLabels();
    document.body.dataset.mapReady = '1';
    writeHash();
  };
  page.map.on('idle', checkReady);
}
