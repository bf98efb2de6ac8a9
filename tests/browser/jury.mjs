// End-to-end test of the jury page (web/jury.html) in Debian's Chromium,
// driven by playwright-core, against a running stack on the embedded judge
// after e2e.mjs has played the contestant's part (a Run and an accepted
// Submit in round r1).  Prints "ok - name" / "not ok - name" lines;
// screenshots of each step go to $SCREENSHOTS.
//
// Environment: PITWALL_URL, ADMIN_EMAIL, ADMIN_PASSWORD, EMAIL (the
// contestant of e2e.mjs), PASSWORD, PKG_ZIP (a package to upload),
// SCREENSHOTS, CHROMIUM.
import { session, playwright } from './lib.mjs';

const BASE = process.env.PITWALL_URL;
const tag = Math.random().toString(16).slice(2, 8);

const S = await session('jury: ');
const { page, test, assert } = S;
const shot = (p, name) => S.shot(p, name);
const consoleErrors = S.errors;
// window.confirm / window.prompt: accepted, a prompt answered with the
// next value queued here.
const answers = [];
page.on('dialog', (d) => d.accept(d.type() === 'prompt' ? answers.shift() : undefined));
// A separate client for checks outside the page (its own cookies).
const outside = await playwright.request.newContext({ baseURL: BASE, ignoreHTTPSErrors: true });

let adminToken = null;
async function adminHeader() {
  if (!adminToken) {
    const r = await outside.post('/auth/login', { data: { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD } });
    adminToken = (await r.json()).access_token;
  }
  return { Authorization: 'Bearer ' + adminToken };
}

async function login(email, password) {
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('#login-button');
}
const statusText = () => page.textContent('#action-status');
async function waitStatus(re) {
  await page.waitForFunction((s) => new RegExp(s).test(document.getElementById('action-status').textContent), re.source);
}

try {
  await test('a contestant is told the page is for the jury', async () => {
    await page.goto(BASE + '/jury.html');
    await page.waitForSelector('#login-view:not([hidden])');
    await login(process.env.EMAIL, process.env.PASSWORD);
    await page.waitForFunction(() => /for the jury/.test(document.getElementById('login-error').textContent));
    assert(await page.locator('#jury-view').isHidden(), 'the jury view is shown to a contestant');
    await page.evaluate(() => fetch('/auth/logout', { method: 'POST' }));
  });

  await test('log in as jury: the open round and its clock', async () => {
    await login(process.env.ADMIN_EMAIL, process.env.ADMIN_PASSWORD);
    await page.waitForSelector('#jury-view:not([hidden])');
    assert(await page.inputValue('#round-select') === 'r1', 'round ' + await page.inputValue('#round-select'));
    await page.waitForFunction(() => /left$/.test(document.getElementById('clock').textContent));
    assert(await page.textContent('[data-fact="state"]') === 'open', 'state');
    await shot(page, 'clock');
  });

  await test('extend the round: its end moves by the minutes given', async () => {
    const hdr = await adminHeader();
    const before = await (await outside.get('/admin/rounds/r1', { headers: hdr })).json();
    await page.fill('#extend-minutes', '7');
    await page.click('#round-extend');
    await waitStatus(/extended by 7/);
    const after = await (await outside.get('/admin/rounds/r1', { headers: hdr })).json();
    const moved = Date.parse(after.ends_at) - Date.parse(before.ends_at);
    assert(Math.abs(moved - 7 * 60000) < 1500, 'moved by ' + moved + ' ms');
    await page.fill('#extend-minutes', '-7');
    await page.click('#round-extend');
    await waitStatus(/extended by -7/);
  });

  await test('submissions: the contestant\'s accepted submit, its source and results', async () => {
    await page.click('[data-tab="submissions"]');
    await page.selectOption('#f-verdict', 'AC');
    await page.click('#sub-filters button[type=submit]');
    // The filtered list replaces the unfiltered one when its fetch ends:
    // wait until every row is an accepted one, not only the first.
    await page.waitForFunction(() => {
      const trs = [...document.querySelectorAll('#subs tbody tr')];
      return trs.length > 0 && trs.every((t) => t.dataset.verdict === 'AC');
    });
    const rows = await page.locator('#subs tbody tr').count();
    const ac = await page.locator('#subs tbody tr[data-verdict="AC"]').count();
    assert(rows === ac && ac >= 1, rows + ' rows, ' + ac + ' accepted');
    await page.click('#subs tbody tr[data-verdict="AC"] >> nth=0');
    await page.waitForSelector('#sub-detail:not([hidden])');
    const src = await page.textContent('#detail-source');
    assert(/a \+ b/.test(src), 'source: ' + src.slice(0, 80));
    const verdicts = await page.locator('#detail-results tbody tr').evaluateAll((trs) => trs.map((t) => t.dataset.verdict));
    assert(verdicts.length >= 2 && verdicts.every((v) => v === 'AC'), 'results ' + verdicts);
    await shot(page, 'submission');
  });

  await test('rejudge one submission: judged again, still accepted', async () => {
    const id = await page.locator('#subs tbody tr.selected').getAttribute('data-id');
    await page.click('#rejudge-one');
    await waitStatus(/Rejudging 1 submission/);
    await page.waitForFunction(async (sid) => {
      const s = await (await fetch('/admin/submissions/' + sid)).json();
      return s.status === 'done' && s.verdict === 'AC';
    }, id, { timeout: 60000, polling: 500 });
  });

  await test('clarifications: answer a contestant privately, announce to everyone', async () => {
    const who = await playwright.request.newContext({ baseURL: BASE, ignoreHTTPSErrors: true });
    const tok = (await (await who.post('/auth/login', { data: { email: process.env.EMAIL, password: process.env.PASSWORD } })).json()).access_token;
    const hdr = { Authorization: 'Bearer ' + tok };
    const asked = await who.post('/clarifications', { headers: hdr, data: { text: 'Is n ever zero? ' + tag } });
    assert(asked.status() === 201, 'ask: ' + asked.status());
    const id = (await asked.json()).id;
    await page.click('[data-tab="clarifications"]');
    const li = page.locator(`#clars li[data-id="${id}"]`);
    await li.waitFor();
    assert(await li.getAttribute('data-state') === 'open', 'not shown as open');
    await li.locator('input[name="answer"]').fill('No, n >= 1. ' + tag);
    await li.locator('button[type=submit]').click();
    await page.waitForFunction((i) => document.querySelector(`#clars li[data-id="${i}"]`).dataset.state === 'answered', id);
    const mine = await (await who.get('/clarifications/' + id, { headers: hdr })).json();
    assert(mine.answer === 'No, n >= 1. ' + tag && mine.public === false, 'the contestant reads ' + JSON.stringify(mine));
    await page.fill('#announce-text', 'Problem A: the limit is 2 s. ' + tag);
    await page.click('#announce-form button[type=submit]');
    await waitStatus(/Announced/);
    const list = await (await who.get('/clarifications', { headers: hdr })).json();
    assert(list.some((c) => c.kind === 'announcement' && c.text.endsWith(tag)), 'the announcement did not reach the contestant');
    await shot(page, 'clarifications');
    await who.dispose();
  });

  await test('users: add, ban, unban, reset a password', async () => {
    await page.click('[data-tab="users"]');
    const email = 'jury-made-' + tag + '@test.pitwall';
    await page.fill('#u-email', email);
    await page.fill('#u-name', 'Jury Made ' + tag);
    await page.fill('#u-password', 'first-password-' + tag);
    await page.click('#user-add button[type=submit]');
    const row = page.locator(`#users tr[data-email="${email}"]`);
    await row.waitFor();
    await row.locator('button.ban').click();
    await page.waitForFunction((e) => /banned/.test(document.querySelector(`#users tr[data-email="${e}"]`).textContent), email);
    let r = await outside.post('/auth/login', { data: { email, password: 'first-password-' + tag } });
    assert(r.status() === 403, 'a banned user logs in: ' + r.status());
    await row.locator('button.ban').click();
    await page.waitForFunction((e) => !/banned/.test(document.querySelector(`#users tr[data-email="${e}"] td:nth-child(5)`).textContent), email);
    answers.push('second-password-' + tag);
    await row.locator('button.reset').click();
    await waitStatus(/reset/);
    r = await outside.post('/auth/login', { data: { email, password: 'second-password-' + tag } });
    assert(r.status() === 200, 'the new password: ' + r.status());
    r = await outside.post('/auth/login', { data: { email, password: 'first-password-' + tag } });
    assert(r.status() === 401, 'the old password: ' + r.status());
    await shot(page, 'users');
  });

  await test('users: a CSV import reports the refused line', async () => {
    await page.click('#tab-users summary');
    await page.fill('#csv', `csv-${tag}@test.pitwall,CSV ${tag},long-enough-password\nnot-an-email,Bad,long-enough-password\n`);
    await page.click('#csv-import');
    await waitStatus(/1 created, 0 existing, 1 refused/);
    assert(/line 2/.test(await page.textContent('#csv-result')), 'no reason for line 2');
  });

  await test('problems: upload a Kattis package into the round', async () => {
    await page.click('[data-tab="problems"]');
    await page.setInputFiles('#pkg-file', process.env.PKG_ZIP);
    await page.fill('#pkg-slug', 'jury-' + tag);
    await page.click('#pkg-form button[type=submit]');
    await waitStatus(/Imported jury-/);
    await page.waitForSelector(`#problems tr[data-slug="jury-${tag}"]`);
    await shot(page, 'problems');
    await page.setInputFiles('#pkg-file', { name: 'junk.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip') });
    await page.fill('#pkg-slug', 'junk-' + tag);
    await page.click('#pkg-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('action-error').textContent.length > 0);
  });

  await test('clock: start, freeze, scoring mode and close a scratch round', async () => {
    const hdr = await adminHeader();
    const r = await outside.post('/admin/rounds', { headers: hdr, data: { slug: 'jury-' + tag, name: 'Scratch ' + tag, minutes: 30 } });
    assert(r.status() === 201, 'round: ' + r.status());
    await page.reload();
    await page.waitForSelector('#jury-view:not([hidden])');
    await page.selectOption('#round-select', 'jury-' + tag);
    await page.waitForFunction(() => document.querySelector('[data-fact="state"]').textContent === 'unscheduled');
    await page.fill('#open-minutes', '30');
    await page.click('#round-open');
    await page.waitForFunction(() => document.querySelector('[data-fact="state"]').textContent === 'open');
    // Ten minutes from now, whole seconds, as the local time the input takes.
    const fz = new Date(Math.floor(Date.now() / 1000) * 1000 + 600000);
    const local = new Date(fz.getTime() - fz.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
    await page.fill('#freeze-at', local);
    await page.click('#round-freeze');
    await waitStatus(/Freeze set/);
    let got = await (await outside.get('/admin/rounds/jury-' + tag, { headers: hdr })).json();
    assert(got.freeze_at && Date.parse(got.freeze_at) === fz.getTime(), 'freeze_at ' + got.freeze_at);
    await page.selectOption('#round-scoring', 'icpc');
    await page.click('#round-scoring-set');
    await waitStatus(/Scoring set to icpc/);
    got = await (await outside.get('/admin/rounds/jury-' + tag, { headers: hdr })).json();
    assert(got.scoring === 'icpc', 'scoring ' + got.scoring);
    await page.click('#round-close');
    await page.waitForFunction(() => document.querySelector('[data-fact="state"]').textContent === 'closed');
    got = await (await outside.get('/admin/rounds/jury-' + tag, { headers: hdr })).json();
    assert(got.state === 'closed', 'server says ' + got.state);
    await shot(page, 'closed');
  });

  await test('phone width: nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.click('[data-tab="clock"]');
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(w <= 390, 'scroll width ' + w);
    await shot(page, 'phone');
  });

  await test('no script errors on the page', async () => {
    assert(consoleErrors.length === 0, consoleErrors.join('; '));
  });
} finally {
  await outside.dispose();
  await S.close();
}
process.exit(S.failed ? 1 : 0);
