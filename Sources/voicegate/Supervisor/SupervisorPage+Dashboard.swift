extension SupervisorPage {
    /// The dashboard: live conversations, queues and agents from `/api/v1/live` every second,
    /// historical figures and charts from `/api/v1/analytics` every 10 seconds.
    static let scriptDashboard = #"""
// ---- Dashboard
const RANGES = {
  '1h': { ms: 3600e3, label: 'Last hour' },
  '24h': { ms: 24 * 3600e3, label: 'Last 24 hours' },
  '7d': { ms: 7 * 24 * 3600e3, label: 'Last 7 days' },
  '30d': { ms: 30 * 24 * 3600e3, label: 'Last 30 days' },
};
const FIGURES = [
  ['conversations', 'Conversations', formatCount],
  ['resolutionRate', 'Resolution rate', formatRate],
  ['escalationRate', 'Escalation rate', formatRate],
  ['abandonRate', 'Abandon rate', formatRate],
  ['transferRate', 'Transfer rate', formatRate],
  ['averageResolutionSeconds', 'Avg resolution time', formatDuration],
  ['averageEscalationSeconds', 'Avg escalation time', formatDuration],
  ['averageWaitSeconds', 'Avg wait', formatDuration],
  ['averageSentiment', 'Avg sentiment', formatSentiment],
];
const OUTCOMES = [
  ['resolved', 'Resolved'], ['escalated', 'Escalated'], ['transferred', 'Transferred'],
  ['abandoned', 'Abandoned'], ['failed', 'Failed'], ['open', 'Still open'],
];
const dashboard = {
  liveLoaded: false, analyticsSettled: false, rows: new Map(), analyticsSeq: 0,
  queuesKey: null, agentsKey: null,
};

function startDashboard(g) {
  setView('dashboard');
  document.title = 'VoiceGate supervisor';
  pollLive(g);
  pollAnalytics(g);
  every(g, 1000, tickDurations);
}

function dashboardReady() {
  if (dashboard.liveLoaded && dashboard.analyticsSettled) markReady();
}

async function pollLive(g) {
  try {
    const data = await apiJSON('/api/v1/live');
    if (g !== generation) return;
    const now = parseTime(data.now);
    if (now !== null) serverOffset = now - Date.now();
    renderLive(Array.isArray(data.conversations) ? data.conversations : []);
    renderQueues(Array.isArray(data.queues) ? data.queues : []);
    renderAgents(Array.isArray(data.agents) ? data.agents : []);
    setStatus('Live · updated ' + formatClock(new Date().toISOString()));
    dashboard.liveLoaded = true;
    dashboardReady();
  } catch (e) {
    if (e instanceof AuthError || g !== generation) return;
    setStatus('Live data: ' + e.message + ' (retrying)', true);
  }
  later(g, 1000, () => pollLive(g));
}

// ---- Live conversations: one row per conversation, kept across polls (links stay clickable).
function renderLive(conversations) {
  const table = document.getElementById('live-conversations');
  const body = table.tBodies[0];
  const sorted = conversations.filter((c) => c && c.id !== undefined && c.id !== null)
    .sort((a, b) => (parseTime(a.startedAt) || 0) - (parseTime(b.startedAt) || 0));
  const seen = new Set();
  sorted.forEach((c, i) => {
    const id = String(c.id);
    seen.add(id);
    let row = dashboard.rows.get(id);
    if (!row) {
      row = liveRow(id);
      dashboard.rows.set(id, row);
    }
    updateLiveRow(row, c);
    if (body.rows[i] !== row.tr) body.insertBefore(row.tr, body.rows[i] || null);
  });
  for (const [id, row] of dashboard.rows) {
    if (!seen.has(id)) { row.tr.remove(); dashboard.rows.delete(id); }
  }
  const empty = body.querySelector('tr.empty');
  if (sorted.length === 0 && !empty) body.append(emptyRow(table, 'No live calls'));
  if (sorted.length > 0 && empty) empty.remove();
  setText(document.getElementById('live-count'), sorted.length ? '(' + sorted.length + ')' : '');
}
function liveRow(id) {
  const cells = {};
  const tr = el('tr', { 'data-conversation-id': id });
  for (const name of ['state', 'duration', 'caller', 'dialed', 'handler', 'sentiment', 'last-text', 'open']) {
    cells[name] = el('td', { class: name });
    tr.append(cells[name]);
  }
  cells.duration.classList.add('num');
  cells.sentiment.classList.add('num');
  cells.open.append(conversationLink(id, 'Open'));
  return { tr, cells, startedAt: null };
}
function updateLiveRow(row, c) {
  const state = typeof c.state === 'string' ? c.state : 'unknown';
  setAttr(row.tr, 'data-state', state);
  if (row.cells.state.textContent !== state) row.cells.state.replaceChildren(badge('state', state));
  row.startedAt = parseTime(c.startedAt);
  setText(row.cells.duration, liveDuration(row));
  setText(row.cells.caller, text(c.caller));
  setText(row.cells.dialed, text(c.dialed));
  const who = [];
  if (c.bot) who.push('bot ' + c.bot);
  if (c.queue) who.push('queue ' + c.queue);
  if (c.agent) who.push('agent ' + c.agent);
  setText(row.cells.handler, who.length ? who.join(' · ') : DASH);
  paintSentiment(row.cells.sentiment, c.sentiment);
  setText(row.cells['last-text'], c.lastCustomerText ? String(c.lastCustomerText) : '');
  setAttr(row.cells['last-text'], 'title', c.lastCustomerText ? String(c.lastCustomerText) : '');
}
function liveDuration(row) {
  return row.startedAt === null ? DASH : formatDuration((serverNow() - row.startedAt) / 1000);
}
function tickDurations() {
  for (const row of dashboard.rows.values()) setText(row.cells.duration, liveDuration(row));
}

// ---- Queues and agents: redrawn only when what they show changed.
function renderQueues(queues) {
  const key = JSON.stringify(queues.map((q) => [q.name, q.waiting, q.longestWaitSeconds, q.agents]));
  if (key === dashboard.queuesKey) return;
  dashboard.queuesKey = key;
  const table = document.getElementById('queues');
  const rows = queues.map((q) => el('tr', { 'data-queue': text(q.name) },
    el('td', { class: 'name' }, text(q.name)),
    el('td', { class: 'waiting num' }, formatCount(q.waiting)),
    el('td', { class: 'longest-wait num' }, isNumber(q.waiting) && q.waiting > 0 ? formatDuration(q.longestWaitSeconds) : DASH),
    el('td', { class: 'agents' }, Array.isArray(q.agents) && q.agents.length ? q.agents.map(String).join(', ') : DASH)));
  table.tBodies[0].replaceChildren(...(rows.length ? rows : [emptyRow(table, 'No queues configured')]));
}
function renderAgents(agents) {
  const key = JSON.stringify(agents.map((a) => [a.id, a.name, a.presence, a.registered, a.conversation, a.ringing]));
  if (key === dashboard.agentsKey) return;
  dashboard.agentsKey = key;
  const table = document.getElementById('agents');
  const rows = agents.map((a) => el('tr', { 'data-agent-id': text(a.id), 'data-presence': text(a.presence) },
    el('td', { class: 'id' }, text(a.id)),
    el('td', { class: 'name' }, text(a.name)),
    el('td', { class: 'presence' }, a.presence ? badge('presence', a.presence) : DASH,
       a.ringing ? el('span', { class: 'muted' }, ' ringing') : null),
    el('td', { class: 'registered' }, a.registered === true ? 'yes' : a.registered === false ? 'no' : DASH),
    el('td', { class: 'conversation' }, a.conversation ? conversationLink(String(a.conversation)) : DASH)));
  table.tBodies[0].replaceChildren(...(rows.length ? rows : [emptyRow(table, 'No agents configured')]));
}

// ---- Historical figures
function rangeBounds() {
  const key = document.getElementById('range').value;
  const range = RANGES[key] || RANGES['24h'];
  const to = serverNow();
  return { from: new Date(to - range.ms).toISOString(), to: new Date(to).toISOString(), range, key };
}
function rangeQuery(b) {
  return 'from=' + encodeURIComponent(b.from) + '&to=' + encodeURIComponent(b.to);
}

async function pollAnalytics(g) {
  const seq = ++dashboard.analyticsSeq;
  const bounds = rangeBounds();
  try {
    const data = await apiJSON('/api/v1/analytics?' + rangeQuery(bounds));
    if (g !== generation || seq !== dashboard.analyticsSeq) return;
    renderAnalytics(data, bounds);
    document.getElementById('analytics-error').hidden = true;
  } catch (e) {
    if (e instanceof AuthError || g !== generation || seq !== dashboard.analyticsSeq) return;
    const m = document.getElementById('analytics-error');
    m.textContent = 'Historical figures: ' + e.message;
    m.hidden = false;
  }
  dashboard.analyticsSettled = true;
  dashboardReady();
  // A day's figures move every few seconds; a month's barely move and cost the store most
  // (Benchmarks/analytics.sh): every 10 s up to a day, every minute beyond.
  later(g, bounds.range.ms > 24 * 3600e3 ? 60000 : 10000, () => { if (seq === dashboard.analyticsSeq) pollAnalytics(g); });
}

document.getElementById('range').addEventListener('change', () => {
  if (document.body.dataset.view === 'dashboard') pollAnalytics(generation);
});
document.getElementById('export-csv').addEventListener('click', (event) => {
  const b = rangeBounds();
  download('/api/v1/exports/transcripts.csv?' + rangeQuery(b),
           'transcripts-' + b.from.slice(0, 16).replace(/:/g, '') + '-' + b.to.slice(0, 16).replace(/:/g, '') + '.csv',
           event.currentTarget);
});

function renderAnalytics(data, bounds) {
  const from = data.from || bounds.from, to = data.to || bounds.to;
  setText(document.getElementById('range-label'), formatDateTime(from) + ' → ' + formatDateTime(to));
  renderFigures(data);
  const series = Array.isArray(data.series) ? data.series : [];
  renderSeries(series, bounds.range.ms);
  renderOutcomes(data);
  renderSegments(data.segments || {});
  renderFiguresTable('by-bot', 'Bot', 'bot', data.byBot);
  renderFiguresTable('by-queue', 'Queue', 'queue', data.byQueue);
  renderFiguresTable('by-phone-number', 'Phone number', 'phoneNumber', data.byPhoneNumber);
}

function renderFigures(data) {
  const box = document.getElementById('figures');
  if (!box.firstChild) {
    for (const [key, label] of FIGURES) {
      box.append(el('div', { class: 'tile' },
        el('div', { class: 'tile-label' }, label),
        el('div', { class: 'tile-value', 'data-figure': key, 'data-value': '' }, DASH)));
    }
  }
  for (const [key, , format] of FIGURES) {
    const node = box.querySelector('[data-figure="' + key + '"]');
    const v = data[key];
    setText(node, format(v));
    setAttr(node, 'data-value', isNumber(v) ? v : '');
    if (key === 'averageSentiment') {
      for (const c of ['sentiment-positive', 'sentiment-negative', 'sentiment-neutral']) node.classList.toggle(c, c === sentimentClass(v));
    }
  }
}

/// The count of a bucket's or figures' outcome; 'open' is what has no outcome yet.
function outcomeCount(item, key) {
  if (key !== 'open') return isNumber(item[key]) ? item[key] : 0;
  const done = OUTCOMES.filter(([k]) => k !== 'open').reduce((n, [k]) => n + (isNumber(item[k]) ? item[k] : 0), 0);
  return Math.max(0, (isNumber(item.conversations) ? item.conversations : 0) - done);
}

function renderSeries(series, spanMs) {
  const box = document.getElementById('series-chart');
  const total = series.reduce((n, b) => n + (isNumber(b.conversations) ? b.conversations : 0), 0);
  if (!series.length || total === 0) {
    box.replaceChildren(el('div', { class: 'empty-chart' }, 'No conversations in this range'));
    return;
  }
  const W = 760, H = 220, left = 34, right = 6, top = 8, bottom = 24;
  const plotW = W - left - right, plotH = H - top - bottom;
  const heights = series.map((b) => OUTCOMES.reduce((n, [k]) => n + outcomeCount(b, k), 0));
  const max = niceCeiling(Math.max(1, ...heights));
  const svg = svgEl('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'Conversations over time by outcome' });
  for (const f of [0, 0.5, 1]) {
    if (!Number.isInteger(max * f)) continue;   // whole conversations only
    const y = top + plotH - f * plotH;
    svg.append(svgEl('line', { class: 'grid', x1: left, x2: W - right, y1: y, y2: y }));
    svg.append(svgEl('text', { x: left - 4, y: y + 4, 'text-anchor': 'end' }, String(max * f)));
  }
  const band = plotW / series.length;
  const barW = Math.max(1, band * 0.78);
  const labelEvery = Math.max(1, Math.ceil(series.length / 8));
  series.forEach((b, i) => {
    const x = left + i * band + (band - barW) / 2;
    let y = top + plotH;
    const when = bucketLabel(b.start, spanMs);
    for (const [key, label] of OUTCOMES) {
      const n = outcomeCount(b, key);
      if (n <= 0) continue;
      const h = (n / max) * plotH;
      y -= h;
      svg.append(svgEl('rect', { class: 'o-' + key, x: x.toFixed(1), y: y.toFixed(1), width: barW.toFixed(1), height: h.toFixed(1), 'data-outcome': key },
        svgEl('title', null, when + ' · ' + label + ': ' + n)));
    }
    if (i % labelEvery === 0) {
      svg.append(svgEl('text', { x: (left + i * band + band / 2).toFixed(1), y: H - 6, 'text-anchor': 'middle' }, when));
    }
  });
  box.replaceChildren(svg);
}
function niceCeiling(n) {
  const p = Math.pow(10, Math.floor(Math.log10(n)));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}
function bucketLabel(iso, spanMs) {
  const t = parseTime(iso);
  if (t === null) return DASH;
  const d = new Date(t);
  if (spanMs <= 2 * 24 * 3600e3) return pad2(d.getHours()) + ':' + pad2(d.getMinutes());
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

function renderOutcomes(data) {
  const box = document.getElementById('outcomes-chart');
  const legend = document.getElementById('outcomes-legend');
  const counts = OUTCOMES.map(([key, label]) => [key, label, outcomeCount(data, key)]);
  const total = counts.reduce((n, [, , c]) => n + c, 0);
  legend.replaceChildren(...counts.map(([key, label, c]) => el('li', { 'data-outcome': key, 'data-value': c },
    el('span', { class: 'swatch o-' + key }), label,
    el('span', { class: 'n' }, c + (total ? ' (' + Math.round((c / total) * 100) + '%)' : '')))));
  if (total === 0) {
    box.replaceChildren(el('div', { class: 'empty-chart' }, 'No conversations in this range'));
    return;
  }
  const W = 400, H = 44;
  const svg = svgEl('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'Outcomes' });
  let x = 0;
  for (const [key, label, c] of counts) {
    if (c <= 0) continue;
    const w = (c / total) * W;
    svg.append(svgEl('rect', { class: 'o-' + key, x: x.toFixed(1), y: 6, width: w.toFixed(1), height: 32, 'data-outcome': key },
      svgEl('title', null, label + ': ' + c)));
    x += w;
  }
  box.replaceChildren(svg);
}

function renderSegments(segments) {
  const box = document.getElementById('segments');
  const parts = [
    ['bot', 'Bot', [['conversations', 'Conversations', formatCount], ['resolved', 'Resolved', formatCount],
      ['escalated', 'Escalated', formatCount], ['resolutionRate', 'Resolution rate', formatRate],
      ['escalationRate', 'Escalation rate', formatRate], ['averageHandleSeconds', 'Avg handle time', formatDuration],
      ['averageSentiment', 'Avg sentiment', formatSentiment]]],
    ['human', 'Human agents', [['conversations', 'Conversations', formatCount], ['resolved', 'Resolved', formatCount],
      ['handedBack', 'Handed back to a bot', formatCount], ['resolutionRate', 'Resolution rate', formatRate],
      ['averageHandleSeconds', 'Avg handle time', formatDuration], ['averageSentiment', 'Avg sentiment', formatSentiment]]],
  ];
  box.replaceChildren(...parts.map(([key, title, rows]) => {
    const s = segments[key] || {};
    const dl = el('dl');
    for (const [field, label, format] of rows) {
      const dd = el('dd', { 'data-segment-figure': field, 'data-value': isNumber(s[field]) ? s[field] : '' }, format(s[field]));
      if (field === 'averageSentiment') dd.classList.add(sentimentClass(s[field]));
      dl.append(el('dt', null, label), dd);
    }
    return el('div', { class: 'segment', 'data-segment': key }, el('h4', null, title), dl);
  }));
}

function renderFiguresTable(id, keyLabel, keyField, items) {
  const table = document.getElementById(id);
  const columns = [
    ['conversations', 'Conversations', formatCount], ['resolutionRate', 'Resolution', formatRate],
    ['escalationRate', 'Escalation', formatRate], ['abandonRate', 'Abandon', formatRate],
    ['transferRate', 'Transfer', formatRate], ['averageResolutionSeconds', 'Avg resolution', formatDuration],
    ['averageWaitSeconds', 'Avg wait', formatDuration], ['averageSentiment', 'Avg sentiment', formatSentiment],
  ];
  const head = el('thead', null, el('tr', null, el('th', null, keyLabel),
    ...columns.map(([, label]) => el('th', { class: 'num' }, label))));
  const list = Array.isArray(items) ? items : [];
  const body = el('tbody');
  for (const item of list) {
    const tr = el('tr', { 'data-key': text(item[keyField]) }, el('td', { class: 'key' }, text(item[keyField])));
    for (const [field, , format] of columns) {
      const td = el('td', { class: 'num', 'data-field': field }, format(item[field]));
      if (field === 'averageSentiment') td.classList.add(sentimentClass(item[field]));
      tr.append(td);
    }
    body.append(tr);
  }
  table.replaceChildren(head, body);
  if (!list.length) body.append(emptyRow(table, 'No conversations in this range'));
}
"""#
}
