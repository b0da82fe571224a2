// ess-atlas — the « indicateur affiché » card of a zone's panel: the dashboard's indicator
// for the zone, beside its parent and the département (bars for ratios), its evolution when
// an earlier edition is compared, and its rank among the zones of its level (the spread of
// the territories for the département). « s » and a note when the value is masked.

import { el, fmtInt } from '../util.js';
import { SECRET_LABEL, SECRET_MARK, fmtEvolution, fmtValue } from '../classify.js';
import { LEVEL_WORDS } from './words.js';

const nfOrdinal = (n) => (n === 1 ? '1er' : `${fmtInt(n)}e`);

/**
 * The « indicateur affiché » card of a zone's panel (value, parent, département, evolution,
 * rank) into `container`. `dataFor(level)` gives the /api/indicators answer of the dashboard's
 * choices; `compared` says whether an earlier edition is compared; `shortName(level, code)`.
 */
export async function renderCard(container, level, code, { dataFor, compared, shortName }) {
  const my = (container.dataset.token = String(Number(container.dataset.token || 0) + 1));
  container.setAttribute('aria-busy', 'true');
  let resp;
  try {
    resp = await dataFor(level === 'department' ? 'territory' : level);
  } catch (err) {
    if (container.dataset.token !== my) return;
    container.replaceChildren(el('p', { class: 'panel-error', text: `Indicateur indisponible. ${err.message || ''}` }));
    container.removeAttribute('aria-busy');
    return;
  }
  if (container.dataset.token !== my) return;
  container.removeAttribute('aria-busy');
  const ind = resp.indicator;
  const item = level === 'department' ? resp.department : (resp.items || []).find((it) => String(it.code) === String(code));
  if (!item) {
    container.replaceChildren(el('p', { class: 'panel-loading', text: "Pas de valeur de l'indicateur pour cette zone." }));
    return;
  }
  const dept = resp.department;
  const parent = level === 'department' ? null : item.parent;
  const parentIsDept = parent && dept && String(parent.code) === String(dept.code);
  const evoOn = compared;
  const cat = resp.category && resp.category.dimension !== 'total' ? resp.category.label : '';

  const big = item.secret
    ? el('p', { class: 'ind-card-value is-secret', 'data-testid': 'zone-indicator-value' },
      el('span', { class: 'secret-mark', text: SECRET_MARK }), ' ',
      el('span', { class: 'ind-card-secret', text: SECRET_LABEL }))
    : el('p', { class: 'ind-card-value', 'data-testid': 'zone-indicator-value' }, fmtValue(item.value, ind));
  const unitWord = ind.unit === '%' || ind.unit === '€' ? '' : String(ind.unit || '').replace(/\s*\(estimation\)/, '');
  const unit = [unitWord, ind.estimate ? 'effectif estimé' : '', `édition ${resp.edition}`].filter(Boolean).join(' · ');

  // Comparison with the parent and the département: bars for ratios, plain rows for counts.
  const refs = [{ label: 'Cette zone', short: (level !== 'department' && shortName(level, code)) || item.name, fig: item, self: true }];
  if (parent && !parentIsDept) refs.push({ label: LEVEL_WORDS[level].parent, short: level === 'commune' ? (shortName('epci', parent.code) || parent.name) : parent.name, fig: parent });
  if (dept && level !== 'department') refs.push({ label: 'Département', short: dept.name, fig: dept });
  let compare = null;
  if (refs.length > 1) {
    const max = Math.max(...refs.map((r) => (r.fig.secret || !Number.isFinite(r.fig.value) ? 0 : r.fig.value)), 0);
    const bars = !ind.additive && max > 0;
    compare = el('ul', { class: `ind-compare${bars ? ' ind-compare--bars' : ''}`, 'data-testid': 'zone-indicator-compare' },
      refs.map((r) => el('li', { class: r.self ? 'is-self' : null },
        el('span', { class: 'ind-compare-name' }, el('span', { class: 'ind-compare-kind', text: r.self ? 'Zone' : r.label }), ` ${r.short}`),
        bars ? el('span', { class: 'ind-compare-bar', 'aria-hidden': 'true' },
          el('i', { class: r.fig.secret ? 'swatch--secret' : null, style: `width:${r.fig.secret ? 100 : Math.max(1.5, (100 * (r.fig.value || 0)) / max)}%` })) : null,
        el('span', { class: `ind-compare-value${r.fig.secret ? ' is-secret' : ''}`, title: r.fig.secret ? SECRET_LABEL : null, text: r.fig.secret ? SECRET_MARK : fmtValue(r.fig.value, ind) }))));
  }

  let evolution = null;
  if (evoOn) {
    const ev = item.evolution || {};
    const a = ev.absolute || {};
    const p = ev.percent || {};
    const txt = (f, mode) => (f.secret ? SECRET_MARK : (Number.isFinite(f.value) ? fmtEvolution(f.value, ind, mode) : 'n.c.'));
    evolution = el('p', { class: 'ind-card-evo', 'data-testid': 'zone-indicator-evolution' },
      el('span', { class: 'ind-card-evo-label', text: `Depuis ${resp.compare_edition} : ` }),
      el('strong', { text: txt(a, 'evolution_absolute') }),
      ' (', el('strong', { text: txt(p, 'evolution_percent') }), ')',
      (a.secret || p.secret) ? el('span', { class: 'visually-hidden', text: ` ${SECRET_LABEL}` }) : null);
  }

  let rank = null;
  if (level !== 'department' && !item.secret && Number.isFinite(item.value)) {
    const vals = (resp.items || []).filter((it) => !it.secret && Number.isFinite(it.value)).map((it) => it.value);
    const r = 1 + vals.filter((v) => v > item.value).length;
    const masked = (resp.items || []).length - vals.length;
    rank = el('p', { class: 'ind-card-rank', 'data-testid': 'zone-indicator-rank' },
      `Rang : ${nfOrdinal(r)} sur ${fmtInt(vals.length)} ${LEVEL_WORDS[level].many}, de la plus forte à la plus faible valeur`,
      masked ? ` (${fmtInt(masked)} valeur${masked > 1 ? 's' : ''} masquée${masked > 1 ? 's' : ''} ou absente${masked > 1 ? 's' : ''})` : '', '.');
  }

  // The département: the spread of its territories (ratios only: counts do not compare).
  if (level === 'department' && !ind.additive) {
    const known = (resp.items || []).filter((it) => !it.secret && Number.isFinite(it.value));
    if (known.length >= 2) {
      const lo = known.reduce((a, b) => (b.value < a.value ? b : a));
      const hi = known.reduce((a, b) => (b.value > a.value ? b : a));
      rank = el('p', { class: 'ind-card-rank', 'data-testid': 'zone-indicator-spread' },
        `Territoires : de ${fmtValue(lo.value, ind)} (${lo.name}) à ${fmtValue(hi.value, ind)} (${hi.name}).`);
    }
  }

  container.replaceChildren(el('section', { class: 'ind-card', 'data-testid': 'zone-indicator', 'aria-labelledby': 'ind-card-title' },
    el('h3', { class: 'ind-card-title', id: 'ind-card-title' },
      el('span', { text: ind.label }),
      cat ? el('span', { class: 'ind-card-cat', text: cat }) : null),
    big,
    el('p', { class: 'ind-card-unit', text: unit }),
    item.secret ? el('p', { class: 'ind-card-note', text: 'Valeur masquée : elle permettrait de reconnaître un établissement (moins de 3 établissements, ou un seul qui porte plus de 85 % des emplois).' }) : null,
    evolution,
    compare,
    rank,
    resp.demo ? el('p', { class: 'demo-note', text: 'Données de démonstration (fictives)' }) : null));
}
