// Pitwall's jury page: the round clock, every submission with its source
// and results, rejudges, users and problem uploads.  Every action is a
// call of the admin API (docs/api.md); nothing is decided here.
import { api, ApiError, sentence, setUnauthorizedHandler, verdictName } from './api.js';
import { el } from './dom.js';

const $ = (id) => document.getElementById(id);
const J = {
  rounds: [],
  round: null, // slug
  questions: [],
  selected: null, // submission id shown in the detail
  pollTimer: null,
  clockTimer: null,
  tab: 'clock',
  languages: {}, // id -> name, from GET /languages
};

function showError(msg) { $('action-error').textContent = msg || ''; }
function showStatus(msg) { $('action-status').textContent = msg || ''; }

// One admin action: the status line says what happened, errors as sentences.
async function act(what, fn) {
  showError('');
  try {
    const r = await fn();
    showStatus(what);
    return r;
  } catch (e) {
    showError(e instanceof ApiError ? e.message : String(e));
    return null;
  }
}

// A raw body (a zip, a CSV) to the admin API, errors like api()'s.
async function apiRaw(method, path, body, contentType, what) {
  let res;
  try {
    res = await fetch(path, { method, credentials: 'same-origin', headers: { 'Content-Type': contentType, Accept: 'application/json' }, body });
  } catch {
    throw new ApiError(0, 'network', sentence(0, 'network', '', null, what));
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (res.ok) return data;
  const code = data && data.error ? data.error : '';
  const msg = data && data.message ? data.message : '';
  throw new ApiError(res.status, code, res.status === 422 && msg ? msg : sentence(res.status, code, msg, null, what));
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const short = (id) => String(id).slice(0, 8);
const langName = (id) => J.languages[id] || '#' + id;

// ---- login -------------------------------------------------------------------
function showLogin(message) {
  clearInterval(J.pollTimer);
  clearInterval(J.clockTimer);
  $('jury-view').hidden = true;
  $('login-view').hidden = false;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('login-error').textContent = message || '';
  $('email').focus();
}
setUnauthorizedHandler((err) => showLogin(err.message));

async function showJury(email) {
  let rounds;
  try {
    rounds = await api('GET', '/admin/rounds', undefined, 'open the jury page');
  } catch (e) {
    showLogin(e.status === 403 ? 'This page is for the jury: log in with an admin account.' : e.message);
    return;
  }
  $('login-view').hidden = true;
  $('jury-view').hidden = false;
  $('logout').hidden = false;
  if (email) $('who').textContent = email;
  J.rounds = rounds;
  try {
    for (const l of await api('GET', '/languages')) J.languages[l.id] = l.name;
  } catch { /* ids are shown instead */ }
  renderRounds();
  await selectRound(J.round || (rounds.find((r) => r.state === 'open') || rounds[0] || {}).slug);
  clearInterval(J.pollTimer);
  J.pollTimer = setInterval(() => { if (!document.hidden) refreshTab(); }, 5000);
  clearInterval(J.clockTimer);
  J.clockTimer = setInterval(renderClock, 1000);
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const email = $('email').value.trim();
  const password = $('password').value;
  if (!email || !password) { $('login-error').textContent = 'Enter your email and password.'; return; }
  $('login-button').disabled = true;
  try {
    await api('POST', '/auth/login', { email, password }, 'log in');
    $('password').value = '';
    sessionStorage.setItem('pitwall:jury', email);
    await showJury(email);
  } catch (e) {
    $('login-error').textContent = e.message;
  } finally {
    $('login-button').disabled = false;
  }
});

$('logout').addEventListener('click', async () => {
  try { await api('POST', '/auth/logout'); } catch { /* gone already */ }
  sessionStorage.removeItem('pitwall:jury');
  showLogin('');
});

// ---- tabs --------------------------------------------------------------------
for (const b of document.querySelectorAll('.tabs [role=tab]')) {
  b.addEventListener('click', () => showTab(b.dataset.tab));
}
function showTab(tab) {
  J.tab = tab;
  for (const b of document.querySelectorAll('.tabs [role=tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  for (const s of document.querySelectorAll('[role=tabpanel]')) s.hidden = s.id !== 'tab-' + tab;
  refreshTab();
}
function refreshTab() {
  if (J.tab === 'clock') refreshRounds();
  else if (J.tab === 'submissions') refreshSubmissions();
  else if (J.tab === 'clarifications') refreshClarifications();
  else if (J.tab === 'users') refreshUsers();
  else if (J.tab === 'problems') refreshProblems();
}

// ---- rounds and the clock ------------------------------------------------------
const current = () => J.rounds.find((r) => r.slug === J.round) || null;

function renderRounds() {
  const sel = $('round-select');
  sel.replaceChildren(...J.rounds.map((r) => el('option', { value: r.slug, selected: r.slug === J.round }, r.name + ' (' + r.slug + ')')));
}

async function refreshRounds() {
  try {
    J.rounds = await api('GET', '/admin/rounds');
    renderRounds();
    renderRoundInfo();
  } catch (e) { showError(e.message); }
}

async function selectRound(slug) {
  J.round = slug || null;
  renderRounds();
  renderRoundInfo();
  try {
    J.questions = J.round ? await api('GET', '/admin/questions?round=' + encodeURIComponent(J.round)) : [];
  } catch (e) { J.questions = []; showError(e.message); }
  const fq = $('f-question');
  fq.replaceChildren(el('option', { value: '' }, 'any'), ...J.questions.map((q) => el('option', { value: q.id }, q.slug)));
  $('rejudge-question').disabled = true;
  refreshTab();
}
$('round-select').addEventListener('change', (ev) => selectRound(ev.target.value));

function renderClock() {
  const r = current();
  const c = $('clock');
  if (!r) { c.textContent = ''; return; }
  const now = Date.now();
  const end = r.ends_at ? Date.parse(r.ends_at) : null;
  const start = r.starts_at ? Date.parse(r.starts_at) : null;
  const fmt = (ms) => {
    const s = Math.max(0, Math.round(ms / 1000));
    return Math.floor(s / 3600) + ':' + String(Math.floor(s / 60) % 60).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
  };
  let text = r.state;
  if (start && now < start) text = 'starts in ' + fmt(start - now);
  else if (end && now < end) text = fmt(end - now) + ' left';
  else if (end) text = 'closed';
  c.textContent = text;
  c.dataset.state = end && now >= end ? 'closed' : 'open';
}

function renderRoundInfo() {
  const r = current();
  const dl = $('round-info');
  if (!r) { dl.replaceChildren(el('dt', {}, 'Round'), el('dd', {}, 'none')); return; }
  const facts = [['Round', r.name + ' (' + r.slug + ')'], ['State', r.state], ['Starts', when(r.starts_at)],
    ['Ends', when(r.ends_at)], ['Length', r.minutes != null ? r.minutes + ' min' : '—'],
    ['Problems', String(r.questions != null ? r.questions : '—')],
    ['Scoring', r.scoring || 'proportional'],
    ['Freeze', r.freeze_at ? when(r.freeze_at) + (r.frozen ? ' (frozen now)' : '') : 'none']];
  if (r.scoring) $('round-scoring').value = r.scoring;
  dl.replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-fact': k.toLowerCase() }, v)]));
  renderClock();
}

async function roundAction(path, method, body, what) {
  if (!J.round) return;
  const r = await act(what, () => api(method, '/admin/rounds/' + encodeURIComponent(J.round) + path, body, what));
  if (r) { J.rounds = J.rounds.map((x) => (x.slug === r.slug ? r : x)); renderRoundInfo(); }
}
$('round-open').addEventListener('click', () => {
  const m = parseInt($('open-minutes').value, 10);
  roundAction('/open', 'POST', Number.isFinite(m) ? { minutes: m } : {}, 'Round started.');
});
$('round-extend').addEventListener('click', () => {
  const m = parseInt($('extend-minutes').value, 10);
  if (!Number.isFinite(m)) { showError('Give the minutes to extend by.'); return; }
  roundAction('', 'PATCH', { extend_minutes: m }, 'Round extended by ' + m + ' min.');
});
$('round-freeze').addEventListener('click', () => {
  const v = $('freeze-at').value;
  if (!v) { showError('Pick the time the scoreboard freezes.'); return; }
  roundAction('', 'PATCH', { freeze_at: new Date(v).toISOString() }, 'Freeze set.');
});
$('round-unfreeze').addEventListener('click', () => {
  if (window.confirm('Unfreeze: everyone sees the final scoreboard.')) roundAction('/unfreeze', 'POST', undefined, 'Scoreboard unfrozen.');
});
$('round-scoring-set').addEventListener('click', () => {
  roundAction('', 'PATCH', { scoring: $('round-scoring').value }, 'Scoring set to ' + $('round-scoring').value + '.');
});
$('round-close').addEventListener('click', () => {
  if (!window.confirm('Close the round now? Contestants can no longer submit.')) return;
  roundAction('/close', 'POST', undefined, 'Round closed.');
});

// ---- submissions -----------------------------------------------------------------
function filterQuery() {
  const q = new URLSearchParams();
  if (J.round) q.set('round', J.round);
  const u = $('f-user').value.trim();
  if (u) q.set('user', u);
  if ($('f-question').value) q.set('question', $('f-question').value);
  if ($('f-verdict').value) q.set('verdict', $('f-verdict').value);
  if ($('f-status').value) q.set('status', $('f-status').value);
  q.set('limit', '200');
  return q.toString();
}

async function refreshSubmissions() {
  let rows;
  try {
    rows = await api('GET', '/admin/submissions?' + filterQuery());
  } catch (e) { showError(e.message); return; }
  const tb = $('subs').tBodies[0];
  tb.replaceChildren(...rows.map((s) => el('tr', {
    'data-id': s.id, 'data-verdict': s.verdict || '', class: s.id === J.selected ? 'selected' : null,
    tabindex: '0', onclick: () => showSubmission(s.id), onkeydown: (ev) => { if (ev.key === 'Enter') showSubmission(s.id); },
  }, el('td', {}, when(s.created_at)), el('td', {}, s.user_name + ' #' + s.user_id), el('td', {}, s.question),
  el('td', {}, langName(s.language_id)), el('td', {}, s.status), el('td', {}, s.passed + '/' + s.total),
  el('td', {}, s.score != null ? String(s.score) : '—'),
  el('td', { class: 'verdict' }, s.verdict ? verdictName(s.verdict) : 'Judging…'))));
  $('subs-empty').hidden = rows.length > 0;
  if (J.selected) showSubmission(J.selected, true);
}
$('sub-filters').addEventListener('submit', (ev) => { ev.preventDefault(); refreshSubmissions(); });
$('f-question').addEventListener('change', () => { $('rejudge-question').disabled = !$('f-question').value; });

async function showSubmission(id, quiet) {
  let s;
  try {
    s = await api('GET', '/admin/submissions/' + encodeURIComponent(id));
  } catch (e) { if (!quiet) showError(e.message); return; }
  J.selected = id;
  for (const tr of $('subs').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.id === id);
  $('sub-detail').hidden = false;
  $('detail-title').textContent = 'Submission ' + short(s.id) + ' · ' + s.question + ' · ' + s.user_name;
  $('detail-meta').textContent = [s.user_email, langName(s.language_id), s.status, s.passed + '/' + s.total + ' passed',
    'score ' + (s.score != null ? s.score : '—'), 'made ' + when(s.created_at)].join(' · ');
  $('detail-results').tBodies[0].replaceChildren(...s.results.map((t) => el('tr', { 'data-verdict': t.verdict || '' },
    el('td', {}, String(t.ordinal)), el('td', {}, t.name), el('td', {}, t.is_sample ? 'yes' : ''),
    el('td', {}, t.verdict ? verdictName(t.verdict) : 'pending'),
    el('td', {}, t.time_ms != null ? t.time_ms + ' ms' : ''), el('td', {}, t.memory_kb != null ? t.memory_kb + ' KB' : ''),
    el('td', {}, el('pre', {}, [t.judge_message && 'jury: ' + t.judge_message, t.team_message && 'team: ' + t.team_message,
      t.message || t.output_excerpt].filter(Boolean).join('\n'))))));
  $('detail-source').textContent = s.source;
  $('rejudge-one').onclick = () => rejudge({ submission_id: s.id });
}

async function rejudge(body) {
  const r = await act('', () => api('POST', '/admin/rejudge', body, 'rejudge'));
  if (r) {
    showStatus('Rejudging ' + r.rejudged.length + ' submission(s)' + (r.skipped.length ? ', ' + r.skipped.length + ' skipped (still judging)' : '') + '.');
    refreshSubmissions();
  }
}
$('rejudge-question').addEventListener('click', () => {
  const q = $('f-question').value;
  if (q && window.confirm('Rejudge every submission of this problem?')) rejudge({ question_id: Number(q) });
});
$('rejudge-since-button').addEventListener('click', () => {
  const v = $('rejudge-since').value;
  if (!v) { showError('Pick the time to rejudge from.'); return; }
  const since = new Date(v).toISOString();
  if (window.confirm('Rejudge every submission of this round made since ' + new Date(v).toLocaleString() + '?')) rejudge({ since, round: J.round });
});

// ---- clarifications ----------------------------------------------------------------
async function refreshClarifications() {
  let rows;
  try { rows = await api('GET', '/admin/clarifications'); } catch (e) { showError(e.message); return; }
  rows.sort((a, b) => b.id - a.id);
  const open = rows.filter((c) => c.kind === 'question' && c.answer == null).length;
  $('clar-count').textContent = open ? String(open) : '';
  $('clars').replaceChildren(...rows.map((c) => el('li', { class: 'clar', 'data-id': c.id, 'data-state': c.kind === 'announcement' ? 'announcement' : c.answer == null ? 'open' : 'answered' },
    el('p', { class: 'muted' }, (c.kind === 'announcement' ? 'Announcement' : 'From ' + (c.user_name || '#' + c.user_id)) + ' · ' + (c.question || 'general') + ' · ' + when(c.created_at)),
    el('p', { class: 'text' }, c.text),
    c.answer != null ? el('p', { class: 'answer' }, (c.public ? 'Answered to everyone: ' : 'Answered privately: ') + c.answer) : null,
    c.kind === 'question' ? el('form', { class: 'row answer-form', onsubmit: (ev) => { ev.preventDefault(); answer(c, ev.target); } },
      el('input', { name: 'answer', 'aria-label': 'Answer', maxlength: '4000', required: true, value: c.answer || null }),
      el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: 'public', checked: c.public || null }), 'to everyone'),
      el('button', { type: 'submit' }, c.answer == null ? 'Answer' : 'Answer again')) : null)));
  $('clars-empty').hidden = rows.length > 0;
}
async function answer(c, form) {
  const body = { answer: form.elements.answer.value.trim(), public: form.elements.public.checked };
  if (await act('Answered.', () => api('POST', '/admin/clarifications/' + c.id + '/answer', body, 'answer'))) refreshClarifications();
}
$('announce-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = $('announce-text').value.trim();
  if (await act('Announced.', () => api('POST', '/admin/clarifications', { text }, 'announce'))) {
    ev.target.reset();
    refreshClarifications();
  }
});

// ---- users -------------------------------------------------------------------------
async function refreshUsers() {
  let users;
  try { users = await api('GET', '/admin/users'); } catch (e) { showError(e.message); return; }
  $('users').tBodies[0].replaceChildren(...users.map((u) => el('tr', { 'data-email': u.email },
    el('td', {}, String(u.id)), el('td', {}, u.email), el('td', {}, u.name), el('td', {}, u.role),
    el('td', {}, u.banned ? 'banned' : ''),
    el('td', { class: 'actions' },
      el('button', { type: 'button', class: 'ban', onclick: () => banUser(u, !u.banned) }, u.banned ? 'Unban' : 'Ban'),
      el('button', { type: 'button', class: 'reset', onclick: () => resetPassword(u) }, 'Reset password'),
      el('button', { type: 'button', class: 'show', onclick: () => { $('f-user').value = u.id; showTab('submissions'); } }, 'Submissions')))));
}
async function banUser(u, ban) {
  if (ban && !window.confirm('Ban ' + u.email + '? They can no longer use the contest.')) return;
  if (await act((ban ? 'Banned ' : 'Unbanned ') + u.email + '.', () => api('POST', '/admin/users/' + u.id + (ban ? '/ban' : '/unban')))) refreshUsers();
}
async function resetPassword(u) {
  const pw = window.prompt('New password for ' + u.email + ' (8 characters or more):');
  if (!pw) return;
  await act('Password of ' + u.email + ' reset.', () => api('POST', '/admin/users/' + u.id + '/password', { password: pw }, 'reset the password'));
}
$('user-add').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = { email: $('u-email').value.trim(), name: $('u-name').value.trim(), password: $('u-password').value, role: $('u-role').value };
  if (await act('Added ' + body.email + '.', () => api('POST', '/admin/users', body, 'add the user'))) {
    ev.target.reset();
    refreshUsers();
  }
});
$('csv-import').addEventListener('click', async () => {
  const r = await act('', () => apiRaw('POST', '/admin/users/import', $('csv').value, 'text/csv', 'import users'));
  if (r) {
    showStatus('Imported: ' + r.created + ' created, ' + r.existing + ' existing, ' + r.bad + ' refused.');
    $('csv-result').textContent = r.rows.filter((x) => x.status === 'bad').map((x) => 'line ' + x.line + ': ' + x.reason).join('\n');
    refreshUsers();
  }
});

// ---- problems ------------------------------------------------------------------------
async function refreshProblems() {
  if (!J.round) { $('problems').tBodies[0].replaceChildren(); return; }
  try {
    J.questions = await api('GET', '/admin/questions?round=' + encodeURIComponent(J.round));
  } catch (e) { showError(e.message); return; }
  $('problems').tBodies[0].replaceChildren(...J.questions.map((q) => el('tr', { 'data-slug': q.slug },
    el('td', {}, q.slug), el('td', {}, q.title), el('td', {}, String(q.points)),
    el('td', {}, q.time_limit_ms / 1000 + ' s'), el('td', {}, String(q.testcases)))));
}
$('pkg-file').addEventListener('change', () => {
  const f = $('pkg-file').files[0];
  if (f && !$('pkg-slug').value) $('pkg-slug').value = f.name.replace(/\.(zip|kpp)$/i, '').toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 64);
});
$('pkg-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = $('pkg-file').files[0];
  if (!f || !J.round) { showError('Pick a round and a package.'); return; }
  const q = new URLSearchParams({ round: J.round, slug: $('pkg-slug').value.trim() });
  if ($('pkg-points').value) q.set('points', $('pkg-points').value);
  $('pkg-result').textContent = '';
  const r = await act('', () => apiRaw('POST', '/admin/packages?' + q, f, 'application/zip', 'upload the package'));
  if (r) {
    showStatus('Imported ' + r.slug + '.');
    $('pkg-result').textContent = r.warnings.join('\n');
    refreshProblems();
  }
});

// ---- start -----------------------------------------------------------------------------
const remembered = sessionStorage.getItem('pitwall:jury');
if (remembered) showJury(remembered);
else showLogin('');
