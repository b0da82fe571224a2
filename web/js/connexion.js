// ess-atlas — the login page (/connexion): posts the credentials to /api/login, then goes
// to the staff space (or to the page named by ?suite=, when it is one of ours).

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

function target() {
  const next = new URLSearchParams(window.location.search).get('suite') || '';
  // Only a path of this site: never an absolute or protocol-relative URL.
  return /^\/(?!\/)/.test(next) ? next : '/espace';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    error.textContent = 'Saisissez votre identifiant et votre mot de passe.';
    error.hidden = false;
    return;
  }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const res = await fetch('/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.ok) {
      window.location.assign(target());
      return;
    }
    let message = 'Connexion impossible.';
    try {
      const body = await res.json();
      if (body && body.message) message = body.message.charAt(0).toUpperCase() + body.message.slice(1);
    } catch { /* not JSON */ }
    error.textContent = message;
    error.hidden = false;
    form.password.value = '';
    form.password.focus();
  } catch {
    error.textContent = 'Le serveur ne répond pas. Vérifiez votre connexion.';
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});
