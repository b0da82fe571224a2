// ess-atlas — the public consultation on a territory's page (/territoires/{code}):
// the latest consultation's introduction and dates, the draft orientations and actions
// with their accepted contributions, and, while it is open, the form anyone may send
// without an account (consent required; the e-mail is never published). The server
// checks everything again (lengths, period, rate limit, honeypot).

import { api, el } from './util.js';

const code = decodeURIComponent(window.location.pathname.split('/').filter(Boolean)[1] || '');

function frDate(iso) {
  const [y, m, d] = String(iso).split('-');
  return `${d}/${m}/${y}`;
}

function contributionItem(c) {
  const who = [c.name, c.organisation, c.role].filter(Boolean).join(', ');
  const where = c.commune_name ? ` (${c.commune_name})` : '';
  return el('li', { class: 'contribution', dataset: { testid: 'contribution' } },
    el('p', { class: 'muted', text: `${c.kind_label} — ${who}${where}, le ${frDate(c.received_on)}` }),
    c.body ? el('p', { text: c.body }) : null);
}

function contributionList(items) {
  if (!items.length) return null;
  return el('ul', { class: 'contributions' }, items.map(contributionItem));
}

function input(name, attrs = {}) {
  return el('input', { name, id: `consult-${name}`, class: attrs.type === 'checkbox' ? null : 'input', ...attrs });
}

function labelled(text, control) {
  return el('div', { class: 'field' }, el('label', { class: 'field-label', for: control.id, text }), control);
}

function form(detail, onSent) {
  const targets = [];
  for (const o of detail.orientations) {
    targets.push([`o:${o.id}`, `Orientation : ${o.title}`]);
    for (const a of o.actions) targets.push([`a:${a.id}`, `Action : ${a.title}`]);
  }
  const kind = el('select', { name: 'kind', id: 'consult-kind', class: 'select' },
    el('option', { value: 'commentaire', text: 'Commenter une orientation ou une action' }),
    el('option', { value: 'proposition', text: 'Proposer une nouvelle action' }),
    el('option', { value: 'participation', text: '« Notre structure participe à cette action »' }));
  const target = el('select', { name: 'target', id: 'consult-target', class: 'select' },
    el('option', { value: '', text: '(aucune : proposition générale)' }),
    targets.map(([v, t]) => el('option', { value: v, text: t })));
  const body = el('textarea', { name: 'body', id: 'consult-body', class: 'input', maxlength: 4000, rows: 5 });
  const name = input('name', { maxlength: 200, required: true, autocomplete: 'name' });
  const organisation = input('organisation', { maxlength: 200, autocomplete: 'organization' });
  const siret = input('siret', { maxlength: 14, inputmode: 'numeric', pattern: '[0-9]{14}' });
  const role = input('role', { maxlength: 200 });
  const email = input('email', { type: 'email', maxlength: 254, required: true, autocomplete: 'email' });
  const consent = input('consent', { type: 'checkbox', required: true });
  // The honeypot: out of sight and out of the tab order; only robots fill it.
  const trap = input('site_web', { tabindex: '-1', autocomplete: 'off' });
  const message = el('p', { class: 'notice', role: 'status', hidden: true });
  const send = el('button', { type: 'submit', class: 'btn btn--primary', text: 'Envoyer ma contribution' });
  const f = el('form', { class: 'form consultation-form', dataset: { testid: 'consultation-form' } },
    el('h3', { text: 'Contribuer' }),
    labelled('Type de contribution', kind),
    labelled('Orientation ou action concernée', target),
    labelled('Votre contribution (4 000 caractères au plus)', body),
    labelled('Nom', name),
    labelled('Organisation', organisation),
    labelled('SIRET de la structure (facultatif)', siret),
    labelled('Rôle dans l’organisation', role),
    labelled('Adresse électronique (jamais publiée)', email),
    el('div', { class: 'field', style: 'position:absolute;left:-10000px', 'aria-hidden': 'true' },
      el('label', { for: trap.id, text: 'Ne pas remplir' }), trap),
    el('p', { class: 'muted', text: detail.privacy_notice }),
    el('div', { class: 'field field--check' }, consent,
      el('label', { for: consent.id, text: 'J’accepte le traitement de mes données personnelles pour cette consultation.' })),
    el('div', { class: 'form-actions' }, send), message);
  f.addEventListener('submit', async (event) => {
    event.preventDefault();
    const [t, id] = target.value.split(':');
    const payload = {
      kind: kind.value, body: body.value, name: name.value, organisation: organisation.value,
      siret: siret.value, role: role.value, email: email.value, consent: consent.checked, site_web: trap.value,
    };
    if (t === 'o') payload.orientation_id = Number(id);
    if (t === 'a') payload.action_id = Number(id);
    send.disabled = true;
    try {
      const res = await fetch(`/api/consultations/${detail.id}/contributions`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(payload),
      });
      const answer = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(answer.message || `erreur ${res.status}`);
      message.className = 'notice';
      message.textContent = answer.message;
      f.reset();
      onSent();
    } catch (err) {
      message.className = 'notice notice--error';
      message.textContent = `Contribution non envoyée : ${err.message}`;
    } finally {
      message.hidden = false;
      send.disabled = false;
    }
  });
  return f;
}

async function main() {
  if (!code) return;
  let list;
  try {
    list = await api(`/api/consultations?territory=${encodeURIComponent(code)}`);
  } catch {
    return;
  }
  const latest = list.items.find((c) => c.open_now) || list.items[0];
  if (!latest) return;
  const detail = await api(`/api/consultations/${latest.id}`);
  const accepted = detail.accepted;
  const state = detail.open_now ? 'ouverte' : (detail.status === 'close' ? 'close' : 'pas encore ouverte');
  const section = el('section', {
    class: 'page-card', id: 'consultation', 'aria-labelledby': 'consultation-title', dataset: { testid: 'consultation' },
  },
  el('h2', { id: 'consultation-title', text: `Consultation publique (${state})` }),
  el('p', { class: 'muted', text: `Du ${frDate(detail.starts_on)} au ${frDate(detail.ends_on)} · ${accepted} contribution${accepted > 1 ? 's' : ''} publiée${accepted > 1 ? 's' : ''}` }),
  detail.introduction ? el('p', { text: detail.introduction }) : null,
  detail.orientations.map((o) => el('div', { class: 'consultation-orientation' },
    el('h3', { text: o.title }),
    contributionList(o.contributions),
    o.actions.map((a) => el('div', { class: 'consultation-action', dataset: { action: a.id } },
      el('h4', { text: a.title }),
      contributionList(a.contributions))))),
  detail.proposals.length ? el('div', {}, el('h3', { text: 'Propositions d’actions' }), contributionList(detail.proposals)) : null,
  detail.open_now ? form(detail, () => {}) : null);
  document.getElementById('page').append(section);
}

main();
