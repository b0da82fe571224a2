// Browser test of a public consultation (issue 20): a chargé de mission opens one on the
// Arrageois' draft plan from /espace; a visitor without an account contributes on the
// territory page (tablet viewport), and another one too; the referent accepts the first
// and declines the second in /espace; the first comment then appears under its action on
// the public page, never with the visitor's e-mail; the territory's fiche and the
// departmental compendium (« recueil », generated from /espace, its PDF read back with
// pdftotext) name the first contributor's organisation, never the declined one's.
//
// scripts/browser-tests.sh creates the accounts (see portraits.test.mjs); test.sh
// installs pdftotext (poppler-utils).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BASE, TIMEOUT, launchBrowser, getJson, normSpaces } from './support.mjs';

const REFERENT = process.env.ESS_ATLAS_REFERENT || 'referent-arr';
const REFERENT_PASSWORD = process.env.ESS_ATLAS_REFERENT_PASSWORD;
const CDM = process.env.ESS_ATLAS_CDM || 'charge-mission';
const CDM_PASSWORD = process.env.ESS_ATLAS_CDM_PASSWORD;
const MARK = `Ouvrir le tiers-lieu aux jeunes ${Date.now()}`;
const EMAIL = 'visiteuse.consultation@example.org';
// Organisations of this run only, so that the compendium cannot hold them from before.
const STAMP = String(Date.now()).slice(-6);
const ORGANISATION = `Association Artois Jeunesse ${STAMP}`;
const DECLINED = `Ne pas publier le tiers-lieu ${STAMP}`;
const DECLINED_ORGANISATION = `Collectif Décliné ${STAMP}`;
const DECLINED_EMAIL = 'autre.visiteur.consultation@example.org';
// The server's outbox folder (scripts/browser-tests.sh sets it).
const OUTBOX = process.env.ESS_ATLAS_OUTBOX;

// Quoted-printable (RFC 2045): soft breaks joined, =XX decoded, as UTF-8.
function decodeQuotedPrintable(text) {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i += 1) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// The confirmation link of the e-mail to `to` mentioning `mark`, waiting for it.
async function confirmationLink(to) {
  for (let tries = 0; tries < 100; tries += 1) {
    const names = (await readdir(OUTBOX).catch(() => [])).filter((n) => n.endsWith('.eml')).sort();
    for (const name of names.reverse()) {
      const text = decodeQuotedPrintable(await readFile(join(OUTBOX, name), 'utf8'));
      const link = text.split(/\r?\n/).find((l) => l.includes('/consultations/confirmer?jeton='));
      if (text.includes(`To: ${to}`) && link) return link.trim();
    }
    await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
  throw new Error(`no confirmation e-mail to ${to} in ${OUTBOX}`);
}

/** The text of a PDF, as pdftotext reads it, every kind of space folded to one. */
function pdfText(bytes) {
  const run = spawnSync('pdftotext', ['-', '-'], { input: bytes, maxBuffer: 64 * 1024 * 1024 });
  assert.ok(!run.error, `pdftotext (poppler-utils) is installed: test.sh installs it (${run.error})`);
  assert.equal(run.status, 0, String(run.stderr));
  return normSpaces(run.stdout.toString('utf8'));
}

/** The visitor's contribution on `action` from the territory page, then its confirmation by e-mail. */
async function contribute(visitor, action, { body, name, organisation, email }) {
  const page = await visitor.newPage();
  await page.goto(`${BASE}/territoires/ARR`);
  const vform = page.getByTestId('consultation-form');
  await vform.waitFor({ timeout: TIMEOUT });
  await vform.locator('#consult-target').selectOption(`a:${action}`);
  await vform.locator('#consult-body').fill(body);
  await vform.locator('#consult-name').fill(name);
  await vform.locator('#consult-organisation').fill(organisation);
  await vform.locator('#consult-email').fill(email);
  await vform.locator('#consult-consent').check();
  await vform.getByRole('button', { name: 'Envoyer ma contribution' }).click();
  await page.getByText('publiée après modération').waitFor({ timeout: TIMEOUT });
  assert.ok(!(await page.textContent('body')).includes(body), 'not shown before moderation');

  // The confirmation e-mail is in the outbox; its link shows a button that confirms.
  assert.ok(OUTBOX, 'ESS_ATLAS_OUTBOX names the server\'s outbox (scripts/browser-tests.sh)');
  const link = await confirmationLink(email);
  const confirmPage = await visitor.newPage();
  await confirmPage.goto(link);
  await confirmPage.getByRole('button', { name: 'Confirmer ma contribution' }).click();
  await confirmPage.getByRole('heading', { name: 'Contribution confirmée' }).waitFor({ timeout: TIMEOUT });
  await confirmPage.close();
  return page;
}

async function login(browser, username, password) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(`${BASE}/connexion`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`${BASE}/espace`, { timeout: TIMEOUT });
  await page.waitForSelector('[data-testid="staff-consultations"]:not([hidden])', { timeout: TIMEOUT });
  return { context, page };
}

/** A JSON mutation from a signed-in page, with its CSRF token. */
async function staffCall(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const s = await (await fetch('/api/session')).json();
    const res = await fetch(p, {
      method: m,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf },
      body: b === null ? undefined : JSON.stringify(b),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, [method, path, body]);
}

describe('consultation publique : ouverture, contribution, modération (navigateur)', {
  timeout: 10 * TIMEOUT,
  skip: REFERENT_PASSWORD && CDM_PASSWORD ? false : 'accounts not provided (run scripts/browser-tests.sh)',
}, () => {
  let browser;
  let edition;
  let consultation;

  before(async () => {
    const editions = (await getJson('/api/editions')).items.map((e) => e.year).sort((a, b) => a - b);
    [edition] = editions;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('a visitor contributes, the referent accepts, the comment appears, in the fiche and the compendium', { timeout: 9 * TIMEOUT }, async () => {
    const cdm = await login(browser, CDM, CDM_PASSWORD);
    const o = await staffCall(cdm.page, 'POST', '/api/orientations', {
      territory: 'ARR', edition, period_start: 2024, period_end: 2028, title: 'Orientation mise en consultation',
    });
    assert.equal(o.status, 201, JSON.stringify(o.body));
    const a = await staffCall(cdm.page, 'POST', '/api/actions', { orientation_id: o.body.id, title: 'Tiers-lieu consulté' });
    assert.equal(a.status, 201);
    const today = new Date().toISOString().slice(0, 10);
    const later = new Date(Date.now() + 7 * 86400e3).toISOString().slice(0, 10);
    const form = cdm.page.getByTestId('consultation-open');
    await form.locator('#cons-territory').fill('ARR');
    await form.locator('#cons-edition').fill(String(edition));
    await form.locator('#cons-starts').fill(today);
    await form.locator('#cons-ends').fill(later);
    await form.locator('#cons-intro').fill('Votre avis sur le plan de l’Arrageois.');
    await form.getByRole('button', { name: 'Ouvrir la consultation' }).click();
    // Wait for the new, open one, not for any consultation of the territory (the data
    // may already hold a closed one).
    const deadline = Date.now() + TIMEOUT;
    do {
      consultation = (await getJson('/api/consultations?territory=ARR')).items.find((c) => c.open_now);
      if (!consultation) await new Promise((resolve) => setTimeout(resolve, 200));
    } while (!consultation && Date.now() < deadline);
    assert.ok(consultation, 'an open consultation');

    // The visitor, on a tablet, without an account.
    const visitor = await browser.newContext({ viewport: { width: 768, height: 1024 }, locale: 'fr-FR', hasTouch: true });
    const page = await contribute(visitor, a.body.id, {
      body: MARK, name: 'Jeanne Martin', organisation: ORGANISATION, email: EMAIL,
    });
    // Another visitor, whose contribution the referent will decline.
    await (await contribute(visitor, a.body.id, {
      body: DECLINED, name: 'Paul Durand', organisation: DECLINED_ORGANISATION, email: DECLINED_EMAIL,
    })).close();

    // The referent accepts the first and declines the second, with a reason.
    const referent = await login(browser, REFERENT, REFERENT_PASSWORD);
    const item = referent.page.getByTestId('moderation-item').filter({ hasText: MARK });
    await item.waitFor({ timeout: TIMEOUT });
    await item.getByRole('button', { name: 'Accepter' }).click();
    await referent.page.getByText(/Contribution n° \d+ : décision enregistrée/).waitFor({ timeout: TIMEOUT });
    const declined = referent.page.getByTestId('moderation-item').filter({ hasText: DECLINED });
    await declined.waitFor({ timeout: TIMEOUT });
    referent.page.once('dialog', (d) => d.accept('Hors du champ de la consultation.'));
    await declined.getByRole('button', { name: 'Refuser…' }).click();
    await declined.waitFor({ state: 'detached', timeout: TIMEOUT });

    await page.reload();
    const shown = page.locator(`[data-action="${a.body.id}"] [data-testid="contribution"]`).filter({ hasText: MARK });
    await shown.waitFor({ timeout: TIMEOUT });
    assert.match(await shown.textContent(), /Jeanne Martin/);
    assert.ok(!(await page.content()).includes(EMAIL), 'the e-mail is never published');
    assert.ok(!(await page.content()).includes(DECLINED), 'the declined contribution is never published');

    // The territory's fiche (the HTML the PDF is typeset from) says how the portrait was
    // co-constructed: the consultation and the contributing organisation, never the
    // person nor the e-mail.
    const fiche = await visitor.newPage();
    await fiche.goto(`${BASE}/territoires/ARR/fiche?edition=${edition}`);
    const cocon = fiche.getByTestId('fiche-coconstruction');
    await cocon.waitFor({ timeout: TIMEOUT });
    const coconText = normSpaces(await cocon.textContent());
    assert.match(coconText, /a été co-construit avec les acteurs de l'ESS/);
    assert.match(coconText, /Consultation publique du/);
    assert.ok(coconText.includes(ORGANISATION), coconText);
    assert.ok(!coconText.includes(DECLINED_ORGANISATION), 'the declined contributor is not in the fiche');
    assert.ok(!coconText.includes('Jeanne Martin'), 'no person named in the fiche');
    assert.ok(!(await fiche.content()).includes(EMAIL), 'no e-mail in the fiche');

    // The departmental compendium of the edition, generated from /espace by the chargé
    // de mission: the Arrageois' chapter names the accepted contributor's organisation,
    // never the declined one's; its PDF read back as text.
    await cdm.page.reload();
    await cdm.page.waitForSelector('body[data-workspace]', { timeout: TIMEOUT });
    await cdm.page.getByTestId('staff-edition').selectOption(String(edition));
    await cdm.page.getByTestId('recueil-start').click();
    const download = cdm.page.getByTestId('recueil-download');
    await download.waitFor({ state: 'visible', timeout: 3 * TIMEOUT });
    const pdf = await cdm.context.request.get(`${BASE}${await download.getAttribute('href')}`);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    const recueil = pdfText(await pdf.body());
    assert.match(recueil, /Recueil|recueil/);
    const arr = recueil.indexOf(ORGANISATION);
    assert.ok(arr >= 0, `the accepted contributor's organisation in the compendium: ${recueil.slice(0, 400)}…`);
    assert.ok(recueil.lastIndexOf('Co-construction', arr) >= 0, 'under a « Co-construction » heading');
    assert.ok(!recueil.includes(DECLINED_ORGANISATION), 'the declined contributor is never in the compendium');
    assert.ok(!recueil.includes('Jeanne Martin') && !recueil.includes(EMAIL), 'no person nor e-mail in the compendium');

    // Leave the territory without an open consultation for the other tests.
    const closed = await staffCall(cdm.page, 'POST', `/api/consultations/${consultation.id}/close`, null);
    assert.equal(closed.status, 200);
    await Promise.all([cdm.context.close(), referent.context.close(), visitor.close()]);
  });
});
