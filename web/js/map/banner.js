// ess-atlas — the map page's messages: the loading status and the error banner, with its
// « Réessayer » action. A banner about the server not answering clears by itself once the
// server answers again (connection.js), and retries what had failed.

import { SERVER_DOWN } from '../util.js';
import { onServerBack } from '../connection.js';
import { $ } from './context.js';

export function setStatus(text) {
  const box = $('status');
  if (text) {
    $('status-text').textContent = text;
    box.hidden = false;
  } else {
    box.hidden = true;
  }
}

let retryAction = null;
/** Whether the banner says the server did not answer (it clears once the server is back). */
let errorIsConnection = false;

export function showError(message, retry = null, { connection = message.includes(SERVER_DOWN) } = {}) {
  $('error-text').textContent = message;
  retryAction = retry;
  errorIsConnection = connection;
  $('error-retry').hidden = !retry;
  $('error').hidden = false;
}

export function hideError() {
  $('error').hidden = true;
  retryAction = null;
  errorIsConnection = false;
}

/** A previous « zone introuvable » message is stale once a valid zone is chosen. */
export function hideZoneNotFound() {
  if ($('error-text').textContent.startsWith('Zone introuvable')) hideError();
}

/** The banner's buttons. */
export function wireBanner() {
  $('error-close').addEventListener('click', hideError);
  $('error-retry').addEventListener('click', () => {
    const action = retryAction;
    hideError();
    if (action) action();
  });
}

// The server answers again (connection.js): a banner about it is stale; retry what failed.
onServerBack(() => {
  if ($('error').hidden || !errorIsConnection) return;
  const action = retryAction;
  hideError();
  if (action) action();
});
