extension SupervisorPage {
    /// One conversation (`/conversations/{id}`): header, variables and transcript from
    /// `/api/v1/conversations/{id}`, refreshed every 2 seconds until it is closed.
    static let scriptConversation = #"""
// ---- Conversation
const conversationView = { id: null, conversation: null, turns: 0, firstTurnKey: null };

function startConversation(id, g) {
  conversationView.id = id;
  conversationView.conversation = null;
  conversationView.turns = 0;
  conversationView.firstTurnKey = null;
  setView('conversation');
  document.title = 'Conversation ' + shortID(id) + ' · VoiceGate';
  setText(document.getElementById('conversation-title'), 'Conversation ' + shortID(id));
  document.getElementById('conversation-title').title = id;
  pollConversation(id, g);
  every(g, 1000, () => {
    const c = conversationView.conversation;
    const dd = document.querySelector('#conversation-header [data-field="duration"]');
    if (c && dd) setText(dd, conversationDuration(c));
  });
}

async function pollConversation(id, g) {
  const error = document.getElementById('conversation-error');
  try {
    const response = await apiFetch('/api/v1/conversations/' + encodeURIComponent(id));
    // The server's clock from the Date header (whole seconds): used only against a real skew.
    const date = parseTime(response.headers.get('Date'));
    if (date !== null && Math.abs(date - Date.now()) > 2000) serverOffset = date - Date.now();
    const c = await response.json();
    if (g !== generation) return;
    conversationView.conversation = c;
    renderConversation(c);
    error.hidden = true;
    markReady();
    if (c.state === 'closed') { setStatus('Closed · not refreshing'); return; }
    setStatus('Live · updated ' + formatClock(new Date().toISOString()));
  } catch (e) {
    if (e instanceof AuthError || g !== generation) return;
    error.textContent = e.status === 404 ? 'There is no conversation ' + id + '.' : 'The conversation cannot be loaded: ' + e.message;
    error.hidden = false;
    if (e.status === 404) { setStatus(''); return; }
    setStatus('Retrying', true);
  }
  later(g, 2000, () => pollConversation(id, g));
}

function conversationDuration(c) {
  const started = parseTime(c.startedAt);
  if (started === null) return DASH;
  const ended = c.state === 'closed' ? parseTime(c.endedAt) : serverNow();
  return ended === null ? DASH : formatDuration((ended - started) / 1000);
}

function renderConversation(c) {
  const variables = c.variables && typeof c.variables === 'object' ? c.variables : {};
  const caller = variables['bot.CustomerPhoneNumber'];
  const stateText = typeof c.state === 'string' ? c.state : 'unknown';
  document.getElementById('conversation-view').dataset.state = stateText;

  const facts = [
    ['caller', 'Caller', caller ? String(caller) : c.callerWithheld ? 'anonymous' : DASH],
    ['dialed', 'Dialed number', text(variables['bot.OrganizationPhoneNumber'])],
    ['state', 'State', c.state ? badge('state', stateText) : DASH],
    ['outcome', 'Outcome', c.outcome ? badge('outcome', c.outcome) : DASH, c.endReason ? el('span', { class: 'muted' }, ' ' + c.endReason) : null],
    ['bot', 'Bot', text(c.bot)],
    ['queue', 'Queue', text(c.queue)],
    ['agent', 'Agent', text(c.agent)],
    ['trunk', 'Trunk', text(c.trunk)],
    ['started', 'Started', formatDateTime(c.startedAt)],
    ['ended', 'Ended', formatDateTime(c.endedAt)],
    ['duration', 'Duration', conversationDuration(c)],
    ['sentiment', 'Sentiment', null],
  ];
  const dl = document.getElementById('conversation-header');
  const items = [];
  for (const [field, label, ...value] of facts) {
    const dd = el('dd', { 'data-field': field }, ...value);
    if (field === 'sentiment') paintSentiment(dd, c.sentiment);
    items.push(el('dt', null, label), dd);
  }
  dl.replaceChildren(...items);

  renderVariables(variables);
  renderTranscript(Array.isArray(c.transcript) ? c.transcript : []);
}

function renderVariables(variables) {
  const table = document.getElementById('variables');
  const keys = Object.keys(variables).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rows = keys.map((k) => el('tr', { 'data-variable': k },
    el('td', { class: 'key' }, k),
    el('td', { class: 'value' }, typeof variables[k] === 'string' ? variables[k] : JSON.stringify(variables[k]))));
  table.tBodies[0].replaceChildren(...(rows.length ? rows : [emptyRow(table, 'No variables')]));
}

/// Turns are only ever appended: new ones are added below, the list is redrawn only if it shrank
/// or its first turn changed (another conversation).
function renderTranscript(turns) {
  const list = document.getElementById('transcript');
  const firstKey = turns.length ? String(turns[0].at) + '|' + String(turns[0].text) : null;
  if (turns.length < conversationView.turns || firstKey !== conversationView.firstTurnKey) {
    list.replaceChildren();
    conversationView.turns = 0;
  }
  conversationView.firstTurnKey = firstKey;
  for (const turn of turns.slice(conversationView.turns)) list.append(turnItem(turn));
  conversationView.turns = turns.length;
  setText(document.getElementById('transcript-count'), turns.length ? '(' + turns.length + ')' : '');
}

function turnItem(turn) {
  const from = typeof turn.from === 'string' ? turn.from : 'unknown';
  const kind = typeof turn.kind === 'string' ? turn.kind : 'unknown';
  const li = el('li', { 'data-from': from, 'data-kind': kind },
    el('time', { class: 'time', datetime: typeof turn.at === 'string' ? turn.at : null, title: formatDateTime(turn.at) }, formatClock(turn.at)),
    el('span', { class: 'from' }, from),
    el('span', { class: 'kind' }, kind),
    el('span', { class: 'text' }, typeof turn.text === 'string' ? turn.text : text(turn.text)));
  const sentiment = el('span', { class: 'sentiment' });
  if (from === 'customer' && isNumber(turn.sentiment)) paintSentiment(sentiment, turn.sentiment);
  li.append(sentiment);
  // The turn's data (confidence, reasons, waits...) as the kind's tooltip: the list stays one line a turn.
  if (turn.data && typeof turn.data === 'object' && Object.keys(turn.data).length) {
    const kindNode = li.querySelector('.kind');
    kindNode.title = JSON.stringify(turn.data, null, 1);
    kindNode.classList.add('has-data');
  }
  return li;
}

document.getElementById('download-json').addEventListener('click', (event) => {
  const id = conversationView.id;
  if (!id) return;
  download('/api/v1/conversations/' + encodeURIComponent(id) + '/export',
           'conversation-' + String(id).replace(/[^A-Za-z0-9._-]/g, '_') + '.json', event.currentTarget);
});
"""#
}
