// ess-atlas — the CDESS's proposals in the staff space (/espace), issue 20: the conseil
// départemental de l'ESS proposes orientations and actions for the département's plan
// (code 62); a chargé de mission (or an admin) records each one with the date of the
// session that adopted it, or deletes one recorded by mistake (the history keeps it).
// They are public once recorded and printed in the compendium (« Propositions du
// CDESS »). Other staff read the list; partners do not see this section (elsewhere they
// are the public). The server decides who may do what: this section only hides what the
// user cannot do, and shows the server's refusals.

import { api, el, sendJson } from './util.js';
import { dateTime } from './espace-format.js';
import { frenchDate } from './portrait.js';

const MAX_TITLE = 200;
const MAX_BODY = 8000;

let session = null;

const send = (method, path, body) => sendJson(method, path, body, session.csrf);

/** A message line: `say(text, error)` shows it (an alert when it is an error), `say('')` hides it. */
function notice(testid) {
  const node = el('p', { class: 'notice', role: 'status', hidden: true, dataset: { testid } });
  const say = (text, error = false) => {
    node.textContent = text;
    node.className = `notice${error ? ' notice--error' : ''}`;
    node.setAttribute('role', error ? 'alert' : 'status');
    node.hidden = !text;
  };
  return { node, say };
}

function field(id, label, control, note) {
  control.id = id;
  const noteNode = note ? el('p', { class: 'field-note', id: `${id}-note`, text: note }) : null;
  if (noteNode) control.setAttribute('aria-describedby', noteNode.id);
  return el('div', { class: 'field' }, el('label', { class: 'field-label', for: id, text: label }), control, noteNode);
}

/** One recorded proposal; the delete button for those who record them. */
function proposalItem(p, orientations, recorder, onDelete) {
  const orientation = p.orientation_id ? (orientations.get(p.orientation_id) || `orientation n° ${p.orientation_id}`) : null;
  const facts = [`Séance du ${frenchDate(p.session_on)}`,
    orientation ? `Orientation : ${orientation}` : null,
    `enregistrée le ${dateTime(p.created_at)}${p.created_by ? ` par ${p.created_by}` : ''}`].filter(Boolean);
  return el('li', { dataset: { testid: 'cdess-item', id: String(p.id) } },
    el('p', { class: 'cdess-title' }, el('strong', { text: p.title })),
    el('p', { class: 'muted', text: facts.join(' · ') }),
    p.body ? el('p', { class: 'proposal-body', text: p.body }) : null,
    recorder ? el('div', { class: 'actions' },
      el('button', {
        type: 'button', class: 'btn btn--small btn--danger', text: 'Supprimer',
        'aria-label': `Supprimer la proposition « ${p.title} »`,
        onclick: () => onDelete(p),
      })) : null);
}

/**
 * The form of a chargé de mission: the session's date, the title, the text, the
 * orientation. What is missing or refused is said in the form, on the field at fault;
 * once recorded, `onSaved(row)` (the list, reloaded, says it).
 */
function proposalForm(edition, orientations, onSaved) {
  const { node: message, say } = notice('cdess-form-message');
  const sessionOn = el('input', { class: 'input', type: 'date', 'aria-required': 'true', dataset: { testid: 'cdess-session' } });
  const title = el('input', { class: 'input', 'aria-required': 'true', maxlength: MAX_TITLE, dataset: { testid: 'cdess-title' } });
  const body = el('textarea', { class: 'input', rows: 5, maxlength: MAX_BODY, dataset: { testid: 'cdess-body' } });
  const orientation = el('select', { class: 'select', dataset: { testid: 'cdess-orientation' } },
    el('option', { value: '', text: 'Aucune (proposition générale)' }),
    [...orientations].map(([id, t]) => el('option', { value: String(id), text: t })));
  const submit = el('button', { type: 'submit', class: 'btn btn--primary', dataset: { testid: 'cdess-save' }, text: 'Enregistrer la proposition' });
  const form = el('form', { class: 'form free-section', dataset: { testid: 'cdess-form' }, 'aria-labelledby': 'cdess-form-title' },
    el('h3', { id: 'cdess-form-title', text: `Enregistrer une proposition (édition ${edition})` }),
    el('div', { class: 'form-row' },
      field('cdess-f-session', 'Date de la séance du CDESS (obligatoire)', sessionOn),
      field('cdess-f-orientation', 'Orientation du département concernée', orientation,
        orientations.size ? null : 'Le plan du département n’a pas encore d’orientation pour cette édition.')),
    field('cdess-f-title', 'Titre (obligatoire)', title, `${MAX_TITLE} caractères au plus.`),
    field('cdess-f-body', 'Texte (Markdown)', body, 'Tel qu’adopté par le CDESS ; il sera publié et imprimé dans le recueil départemental.'),
    message, el('div', { class: 'form-actions' }, submit));
  const fault = (control, text) => {
    control.setAttribute('aria-invalid', 'true');
    say(`${text} Rien n’a été enregistré.`, true);
    control.focus();
  };
  for (const control of [sessionOn, title]) control.addEventListener('input', () => control.removeAttribute('aria-invalid'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    say('');
    if (!sessionOn.value) { fault(sessionOn, 'Indiquez la date de la séance du CDESS.'); return; }
    if (!title.value.trim()) { fault(title, 'Indiquez le titre de la proposition.'); return; }
    submit.disabled = true;
    try {
      const row = await send('POST', '/api/cdess/propositions', {
        edition, session_on: sessionOn.value, title: title.value.trim(), body: body.value,
        orientation_id: orientation.value ? Number(orientation.value) : null,
      });
      await onSaved(row);
    } catch (err) {
      say(`${err.message} Rien n’a été enregistré.`, true);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

async function main() {
  const root = document.getElementById('cdess');
  if (!root) return;
  session = await api('/api/session').catch(() => null);
  // Partners are the public outside their own proposals; the public reads the list in
  // the compendium and the API.
  if (!session || !session.authenticated || session.user.is_partner) return;
  const recorder = Boolean(session.user.can_record_decisions);
  const [meta, editions] = await Promise.all([api('/api/meta'), api('/api/editions')]);
  const department = String(meta.department.code);
  const years = (editions.items || []).map((e) => e.year).sort((a, b) => b - a);
  const { node: message, say } = notice('cdess-message');
  const edition = el('select', { class: 'select', id: 'cdess-edition', dataset: { testid: 'cdess-edition' } },
    years.map((y) => el('option', { value: String(y), text: String(y) })));
  const list = el('ul', { class: 'cdess-list', dataset: { testid: 'cdess-list' } });
  const formHolder = el('div');

  const reload = async () => {
    const year = Number(edition.value);
    const [proposals, plan] = await Promise.all([
      api(`/api/cdess/propositions?edition=${year}`),
      api(`/api/orientations?territory=${encodeURIComponent(department)}&edition=${year}`),
    ]);
    const orientations = new Map((plan.items || []).map((o) => [o.id, o.title]));
    const remove = async (p) => {
      if (!window.confirm(`Supprimer la proposition du CDESS « ${p.title} » ? Elle ne sera plus publiée ni imprimée dans le recueil (l’historique la garde).`)) return;
      try {
        await send('DELETE', `/api/cdess/propositions/${p.id}`);
        await reload();
        say(`Proposition « ${p.title} » supprimée.`);
      } catch (err) { say(err.message, true); }
    };
    const items = proposals.items || [];
    list.replaceChildren(...(items.length
      ? items.map((p) => proposalItem(p, orientations, recorder, remove))
      : [el('li', { class: 'muted', text: `Aucune proposition du CDESS enregistrée pour l’édition ${year}.` })]));
    const saved = async (row) => {
      await reload();
      say(`Proposition « ${row.title} » enregistrée : elle est publique et figurera dans le recueil.`);
      list.querySelector(`[data-id="${row.id}"]`)?.scrollIntoView({ block: 'nearest' });
    };
    formHolder.replaceChildren(recorder ? proposalForm(year, orientations, saved) : el('p', {
      class: 'muted', text: 'Seuls les chargés de mission enregistrent ou suppriment les propositions du CDESS.',
    }));
  };
  edition.addEventListener('change', () => { say(''); reload().catch((err) => say(err.message, true)); });
  root.replaceChildren(
    el('h2', { id: 'cdess-title', text: 'Propositions du CDESS' }),
    el('p', { class: 'muted', text: 'Les propositions du Conseil départemental de l’ESS pour le plan d’action du département, avec la date de la séance qui les a adoptées. Elles sont publiques dès leur enregistrement et figurent dans le recueil départemental (section « Propositions du CDESS »).' }),
    years.length
      ? el('div', { class: 'form-row cdess-edition' }, field('cdess-edition', 'Édition', edition))
      : el('p', { class: 'muted', text: 'Aucune édition : importez d’abord des données.' }),
    list, message, formHolder);
  root.hidden = false;
  if (years.length) await reload().catch((err) => say(err.message, true));
}

main();
