// ess-atlas — the profile of a zone in the side panel (/api/zones/{level}/{code}/profile):
// key figures beside the parent and the département, bar charts by family, sector and size
// class, the series across editions, sources and method. Plain HTML and SVG, no chart library.

import { el, fmtInt } from './util.js';
import { SECRET_LABEL, SECRET_MARK, fmtEvolution, fmtValue } from './classify.js';
import { family } from './palettes.js';
import { deName } from './names.js';

const SVG = 'http://www.w3.org/2000/svg';
const BAR = '#2c7fb8';
const SECTOR_PREVIEW = 8;

/** Breakdown metrics (ids of the profile's breakdown rows). */
const METRICS = [
  { id: 'ess_establishments', label: 'Établissements', unit: 'établissements' },
  { id: 'ess_employers', label: 'Employeurs', unit: 'établissements employeurs' },
  { id: 'ess_jobs', label: 'Effectif estimé', unit: 'emplois estimés' },
  { id: 'ess_subsidies', label: 'Subventions', unit: '€' },
];
/** The Département's subsidy indicators: the breakdowns and series show the amounts. */
const SUBSIDY_IDS = ['ess_subsidies', 'ess_subsidies_per_job', 'ess_subsidies_per_inhabitant',
  'share_of_department_ess_subsidies', 'share_of_department_ess_jobs', 'subsidies_to_jobs_index'];
/** Which breakdown metric and series figure follow the indicator shown on the map. */
const FOLLOW = {
  ess_establishments: 'ess_establishments',
  ess_establishments_per_10000: 'ess_establishments',
  ess_employers: 'ess_employers',
  ess_jobs: 'ess_jobs',
  ess_jobs_per_1000: 'ess_jobs',
  ess_share_jobs: 'ess_jobs',
  share_of_ess_jobs: 'ess_jobs',
  ...Object.fromEntries(SUBSIDY_IDS.map((id) => [id, 'ess_subsidies'])),
};
const SERIES = [
  { id: 'ess_share_jobs', label: "Part dans l'emploi" },
  { id: 'ess_establishments', label: 'Établissements' },
  { id: 'ess_employers', label: 'Employeurs' },
  { id: 'ess_jobs', label: 'Effectif estimé' },
  { id: 'ess_subsidies', label: 'Subventions' },
];
const SERIES_FOLLOW = {
  ess_share_jobs: 'ess_share_jobs',
  ess_establishments: 'ess_establishments',
  ess_establishments_per_10000: 'ess_establishments',
  ess_employers: 'ess_employers',
  ess_jobs: 'ess_jobs',
  ess_jobs_per_1000: 'ess_jobs',
  share_of_ess_jobs: 'ess_jobs',
  ...Object.fromEntries(SUBSIDY_IDS.map((id) => [id, 'ess_subsidies'])),
};

/** Choices the user made in the panel, kept from one zone to the next. */
const ui = { metric: null, series: null, followed: null, sectorsAll: false };

function svg(tag, attrs = {}, ...kids) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) n.setAttribute(k, String(v));
  for (const k of kids.flat()) if (k) n.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return n;
}

function frenchDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  if (!m) return iso || '';
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

function figText(fig, ind) {
  if (!fig) return '—';
  if (fig.secret) return SECRET_MARK;
  return fmtValue(fig.value, ind);
}

function segmented(label, options, current, onPick, testid) {
  const box = el('div', { class: 'segmented segmented--small', role: 'group', 'aria-label': label, 'data-testid': testid });
  for (const o of options) {
    box.append(el('button', {
      type: 'button', class: 'segmented-btn', 'aria-pressed': String(o.id === current), 'data-id': o.id,
      onclick: () => {
        for (const b of box.children) b.setAttribute('aria-pressed', String(b.dataset.id === o.id));
        onPick(o.id);
      },
    }, o.label));
  }
  return box;
}

// ---------------------------------------------------------------------------------------------
// Key figures
// ---------------------------------------------------------------------------------------------

/** When the map is filtered on a category, say that these figures are about the whole ESS. */
function scopeNote(categoryLabel) {
  return categoryLabel
    ? el('p', { class: 'section-scope', text: `Toute l'ESS (4 familles) : le filtre « ${categoryLabel} » s'applique à la carte et à l'indicateur ci-dessus.` })
    : null;
}

function keyFigures(profile, { catalogue, indicatorId, levelWords, shortName, deptCode, deptName, categoryLabel }) {
  const zone = profile.zone;
  const figs = profile.key_figures || [];
  const first = figs[0] || {};
  const parent = first.parent && String(first.parent.code) !== String(deptCode) ? first.parent : null;
  const showDept = zone.level !== 'department';
  const cols = [{ label: 'Zone', title: zone.name }];
  if (parent) cols.push({ label: levelWords.parent, title: shortName(parent) });
  if (showDept) cols.push({ label: 'Dépt', title: `${deptName} (département)` });

  const rows = figs.map((f) => {
    const ind = catalogue.get(f.indicator) || { unit: f.unit, decimals: 0, additive: true };
    const cells = [f.zone];
    if (parent) cells.push(f.parent && f.parent.figure);
    if (showDept) cells.push(f.department);
    return el('tr', { class: f.indicator === indicatorId ? 'is-current' : null, 'data-indicator': f.indicator },
      el('th', { scope: 'row' },
        el('span', { class: 'kf-label', text: f.label }),
        f.estimate ? el('span', { class: 'tag tag--estimate', title: ind.method || '', text: 'effectif estimé' }) : null,
        f.unit && f.unit !== '%' && f.unit !== '€' && !f.unit.includes('estimation') ? el('span', { class: 'kf-unit', text: f.unit }) : null),
      cells.map((c, i) => el('td', {
        class: `num${c && c.secret ? ' is-secret' : ''}${i === 0 ? ' kf-zone' : ''}`,
        title: c && c.secret ? SECRET_LABEL : null,
        'data-testid': i === 0 ? 'zone-keyfigure' : null,
      }, figText(c, ind), c && c.secret ? el('span', { class: 'visually-hidden', text: ` (${SECRET_LABEL})` }) : null)));
  });
  const who = [parent ? `${levelWords.parent} : ${shortName(parent)}` : '', showDept ? `Dépt : ${deptName}` : ''].filter(Boolean).join(' · ');
  return el('section', { class: 'panel-section', 'data-testid': 'zone-keyfigures', 'aria-labelledby': 'kf-title' },
    el('h3', { class: 'panel-section-title', id: 'kf-title' }, 'Chiffres clés', el('span', { class: 'count', text: `${profile.edition}` })),
    scopeNote(categoryLabel),
    el('div', { class: 'table-wrap' },
      el('table', { class: 'kf-table' },
        el('caption', { class: 'visually-hidden', text: `Chiffres clés ${deName(zone.name)}, édition ${profile.edition}` }),
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col' }, el('span', { class: 'visually-hidden', text: 'Indicateur' })),
          cols.map((c) => el('th', { scope: 'col', class: 'num', title: c.title, text: c.label })))),
        el('tbody', {}, rows))),
    who ? el('p', { class: 'kf-who', text: who }) : null);
}

// ---------------------------------------------------------------------------------------------
// Breakdowns (HTML bars)
// ---------------------------------------------------------------------------------------------

function barChart(title, rows, metric, { colourOf, testid, collapse = 0, hiddenNote = '' }) {
  // Whole figures: an estimated job count has no meaningful decimal (issue 19).
  const ind = { additive: true, decimals: 0, unit: metric === 'ess_subsidies' ? '€' : '' };
  const vals = rows.map((r) => r[metric]).filter((f) => f && !f.secret && Number.isFinite(f.value)).map((f) => f.value);
  const max = Math.max(0, ...vals);
  const list = el('ul', { class: 'bars', 'data-testid': testid });
  const render = (all) => {
    const shown = collapse && !all ? rows.slice(0, collapse) : rows;
    list.replaceChildren(...shown.map((r) => {
      const f = r[metric] || {};
      const share = r.share_of_ess_jobs;
      const w = f.secret || !max ? 0 : (100 * (f.value || 0)) / max;
      return el('li', { class: 'bar-row', title: r.fullLabel || r.label },
        el('span', { class: 'bar-label' },
          r.code ? el('span', { class: 'bar-code', text: r.code }) : null,
          el('span', { class: 'bar-name', text: r.label }),
          r.outside ? el('span', { class: 'bar-star', title: 'hors totaux comparables Insee/CRESS', text: '*' }) : null),
        el('span', { class: 'bar-track', 'aria-hidden': 'true' },
          f.secret
            ? el('i', { class: 'bar-fill swatch--secret', style: 'width:100%' })
            : el('i', { class: 'bar-fill', style: `width:${w > 0 ? Math.max(w, 1) : 0}%;background:${colourOf(r)}` })),
        el('span', { class: `bar-value${f.secret ? ' is-secret' : ''}`, title: f.secret ? SECRET_LABEL : null },
          f.secret ? SECRET_MARK : fmtValue(f.value, ind),
          f.secret ? el('span', { class: 'visually-hidden', text: ` (${SECRET_LABEL})` }) : null,
          metric === 'ess_jobs' && share && !f.secret ? el('span', { class: 'bar-share', text: share.secret ? ` · ${SECRET_MARK}` : ` · ${fmtValue(share.value, { unit: '%', decimals: 1 })}` }) : null));
    }));
  };
  const section = el('section', { class: 'chart' }, el('h4', { class: 'chart-title', text: title }), list);
  if (collapse && rows.length > collapse) {
    const more = el('button', { type: 'button', class: 'btn btn--ghost btn--more', 'aria-expanded': String(ui.sectorsAll) });
    const label = () => (ui.sectorsAll ? 'Afficher les principaux secteurs' : `Afficher les ${fmtInt(rows.length)} secteurs`);
    more.textContent = label();
    more.addEventListener('click', () => {
      ui.sectorsAll = !ui.sectorsAll;
      more.setAttribute('aria-expanded', String(ui.sectorsAll));
      more.textContent = label();
      render(ui.sectorsAll);
    });
    render(ui.sectorsAll);
    section.append(more);
  } else {
    render(true);
  }
  if (hiddenNote) section.append(el('p', { class: 'chart-note', text: hiddenNote }));
  return section;
}

function breakdowns(profile, { indicatorId, catalogueRaw }) {
  const b = profile.breakdowns || {};
  const follow = FOLLOW[indicatorId] || 'ess_establishments';
  if (ui.followed !== indicatorId) {
    ui.metric = follow;
    ui.followed = indicatorId;
  }
  const metric = ui.metric || follow;
  const familiesIn = new Map(((catalogueRaw && catalogueRaw.families) || []).map((f) => [f.id, f]));
  const box = el('div', { class: 'charts' });
  const draw = (m) => {
    const fam = (b.family || []).map((r) => ({ ...r, outside: familiesIn.get(r.id) ? familiesIn.get(r.id).in_totals === false : r.id === 'societe_commerciale_ess' }));
    const sec = (b.sector || []).map((r) => ({ ...r, code: r.id || '', label: r.id ? r.label : 'Activité non renseignée', fullLabel: r.id ? `${r.id} · ${r.label}` : 'Activité non renseignée' }));
    const nonZero = sec.filter((r) => (r[m] && r[m].secret) || (r[m] && r[m].value > 0));
    const zero = sec.length - nonZero.length;
    // Largest first; masked rows after the known values.
    nonZero.sort((x, y) => {
      const a = x[m];
      const c = y[m];
      if (a.secret !== c.secret) return a.secret ? 1 : -1;
      return (c.value || 0) - (a.value || 0);
    });
    const size = b.size || [];
    const hasOutside = fam.some((r) => r.outside);
    box.replaceChildren(
      barChart('Par famille', fam, m, { colourOf: (r) => (family(r.id) ? family(r.id).colour : BAR), testid: 'zone-breakdown-family', hiddenNote: hasOutside ? '* Hors totaux comparables Insee/CRESS.' : '' }),
      barChart("Par secteur d'activité", nonZero, m, {
        colourOf: () => BAR, testid: 'zone-breakdown-sector', collapse: SECTOR_PREVIEW,
        hiddenNote: zero ? `${fmtInt(zero)} secteur${zero > 1 ? 's' : ''} sans ${{ ess_jobs: 'effectif', ess_subsidies: 'subvention' }[m] || 'établissement'} de l'ESS dans la zone.` : '',
      }),
      barChart("Par taille d'établissement", size, m, { colourOf: () => '#41b6c4', testid: 'zone-breakdown-size' }),
    );
  };
  draw(metric);
  return el('section', { class: 'panel-section', 'data-testid': 'zone-breakdowns', 'aria-labelledby': 'bd-title' },
    el('h3', { class: 'panel-section-title', id: 'bd-title' }, 'Répartition', el('span', { class: 'count', text: `${profile.edition}` })),
    segmented('Mesure des répartitions', METRICS, metric, (id) => {
      ui.metric = id;
      draw(id);
    }, 'zone-breakdown-metric'),
    box);
}

// ---------------------------------------------------------------------------------------------
// Series across editions (SVG)
// ---------------------------------------------------------------------------------------------

function seriesChart(profile, deptProfile, id, catalogue) {
  const ind = catalogue.get(id) || { unit: '', decimals: 0, additive: true };
  const pts = (profile.series || []).map((s) => ({ edition: s.edition, fig: (s.figures || {})[id] || { value: null, secret: false } }));
  const dept = deptProfile && profile.zone.level !== 'department' && !ind.additive
    ? (deptProfile.series || []).map((s) => ({ edition: s.edition, fig: (s.figures || {})[id] || { value: null, secret: false } }))
    : null;
  const W = 360;
  const H = 170;
  const m = { l: 12, r: 12, t: 22, b: 26 };
  const all = [...pts, ...(dept || [])].map((p) => p.fig).filter((f) => !f.secret && Number.isFinite(f.value)).map((f) => f.value);
  // A line chart of a few editions: the axis is fitted to the values, on round ticks.
  const vmin = all.length ? Math.min(...all) : 0;
  const vmax = all.length ? Math.max(...all) : 1;
  const span = vmax - vmin || Math.abs(vmax) * 0.2 || 1;
  const raw = span / 2;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((k) => k >= raw) || 10 * mag;
  let lo = Math.floor((vmin - span * 0.25) / step) * step;
  if (vmin >= 0 && lo < 0) lo = 0;
  const hi = Math.max(Math.ceil((vmax + span * 0.2) / step) * step, lo + step);
  const x = (i) => m.l + 40 + (pts.length <= 1 ? (W - m.l - m.r - 58) / 2 : (i * (W - m.l - m.r - 58)) / (pts.length - 1));
  const y = (v) => H - m.b - ((H - m.t - m.b) * (v - lo)) / (hi - lo);
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'series-svg', role: 'img', 'aria-hidden': 'true', focusable: 'false' });
  const tickDecimals = step >= 1 ? 0 : Math.min(2, Math.ceil(-Math.log10(step)));
  const tickInd = { unit: ind.unit, additive: true, decimals: tickDecimals };
  for (let v = lo; v <= hi + step / 1000; v += step) {
    const yy = y(v);
    g.append(svg('line', { x1: m.l + 34, x2: W - m.r, y1: yy, y2: yy, class: v === lo ? 'grid grid--base' : 'grid' }));
    g.append(svg('text', { x: m.l + 30, y: yy + 4, class: 'series-tick', 'text-anchor': 'end' }, fmtValue(v, tickInd)));
  }
  const line = (list, cls) => {
    let d = '';
    list.forEach((p, i) => {
      const ok = !p.fig.secret && Number.isFinite(p.fig.value);
      if (!ok) { d += ' '; return; }
      const prevOk = i > 0 && !list[i - 1].fig.secret && Number.isFinite(list[i - 1].fig.value);
      d += `${prevOk ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.fig.value).toFixed(1)}`;
    });
    if (d.trim()) g.append(svg('path', { d: d.replace(/\s+/g, ''), class: cls }));
  };
  if (dept) line(dept, 'series-line series-line--dept');
  line(pts, 'series-line');
  pts.forEach((p, i) => {
    const cx = x(i);
    g.append(svg('text', { x: cx, y: H - 8, class: 'series-axis', 'text-anchor': 'middle' }, String(p.edition)));
    if (p.fig.secret) {
      g.append(svg('text', { x: cx, y: H - m.b - 6, class: 'series-secret', 'text-anchor': 'middle' }, SECRET_MARK));
      return;
    }
    if (!Number.isFinite(p.fig.value)) return;
    const cy = y(p.fig.value);
    g.append(svg('circle', { cx, cy, r: i === pts.length - 1 ? 5 : 4, class: 'series-dot' }));
    g.append(svg('text', { x: cx, y: cy - 9, class: 'series-label', 'text-anchor': 'middle' }, fmtValue(p.fig.value, ind)));
  });

  // Text summary and an accessible table.
  const known = pts.filter((p) => !p.fig.secret && Number.isFinite(p.fig.value));
  let summary = '';
  if (known.length >= 2) {
    const a = known[0];
    const b = known[known.length - 1];
    const diff = b.fig.value - a.fig.value;
    const pct = a.fig.value ? (100 * diff) / a.fig.value : NaN;
    summary = `De ${a.edition} à ${b.edition} : ${fmtEvolution(diff, ind, 'evolution_absolute')}${Number.isFinite(pct) ? ` (${fmtEvolution(pct, ind, 'evolution_percent')})` : ''}.`;
  }
  const table = el('table', { class: 'visually-hidden' },
    el('caption', { text: `${ind.label || id} de ${profile.zone.name} par édition` }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Édition' }), el('th', { scope: 'col', text: profile.zone.name }),
      dept ? el('th', { scope: 'col', text: deptProfile.zone.name }) : null)),
    el('tbody', {}, pts.map((p, i) => el('tr', {}, el('th', { scope: 'row', text: String(p.edition) }),
      el('td', { text: p.fig.secret ? `${SECRET_MARK} (${SECRET_LABEL})` : figText(p.fig, ind) }),
      dept ? el('td', { text: dept[i] ? figText(dept[i].fig, ind) : '—' }) : null))));
  return el('figure', { class: 'series', 'data-testid': 'zone-series-chart', 'data-indicator': id },
    g,
    el('figcaption', { class: 'series-caption' },
      el('span', { class: 'series-key' }, el('i', { class: 'key-line' }), profile.zone.name),
      dept ? el('span', { class: 'series-key' }, el('i', { class: 'key-line key-line--dept' }), deptProfile.zone.name) : null,
      ind.estimate ? el('span', { class: 'tag tag--estimate', text: 'effectif estimé' }) : null),
    summary ? el('p', { class: 'series-summary', 'data-testid': 'zone-series-summary', text: summary }) : null,
    pts.some((p) => p.fig.secret) ? el('p', { class: 'chart-note', text: `« ${SECRET_MARK} » : ${SECRET_LABEL}.` }) : null,
    table);
}

function series(profile, { indicatorId, catalogue, deptProfile, categoryLabel }) {
  const available = SERIES.filter((s) => (profile.series || []).some((p) => p.figures && s.id in p.figures));
  if (!available.length || !(profile.series || []).length) return null;
  const follow = SERIES_FOLLOW[indicatorId];
  if (ui.seriesFollowed !== indicatorId) {
    ui.series = follow && available.some((s) => s.id === follow) ? follow : available[0].id;
    ui.seriesFollowed = indicatorId;
  }
  let current = available.some((s) => s.id === ui.series) ? ui.series : available[0].id;
  const holder = el('div', {});
  const draw = () => holder.replaceChildren(seriesChart(profile, deptProfile, current, catalogue));
  draw();
  const demo = (profile.series || []).some((s) => s.demo);
  return el('section', { class: 'panel-section', 'data-testid': 'zone-series', 'aria-labelledby': 'series-title' },
    el('h3', { class: 'panel-section-title', id: 'series-title' }, 'Évolution par édition'),
    scopeNote(categoryLabel),
    segmented('Indicateur de la série', available, current, (id) => {
      ui.series = id;
      current = id;
      draw();
    }, 'zone-series-metric'),
    holder,
    el('p', { class: 'chart-note', text: `Toutes les éditions sur la géographie actuelle, pour être comparables.${demo ? ' Données de démonstration.' : ''}` }));
}

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

function sources(profile, { indicator }) {
  const notes = profile.notes || [];
  return el('details', { class: 'panel-section sources', 'data-testid': 'zone-sources' },
    el('summary', { class: 'sources-summary' }, 'Sources et méthode'),
    el('dl', { class: 'sources-list' },
      el('dt', { text: 'Source des chiffres' }), el('dd', { text: profile.source_label || '—' }),
      el('dt', { text: 'Date de référence' }), el('dd', { text: `${frenchDate(profile.reference_date)} (édition ${profile.edition})` }),
      indicator ? [
        el('dt', { text: `Indicateur affiché : ${indicator.label}` }),
        el('dd', {}, indicator.definition || '',
          indicator.method ? el('span', { class: 'sources-method' }, el('strong', { text: 'Méthode : ' }), indicator.method) : null,
          indicator.source ? el('span', { class: 'sources-method' }, el('strong', { text: 'Source : ' }), indicator.source) : null),
      ] : null),
    notes.length ? el('ul', { class: 'sources-notes' }, notes.map((n) => el('li', { text: n }))) : null,
    profile.demo ? el('p', { class: 'demo-note', text: 'Données de démonstration : les chiffres sont fictifs.' }) : null);
}

/**
 * Sections of a zone's profile.
 * @param {object} profile   /api/zones/{level}/{code}/profile
 * @param {object} o  { catalogue: Map id → entry, catalogueRaw, indicatorId, deptProfile, levelWords, shortName(parent) }
 */
export function renderProfile(profile, o) {
  const indicator = o.catalogue.get(o.indicatorId);
  return {
    keyFigures: keyFigures(profile, o),
    breakdowns: breakdowns(profile, o),
    series: series(profile, o),
    sources: sources(profile, { indicator }),
  };
}
