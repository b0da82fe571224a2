// Browser test of « les organisations parlent pour elles-mêmes » (issue 20): a visitor,
// on a tablet and without an account, opens an organisation's card on the map and
// declares its website and presentation; the confirmation e-mail is found in the outbox
// and its link confirms; the referent of the Arrageois accepts it in /espace; the card
// then shows it under « Déclaré par la structure », never with the visitor's e-mail.
//
// scripts/browser-tests.sh creates the accounts (see portraits.test.mjs) and sets the
// outbox (see consultation.test.mjs).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BASE, TIMEOUT, launchBrowser, getJson, waitReady } from './support.mjs';

const REFERENT = process.env.ESS_ATLAS_REFERENT || 'referent-arr';
const REFERENT_PASSWORD = process.env.ESS_ATLAS_REFERENT_PASSWORD;
const OUTBOX = process.env.ESS_ATLAS_OUTBOX;
const MARK = `Recyclerie solidaire ouverte à tous ${Date.now()}`;
const WEBSITE = 'https://structure-declaree.example';
const EMAIL = 'representante.structure@example.org';

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

/** A screenshot for a person to look at, when DECLARATION_SHOTS names a folder. */
async function shot(page, name) {
  const dir = process.env.DECLARATION_SHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`) });
}

async function confirmationLink(to) {
  for (let tries = 0; tries < 100; tries += 1) {
    const names = (await readdir(OUTBOX).catch(() => [])).filter((n) => n.endsWith('.eml')).sort();
    for (const name of names.reverse()) {
      const text = decodeQuotedPrintable(await readFile(join(OUTBOX, name), 'utf8'));
      const link = text.split(/\r?\n/).find((l) => l.includes('/structures/confirmer?jeton='));
      if (text.includes(`To: ${to}`) && link) return link.trim();
    }
    await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
  throw new Error(`no confirmation e-mail to ${to} in ${OUTBOX}`);
}

describe('déclaration d’une structure depuis sa fiche (navigateur)', {
  timeout: 6 * TIMEOUT,
  skip: REFERENT_PASSWORD && OUTBOX ? false : 'accounts or outbox not provided (run scripts/browser-tests.sh)',
}, () => {
  let browser;
  let org;

  before(async () => {
    const page = await getJson('/api/organisations?territory=ARR&per_page=100');
    org = page.items.find((o) => Number.isFinite(o.lon) && Number.isFinite(o.lat) && !o.location_approximate);
    assert.ok(org, 'a placed organisation of the Arrageois');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('a visitor declares from the card, confirms by e-mail, the referent accepts, the card shows it', { timeout: 5 * TIMEOUT }, async () => {
    const visitor = await browser.newContext({ viewport: { width: 768, height: 1024 }, locale: 'fr-FR', hasTouch: true });
    const page = await visitor.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${BASE}/#orgs=1&org=${org.siret}`);
    await waitReady(page);
    const popup = page.getByTestId('org-popup');
    await popup.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.equal(await popup.getByTestId('org-declared').count(), 0, 'nothing declared yet');
    await page.getByTestId('org-popup-open').click();
    const detail = page.getByTestId('org-detail');
    await detail.waitFor({ state: 'visible', timeout: TIMEOUT });
    await detail.getByTestId('org-declare-open').click();
    const form = detail.getByTestId('org-declare-form');
    await form.waitFor({ timeout: TIMEOUT });
    assert.match(await form.getByTestId('org-declare-privacy').textContent(), /jamais/);
    await form.locator('#declare-description').fill(`${MARK}\n\nAteliers de **réparation**.`);
    await form.locator('#declare-website').fill(WEBSITE);
    await form.locator('#declare-esus').check();
    await form.locator('#declare-networks').fill('Emmaüs France\nRéseau des recycleries');
    await form.locator('#declare-name').fill('Marie Représentante');
    await form.locator('#declare-role').fill('directrice');
    await form.locator('#declare-email').fill(EMAIL);
    await form.locator('#declare-consent').check();
    await shot(page, 'form');
    await form.getByRole('button', { name: 'Envoyer ces informations' }).click();
    await form.getByText('suivez son lien').waitFor({ timeout: TIMEOUT });

    // The e-mailed link opens a page whose button confirms.
    const link = await confirmationLink(EMAIL);
    const confirmPage = await visitor.newPage();
    await confirmPage.goto(link);
    await confirmPage.getByRole('button', { name: 'Confirmer ces informations' }).click();
    await confirmPage.getByRole('heading', { name: 'Informations confirmées' }).waitFor({ timeout: TIMEOUT });

    // Not public until accepted.
    const before = await getJson(`/api/organisations/${org.siret}/declarations`);
    assert.ok(!JSON.stringify(before).includes(MARK), 'not public before moderation');

    // The referent of the Arrageois accepts it in /espace.
    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    const spage = await staff.newPage();
    await spage.goto(`${BASE}/connexion`);
    await spage.getByTestId('login-username').fill(REFERENT);
    await spage.getByTestId('login-password').fill(REFERENT_PASSWORD);
    await spage.getByTestId('login-submit').click();
    await spage.waitForURL(`${BASE}/espace`, { timeout: TIMEOUT });
    const item = spage.getByTestId('declaration-item').filter({ hasText: MARK });
    await item.waitFor({ timeout: TIMEOUT });
    assert.match(await item.textContent(), new RegExp(EMAIL.replace(/\./g, '\\.')), 'moderators see the e-mail');
    await item.getByRole('button', { name: 'Accepter' }).click();
    await spage.getByText('décision enregistrée').waitFor({ timeout: TIMEOUT });

    // The card shows it, « déclaré par la structure », without the person.
    await page.goto(`${BASE}/#orgs=1&org=${org.siret}`);
    await page.reload();
    await waitReady(page);
    const declaredPop = page.getByTestId('org-popup').getByTestId('org-declared');
    await declaredPop.waitFor({ state: 'visible', timeout: TIMEOUT });
    await declaredPop.scrollIntoViewIfNeeded();
    await shot(page, 'popup');
    assert.match(await declaredPop.textContent(), /Déclaré par la structure/);
    assert.match(await declaredPop.textContent(), /structure-declaree\.example/);
    await page.getByTestId('org-popup-open').click();
    const declared = page.getByTestId('org-detail').getByTestId('org-declared');
    await declared.waitFor({ state: 'visible', timeout: TIMEOUT });
    const text = await declared.textContent();
    assert.ok(text.includes(MARK), text);
    assert.match(text, /Agrément ESUS/);
    assert.match(text, /Réseau des recycleries/);
    assert.equal(await declared.locator('strong').textContent(), 'réparation', 'Markdown rendered');
    assert.equal(await declared.locator(`a[href="${WEBSITE}"]`).count(), 1);
    const html = await page.content();
    assert.ok(!html.includes(EMAIL) && !html.includes('Marie Représentante'), 'never the person');
    await declared.scrollIntoViewIfNeeded();
    await shot(page, 'card');
    assert.deepEqual(errors, []);
    await Promise.all([visitor.close(), staff.close()]);
  });
});
