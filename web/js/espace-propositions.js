// ess-atlas — partners' proposals in /espace (issue 20). A partner (CRESS, APES, another
// network) reads the draft portrait and plan of its territories, proposes text for a
// section, a new orientation or action, or a comment, and follows its proposals. The
// territory's referent or a chargé de mission accepts one (merged, credited to the
// partner's organisation), edits then accepts it, or declines it with a reason. The
// server decides who may do what; this section only hides what the user cannot do.

import { api, el, sendJson } from './util.js';

const KINDS = [['section', 'Texte pour le portrait'], ['orientation', 'Nouvelle orientation'], ['action', 'Nouvelle action'], ['commentaire', 'Commentaire sur une orientation ou une action']];
const SECTIONS = [['jeux_acteurs', "Jeux d'acteurs"], ['dynamiques_projets', 'Dynamiques de projets'], ['libre', 'Nouvelle section']];
const STATUSES = [['en_attente', 'En attente'], ['acceptee', 'Acceptées'], ['refusee', 'Refusées']];

let session = null;
let say = () => {};

const send = (method, path, body) => sendJson(method, path, body, session.csrf);

function canDecide(code) {
  const u = session.user;
  return u.role === 'admin' || u.role === 'charge_de_mission' || (u.role === 'referent' && u.territories.includes(code));
}

function field(label, control) {
  control.id = control.id || `p-${Math.random().toString(36).slice(2)}`;
  return el('div', { class: 'field' }, el('label', { class: 'field-label', for: control.id, text: label }), control);
}

function options(select, pairs) {
  select.replaceChildren(...pairs.map(([v, t]) => el('option', { value: v, text: t })));
}

/** One proposal: what, for where, its status; the moderator's buttons when allowed. */
function proposalItem(p, reload) {
  const what = [p.kind_label, p.section_label, p.target_title ? `« ${p.target_title} »` : null].filter(Boolean).join(' · ');
  const text = p.final_body ?? p.body;
  const item = el('li', { dataset: { testid: 'proposal-item', status: p.status } },
    el('p', { class: 'muted', text: `n° ${p.id} · ${p.territory_name || p.territory} ${p.edition} · ${what} · ${p.status_label}${p.edited ? ' (modifiée avant acceptation)' : ''} · ${p.credit}` }),
    (p.final_title ?? p.title) ? el('p', {}, el('strong', { text: p.final_title ?? p.title })) : null,
    text ? el('p', { class: 'proposal-body', text }) : null,
    p.reason ? el('p', { class: 'muted', text: `Motif du refus : ${p.reason}` }) : null);
  if (session.user.is_partner || p.status !== 'en_attente' || !canDecide(p.territory)) return item;
  const decide = async (body) => {
    try {
      await send('POST', `/api/propositions/${p.id}/decision`, body);
      say(`Proposition n° ${p.id} : décision enregistrée.`);
      await reload();
    } catch (err) { say(err.message, true); }
  };
  const editForm = () => {
    const title = el('input', { class: 'input', value: p.title, maxlength: 300 });
    const body = el('textarea', { class: 'textarea', rows: 6, maxlength: 20000 });
    body.value = p.body;
    const f = el('form', { class: 'form', dataset: { testid: 'proposal-edit' } },
      field('Titre', title), field('Texte', body),
      el('button', { type: 'submit', class: 'btn btn--primary', text: 'Accepter ce texte' }));
    f.addEventListener('submit', (e) => { e.preventDefault(); decide({ decision: 'acceptee', title: title.value, body: body.value }); });
    return f;
  };
  item.append(el('div', { class: 'actions' },
    el('button', { type: 'button', class: 'btn', text: 'Accepter', onclick: () => decide({ decision: 'acceptee' }) }),
    el('button', { type: 'button', class: 'btn', text: 'Modifier puis accepter…', onclick: (e) => { e.target.disabled = true; item.append(editForm()); } }),
    el('button', {
      type: 'button', class: 'btn btn--danger', text: 'Refuser…',
      onclick: () => {
        const reason = window.prompt('Motif du refus (communiqué au partenaire) :');
        if (reason && reason.trim()) decide({ decision: 'refusee', reason });
      },
    })));
  return item;
}

function proposalList(title, query) {
  const list = el('ul', { class: 'moderation', dataset: { testid: 'proposal-list' } });
  const status = el('select', { class: 'select', id: 'proposals-status' });
  options(status, [['', 'Toutes'], ...STATUSES]);
  status.value = session.user.is_partner ? '' : 'en_attente';
  const reload = async () => {
    const params = new URLSearchParams(query);
    if (status.value) params.set('status', status.value);
    const r = await api(`/api/propositions?${params}`);
    list.replaceChildren(...(r.items.length
      ? r.items.map((p) => proposalItem(p, reload))
      : [el('li', { class: 'muted', text: 'Aucune proposition.' })]));
  };
  status.addEventListener('change', () => reload().catch((err) => say(err.message, true)));
  reload().catch((err) => say(err.message, true));
  return {
    node: el('div', {}, el('h3', { text: title }),
      el('div', { class: 'field filter-field' }, el('label', { class: 'field-label', for: status.id, text: 'Propositions à afficher' }), status), list),
    reload,
  };
}

/** « Aucune orientation », « 1 orientation », « 3 orientations » au plan de ce territoire. */
function orientationsCount(n) {
  if (!n) return 'Aucune orientation au plan de ce territoire pour cette édition.';
  return `${n} orientation${n > 1 ? 's' : ''} au plan de ce territoire.`;
}

/** The partner's form: territory, edition, what, then the text. */
function proposalForm(territories, years, onSent) {
  const territory = el('select', { class: 'select', dataset: { testid: 'proposal-territory' } });
  options(territory, territories.map((t) => [t.code, t.name]));
  const edition = el('select', { class: 'select', dataset: { testid: 'proposal-edition' } });
  options(edition, years.map((y) => [String(y), String(y)]));
  const kind = el('select', { class: 'select', dataset: { testid: 'proposal-kind' } });
  options(kind, KINDS);
  const section = el('select', { class: 'select' });
  options(section, SECTIONS);
  const target = el('select', { class: 'select', dataset: { testid: 'proposal-target' } });
  const title = el('input', { class: 'input', maxlength: 300, dataset: { testid: 'proposal-title' } });
  const body = el('textarea', { class: 'textarea', rows: 6, maxlength: 20000, dataset: { testid: 'proposal-body' } });
  const draft = el('div', { class: 'proposal-context muted', dataset: { testid: 'proposal-context' } });
  const sectionField = field('Section', section);
  const targetField = field('Concerne', target);
  const titleField = field('Titre', title);
  let ctx = null;
  const layout = () => {
    const k = kind.value;
    sectionField.hidden = k !== 'section';
    targetField.hidden = k !== 'action' && k !== 'commentaire';
    titleField.hidden = k === 'commentaire' || (k === 'section' && section.value !== 'libre');
    const orientations = (ctx && ctx.orientations) || [];
    const pairs = k === 'action'
      ? orientations.map((o) => [`o${o.id}`, `Orientation : ${o.title}`])
      : orientations.flatMap((o) => [[`o${o.id}`, `Orientation : ${o.title}`], ...o.actions.map((a) => [`a${a.id}`, `  Action : ${a.title}`])]);
    options(target, pairs);
  };
  const load = async () => {
    try {
      ctx = await api(`/api/propositions/contexte?territory=${encodeURIComponent(territory.value)}&edition=${encodeURIComponent(edition.value)}`);
      const p = ctx.portrait;
      draft.replaceChildren(el('p', { text: p ? `Portrait ${ctx.edition} : ${p.status_label}${p.status === 'brouillon' ? '' : ' — il ne reçoit plus de texte proposé'}.` : `Aucun portrait écrit pour ${ctx.edition} : un texte accepté le commencera.` }),
        el('p', { text: orientationsCount(ctx.orientations.length) }));
    } catch (err) { ctx = null; draft.replaceChildren(el('p', { text: err.message })); }
    // A submitted or published portrait takes no proposed text: not offered, rather than refused.
    const closed = Boolean(ctx && ctx.portrait && ctx.portrait.status !== 'brouillon');
    const sectionOption = kind.querySelector('option[value="section"]');
    if (sectionOption) sectionOption.disabled = closed;
    if (closed && kind.value === 'section') kind.value = 'orientation';
    layout();
  };
  [territory, edition].forEach((s) => s.addEventListener('change', load));
  [kind, section].forEach((s) => s.addEventListener('change', layout));
  const form = el('form', { class: 'form', dataset: { testid: 'proposal-form' } },
    el('h3', { text: 'Faire une proposition' }),
    el('div', { class: 'form-row' }, field('Territoire', territory), field('Édition', edition)),
    draft, field('Proposition', kind), sectionField, targetField, titleField,
    field('Texte (Markdown pour le portrait)', body),
    el('p', { class: 'field-note', text: 'Le référent du territoire ou un chargé de mission l’accepte, la modifie ou la refuse avec un motif. Acceptée, elle est publiée avec le portrait, au nom de votre organisation.' }),
    el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'btn btn--primary', text: 'Envoyer la proposition' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const k = kind.value;
    const payload = { territory: territory.value, edition: Number(edition.value), kind: k, title: titleField.hidden ? '' : title.value, body: body.value };
    if (k === 'section') payload.section = section.value;
    if (!targetField.hidden && target.value) {
      if (target.value.startsWith('a')) payload.action_id = Number(target.value.slice(1));
      else payload.orientation_id = Number(target.value.slice(1));
    }
    try {
      const p = await send('POST', '/api/propositions', payload);
      say(`Proposition n° ${p.id} envoyée : elle attend la décision du territoire.`);
      title.value = '';
      body.value = '';
      await onSent();
    } catch (err) { say(err.message, true); }
  });
  load();
  return form;
}

async function main() {
  const root = document.getElementById('propositions');
  if (!root) return;
  session = await api('/api/session').catch(() => null);
  if (!session || !session.authenticated) return;
  const message = el('p', { class: 'notice', role: 'status', hidden: true, dataset: { testid: 'proposal-message' } });
  say = (text, error = false) => {
    message.textContent = text;
    message.className = `notice${error ? ' notice--error' : ''}`;
    message.hidden = !text;
  };
  root.hidden = false;
  if (session.user.is_partner) {
    const [territories, meta, editions] = await Promise.all([api('/api/territories'), api('/api/meta'), api('/api/editions')]);
    const names = new Map((territories.items || []).map((t) => [String(t.code), t.name]));
    names.set(String(meta.department.code), `${meta.department.name} (département)`);
    const mine = (session.user.territories || []).map((code) => ({ code, name: names.get(code) || code }));
    const years = (editions.items || []).map((e) => e.year).sort((a, b) => b - a);
    const list = proposalList('Mes propositions', {});
    root.replaceChildren(
      el('h2', { id: 'propositions-title', text: `Propositions de ${session.user.organisation || session.user.display_name}` }),
      message, proposalForm(mine, years, list.reload), list.node);
    return;
  }
  const list = proposalList('À décider', {});
  root.replaceChildren(el('h2', { id: 'propositions-title', text: 'Propositions des partenaires' }),
    el('p', { class: 'muted', text: 'Textes, orientations, actions et commentaires proposés par la CRESS, l’APES et les réseaux. Acceptés, ils sont intégrés au portrait ou au plan et publiés avec lui, au nom de l’organisation qui les a proposés.' }),
    message, list.node);
}

main();
