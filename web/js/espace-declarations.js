// ess-atlas — the organisations' declarations in the staff space (/espace), beside the
// consultations: what ESS organisations declared about themselves from their card on
// the map, for the referent of the territory they are in or a chargé de mission to
// accept (shown on the card « déclaré par la structure »), decline with a reason, or
// mark as spam. The server decides who may; this section only lists what it answers.

import { api, el, sendJson } from './util.js';
import { markdownBlock } from './portrait.js';

const STATUSES = [['en_attente', 'En attente'], ['acceptee', 'Acceptées'], ['refusee', 'Refusées'], ['spam', 'Indésirables'], ['a_confirmer', 'À confirmer (courriel non suivi)']];

let session = null;

const send = (method, path, body) => sendJson(method, path, body, session.csrf);

function facts(d) {
  const rows = [
    ['Site internet', d.website],
    ['Agrément ESUS', d.esus ? 'Oui' : ''],
    ['Labels', d.labels.join(' · ')],
    ['Réseaux', d.networks.join(' · ')],
    ['Activités', d.activities.join(' · ')],
  ].filter(([, v]) => v);
  return el('dl', { class: 'org-declared-facts' }, rows.map(([k, v]) => el('div', { class: 'org-fact' }, el('dt', { text: k }), el('dd', { text: v }))));
}

function item(d, reload, say) {
  const act = (decision, reason) => async () => {
    try {
      await send('POST', `/api/declarations/${d.id}/moderation`, { decision, reason });
      say(`Déclaration n° ${d.id} : décision enregistrée.`);
      await reload();
    } catch (err) { say(err.message, true); }
  };
  const decline = async () => {
    const reason = window.prompt('Motif du refus :');
    if (reason) await act('refusee', reason)();
  };
  const who = [d.name, d.role, d.email].filter(Boolean).join(' · ');
  const where = [d.commune_name, d.territory].filter(Boolean).join(', ');
  return el('li', { dataset: { testid: 'declaration-item', siret: d.siret } },
    el('p', { class: 'muted', text: `n° ${d.id} · SIRET ${d.siret}${where ? ` (${where})` : ''} · ${d.status_label} · ${who}` }),
    d.description ? markdownBlock(d.description_html) : null,
    facts(d),
    d.reason ? el('p', { class: 'muted', text: `Motif : ${d.reason}` }) : null,
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'btn', text: 'Accepter', onclick: act('acceptee') }),
      el('button', { type: 'button', class: 'btn', text: 'Refuser…', onclick: decline }),
      el('button', { type: 'button', class: 'btn btn--danger', text: 'Indésirable', onclick: act('spam') })));
}

async function main() {
  const root = document.getElementById('declarations');
  if (!root) return;
  session = await api('/api/session').catch(() => null);
  if (!session || !session.authenticated || session.user.is_partner) return;
  const u = session.user;
  const moderates = u.role === 'admin' || u.role === 'charge_de_mission' || (u.role === 'referent' && u.territories.length > 0);
  if (!moderates) return;
  const message = el('p', { class: 'notice', role: 'status', hidden: true });
  const say = (text, error = false) => {
    message.textContent = text;
    message.className = `notice${error ? ' notice--error' : ''}`;
    message.hidden = !text;
  };
  const list = el('ul', { class: 'moderation' });
  const status = el('select', { class: 'select', id: 'declarations-status' }, STATUSES.map(([v, t]) => el('option', { value: v, text: t })));
  const reload = async () => {
    const r = await api(`/api/declarations?status=${status.value}`);
    list.replaceChildren(...(r.items.length
      ? r.items.map((d) => item(d, reload, say))
      : [el('li', { class: 'muted', text: 'Aucune déclaration.' })]));
  };
  status.addEventListener('change', () => reload().catch((err) => say(err.message, true)));
  root.replaceChildren(
    el('h2', { id: 'declarations-title', text: 'Déclarations des structures' }),
    el('p', { class: 'muted', text: 'Ce que les organisations de l’ESS déclarent sur leur fiche de la carte : une fois acceptées, ces informations y sont publiées « déclaré par la structure », sans le nom ni l’adresse de la personne, et ne modifient aucune statistique.' }),
    el('div', { class: 'field filter-field' }, el('label', { class: 'field-label', for: status.id, text: 'Déclarations à afficher' }), status),
    list, message);
  root.hidden = false;
  await reload().catch((err) => say(err.message, true));
}

main();
