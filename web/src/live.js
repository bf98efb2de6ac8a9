// Live push (nchan EventSource on /live/…) with polling as the fallback.

// Watch a submission until it is done.  onUpdate gets GET /submissions/{id}
// shaped objects (partial ones from the push channel are merged in).
// Returns a function that stops watching.
export function watchSubmission(id, { fetchOnce, onUpdate, onLive }) {
  let stopped = false;
  let es = null;
  let pollTimer = null;
  let delay = 500;
  let state = { id, status: 'queued', results: [] };
  let lastEvent = Date.now();

  const merge = (msg) => {
    const results = new Map(state.results.map((r) => [r.ordinal, r]));
    for (const r of msg.results || []) results.set(r.ordinal, r);
    if (msg.result) results.set(msg.result.ordinal, msg.result);
    state = { ...state, ...msg, results: [...results.values()].sort((a, b) => a.ordinal - b.ordinal) };
    delete state.result;
    delete state.type;
    onUpdate(state);
    if (state.status === 'done') stop();
  };

  const poll = async () => {
    if (stopped) return;
    try {
      merge(await fetchOnce());
      delay = Math.min(delay * 1.6, 5000);
    } catch (e) {
      delay = Math.min(delay * 2, 15000);
      if (e && e.status === 401) { stop(); return; }
    }
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    clearTimeout(pollTimer);
    // While the push channel is up, a slow safety poll; otherwise backoff.
    const live = es && es.readyState === EventSource.OPEN && Date.now() - lastEvent < 20000;
    pollTimer = setTimeout(poll, live ? 10000 : delay);
  };
  const fallback = () => {
    if (es) { es.close(); es = null; }
    onLive(false);
    delay = 500;
    schedule();
  };
  function stop() {
    stopped = true;
    clearTimeout(pollTimer);
    if (es) { es.close(); es = null; }
    onLive(false);
  }

  if (typeof EventSource !== 'undefined') {
    es = new EventSource('/live/submissions/' + encodeURIComponent(id));
    es.onopen = () => { lastEvent = Date.now(); onLive(true); };
    es.onmessage = (ev) => {
      lastEvent = Date.now();
      try { merge(JSON.parse(ev.data)); } catch { /* not ours */ }
    };
    es.onerror = () => { if (!stopped) fallback(); };
  }
  // What was judged before the channel opened.
  poll();
  return stop;
}

// A channel whose messages say "something changed": call onChange(msg) on
// each push; poll (onChange(null)) every `every` ms while the channel is
// down, and try it again after a minute.  Returns a stop function.
export function watchChannel(path, { onChange, onLive, every = 30000 }) {
  let es = null;
  let timer = null;
  let retry = null;
  const start = () => {
    if (typeof EventSource === 'undefined') { timer = setInterval(() => onChange(null), every); return; }
    es = new EventSource(path);
    es.onopen = () => { onLive(true); clearInterval(timer); timer = null; };
    es.onmessage = (ev) => {
      let msg = null;
      try { msg = JSON.parse(ev.data); } catch { /* not ours */ }
      onChange(msg);
    };
    es.onerror = () => {
      onLive(false);
      if (es) es.close();
      es = null;
      if (!timer) timer = setInterval(() => onChange(null), every);
      clearTimeout(retry);
      retry = setTimeout(start, 60000);
    };
  };
  start();
  return () => {
    if (es) es.close();
    clearInterval(timer);
    clearTimeout(retry);
  };
}

// Leaderboard changes (public channel).
export function watchLeaderboard({ onChange, onLive }) {
  return watchChannel('/live/leaderboard', { onChange, onLive });
}
