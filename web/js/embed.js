// ess-atlas — « Intégrer cette carte »: the <iframe> snippet of the embeddable map
// (/embed, served by the server) for the view on screen.
//
// The view is read from the permalink (url.js), so this feature needs nothing from app.js
// but one call: initEmbedButton(). embedUrl / embedSnippet are pure (tested by
// web/test/embed.test.mjs under node); initEmbedButton adds the button to the indicator
// bar and opens a dialog with the snippet, a copy button and a preview link.

import { parseHash, parseZoneId } from './url.js';

/** The embed's zone parameter of an atlas zone id ("epci:200033579" → "epci/200033579"). */
const ZONE_PARAM = { department: 'departement', territory: 'territoire', epci: 'epci', commune: 'commune' };
/** The embed's filter of an atlas category ("family:cooperative" → family=cooperative). */
const CATEGORY_PARAM = { family: 'family', sector: 'sector', size: 'size' };

/**
 * The /embed URL of the view in `hash` (a permalink), on `origin`. Without a zone the map
 * shows the département; without an indicator, the atlas's default one.
 */
export function embedUrl(hash, origin) {
  const state = parseHash(hash);
  const params = new URLSearchParams();
  const zone = state.zone ? parseZoneId(state.zone) : null;
  if (zone && ZONE_PARAM[zone.level]) params.set('zone', `${ZONE_PARAM[zone.level]}/${zone.code}`);
  params.set('indicator', state.ind.indicator || 'ess_share_jobs');
  if (state.ind.edition) params.set('edition', String(state.ind.edition));
  const cat = state.ind.cat || '';
  const i = cat.indexOf(':');
  if (i > 0 && CATEGORY_PARAM[cat.slice(0, i)]) params.set(CATEGORY_PARAM[cat.slice(0, i)], cat.slice(i + 1));
  return `${String(origin).replace(/\/+$/, '')}/embed?${params.toString()}`;
}

const escapeAttr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The <iframe> snippet of `url`. */
export function embedSnippet(url, title = "Carte de l'économie sociale et solidaire — Atlas de l'ESS") {
  return `<iframe src="${escapeAttr(url)}" title="${escapeAttr(title)}" width="640" height="560" `
    + 'style="border:0;max-width:100%" loading="lazy"></iframe>';
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter(Boolean));
  return node;
}

/** The dialog, made on first use. */
function dialog() {
  let d = document.getElementById('embed-dialog');
  if (d) return d;
  const code = el('textarea', {
    id: 'embed-code', class: 'input', rows: '4', readonly: '', spellcheck: 'false',
    'data-testid': 'embed-code', 'aria-describedby': 'embed-help',
  });
  const copy = el('button', { type: 'button', class: 'btn btn--primary', 'data-testid': 'embed-copy', text: 'Copier le code' });
  const status = el('span', { class: 'embed-copied', role: 'status', 'aria-live': 'polite' });
  const preview = el('a', { target: '_blank', rel: 'noopener', 'data-testid': 'embed-preview', text: "Aperçu de la carte intégrée" });
  const close = el('button', { type: 'button', class: 'btn btn--ghost', text: 'Fermer' });
  d = el('dialog', { id: 'embed-dialog', class: 'embed-dialog', 'aria-labelledby': 'embed-dialog-title', 'data-testid': 'embed-dialog' },
    el('h2', { id: 'embed-dialog-title', text: 'Intégrer cette carte' }),
    el('p', {
      id: 'embed-help',
      text: 'Copiez ce code dans une page de votre site : la carte de la zone et de l’indicateur affichés, '
        + 'avec sa légende, sa source et un lien vers l’atlas. Les données sont publiques (secret statistique appliqué).',
    }),
    code,
    el('p', {}, copy, ' ', status),
    el('p', {}, preview),
    el('p', {}, close));
  copy.addEventListener('click', async () => {
    code.select();
    try {
      await navigator.clipboard.writeText(code.value);
      status.textContent = 'Copié';
    } catch {
      status.textContent = 'Sélectionné : copiez avec Ctrl+C';
    }
  });
  close.addEventListener('click', () => d.close());
  document.body.append(d);
  return d;
}

/** Fills and opens the dialog for the view on screen now. */
function open() {
  const d = dialog();
  const url = embedUrl(window.location.hash, window.location.origin);
  d.querySelector('#embed-code').value = embedSnippet(url);
  d.querySelector('[data-testid="embed-preview"]').setAttribute('href', url);
  d.querySelector('.embed-copied').textContent = '';
  if (typeof d.showModal === 'function') d.showModal();
  else d.setAttribute('open', '');
  d.querySelector('#embed-code').select();
}

/** Adds « Intégrer cette carte » to the indicator bar (shown with it). */
export function initEmbedButton() {
  const bar = document.getElementById('ind-bar');
  if (!bar || document.getElementById('embed-open')) return;
  const button = el('button', {
    type: 'button', id: 'embed-open', class: 'ind-table-toggle', 'data-testid': 'embed-open',
    title: 'Le code pour afficher cette carte sur un autre site (iframe)',
  }, el('span', { text: 'Intégrer cette carte' }));
  button.addEventListener('click', open);
  bar.append(button);
}
