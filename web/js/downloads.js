// ess-atlas — the documents of a zone: « Fiche PDF », « Texte modifiable (ODT) », « Tableur (XLSX) », « CSV », for the
// zone and edition on screen. Territories and EPCI have fiches (src/api/summaries.rs);
// communes and the département have none, and get no links.

import { el } from './util.js';

const BASE = { territory: 'territoires', epci: 'epci' };

/** Whether a zone of this level has fiches. */
export function hasFiche(level) {
  return level in BASE;
}

/** The URL of a zone's document: `fiche`, `fiche.pdf`, `fiche.odt`, `fiche.xlsx` or `fiche.csv`. */
export function ficheUrl(level, code, file, edition) {
  const q = Number.isInteger(edition) ? `?edition=${edition}` : '';
  return `/${BASE[level]}/${encodeURIComponent(code)}/${file}${q}`;
}

function icon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M12 4v11m0 0-4.5-4.5M12 15l4.5-4.5M5 19h14');
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '2.2');
  path.setAttribute('stroke-linecap', 'round');
  path.setAttribute('stroke-linejoin', 'round');
  svg.append(path);
  return svg;
}

/**
 * The four download links of a zone, or null for a level without fiches.
 * @param {string} level  'territory' | 'epci' | …
 * @param {string} code
 * @param {number|null} edition  the edition on screen (the latest when null)
 * @param {string} name  the zone's name, for the links' accessible names
 */
export function downloadLinks(level, code, edition, name = '') {
  if (!hasFiche(level)) return null;
  const of = name ? ` de ${name}` : '';
  const year = Number.isInteger(edition) ? `, édition ${edition}` : '';
  const link = (file, text, label, attrs) => el('a', {
    class: 'btn btn--small btn--download', href: ficheUrl(level, code, file, edition),
    'aria-label': `${label}${of}${year}`, 'data-testid': `zone-download-${file.split('.').pop()}`, ...attrs,
  }, icon(), el('span', { text }));
  return el('div', { class: 'downloads', 'data-testid': 'zone-downloads', role: 'group', 'aria-label': `Documents${of}` },
    link('fiche.pdf', 'Fiche PDF', 'Fiche PDF', { target: '_blank', rel: 'noopener' }),
    link('fiche.odt', 'Texte modifiable (ODT)', 'Fiche en texte modifiable ODT', { download: '' }),
    link('fiche.xlsx', 'Tableur (XLSX)', 'Tableur XLSX', { download: '' }),
    link('fiche.csv', 'CSV', 'Fichier CSV', { download: '' }));
}
