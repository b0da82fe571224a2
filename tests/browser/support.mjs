// Shared set-up of the browser tests: where the server is, how Chromium is launched,
// and small helpers every test file uses. Not a test file itself (node --test only
// runs *.test.mjs).

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

// playwright-core is a devDependency of web/package.json: resolve it from there.
const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

export const BASE = (process.env.ESS_ATLAS_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
export const TIMEOUT = 60_000;

/** Debian's Chromium, headless, with the flags this machine needs (no network beyond loopback). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Group thousands with a plain space, independently of Intl, to check the page's formatting. */
export function frenchInt(n) {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Intl's fr-FR output uses U+202F / U+00A0 as separators: fold every kind of space to ' '. */
export function normSpaces(s) {
  return String(s).replace(/[\s\u00a0\u202f\u2007\u2009]+/g, ' ').trim();
}

export async function getJson(path) {
  const res = await fetch(`${BASE}${path}`);
  assert.equal(res.status, 200, `GET ${path} → ${res.status}`);
  return res.json();
}

export async function waitReady(page) {
  await page.waitForFunction(() => document.body.dataset.mapReady === '1', null, { timeout: TIMEOUT });
}

/** Page coordinates of a [lon, lat] point on the map. */
export async function screenPoint(page, lngLat) {
  return page.evaluate((ll) => {
    const { map } = window.essAtlas;
    const p = map.project(ll);
    const r = map.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, lngLat);
}

/**
 * Records into `errors` what a page must never do: throw, log an error, or fetch anything
 * from outside our server (no basemap, font or CDN). `label` names the page in messages;
 * `warnings`, a RegExp, also records console warnings that match it.
 */
export function watchPage(page, errors, { label = '', warnings = null } = {}) {
  const tag = label ? ` (${label})` : '';
  page.on('pageerror', (err) => errors.push(`pageerror${tag}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console${tag}: ${msg.text()}`);
    if (warnings && msg.type() === 'warning' && warnings.test(msg.text())) errors.push(`console${tag}: ${msg.text()}`);
  });
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(BASE) && !url.startsWith('data:') && !url.startsWith('blob:')) {
      errors.push(`external request${tag}: ${url}`);
    }
  });
  return errors;
}

/**
 * For `afterEach`: fails the test that just ran if its pages recorded an error (see
 * watchPage), and empties the list, so that each test answers for its own errors.
 */
export function assertNoPageErrors(errors) {
  const raised = errors.splice(0);
  assert.deepEqual(raised, [], 'the page raised errors or fetched from outside during this test');
}
