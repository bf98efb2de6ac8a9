// The HTTP API (docs/api.md) and its errors as sentences.
// Authentication is the HttpOnly access_token cookie that /auth/login
// sets (same origin, SameSite=Strict): the page never holds the token.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

const VERDICTS = {
  AC: 'Accepted',
  WA: 'Wrong Answer',
  TLE: 'Time Limit Exceeded',
  MLE: 'Memory Limit Exceeded',
  OLE: 'Output Limit Exceeded',
  CE: 'Compilation Error',
  RE: 'Runtime Error',
  IE: 'Internal Error',
};

export function verdictName(v) {
  return VERDICTS[v] || v || 'Judging…';
}

function retryAfterSeconds(res, body) {
  const h = res.headers.get('Retry-After');
  let n = h != null ? parseInt(h, 10) : NaN;
  if (!Number.isFinite(n) && body && Number.isFinite(body.retry_after)) n = body.retry_after;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

// A sentence for an error reply of `what` ("run", "submit", "log in", …).
export function sentence(status, code, serverMessage, retryAfter, what) {
  switch (status) {
    case 0:
      return 'The server cannot be reached. Check your connection; your code is saved in this browser.';
    case 401:
      if (code === 'invalid_credentials') return 'That email and password do not match an account.';
      return 'Your session has expired. Log in again: your code is kept.';
    case 403:
      if (code === 'banned') return 'This account is banned from the contest.';
      return 'You are not allowed to do that.';
    case 404:
      return 'That no longer exists (was the question removed?).';
    case 409:
      return 'The round is closed: you can no longer ' + (what || 'do that') + '.';
    case 413:
      return 'Your source code is too large to send.';
    case 422:
      return (serverMessage ? serverMessage.charAt(0).toUpperCase() + serverMessage.slice(1) : 'That was refused')
        .replace(/\.?$/, '.');
    case 429: {
      const n = retryAfter != null ? retryAfter : 60;
      return 'Too many requests. Try again in ' + n + ' s.';
    }
    case 502:
    case 503:
      if (what === 'run' || what === 'submit' || what === 'run custom')
        return 'The judge is unavailable right now. Try again in a moment; your code is saved.';
      return 'The contest server is unavailable right now. Try again in a moment.';
    case 504:
      return 'The judge took too long to answer. Try again in a moment.';
    default:
      return 'Something went wrong (HTTP ' + status + '). Try again.';
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// fetch JSON; throws ApiError with a sentence.  401 (other than a failed
// login) also calls the unauthorized handler: back to the login form.
export async function api(method, path, body, what, extraHeaders) {
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: Object.assign(body !== undefined ? { 'Content-Type': 'application/json', Accept: 'application/json' }
        : { Accept: 'application/json' }, extraHeaders || {}),
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, 'network', sentence(0, 'network', '', null, what));
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.ok) return data;
  const code = data && data.error ? data.error : '';
  const msg = data && data.message ? data.message : '';
  const ra = retryAfterSeconds(res, data);
  const err = new ApiError(res.status, code, sentence(res.status, code, msg, ra, what), ra);
  if (res.status === 401 && code !== 'invalid_credentials' && path !== '/auth/login') onUnauthorized(err);
  return Promise.reject(err);
}
