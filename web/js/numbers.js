// ess-atlas — reading numbers typed the French way, for every money and number field.
//
// A browser's <input type="number"> does not read French: « 12 500,50 » typed into it
// was stored as 1 250 050 (issue 19). Fields are plain text inputs instead, read here:
// spaces of every kind (U+0020, NBSP U+00A0, narrow NBSP U+202F, thin U+2009) group the
// thousands, the comma is the decimal mark, « € » or « EUR » may follow. A dot is read
// as a decimal mark only when it cannot be a thousands separator (« 12.5 »); « 12.500 »
// is ambiguous and refused. What cannot be read is refused with a French message, never
// guessed. `parseNumber` and `formatNumber` are pure (node unit tests in
// web/test/numbers.test.mjs); `numberField` binds an input to its echo of what was read.

const SPACES = /[\s\u00a0\u202f\u2007\u2009]/g;
const GROUPED = /^\d{1,3}( \d{3})+$/;
const DOT_GROUPED = /^\d{1,3}(\.\d{3})+$/;

/** Money fields: at most this many euros a line (the server's ceiling too). */
export const MONEY_MAX = 1_000_000_000;

/**
 * The integer part as typed (digits, groups of three after spaces or dots), or null.
 * @param {string} s  the part before the decimal mark, spaces folded to ' '
 */
function readIntegerPart(s, dotsAreGroups) {
  if (/^\d+$/.test(s)) return s;
  if (GROUPED.test(s)) return s.replace(/ /g, '');
  if (dotsAreGroups && DOT_GROUPED.test(s)) return s.replace(/\./g, '');
  return null;
}

/**
 * Reads a number typed the French way.
 * @param {string} text  what the user typed
 * @param {object} o  { decimals: max decimals (default 2), min, max, unit: '€' allows a
 *   trailing « € »/« EUR », integer: true for whole numbers only, label: the field's name }
 * @returns {{ok: true, value: number|null} | {ok: false, error: string}}  value null for an empty field
 */
export function parseNumber(text, o = {}) {
  const decimals = o.integer ? 0 : (Number.isInteger(o.decimals) ? o.decimals : 2);
  const raw = String(text ?? '');
  let s = raw.replace(SPACES, ' ').trim();
  if (s === '') return { ok: true, value: null };
  const bad = (why) => ({ ok: false, error: `« ${raw.trim()} » ${why}` });
  if (o.unit === '€') s = s.replace(/\s*(€|eur(os?)?)$/i, '').trim();
  let negative = false;
  if (/^[-\u2212]/.test(s)) {
    negative = true;
    s = s.slice(1).trim();
  }
  if (s === '') return bad("n'est pas un nombre.");
  if (/[^\d ,.]/.test(s)) return bad("n'est pas un nombre : utilisez des chiffres, des espaces et une virgule (ex. 12\u00a0500,50).");
  let intPart;
  let fracPart = '';
  const commas = (s.match(/,/g) || []).length;
  if (commas > 1) return bad('contient plusieurs virgules.');
  if (commas === 1) {
    [intPart, fracPart] = s.split(',').map((p) => p.trim());
    if (!/^\d+$/.test(fracPart)) return bad("n'est pas lisible après la virgule.");
    if (intPart === '') intPart = '0';
    intPart = readIntegerPart(intPart, true);
  } else {
    const dots = (s.match(/\./g) || []).length;
    if (dots === 1 && !/ /.test(s)) {
      // « 12.5 » is a decimal; « 12.500 » could be twelve thousand five hundred.
      const [i, f] = s.split('.');
      if (f.length === 3 && i !== '0' && i !== '') {
        return bad('est ambigu : écrivez 12\u00a0500 pour un nombre entier, ou 12,5 avec une virgule.');
      }
      if (!/^\d+$/.test(f)) return bad("n'est pas un nombre.");
      intPart = i === '' ? '0' : readIntegerPart(i, false);
      fracPart = f;
    } else {
      intPart = readIntegerPart(s, true);
    }
  }
  if (intPart === null) return bad("n'est pas lisible : groupez les chiffres par trois (ex. 12\u00a0500).");
  if (fracPart.length > decimals) {
    return bad(decimals === 0
      ? 'doit être un nombre entier.'
      : `a trop de décimales : ${decimals === 2 ? 'au centime près, deux' : String(decimals)} au plus.`);
  }
  const value = (negative ? -1 : 1) * Number(`${intPart}${fracPart ? `.${fracPart}` : ''}`);
  if (!Number.isFinite(value)) return bad("n'est pas un nombre.");
  if (Number.isFinite(o.min) && value < o.min) {
    return bad(o.min === 0 ? 'doit être positif ou nul.' : `doit être au moins ${formatNumber(o.min)}.`);
  }
  if (Number.isFinite(o.max) && value > o.max) return bad(`dépasse le maximum (${formatNumber(o.max, o)}).`);
  return { ok: true, value };
}

/**
 * A number written back the French way: groups with a narrow no-break space, a decimal
 * comma, the cents kept when there are any (« 12 500,50 € », « 12 500 € »).
 */
export function formatNumber(value, o = {}) {
  if (!Number.isFinite(value)) return '';
  const cents = o.unit === '€' && !Number.isInteger(value);
  const text = new Intl.NumberFormat('fr-FR', {
    minimumFractionDigits: cents ? 2 : 0,
    maximumFractionDigits: o.integer ? 0 : (Number.isInteger(o.decimals) ? o.decimals : 2),
    useGrouping: o.grouping !== false,
  }).format(value).replace(/^-/, '\u2212');
  return o.unit === '€' ? `${text} €` : text;
}

/**
 * Makes `input` a French number field: a text input with a numeric keyboard, an echo of
 * what it read below (« Compris : 12 500,50 € ») or why it cannot (in red, the field
 * marked invalid). Returns { element, read }: `read()` gives { ok, value } and shows the
 * error on the field; the form checks every field before it sends anything.
 * @param {HTMLInputElement} input
 * @param {object} o  parseNumber's options; `document` may be passed for tests
 */
export function numberField(input, o = {}) {
  const doc = input.ownerDocument;
  input.type = 'text';
  input.inputMode = o.integer ? 'numeric' : 'decimal';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.dataset.number = o.unit === '€' ? 'money' : 'number';
  const echo = doc.createElement('output');
  echo.className = 'number-echo';
  echo.dataset.testid = 'number-echo';
  echo.setAttribute('aria-live', 'polite');
  if (!input.id) input.id = `n-${Math.random().toString(36).slice(2)}`;
  echo.id = `${input.id}-echo`;
  echo.htmlFor = input.id;
  input.setAttribute('aria-describedby', echo.id);
  const show = () => {
    const r = parseNumber(input.value, o);
    if (r.ok) {
      input.removeAttribute('aria-invalid');
      echo.classList.remove('is-error');
      echo.textContent = r.value === null ? '' : `Compris : ${formatNumber(r.value, o)}`;
    } else {
      input.setAttribute('aria-invalid', 'true');
      echo.classList.add('is-error');
      echo.textContent = r.error;
    }
    return r;
  };
  input.addEventListener('input', show);
  input.addEventListener('blur', show);
  if (input.value) show();
  return { element: echo, read: show };
}
