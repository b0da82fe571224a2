// ess-atlas — whether the server answers. A fetch that fails without an answer (server
// restarting, network gone) reports the server down; from then on `/api/meta` is asked
// every few seconds until it answers, and every listener hears that the server is back
// (the map hides its « Le serveur ne répond pas » banner and retries what failed). Any
// answer of the API, even an error, means the server is up.

const listeners = new Set();
let down = false;
let timer = 0;
/** Seconds between two probes while the server does not answer (doubles up to the max). */
const FIRST_DELAY_MS = 2000;
const MAX_DELAY_MS = 15000;

function probe(delay) {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    try {
      const res = await fetch('/api/meta', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (res.status < 500) {
        reportUp();
        return;
      }
    } catch { /* still down */ }
    probe(Math.min(delay * 2, MAX_DELAY_MS));
  }, delay);
}

/** A request got no answer: the server is down until a probe says otherwise. */
export function reportDown() {
  if (down) return;
  down = true;
  probe(FIRST_DELAY_MS);
}

/** A request got an answer: tell the listeners if the server was down. */
export function reportUp() {
  if (!down) return;
  down = false;
  clearTimeout(timer);
  for (const f of [...listeners]) f();
}

/** Calls `f` each time the server answers again after being down; returns the unsubscriber. */
export function onServerBack(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

export function serverDown() {
  return down;
}
