// ess-atlas — the staff space's « tableau de bord » (issue 19, item 9), at the top of
// /espace: every territory's portrait per edition with who must act next, the latest
// changes (the history API) and the latest imports of each edition. Read-only: a cell
// opens the territory's workspace below.

import { api, el } from './util.js';
import { KIND_LABELS, count, counted, dateTime } from './espace-format.js';

/** Workflow status → its label and what comes next, by whom. */
const NEXT = {
  absent: ['Pas de portrait', 'à rédiger par le référent du territoire'],
  brouillon: ['Brouillon', 'à soumettre par le référent du territoire'],
  soumis: ['Soumis', 'à valider en commission territoriale (chargé de mission)'],
  valide: ['Validé (commission)', 'à faire adopter par l’Assemblée départementale (chargé de mission)'],
  adopte: ['Adopté (Assemblée)', 'à publier (chargé de mission)'],
  publie: ['Publié', 'rien à faire'],
};

/** Statuses in the order of the workflow, for the counts line. */
const ORDER = ['absent', 'brouillon', 'soumis', 'valide', 'adopte', 'publie'];

const OPERATIONS = { create: 'création', update: 'modification', delete: 'suppression', transition: 'changement d’étape' };
const ENTITIES = { portrait: 'portrait', orientation: 'orientation', action: 'action' };

/**
 * The portraits grid: one row per territory (the département last), one column per
 * edition (newest first); each cell says the status, who must act next, and whether it
 * is the signed-in `user`.
 */
function portraitsGrid(territories, years, portraits, open, user) {
  const byKey = new Map(portraits.map((p) => [`${p.territory}/${p.edition}`, p]));
  const tally = new Map(ORDER.map((s) => [s, 0]));
  let yoursCount = 0;
  const rows = territories.map((t) => el('tr', {},
    el('th', { scope: 'row', text: t.name }),
    years.map((y) => {
      const p = byKey.get(`${t.code}/${y}`);
      const status = p ? p.status : 'absent';
      tally.set(status, (tally.get(status) || 0) + 1);
      const [label, next] = NEXT[status] || [p.status_label, ''];
      const yours = isYours(user, status, t.code);
      if (yours) yoursCount += 1;
      return el('td', { 'data-territory': t.code, 'data-edition': y, 'data-status': status, 'data-testid': 'dashboard-cell' },
        el('button', {
          type: 'button', class: 'dash-cell',
          'aria-label': `${t.name}, édition ${y} : ${label}, ${next}. Ouvrir`,
          onclick: () => open(t.code, y),
        },
        el('span', { class: 'status-badge', 'data-status': status, text: label }),
        el('span', { class: 'dash-next', text: next }),
        yours ? el('span', { class: 'dash-yours', text: 'À vous d’agir' }) : null));
    })));
  const summary = [
    ...ORDER.filter((s) => tally.get(s) > 0).map((s) => `${NEXT[s][0]} : ${count(tally.get(s))}`),
    `à vous d’agir : ${count(yoursCount)}`,
  ].join(' · ');
  return el('div', {},
    el('p', { class: 'muted', 'data-testid': 'dashboard-tally', text: summary }),
    el('div', { class: 'table-scroll' },
      el('table', { class: 'kf-simple dash-grid', 'data-testid': 'dashboard-portraits' },
        el('caption', { class: 'visually-hidden', text: 'Portraits par territoire et par édition' }),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Territoire' }), years.map((y) => el('th', { scope: 'col', text: String(y) })))),
        el('tbody', {}, rows))));
}

/**
 * Must `user` act next on this portrait? A referent writes and submits its territories'
 * portraits; the roles that record decisions take the steps after submission.
 */
function isYours(user, status, code) {
  if (!user) return false;
  if (status === 'absent' || status === 'brouillon') return user.role === 'referent' && (user.territories || []).includes(code);
  return ['soumis', 'valide', 'adopte'].includes(status) && Boolean(user.can_record_decisions);
}

/** What a change is about, in French: « portrait Arrageois 2023 », « action « Tiers-lieu » ». */
function changeSubject(c, names) {
  const kind = ENTITIES[c.entity] || c.entity;
  if (c.entity === 'portrait') {
    const [code, year] = String(c.entity_id).split('/');
    return `${kind} ${names.get(code) || code} ${year || ''}`.trim();
  }
  const state = c.after || c.before || {};
  return state.title ? `${kind} « ${state.title} »` : `${kind} n° ${c.entity_id}`;
}

function recentChanges(changes, names, statusLabel) {
  if (!changes.length) return el('p', { class: 'muted', text: 'Aucune modification enregistrée.' });
  return el('ol', { class: 'history', 'data-testid': 'dashboard-changes' }, changes.map((c) => el('li', {},
    `${dateTime(c.at)} — ${c.username} — ${OPERATIONS[c.operation] || c.operation} : ${changeSubject(c, names)}`,
    c.operation === 'transition' && c.after && c.after.status ? ` → ${statusLabel(c.after.status)}` : '')));
}

/** The stored report's one line: « 12 345 lignes lues, 12 000 conservées ». */
function reportCounts(report) {
  const files = report.files || [];
  const read = files.reduce((n, f) => n + (f.rows_read || 0), 0);
  const kept = files.reduce((n, f) => n + (f.rows_kept || 0), 0);
  const rejected = files.reduce((n, f) => n + (f.rows_rejected || 0), 0);
  return `${counted(read, 'ligne lue', 'lignes lues')}, ${counted(kept, 'conservée', 'conservées')}, ${counted(rejected, 'rejetée', 'rejetées')}`;
}

/** The short form for a table cell: « 69 442 conservées, 3 rejetées ». */
function keptCounts(report) {
  const files = report.files || [];
  const kept = files.reduce((n, f) => n + (f.rows_kept || 0), 0);
  const rejected = files.reduce((n, f) => n + (f.rows_rejected || 0), 0);
  return `${counted(kept, 'conservée', 'conservées')}${rejected ? `, ${counted(rejected, 'rejetée', 'rejetées')}` : ''}`;
}

/** Per edition, the latest import of each kind (reports come newest first). */
function latestImports(years, reportsByYear) {
  const kinds = Object.keys(KIND_LABELS);
  return el('div', { class: 'table-scroll' },
    el('table', { class: 'kf-simple', 'data-testid': 'dashboard-imports' },
      el('caption', { class: 'visually-hidden', text: 'Derniers imports par édition' }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Édition' }), kinds.map((k) => el('th', { scope: 'col', text: KIND_LABELS[k] })))),
      el('tbody', {}, years.map((y) => {
        const reports = reportsByYear.get(y) || [];
        return el('tr', { 'data-edition': y },
          el('th', { scope: 'row', text: String(y) }),
          kinds.map((k) => {
            const r = reports.find((x) => x.report && x.report.kind === k);
            return el('td', { 'data-kind': k, title: r ? reportCounts(r.report) : null }, r
              ? [el('span', { class: 'dash-date', text: dateTime(r.finished_at) }), el('span', { class: 'dash-next', text: keptCounts(r.report) })]
              : el('span', { class: 'muted', text: 'aucun' }));
          }));
      }))));
}

/**
 * Fills `holder` with the dashboard. `territories`: [{ code, name }] (département last);
 * `years`: newest first; `open(code, year)` opens that workspace; `user`: the session's.
 */
export async function renderDashboard(holder, { territories, years, open, statusLabel, user }) {
  holder.setAttribute('aria-busy', 'true');
  try {
    const [portraits, changes, ...reports] = await Promise.all([
      api('/api/portraits'),
      api('/api/history?limit=12'),
      ...years.map((y) => api(`/api/editions/${y}/reports`).catch(() => ({ items: [] }))),
    ]);
    const names = new Map(territories.map((t) => [t.code, t.name]));
    const reportsByYear = new Map(years.map((y, i) => [y, reports[i].items || []]));
    holder.replaceChildren(
      el('h2', { id: 'dash-portraits-title', text: 'Portraits : qui doit agir ?' }),
      years.length ? portraitsGrid(territories, years, portraits.items || [], open, user) : el('p', { class: 'muted', text: 'Aucune édition.' }),
      el('div', { class: 'dash-columns' },
        el('section', { 'aria-labelledby': 'dash-changes-title' },
          el('h2', { id: 'dash-changes-title', text: 'Dernières modifications' }),
          // The history answers oldest first: the newest on top here.
          recentChanges([...(changes.items || [])].reverse(), names, statusLabel)),
        el('section', { 'aria-labelledby': 'dash-imports-title' },
          el('h2', { id: 'dash-imports-title', text: 'Derniers imports' }),
          latestImports(years, reportsByYear))));
  } catch (err) {
    holder.replaceChildren(el('p', { class: 'notice notice--error', role: 'alert', text: `Tableau de bord indisponible : ${err.message}` }));
  } finally {
    holder.removeAttribute('aria-busy');
    holder.dataset.ready = 'true';
  }
}
