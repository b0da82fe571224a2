// ess-atlas — rendering of a published portrait (qualitative sections, orientations and
// actions), shared by the map's territory panel, the page /territoires/{code} and the
// staff space. The sections' HTML comes from the server, which escapes raw HTML and
// drops unsafe links (src/portraits/markdown.rs); every other text is inserted as text.

import { el, fmtInt } from './util.js';

const nfEuro = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
const nfEuroCents = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A budget as typed: « 12 500 € », and the cents when there are any (« 12 500,50 € »). */
export function fmtEuro(n) {
  if (!Number.isFinite(n)) return '—';
  return (Number.isInteger(Math.round(n * 100) / 100) ? nfEuro : nfEuroCents).format(n);
}

export function frenchDate(iso) {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  const text = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
  // French writes the first of a month « 1er » (as the documents do).
  return d.getUTCDate() === 1 ? text.replace(/^1(?=\s)/, '1er') : text;
}

/**
 * A block of server-rendered, sanitised Markdown. Under a heading of level `under` (1–6),
 * the block's own headings (« ## … » typed in a portrait) are moved below it, the highest
 * one level under, so that the page's outline never skips a level (axe `heading-order`).
 */
export function markdownBlock(html, attrs = {}, { under = 0 } = {}) {
  const div = el('div', { class: 'md', ...attrs });
  div.innerHTML = html; // sanitised by the server: raw HTML escaped, unsafe links dropped
  const headings = [...div.querySelectorAll('h1, h2, h3, h4, h5, h6')];
  if (under && headings.length) {
    const top = Math.min(...headings.map((h) => Number(h.tagName[1])));
    for (const h of headings) {
      const level = Math.min(6, under + 1 + Number(h.tagName[1]) - top);
      if (level === Number(h.tagName[1])) continue;
      const moved = document.createElement(`h${level}`);
      for (const a of h.attributes) moved.setAttribute(a.name, a.value);
      moved.append(...h.childNodes);
      h.replaceWith(moved);
    }
  }
  return div;
}

function hasText(html) {
  return typeof html === 'string' && html.trim() !== '';
}

/**
 * The partners' accepted proposals attached to one part of a portrait, as « Proposé par : … »
 * lines (« Contribution à cette section : … » for a section's text, a comment with its
 * text): `match(credit)` picks them.
 */
export function renderCredits(portrait, match) {
  const credits = (portrait.partner_credits || []).filter(match);
  if (!credits.length) return null;
  return el('div', { class: 'partner-credits', 'data-testid': 'partner-credits' }, credits.map((c) => (c.kind === 'commentaire'
    ? el('blockquote', { class: 'partner-comment' }, el('p', { text: c.body }), el('footer', { text: `Commentaire de : ${c.organisation}` }))
    : el('p', { class: 'partner-credit', text: `${c.kind === 'section' ? 'Contribution à cette section' : 'Proposé par'} : ${c.organisation}` }))));
}

/** The qualitative sections of a portrait, as <section>s with headings of `level`. */
export function renderSections(portrait, { level = 3 } = {}) {
  const h = `h${level}`;
  const out = [];
  const html = portrait.html || {};
  const credits = (section, title) => renderCredits(portrait, (c) => c.kind === 'section' && c.section === section
    && (title === undefined || c.title === title));
  if (hasText(html.jeux_acteurs)) {
    out.push(el('section', { class: 'portrait-section', 'data-testid': 'portrait-jeux-acteurs' },
      el(h, { class: 'portrait-section-title', text: "Jeux d'acteurs" }), markdownBlock(html.jeux_acteurs, {}, { under: level }),
      credits('jeux_acteurs')));
  }
  if (hasText(html.dynamiques_projets)) {
    out.push(el('section', { class: 'portrait-section', 'data-testid': 'portrait-dynamiques' },
      el(h, { class: 'portrait-section-title', text: 'Dynamiques de projets' }), markdownBlock(html.dynamiques_projets, {}, { under: level }),
      credits('dynamiques_projets')));
  }
  for (const s of html.free_sections || []) {
    out.push(el('section', { class: 'portrait-section' },
      el(h, { class: 'portrait-section-title', text: s.title }), markdownBlock(s.html, {}, { under: level }),
      credits('libre', s.title)));
  }
  return out;
}

/** The steps recorded for a portrait: « Validé par la commission territoriale le … (Commission territoriale, décision …) ». */
export function renderDecisions(portrait) {
  const steps = (portrait.transitions || []).filter((t) => t.decision_ref || t.to_status === 'publie');
  if (!steps.length) return null;
  return el('ul', { class: 'portrait-decisions', 'data-testid': 'portrait-decisions' },
    steps.map((t) => {
      const label = `${t.to_label.charAt(0).toUpperCase()}${t.to_label.slice(1)}`;
      const detail = [t.body, t.decision_ref ? `décision ${t.decision_ref}` : ''].filter(Boolean).join(', ');
      return el('li', {}, `${label} le ${frenchDate(t.at)}${detail ? ` (${detail})` : ''}`,
        t.username ? el('span', { class: 'muted', text: ` — ${t.username}` }) : null);
    }));
}

function budgetTotals(budgets) {
  let planned = 0; let actual = 0; let anyPlanned = false; let anyActual = false;
  for (const b of budgets || []) {
    if (Number.isFinite(b.planned)) { planned += b.planned; anyPlanned = true; }
    if (Number.isFinite(b.actual)) { actual += b.actual; anyActual = true; }
  }
  return { planned: anyPlanned ? planned : null, actual: anyActual ? actual : null };
}

/**
 * One action as a card.
 * @param {object} a  an action of the API
 * @param {object} o  { epciName(siren) → string, showOrientation, headingLevel: of the title (4) }
 */
export function renderAction(a, { epciName = (s) => s, showOrientation = false, headingLevel = 4 } = {}) {
  const totals = budgetTotals(a.budgets);
  const dates = [a.start_date && `du ${frenchDate(a.start_date)}`, a.end_date && `au ${frenchDate(a.end_date)}`].filter(Boolean).join(' ');
  return el('article', { class: `action-card${a.flagship ? ' is-flagship' : ''}`, 'data-testid': 'action-card', 'data-action-id': a.id },
    el('header', { class: 'action-head' },
      a.flagship ? el('span', { class: 'tag tag--flagship', 'data-testid': 'action-flagship', text: 'Opération phare' }) : null,
      el('span', { class: `tag tag--status tag--${a.status}`, text: a.status_label || a.status })),
    el(`h${headingLevel}`, { class: 'action-title', text: a.title }),
    showOrientation && a.orientation_title ? el('p', { class: 'action-orientation', text: `Orientation : ${a.orientation_title}` }) : null,
    a.description ? el('p', { class: 'action-desc', text: a.description }) : null,
    el('dl', { class: 'action-meta' },
      a.pilot ? [el('dt', { text: 'Pilote' }), el('dd', { text: a.pilot })] : null,
      (a.partners || []).length ? [el('dt', { text: 'Partenaires' }), el('dd', { text: a.partners.join(', ') })] : null,
      (a.epci || []).length ? [el('dt', { text: 'EPCI concernés' }), el('dd', {},
        a.epci.flatMap((s, i) => [i ? ', ' : '', el('a', { href: `/epci/${encodeURIComponent(s)}`, text: epciName(s) })]))] : null,
      dates ? [el('dt', { text: 'Calendrier' }), el('dd', { text: dates })] : null,
      totals.planned !== null || totals.actual !== null ? [el('dt', { text: 'Budget' }), el('dd', {},
        `prévu ${fmtEuro(totals.planned)} · réalisé ${fmtEuro(totals.actual)}`,
        (a.budgets || []).length > 1 ? el('span', { class: 'muted', text: ` (${fmtInt(a.budgets.length)} années)` }) : null)] : null,
      (a.indicators || []).length ? [el('dt', { text: 'Indicateurs suivis' }), el('dd', { text: a.indicators.join(', ') })] : null));
}

/** The orientations of a portrait with their actions (flagship first). */
export function renderPlan(portrait, o = {}) {
  const list = portrait.orientations || [];
  if (!list.length) return null;
  return el('section', { class: 'portrait-plan', 'data-testid': 'portrait-plan' },
    el(`h${o.level || 3}`, { class: 'portrait-section-title', text: "Orientations et plan d'action" }),
    list.map((or) => el('section', { class: 'orientation', 'data-testid': 'orientation' },
      el('h4', { class: 'orientation-title' }, or.title,
        el('span', { class: 'orientation-period', text: ` ${or.period_start}–${or.period_end}` })),
      or.description ? el('p', { class: 'orientation-desc', text: or.description }) : null,
      renderCredits(portrait, (c) => c.orientation_id === or.id && c.action_id === null),
      (or.actions || []).length
        ? el('div', { class: 'action-list' }, or.actions.map((a) => {
          const card = renderAction(a, o);
          const credits = renderCredits(portrait, (c) => c.action_id === a.id);
          if (credits) card.append(credits);
          return card;
        }))
        : el('p', { class: 'muted', text: 'Aucune action pour cette orientation.' }))));
}
