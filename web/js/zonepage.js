// ess-atlas — what the public pages of a territory (/territoires/{code}) and of an EPCI
// (/epci/{siren}) share: the zone's documents (downloads.js), its figures and profile
// beside its parent and the département (the map panel's profile.js, the same figures as
// the fiche), and its situation map (the fiche's own SVG map, drawn by the server, so the
// page and the PDF show the same map).

import { api, el } from './util.js';
import { loadPalettes } from './palettes.js';
import { renderProfile } from './profile.js';
import { downloadLinks, ficheUrl } from './downloads.js';

const PARENT = { epci: 'Territoire', commune: 'EPCI' };

/**
 * Fills `box` with the zone's key figures, breakdowns, series and sources for `edition`.
 * @param {HTMLElement} box
 * @param {{level: string, code: string, edition: number, dept: object}} zone  dept: /api/meta's département
 */
export async function renderFigures(box, { level, code, edition, dept }) {
  const title = el('h2', { id: 'figures-title', text: 'Chiffres et profil' });
  try {
    const [catalogue, profile, deptProfile] = await Promise.all([
      api('/api/indicators/catalogue'),
      api(`/api/zones/${level}/${encodeURIComponent(code)}/profile?edition=${edition}`),
      api(`/api/zones/department/${encodeURIComponent(dept.code)}/profile?edition=${edition}`).catch(() => null),
      loadPalettes(),
    ]);
    const parts = renderProfile(profile, {
      catalogue: new Map((catalogue.items || []).map((i) => [i.id, i])),
      catalogueRaw: catalogue,
      indicatorId: 'ess_share_jobs',
      categoryLabel: '',
      deptProfile,
      deptCode: dept.code,
      deptName: dept.name,
      levelWords: { parent: PARENT[level] || '' },
      shortName: (p) => p.short_name || p.name,
    });
    box.replaceChildren(...[title,
      el('p', { class: 'muted', text: `Édition ${profile.edition}. « s » : secret statistique.${profile.demo ? ' Données de démonstration (fictives).' : ''}` }),
      el('div', { class: 'page-profile', 'data-testid': 'page-keyfigures' }, parts.keyFigures),
      el('div', { class: 'page-profile page-profile--grid', 'data-testid': 'page-profile' }, parts.breakdowns, parts.series),
      parts.sources].filter(Boolean));
  } catch (err) {
    box.replaceChildren(title, el('p', { class: 'muted', text: `Aucun chiffre disponible. ${err.message || ''}`.trim() }));
  }
}

/** Fills `box` with the situation map of the zone's fiche (server-drawn SVG and its legend). */
export async function renderMap(box, { level, code, edition }) {
  const title = el('h2', { id: 'map-title', text: 'Situation' });
  try {
    const res = await fetch(ficheUrl(level, code, 'fiche', edition), { headers: { Accept: 'text/html' } });
    if (!res.ok) throw new Error(`erreur ${res.status}`);
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const figure = doc.querySelector('.fiche-map');
    const svg = figure && figure.querySelector('svg');
    if (!svg) throw new Error('carte absente de la fiche');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-labelledby', 'map-title');
    const legend = figure.querySelector('ul, .fiche-legend');
    box.replaceChildren(title, el('div', { class: 'page-map', 'data-testid': 'page-map' }, document.importNode(svg, true)),
      legend ? document.importNode(legend, true) : null);
  } catch (err) {
    box.replaceChildren(title, el('p', { class: 'muted', text: `La carte n'a pas pu être chargée. ${err.message || ''}`.trim() }));
  }
}

/** The zone's documents in the page's header (fiche PDF, XLSX, CSV for `edition`). */
export function renderDownloads(box, { level, code, edition, name }) {
  const links = downloadLinks(level, code, edition, name);
  if (links) box.replaceChildren(links);
  box.hidden = !links;
}
