// ess-atlas — the indicator dashboard's legend: title, subtitle, unit, the classes of a
// choropleth (bounds in French, count of zones, the département's class) or the nested
// reference circles of a count drawn as circles, the masked (« s ») and empty zones, the
// choice of classes (natural breaks, quantiles), and the ramp shown when it is folded.

import { el, fmtInt } from '../util.js';
import {
  NO_DATA, SECRET_LABEL, SECRET_MARK, fmtEvolution, fmtNumber, fmtValue, unitText,
} from '../classify.js';
import { zoomFactor } from '../circles.js';
import { LEVEL_WORDS } from './words.js';

/**
 * The legend of the dashboard `dash`: { st (its choices: mode, method), view() (what the map
 * shows), measure, fmtMeasure, evolutionMode, titleOf, subtitleOf, ctx (map()), changed() }.
 */
export function createLegend(dash) {
  const $ = (id) => document.getElementById(id);
  const {
    st, measure, fmtMeasure, evolutionMode, titleOf, subtitleOf, ctx, changed,
  } = dash;

  function boundsText(c) {
    const view = dash.view();
    const ind = view.resp.indicator;
    const f = (v) => (view.diverging ? fmtEvolution(v, ind, st.mode) : fmtValue(v, ind));
    if (view.diverging && c.min === 0 && c.max === 0) return '0 (stable)';
    if (c.min === c.max) return f(c.min);
    // Euros carry their unit on both bounds (« 12 345 € à 1,4 M€ »); other units once.
    const lo = view.diverging ? fmtEvolution(c.min, ind, st.mode) : (ind.unit === '€' ? fmtValue : fmtNumber)(c.min, ind);
    return `${lo} à ${f(c.max)}`;
  }

  function unitLine(resp) {
    const ind = resp.indicator;
    const bits = [];
    const u = unitText(ind, evolutionMode() ? st.mode : 'value');
    if (u && u !== '%') bits.push(`en ${u}`);
    else if (u === '%') bits.push('en %');
    if (ind.estimate) bits.push('effectif estimé');
    return bits.join(' · ');
  }

  function render() {
    const view = dash.view();
    const box = $('legend-choro');
    if (!view) return;
    const { resp, classes, colours, stats } = view;
    const ind = resp.indicator;
    $('legend-choro-title').textContent = titleOf(resp);
    $('legend-choro-sub').textContent = subtitleOf(resp);
    $('legend-choro-unit').textContent = unitLine(resp);
    $('legend-choro-demo').hidden = resp.demo !== true;
    $('legend-choro-status').textContent = '';

    const dept = resp.department || {};
    const deptM = measure(dept);
    // The département's own value is on the scale of the zones only for ratios and % changes.
    const comparable = !ind.additive || st.mode === 'evolution_percent';
    const deptClass = comparable && !deptM.secret && Number.isFinite(deptM.value)
      ? classes.findIndex((c) => deptM.value >= c.min && deptM.value <= c.max) : -1;
    const rows = view.circles ? [] : classes.map((c, i) => el('li', { class: 'legend-class', 'data-testid': 'legend-class', dataset: { class: String(i) } },
      el('span', { class: 'swatch', style: `background:${colours[i]}`, 'aria-hidden': 'true' }),
      el('span', { class: 'legend-bound', text: boundsText(c) }),
      i === deptClass ? el('span', { class: 'legend-dept-mark', title: `${dept.name || 'Département'} : ${fmtMeasure(deptM, ind)}`, text: dept.code || 'Dépt' }) : null,
      el('span', { class: 'legend-count', title: `${fmtInt(c.count)} ${LEVEL_WORDS[view.level].many}`, text: fmtInt(c.count) })));
    rows.reverse(); // highest values on top
    if (stats.secret) {
      rows.push(el('li', { class: 'legend-class legend-class--secret', 'data-testid': 'legend-secret' },
        el('span', { class: 'swatch swatch--secret', 'aria-hidden': 'true' }),
        el('span', { class: 'legend-bound' }, el('strong', { text: SECRET_MARK }), ` — ${SECRET_LABEL}`),
        el('span', { class: 'legend-count', text: fmtInt(stats.secret) })));
    }
    if (stats.nodata) {
      rows.push(el('li', { class: 'legend-class', 'data-testid': 'legend-nodata' },
        el('span', { class: 'swatch', style: `background:${NO_DATA}`, 'aria-hidden': 'true' }),
        el('span', { class: 'legend-bound', text: evolutionMode() ? 'n.c. — non calculable (valeur initiale nulle)' : 'Pas de valeur' }),
        el('span', { class: 'legend-count', text: fmtInt(stats.nodata) })));
    }
    $('legend-classes').replaceChildren(...rows);
    renderCircles();
    $('legend-method').hidden = !!view.circles;
    const deptLine = $('legend-choro-dept');
    deptLine.replaceChildren(
      el('span', { class: 'legend-dept-mark', 'aria-hidden': 'true', text: dept.code || '' }),
      el('span', {}, `${dept.name || 'Département'} : `, el('strong', { text: fmtMeasure(deptM, ind) })),
    );
    deptLine.hidden = !dept.name;
    for (const btn of box.querySelectorAll('[data-method]')) btn.setAttribute('aria-pressed', String(btn.dataset.method === st.method));
    // Folded legend: a colour ramp (or a circle) in the summary.
    $('legend-ramp').replaceChildren(...(view.circles
      ? [el('i', { class: 'legend-ramp-circle' })]
      : [...colours].map((c) => el('i', { style: `background:${c}` }))));
    box.hidden = false;
    $('legend-territories').hidden = true;
  }

  /**
   * The circles' legend: two or three nested reference circles, bottom-aligned, each with
   * its round value in French (« 5 000 », « 1 000 000 € ») at the end of a leader line.
   */
  function renderCircles() {
    const view = dash.view();
    const box = $('legend-circles');
    const refs = view.circles ? view.circles.refs : [];
    box.hidden = !refs.length;
    if (!refs.length) {
      box.replaceChildren();
      return;
    }
    const ind = view.resp.indicator;
    // Drawn at the map's scale of the moment (circles grow with the zoom).
    const map = ctx.map();
    const scale = map ? zoomFactor(map.getZoom()) : 1;
    const ns = 'http://www.w3.org/2000/svg';
    const svgEl = (tag, attrs) => {
      const n = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
      return n;
    };
    const rs = refs.map((ref) => Math.round(ref.r * scale * 10) / 10);
    const rMax = rs[0];
    const cx = rMax + 1;
    const base = 2 * rMax + 1;
    const labelX = 2 * rMax + 14;
    // Labels at the circles' tops, at least a line apart (small circles' tops are close).
    const ys = [];
    for (const r of rs) ys.push(Math.max(base - 2 * r + 4, 10, ys.length ? ys[ys.length - 1] + 13 : 0));
    const height = Math.max(base, ys[ys.length - 1]) + 5;
    const svg = svgEl('svg', {
      class: 'legend-circles-svg', width: labelX + 96, height, 'aria-hidden': 'true', 'data-scale': scale,
    });
    refs.forEach((ref, i) => {
      const top = base - 2 * rs[i];
      svg.append(
        svgEl('circle', { cx, cy: base - rs[i], r: rs[i], class: 'legend-circle', 'data-testid': 'legend-circle', 'data-value': ref.value }),
        svgEl('polyline', { points: `${cx},${top} ${labelX - 12},${top} ${labelX - 4},${ys[i] - 4}`, class: 'legend-circle-leader' }),
      );
      const label = svgEl('text', { x: labelX, y: ys[i], class: 'legend-circle-label' });
      label.textContent = fmtValue(ref.value, ind);
      svg.append(label);
    });
    const said = refs.map((r) => fmtValue(r.value, ind)).join(', ');
    box.replaceChildren(
      el('p', { class: 'legend-circles-note', text: 'Surface des cercles proportionnelle à la valeur' }),
      svg,
      el('p', { class: 'visually-hidden', text: `Cercles de référence : ${said}.` }),
    );
  }

  function wire() {
    for (const btn of document.querySelectorAll('#legend-choro [data-method]')) {
      btn.addEventListener('click', () => {
        st.method = btn.dataset.method;
        changed();
      });
    }
  }

  return { render, renderCircles, wire };
}
