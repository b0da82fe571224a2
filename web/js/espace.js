// ess-atlas — the staff space (/espace): write a territory's portrait for an edition
// (Markdown sections), its orientations and actions, take the workflow's steps, read the
// history. Every mutation sends the session's CSRF token; the server decides who may do
// what, this page only hides what the user cannot do.

import { api, el, sendJson } from './util.js';
import { renderDecisions, renderSections } from './portrait.js';
import { MONEY_MAX, formatNumber, numberField } from './numbers.js';
import { renderDashboard } from './espace-dashboard.js';
import { renderImports } from './espace-imports.js';

const $ = (id) => document.getElementById(id);
const ACTION_STATUSES = [
  ['a_venir', 'à venir'], ['en_cours', 'en cours'], ['realise', 'réalisé'], ['en_pause', 'en pause'], ['abandonne', 'abandonné'],
];
const STEPS = [['brouillon', 'Brouillon'], ['soumis', 'Soumis'], ['valide', 'Validé (commission)'], ['adopte', 'Adopté (Assemblée)'], ['publie', 'Publié']];

const ctx = {
  session: null, meta: null, territories: [], epci: [], catalogue: [],
  territory: null, edition: null, years: [],
};

function say(text, error = false) {
  const m = $('message');
  m.textContent = text;
  m.className = `notice${error ? ' notice--error' : ''}`;
  m.hidden = !text;
  if (error) m.setAttribute('role', 'alert'); else m.setAttribute('role', 'status');
}

const send = (method, path, body) => sendJson(method, path, body, ctx.session.csrf);

function canEdit(code) {
  const u = ctx.session.user;
  return u.role === 'admin' || u.role === 'charge_de_mission' || (u.role === 'referent' && u.territories.includes(code));
}

function field(label, input, note) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  return el('div', { class: 'field' }, el('label', { class: 'field-label', for: id, text: label }), input,
    note ? el('p', { class: 'field-note', text: note }) : null);
}

const YEAR = { integer: true, min: 1900, max: 2200, grouping: false };
const MONEY = { unit: '€', min: 0, max: MONEY_MAX, decimals: 2 };

/**
 * A French number field (numbers.js) with its label and its echo of what it read:
 * returns { field, input, read } (`read()` → { ok, value } and shows why it cannot read).
 */
function numberInput(label, value, options, attrs = {}) {
  const i = input(Number.isFinite(value) ? formatNumber(value, options) : '', attrs);
  const n = numberField(i, options);
  const f = field(label, i);
  f.append(n.element);
  return { field: f, input: i, read: n.read };
}

/**
 * Reads every number field of a form before anything is sent: on the first it cannot
 * read, says why, puts the focus there and returns null; else the values, in order.
 */
function readNumbers(fields) {
  const values = [];
  for (const [label, f] of fields) {
    const r = f.read();
    if (!r.ok) {
      say(`${label} : ${r.error} Rien n'a été enregistré.`, true);
      f.input.focus();
      return null;
    }
    values.push(r.value);
  }
  return values;
}

function textarea(value, attrs = {}) {
  const t = el('textarea', { class: 'input', ...attrs });
  t.value = value || '';
  return t;
}

function input(value, attrs = {}) {
  const i = el('input', { class: 'input', ...attrs });
  i.value = value === null || value === undefined ? '' : String(value);
  return i;
}

// ---------------------------------------------------------------------------------------------
// Portrait

function statusSteps(status) {
  const index = STEPS.findIndex(([s]) => s === status);
  return el('ol', { class: 'steps', 'aria-label': 'Étapes de validation' },
    STEPS.map(([, label], i) => el('li', { class: i < index ? 'is-done' : (i === index ? 'is-current' : null), 'aria-current': i === index ? 'step' : null, text: label })));
}

function freeSectionEditor(s = { title: '', body: '' }) {
  const box = el('div', { class: 'free-section', 'data-testid': 'free-section' });
  const title = input(s.title, { 'data-role': 'title', maxlength: 300 });
  const body = textarea(s.body, { 'data-role': 'body' });
  box.append(field('Titre de la section', title), field('Texte (Markdown)', body),
    el('button', { type: 'button', class: 'btn btn--small btn--danger', onclick: () => box.remove(), text: 'Retirer cette section' }));
  return box;
}

function renderPortraitCard(p, editable) {
  const status = p ? p.status : null;
  const card = el('section', { class: 'page-card', 'data-testid': 'staff-portrait', 'aria-labelledby': 'portrait-title' },
    el('h2', { id: 'portrait-title' }, `Portrait ${ctx.territory.name} — édition ${ctx.edition} `,
      el('span', { class: 'status-badge', 'data-status': status || 'absent', 'data-testid': 'portrait-status', text: p ? p.status_label : 'pas encore créé' })),
    p ? statusSteps(status) : null,
    p ? renderDecisions(p) : null);
  const draft = !p || status === 'brouillon';
  if (editable && draft) {
    const sections = (p && p.sections) || { jeux_acteurs: '', dynamiques_projets: '', free_sections: [] };
    const jeux = textarea(sections.jeux_acteurs, { 'data-testid': 'section-jeux-acteurs' });
    const dyn = textarea(sections.dynamiques_projets, { 'data-testid': 'section-dynamiques' });
    const frees = el('div', { class: 'form' }, (sections.free_sections || []).map((s) => freeSectionEditor(s)));
    const form = el('form', { class: 'form', 'data-testid': 'portrait-form' },
      el('p', { class: 'muted', text: 'Textes en Markdown (titres ##, listes -, **gras**, [liens](https://…)). Les chiffres viennent des indicateurs : ne les recopiez pas.' }),
      field("Jeux d'acteurs", jeux), field('Dynamiques de projets', dyn),
      el('h3', { text: 'Sections libres' }), frees,
      el('div', { class: 'form-actions' },
        el('button', { type: 'button', class: 'btn btn--small', onclick: () => frees.append(freeSectionEditor()), text: 'Ajouter une section libre' }),
        el('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'portrait-save', text: p ? 'Enregistrer le brouillon' : 'Créer le brouillon' })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = {
        jeux_acteurs: jeux.value,
        dynamiques_projets: dyn.value,
        free_sections: [...frees.querySelectorAll('.free-section')].map((b) => ({
          title: b.querySelector('[data-role="title"]').value, body: b.querySelector('[data-role="body"]').value,
        })),
      };
      try {
        await send('PUT', `/api/portraits/${encodeURIComponent(ctx.territory.code)}/${ctx.edition}`, body);
        await openWorkspace();
        say('Brouillon enregistré.');
      } catch (err) { say(err.message, true); }
    });
    card.append(form);
  } else if (p) {
    card.append(el('div', { 'data-testid': 'portrait-preview' }, renderSections(p, { level: 3 })));
    if (editable && !draft) card.append(el('p', { class: 'muted', text: 'Le portrait n’est plus un brouillon : il ne se modifie plus (un portrait soumis peut être renvoyé en brouillon).' }));
  } else {
    card.append(el('p', { class: 'muted', text: 'Aucun portrait pour cette édition.' }));
  }
  if (p && p.sections && draft && editable && (p.html.jeux_acteurs || p.html.dynamiques_projets)) {
    card.append(el('details', { class: 'sources' }, el('summary', { text: 'Aperçu tel que le public le verra' }), renderSections(p, { level: 3 })));
  }
  if (p && (p.next || []).length) card.append(renderSteps(p));
  return card;
}

function renderSteps(p) {
  const box = el('div', { class: 'form', 'data-testid': 'portrait-steps' }, el('h3', { text: 'Étape suivante' }));
  for (const step of p.next) {
    const needsDecision = Boolean(step.body);
    const body = input(step.body || '', { 'data-testid': `decision-body-${step.status}` });
    const ref = input('', { 'data-testid': `decision-ref-${step.status}`, placeholder: 'ex. délibération CT-2026-04' });
    const comment = input('', { 'data-testid': `decision-comment-${step.status}` });
    const go = el('button', {
      type: 'button', class: 'btn btn--primary', 'data-testid': `transition-${step.status}`,
      text: step.status === 'brouillon' ? 'Renvoyer en brouillon' : `Passer à « ${step.label} »`,
    });
    go.addEventListener('click', async () => {
      try {
        await send('POST', `/api/portraits/${encodeURIComponent(ctx.territory.code)}/${ctx.edition}/transitions`, {
          to: step.status,
          body: needsDecision ? body.value : undefined,
          decision_ref: needsDecision ? ref.value : undefined,
          comment: comment.value || undefined,
        });
        await openWorkspace();
        say(`Portrait passé à « ${step.label} ».`);
      } catch (err) { say(err.message, true); }
    });
    box.append(el('div', { class: 'free-section' },
      needsDecision ? el('div', { class: 'form-row' }, field('Instance', body), field('Référence de la décision', ref)) : null,
      field('Commentaire (facultatif)', comment),
      el('div', { class: 'form-actions' }, go)));
  }
  return box;
}

// ---------------------------------------------------------------------------------------------
// Orientations and actions

function orientationForm(o, onDone) {
  const start = numberInput('Début de la période', o ? o.period_start : ctx.edition + 1, YEAR, { 'data-testid': 'orientation-start' });
  const end = numberInput('Fin de la période', o ? o.period_end : ctx.edition + 6, YEAR, { 'data-testid': 'orientation-end' });
  const title = input(o ? o.title : '', { maxlength: 300, 'data-testid': 'orientation-title' });
  const desc = textarea(o ? o.description : '', { 'data-testid': 'orientation-description' });
  const form = el('form', { class: 'form free-section', 'data-testid': o ? 'orientation-edit' : 'orientation-new' },
    el('h3', { text: o ? "Modifier l'orientation" : 'Nouvelle orientation' }),
    el('div', { class: 'form-row' }, start.field, end.field),
    field('Titre', title), field('Description', desc),
    el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'orientation-save', text: 'Enregistrer l’orientation' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const years = readNumbers([['Début de la période', start], ['Fin de la période', end]]);
    if (!years) return;
    const body = { period_start: years[0], period_end: years[1], title: title.value, description: desc.value };
    try {
      if (o) await send('PATCH', `/api/orientations/${o.id}`, body);
      else await send('POST', '/api/orientations', { territory: ctx.territory.code, edition: ctx.edition, ...body });
      await onDone();
      say('Orientation enregistrée.');
    } catch (err) { say(err.message, true); }
  });
  return form;
}

function actionForm(orientation, a, onDone) {
  const title = input(a ? a.title : '', { maxlength: 300, 'data-testid': 'action-title' });
  const desc = textarea(a ? a.description : '', { 'data-testid': 'action-description' });
  const pilot = input(a ? a.pilot : '', { 'data-testid': 'action-pilot' });
  const partners = input(a ? (a.partners || []).join(', ') : '', { 'data-testid': 'action-partners' });
  const status = el('select', { class: 'select', 'data-testid': 'action-status' },
    ACTION_STATUSES.map(([v, l]) => el('option', { value: v, text: l, selected: a ? a.status === v : v === 'a_venir' })));
  const flagship = el('input', { type: 'checkbox', 'data-testid': 'action-flagship', checked: a ? a.flagship : false });
  const startDate = input(a ? a.start_date : '', { type: 'date', 'data-testid': 'action-start' });
  const endDate = input(a ? a.end_date : '', { type: 'date', 'data-testid': 'action-end' });
  const scopeEpci = ctx.territory.code === ctx.meta.department.code
    ? ctx.epci : ctx.epci.filter((e) => e.territory && e.territory.code === ctx.territory.code);
  const epciBoxes = scopeEpci.map((e) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', value: e.code, checked: a ? (a.epci || []).includes(String(e.code)) : false }), e.short_name || e.name));
  const indicatorBoxes = ctx.catalogue.map((i) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', value: i.id, checked: a ? (a.indicators || []).includes(i.id) : false }), i.label));
  const budgets = el('div', { class: 'form' });
  /** The budget lines on screen: { row, year, planned, actual } (number fields). */
  const budgetLines = [];
  const budgetRow = (b = {}) => {
    const line = {
      year: numberInput('Année', b.year, YEAR, { 'data-role': 'year' }),
      planned: numberInput('Prévu (€)', b.planned, MONEY, { 'data-role': 'planned', placeholder: 'ex. 12 500,50' }),
      actual: numberInput('Réalisé (€)', b.actual, MONEY, { 'data-role': 'actual' }),
    };
    line.row = el('div', { class: 'budget-row' }, line.year.field, line.planned.field, line.actual.field);
    line.row.append(el('button', {
      type: 'button', class: 'btn btn--small btn--danger', text: 'Retirer',
      onclick: () => { line.row.remove(); budgetLines.splice(budgetLines.indexOf(line), 1); },
    }));
    budgetLines.push(line);
    budgets.append(line.row);
  };
  for (const b of (a && a.budgets) || []) budgetRow(b);
  const form = el('form', { class: 'form free-section', 'data-testid': a ? 'action-edit' : 'action-new' },
    el('h4', { text: a ? "Modifier l'action" : `Nouvelle action — ${orientation.title}` }),
    field('Titre', title), field('Description', desc),
    el('div', { class: 'form-row' }, field('Pilote', pilot), field('Partenaires', partners, 'Séparés par des virgules.')),
    el('div', { class: 'form-row' }, field('Statut', status), field('Début', startDate), field('Fin', endDate)),
    el('label', { class: 'check' }, flagship, 'Opération phare du plan'),
    el('fieldset', { class: 'field' }, el('legend', { class: 'field-label', text: 'EPCI concernés' }), el('div', { class: 'check-list' }, epciBoxes)),
    el('fieldset', { class: 'field' }, el('legend', { class: 'field-label', text: 'Budget par année' }), budgets,
      el('button', { type: 'button', class: 'btn btn--small', onclick: () => budgetRow(), text: 'Ajouter une année' })),
    el('fieldset', { class: 'field' }, el('legend', { class: 'field-label', text: 'Indicateurs suivis' }), el('div', { class: 'check-list' }, indicatorBoxes)),
    el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'action-save', text: 'Enregistrer l’action' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const amounts = readNumbers(budgetLines.flatMap((l) => [['Année du budget', l.year], ['Budget prévu', l.planned], ['Budget réalisé', l.actual]]));
    if (!amounts) return;
    const body = {
      title: title.value,
      description: desc.value,
      pilot: pilot.value,
      partners: partners.value.split(',').map((s) => s.trim()).filter(Boolean),
      status: status.value,
      flagship: flagship.checked,
      start_date: startDate.value || null,
      end_date: endDate.value || null,
      epci: epciBoxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value),
      indicators: indicatorBoxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value),
      budgets: budgetLines.map((l, i) => ({ year: amounts[3 * i], planned: amounts[3 * i + 1], actual: amounts[3 * i + 2] })),
    };
    try {
      if (a) await send('PATCH', `/api/actions/${a.id}`, body);
      else await send('POST', '/api/actions', { orientation_id: orientation.id, ...body });
      await onDone();
      say('Action enregistrée.');
    } catch (err) { say(err.message, true); }
  });
  return form;
}

function historyButton(entity, id) {
  const holder = el('div');
  const button = el('button', { type: 'button', class: 'btn btn--small', text: 'Historique' });
  button.addEventListener('click', async () => {
    try {
      const h = await api(`/api/history?entity=${entity}&id=${encodeURIComponent(id)}`);
      holder.replaceChildren(historyList(h.items || []));
    } catch (err) { say(err.message, true); }
  });
  return el('span', {}, button, holder);
}

const OPERATION = { create: 'création', update: 'modification', delete: 'suppression', transition: 'étape' };
/** A workflow status as staff read it (« Validé (commission) »), never its internal code. */
const statusLabel = (code) => (STEPS.find(([s]) => s === code) || [])[1] || code;

function historyList(items) {
  if (!items.length) return el('p', { class: 'muted', text: 'Aucune modification.' });
  return el('ol', { class: 'history', 'data-testid': 'history' }, items.map((c) => {
    const changed = c.operation === 'update' && c.before && c.after && typeof c.before === 'object'
      ? Object.keys(c.after).filter((k) => JSON.stringify(c.before[k]) !== JSON.stringify(c.after[k]) && k !== 'updated_at')
      : [];
    return el('li', {}, `${new Date(c.at).toLocaleString('fr-FR')} — ${c.username} — ${OPERATION[c.operation] || c.operation}`,
      c.operation === 'transition' && c.after ? ` → ${statusLabel(c.after.status)}` : '',
      changed.length ? el('span', { class: 'muted', text: ` (${changed.join(', ')})` }) : null);
  }));
}

async function renderPlanCard(editable) {
  const q = `territory=${encodeURIComponent(ctx.territory.code)}&edition=${ctx.edition}`;
  const [orientations, actions] = await Promise.all([api(`/api/orientations?${q}`), api(`/api/actions?${q}`)]);
  const reload = () => openWorkspace();
  const card = el('section', { class: 'page-card', 'data-testid': 'staff-plan', 'aria-labelledby': 'plan-title' },
    el('h2', { id: 'plan-title', text: "Orientations et plan d'action" }));
  const list = orientations.items || [];
  if (!list.length) card.append(el('p', { class: 'muted', text: 'Aucune orientation pour cette édition.' }));
  for (const o of list) {
    const mine = (actions.items || []).filter((a) => a.orientation_id === o.id);
    const section = el('section', { class: 'orientation', 'data-testid': 'staff-orientation' },
      el('h3', { class: 'orientation-title' }, o.title, el('span', { class: 'orientation-period', text: ` ${o.period_start}–${o.period_end}` })),
      o.description ? el('p', { class: 'orientation-desc', text: o.description }) : null);
    const tools = el('div', { class: 'form-actions' });
    if (editable) {
      const editHolder = el('div');
      tools.append(
        el('button', { type: 'button', class: 'btn btn--small', text: 'Modifier', onclick: () => editHolder.replaceChildren(orientationForm(o, reload)) }),
        el('button', {
          type: 'button', class: 'btn btn--small btn--danger', text: 'Supprimer',
          onclick: async () => {
            if (!window.confirm(`Supprimer l'orientation « ${o.title} » et ses actions ? (l'historique la garde)`)) return;
            try { await send('DELETE', `/api/orientations/${o.id}`); await reload(); say('Orientation supprimée.'); } catch (err) { say(err.message, true); }
          },
        }));
      section.append(tools, editHolder);
    }
    tools.append(historyButton('orientation', o.id));
    if (!editable) section.append(tools);
    for (const a of mine) {
      const holder = el('div');
      const statusLabel = (ACTION_STATUSES.find(([v]) => v === a.status) || [])[1] || a.status;
      const item = el('article', { class: `action-card${a.flagship ? ' is-flagship' : ''}`, 'data-testid': 'staff-action' },
        el('header', { class: 'action-head' },
          a.flagship ? el('span', { class: 'tag tag--flagship', text: 'Opération phare' }) : null,
          el('span', { class: `tag tag--status tag--${a.status}`, text: statusLabel })),
        el('h4', { class: 'action-title', text: a.title }),
        a.pilot ? el('p', { class: 'action-desc', text: `Pilote : ${a.pilot}` }) : null);
      const row = el('div', { class: 'form-actions' });
      if (editable) {
        row.append(
          el('button', { type: 'button', class: 'btn btn--small', text: 'Modifier', onclick: () => holder.replaceChildren(actionForm(o, a, reload)) }),
          el('button', {
            type: 'button', class: 'btn btn--small btn--danger', text: 'Supprimer',
            onclick: async () => {
              if (!window.confirm(`Supprimer l'action « ${a.title} » ? (l'historique la garde)`)) return;
              try { await send('DELETE', `/api/actions/${a.id}`); await reload(); say('Action supprimée.'); } catch (err) { say(err.message, true); }
            },
          }));
      }
      row.append(historyButton('action', a.id));
      item.append(row, holder);
      section.append(item);
    }
    if (editable) {
      const newHolder = el('div');
      section.append(el('button', { type: 'button', class: 'btn btn--small', 'data-testid': 'action-add', text: 'Ajouter une action', onclick: () => newHolder.replaceChildren(actionForm(o, null, reload)) }), newHolder);
    }
    card.append(section);
  }
  if (editable) card.append(orientationForm(null, reload));
  return card;
}

// ---------------------------------------------------------------------------------------------
// Page

async function openWorkspace() {
  const code = $('territory').value;
  ctx.territory = ctx.territories.find((t) => t.code === code);
  ctx.edition = Number($('edition').value);
  const ws = $('workspace');
  if (!ctx.territory || !ctx.edition) {
    ws.replaceChildren(el('p', { class: 'muted', text: 'Choisissez un territoire et une édition.' }));
    return;
  }
  history.replaceState(null, '', `#territoire=${encodeURIComponent(code)}&edition=${ctx.edition}`);
  $('page').setAttribute('aria-busy', 'true');
  try {
    const list = await api(`/api/portraits?territory=${encodeURIComponent(code)}&edition=${ctx.edition}`);
    const exists = (list.items || []).length > 0;
    const p = exists ? await api(`/api/portraits/${encodeURIComponent(code)}/${ctx.edition}`) : null;
    const editable = canEdit(code);
    const parts = [renderPortraitCard(p, editable), await renderPlanCard(editable)];
    if (p) {
      parts.push(el('section', { class: 'page-card', 'aria-labelledby': 'history-title' },
        el('h2', { id: 'history-title', text: 'Historique du portrait' }),
        historyList((await api(`/api/history?entity=portrait&id=${encodeURIComponent(`${code}/${ctx.edition}`)}`)).items || [])));
    }
    ws.replaceChildren(...parts);
  } catch (err) {
    ws.replaceChildren(el('p', { class: 'notice notice--error', role: 'alert', text: err.message }));
  } finally {
    $('page').removeAttribute('aria-busy');
    document.body.dataset.workspace = `${code}/${ctx.edition}`;
    refreshDashboard();
  }
}

/** The dashboard at the top of the page (portraits × editions, changes, imports). */
function refreshDashboard() {
  return renderDashboard($('dashboard'), {
    territories: ctx.territories,
    years: ctx.years,
    statusLabel,
    user: ctx.session.user,
    open: (code, year) => {
      $('territory').value = code;
      $('edition').value = String(year);
      say('');
      openWorkspace().then(() => $('workspace').scrollIntoView({ block: 'start' }));
    },
  });
}

/** Starts the compendium of the chosen edition and polls its progress until the download link. */
async function generateRecueil() {
  const button = $('recueil-start');
  const bar = $('recueil-progress');
  const status = $('recueil-status');
  const link = $('recueil-download');
  const odt = $('recueil-download-odt');
  button.disabled = true;
  link.hidden = true;
  odt.hidden = true;
  try {
    let job = await send('POST', '/api/recueils', { edition: Number($('edition').value) });
    bar.hidden = false;
    while (job.status === 'running') {
      bar.max = job.total;
      bar.value = job.done;
      status.textContent = `Génération… ${job.done} / ${job.total}`;
      await new Promise((resolve) => { setTimeout(resolve, 500); });
      job = await api(`/api/recueils/${job.id}`);
    }
    if (job.status !== 'done') throw new Error(job.error || 'la génération a échoué');
    bar.value = bar.max;
    status.textContent = `Recueil ${job.edition} prêt.`;
    link.href = job.download;
    link.hidden = false;
    if (job.download_odt) {
      odt.href = job.download_odt;
      odt.hidden = false;
    }
  } catch (err) {
    status.textContent = '';
    say(`Recueil : ${err.message}`, true);
  } finally {
    button.disabled = false;
  }
}

async function main() {
  const session = await api('/api/session');
  if (!session.authenticated) {
    window.location.assign(`/connexion?suite=${encodeURIComponent('/espace')}`);
    return;
  }
  ctx.session = session;
  $('who').textContent = `${session.user.display_name} (${session.user.role_label})`;
  $('logout').addEventListener('click', async () => {
    try { await send('POST', '/api/logout'); } catch { /* the session is gone anyway */ }
    window.location.assign('/');
  });
  if (session.user.is_partner) {
    // A partner proposes (espace-propositions.js); the staff's tools are not its own.
    document.querySelectorAll('.staff-only').forEach((node) => { node.hidden = true; });
    $('page').removeAttribute('aria-busy');
    return;
  }
  const [meta, territories, epci, editions, catalogue] = await Promise.all([
    api('/api/meta'), api('/api/territories'), api('/api/epci'), api('/api/editions'), api('/api/indicators/catalogue'),
  ]);
  ctx.meta = meta;
  ctx.epci = epci.items || [];
  ctx.catalogue = catalogue.items || [];
  ctx.territories = [...(territories.items || []).map((t) => ({ code: String(t.code), name: t.name })),
    { code: String(meta.department.code), name: `${meta.department.name} (département)` }];
  // A referent's own territories first.
  const own = session.user.territories || [];
  const sorted = [...ctx.territories].sort((a, b) => Number(own.includes(b.code)) - Number(own.includes(a.code)));
  $('territory').replaceChildren(...sorted.map((t) => el('option', { value: t.code, text: `${t.name}${canEdit(t.code) ? '' : ' (lecture seule)'}` })));
  const years = (editions.items || []).map((e) => e.year).sort((a, b) => b - a);
  ctx.years = years;
  $('edition').replaceChildren(...years.map((y) => el('option', { value: y, text: String(y) })));
  const hash = new URLSearchParams(window.location.hash.slice(1));
  if (hash.get('territoire')) $('territory').value = hash.get('territoire');
  if (hash.get('edition')) $('edition').value = hash.get('edition');
  $('recueil-start').addEventListener('click', generateRecueil);
  $('choose').addEventListener('submit', (e) => { e.preventDefault(); say(''); openWorkspace(); });
  renderImports($('imports'), ctx, years, {
    canImport: Boolean(session.user.can_import),
    onImported: refreshDashboard,
  });
  if (!years.length) {
    refreshDashboard();
    $('workspace').replaceChildren(el('p', { class: 'muted', text: 'Aucune édition : importez d’abord des données (ess-atlas import sirene).' }));
    $('page').removeAttribute('aria-busy');
    return;
  }
  await openWorkspace();
}

main().catch((err) => {
  say(`La page n'a pas pu être chargée. ${err.message || ''}`, true);
  $('page').removeAttribute('aria-busy');
});
