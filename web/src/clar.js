// Clarifications: ask the jury, read the answers and announcements
// (GET/POST /clarifications, docs/api.md).  New answers arrive live: a
// message on /live/clarifications/mine (this contestant's private rows)
// or /live/clarifications/all (public rows) makes the page fetch what
// changed since the last seq; without the channels it polls.  A row is
// unread when it changed after the last "Mark all read" (its seq is
// past the one kept in localStorage), except one's own question still
// waiting for its answer.
import { api } from './api.js';
import { $, debounce, el, store } from './dom.js';
import { watchChannel } from './live.js';

const POLL_MS = 30000;

const C = {
  uid: null,
  rows: new Map(), // id -> clarification
  seq: 0, // the largest seq fetched
  stops: [],
  timer: null,
  questions: [],
  live: new Set(), // channels up
  fetching: null,
  running: false,
  again: false,
  pushes: 0, // messages received, shown as data-pushes (tests)
};

const seenKey = () => 'pitwall:clar-seen:' + (C.uid || 'anon');
const seen = () => store.get(seenKey(), 0);

function isUnread(r) {
  if (r.seq <= seen()) return false;
  return !(r.kind === 'question' && r.mine && r.answer == null);
}

function aboutText(r) {
  if (r.question_id == null) return 'General';
  const i = C.questions.findIndex((q) => q.id === r.question_id);
  if (i >= 0) return String.fromCharCode(65 + (i % 26)) + '. ' + C.questions[i].title;
  return r.question || 'Problem #' + r.question_id;
}

function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString();
}

function tagText(r) {
  if (r.kind === 'announcement') return 'Announcement';
  if (r.mine) return r.public ? 'Your question · answered to all' : 'Your question';
  return 'Answered to all';
}

function render() {
  const rows = [...C.rows.values()].sort((a, b) => b.seq - a.seq);
  const unread = rows.filter(isUnread).length;
  $('clar-list').replaceChildren(...rows.map((r) => el('li', {
    class: 'clar-item' + (isUnread(r) ? ' unread' : '') + (r.kind === 'announcement' ? ' announcement' : ''),
    'data-id': r.id, 'data-kind': r.kind, 'data-unread': isUnread(r) ? 'true' : 'false',
    'data-answered': r.answer != null ? 'true' : 'false',
  },
  el('div', { class: 'clar-head' },
    el('span', { class: 'clar-tag' }, tagText(r)), ' · ', el('span', {}, aboutText(r)),
    el('time', { datetime: r.answered_at || r.created_at }, when(r.answered_at || r.created_at)),
    isUnread(r) ? el('span', { class: 'clar-new' }, 'new') : null),
  el('p', { class: 'clar-text' }, r.text),
  r.kind === 'announcement' ? null
    : r.answer != null ? el('p', { class: 'clar-answer' }, el('strong', {}, 'Jury: '), r.answer)
      : el('p', { class: 'clar-answer muted' }, 'Waiting for the jury\'s answer…'))));
  $('clar-empty').hidden = rows.length > 0;
  const badge = $('clar-unread');
  badge.textContent = unread ? unread + ' new' : '';
  badge.hidden = unread === 0;
  $('clar-read').hidden = unread === 0;
}

// What changed since the last fetch; one request at a time (a change
// announced meanwhile is fetched right after).
async function refresh() {
  if (C.fetching) { C.again = true; return C.fetching; }
  C.again = false;
  C.fetching = (async () => {
    try {
      const rows = await api('GET', '/clarifications?since=' + C.seq);
      for (const r of Array.isArray(rows) ? rows : []) {
        C.rows.set(r.id, r);
        if (r.seq > C.seq) C.seq = r.seq;
      }
      $('clar-status').textContent = '';
      render();
    } catch (e) {
      if (e.status !== 401) $('clar-status').textContent = e.message;
    } finally {
      C.fetching = null;
      if (C.again && C.running) refresh();
    }
  })();
  return C.fetching;
}

function schedulePoll() {
  clearTimeout(C.timer);
  if (!C.running) return;
  // Both channels up: a slow safety poll; otherwise every POLL_MS / 3.
  C.timer = setTimeout(async () => { await refresh(); schedulePoll(); }, C.live.size === 2 ? POLL_MS * 2 : POLL_MS / 3);
}

function setLive(channel, on) {
  if (on) C.live.add(channel); else C.live.delete(channel);
  $('clar-live').textContent = C.live.size === 2 ? '● live' : '';
}

export function stopClarifications() {
  C.running = false;
  for (const s of C.stops) s();
  C.stops = [];
  C.live.clear();
  clearTimeout(C.timer);
}

// Start for user uid (the token's sub, when the page knows it: whose
// "read" mark to keep): fetch all, then follow changes.
export function startClarifications(uid) {
  stopClarifications();
  if (C.uid !== uid) { C.rows.clear(); C.seq = 0; }
  C.uid = uid;
  C.running = true;
  const fetchSoon = debounce(refresh, 200);
  const onChange = (msg) => {
    if (msg) $('clar-list').dataset.pushes = String(++C.pushes);
    fetchSoon();
  };
  // "mine": the caller's own channel, whoever they are (nginx asks).
  const channels = ['all', 'mine'];
  for (const ch of channels) {
    C.stops.push(watchChannel('/live/clarifications/' + ch, {
      onChange, onLive: (on) => setLive(ch, on), every: POLL_MS,
    }));
  }
  refresh();
  schedulePoll();
}

// The questions of the round, for the "About" select and the titles.
export function setClarQuestions(questions) {
  C.questions = questions || [];
  const sel = $('clar-question');
  const keep = sel.value;
  sel.replaceChildren(el('option', { value: '' }, 'General'),
    ...C.questions.map((q, i) => el('option', { value: q.id }, String.fromCharCode(65 + (i % 26)) + '. ' + q.title)));
  if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  render();
}

$('clar-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = $('clar-text').value;
  if (!text.trim()) { $('clar-error').textContent = 'Write your question first.'; return; }
  const q = $('clar-question').value;
  const body = { text };
  if (q) body.question_id = Number(q);
  $('clar-ask').disabled = true;
  $('clar-error').textContent = '';
  try {
    const r = await api('POST', '/clarifications', body, 'ask');
    C.rows.set(r.id, r);
    $('clar-text').value = '';
    render();
    refresh();
  } catch (e) {
    $('clar-error').textContent = e.message;
  } finally {
    $('clar-ask').disabled = false;
  }
});

$('clar-read').addEventListener('click', () => {
  store.set(seenKey(), C.seq);
  render();
});
