// ess-atlas — small helpers shared by the modules of the page (DOM, French formats, API).

import { reportDown, reportUp } from './connection.js';

export const nfInt = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
export const nfArea = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
export const nfPct = new Intl.NumberFormat('fr-FR', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const fmtInt = (n) => (Number.isFinite(n) ? nfInt.format(n) : '—');
export const fmtArea = (n) => (Number.isFinite(n) ? `${nfArea.format(n)} km²` : '—');
export const fmtPop = (n) => (Number.isFinite(n) ? `${nfInt.format(n)} hab.` : '—');

export function plural(n, one, many) {
  return `${fmtInt(n)} ${n > 1 ? many : one}`;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** The message of a request that got no answer (connection.js clears it once the server is back). */
export const SERVER_DOWN = 'Le serveur ne répond pas. Vérifiez votre connexion.';

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** GET a JSON document from our API; errors carry a French message. */
export async function api(path, { signal } = {}) {
  let res;
  try {
    res = await fetch(path, { headers: { Accept: 'application/json' }, signal });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    reportDown();
    throw new ApiError(SERVER_DOWN, 0);
  }
  reportUp();
  if (!res.ok) {
    let detail = '';
    try {
      const body = await res.json();
      detail = body && body.message ? ` (${body.message})` : '';
    } catch { /* not JSON */ }
    const what = res.status === 404 ? 'Élément introuvable' : `Erreur du serveur ${res.status}`;
    throw new ApiError(`${what}${detail}.`, res.status);
  }
  try {
    return await res.json();
  } catch {
    throw new ApiError('Réponse du serveur illisible.', res.status);
  }
}

/**
 * A staff space mutation: `body` as JSON with the session's CSRF token. Resolves to the
 * JSON answer (or null); throws the server's message, capitalised. A 401 (the session
 * ended) leads to the login page, which comes back to /espace.
 */
export async function sendJson(method, path, body, csrf) {
  const res = await fetch(path, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    window.location.assign(`/connexion?suite=${encodeURIComponent('/espace')}`);
    throw new Error('Session expirée : reconnectez-vous.');
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const m = (json && json.message) || `erreur ${res.status}`;
    throw new Error(m.charAt(0).toUpperCase() + m.slice(1));
  }
  return json;
}
