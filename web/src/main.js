// Pitwall's contestant page: log in, read the questions, write code, Run,
// Run Custom, Submit and watch the verdicts and the leaderboard live.
import { marked } from 'marked';
import DOMPurify from 'dompurify';
import { api, setUnauthorizedHandler, verdictName } from './api.js';
import { createEditor, languageSupport } from './editor.js';
import { watchSubmission, watchLeaderboard } from './live.js';
import { $, debounce, el, store } from './dom.js';
import { startClarifications, stopClarifications, setClarQuestions } from './clar.js';

const S = {
  user: store.get('pitwall:user', null), // {email, sub, role}
  questions: [],
  round: null,
  current: null,
  lang: store.get('pitwall:lang', 50),
  languages: [], // [{id, name}] from GET /languages
  mine: [], // GET /submissions
  mineTimer: null,
  mineDelay: 3000,
  watching: null,
  clockOffset: 0,
  timeRound: null,
  stopWatch: null,
  stopLb: null,
  busy: false,
};

// Older pages kept "my submissions" in localStorage; the server has them now.
try {
  for (const k of Object.keys(localStorage)) if (k.startsWith('pitwall:subs:')) localStorage.removeItem(k);
} catch { /* disabled */ }

// A language {id, name} by id: from GET /languages, else a stand-in.
const langOf = (id) => S.languages.find((l) => l.id === Number(id)) || { id: Number(id), name: '#' + id };

// ---- source kept per question and language --------------------------------
const srcKey = (q, lang) => 'pitwall:src:' + q.id + ':' + lang;
function loadSource(q, lang) {
  const s = store.get(srcKey(q, lang), null);
  return s != null ? s : languageSupport(langOf(lang)).template;
}
let saveTimer = null;
function saveSourceSoon() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveSourceNow, 250);
}
function saveSourceNow() {
  clearTimeout(saveTimer);
  if (S.current) store.set(srcKey(S.current, S.lang), editor.get());
}
window.addEventListener('pagehide', saveSourceNow);
window.addEventListener('beforeunload', saveSourceNow);

const editor = createEditor($('editor'), { onChange: saveSourceSoon, onRun: () => runSamples() });

// ---- messages ----------------------------------------------------------------
function showError(msg) { $('action-error').textContent = msg || ''; }
function showStatus(msg) { $('action-status').textContent = msg || ''; }
function banner(msg) { $('banner').textContent = msg || ''; $('banner').hidden = !msg; }

// ---- views -------------------------------------------------------------------
function showLogin(message) {
  saveSourceNow();
  if (S.stopWatch) { S.stopWatch(); S.stopWatch = null; }
  clearTimeout(S.mineTimer);
  stopClarifications();
  S.mine = [];
  renderMine();
  $('contest-view').hidden = true;
  $('login-view').hidden = false;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('login-error').textContent = message || '';
  if (S.user && S.user.email) $('email').value = S.user.email;
  ($('email').value ? $('password') : $('email')).focus();
}

async function showContest(questions) {
  $('login-view').hidden = true;
  $('contest-view').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = S.user ? S.user.email : '';
  loadLanguages();
  await loadQuestions(questions);
  refreshLeaderboard();
  refreshMySubmissions();
  startClarifications(S.user ? S.user.sub : null);
  if (!S.stopLb) {
    S.stopLb = watchLeaderboard({
      onChange: debounce(refreshLeaderboard, 300),
      onLive: (on) => { $('lb-live').textContent = on ? '● live' : ''; },
    });
  }
}

setUnauthorizedHandler((err) => showLogin(err.message));

// ---- login -------------------------------------------------------------------
function jwtPayload(tok) {
  try {
    const b = tok.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(b + '==='.slice((b.length + 3) % 4)));
  } catch { return {}; }
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const email = $('email').value.trim();
  const password = $('password').value;
  if (!email || !password) { $('login-error').textContent = 'Enter your email and password.'; return; }
  $('login-button').disabled = true;
  $('login-error').textContent = '';
  try {
    const r = await api('POST', '/auth/login', { email, password }, 'log in');
    const p = jwtPayload(r.access_token || '');
    S.user = { email, sub: p.sub != null ? String(p.sub) : email, role: p.role || 'contestant' };
    store.set('pitwall:user', S.user);
    $('password').value = '';
    await showContest();
  } catch (e) {
    $('login-error').textContent = e.message;
  } finally {
    $('login-button').disabled = false;
  }
});

$('logout').addEventListener('click', async () => {
  saveSourceNow();
  try { await api('POST', '/auth/logout'); } catch { /* gone already */ }
  showLogin('You are logged out.');
});

// ---- clock (server time) -----------------------------------------------------
async function syncTime() {
  const t0 = Date.now();
  try {
    const r = await api('GET', '/time');
    const t1 = Date.now();
    S.clockOffset = r.server_time_ms - (t0 + t1) / 2;
    S.timeRound = r.round;
  } catch { /* keep the last offset */ }
  tick();
}
const fmt = (s) => {
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
  return (h ? h + ':' + String(m).padStart(2, '0') : String(m)) + ':' + String(x).padStart(2, '0');
};
function tick() {
  const r = S.timeRound;
  const now = Date.now() + S.clockOffset;
  if (!r) { $('round-name').textContent = ''; $('clock').textContent = 'No round scheduled'; return; }
  const start = Date.parse(r.starts_at), end = Date.parse(r.ends_at);
  $('round-name').textContent = r.name;
  let text;
  if (now < start) text = 'starts in ' + fmt((start - now) / 1000);
  else if (now < end) text = fmt((end - now) / 1000) + ' left';
  else text = 'closed';
  $('clock').textContent = text;
  $('clock').dataset.state = now < start ? 'scheduled' : now < end ? 'open' : 'closed';
  // The round just opened or closed: the question list changes.
  const open = now >= start && now < end;
  if (S.lastOpen !== undefined && S.lastOpen !== open && !$('contest-view').hidden) loadQuestions();
  S.lastOpen = open;
}
setInterval(tick, 1000);
setInterval(() => { syncTime(); loadLanguages(); }, 60000);

// ---- questions ---------------------------------------------------------------
async function loadQuestions(given) {
  let r = given;
  try {
    if (!r) r = await api('GET', '/questions');
  } catch (e) {
    if (e.status !== 401) banner(e.message);
    return;
  }
  banner('');
  S.round = r.round;
  S.questions = r.questions || [];
  const ul = $('questions');
  ul.replaceChildren(...S.questions.map((q, i) => el('li', {},
    el('button', { type: 'button', class: 'qbtn', 'data-qid': q.id, onclick: () => selectQuestion(q.id) },
      String.fromCharCode(65 + (i % 26)) + '. ' + q.title, el('span', { class: 'pts' }, q.points + ' pts')))));
  $('no-questions').hidden = S.questions.length > 0;
  setClarQuestions(S.questions);
  const keep = S.current && S.questions.find((q) => q.id === S.current.id);
  const last = store.get('pitwall:question', null);
  const pick = keep || S.questions.find((q) => q.id === last) || S.questions[0];
  if (pick) selectQuestion(pick.id);
  else { S.current = null; $('q-title').textContent = ''; $('q-meta').textContent = ''; $('q-body').replaceChildren(); $('samples').replaceChildren(); $('samples-title').hidden = true; }
}

function limitText(q) {
  const mem = q.memory_limit_kb >= 1024 ? Math.round(q.memory_limit_kb / 1024) + ' MB' : q.memory_limit_kb + ' KB';
  return q.points + ' points · time limit ' + (q.time_limit_ms / 1000) + ' s · memory limit ' + mem;
}

function selectQuestion(id) {
  const q = S.questions.find((x) => x.id === id);
  if (!q) return;
  if (S.current && S.current.id !== q.id) saveSourceNow();
  S.current = q;
  store.set('pitwall:question', q.id);
  for (const b of document.querySelectorAll('.qbtn')) b.setAttribute('aria-current', Number(b.dataset.qid) === q.id ? 'true' : 'false');
  $('q-title').textContent = q.title;
  $('q-meta').textContent = limitText(q);
  $('q-body').innerHTML = DOMPurify.sanitize(marked.parse(q.statement || ''));
  const samples = q.samples || [];
  $('samples-title').hidden = samples.length === 0;
  // An interactive problem's sample shows its .interaction (the input is
  // the interactor's, not the program's), or nothing when it has none.
  // A binary sample file (input or output null) is not shown as text.
  $('samples').replaceChildren(...samples.map((s, i) => 'interaction' in s
    ? el('div', { class: 'sample' }, el('div', {}, el('h4', {}, 'Interaction ' + (i + 1)),
      el('pre', {}, s.interaction != null ? s.interaction : '(interactive: no transcript)')))
    : el('div', { class: 'sample' },
      el('div', {}, el('h4', {}, 'Input ' + (i + 1)), el('pre', {}, s.input != null ? s.input : '(binary)')),
      el('div', {}, el('h4', {}, 'Output ' + (i + 1)), el('pre', {}, s.expected_output != null ? s.expected_output : '(binary)')))));
  editor.set(loadSource(q, S.lang), langOf(S.lang));
  $('run-result').replaceChildren();
  showError('');
}

// ---- language ----------------------------------------------------------------
// The enabled languages come from GET /languages (public, cached by the
// server); the choice is kept in localStorage.  Refetched every minute,
// so a language an organizer disables goes away from open pages.
const langSel = $('language');
let langRetry = null;

// The language to select: `want` when enabled, else C, else the first.
function pickLanguage(want) {
  const has = (id) => S.languages.some((l) => l.id === id);
  if (has(Number(want))) return Number(want);
  if (has(50)) return 50;
  return S.languages.length ? S.languages[0].id : null;
}

function useLanguage(id) {
  if (id === S.lang) return;
  saveSourceNow();
  S.lang = id;
  if (S.current) editor.set(loadSource(S.current, S.lang), langOf(S.lang));
}

function renderLanguages() {
  langSel.replaceChildren(...S.languages.map((l) => el('option', { value: l.id }, l.name)));
  if (S.languages.length === 0) langSel.append(el('option', { value: '' }, 'No language is enabled'));
  langSel.disabled = S.languages.length === 0;
  const pick = pickLanguage(store.get('pitwall:lang', S.lang));
  useLanguage(pick);
  if (pick != null) langSel.value = String(pick);
  renderMine();
}

async function loadLanguages() {
  clearTimeout(langRetry);
  let list;
  try {
    list = await api('GET', '/languages');
  } catch {
    if (S.languages.length === 0) {
      langSel.replaceChildren(el('option', { value: '' }, 'Languages unavailable, retrying…'));
      langSel.disabled = true;
    }
    langRetry = setTimeout(loadLanguages, 10000);
    return;
  }
  if (!Array.isArray(list)) return;
  if (langSel.options.length && JSON.stringify(list) === JSON.stringify(S.languages)) return;
  S.languages = list;
  renderLanguages();
}

langSel.addEventListener('change', () => {
  const id = Number(langSel.value);
  store.set('pitwall:lang', id);
  useLanguage(id);
});

// ---- run / run custom --------------------------------------------------------
function setBusy(b, what) {
  S.busy = b;
  for (const id of ['run', 'run-custom', 'submit']) $(id).disabled = b;
  showStatus(b ? what : '');
}

function textCell(s, cls) {
  return el('td', { class: cls }, s != null && s !== '' ? el('pre', {}, s) : el('span', { class: 'muted' }, '—'));
}

function runTable(results, samples) {
  const custom = samples == null;
  return el('table', { class: 'results' },
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, '#'), el('th', { scope: 'col' }, 'Verdict'), el('th', { scope: 'col' }, 'Time'),
      el('th', { scope: 'col' }, 'Memory'), el('th', { scope: 'col' }, 'Output'),
      custom ? null : el('th', { scope: 'col' }, 'Expected'))),
    el('tbody', {}, results.map((r, i) => {
      const expected = r.expected_output != null ? r.expected_output : (samples && samples[i] ? samples[i].expected_output : null);
      const rows = [el('tr', { 'data-verdict': r.verdict },
        el('td', {}, String(i + 1)),
        el('td', { class: 'verdict v-' + r.verdict }, verdictName(r.verdict)),
        el('td', {}, r.time_ms != null ? r.time_ms + ' ms' : '—'),
        el('td', {}, r.memory_kb != null ? r.memory_kb + ' KB' : '—'),
        textCell(r.stdout),
        custom ? null : textCell(expected))];
      const extra = r.compile_output || r.stderr || r.message;
      if (extra) {
        rows.push(el('tr', { class: 'detail' }, el('td', { colspan: custom ? 5 : 6 },
          el('h4', {}, r.compile_output ? 'Compiler output' : r.stderr ? 'Standard error' : 'Message'),
          el('pre', {}, extra))));
      }
      return rows;
    })));
}

async function runSamples() {
  if (!S.current || S.busy) return;
  saveSourceNow();
  showError('');
  setBusy(true, 'Running the samples…');
  try {
    const r = await api('POST', '/run', { question_id: S.current.id, language_id: S.lang, source_code: editor.get() }, 'run');
    $('run-result').replaceChildren(
      el('h3', { id: 'run-summary', 'data-passed': r.passed, 'data-total': r.total },
        'Run: ' + r.passed + ' of ' + r.total + ' samples passed'),
      runTable(r.results || [], S.current.samples || []));
  } catch (e) {
    showError(e.message);
  } finally {
    setBusy(false);
  }
}

async function runCustom() {
  if (S.busy) return;
  saveSourceNow();
  showError('');
  setBusy(true, 'Running with your input…');
  try {
    const r = await api('POST', '/runcustom', { language_id: S.lang, source_code: editor.get(), stdin: $('stdin').value }, 'run custom');
    $('run-result').replaceChildren(el('h3', { id: 'run-summary' }, 'Run Custom'), runTable([r], null));
  } catch (e) {
    showError(e.message);
  } finally {
    setBusy(false);
  }
}

$('run').addEventListener('click', runSamples);
$('run-custom').addEventListener('click', runCustom);
$('custom-toggle').addEventListener('click', () => {
  const box = $('custom');
  box.hidden = !box.hidden;
  $('custom-toggle').setAttribute('aria-expanded', String(!box.hidden));
  if (!box.hidden) $('stdin').focus();
});
document.addEventListener('keydown', (ev) => {
  if ((ev.ctrlKey || ev.metaKey) && ev.key === 'Enter' && !$('contest-view').hidden) {
    ev.preventDefault();
    if (ev.target === $('stdin')) runCustom(); else runSamples();
  }
});

// ---- submit and my submissions -------------------------------------------------
// The list is GET /submissions (the server's, so it follows the contestant
// to any browser); the submission being watched updates its row live.
function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
}

function questionTitle(s) {
  const q = S.questions.find((x) => x.id === s.question_id);
  return q ? q.title : s.question || '#' + s.question_id;
}

function renderMine() {
  const tb = $('my-submissions').tBodies[0];
  tb.replaceChildren(...S.mine.map((s) => el('tr', { 'data-id': s.id, 'data-status': s.status || 'queued' },
    el('td', {}, el('button', { type: 'button', class: 'link', title: 'Show its results', onclick: () => showSubmission(s.id) },
      when(s.created_at))),
    el('td', {}, questionTitle(s)),
    el('td', {}, langOf(s.language_id).name),
    el('td', {}, s.status !== 'done' ? (s.status || 'queued') + '…'
      : s.verdict === 'CE' ? verdictName('CE') : s.passed + '/' + s.total + ' passed'),
    el('td', {}, s.score != null ? String(Math.round(s.score * 100) / 100) : '—'))));
}

function updateMine(id, patch) {
  const s = S.mine.find((x) => x.id === id);
  if (s) { Object.assign(s, patch); renderMine(); }
}

async function refreshMySubmissions() {
  clearTimeout(S.mineTimer);
  let rows;
  try {
    rows = await api('GET', '/submissions?limit=50');
  } catch (e) {
    if (e.status === 401) return;
    $('mine-status').textContent = e.message;
    S.mineTimer = setTimeout(refreshMySubmissions, 15000);
    return;
  }
  S.mine = Array.isArray(rows) ? rows : [];
  $('mine-status').textContent = S.mine.length ? '' : 'None yet.';
  renderMine();
  // Unfinished ones the page is not watching (sent from another browser,
  // say) are refreshed until they are done, less often as time goes by.
  if (S.mine.some((s) => s.status !== 'done' && s.id !== S.watching)) {
    S.mineTimer = setTimeout(refreshMySubmissions, S.mineDelay);
    S.mineDelay = Math.min(S.mineDelay * 1.5, 30000);
  } else S.mineDelay = 3000;
}

function showSubmission(id) {
  renderSubmission({ id, status: 'queued', total: 0, results: [] });
  watch(id);
  $('submission').scrollIntoView({ block: 'nearest' });
}

// A submission that did not compile: one Compilation Error with the
// compiler's output (stored once per submission), not a row per testcase.
function didNotCompile(sub) {
  const results = sub.results || [];
  return sub.compile_output != null || sub.verdict === 'CE' ||
    (sub.status === 'done' && results.length > 0 && results.every((r) => r.verdict === 'CE'));
}

function renderCompileError(sub) {
  $('submission').replaceChildren(
    el('h3', { id: 'sub-summary', 'data-status': sub.status, 'data-id': sub.id, 'data-verdict': 'CE' },
      'Submission: ', el('span', { class: 'verdict v-CE' }, verdictName('CE')),
      sub.status === 'done' ? ' · score 0' : '',
      el('span', { id: 'sub-live', class: 'live' }, S.subLive ? ' ● live' : '')),
    el('div', { class: 'compile', id: 'sub-compile' },
      el('h4', {}, 'Compiler output'),
      sub.compile_output ? el('pre', { id: 'compile-output' }, sub.compile_output)
        : el('p', { class: 'muted' }, 'The compiler gave no message.')));
}

function renderSubmission(sub) {
  if (didNotCompile(sub)) { renderCompileError(sub); return; }
  const total = sub.total || 0;
  const results = sub.results || [];
  const rows = results.map((r, i) => el('tr', { 'data-verdict': r.verdict },
    el('td', {}, String(i + 1)),
    el('td', { class: 'verdict v-' + r.verdict }, verdictName(r.verdict)),
    el('td', {}, r.time_ms != null ? r.time_ms + ' ms' : '—'),
    el('td', {}, r.memory_kb != null ? r.memory_kb + ' KB' : '—')));
  for (let i = results.length; i < total; i++) {
    rows.push(el('tr', { 'data-verdict': 'pending' }, el('td', {}, String(i + 1)),
      el('td', { class: 'verdict pending' }, 'Judging…'), el('td', {}, '—'), el('td', {}, '—')));
  }
  const head = sub.status === 'done'
    ? 'Submission: ' + sub.passed + ' of ' + total + ' testcases passed · score ' + (sub.score != null ? Math.round(sub.score * 100) / 100 : 0)
    : 'Submission: judging… ' + results.length + (total ? ' of ' + total : '') + ' done';
  $('submission').replaceChildren(
    el('h3', { id: 'sub-summary', 'data-status': sub.status, 'data-id': sub.id }, head,
      el('span', { id: 'sub-live', class: 'live' }, S.subLive ? ' ● live' : '')),
    el('table', { class: 'results', id: 'sub-table' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', title: 'Testcase' }, '#'), el('th', { scope: 'col' }, 'Verdict'),
        el('th', { scope: 'col' }, 'Time'), el('th', { scope: 'col' }, 'Memory'))),
      el('tbody', {}, rows)));
}

function watch(id) {
  if (S.stopWatch) S.stopWatch();
  S.subLive = false;
  S.watching = id;
  S.stopWatch = watchSubmission(id, {
    fetchOnce: () => api('GET', '/submissions/' + id),
    onLive: (on) => { S.subLive = on; const l = $('sub-live'); if (l) l.textContent = on ? ' ● live' : ''; },
    onUpdate: (sub) => {
      renderSubmission(sub);
      const was = S.mine.find((x) => x.id === id);
      updateMine(id, { status: sub.status, passed: sub.passed, total: sub.total, score: sub.score,
        verdict: didNotCompile(sub) ? 'CE' : sub.verdict });
      if (sub.status === 'done') {
        S.watching = null;
        refreshLeaderboard();
        // Its row as PostgreSQL has it now (finished_at, max time).
        if (!was || was.finished_at == null) refreshMySubmissions();
      }
    },
  });
}

// One Idempotency-Key per submission (docs/api.md): kept while its sends
// fail in a way that may have stored it (no answer, 503), so a retry, by
// the page or by a second click on the same code, cannot make two.
function idemKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function submit() {
  if (!S.current || S.busy) return;
  saveSourceNow();
  showError('');
  setBusy(true, 'Submitting…');
  const body = { question_id: S.current.id, language_id: S.lang, source_code: editor.get() };
  const same = S.unsent && S.unsent.body.question_id === body.question_id
    && S.unsent.body.language_id === body.language_id && S.unsent.body.source_code === body.source_code;
  const key = same ? S.unsent.key : idemKey();
  S.unsent = { key, body };
  try {
    let r;
    for (let attempt = 0; ; attempt++) {
      try {
        r = await api('POST', '/submit', body, 'submit', { 'Idempotency-Key': key });
        break;
      } catch (e) {
        if (attempt >= 2 || !(e.status === 0 || e.status === 503)) throw e;
        await new Promise((ok) => setTimeout(ok, 1000 * (attempt + 1)));
      }
    }
    S.unsent = null;
    renderSubmission({ id: r.submission_id, status: 'queued', total: 0, results: [] });
    watch(r.submission_id);
    S.mineDelay = 3000;
    refreshMySubmissions();
  } catch (e) {
    if (!(e.status === 0 || e.status === 503)) S.unsent = null;
    showError(e.message);
  } finally {
    setBusy(false);
  }
}
$('submit').addEventListener('click', submit);

// ---- leaderboard -------------------------------------------------------------
// One problem's cell of an ICPC board: solved "+tries-1 (minutes)", else
// "-tries", "?" for submissions pending (or hidden by the freeze).
function icpcCell(p) {
  if (!p) return el('td', {});
  const title = (p.solved ? 'solved at ' + p.minutes + ' min after ' + p.tries + ' tries' : p.tries + ' rejected')
    + (p.pending ? ', ' + p.pending + ' pending' : '') + (p.first ? ', first to solve' : '');
  const text = p.solved ? '+' + (p.tries > 1 ? p.tries - 1 : '') + ' ' + p.minutes : (p.tries ? '-' + p.tries : '') + (p.pending ? ' ?' : '');
  return el('td', { class: 'p' + (p.solved ? ' solved' : p.pending ? ' pending' : ' rejected') + (p.first ? ' first' : ''), title }, text.trim());
}

// A problem's balloon on an ICPC board, when its package gave a colour
// (rgb "#rrggbb", else the colour's name); set through the CSSOM.
function balloon(q) {
  const c = q.rgb || q.color;
  if (!c) return null;
  const b = el('span', { class: 'balloon', 'data-rgb': q.rgb, title: 'balloon: ' + (q.color || q.rgb), 'aria-hidden': 'true' });
  b.style.backgroundColor = c;
  return b;
}

async function refreshLeaderboard() {
  let rows;
  try { rows = await api('GET', '/leaderboard'); } catch { return; }
  rows = Array.isArray(rows) ? rows : [];
  const me = S.user ? S.user.name : null;
  const mode = rows.length ? rows[0].mode : (S.timeRound && S.timeRound.scoring) || 'proportional';
  const icpc = mode === 'icpc';
  // ICPC: a column per question of the round, in order (its slug).
  const qs = icpc ? S.questions : [];
  const head = [el('th', { scope: 'col' }, '#'), el('th', { scope: 'col' }, 'Name'),
    el('th', { scope: 'col' }, icpc ? 'Solved' : 'Score'), icpc ? el('th', { scope: 'col' }, 'Penalty') : null,
    ...qs.map((q, i) => el('th', { scope: 'col', title: q.title + (q.color ? ' (' + q.color + ' balloon)' : ''), 'data-slug': q.slug },
      balloon(q), String.fromCharCode(65 + (i % 26))))];
  $('leaderboard').tHead.replaceChildren(el('tr', { 'data-mode': mode }, head));
  $('leaderboard').tBodies[0].replaceChildren(...rows.slice(0, 100).map((r) => {
    const byQ = new Map((r.problems || []).map((p) => [p.question_id, p]));
    return el('tr', { class: me && r.name === me ? 'me' : null },
      el('td', {}, String(r.rank)), el('td', {}, r.name), el('td', {}, String(Math.round(r.score * 100) / 100)),
      icpc ? el('td', {}, String(r.penalty || 0)) : null, ...qs.map((q) => icpcCell(byQ.get(q.id))));
  }));
  const t = S.timeRound;
  const frozen = t && t.frozen;
  $('lb-frozen').hidden = !frozen;
  $('lb-frozen').textContent = frozen ? 'Frozen since ' + new Date(t.freeze_at).toLocaleTimeString()
    + ': later submissions show as pending here (your own verdicts stay in My submissions).' : '';
}

// ---- start -------------------------------------------------------------------
(async function start() {
  syncTime();
  // The cookie decides: /questions answers 401 when there is no session.
  let q;
  try {
    q = await api('GET', '/questions');
  } catch (e) {
    showLogin(e.status === 401 && !S.user ? '' : e.message);
    return;
  }
  await showContest(q);
})();
