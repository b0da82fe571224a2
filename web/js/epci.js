// ess-atlas — the public page of an EPCI (/epci/{siren}): its documents, figures and
// profile beside its territory and the département, its situation map (zonepage.js), then
// the published actions of the territories' plans that concern it, with their
// orientation, pilot, partners and budget.

import { api, el, fmtPop } from './util.js';
import { renderAction } from './portrait.js';
import { renderDownloads, renderFigures, renderMap } from './zonepage.js';

const $ = (id) => document.getElementById(id);
const siren = decodeURIComponent(window.location.pathname.split('/').filter(Boolean)[1] || '');

async function main() {
  $('map-link').href = `/#level=epci&zone=epci:${encodeURIComponent(siren)}`;
  let epci;
  try {
    epci = await api(`/api/epci/${encodeURIComponent(siren)}`);
  } catch (err) {
    $('page-title').textContent = 'EPCI introuvable';
    $('page-sub').textContent = err.message || '';
    for (const id of ['actions', 'figures', 'map']) $(id).hidden = true;
    return;
  }
  const code = String(epci.code);
  $('map-link').href = `/#level=epci&zone=epci:${encodeURIComponent(code)}`;
  $('fiche-link').href = `/epci/${encodeURIComponent(code)}/fiche`;
  $('fiche-link').hidden = false;
  document.title = `${epci.short_name || epci.name} — Atlas de l'ESS`;
  $('page-kind').textContent = `EPCI (${epci.kind || ''}) · SIREN ${code}`;
  $('page-title').textContent = epci.name;
  const territory = epci.territory;
  $('page-sub').textContent = [fmtPop(epci.population), territory ? `Territoire : ${territory.name}` : ''].filter(Boolean).join(' · ');
  if (territory) {
    const link = $('territory-link');
    link.href = `/territoires/${encodeURIComponent(territory.code)}`;
    link.textContent = `Portrait du territoire ${territory.name}`;
    link.hidden = false;
  }
  const [meta, editions] = await Promise.all([api('/api/meta'), api('/api/editions').catch(() => ({ items: [] }))]);
  const edition = Math.max(...(editions.items || []).map((e) => e.year));
  const zone = { level: 'epci', code, edition: Number.isFinite(edition) ? edition : null, dept: meta.department, name: epci.short_name || epci.name };
  renderDownloads($('downloads'), zone);
  if (zone.edition) {
    renderFigures($('figures'), zone);
    renderMap($('map'), zone);
  } else {
    $('figures').replaceChildren(el('h2', { id: 'figures-title', text: 'Chiffres clés' }), el('p', { class: 'muted', text: 'Aucune édition importée.' }));
    $('map').hidden = true;
  }
  const list = await api(`/api/actions?epci=${encodeURIComponent(code)}&published=true`);
  const items = list.items || [];
  $('actions').replaceChildren(
    el('h2', { id: 'actions-title', text: "Actions qui concernent l'EPCI" }),
    items.length
      ? el('div', { class: 'action-list' }, items.map((a) => renderAction(a, {
        showOrientation: true,
        headingLevel: 3, // under the section's h2 (axe heading-order)
        epciName: (s) => (String(s) === code ? (epci.short_name || epci.name) : s),
      })))
      : el('p', { class: 'muted', 'data-testid': 'epci-actions-empty', text: 'Aucune action publiée ne concerne cet EPCI.' }));
}

main()
  .catch((err) => {
    $('actions').replaceChildren(el('p', { class: 'notice notice--error', role: 'alert', text: `Les actions n'ont pas pu être chargées. ${err.message || ''}` }));
  })
  .finally(() => $('page').removeAttribute('aria-busy'));
