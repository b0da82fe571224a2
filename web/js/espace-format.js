// ess-atlas — French formats of the staff space's reports and dashboard: counts
// (« 12 345 »), euros (« 12 500,50 € »), dates of the server (UTC) in local French time.

const nfCount = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const nfEuro = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 0, maximumFractionDigits: 2 });

/** « 12 345 » (a narrow no-break space between groups); « — » for no number. */
export function count(n) {
  return Number.isFinite(n) ? nfCount.format(n) : '—';
}

/** « 12 500,50 € », « 3 000 € ». */
export function euros(n) {
  if (!Number.isFinite(n)) return '—';
  const text = Number.isInteger(n) ? nfCount.format(n) : new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
  return `${text === '-0' ? '0' : text}\u00a0€`;
}

/** « 1,2 Mo » for a size in bytes. */
export function size(bytes) {
  if (!Number.isFinite(bytes)) return '—';
  if (bytes < 1024) return `${count(bytes)} octets`;
  if (bytes < 1024 * 1024) return `${nfEuro.format(Math.round(bytes / 102.4) / 10)} ko`;
  return `${nfEuro.format(Math.round(bytes / (1024 * 102.4)) / 10)} Mo`;
}

/** « 1 ligne » / « 3 lignes ». */
export function counted(n, one, many) {
  return `${count(n)} ${n > 1 ? many : one}`;
}

/**
 * A server time (« 2026-12-05 07:40:12 » UTC, or ISO) in French local time:
 * « 05/12/2026 08:40 ».
 */
export function dateTime(text) {
  if (!text) return '—';
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return text;
  return d.toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' });
}

/** The French name of an import kind. */
export const KIND_LABELS = {
  sirene: 'SIRENE',
  observatoire: 'Observatoire (agrégats)',
  subventions: 'Subventions (SCDL)',
};
