// ess-atlas — « Exporter la carte »: the view on screen as a PNG image or as an A4 landscape
// PDF page (issue 19), composed in the browser on a canvas: a title (indicator, zone,
// edition), the map as drawn (MapLibre's canvas copied right after a repaint, so the map
// needs no costly `preserveDrawingBuffer`; the zone names, which are HTML markers, drawn
// over it), the legend as shown, the source and edition, the export date in French, a scale
// bar from the map's metres per pixel, a north arrow, and « Données de démonstration » when
// the page says so. The PDF puts that image on a page with jsPDF (npm, served from
// /vendor/jspdf/ and loaded on first use only). frenchDate, metresPerPixel, scaleBar, conicParts,
// contrast and lineSwatch are pure (tested under node by web/test/export.test.mjs);
// initExportButton is the one entry.

import { el } from '../util.js';

/** MapLibre's tiles are 512 px wide: the Earth's circumference over 512 × 2^zoom at the equator. */
const EARTH_CIRCUMFERENCE = 40075016.686;

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
  'septembre', 'octobre', 'novembre', 'décembre'];

/** « 5 décembre 2026 », « 1er mars 2027 » (local date). */
export function frenchDate(d) {
  const day = d.getDate();
  return `${day === 1 ? '1er' : day} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

/** Ground metres per CSS pixel at latitude `lat` (degrees) and MapLibre zoom `zoom`. */
export function metresPerPixel(lat, zoom) {
  return (EARTH_CIRCUMFERENCE * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** zoom);
}

/**
 * The longest round distance (1, 2 or 5 × 10^n metres) drawn in at most `maxPx` pixels at
 * `mpp` metres per pixel: { metres, px, label } (« 500 m », « 20 km »).
 */
export function scaleBar(mpp, maxPx) {
  const maxMetres = mpp * maxPx;
  const pow = 10 ** Math.floor(Math.log10(maxMetres));
  const step = [5, 2, 1].find((s) => s * pow <= maxMetres) || 1;
  const metres = step * pow;
  const label = metres >= 1000 ? `${String(metres / 1000).replace('.', ',')} km` : `${metres} m`;
  return { metres, px: metres / mpp, label };
}

/** [r, g, b] of '#rrggbb', 'rgb(r, g, b)' or 'rgba(r, g, b, a)'; null otherwise. */
function rgbOf(colour) {
  const c = String(colour || '').trim();
  const hex = /^#([0-9a-f]{6})$/i.exec(c);
  if (hex) return [0, 2, 4].map((i) => parseInt(hex[1].slice(i, i + 2), 16));
  const fn = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/i.exec(c);
  return fn ? fn.slice(1, 4).map(Number) : null;
}

/** WCAG contrast ratio of two colours (1 to 21); 1 when one cannot be read. */
export function contrast(a, b) {
  const lum = (rgb) => {
    const [r, g, bl] = rgb.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [rgbOf(a), rgbOf(b)];
  if (!x || !y) return 1;
  const [hi, lo] = [lum(x), lum(y)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
}

/** Least contrast of a legend's line with what is around it: WCAG's 3:1 for graphics. */
export const LINE_CONTRAST = 3;

/**
 * How the exported legend draws a boundary line: over `fill` (a zone's colour, as the line
 * is seen on the map), in its own colour `line`, with a dark casing when the line alone
 * would not stand out (a white EPCI border over a pale legend swatch was invisible on
 * paper): { fill, line, casing } (casing null when not needed).
 */
export function lineSwatch(line, fill) {
  const casing = contrast(line, fill) < LINE_CONTRAST ? INK : null;
  return { fill, line, casing };
}

const INK = '#1d2733';
const MUTED = '#5b6673';
const FONT = 'system-ui, "DejaVu Sans", sans-serif';
const LEGEND_W = 250;
const PAD = 16;
const HEADER_H = 62;

/**
 * A zone's colour as the map shows it, for the legend's line swatches: the middle class of
 * the indicator's legend, else a territory's colour, else a neutral mid-tone.
 */
function zoneFill() {
  const swatches = [...document.querySelectorAll('#legend-classes li .swatch, #legend-list li .swatch')]
    .filter((n) => !n.classList.contains('swatch--secret') && !n.closest('[hidden]'));
  const bg = swatches.length ? getComputedStyle(swatches[Math.floor(swatches.length / 2)]).backgroundColor : '';
  return rgbOf(bg) && !/rgba\(.*,\s*0\)$/.test(bg) ? bg : '#9fb0c2';
}

const visible = (node) => !!node && !node.closest('[hidden]') && getComputedStyle(node).display !== 'none';
const text = (node) => (node ? node.textContent.replace(/\s+/g, ' ').trim() : '');

/** `s` cut into lines no wider than `width` with the context's font. */
function wrap(g, s, width) {
  const lines = [];
  let line = '';
  for (const word of String(s).split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && g.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The masked cells' hatching on a swatch (as in the map: grey stripes on a pale fill). */
function hatch(g, x, y, w, h) {
  g.save();
  g.beginPath();
  g.rect(x, y, w, h);
  g.clip();
  g.fillStyle = '#e9edf1';
  g.fillRect(x, y, w, h);
  g.strokeStyle = '#5d6978';
  g.lineWidth = 1.3;
  for (let i = -h; i < w + h; i += 5) {
    g.beginPath();
    g.moveTo(x + i, y + h);
    g.lineTo(x + i + h, y);
    g.stroke();
  }
  g.restore();
}

/**
 * Draws the legend as shown on the page into `g` (CSS pixel units) from `x`, `y`, `width`
 * wide; returns the height used.
 */
function drawLegend(g, x, y, width) {
  let cy = y;
  const para = (s, { font = `13px ${FONT}`, colour = INK, gap = 4 } = {}) => {
    if (!s) return;
    g.font = font;
    g.fillStyle = colour;
    for (const line of wrap(g, s, width)) {
      cy += 15;
      g.fillText(line, x, cy);
    }
    cy += gap;
  };
  const row = (li) => {
    const swatch = li.querySelector('.swatch, .legend-line, [class*="swatch"], [aria-hidden="true"]');
    const own = (n) => n.classList && (n.classList.contains('legend-count') || n.classList.contains('legend-dept-mark'));
    const label = [...li.childNodes].filter((n) => n !== swatch && !own(n))
      .map((n) => n.textContent).join('').replace(/\s+/g, ' ').trim();
    const count = text(li.querySelector('.legend-count'));
    g.font = `12.5px ${FONT}`;
    const lines = wrap(g, label, width - 34 - (count ? 40 : 0));
    const h = Math.max(18, lines.length * 15 + 3);
    if (swatch) {
      const style = getComputedStyle(swatch);
      if (swatch.classList.contains('org-dot')) {
        // An organisation's dot (hollow when its location is approximate).
        const colour = style.getPropertyValue('--c').trim() || INK;
        g.beginPath();
        g.arc(x + 12, cy + 9, 5.5, 0, 2 * Math.PI);
        g.fillStyle = colour;
        g.globalAlpha = swatch.classList.contains('org-dot--approx') ? 0.3 : 1;
        g.fill();
        g.globalAlpha = 1;
        g.strokeStyle = swatch.classList.contains('org-dot--approx') ? colour : '#ffffff';
        g.lineWidth = 1.2;
        g.stroke();
      } else if (swatch.classList.contains('legend-cluster')) {
        const colours = [...document.querySelectorAll('#legend-orgs .legend-families .org-dot')]
          .map((d) => getComputedStyle(d).getPropertyValue('--c').trim()).filter(Boolean);
        donut(g, x + 12, cy + 9, 9, colours.map((c, i) => [c, i / colours.length, (i + 1) / colours.length]), text(swatch), 9);
      } else if (swatch.classList.contains('swatch--secret')) {
        hatch(g, x, cy + 2, 24, 14);
      } else if (swatch.classList.contains('legend-line')) {
        // The line over a zone's colour, thick enough to be seen on paper, cased when pale.
        const s = lineSwatch(getComputedStyle(swatch, '::after').backgroundColor || INK, zoneFill());
        const thick = swatch.classList.contains('legend-line--territory') ? 3.5
          : swatch.classList.contains('legend-line--commune') ? 1.5 : 2.5;
        const mid = cy + 9;
        g.fillStyle = s.fill;
        g.fillRect(x, cy + 2, 24, 14);
        if (s.casing) {
          g.fillStyle = s.casing;
          g.fillRect(x, mid - thick / 2 - 1, 24, thick + 2);
        }
        g.fillStyle = s.line;
        g.fillRect(x, mid - thick / 2, 24, thick);
      } else {
        g.fillStyle = style.backgroundColor && style.backgroundColor !== 'rgba(0, 0, 0, 0)' ? style.backgroundColor : style.borderTopColor;
        g.fillRect(x, cy + 2, 24, 14);
      }
      if (!swatch.classList.contains('org-dot') && !swatch.classList.contains('legend-cluster')) {
        g.strokeStyle = 'rgba(0,0,0,0.25)';
        g.lineWidth = 0.5;
        g.strokeRect(x, cy + 2, 24, 14);
      }
    }
    g.fillStyle = INK;
    g.font = `12.5px ${FONT}`;
    lines.forEach((line, i) => g.fillText(line, x + 32, cy + 14 + i * 15));
    if (count) {
      g.fillStyle = MUTED;
      g.textAlign = 'right';
      g.fillText(count, x + width, cy + 14);
      g.textAlign = 'left';
    }
    cy += h + 2;
  };
  const choro = document.getElementById('legend-choro');
  if (visible(choro)) {
    para(text(document.getElementById('legend-choro-title')), { font: `bold 14px ${FONT}` });
    para(text(document.getElementById('legend-choro-sub')), { colour: MUTED });
    para(text(document.getElementById('legend-choro-unit')), { colour: MUTED });
    const circles = document.getElementById('legend-circles');
    const svg = circles && circles.querySelector('svg');
    if (visible(circles) && svg) {
      para(text(circles.querySelector('.legend-circles-note')), { font: `12px ${FONT}`, colour: MUTED });
      const h = Number(svg.getAttribute('height')) || 60;
      for (const c of svg.querySelectorAll('circle')) {
        const s = getComputedStyle(c);
        g.beginPath();
        g.arc(x + Number(c.getAttribute('cx')), cy + Number(c.getAttribute('cy')), Number(c.getAttribute('r')), 0, 2 * Math.PI);
        g.fillStyle = s.fill && s.fill !== 'none' ? s.fill : 'rgba(0,0,0,0)';
        g.globalAlpha = Number(s.fillOpacity) || 1;
        g.fill();
        g.globalAlpha = 1;
        g.strokeStyle = s.stroke && s.stroke !== 'none' ? s.stroke : INK;
        g.lineWidth = 1;
        g.stroke();
      }
      g.strokeStyle = MUTED;
      for (const p of svg.querySelectorAll('polyline')) {
        const pts = p.getAttribute('points').split(' ').map((xy) => xy.split(',').map(Number));
        g.beginPath();
        pts.forEach(([px, py], i) => (i ? g.lineTo(x + px, cy + py) : g.moveTo(x + px, cy + py)));
        g.stroke();
      }
      g.font = `12px ${FONT}`;
      g.fillStyle = INK;
      for (const t of svg.querySelectorAll('text')) g.fillText(t.textContent, x + Number(t.getAttribute('x')), cy + Number(t.getAttribute('y')));
      cy += h + 6;
    }
    for (const li of document.querySelectorAll('#legend-classes li')) row(li);
    const dept = document.getElementById('legend-choro-dept');
    if (visible(dept)) para(text(dept.lastElementChild), { font: `12px ${FONT}`, colour: MUTED });
  }
  const orgs = document.getElementById('legend-orgs');
  if (visible(orgs)) {
    para(text(orgs.querySelector('.legend-title')), { font: `bold 14px ${FONT}` });
    for (const li of orgs.querySelectorAll('li')) if (visible(li)) row(li);
  }
  const territories = document.getElementById('legend-territories');
  if (visible(territories)) {
    para(text(document.getElementById('legend-title')), { font: `bold 14px ${FONT}` });
    for (const li of document.querySelectorAll('#legend-list li')) row(li);
  }
  cy += 6;
  for (const li of document.querySelectorAll('.legend-lines li')) if (visible(li)) row(li);
  return cy - y;
}

/**
 * A cluster of organisations as the page draws it: a ring of the families' shares
 * (`parts`: [colour, from, to] in turns, from the top, clockwise), white inside, its count.
 */
function donut(g, cx, cy, r, parts, count, fontPx) {
  const top = -Math.PI / 2;
  if (!parts.length) parts.push(['#1d3f66', 0, 1]);
  for (const [colour, from, to] of parts) {
    g.beginPath();
    g.moveTo(cx, cy);
    g.arc(cx, cy, r, top + 2 * Math.PI * from, top + 2 * Math.PI * to);
    g.closePath();
    g.fillStyle = colour;
    g.fill();
  }
  g.beginPath();
  g.arc(cx, cy, Math.max(2, r - Math.max(4, r * 0.3)), 0, 2 * Math.PI);
  g.fillStyle = '#ffffff';
  g.fill();
  if (count) {
    g.font = `bold ${fontPx}px ${FONT}`;
    g.fillStyle = INK;
    g.textAlign = 'center';
    g.fillText(count, cx, cy + fontPx * 0.36);
    g.textAlign = 'left';
  }
}

/**
 * The coloured parts of a CSS conic-gradient, as written or as the browser serialises
 * it (`#c 0% 60%` or `rgb(…) 0%, rgb(…) 60%`): [colour, from, to] in turns.
 */
export function conicParts(css) {
  const stops = [];
  for (const m of css.matchAll(/(#[0-9a-fA-F]{3,8}|rgba?\([^)]*\))\s+([\d.]+)%(?:\s+([\d.]+)%)?/g)) {
    stops.push([m[1], Number(m[2]) / 100]);
    if (m[3] !== undefined) stops.push([m[1], Number(m[3]) / 100]);
  }
  const parts = [];
  for (let i = 1; i < stops.length; i += 1) {
    if (stops[i][0] === stops[i - 1][0] && stops[i][1] > stops[i - 1][1]) parts.push([stops[i][0], stops[i - 1][1], stops[i][1]]);
  }
  return parts;
}

/** The organisations' clusters (HTML markers: a conic-gradient ring and a count). */
function drawClusters(g, container) {
  const box = container.getBoundingClientRect();
  for (const cluster of container.querySelectorAll('.org-cluster')) {
    const r = cluster.getBoundingClientRect();
    if (r.right < box.left || r.left > box.right || r.bottom < box.top || r.top > box.bottom) continue;
    const parts = conicParts(cluster.style.background || cluster.getAttribute('style') || '');
    const count = cluster.querySelector('.org-cluster-count');
    donut(g, r.left - box.left + r.width / 2, r.top - box.top + r.height / 2, r.width / 2, parts,
      text(count), count ? parseFloat(getComputedStyle(count).fontSize) || 11.5 : 11.5);
  }
}

/** The zone names (HTML markers) drawn over the map at their place, with a white halo. */
function drawLabels(g, container) {
  const box = container.getBoundingClientRect();
  for (const label of container.querySelectorAll('.zone-label')) {
    const r = label.getBoundingClientRect();
    if (r.right < box.left || r.left > box.right || r.bottom < box.top || r.top > box.bottom) continue;
    const s = getComputedStyle(label);
    g.font = `${s.fontWeight} ${s.fontSize} ${FONT}`;
    g.textAlign = 'center';
    g.lineJoin = 'round';
    const cx = r.left - box.left + r.width / 2;
    const lines = [text(label)];
    if (label.dataset.value) lines.push(label.dataset.value);
    const lineH = parseFloat(s.fontSize) * 1.2;
    let cy = r.top - box.top + r.height / 2 - ((lines.length - 1) * lineH) / 2 + parseFloat(s.fontSize) * 0.35;
    for (const line of lines) {
      g.strokeStyle = 'rgba(255,255,255,0.92)';
      g.lineWidth = 3.5;
      g.strokeText(line, cx, cy);
      g.fillStyle = s.color || INK;
      g.fillText(line, cx, cy);
      cy += lineH;
    }
    g.textAlign = 'left';
  }
}

function drawScaleAndNorth(g, map, w, h) {
  const { lat } = map.getCenter();
  const bar = scaleBar(metresPerPixel(lat, map.getZoom()), 110);
  const x = 14;
  const y = h - 14;
  g.font = `12px ${FONT}`;
  g.fillStyle = 'rgba(255,255,255,0.9)';
  g.fillRect(x - 8, y - 14, bar.px + 16 + g.measureText(bar.label).width + 8, 24);
  g.fillStyle = INK;
  g.fillRect(x, y, bar.px, 3);
  g.fillRect(x, y - 6, 1.5, 9);
  g.fillRect(x + bar.px - 1.5, y - 6, 1.5, 9);
  g.fillText(bar.label, x + bar.px + 8, y + 4);
  // North arrow, top right (the map is never rotated).
  const nx = w - 26;
  const ny = 14;
  g.fillStyle = 'rgba(255,255,255,0.85)';
  g.beginPath();
  g.arc(nx, ny + 20, 19, 0, 2 * Math.PI);
  g.fill();
  g.fillStyle = INK;
  g.beginPath();
  g.moveTo(nx, ny + 4);
  g.lineTo(nx + 8, ny + 30);
  g.lineTo(nx, ny + 24);
  g.lineTo(nx - 8, ny + 30);
  g.closePath();
  g.fill();
  g.font = `bold 11px ${FONT}`;
  g.textAlign = 'center';
  g.fillText('N', nx, ny + 40 > h ? ny : ny + 2);
  g.textAlign = 'left';
}

/**
 * MapLibre's canvas right after a repaint (the drawing buffer is valid in that frame), drawn
 * at `ratio` device pixels per CSS pixel for the time of the capture.
 */
async function captureMap(map, ratio) {
  const before = map.getPixelRatio();
  if (ratio !== before) map.setPixelRatio(ratio);
  try {
    return await repaintAndCopy(map);
  } finally {
    if (ratio !== before) map.setPixelRatio(null);
  }
}

function repaintAndCopy(map) {
  return new Promise((resolve) => {
    map.once('render', () => {
      const src = map.getCanvas();
      const copy = document.createElement('canvas');
      copy.width = src.width;
      copy.height = src.height;
      copy.getContext('2d').drawImage(src, 0, 0);
      resolve(copy);
    });
    map.triggerRepaint();
  });
}

/** Device pixels per CSS pixel of an export: at least 2, for print. */
export const exportScale = (devicePixelRatio) => Math.max(2, devicePixelRatio || 1);

/**
 * The export's canvas for the view on screen: `info` is { title, subtitle, source, demo,
 * department, date } (the page's words). Drawn at exportScale() device pixels per CSS pixel.
 */
export async function composeExport(map, info) {
  const container = map.getContainer();
  const mapW = container.clientWidth;
  const mapH = container.clientHeight;
  const shot = await captureMap(map, exportScale(window.devicePixelRatio));
  const scale = shot.width / mapW;
  // The legend first, on a scratch canvas, to know its height.
  const scratch = document.createElement('canvas');
  scratch.width = Math.ceil(LEGEND_W * scale);
  scratch.height = Math.ceil(2400 * scale);
  const sg = scratch.getContext('2d');
  sg.scale(scale, scale);
  sg.textBaseline = 'alphabetic';
  const legendH = Math.ceil(drawLegend(sg, 0, 0, LEGEND_W - PAD));

  const W = PAD + mapW + PAD + LEGEND_W;
  sg.font = `12px ${FONT}`;
  const footerLines = [info.source, `${info.department} · Atlas de l'ESS · carte exportée le ${info.date}`]
    .flatMap((line) => wrap(sg, line, W - 2 * PAD));
  const footerH = 16 + footerLines.length * 16 + (info.demo ? 16 : 0);
  const H = HEADER_H + Math.max(mapH, legendH) + footerH;
  const out = document.createElement('canvas');
  out.width = Math.round(W * scale);
  out.height = Math.round(H * scale);
  const g = out.getContext('2d');
  g.scale(scale, scale);
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, W, H);
  g.fillStyle = INK;
  g.font = `bold 20px ${FONT}`;
  g.fillText(wrap(g, info.title, W - 2 * PAD)[0] || '', PAD, 28);
  g.font = `14px ${FONT}`;
  g.fillStyle = MUTED;
  g.fillText(info.subtitle, PAD, 50);

  g.save();
  g.translate(PAD, HEADER_H);
  g.drawImage(shot, 0, 0, mapW, mapH);
  drawClusters(g, container);
  drawLabels(g, container);
  drawScaleAndNorth(g, map, mapW, mapH);
  g.strokeStyle = '#c5ccd4';
  g.lineWidth = 1;
  g.strokeRect(0, 0, mapW, mapH);
  g.restore();
  g.drawImage(scratch, 0, 0, scratch.width, legendH * scale, PAD + mapW + PAD, HEADER_H, LEGEND_W, legendH);

  let fy = HEADER_H + Math.max(mapH, legendH) + 18;
  g.font = `12px ${FONT}`;
  for (const line of footerLines) {
    g.fillStyle = MUTED;
    g.fillText(line, PAD, fy);
    fy += 16;
  }
  if (info.demo) {
    g.font = `bold 12px ${FONT}`;
    g.fillStyle = '#a8431b';
    g.fillText('Données de démonstration : chiffres fictifs, à ne pas diffuser.', PAD, fy);
  }
  return out;
}

let jspdfLoading = null;
/** jsPDF's browser build, loaded once on the first PDF export. */
function loadJsPdf() {
  if (window.jspdf) return Promise.resolve(window.jspdf);
  if (!jspdfLoading) {
    jspdfLoading = new Promise((resolve, reject) => {
      const script = el('script', { src: '/vendor/jspdf/jspdf.umd.min.js' });
      script.addEventListener('load', () => resolve(window.jspdf));
      script.addEventListener('error', () => {
        jspdfLoading = null;
        reject(new Error("Le module PDF n'a pas pu être chargé."));
      });
      document.head.append(script);
    });
  }
  return jspdfLoading;
}

/** The canvas on one A4 landscape page (5 mm margins), as a PDF Blob. */
async function toPdf(canvas, info) {
  const { jsPDF } = await loadJsPdf();
  const doc = new jsPDF({ orientation: 'landscape', unit: 'mm', format: 'a4', compress: true });
  doc.setProperties({ title: info.title, subject: info.subtitle, creator: "Atlas de l'ESS", author: info.department });
  const pageW = 297;
  const pageH = 210;
  const margin = 8;
  const k = Math.min((pageW - 2 * margin) / canvas.width, (pageH - 2 * margin) / canvas.height);
  const w = canvas.width * k;
  const h = canvas.height * k;
  doc.addImage(canvas.toDataURL('image/jpeg', 0.95), 'JPEG', (pageW - w) / 2, (pageH - h) / 2, w, h);
  return doc.output('blob');
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name, hidden: '' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Adds « Exporter la carte » beside « Intégrer cette carte »: `ctx` gives { map(), info() }
 * (info: the export's words, see composeExport).
 */
export function initExportButton(ctx) {
  const bar = document.getElementById('ind-bar');
  if (!bar || document.getElementById('export-open')) return;
  const status = el('p', { class: 'export-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'export-status' });
  const run = async (kind) => {
    const map = ctx.map();
    if (!map) return;
    status.textContent = 'Préparation de la carte…';
    try {
      const info = ctx.info();
      const canvas = await composeExport(map, info);
      const base = `carte-ess-${info.slug}-${new Date().toISOString().slice(0, 10)}`;
      if (kind === 'png') {
        const blob = await new Promise((resolve) => { canvas.toBlob(resolve, 'image/png'); });
        download(blob, `${base}.png`);
      } else {
        download(await toPdf(canvas, info), `${base}.pdf`);
      }
      status.textContent = kind === 'png' ? 'Image PNG enregistrée.' : 'Document PDF enregistré.';
    } catch (err) {
      console.error(err);
      status.textContent = `L'export a échoué. ${err.message || ''}`.trim();
    }
  };
  const close = el('button', { type: 'button', class: 'btn btn--ghost', text: 'Fermer' });
  const dialog = el('dialog', { id: 'export-dialog', class: 'embed-dialog', 'aria-labelledby': 'export-dialog-title', 'data-testid': 'export-dialog' },
    el('h2', { id: 'export-dialog-title', text: 'Exporter la carte' }),
    el('p', { text: 'La vue affichée, avec son titre, sa légende, sa source, son échelle et la date du jour.' }),
    el('p', {},
      el('button', { type: 'button', class: 'btn btn--primary', 'data-testid': 'export-png', text: 'Image PNG', onclick: () => run('png') }),
      ' ',
      el('button', { type: 'button', class: 'btn btn--primary', 'data-testid': 'export-pdf', text: 'Document PDF (A4 paysage)', onclick: () => run('pdf') })),
    status,
    el('p', {}, close));
  close.addEventListener('click', () => dialog.close());
  document.body.append(dialog);
  const button = el('button', {
    type: 'button', id: 'export-open', class: 'ind-table-toggle', 'data-testid': 'export-open',
    title: 'La carte affichée en image PNG ou en PDF, avec sa légende',
    onclick: () => {
      status.textContent = '';
      dialog.showModal();
    },
  }, el('span', { text: 'Exporter la carte' }));
  bar.append(button);
}
