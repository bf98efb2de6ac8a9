// End-to-end test of the contestant page in Debian's Chromium, driven by
// playwright-core (never a downloaded browser), against a running stack
// on the embedded judge.  Prints "ok - name" / "not ok - name" lines;
// screenshots of each step go to $SCREENSHOTS.
//
// Environment: PITWALL_URL, EMAIL, PASSWORD, USER_NAME, SCREENSHOTS,
// CHROMIUM (default /usr/bin/chromium), ADMIN_EMAIL and ADMIN_PASSWORD
// (the jury, answering clarifications through the admin API).
import { session, playwright } from './lib.mjs';

const { request } = playwright;

const BASE = process.env.PITWALL_URL;
const EMAIL = process.env.EMAIL;
const PASSWORD = process.env.PASSWORD;
const NAME = process.env.USER_NAME;

const WRONG = '#include <stdio.h>\nint main(void) { long long a, b; scanf("%lld %lld", &a, &b); printf("%lld\\n", a - b); return 0; }\n';
const RIGHT = '#include <stdio.h>\nint main(void) { long long a, b; scanf("%lld %lld", &a, &b); printf("%lld\\n", a + b); return 0; }\n';

const S = await session();
const { context, page, test, assert } = S;
const shot = (p, name) => S.shot(p, name);
const consoleErrors = S.errors;

async function setCode(text) {
  await page.click('.cm-content');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  await page.waitForTimeout(400); // the page saves after 250 ms
}
const editorText = () => page.evaluate(() => [...document.querySelectorAll('.cm-content .cm-line')].map((l) => l.textContent).join('\n'));

async function login() {
  await page.fill('#email', EMAIL);
  await page.fill('#password', PASSWORD);
  await page.press('#password', 'Enter');
  await page.waitForSelector('#contest-view:not([hidden]) .qbtn');
}

try {
  await test('the page loads and asks to log in', async () => {
    await page.goto(BASE + '/');
    await page.waitForSelector('#login-view:not([hidden])');
    await shot(page, 'login');
  });

  await test('a wrong password reads as a sentence', async () => {
    await page.fill('#email', EMAIL);
    await page.fill('#password', 'not-the-password');
    await page.click('#login-button');
    await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
    const t = await page.textContent('#login-error');
    assert(/do not match/.test(t), 'login error: ' + t);
  });

  await test('log in: questions, statement and the round clock', async () => {
    await login();
    await page.click('.qbtn:has-text("Sum of two integers")');
    await page.waitForSelector('#q-title:has-text("Sum of two integers")');
    await page.waitForFunction(() => /left$/.test(document.getElementById('clock').textContent));
    const meta = await page.textContent('#q-meta');
    assert(/100 points/.test(meta) && /time limit 1 s/.test(meta), 'limits: ' + meta);
    assert(await page.locator('#samples .sample').count() >= 1, 'no samples shown');
    assert(await page.locator('#q-body h1, #q-body h2').count() >= 1, 'statement Markdown not rendered');
    await shot(page, 'question');
  });

  await test('the language list is GET /languages, C selected by default', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#language option[value]:not([value=""])').length > 0);
    const r = await page.evaluate(async () => {
      const api = await (await fetch('/languages')).json();
      const shown = [...document.querySelectorAll('#language option')].map((o) => ({ id: Number(o.value), name: o.textContent }));
      return { api, shown, value: document.getElementById('language').value };
    });
    assert(r.api.length > 0, 'no language enabled');
    assert(JSON.stringify(r.api) === JSON.stringify(r.shown), 'select ' + JSON.stringify(r.shown) + ' vs ' + JSON.stringify(r.api));
    assert(r.value === '50', 'default language ' + r.value);
  });

  await test('Run (Ctrl+Enter) with a wrong C solution shows Wrong Answer', async () => {
    await page.selectOption('#language', '50');
    await setCode(WRONG);
    await page.press('.cm-content', 'Control+Enter');
    await page.waitForSelector('#run-summary', { timeout: 60000 });
    const wa = await page.locator('#run-result tr[data-verdict="WA"]').count();
    assert(wa >= 1, 'no Wrong Answer row');
    assert(/Wrong Answer/.test(await page.textContent('#run-result')), 'no "Wrong Answer" text');
    assert(/0 of \d+ samples passed/.test(await page.textContent('#run-summary')), 'summary');
    await shot(page, 'run-wrong-answer');
  });

  let lbBefore = '';
  let submittedId = null;
  await test('Submit a right solution: every testcase turns Accepted live, no reload', async () => {
    lbBefore = await page.textContent('#leaderboard tbody');
    await page.evaluate(() => { window.__sameDocument = true; });
    await setCode(RIGHT);
    await page.click('#submit');
    await page.waitForSelector('#sub-summary');
    await shot(page, 'submit-sent');
    const seen = new Set();
    let live = false;
    const t0 = Date.now();
    for (;;) {
      const s = await page.evaluate(() => ({
        status: document.getElementById('sub-summary')?.dataset.status,
        ac: document.querySelectorAll('#sub-table tr[data-verdict="AC"]').length,
        rows: document.querySelectorAll('#sub-table tbody tr').length,
        live: (document.getElementById('sub-live')?.textContent || '').includes('live'),
      }));
      seen.add(s.ac);
      live = live || s.live;
      if (s.status === 'done') {
        assert(s.rows > 0 && s.ac === s.rows, 'done with ' + s.ac + ' of ' + s.rows + ' Accepted');
        break;
      }
      assert(Date.now() - t0 < 90000, 'not done after 90 s');
      await page.waitForTimeout(50);
    }
    assert(await page.evaluate(() => window.__sameDocument === true), 'the page was reloaded');
    submittedId = await page.getAttribute('#sub-summary', 'data-id');
    console.log('# Accepted counts seen while judging: ' + [...seen].join(', ') + (live ? ' (push channel live)' : ' (polling)'));
    await shot(page, 'submit-accepted');
    const mine = await page.textContent('#my-submissions tbody');
    assert(/passed/.test(mine), 'my submissions: ' + mine);
  });

  await test('results arrived over the push channel (nchan)', async () => {
    const r = await page.evaluate(async (id) => {
      return await new Promise((resolve) => {
        const es = new EventSource('/live/submissions/' + id);
        const t = setTimeout(() => { es.close(); resolve({ ok: false, why: 'no message in 5 s' }); }, 5000);
        es.onmessage = (m) => { clearTimeout(t); es.close(); resolve({ ok: true, data: m.data }); };
        es.onerror = () => { clearTimeout(t); es.close(); resolve({ ok: false, why: 'EventSource error' }); };
      });
    }, await page.getAttribute('#sub-summary', 'data-id'));
    assert(r.ok, r.why);
    assert(/"verdict":"AC"/.test(r.data), 'message: ' + r.data);
  });

  await test('the leaderboard changes without a reload', async () => {
    await page.waitForFunction((name) => [...document.querySelectorAll('#leaderboard tbody tr')]
      .some((tr) => tr.children[1].textContent === name && tr.children[2].textContent === '100'), NAME, { timeout: 20000 });
    assert(!lbBefore.includes(NAME), 'already on the leaderboard before');
    assert(await page.getAttribute('#leaderboard thead tr', 'data-mode') === 'proportional', 'the board names its mode');
    await shot(page, 'leaderboard');
  });

  await test('reload: still logged in, the code is still there', async () => {
    await page.reload();
    await page.waitForSelector('#contest-view:not([hidden]) .qbtn');
    await page.waitForSelector('#q-title:has-text("Sum of two integers")');
    const t = await editorText();
    assert(t.trim() === RIGHT.trim(), 'editor holds: ' + t);
    assert(/passed/.test(await page.textContent('#my-submissions tbody')), 'my submissions lost');
    await shot(page, 'after-reload');
  });

  await test('my submissions come from the server, not from this browser', async () => {
    const sid = submittedId;
    assert(sid, 'no submission was made');
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.waitForSelector('#contest-view:not([hidden]) .qbtn');
    const row = '#my-submissions tbody tr[data-id="' + sid + '"]';
    await page.waitForSelector(row + '[data-status="done"]');
    const ok = await page.waitForFunction((sel) => {
      const tds = [...(document.querySelector(sel)?.children || [])].map((td) => td.textContent);
      return tds.length === 5 && tds[1] === 'Sum of two integers' && /^C /.test(tds[2]) && /passed/.test(tds[3]);
    }, row, { timeout: 10000 }).then(() => true, () => false);
    assert(ok, 'row: ' + await page.textContent(row));
    assert(await page.evaluate(() => Object.keys(localStorage).every((k) => !k.startsWith('pitwall:subs:'))), 'list in localStorage');
    await page.click(row + ' button');
    await page.waitForSelector('#sub-summary[data-id="' + sid + '"][data-status="done"]');
    assert(await page.locator('#sub-table tr[data-verdict="AC"]').count() > 0, 'its results');
    await shot(page, 'my-submissions-from-server');
    // Back to the question and language the next steps use.
    await page.click('.qbtn:has-text("Sum of two integers")');
    await page.selectOption('#language', '50');
  });

  await test('a submission that does not compile shows one Compilation Error with the compiler output', async () => {
    await setCode('#include <stdio.h>\nint main(void) { printf("x\\n") return 0; }\n');
    await page.click('#submit');
    await page.waitForSelector('#sub-summary[data-verdict="CE"][data-status="done"]', { timeout: 90000 });
    const out = await page.textContent('#compile-output');
    assert(/error/.test(out) && /expected/.test(out), 'compiler output: ' + out);
    assert(await page.locator('#sub-table').count() === 0, 'per-testcase rows shown for a compile error');
    assert(/Compilation Error/.test(await page.textContent('#sub-summary')), 'summary');
    await shot(page, 'compile-error');
    await setCode(RIGHT);
  });

  await test('a Submit whose answer is lost is retried with the same Idempotency-Key: one submission', async () => {
    // The first send reaches the server (stored) but its answer is
    // replaced by a 503; the page's retry must get that submission back.
    const keys = [];
    let replayed = null;
    await page.route('**/submit', async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      const res = await route.fetch();
      if (keys.length === 1) {
        await route.fulfill({ status: 503, contentType: 'application/json',
          body: JSON.stringify({ error: 'not_replicated', message: 'test: the answer was lost' }) });
      } else {
        replayed = res.headers()['idempotent-replayed'] || null;
        await route.fulfill({ response: res });
      }
    });
    try {
      await setCode(RIGHT + '\n');
      const before = await page.getAttribute('#sub-summary', 'data-id');
      await page.click('#submit');
      // The last test's submission is shown, done, until this one is.
      await page.waitForFunction((old) => {
        const s = document.getElementById('sub-summary');
        return s && s.dataset.id && s.dataset.id !== old && s.dataset.status === 'done';
      }, before, { timeout: 90000 });
    } finally {
      await page.unroute('**/submit');
    }
    assert(keys.length === 2, 'sends: ' + keys.length);
    assert(keys[0] && /^[A-Za-z0-9._:-]{1,64}$/.test(keys[0]), 'an Idempotency-Key: ' + keys[0]);
    assert(keys[0] === keys[1], 'the retry kept its key: ' + keys.join(' / '));
    assert(replayed === 'true', 'the retry got the stored submission back: Idempotent-Replayed ' + replayed);
    await setCode(RIGHT);
  });

  // The jury, through the admin API, in a request context of its own
  // (the page's cookie stays the contestant's).
  const jury = await request.newContext({ baseURL: BASE, ignoreHTTPSErrors: true });
  const juryPost = async (path, data) => {
    const r = await jury.post(path, { data });
    assert(r.ok(), path + ': ' + r.status() + ' ' + await r.text());
    return r.json();
  };
  await test('clarifications: ask, the answer and an announcement arrive live, unread until read', async () => {
    await juryPost('/auth/login', { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD });
    const qv = await page.evaluate(() => [...document.querySelectorAll('#clar-question option')]
      .find((o) => /Sum of two integers/.test(o.textContent))?.value);
    assert(qv, 'the question is in the "About" list');
    await page.selectOption('#clar-question', qv);
    await page.fill('#clar-text', 'Can the integers be negative?');
    await page.click('#clar-ask');
    const mine = '#clar-list li[data-kind="question"][data-answered="false"]';
    await page.waitForSelector(mine + ':has-text("Can the integers be negative?")');
    const id = await page.getAttribute(mine, 'data-id');
    assert(await page.getAttribute(mine, 'data-unread') === 'false', 'my own open question is not unread');
    assert(/Waiting/.test(await page.textContent(mine)), 'no "waiting" line');
    await page.waitForFunction(() => /live/.test(document.getElementById('clar-live').textContent), null, { timeout: 10000 });
    await shot(page, 'clarification-asked');
    const pushes = async () => Number(await page.getAttribute('#clar-list', 'data-pushes') || 0);
    const before = await pushes();
    const t0 = Date.now();
    await juryPost('/admin/clarifications/' + id + '/answer', { answer: 'Yes, down to -10^9.', public: false });
    const answered = '#clar-list li[data-id="' + id + '"][data-answered="true"][data-unread="true"]';
    // The page's safety poll is a minute apart while the channels are up:
    // arriving within seconds means the push brought it.
    await page.waitForSelector(answered, { timeout: 8000 });
    console.log('# answer shown ' + (Date.now() - t0) + ' ms after the jury sent it');
    assert(await pushes() > before, 'the answer came by polling, not by a push message');
    assert(/down to -10\^9/.test(await page.textContent(answered)), 'answer text');
    await juryPost('/admin/clarifications', { text: 'Problem A: the input ends with a newline.' });
    await page.waitForSelector('#clar-list li[data-kind="announcement"][data-unread="true"]:has-text("ends with a newline")', { timeout: 8000 });
    assert(/2 new/.test(await page.textContent('#clar-unread')), 'unread mark: ' + await page.textContent('#clar-unread'));
    await shot(page, 'clarification-answered');
    await page.click('#clar-read');
    assert(await page.locator('#clar-list li[data-unread="true"]').count() === 0, 'still unread after Mark all read');
    assert(await page.isHidden('#clar-unread'), 'badge still shown');
    await page.reload();
    await page.waitForSelector('#clar-list li[data-id="' + id + '"][data-answered="true"]');
    assert(await page.locator('#clar-list li[data-unread="true"]').count() === 0, 'unread again after a reload');
    await shot(page, 'clarifications-read');
  });
  await jury.dispose();

  await test('session expired: back to login with the code kept', async () => {
    // The code is edited first: once the cookies are gone, the page's own
    // polling may find the session expired and show the login at once.
    await setCode(RIGHT + '// edited\n');
    await context.clearCookies();
    // Run meets the expired session, unless a poll met it first and the
    // login is already up (Run hidden): either way the login must say so.
    await page.click('#run', { timeout: 5000 }).catch(() => {});
    await page.waitForSelector('#login-view:not([hidden])');
    assert(/session has expired/.test(await page.textContent('#login-error')), 'message');
    await shot(page, 'session-expired');
    await login();
    await page.waitForSelector('#q-title:has-text("Sum of two integers")');
    assert((await editorText()).includes('// edited'), 'code lost');
  });

  await test('an ICPC board shows each problem\'s balloon colour', async () => {
    // demo/contest gives "sum" a red balloon and "reverse" a blue one.
    const jury2 = await request.newContext({ baseURL: BASE, ignoreHTTPSErrors: true });
    const lr = await jury2.post('/auth/login', { data: { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD } });
    assert(lr.ok(), 'jury login: ' + lr.status());
    const patch = async (scoring) => {
      const r = await jury2.patch('/admin/rounds/r1', { data: { scoring } });
      assert(r.ok(), 'PATCH scoring ' + scoring + ': ' + r.status() + ' ' + await r.text());
    };
    await patch('icpc');
    try {
      await page.reload();
      await page.waitForSelector('#contest-view:not([hidden]) .qbtn');
      await page.waitForSelector('#leaderboard thead tr[data-mode="icpc"] th[data-slug="sum"] .balloon', { timeout: 15000 });
      const bg = await page.evaluate(() => getComputedStyle(document.querySelector('#leaderboard th[data-slug="sum"] .balloon')).backgroundColor);
      assert(bg === 'rgb(229, 57, 53)', 'the sum balloon is ' + bg);
      const title = await page.getAttribute('#leaderboard th[data-slug="reverse"] .balloon', 'title');
      assert(title === 'balloon: blue', 'the reverse balloon: ' + title);
      await page.evaluate(() => document.querySelector('#leaderboard th[data-slug="sum"]').scrollIntoView({ block: 'nearest', inline: 'center' }));
      await shot(page, 'icpc-board-balloons');
    } finally {
      await patch('proportional');
      await jury2.dispose();
    }
    await page.reload();
    await page.waitForSelector('#contest-view:not([hidden]) .qbtn');
    await page.waitForSelector('#q-title:has-text("Sum of two integers")');
    await page.waitForSelector('#leaderboard thead tr[data-mode="proportional"]', { timeout: 15000 });
  });
  await test('phone width: one column, nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    await shot(page, 'phone');
    // The elements that stick out, to say what made the page too wide.
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 2 && e.offsetParent)
      .slice(0, 5).map((e) => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)));
    assert(w <= 392, 'page is ' + w + ' px wide: ' + wide.join(', '));
  });

  await test('no script errors on the page', async () => {
    assert(consoleErrors.length === 0, consoleErrors.join('; '));
  });
} finally {
  await S.close();
}
process.exit(S.failed ? 1 : 0);
