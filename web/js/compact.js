// ess-atlas — the compact form of /api/indicators (`form=compact`, used for the commune
// level: France has ~35,000 communes) turned back into the full form's `items`, so that the
// rest of the map reads one shape.
//
// Pure: no DOM, no map (tested by web/test/compact.test.mjs under node). The server writes
// each item as a row of `compact.columns`, flags as 0/1, the parent as a code into
// `compact.parents`, and `compact.source` once when every figure has the same source.

/** `resp` with `items` rebuilt from `resp.compact` (unchanged when it is the full form). */
export function expandIndicators(resp) {
  if (!resp || resp.form !== 'compact' || !resp.compact) return resp;
  const { columns, rows, parents, source } = resp.compact;
  const at = Object.fromEntries(columns.map((c, i) => [c, i]));
  const figure = (value, secret, restricted, src) => {
    const f = { value, secret: !!secret, source: src };
    if (restricted) f.restricted = true;
    return f;
  };
  const items = rows.map((r) => {
    const src = 'source' in at ? r[at.source] : source;
    const item = {
      code: r[at.code],
      name: r[at.name],
      population: r[at.population],
      ...figure(r[at.value], r[at.secret], r[at.restricted], src),
    };
    if ('evolution_absolute' in at) {
      item.evolution = {
        absolute: figure(r[at.evolution_absolute], r[at.evolution_absolute_secret], 0, src),
        percent: figure(r[at.evolution_percent], r[at.evolution_percent_secret], 0, src),
      };
    }
    const parent = r[at.parent] == null ? null : parents[r[at.parent]];
    if (parent) item.parent = { code: r[at.parent], name: parent.name, ...parent.figure };
    return item;
  });
  const full = { ...resp, form: 'full', items };
  delete full.compact;
  return full;
}
