extension SupervisorPage {
    /// The page's one style sheet: system font, dark on light, no animations, no external
    /// resources (the CSP allows inline styles and nothing else).
    static let style = #"""
<style>
:root {
  --ink: #1d2330; --muted: #5d6675; --line: #dde1e8; --bg: #f4f5f8; --card: #ffffff;
  --accent: #1f5fbf; --pos: #1e7b34; --neg: #b3261e; --neutral: #6b7280;
  --bot: #1f5fbf; --waiting: #b45309; --agent: #6d28d9; --closed: #4b5563;
  --resolved: #2e7d32; --escalated: #1565c0; --transferred: #7b1fa2; --abandoned: #ef6c00;
  --failed: #c62828; --open: #9aa1ad;
}
* { box-sizing: border-box; }
html { font-size: 15px; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif;
  line-height: 1.4;
}
[hidden] { display: none !important; }
a { color: var(--accent); text-decoration: none; }
a:hover, a:focus { text-decoration: underline; }
h1 { font-size: 1.35rem; margin: 0; }
h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
h3 { font-size: .95rem; margin: 1.2rem 0 .5rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
button {
  font: inherit; border: 1px solid var(--accent); background: var(--accent); color: #fff;
  border-radius: 6px; padding: .35rem .8rem; cursor: pointer;
}
button.secondary { background: #fff; color: var(--accent); }
button:disabled { opacity: .55; cursor: default; }
select, input { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--ink); }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; }

header.top {
  display: flex; align-items: center; gap: 1.2rem; padding: .6rem 1.4rem;
  background: #fff; border-bottom: 1px solid var(--line);
}
header.top .brand { font-weight: 700; color: var(--ink); font-size: 1.05rem; }
header.top .brand span { font-weight: 400; color: var(--muted); }
header.top .status { margin-left: auto; color: var(--muted); font-size: .85rem; }
header.top .status.error { color: var(--neg); }
body[data-view="login"] #nav, body[data-view="login"] #sign-out { display: none; }

main { padding: 1rem 1.4rem 2rem; max-width: 1500px; margin: 0 auto; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.1rem; margin-bottom: 1rem; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.conversation-grid { display: grid; grid-template-columns: 3fr 2fr; gap: 1rem; align-items: start; }
@media (max-width: 900px) { .two, .conversation-grid { grid-template-columns: 1fr; } }
.section-head { display: flex; align-items: center; gap: .8rem; flex-wrap: wrap; margin-bottom: .8rem; }
.section-head h2, .section-head h1 { margin: 0; }
.section-head .spacer { flex: 1; }
.muted { color: var(--muted); }
.count { color: var(--muted); font-weight: 400; }
.message { background: #fdecea; color: var(--neg); border: 1px solid #f5c2bd; border-radius: 6px; padding: .5rem .7rem; }

table { width: 100%; border-collapse: collapse; font-size: .92rem; }
th, td { text-align: left; padding: .38rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: #f8f9fb; }
tr.empty td { color: var(--muted); text-align: center; padding: 1rem; }
td.duration, td.sentiment { font-variant-numeric: tabular-nums; }
td.last-text { max-width: 22rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: var(--muted); }
.scroll { overflow-x: auto; }

.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .78rem; font-weight: 600; color: #fff; background: var(--neutral); }
.badge.state-bot, .badge.state-active { background: var(--bot); }
.badge.state-waiting { background: var(--waiting); }
.badge.state-agent { background: var(--agent); }
.badge.state-closed { background: var(--closed); }
.badge.presence-available { background: var(--pos); }
.badge.presence-busy { background: var(--waiting); }
.badge.presence-away { background: #8d6e00; }
.badge.presence-offline { background: var(--neutral); }
.badge.outcome-resolved { background: var(--resolved); }
.badge.outcome-escalated { background: var(--escalated); }
.badge.outcome-transferred { background: var(--transferred); }
.badge.outcome-abandoned { background: var(--abandoned); }
.badge.outcome-failed { background: var(--failed); }

.sentiment-positive { color: var(--pos); font-weight: 600; }
.sentiment-negative { color: var(--neg); font-weight: 600; }
.sentiment-neutral { color: var(--neutral); }

.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .7rem; margin-bottom: 1rem; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .75rem; background: #fafbfc; }
.tile .tile-label { color: var(--muted); font-size: .8rem; }
.tile .tile-value { font-size: 1.45rem; font-weight: 650; font-variant-numeric: tabular-nums; }

.charts { display: grid; grid-template-columns: 2fr 1fr; gap: 1rem; }
@media (max-width: 900px) { .charts { grid-template-columns: 1fr; } }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: .6rem .75rem; }
figcaption { color: var(--muted); font-size: .85rem; margin-bottom: .4rem; }
svg { display: block; width: 100%; height: auto; }
svg text { font-size: 11px; fill: var(--muted); font-family: inherit; }
svg .grid { stroke: var(--line); stroke-width: 1; }
.o-resolved { fill: var(--resolved); background: var(--resolved); }
.o-escalated { fill: var(--escalated); background: var(--escalated); }
.o-transferred { fill: var(--transferred); background: var(--transferred); }
.o-abandoned { fill: var(--abandoned); background: var(--abandoned); }
.o-failed { fill: var(--failed); background: var(--failed); }
.o-open { fill: var(--open); background: var(--open); }
.legend { list-style: none; padding: 0; margin: .5rem 0 0; display: flex; flex-wrap: wrap; gap: .3rem 1rem; font-size: .85rem; }
.legend .swatch { display: inline-block; width: .75rem; height: .75rem; border-radius: 2px; margin-right: .35rem; vertical-align: -1px; }
.legend.outcomes { flex-direction: column; gap: .35rem; margin-top: .8rem; }
.legend .n { color: var(--muted); margin-left: .25rem; font-variant-numeric: tabular-nums; }
.empty-chart { color: var(--muted); padding: 1.5rem 0; text-align: center; }

.segment dl, dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
dl.facts { grid-template-columns: repeat(4, max-content minmax(6rem, 1fr)); }
@media (max-width: 1100px) { dl.facts { grid-template-columns: repeat(2, max-content minmax(6rem, 1fr)); } }
dt { color: var(--muted); font-size: .85rem; }
dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.segment { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .75rem; }
.segment h4 { margin: 0 0 .4rem; font-size: .95rem; }

ol.transcript { list-style: none; margin: 0; padding: 0; }
ol.transcript li {
  display: grid; grid-template-columns: 5.2rem 5.5rem 4.6rem 1fr 3.6rem; gap: .5rem;
  padding: .35rem .2rem; border-bottom: 1px solid var(--line); font-size: .92rem;
}
ol.transcript li .time, ol.transcript li .kind { color: var(--muted); font-variant-numeric: tabular-nums; }
ol.transcript li .from { font-weight: 600; }
ol.transcript li[data-from="customer"] .from { color: var(--waiting); }
ol.transcript li[data-from="bot"] .from { color: var(--bot); }
ol.transcript li[data-from="agent"] .from { color: var(--agent); }
ol.transcript li[data-from="system"] { color: var(--muted); }
ol.transcript li .text { white-space: pre-wrap; overflow-wrap: anywhere; }
ol.transcript li .sentiment { text-align: right; font-variant-numeric: tabular-nums; }
ol.transcript li .kind.has-data { text-decoration: underline dotted; cursor: help; }
#variables td.key { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85rem; white-space: nowrap; }
#variables td.value { overflow-wrap: anywhere; white-space: pre-wrap; }

form.login { max-width: 26rem; margin: 3rem auto; display: flex; flex-direction: column; gap: .6rem; }
form.login p { margin: 0; }
</style>
"""#
}
