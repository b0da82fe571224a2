// ess-atlas — the staff's way in from the public map: a « Connexion » link in the header,
// which reads « Espace · <name> » once signed in (who is signed in, and the way to the
// staff space). The public sees only the link; the session answer says nothing more.

import { api } from './util.js';

/** Fills the header link from /api/session (left as « Connexion » if it cannot be read). */
export async function showStaffLink(link) {
  if (!link) return;
  try {
    const s = await api('/api/session');
    if (s && s.authenticated && s.user) {
      link.href = '/espace';
      link.textContent = `Espace · ${s.user.display_name || s.user.username}`;
      link.title = `Connecté : ${s.user.display_name || s.user.username} (${s.user.role_label || s.user.role})`;
      link.dataset.signedIn = '1';
    }
  } catch { /* the link still leads to the login page */ }
}
