// ess-atlas — one ESS organisation as the page writes it: the popup's content on the map,
// the parts of its record in the list (family line, sector, facts), and the French formats
// of its fields (size band, dates, SIRET). DOM builders only: no state, no map, no API.

import { el } from '../util.js';
import * as palette from '../palettes.js';
import { NAF_SECTIONS } from '../reference.js';

export const OUTSIDE_TOTALS = 'hors totaux comparables INSEE/CRESS';

export function familyLine(fam) {
  return el('p', { class: 'org-pop-family' },
    el('span', { class: 'org-dot', style: `--c:${fam.colour}`, 'aria-hidden': 'true' }),
    fam.one,
    fam.outsideTotals ? el('span', { class: 'org-pop-outside', text: ` · ${OUTSIDE_TOTALS}` }) : null);
}

export function sectorText(o) {
  const label = o.naf_section && NAF_SECTIONS[o.naf_section];
  return [label, o.ess_group && o.ess_group !== label ? o.ess_group : null].filter(Boolean).join(' — ') || 'Non renseigné';
}

/** The popup's content of organisation `o`; `onOpen()` shows its record in the list. */
export function fillPopup(content, o, { onOpen }) {
  const fam = palette.family(o.family);
  add(content,
    fam ? familyLine(fam) : el('p', { class: 'org-pop-family', text: o.family_label || '' }),
    el('h3', { class: 'org-pop-name', text: o.name || o.siret }),
    o.enseigne && o.enseigne !== o.name ? el('p', { class: 'org-pop-sub', text: o.enseigne }) : null,
    el('dl', { class: 'org-pop-facts' },
      fact('Secteur', sectorText(o)),
      fact('Effectif', shortSize(o) || 'Non renseigné'),
      fact('Adresse', o.address || 'Non renseignée'),
      fact('Commune', o.commune ? `${o.commune.name} (${o.commune.code})` : o.code_insee)),
    o.location_approximate ? el('p', { class: 'org-pop-approx', 'data-testid': 'org-popup-approx', text: 'Localisation approximative : point placé dans la commune.' }) : null,
    o.demo ? el('p', { class: 'org-pop-demo', 'data-testid': 'org-popup-demo', text: 'Données de démonstration' }) : null,
    el('button', {
      type: 'button', class: 'btn btn--small org-pop-open', 'data-testid': 'org-popup-open',
      onclick: onOpen,
    }, 'Voir la fiche dans la liste'),
  );
}

export function fact(label, value) {
  return el('div', { class: 'org-fact' }, el('dt', { text: label }), el('dd', { text: value }));
}

export const nfJobs = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** Size band label, shortened for the two non-employer bands (the full label is in the record). */
export function shortSize(o) {
  if (o.size_band === 'NN') return 'Sans salarié';
  if (o.size_band === '00') return '0 salarié au 31/12';
  return o.size_label || '';
}

/** Node.append without the null/false children that conditional parts leave. */
export function add(node, ...kids) {
  node.append(...kids.filter((k) => k !== null && k !== undefined && k !== false));
}

export function frenchDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
  return m ? `${m[3]}/${m[2]}/${m[1]}` : String(iso);
}

export function formatSiret(s) {
  return /^\d{14}$/.test(s) ? `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6, 9)} ${s.slice(9)}` : s;
}

export function svgCross() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M6 6l12 12M18 6 6 18');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '2.4');
  path.setAttribute('stroke-linecap', 'round');
  svg.append(path);
  return svg;
}
