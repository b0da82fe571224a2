// ess-atlas — classes of a choropleth (quantiles, Jenks natural breaks), colour-blind-safe
// palettes and the French formats of indicator values.

/** ColorBrewer YlGnBu, 5 classes (colour-blind safe, prints in grey). */
export const SEQUENTIAL = ['#ffffcc', '#a1dab4', '#41b6c4', '#2c7fb8', '#253494'];
/** ColorBrewer RdBu halves (colour-blind safe): decrease in reds, increase in blues. */
const DIVERGING_NEG = ['#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f'];
const DIVERGING_POS = ['#d1e5f0', '#92c5de', '#4393c3', '#2166ac', '#053061'];
export const DIVERGING_MID = '#f7f7f7';
/** Zones with no value that is not a secret (e.g. an evolution from 0). */
export const NO_DATA = '#d5dbe2';
/** Base colour of the hatched secret zones (the pattern is drawn above). */
export const SECRET_FILL = '#eef1f4';

export const METHODS = {
  jenks: { label: 'Seuils naturels (Jenks)', short: 'Jenks' },
  quantiles: { label: 'Effectifs égaux (quantiles)', short: 'Quantiles' },
};

/** Which shades to use out of five when a palette has fewer classes. */
const SPREAD = { 1: [2], 2: [1, 3], 3: [0, 2, 4], 4: [0, 1, 3, 4], 5: [0, 1, 2, 3, 4] };
const SPREAD_SIDE = { 1: [2], 2: [1, 3], 3: [1, 2, 4], 4: [0, 1, 2, 4], 5: [0, 1, 2, 3, 4] };

/**
 * Upper bounds of `k` classes by quantiles (equal counts). Returns sorted, unique bounds;
 * fewer classes when values are tied.
 */
function quantileUppers(sorted, k) {
  const n = sorted.length;
  const uppers = [];
  for (let i = 1; i < k; i += 1) {
    const idx = Math.ceil((i * n) / k) - 1;
    uppers.push(sorted[Math.max(0, Math.min(n - 1, idx))]);
  }
  uppers.push(sorted[n - 1]);
  return [...new Set(uppers)];
}

/** Fisher–Jenks natural breaks: upper bounds of `k` classes minimising within-class variance. */
function jenksUppers(sorted, k) {
  const n = sorted.length;
  if (k >= n) return [...new Set(sorted)];
  // lower[i][j]: first index (1-based) of the last class when i values are split in j classes.
  const lower = Array.from({ length: n + 1 }, () => new Int32Array(k + 1));
  const variance = Array.from({ length: n + 1 }, () => new Float64Array(k + 1).fill(Infinity));
  for (let j = 1; j <= k; j += 1) {
    lower[1][j] = 1;
    variance[1][j] = 0;
  }
  for (let l = 2; l <= n; l += 1) {
    let s1 = 0;
    let s2 = 0;
    let w = 0;
    let v = 0;
    for (let m = 1; m <= l; m += 1) {
      const i3 = l - m + 1;
      const val = sorted[i3 - 1];
      s2 += val * val;
      s1 += val;
      w += 1;
      v = s2 - (s1 * s1) / w;
      const i4 = i3 - 1;
      if (i4 !== 0) {
        for (let j = 2; j <= k; j += 1) {
          if (variance[l][j] >= v + variance[i4][j - 1]) {
            lower[l][j] = i3;
            variance[l][j] = v + variance[i4][j - 1];
          }
        }
      }
    }
    lower[l][1] = 1;
    variance[l][1] = v;
  }
  const uppers = [sorted[n - 1]];
  let kk = n;
  for (let j = k; j >= 2; j -= 1) {
    const id = lower[kk][j] - 2;
    uppers.unshift(sorted[Math.max(0, id)]);
    kk = lower[kk][j] - 1;
  }
  return [...new Set(uppers)];
}

/**
 * Classes of the finite `values`: [{ min, max, count }] (min and max are values actually in the
 * class, so the French bounds never overlap), ascending.
 */
export function classify(values, method = 'jenks', k = 5) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return [];
  const uppers = method === 'quantiles' ? quantileUppers(sorted, k) : jenksUppers(sorted, Math.min(k, new Set(sorted).size));
  const classes = uppers.map(() => ({ min: Infinity, max: -Infinity, count: 0 }));
  let c = 0;
  for (const v of sorted) {
    while (c < uppers.length - 1 && v > uppers[c]) c += 1;
    const cl = classes[c];
    cl.min = Math.min(cl.min, v);
    cl.max = Math.max(cl.max, v);
    cl.count += 1;
  }
  return classes.filter((cl) => cl.count > 0);
}

/**
 * Classes of an evolution: decreases and increases are classed apart (by `method`), and exact
 * zeros ("stable") get a class of their own, so that no class mixes a fall and a rise.
 */
export function classifyDiverging(values, method = 'jenks', k = 5) {
  const finite = values.filter(Number.isFinite);
  const neg = finite.filter((v) => v < 0);
  const pos = finite.filter((v) => v > 0);
  const zeros = finite.length - neg.length - pos.length;
  const slots = k - (zeros ? 1 : 0);
  let kNeg = 0;
  let kPos = 0;
  if (neg.length && pos.length) {
    kNeg = Math.max(1, Math.min(slots - 1, Math.round((slots * neg.length) / (neg.length + pos.length))));
    kPos = slots - kNeg;
  } else if (neg.length) {
    kNeg = slots;
  } else {
    kPos = slots;
  }
  return [
    ...(neg.length ? classify(neg, method, kNeg) : []),
    ...(zeros ? [{ min: 0, max: 0, count: zeros }] : []),
    ...(pos.length ? classify(pos, method, kPos) : []),
  ];
}

/** Index of the class of `v` in `classes` (from classify), or -1. */
export function classIndex(classes, v) {
  if (!Number.isFinite(v)) return -1;
  for (let i = 0; i < classes.length; i += 1) {
    if (v <= classes[i].max) return i;
  }
  return classes.length - 1;
}

/** Colours of the classes: sequential, or diverging around 0 for evolutions. */
export function classColours(classes, diverging) {
  if (!diverging) {
    const idx = SPREAD[Math.min(classes.length, 5)] || SPREAD[5];
    return classes.map((_, i) => SEQUENTIAL[idx[i]]);
  }
  const neg = classes.filter((c) => c.max < 0);
  const pos = classes.filter((c) => c.min > 0);
  const negIdx = SPREAD_SIDE[neg.length] || [];
  const posIdx = SPREAD_SIDE[pos.length] || [];
  return classes.map((c) => {
    if (c.max < 0) {
      // Darkest for the most negative class: neg is ascending (most negative first).
      const rank = neg.length - 1 - neg.indexOf(c);
      return DIVERGING_NEG[negIdx[rank]];
    }
    if (c.min > 0) return DIVERGING_POS[posIdx[pos.indexOf(c)]];
    return DIVERGING_MID;
  });
}

// ---------------------------------------------------------------------------------------------
// French formats of indicator values
// ---------------------------------------------------------------------------------------------

const formatters = new Map();
function nf(min, max, sign = false) {
  const key = `${min}|${max}|${sign}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat('fr-FR', {
      minimumFractionDigits: min, maximumFractionDigits: max, signDisplay: sign ? 'exceptZero' : 'auto',
    });
    formatters.set(key, f);
  }
  return f;
}

/** Typographic minus sign instead of the hyphen. */
const minus = (s) => s.replace(/^-/, '\u2212').replace(/^\+/, '+');

export const SECRET_MARK = 's';
export const SECRET_LABEL = 'secret statistique';

function decimalsOf(ind) {
  // An estimated count (jobs from size bands, whose midpoints end in ,5) reads in whole
  // units, as in the fiches: a half job is not a figure (issue 19: « 7 412,5 »).
  if (ind && ind.estimate && ind.additive) return 0;
  return Number.isInteger(ind && ind.decimals) ? ind.decimals : 0;
}

/** Bare number of an indicator value: counts with up to `decimals`, ratios with exactly `decimals`. */
export function fmtNumber(v, ind) {
  if (!Number.isFinite(v)) return '—';
  const d = decimalsOf(ind);
  const f = ind && ind.additive ? nf(0, d) : nf(d, d);
  return minus(f.format(v));
}

/** Euros, whole: "1 400 000 €", "12 345 €" — one unit for every amount (issue 19). */
export function fmtEuros(v) {
  if (!Number.isFinite(v)) return '—';
  return `${minus(nf(0, 0).format(v))} €`;
}

/** A value with its short unit: "11,8 %", "12 345", "40,5", "1 400 000 €". */
export function fmtValue(v, ind) {
  if (!Number.isFinite(v)) return '—';
  if (ind && ind.unit === '€') return fmtEuros(v);
  const n = fmtNumber(v, ind);
  return ind && ind.unit === '%' ? `${n} %` : n;
}

/** Formatted cell {value, secret} (API shape): « s » when secret. */
export function fmtFigure(fig, ind) {
  if (!fig) return '—';
  if (fig.secret) return SECRET_MARK;
  return fmtValue(fig.value, ind);
}

/** An evolution between two editions: "+1,1 pt", "−3,2 %", "+982". */
export function fmtEvolution(v, ind, mode) {
  if (!Number.isFinite(v)) return 'n.c.';
  if (mode === 'evolution_percent') return `${minus(nf(1, 1, true).format(v))} %`;
  const d = decimalsOf(ind);
  const f = ind && ind.additive ? nf(0, d, true) : nf(d, d, true);
  const s = minus(f.format(v));
  if (ind && ind.unit === '%') return `${s} pt${Math.abs(v) >= 2 ? 's' : ''}`;
  return s;
}

/** Unit line under a big value ("établissements", "salariés (estimation)", "%"). */
export function unitText(ind, mode = 'value') {
  if (!ind) return '';
  if (mode === 'evolution_percent') return '% d’évolution';
  if (mode === 'evolution_absolute') return ind.unit === '%' ? 'points de %' : `écart, ${ind.unit}`;
  return ind.unit;
}
