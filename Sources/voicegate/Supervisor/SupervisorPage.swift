/// The supervisor web page (README "Supervisor page"): one self-contained HTML document with its
/// style and script inline, no external resource of any kind. It holds no data and no secret:
/// its script asks the admin API (`/api/v1/live`, `/api/v1/analytics`, `/api/v1/conversations/{id}`)
/// with the admin token the user types in (or passes once as `#token=`), kept in sessionStorage.
/// Every datum from the API is untrusted (callers' words, SIP headers, bots' variables): the
/// script builds the DOM with createElement and textContent only, never innerHTML.
///
/// Served by SupervisorRoutes at `/` (the dashboard) and `/conversations/{id}` (one conversation);
/// the script picks the view from location.pathname.
enum SupervisorPage {
    static let html: String = [documentStart, style, markup, script, documentEnd].joined(separator: "\n")

    static let documentStart = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>VoiceGate supervisor</title>
<link rel="icon" href="data:,">
"""#

    /// The three views' skeletons; the script fills them and shows one.
    static let markup = #"""
</head>
<body data-view="loading">
<header class="top">
  <a class="brand" href="/">VoiceGate <span>supervisor</span></a>
  <nav id="nav"><a href="/">Dashboard</a></nav>
  <span id="status" class="status" role="status" aria-live="polite"></span>
  <button type="button" id="sign-out" class="secondary">Sign out</button>
</header>

<main id="login-view" hidden>
  <form id="login" class="card login" autocomplete="off">
    <h1>Sign in</h1>
    <p class="muted">Enter the gateway's admin token (<code>admin.token</code> in its configuration). It is kept in this browser tab only.</p>
    <p id="login-message" class="message" role="alert" hidden></p>
    <label for="token-input">Admin token</label>
    <input id="token-input" name="token" type="password" autocomplete="current-password" spellcheck="false" required>
    <button type="submit">Sign in</button>
  </form>
</main>

<main id="dashboard-view" hidden>
  <section class="card" id="live-section">
    <h2>Live conversations <span id="live-count" class="count"></span></h2>
    <div class="scroll">
      <table id="live-conversations">
        <thead><tr>
          <th>State</th><th class="num">Duration</th><th>Caller</th><th>Dialed</th><th>Bot / queue / agent</th>
          <th class="num">Sentiment</th><th>Last said</th><th></th>
        </tr></thead>
        <tbody></tbody>
      </table>
    </div>
  </section>

  <div class="two">
    <section class="card">
      <h2>Queues</h2>
      <table id="queues">
        <thead><tr><th>Queue</th><th class="num">Waiting</th><th class="num">Longest wait</th><th>Agents</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <section class="card">
      <h2>Agents</h2>
      <table id="agents">
        <thead><tr><th>Agent</th><th>Name</th><th>Presence</th><th>Registered</th><th>Conversation</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </div>

  <section class="card" id="history">
    <div class="section-head">
      <h2>History</h2>
      <label for="range" class="muted">Range</label>
      <select id="range">
        <option value="1h">Last hour</option>
        <option value="24h" selected>Last 24 hours</option>
        <option value="7d">Last 7 days</option>
        <option value="30d">Last 30 days</option>
      </select>
      <span id="range-label" class="muted"></span>
      <span class="spacer"></span>
      <button type="button" id="export-csv" class="secondary">Export CSV</button>
    </div>
    <p id="analytics-error" class="message" hidden></p>
    <div id="figures" class="tiles"></div>
    <div class="charts">
      <figure>
        <figcaption>Conversations over time, by outcome</figcaption>
        <div id="series-chart"></div>
      </figure>
      <figure>
        <figcaption>Outcomes</figcaption>
        <div id="outcomes-chart"></div>
        <ul id="outcomes-legend" class="legend outcomes"></ul>
      </figure>
    </div>
    <h3>Bot and human</h3>
    <div id="segments" class="two"></div>
    <h3>By bot</h3>
    <div class="scroll"><table id="by-bot"></table></div>
    <h3>By queue</h3>
    <div class="scroll"><table id="by-queue"></table></div>
    <h3>By phone number</h3>
    <div class="scroll"><table id="by-phone-number"></table></div>
  </section>
</main>

<main id="conversation-view" hidden>
  <section class="card">
    <div class="section-head">
      <h1 id="conversation-title">Conversation</h1>
      <span class="spacer"></span>
      <button type="button" id="download-json" class="secondary">Download JSON</button>
    </div>
    <p id="conversation-error" class="message" hidden></p>
    <dl id="conversation-header" class="facts"></dl>
  </section>
  <div class="conversation-grid">
    <section class="card">
      <h2>Transcript <span id="transcript-count" class="count"></span></h2>
      <ol id="transcript" class="transcript"></ol>
    </section>
    <section class="card">
      <h2>Variables</h2>
      <table id="variables">
        <thead><tr><th>Name</th><th>Value</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </div>
</main>
<noscript><p class="message">This page needs JavaScript.</p></noscript>
"""#

    static let documentEnd = #"""
</body>
</html>
"""#
}
