// ess-atlas — imports in the staff space (issue 19, item 3): an edition's import reports
// in French (read, kept, excluded by reason, rejected lines with file, line, column and
// message, warnings), the subsidies not counted as ESS with why, and, for the roles that
// may import, the upload of the small files (SCDL subsidies, observatory aggregates):
// a dry run shown as a preview, then « Confirmer l'import » (the file is sent again with
// the preview's SHA-256; the server imports exactly what was previewed, all or nothing).
// The SIRENE stock files, already on the server, have their own form (espace-sirene.js).

import { api, el } from './util.js';
import { KIND_LABELS, count, counted, dateTime, euros, size } from './espace-format.js';
import { renderSireneImport } from './espace-sirene.js';

/** Largest file the server accepts from the browser (src/api/imports.rs, MAX_UPLOAD_BYTES). */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

const UPLOAD_KINDS = [
  ['subventions', 'Subventions du Département (fichier SCDL, CSV ou ZIP)'],
  ['observatoire', 'Agrégats de l’observatoire (CSV)'],
];

/** The counts of one file: a small table with the exclusions by their French label. */
function fileTable(files) {
  return el('table', { class: 'kf-simple', 'data-testid': 'report-files' },
    el('thead', {}, el('tr', {},
      ['Fichier', 'Lues', 'Conservées', 'Hors champ', 'Rejetées'].map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null, text: h })))),
    el('tbody', {}, files.flatMap((f) => {
      const excluded = Object.entries(f.rows_excluded || {}).filter(([, n]) => n > 0);
      const total = excluded.reduce((n, [, v]) => n + v, 0);
      return [
        el('tr', {},
          el('td', { text: f.file }),
          el('td', { class: 'num', text: count(f.rows_read) }),
          el('td', { class: 'num', text: count(f.rows_kept) }),
          el('td', { class: 'num', text: count(total) }),
          el('td', { class: 'num', text: count(f.rows_rejected) })),
        excluded.length ? el('tr', { class: 'report-excluded' }, el('td', { colspan: 5 },
          el('span', { class: 'muted', text: 'Hors champ : ' }),
          excluded.map(([code, n]) => `${(f.rows_excluded_labels || {})[code] || code} (${count(n)})`).join(' ; '))) : null,
      ];
    })));
}

/** Rejected rows or warnings: file, line, column and the whole French sentence. */
function issuesTable(issues, total, what, testid) {
  if (!total) return null;
  const shown = issues.length;
  return el('details', { class: 'report-issues', open: testid === 'report-rejected' ? true : null },
    el('summary', { text: `${counted(total, what[0], what[1])}${shown < total ? ` (les ${count(shown)} premières détaillées)` : ''}` }),
    el('div', { class: 'table-scroll' }, el('table', { class: 'kf-simple', 'data-testid': testid },
      el('thead', {}, el('tr', {}, ['Fichier', 'Ligne', 'Colonne', 'Motif'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, issues.map((r) => el('tr', { title: r.message || '' },
        el('td', { text: r.file }),
        el('td', { class: 'num', text: r.line ? count(r.line) : '—' }),
        el('td', { text: r.field || '—' }),
        el('td', { text: r.reason })))))));
}

/** The subsidies figures of a report's summary, in euros. */
function subsidySummary(summary) {
  if (!summary || summary.granted_total === undefined) return null;
  const by = summary.granted_by_status || {};
  const lines = summary.lines_by_status || {};
  const row = (label, amount, n) => el('tr', {}, el('th', { scope: 'row', text: label }),
    el('td', { class: 'num', text: n === undefined ? '' : counted(n || 0, 'ligne', 'lignes') }),
    el('td', { class: 'num', text: euros(amount || 0) }));
  return el('table', { class: 'kf-simple', 'data-testid': 'report-subsidies' },
    el('caption', { class: 'report-caption', text: 'Rapprochement des bénéficiaires' }),
    el('tbody', {},
      row('Total du fichier', summary.granted_total),
      row('ESS (quatre familles, comptées dans les indicateurs)', summary.ess_total, lines.ess),
      row('Hors ESS', by.non_ess, lines.non_ess),
      row('Non rapprochés', by.unmatched, lines.unmatched)));
}

/** One report, as the preview or the list of stored reports shows it. */
export function renderReport(report, { title, finishedAt } = {}) {
  const summary = report.summary || {};
  const accepted = summary.accepted_despite || [];
  const warnings = report.warnings || [];
  return el('article', { class: 'report', 'data-testid': 'import-report', 'data-kind': report.kind },
    title ? el('h4', { text: title }) : null,
    finishedAt ? el('p', { class: 'muted', text: `Terminé le ${dateTime(finishedAt)}${report.seconds ? ` en ${count(Math.max(1, Math.round(report.seconds)))} s` : ''}` }) : null,
    fileTable(report.files || []),
    subsidySummary(summary),
    accepted.length ? el('ul', { class: 'notice notice--error' }, accepted.map((a) => el('li', { text: a }))) : null,
    issuesTable(report.rejected || [], (report.files || []).reduce((n, f) => n + (f.rows_rejected || 0), 0), ['ligne rejetée', 'lignes rejetées'], 'report-rejected'),
    issuesTable(warnings, report.warnings_total || warnings.length, ['avertissement', 'avertissements'], 'report-warnings'),
    summary.rapprochement ? el('p', { class: 'muted', text: summary.rapprochement }) : null);
}

/** The beneficiaries not counted as ESS: line, name, identifier, amount, status, reason. */
function notCountedTable(items, testid) {
  return el('div', { class: 'table-scroll' }, el('table', { class: 'kf-simple', 'data-testid': testid },
    el('thead', {}, el('tr', {}, ['Ligne', 'Bénéficiaire', 'SIRET / SIREN / RNA', 'Montant reçu', 'Statut', 'Motif'].map((h, i) => el('th', { scope: 'col', class: i === 0 || i === 3 ? 'num' : null, text: h })))),
    el('tbody', {}, items.map((l) => el('tr', { 'data-status': l.status },
      el('td', { class: 'num', text: count(l.line) }),
      el('td', { text: l.beneficiary_name || '—' }),
      el('td', { text: [l.beneficiary_id, l.rna].filter(Boolean).join(' · ') || '—' }),
      el('td', { class: 'num', text: euros(l.granted) }),
      el('td', { text: l.status_label || l.status }),
      el('td', { text: l.reason || '' }))))));
}

/** Stored reports and the subsidies not counted of `year`, into `holder`. */
async function renderStored(holder, year) {
  holder.setAttribute('aria-busy', 'true');
  try {
    const reports = (await api(`/api/editions/${year}/reports`)).items || [];
    let unmatched = null;
    if (reports.some((r) => r.report.kind === 'subventions')) {
      unmatched = await api(`/api/editions/${year}/subsidies/unmatched`);
    }
    // The latest report of each kind first, the older ones folded.
    const latest = new Set();
    const parts = [];
    for (const r of reports) {
      const first = !latest.has(r.report.kind);
      latest.add(r.report.kind);
      const body = renderReport(r.report, { finishedAt: r.finished_at });
      const verdict = r.report.summary && r.report.summary.verdict;
      parts.push(el('details', { class: 'report-entry', open: first ? true : null, 'data-testid': 'stored-report', 'data-kind': r.report.kind },
        el('summary', {}, el('strong', { text: `${KIND_LABELS[r.report.kind] || r.report.kind} — ${dateTime(r.finished_at)}` }),
          first ? null : el('span', { class: 'muted', text: ' (import remplacé)' })),
        verdict ? el('p', { text: verdict }) : null,
        body));
    }
    holder.replaceChildren(
      el('h3', { text: `Rapports d’import de l’édition ${year}` }),
      parts.length ? el('div', {}, parts) : el('p', { class: 'muted', text: 'Aucun import enregistré pour cette édition.' }),
      el('h3', { text: 'Subventions non comptées dans l’ESS' }),
      unmatched
        ? (unmatched.items.length
          ? el('div', {},
            el('p', { 'data-testid': 'unmatched-total', text: `${counted(unmatched.count, 'ligne', 'lignes')}, ${euros(unmatched.granted)} : bénéficiaires non rapprochés du répertoire ou hors ESS. Elles ne sont comptées dans aucun indicateur.` }),
            notCountedTable(unmatched.items, 'unmatched-table'))
          : el('p', { class: 'muted', text: 'Tous les bénéficiaires du fichier sont rapprochés d’une organisation de l’ESS.' }))
        : el('p', { class: 'muted', text: 'Aucun fichier de subventions importé pour cette édition.' }));
  } catch (err) {
    holder.replaceChildren(el('p', { class: 'notice notice--error', role: 'alert', text: `Rapports indisponibles : ${err.message}` }));
  } finally {
    holder.removeAttribute('aria-busy');
  }
}

/**
 * POSTs `file` as the request body with the CSRF token, reporting upload progress to
 * `onProgress(fraction)`; resolves to { status, json }.
 */
function postFile(url, file, csrf, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.upload.addEventListener('load', () => onProgress(1));
    xhr.addEventListener('load', () => {
      let json = null;
      try { json = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { json = null; }
      resolve({ status: xhr.status, json });
    });
    xhr.addEventListener('error', () => reject(new Error('Le serveur ne répond pas : rien n’a été importé.')));
    xhr.addEventListener('abort', () => reject(new Error('Envoi interrompu : rien n’a été importé.')));
    xhr.send(file);
  });
}

/** The error of an answer, in French, with a capital letter. */
function answerError(answer) {
  const m = (answer.json && answer.json.message) || `erreur ${answer.status}`;
  return m.charAt(0).toUpperCase() + m.slice(1);
}

/** The upload form: choose a kind and a file, preview, then confirm. */
function uploadForm(ctx, year, onImported) {
  const kind = el('select', { class: 'select', id: 'import-kind', 'data-testid': 'import-kind' },
    UPLOAD_KINDS.map(([v, l]) => el('option', { value: v, text: l })));
  // The browser's own file button speaks the browser's language: a French label instead.
  const file = el('input', { type: 'file', id: 'import-file', class: 'visually-hidden file-input', accept: '.csv,.zip,.txt,text/csv,application/zip', 'data-testid': 'import-file' });
  const fileName = el('span', { class: 'file-name', 'data-testid': 'import-file-name', text: 'Aucun fichier choisi' });
  file.addEventListener('change', () => {
    const f = file.files[0];
    fileName.textContent = f ? `${f.name} (${size(f.size)})` : 'Aucun fichier choisi';
  });
  const previewButton = el('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'import-preview', text: 'Vérifier le fichier (aperçu)' });
  const bar = el('progress', { max: 1, value: 0, hidden: true, 'data-testid': 'import-progress', 'aria-label': 'Progression de l’envoi' });
  const status = el('span', { role: 'status', 'data-testid': 'import-status' });
  const result = el('div', { 'data-testid': 'import-result', 'aria-live': 'polite' });
  const form = el('form', { class: 'form free-section', 'data-testid': 'import-form' },
    el('h3', { text: `Importer un fichier dans l’édition ${year}` }),
    el('p', { class: 'muted', text: `Fichiers de moins de ${count(MAX_UPLOAD_BYTES / (1024 * 1024))} Mo. L’aperçu lit et vérifie le fichier avec l’importeur de la ligne de commande sans rien modifier ; l’import ne remplace les données de l’édition qu’une fois confirmé, en une fois (tout ou rien). Les fichiers SIRENE (plusieurs Go) s’importent depuis le dossier d’import du serveur, plus bas, ou en ligne de commande (ess-atlas import sirene).` }),
    el('div', { class: 'form-row' },
      el('div', { class: 'field' }, el('label', { class: 'field-label', for: 'import-kind', text: 'Type de fichier' }), kind),
      el('div', { class: 'field' }, el('span', { class: 'field-label', text: 'Fichier' }),
        el('div', { class: 'file-pick' }, file, el('label', { class: 'btn', for: 'import-file', text: 'Choisir un fichier…' }), fileName))),
    el('div', { class: 'form-actions' }, previewButton, bar, status),
    result);

  let busy = false;
  const setBusy = (on, text) => {
    busy = on;
    previewButton.disabled = on;
    form.setAttribute('aria-busy', on ? 'true' : 'false');
    status.textContent = text || '';
  };

  /**
   * Sends the chosen file to `url`: the bar follows the upload, then turns indeterminate
   * (no `value`) while the server reads or imports (`verb`).
   */
  async function send(url, verb) {
    const f = file.files[0];
    bar.hidden = false;
    bar.value = 0;
    setBusy(true, 'Envoi du fichier… 0 %');
    const answer = await postFile(url, f, ctx.session.csrf, (done) => {
      if (done < 1) {
        bar.value = done;
        status.textContent = `Envoi du fichier… ${count(Math.floor(done * 100))} %`;
      } else {
        bar.removeAttribute('value');
        status.textContent = `${verb}…`;
      }
    });
    bar.value = 1;
    return answer;
  }

  function showPreview(p, f, chosenKind) {
    const accept = el('input', { type: 'checkbox', id: 'import-accept', 'data-testid': 'import-accept' });
    const confirm = el('button', { type: 'button', class: 'btn btn--primary', 'data-testid': 'import-confirm', text: 'Confirmer l’import' });
    const cancel = el('button', { type: 'button', class: 'btn', text: 'Annuler', onclick: () => { result.replaceChildren(); status.textContent = ''; bar.hidden = true; } });
    const refusal = p.refusal;
    if (refusal) confirm.disabled = true;
    accept.addEventListener('change', () => { confirm.disabled = Boolean(refusal) && !accept.checked; });
    confirm.addEventListener('click', async () => {
      if (busy) return;
      const params = new URLSearchParams({ file: f.name, sha256: p.sha256 });
      if (accept.checked) params.set('accept_drop', 'true');
      confirm.disabled = true;
      try {
        const answer = await send(`/api/editions/${year}/imports/${chosenKind}?${params}`, 'Import en cours, les données de l’édition sont remplacées');
        if (answer.status !== 200) throw new Error(answerError(answer));
        const r = answer.json.report;
        result.replaceChildren(el('p', { class: 'notice', 'data-testid': 'import-done', role: 'status', text: `Import terminé : ${(r.summary && r.summary.verdict) || 'l’édition a été mise à jour.'}` }));
        setBusy(false, '');
        await onImported();
      } catch (err) {
        setBusy(false, '');
        bar.hidden = true;
        confirm.disabled = false;
        result.append(el('p', { class: 'notice notice--error', role: 'alert', 'data-testid': 'import-error', text: err.message }));
      }
    });
    const notCounted = p.not_counted || [];
    result.replaceChildren(el('section', { class: 'report-preview', 'data-testid': 'import-preview-report', 'aria-labelledby': 'preview-title' },
      el('h4', { id: 'preview-title', text: `Aperçu — ${p.kind_label}, édition ${p.edition} : rien n’a encore été modifié` }),
      el('p', { class: 'muted', text: `${p.file}, ${size(p.bytes)}.` }),
      renderReport(p.report),
      notCounted.length ? el('details', { class: 'report-issues' },
        el('summary', { text: `${counted(p.not_counted_total, 'ligne ne sera pas comptée', 'lignes ne seront pas comptées')} dans l’ESS (${euros(p.not_counted_granted)})` }),
        notCountedTable(notCounted, 'preview-not-counted')) : null,
      refusal ? el('div', { class: 'notice notice--error', role: 'alert', 'data-testid': 'import-refusal' },
        el('p', { text: refusal.message }),
        el('label', { class: 'check' }, accept, 'Importer malgré ces écarts (je sais pourquoi le fichier diffère de l’import précédent)')) : null,
      el('div', { class: 'form-actions' }, confirm, cancel)));
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    result.replaceChildren();
    const f = file.files[0];
    if (!f) { status.textContent = 'Choisissez d’abord un fichier.'; file.focus(); return; }
    if (f.size > MAX_UPLOAD_BYTES) {
      result.replaceChildren(el('p', { class: 'notice notice--error', role: 'alert', 'data-testid': 'import-error', text: `Fichier de ${size(f.size)} : plus de ${count(MAX_UPLOAD_BYTES / (1024 * 1024))} Mo. Importez-le en ligne de commande (ess-atlas import).` }));
      return;
    }
    const chosenKind = kind.value;
    try {
      const answer = await send(`/api/editions/${year}/imports/${chosenKind}/preview?${new URLSearchParams({ file: f.name })}`, 'Lecture et vérification du fichier');
      if (answer.status !== 200) throw new Error(answerError(answer));
      setBusy(false, 'Aperçu prêt : vérifiez-le, puis confirmez.');
      showPreview(answer.json, f, chosenKind);
    } catch (err) {
      setBusy(false, '');
      bar.hidden = true;
      result.replaceChildren(el('p', { class: 'notice notice--error', role: 'alert', 'data-testid': 'import-error', text: err.message }));
    }
  });
  return form;
}

/**
 * The imports card of the staff space: an edition chooser, its reports and subsidies not
 * counted, and the upload form for the roles that may import.
 */
export function renderImports(holder, ctx, years, { canImport, onImported }) {
  const select = el('select', { class: 'select', id: 'imports-edition', 'data-testid': 'imports-edition' },
    years.map((y) => el('option', { value: y, text: String(y) })));
  const stored = el('div', { 'data-testid': 'imports-stored' });
  const upload = el('div');
  const sirene = el('div', { 'data-testid': 'sirene-import' });
  const show = async () => {
    const year = Number(select.value);
    upload.replaceChildren(canImport
      ? uploadForm(ctx, year, async () => { await renderStored(stored, year); await onImported(); })
      : el('p', { class: 'muted', text: 'L’import de fichiers est réservé aux chargés de mission.' }));
    await renderStored(stored, year);
  };
  select.addEventListener('change', show);
  holder.replaceChildren(
    el('h2', { id: 'imports-title', text: 'Imports et rapports' }),
    el('div', { class: 'form-row' }, el('div', { class: 'field' }, el('label', { class: 'field-label', for: 'imports-edition', text: 'Édition' }), select)),
    upload,
    sirene,
    stored);
  if (canImport) {
    renderSireneImport(sirene, ctx, years, {
      onImported: async (year) => {
        if (!years.includes(year)) {
          select.append(el('option', { value: year, text: String(year) }));
          years.push(year);
        }
        select.value = String(year);
        await show();
        await onImported();
      },
    });
  }
  return years.length ? show() : Promise.resolve();
}
