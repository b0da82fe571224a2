// ess-atlas — one store for the view's state: what the permalink carries (url.js), in one
// object that the map page (app.js, map/), orgs.js and indicators.js read and change,
// instead of globals, private copies and callbacks that pass changes around.
//
//   { level, zone, orgs: { on, edition, families, naf, size, employer, q, page, org },
//     ind: null | { indicator, cat, edition, compare, mode, method, table, sort } }
//
// Values are replaced, never mutated in place (set() compares them with Object.is).
// Subscribers run synchronously after each change, for the keys they asked for. Pure: no
// DOM (tested by web/test/store.test.mjs).

/** A store holding `initial`. */
export function createStore(initial) {
  let state = { ...initial };
  const subscribers = new Set();
  return {
    /** The current state (do not mutate it: use set). */
    get: () => state,
    /** Replaces the top-level keys of `patch`; subscribers of a changed key then run. */
    set(patch) {
      const prev = state;
      const changed = Object.keys(patch).filter((k) => !Object.is(prev[k], patch[k]));
      if (!changed.length) return;
      state = { ...prev, ...patch };
      for (const s of [...subscribers]) {
        if (!s.keys || s.keys.some((k) => changed.includes(k))) s.fn(state, prev);
      }
    },
    /**
     * Calls `fn(state, previous)` after each change of one of `keys` (every change when
     * `keys` is null). Returns the function that unsubscribes.
     */
    subscribe(keys, fn) {
      const s = { keys, fn };
      subscribers.add(s);
      return () => subscribers.delete(s);
    },
  };
}

/**
 * An object whose properties named like the keys of the store's slice `name` (an object in
 * the store) read and write that slice; the properties of `local` are plain ones, the
 * feature's own. A feature keeps writing `st.page = 2`: the store gets the new slice.
 */
export function sliceOf(store, name, local = {}) {
  const view = { ...local };
  for (const key of Object.keys(store.get()[name])) {
    Object.defineProperty(view, key, {
      enumerable: true,
      get: () => store.get()[name][key],
      set: (value) => {
        const slice = store.get()[name];
        if (!Object.is(slice[key], value)) store.set({ [name]: { ...slice, [key]: value } });
      },
    });
  }
  return view;
}
