// ess-atlas — public consultations in the staff space (/espace): a chargé de mission
// opens one on a territory's draft plan for an edition and closes it; the territory's
// referent or a chargé de mission moderates the contributions (accept, decline with a
// reason, spam) and downloads them (CSV, XLSX, e-mails included). The server decides
// who may do what; this section only hides what the user cannot do.

import { api, el, sendJson } from './util.js';

const STATUSES = [['en_attente', 'En attente'], ['acceptee', 'Acceptées'], ['refusee', 'Refusées'], ['spam', 'Indésirables'], ['a_confirmer', 'À confirmer (courriel non suivi)']];

let session = null;
let messageNode = null;

const send = (method, path, body) => sendJson(method, path, body, session.csrf);

function canModerate(code) {
  const u = session.user;
  return u.role === 'admin' || u.role === 'charge_de_mission' || (u.role === 'referent' && u.territories.includes(code));
}

function canOrganise() {
  return ['admin', 'charge_de_mission'].includes(session.user.role);
}

function field(label, control) {
  return el('div', { class: 'field' }, el('label', { class: 'field-label', for: control.id, text: label }), control);
}

function openForm(root, say) {
  const territory = el('input', { id: 'cons-territory', placeholder: 'ARR', maxlength: 10 });
  const edition = el('input', { id: 'cons-edition', inputmode: 'numeric', maxlength: 4 });
  const starts = el('input', { id: 'cons-starts', type: 'date' });
  const ends = el('input', { id: 'cons-ends', type: 'date' });
  const intro = el('textarea', { id: 'cons-intro', rows: 3, maxlength: 4000 });
  const f = el('form', { dataset: { testid: 'consultation-open' } },
    el('h3', { text: 'Ouvrir une consultation' }),
    field('Territoire (code)', territory), field('Édition', edition),
    field('Ouverture', starts), field('Clôture', ends), field('Introduction', intro),
    el('button', { type: 'submit', class: 'btn btn--primary', text: 'Ouvrir la consultation' }));
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await send('POST', '/api/consultations', {
        territory: territory.value.trim(), edition: Number(edition.value), starts_on: starts.value,
        ends_on: ends.value, introduction: intro.value,
      });
      say('Consultation ouverte.');
      await refresh(root, say);
    } catch (err) { say(err.message, true); }
  });
  return f;
}

function contributionRow(c, reload, say) {
  const act = (decision, reason) => async () => {
    try {
      await send('POST', `/api/contributions/${c.id}/moderation`, { decision, reason });
      say(`Contribution n° ${c.id} : décision enregistrée.`);
      await reload();
    } catch (err) { say(err.message, true); }
  };
  const decline = async () => {
    const reason = window.prompt('Motif du refus (communiqué au contributeur) :');
    if (reason) await act('refusee', reason)();
  };
  const who = [c.name, c.organisation, c.role, c.email].filter(Boolean).join(' · ');
  return el('li', { dataset: { testid: 'moderation-item' } },
    el('p', { class: 'muted', text: `n° ${c.id} · ${c.kind_label} · ${c.status_label} · ${who}${c.commune_name ? ` (${c.commune_name})` : ''}` }),
    c.body ? el('p', { text: c.body }) : null,
    c.reason ? el('p', { class: 'muted', text: `Motif : ${c.reason}` }) : null,
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'btn', text: 'Accepter', onclick: act('acceptee') }),
      el('button', { type: 'button', class: 'btn', text: 'Refuser…', onclick: decline }),
      el('button', { type: 'button', class: 'btn btn--danger', text: 'Indésirable', onclick: act('spam') })));
}

function consultationBlock(c, root, say) {
  const list = el('ul', { class: 'moderation' });
  const status = el('select', { class: 'select', id: `consultation-status-${c.id}` },
    STATUSES.map(([v, t]) => el('option', { value: v, text: t })));
  const reload = async () => {
    const r = await api(`/api/consultations/${c.id}/contributions?status=${status.value}`);
    list.replaceChildren(...(r.items.length
      ? r.items.map((x) => contributionRow(x, reload, say))
      : [el('li', { class: 'muted', text: 'Aucune contribution.' })]));
  };
  status.addEventListener('change', reload);
  const close = canOrganise() && c.status === 'ouverte'
    ? el('button', {
      type: 'button', class: 'btn btn--danger', text: 'Clore la consultation',
      onclick: async () => {
        try { await send('POST', `/api/consultations/${c.id}/close`); say('Consultation close.'); await refresh(root, say); } catch (err) { say(err.message, true); }
      },
    })
    : null;
  const block = el('div', { class: 'consultation-staff', dataset: { testid: 'consultation-staff', territory: c.territory } },
    el('h3', { text: `${c.territory_name || c.territory} — édition ${c.edition} (${c.status === 'ouverte' ? 'ouverte' : 'close'}, du ${c.starts_on} au ${c.ends_on}, ${c.accepted} acceptée(s))` }),
    el('p', {},
      el('a', { href: `/api/consultations/${c.id}/export.csv`, text: 'Export CSV' }), ' · ',
      el('a', { href: `/api/consultations/${c.id}/export.xlsx`, text: 'Export XLSX' })),
    el('div', { class: 'field filter-field' }, el('label', { class: 'field-label', for: status.id, text: 'Contributions à afficher' }), status),
    list, close);
  reload().catch((err) => say(err.message, true));
  return block;
}

async function refresh(root, say) {
  const r = await api('/api/consultations');
  const mine = r.items.filter((c) => canModerate(c.territory));
  const blocks = mine.length
    ? mine.map((c) => consultationBlock(c, root, say))
    : [el('p', { class: 'muted', text: 'Aucune consultation sur vos territoires.' })];
  root.replaceChildren(...[
    el('h2', { id: 'consultations-title', text: 'Consultations publiques' }),
    canOrganise() ? openForm(root, say) : null,
    ...blocks,
    messageNode,
  ].filter(Boolean));
}

async function main() {
  const root = document.getElementById('consultations');
  if (!root) return;
  session = await api('/api/session').catch(() => null);
  if (!session || !session.authenticated || session.user.is_partner) return;
  const message = el('p', { class: 'notice', role: 'status', hidden: true });
  messageNode = message;
  const say = (text, error = false) => {
    message.textContent = text;
    message.className = `notice${error ? ' notice--error' : ''}`;
    message.hidden = !text;
  };
  root.hidden = false;
  await refresh(root, say);
}

main();
