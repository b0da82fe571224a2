// ess-atlas — what an organisation declares about itself, on its card (issue 20): the
// accepted declaration under « Déclaré par la structure » (in the popup, shortened, and
// in the record), and the form its representatives fill without an account (the
// e-mail is never published; consent and the privacy notice as for the consultations).
// The server checks everything again (lengths, website, honeypot, rate limit) and
// renders the presentation's Markdown; nothing declared ever enters a figure.

import { el } from '../util.js';
import { markdownBlock } from '../portrait.js';
import { frenchDate } from './record.js';

/** The public answer for `siret`: `{ privacy_notice, items }` (accepted, newest first). */
export async function loadDeclarations(siret, { signal } = {}) {
  const res = await fetch(`/api/organisations/${encodeURIComponent(siret)}/declarations`, {
    headers: { Accept: 'application/json' }, signal,
  });
  if (!res.ok) throw new Error(`erreur ${res.status}`);
  return res.json();
}

function list(label, items) {
  if (!items || !items.length) return null;
  return el('div', { class: 'org-fact' }, el('dt', { text: label }), el('dd', { text: items.join(' · ') }));
}

/**
 * The newest accepted declaration `d` (or null): « Déclaré par la structure ». `compact`
 * (the popup, small on a tablet) keeps the website and the ESUS agrément only; the record
 * has the rest.
 */
export function declaredBlock(d, { compact = false } = {}) {
  if (!d) return null;
  const site = d.website
    ? el('a', { href: d.website, rel: 'noopener nofollow ugc', target: '_blank', text: d.website.replace(/^https?:\/\//i, '').replace(/\/$/, '') })
    : null;
  return el('section', { class: `org-declared${compact ? ' org-declared--compact' : ''}`, 'data-testid': 'org-declared' },
    el(compact ? 'p' : 'h4', { class: 'org-declared-title', text: 'Déclaré par la structure' }),
    d.description && !compact ? markdownBlock(d.description_html, { class: 'md org-declared-text' }) : null,
    el('dl', { class: 'org-declared-facts' },
      site ? el('div', { class: 'org-fact' }, el('dt', { text: 'Site internet' }), el('dd', {}, site)) : null,
      d.esus ? el('div', { class: 'org-fact' }, el('dt', { text: 'Agrément ESUS' }), el('dd', { text: 'Oui' })) : null,
      compact ? null : list('Labels', d.labels),
      compact ? null : list('Réseaux', d.networks),
      compact ? null : list('Activités', d.activities)),
    compact
      ? null
      : el('p', { class: 'field-note', text: `Informations déclarées par la structure le ${frenchDate(d.declared_on)}, relues par le Département ; elles ne modifient pas les statistiques.` }));
}

const lines = (text) => text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);

/**
 * The declaration form of establishment `siret`, prefilled with `current` (the accepted
 * declaration, or null); `notice` is the privacy notice served with it.
 */
export function declareForm(siret, current, notice) {
  const id = (name) => `declare-${name}`;
  const field = (label, control, note = null) => el('div', { class: 'field' },
    el('label', { class: 'field-label', for: control.id, text: label }), control,
    note ? el('p', { class: 'field-note', text: note }) : null);
  const area = (name, rows, max, value = '') => {
    const t = el('textarea', { id: id(name), name, rows, maxlength: max });
    t.value = value;
    return t;
  };
  const c = current || {};
  const description = area('description', 5, 2000, c.description || '');
  const website = el('input', { id: id('website'), name: 'website', type: 'url', inputmode: 'url', maxlength: 300, placeholder: 'https://', autocomplete: 'url' });
  website.value = c.website || '';
  const esus = el('input', { id: id('esus'), name: 'esus', type: 'checkbox' });
  esus.checked = Boolean(c.esus);
  const labels = area('labels', 2, 2500, (c.labels || []).join('\n'));
  const networks = area('networks', 2, 2500, (c.networks || []).join('\n'));
  const activities = area('activities', 3, 2500, (c.activities || []).join('\n'));
  const name = el('input', { id: id('name'), name: 'name', maxlength: 200, required: true, autocomplete: 'name' });
  const role = el('input', { id: id('role'), name: 'role', maxlength: 200, autocomplete: 'organization-title' });
  const email = el('input', { id: id('email'), name: 'email', type: 'email', maxlength: 254, required: true, autocomplete: 'email' });
  const consent = el('input', { id: id('consent'), name: 'consent', type: 'checkbox', required: true });
  // The honeypot: out of sight and out of the tab order; only robots fill it.
  const trap = el('input', { id: id('site_web'), name: 'site_web', tabindex: '-1', autocomplete: 'off' });
  const message = el('p', { class: 'notice', role: 'status', hidden: true });
  const send = el('button', { type: 'submit', class: 'btn btn--primary', text: 'Envoyer ces informations' });
  const f = el('form', { class: 'org-declare-form', 'data-testid': 'org-declare-form', novalidate: false },
    el('p', { class: 'field-note', text: 'Vous représentez cette structure ? Complétez sa fiche : ces informations seront publiées avec la mention « déclaré par la structure » après confirmation par courriel et relecture. Elles ne modifient ni les données SIRENE ni les statistiques.' }),
    field('Présentation', description, 'Texte simple ou Markdown (2 000 caractères au plus).'),
    field('Site internet', website),
    el('div', { class: 'field field--check' }, esus, el('label', { for: esus.id, text: ' La structure a l’agrément ESUS (entreprise solidaire d’utilité sociale)' })),
    field('Labels', labels, 'Un par ligne.'),
    field('Réseaux dont la structure est membre', networks, 'Un par ligne.'),
    field('Activités', activities, 'Une par ligne.'),
    field('Votre nom', name),
    field('Votre rôle dans la structure', role),
    field('Votre adresse électronique (jamais publiée)', email),
    el('div', { class: 'field', style: 'position:absolute;left:-10000px', 'aria-hidden': 'true' },
      el('label', { for: trap.id, text: 'Ne pas remplir' }), trap),
    el('p', { class: 'field-note', 'data-testid': 'org-declare-privacy', text: notice || '' }),
    el('div', { class: 'field field--check' }, consent,
      el('label', { for: consent.id, text: ' J’accepte le traitement de mes données personnelles pour vérifier ces informations.' })),
    send, message);
  f.addEventListener('submit', async (event) => {
    event.preventDefault();
    const payload = {
      description: description.value, website: website.value.trim(), esus: esus.checked,
      labels: lines(labels.value), networks: lines(networks.value), activities: lines(activities.value),
      name: name.value, role: role.value, email: email.value, consent: consent.checked, site_web: trap.value,
    };
    send.disabled = true;
    try {
      const res = await fetch(`/api/organisations/${encodeURIComponent(siret)}/declarations`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(payload),
      });
      const answer = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(answer.message || `erreur ${res.status}`);
      message.className = 'notice';
      message.textContent = answer.message;
      for (const control of [name, role, email]) control.value = '';
      consent.checked = false;
    } catch (err) {
      message.className = 'notice notice--error';
      message.textContent = `Informations non envoyées : ${err.message}`;
    } finally {
      message.hidden = false;
      send.disabled = false;
    }
  });
  return f;
}

/**
 * The record's part about declarations: the accepted one, and the button that opens the
 * form. Filled once the answer comes; `isCurrent()` says whether the record is still shown.
 */
export function declarationsPart(siret, isCurrent) {
  const box = el('div', { class: 'org-declared-part', 'data-testid': 'org-declared-part' });
  loadDeclarations(siret).then((answer) => {
    if (!isCurrent()) return;
    const current = answer.items[0] || null;
    let form = null;
    const open = el('button', {
      type: 'button', class: 'btn btn--small', 'data-testid': 'org-declare-open', 'aria-expanded': 'false',
      text: current ? 'Mettre à jour les informations de la structure' : 'Vous représentez cette structure ? Complétez sa fiche',
      onclick: () => {
        if (!form) {
          form = declareForm(siret, current, answer.privacy_notice);
          box.append(form);
        } else form.hidden = !form.hidden;
        open.setAttribute('aria-expanded', String(!form.hidden));
        if (!form.hidden) form.querySelector('textarea, input')?.focus();
      },
    });
    box.replaceChildren(...[declaredBlock(current), open].filter(Boolean));
  }).catch(() => {});
  return box;
}
