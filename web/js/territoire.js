// ess-atlas — the public page of a territory (/territoires/{code}): its documents, key
// figures and profile from the indicators (never typed into the portrait) and its
// situation map (zonepage.js), then the latest published portrait with its decisions,
// orientations and actions. Drafts never show here, even to staff.

import { api, el, fmtPop } from './util.js';
import { renderDecisions, renderPlan, renderSections } from './portrait.js';
import { renderDownloads, renderFigures, renderMap } from './zonepage.js';

const $ = (id) => document.getElementById(id);
const code = decodeURIComponent(window.location.pathname.split('/').filter(Boolean)[1] || '');

async function main() {
  $('map-link').href = `/#level=territories&zone=territory:${encodeURIComponent(code)}`;
  let territory;
  try {
    territory = await api(`/api/territories/${encodeURIComponent(code)}`);
  } catch (err) {
    $('page-title').textContent = 'Territoire introuvable';
    $('page-sub').textContent = err.message || '';
    for (const id of ['figures', 'map', 'portrait']) $(id).hidden = true;
    return;
  }
  const canonical = String(territory.code);
  $('map-link').href = `/#level=territories&zone=territory:${encodeURIComponent(canonical)}`;
  $('fiche-link').href = `/territoires/${encodeURIComponent(canonical)}/fiche`;
  $('fiche-link').hidden = false;
  document.title = `${territory.name} — Atlas de l'ESS`;
  $('page-title').textContent = territory.name;
  $('page-sub').textContent = `${fmtPop(territory.population)} · ${(territory.epci || []).length} EPCI`;
  const epciNames = new Map((territory.epci || []).map((e) => [String(e.code), e.short_name || e.name]));

  const [list, editions, meta] = await Promise.all([
    api(`/api/portraits?territory=${encodeURIComponent(canonical)}&published=true`),
    api('/api/editions').catch(() => ({ items: [] })),
    api('/api/meta'),
  ]);
  const latest = (list.items || [])[0];
  const years = (editions.items || []).map((e) => e.year).sort((a, b) => b - a);
  const edition = latest ? latest.edition : years[0];
  const zone = { level: 'territory', code: canonical, edition: edition || null, dept: meta.department, name: territory.name };
  renderDownloads($('downloads'), zone);
  if (edition) {
    renderFigures($('figures'), zone);
    renderMap($('map'), zone);
  } else {
    $('figures').replaceChildren(el('h2', { id: 'figures-title', text: 'Chiffres clés' }), el('p', { class: 'muted', text: 'Aucune édition importée.' }));
    $('map').hidden = true;
  }

  const box = $('portrait');
  if (!latest) {
    box.replaceChildren(el('h2', { id: 'portrait-title', text: 'Portrait du territoire' }),
      el('p', { class: 'muted', 'data-testid': 'page-portrait-empty', text: 'Aucun portrait publié pour ce territoire.' }));
    return;
  }
  const p = await api(`/api/portraits/${encodeURIComponent(canonical)}/${latest.edition}`);
  box.replaceChildren(...[
    el('h2', { id: 'portrait-title', text: `Portrait du territoire — édition ${p.edition}` }),
    renderDecisions(p),
    ...renderSections(p, { level: 3 }),
    renderPlan(p, { level: 3, epciName: (s) => epciNames.get(String(s)) || s }),
  ].filter(Boolean));
}

main()
  .catch((err) => {
    $('portrait').replaceChildren(el('p', { class: 'notice notice--error', role: 'alert', text: `Le portrait n'a pas pu être chargé. ${err.message || ''}` }));
  })
  .finally(() => $('page').removeAttribute('aria-busy'));
