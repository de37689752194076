extension SupervisorPage {
    /// The page's script: plain modern JavaScript, one closure, no globals. Its parts: the token
    /// and the API (this file), the dashboard (SupervisorPage+Dashboard.swift), the conversation
    /// view (SupervisorPage+Conversation.swift).
    static let script = ["<script>", "'use strict';", "(() => {", scriptCore, scriptDashboard, scriptConversation,
                         "start();", "})();", "</script>"].joined(separator: "\n")

    /// The token, the API, DOM and formatting helpers, the views and the login form.
    static let scriptCore = #"""
// ---- The admin token: typed into the login form or passed once as #token=..., kept in
// sessionStorage (this tab only), never in a URL query or in the DOM.
const TOKEN_KEY = 'voicegate.adminToken';
let memoryToken = null;   // when sessionStorage is unavailable
function storedToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || memoryToken; } catch (e) { return memoryToken; }
}
function storeToken(token) {
  memoryToken = token || null;
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
  } catch (e) { /* memoryToken holds it */ }
}
/// Takes `token` from the fragment and removes it from the address bar (and so from history).
function takeTokenFromFragment() {
  if (!location.hash || location.hash.length < 2) return;
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has('token')) return;
  const token = params.get('token');
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
  if (token) storeToken(token);
}

// ---- Views and their timers. `generation` changes whenever a view (re)starts or the login form
// shows: a poll of an older generation stops instead of rescheduling itself.
let generation = 0;
const timers = new Set();
function later(g, ms, fn) {
  const t = setTimeout(() => { timers.delete(t); if (g === generation) fn(); }, ms);
  timers.add(t);
}
function every(g, ms, fn) {
  const t = setInterval(() => { if (g === generation) fn(); else { clearInterval(t); timers.delete(t); } }, ms);
  timers.add(t);
}
function stopTimers() {
  for (const t of timers) { clearTimeout(t); clearInterval(t); }
  timers.clear();
}
function setView(name) {
  document.body.dataset.view = name;
  for (const v of ['login', 'dashboard', 'conversation']) {
    document.getElementById(v + '-view').hidden = v !== name;
  }
}
function markReady() { document.body.dataset.ready = '1'; }
function setStatus(text, isError) {
  const s = document.getElementById('status');
  s.textContent = text;
  s.classList.toggle('error', !!isError);
}

// ---- The API: every call carries the token; a 401 forgets it and shows the login form.
class AuthError extends Error {}
class APIError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}
let serverOffset = 0;   // server clock minus this browser's clock, in ms
function serverNow() { return Date.now() + serverOffset; }

async function apiFetch(path) {
  const token = storedToken();
  if (!token) { showLogin(''); throw new AuthError('no token'); }
  let response;
  try {
    response = await fetch(path, {
      headers: { 'Authorization': 'Bearer ' + token, 'Accept': 'application/json' },
      cache: 'no-store', credentials: 'omit', redirect: 'error', referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    throw new APIError(0, 'the gateway cannot be reached');
  }
  if (response.status === 401) {
    storeToken(null);
    showLogin('The admin token was not accepted. Enter it again.');
    throw new AuthError('unauthorized');
  }
  if (!response.ok) {
    let message = 'HTTP ' + response.status;
    try {
      const body = await response.json();
      if (body && body.error && typeof body.error.message === 'string') message = body.error.message;
    } catch (e) { /* not JSON */ }
    throw new APIError(response.status, message);
  }
  return response;
}
async function apiJSON(path) {
  const response = await apiFetch(path);
  return response.json();
}
/// Fetches `path` with the token and saves the body as a file (a blob: the token never goes into
/// a link).
async function download(path, fallbackName, button) {
  button.disabled = true;
  try {
    const response = await apiFetch(path);
    const blob = await response.blob();
    const name = attachmentName(response.headers.get('Content-Disposition')) || fallbackName;
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
    setStatus('Saved ' + name);
  } catch (e) {
    if (!(e instanceof AuthError)) setStatus('Download failed: ' + e.message, true);
  } finally {
    button.disabled = false;
  }
}
function attachmentName(disposition) {
  const m = /filename="?([^";]+)"?/i.exec(disposition || '');
  if (!m) return null;
  const name = m[1].replace(/[^A-Za-z0-9._-]/g, '_');
  return name && !name.startsWith('.') ? name : null;
}

// ---- DOM helpers: text only. `el` sets attributes with setAttribute and children with append
// (strings become text nodes), so no datum is ever parsed as HTML.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  setAttrs(e, attrs);
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
const SVG_NS = 'http://www.w3.org/2000/svg';
function svgEl(tag, attrs, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  setAttrs(e, attrs);
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
function setAttrs(e, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    e.setAttribute(k, String(v));
  }
}
/// Replaces a node's text only when it changed (keeps selections and hovers across polls).
function setText(node, text) {
  const t = String(text);
  if (node.textContent !== t) node.textContent = t;
}
function setAttr(node, name, value) {
  const v = value === null || value === undefined ? '' : String(value);
  if (node.getAttribute(name) !== v) node.setAttribute(name, v);
}
function conversationLink(id, text) {
  return el('a', { href: '/conversations/' + encodeURIComponent(id), title: id }, text || shortID(id));
}
function shortID(id) { return String(id).length > 12 ? String(id).slice(0, 8) + '…' : String(id); }
function badge(kind, value) {
  return el('span', { class: 'badge ' + kind + '-' + String(value).replace(/[^a-z]/gi, '') }, String(value));
}
function emptyRow(table, text) {
  const columns = table.tHead ? table.tHead.rows[0].cells.length : 1;
  return el('tr', { class: 'empty' }, el('td', { colspan: columns }, text));
}

// ---- Formatting. Missing numbers show as an em dash.
const DASH = '—';
function isNumber(v) { return typeof v === 'number' && isFinite(v); }
function pad2(n) { return String(n).padStart(2, '0'); }
function formatDuration(seconds) {
  if (!isNumber(seconds)) return DASH;
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h > 0 ? h + ':' + pad2(m) + ':' + pad2(r) : pad2(m) + ':' + pad2(r);
}
function formatRate(v) { return isNumber(v) ? (v * 100).toFixed(1) + '%' : DASH; }
function formatCount(v) { return isNumber(v) ? String(Math.round(v)) : DASH; }
function formatSentiment(v) { return isNumber(v) ? v.toFixed(2) : DASH; }
function sentimentClass(v) {
  if (!isNumber(v)) return 'sentiment-neutral';
  return v >= 0.05 ? 'sentiment-positive' : v <= -0.05 ? 'sentiment-negative' : 'sentiment-neutral';
}
/// A sentiment cell or span: two decimals, coloured, the raw number in data-value.
function paintSentiment(node, v) {
  setText(node, formatSentiment(v));
  for (const c of ['sentiment-positive', 'sentiment-negative', 'sentiment-neutral']) node.classList.toggle(c, c === sentimentClass(v));
  setAttr(node, 'data-value', isNumber(v) ? v : '');
}
function parseTime(iso) {
  const t = Date.parse(iso);
  return isNaN(t) ? null : t;
}
function formatClock(iso) {
  const t = parseTime(iso);
  if (t === null) return DASH;
  const d = new Date(t);
  return pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds());
}
function formatDateTime(iso) {
  const t = parseTime(iso);
  if (t === null) return DASH;
  const d = new Date(t);
  return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' + formatClock(iso);
}
function text(v) {
  if (v === null || v === undefined || v === '') return DASH;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

// ---- Routing on the path: `/` is the dashboard, `/conversations/{id}` one conversation.
function route() {
  const m = /^\/conversations\/([^/]+)\/?$/.exec(location.pathname);
  if (m) {
    try { return { view: 'conversation', id: decodeURIComponent(m[1]) }; } catch (e) { /* malformed */ }
  }
  return { view: 'dashboard' };
}

function start() {
  takeTokenFromFragment();
  stopTimers();
  const g = ++generation;
  if (!storedToken()) { showLogin(''); return; }
  const r = route();
  if (r.view === 'conversation') startConversation(r.id, g); else startDashboard(g);
}

function showLogin(message) {
  stopTimers();
  generation++;
  delete document.body.dataset.ready;
  setView('login');
  setStatus('');
  document.title = 'VoiceGate supervisor: sign in';
  const m = document.getElementById('login-message');
  m.textContent = message || '';
  m.hidden = !message;
  document.getElementById('token-input').focus();
}

document.getElementById('login').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('token-input');
  const token = input.value.trim();
  input.value = '';
  if (!token) return;
  storeToken(token);
  start();
});
document.getElementById('sign-out').addEventListener('click', () => {
  storeToken(null);
  showLogin('Signed out.');
});
"""#
}
