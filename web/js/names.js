// ess-atlas — French grammar of place names: « Chiffres clés de l'Arrageois », « du
// Calaisis », « d'Hénin-Carvin », « de la CU d'Arras », « du Pas-de-Calais ». The nine
// territories are pays named after their town (l'Arrageois, le Ternois…) or two towns
// (Lens-Liévin, no article); EPCI are communautés (feminine). Pure (web/test/names.test.mjs).

/** Names that take an article, with it: « le » (du) or « l' » (de l'). */
const ARTICLES = new Map([
  ['Pas-de-Calais', 'le'], ['Nord', 'le'],
  ['Arrageois', "l'"], ['Artois', "l'"], ['Audomarois', "l'"], ['Boulonnais', 'le'],
  ['Calaisis', 'le'], ['Montreuillois', 'le'], ['Ternois', 'le'],
]);
const FEMININE = /^(Communauté|Métropole|Eurométropole|CA|CC|CU|ME)(?=\s|$)/;
const VOWEL = /^[aeiouyhâàéèêîïôûAEIOUYHÂÀÉÈÊÎÏÔÛ]/;
/** A pays named after its town: one word ending like Arrageois, Calaisis, Boulonnais. */
const PAYS = /^[^\s-]+(ois|ais|isis)$/;

/** The article a name takes (« le », « la », « l' ») or '' for none. */
export function articleOf(name) {
  const n = String(name || '').trim();
  if (ARTICLES.has(n)) return ARTICLES.get(n);
  if (FEMININE.test(n)) return 'la';
  if (PAYS.test(n)) return VOWEL.test(n) ? "l'" : 'le';
  return '';
}

/** « de » and the name, elided and contracted: « de l'Arrageois », « du Calaisis », « d'Arras ». */
export function deName(name) {
  const n = String(name || '').trim();
  const article = articleOf(n);
  if (article === 'le') return `du ${n}`;
  if (article === 'la') return `de la ${n}`;
  if (article === "l'") return `de l'${n}`;
  return VOWEL.test(n) ? `d'${n}` : `de ${n}`;
}
