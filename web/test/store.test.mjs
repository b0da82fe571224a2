// Unit tests of web/js/store.js, run by `node --test web/test/`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createStore, sliceOf } from '../js/store.js';

describe('createStore', () => {
  it('tells the subscribers of a key when it changes, and only then', () => {
    const store = createStore({ level: 'territories', zone: null });
    const seen = [];
    store.subscribe(['zone'], (s, prev) => seen.push(`${prev.zone}→${s.zone}`));
    let all = 0;
    store.subscribe(null, () => { all += 1; });
    store.set({ zone: 'epci:1' });
    store.set({ zone: 'epci:1' }); // unchanged: nobody is told
    store.set({ level: 'epci' });
    assert.deepEqual(seen, ['null→epci:1']);
    assert.equal(all, 2);
    assert.deepEqual(store.get(), { level: 'epci', zone: 'epci:1' });
  });

  it('stops telling a subscriber that unsubscribed', () => {
    const store = createStore({ n: 0 });
    let calls = 0;
    const off = store.subscribe(['n'], () => { calls += 1; });
    store.set({ n: 1 });
    off();
    store.set({ n: 2 });
    assert.equal(calls, 1);
  });
});

describe('sliceOf', () => {
  it('reads and writes a slice of the store, and keeps local properties apart', () => {
    const store = createStore({ orgs: { on: false, page: 1 } });
    const st = sliceOf(store, 'orgs', { started: false });
    const slices = [];
    store.subscribe(['orgs'], (s) => slices.push(s.orgs));
    st.page = 3;
    st.started = true;
    st.page = 3; // unchanged
    Object.assign(st, { on: true });
    assert.deepEqual(slices, [{ on: false, page: 3 }, { on: true, page: 3 }]);
    assert.deepEqual(store.get().orgs, { on: true, page: 3 });
    assert.equal(st.started, true);
    assert.equal('started' in store.get().orgs, false);
    store.set({ orgs: { on: false, page: 1 } });
    assert.equal(st.page, 1, 'the slice is read from the store');
    assert.deepEqual({ ...st }, { started: true, on: false, page: 1 });
  });
});
