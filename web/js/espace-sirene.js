// ess-atlas — the SIRENE stock import in the staff space (issue 19, item 3). INSEE's
// files are gigabytes: the operator puts them in the server's import directory
// (`serve --import-dir`), a chargé de mission picks them by name here, starts the
// import of the command line (all or nothing, the same checks) and follows it: the
// step, the file, the lines read and the share of the file's size, polled from
// GET /api/imports/sirene/{id}; then the French report, or why nothing was changed.

import { api, el } from './util.js';
import { count, dateTime, size } from './espace-format.js';
import { renderReport } from './espace-imports.js';

/** How often the page asks how far the import got. */
const POLL_MS = 700;

const STEPS = ['etablissements', 'unites_legales', 'geolocalisation', 'writing'];

/** POSTs `body` as JSON with the session's CSRF token; resolves to { status, json }. */
async function postJson(path, body, csrf) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, json };
}

/** « Étape 1 sur 3 — lecture des établissements : F.csv, 12 345 lignes lues (45 %) ». */
export function progressText(job) {
  const p = job.progress || {};
  const steps = job.files && job.files.geolocalisation ? 3 : 2;
  if (p.step === 'waiting') return 'Import lancé, en attente de la lecture des fichiers…';
  if (p.step === 'writing') return `Fichiers lus : ${p.step_label}…`;
  const n = STEPS.indexOf(p.step) + 1;
  const share = Number.isFinite(p.fraction) ? ` (${count(Math.floor(p.fraction * 100))} %)` : '';
  return `Étape ${n} sur ${steps} — ${p.step_label} : ${p.file}, ${count(p.rows_read)} ${p.rows_read > 1 ? 'lignes lues' : 'ligne lue'}${share}`;
}

function fileSelect(id, files, preferred, optional) {
  const options = files.map((f) => el('option', { value: f.name, text: `${f.name} (${size(f.bytes)}${f.modified ? `, ${dateTime(f.modified)}` : ''})` }));
  const select = el('select', { class: 'select', id, 'data-testid': id, required: optional ? null : true },
    optional ? el('option', { value: '', text: '— aucun —' }) : null, options);
  const match = files.find((f) => f.kind === preferred);
  if (match) select.value = match.name;
  else if (optional) select.value = '';
  return select;
}

/**
 * The SIRENE card's content, into `holder`: the server's files, the form, the progress
 * of the running (or last) import and its report. `onImported` runs after a success.
 */
export async function renderSireneImport(holder, ctx, years, { onImported }) {
  const title = el('h3', { id: 'sirene-title', text: 'Importer un stock SIRENE depuis le serveur' });
  const bar = el('progress', { max: 1, hidden: true, 'data-testid': 'sirene-progress', 'aria-label': 'Progression de l’import SIRENE' });
  const status = el('div', { role: 'status', 'data-testid': 'sirene-status' });
  const result = el('div', { 'data-testid': 'sirene-result', 'aria-live': 'polite' });
  let listing;
  try {
    listing = await api('/api/imports/sirene');
  } catch (err) {
    holder.replaceChildren(title, el('p', { class: 'notice notice--error', role: 'alert', text: `Fichiers du serveur indisponibles : ${err.message}` }));
    return;
  }
  const intro = el('p', { class: 'muted', text: 'Les fichiers de stock de l’INSEE (StockEtablissement, StockUniteLegale, CSV ou ZIP, plusieurs Go) ne s’envoient pas depuis le navigateur : ils sont déposés sur le serveur, dans son dossier d’import. L’import remplace l’édition en une fois (tout ou rien), avec les mêmes contrôles que la ligne de commande ; le serveur reste utilisable pendant ce temps.' });
  if (!listing.configured) {
    holder.replaceChildren(title, intro, el('p', { class: 'muted', 'data-testid': 'sirene-unconfigured', text: 'Aucun dossier d’import n’est configuré sur ce serveur (option serve --import-dir) : les fichiers SIRENE s’importent en ligne de commande (ess-atlas import sirene).' }));
    return;
  }
  const files = listing.files || [];
  const edition = el('input', { type: 'number', class: 'input', id: 'sirene-edition', 'data-testid': 'sirene-edition', min: 1900, max: 2200, step: 1, required: true, value: String(years[0] || new Date().getFullYear()) });
  const date = el('input', { type: 'date', class: 'input', id: 'sirene-date', 'data-testid': 'sirene-date' });
  const et = fileSelect('sirene-etablissements', files, 'etablissements', false);
  const ul = fileSelect('sirene-unites', files, 'unites_legales', false);
  const geo = fileSelect('sirene-geolocalisation', files, 'geolocalisation', true);
  const accept = el('input', { type: 'checkbox', id: 'sirene-accept', 'data-testid': 'sirene-accept' });
  const startButton = el('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'sirene-start', text: 'Lancer l’import' });
  const field = (label, input, note) => el('div', { class: 'field' },
    el('label', { class: 'field-label', for: input.id, text: label }), input,
    note ? el('span', { class: 'muted field-note', text: note }) : null);
  const form = el('form', { class: 'form free-section', 'data-testid': 'sirene-form', 'aria-labelledby': 'sirene-title' },
    title, intro,
    files.length ? null : el('p', { class: 'notice', 'data-testid': 'sirene-empty', text: 'Le dossier d’import du serveur ne contient aucun fichier CSV ou ZIP.' }),
    el('div', { class: 'form-row' },
      field('Édition', edition, 'une année ; créée si elle n’existe pas'),
      field('Date de référence', date, 'facultative : celle de l’édition, sinon le 31 décembre')),
    el('div', { class: 'form-row' },
      field('Établissements', et),
      field('Unités légales', ul),
      field('Géolocalisation (facultatif)', geo)),
    el('label', { class: 'check' }, accept, 'Importer malgré les écarts des contrôles de vraisemblance (je sais pourquoi le fichier diffère de l’import précédent)'),
    el('div', { class: 'form-actions' }, startButton, bar),
    status,
    result);
  if (!files.length) startButton.disabled = true;
  holder.replaceChildren(form);

  const show = (job) => {
    bar.hidden = false;
    if (job.state === 'running') {
      if (Number.isFinite(job.progress && job.progress.fraction) && job.progress.step !== 'writing') bar.value = job.progress.fraction;
      else bar.removeAttribute('value');
      status.textContent = progressText(job);
      return;
    }
    bar.value = 1;
    if (job.state === 'done') {
      const verdict = job.report.summary && job.report.summary.verdict;
      status.textContent = '';
      result.replaceChildren(
        el('p', { class: 'notice', 'data-testid': 'sirene-done', text: `Import SIRENE terminé le ${dateTime(job.finished_at)} : ${verdict || `édition ${job.edition} mise à jour.`}` }),
        renderReport(job.report, { title: `Rapport de l’import SIRENE, édition ${job.edition}` }));
    } else {
      bar.hidden = true;
      status.textContent = '';
      const m = (job.error && job.error.message) || 'l’import n’a pas abouti ; rien n’a été modifié';
      result.replaceChildren(el('p', { class: 'notice notice--error', role: 'alert', 'data-testid': 'sirene-error', text: `${m.charAt(0).toUpperCase()}${m.slice(1)}` }));
    }
  };

  let polling = false;
  const follow = async (job) => {
    if (polling) return;
    polling = true;
    startButton.disabled = true;
    form.setAttribute('aria-busy', 'true');
    let current = job;
    try {
      show(current);
      while (current.state === 'running') {
        await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
        current = await api(current.status_url);
        show(current);
      }
      if (current.state === 'done') await onImported(current.edition);
    } catch (err) {
      result.replaceChildren(el('p', { class: 'notice notice--error', role: 'alert', 'data-testid': 'sirene-error', text: `Suivi de l’import interrompu : ${err.message}` }));
    } finally {
      polling = false;
      startButton.disabled = !files.length;
      form.setAttribute('aria-busy', 'false');
    }
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (polling) return;
    result.replaceChildren();
    const body = { edition: Number(edition.value), etablissements: et.value, unites_legales: ul.value };
    if (date.value) body.reference_date = date.value;
    if (geo.value) body.geolocalisation = geo.value;
    if (accept.checked) body.accept_drop = true;
    startButton.disabled = true;
    const answer = await postJson('/api/imports/sirene', body, ctx.session.csrf).catch(() => ({ status: 0, json: null }));
    if (answer.status !== 202) {
      startButton.disabled = false;
      const m = (answer.json && answer.json.message) || (answer.status ? `erreur ${answer.status}` : 'le serveur ne répond pas');
      result.replaceChildren(el('p', { class: 'notice notice--error', role: 'alert', 'data-testid': 'sirene-error', text: `${m.charAt(0).toUpperCase()}${m.slice(1)}` }));
      return;
    }
    await follow(answer.json);
  });

  // An import started earlier (another tab, before a reload): follow it, or show how it ended.
  if (listing.job) {
    if (listing.job.state === 'running') follow(listing.job);
    else show(listing.job);
  }
}
