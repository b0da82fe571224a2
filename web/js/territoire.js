// ess-atlas — the public page of a territory (/territoires/{code}): key figures from the
// indicators (never typed into the portrait), then the latest published portrait with its
// decisions, orientations and actions. Drafts never show here, even to staff.

import { api, el, fmtPop } from './util.js';
import { fmtFigure } from './classify.js';
import { renderDecisions, renderPlan, renderSections } from './portrait.js';

const $ = (id) => document.getElementById(id);
const code = decodeURIComponent(window.location.pathname.split('/').filter(Boolean)[1] || '');

async function keyFigures(edition) {
  const box = $('figures');
  const title = el('h2', { id: 'figures-title', text: 'Chiffres clés' });
  try {
    const [catalogue, profile] = await Promise.all([
      api('/api/indicators/catalogue'),
      api(`/api/zones/territory/${encodeURIComponent(code)}/profile?edition=${edition}`),
    ]);
    const byId = new Map((catalogue.items || []).map((i) => [i.id, i]));
    const rows = (profile.key_figures || []).map((f) => el('tr', {},
      el('th', { scope: 'row', text: f.label }),
      el('td', { class: 'num', text: fmtFigure(f.zone, byId.get(f.indicator)) }),
      el('td', { class: 'num', text: fmtFigure(f.department, byId.get(f.indicator)) })));
    box.replaceChildren(...[title,
      el('p', { class: 'muted', text: `Édition ${profile.edition}. « s » : secret statistique.${profile.demo ? ' Données de démonstration (fictives).' : ''}` }),
      el('table', { class: 'kf-simple', 'data-testid': 'page-keyfigures' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Indicateur' }),
          el('th', { scope: 'col', class: 'num', text: 'Territoire' }), el('th', { scope: 'col', class: 'num', text: 'Département' }))),
        el('tbody', {}, rows)),
      profile.source_label ? el('p', { class: 'muted', text: `Source : ${profile.source_label}` }) : null].filter(Boolean));
  } catch (err) {
    box.replaceChildren(title, el('p', { class: 'muted', text: `Aucun chiffre disponible. ${err.message || ''}`.trim() }));
  }
}

async function main() {
  $('map-link').href = `/#level=territories&zone=territory:${encodeURIComponent(code)}`;
  $('fiche-link').href = `/territoires/${encodeURIComponent(code)}/fiche`;
  let territory;
  try {
    territory = await api(`/api/territories/${encodeURIComponent(code)}`);
  } catch (err) {
    $('page-title').textContent = 'Territoire introuvable';
    $('page-sub').textContent = err.message || '';
    $('figures').hidden = true;
    $('portrait').hidden = true;
    return;
  }
  document.title = `${territory.name} — Atlas de l'ESS`;
  $('page-title').textContent = territory.name;
  $('page-sub').textContent = `${fmtPop(territory.population)} · ${(territory.epci || []).length} EPCI`;
  const epciNames = new Map((territory.epci || []).map((e) => [String(e.code), e.short_name || e.name]));

  const [list, editions] = await Promise.all([
    api(`/api/portraits?territory=${encodeURIComponent(code)}&published=true`),
    api('/api/editions').catch(() => ({ items: [] })),
  ]);
  const latest = (list.items || [])[0];
  const years = (editions.items || []).map((e) => e.year).sort((a, b) => b - a);
  const edition = latest ? latest.edition : years[0];
  if (edition) keyFigures(edition);
  else $('figures').replaceChildren(el('h2', { text: 'Chiffres clés' }), el('p', { class: 'muted', text: 'Aucune édition importée.' }));

  const box = $('portrait');
  if (!latest) {
    box.replaceChildren(el('h2', { id: 'portrait-title', text: 'Portrait du territoire' }),
      el('p', { class: 'muted', 'data-testid': 'page-portrait-empty', text: 'Aucun portrait publié pour ce territoire.' }));
    return;
  }
  const p = await api(`/api/portraits/${encodeURIComponent(code)}/${latest.edition}`);
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
