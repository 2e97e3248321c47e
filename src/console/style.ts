/** The console's stylesheet, served from the gateway (`/console/assets/console.css`): no CDN, no inline style. */
export const CONSOLE_STYLE = `
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --bad: #b3261e; --good: #1a7f37;
  --bg: #ffffff; --panel: #f6f8fa; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--bg); line-height: 1.45; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip:focus { left: .5rem; z-index: 10; }
header.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .6rem 1rem;
  background: #0b2e4f; color: #fff; }
header.top a { color: #fff; }
header.top .brand { font-weight: 700; margin-right: auto; }
header.top form { display: inline; margin: 0; }
header.top button { background: transparent; color: #fff; border: 1px solid #fff; }
nav.main ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: .5rem 1rem;
  background: var(--panel); border-bottom: 1px solid var(--line); }
nav.main a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--ink); }
main { padding: 1rem; max-width: 80rem; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); }
.table-wrap { overflow-x: auto; }
form.inline { display: flex; flex-wrap: wrap; gap: .4rem; align-items: flex-end; margin: .2rem 0; }
form.stack { display: grid; gap: .5rem; max-width: 40rem; }
label { display: flex; flex-direction: column; font-size: .9rem; color: var(--muted); gap: .15rem; }
input, select, textarea, button { font: inherit; padding: .35rem .5rem; border: 1px solid #8c959f; border-radius: 4px; }
textarea { min-height: 8rem; font-family: ui-monospace, monospace; font-size: .85rem; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.danger { background: var(--bad); border-color: var(--bad); }
.notice { padding: .6rem .8rem; border-left: 4px solid var(--accent); background: var(--panel); margin: .5rem 0 1rem; }
.notice.bad { border-color: var(--bad); }
.notice.good { border-color: var(--good); }
.bad { color: var(--bad); }
.good { color: var(--good); }
.muted { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .75rem; background: #fff; }
.card h2 { margin-top: 0; font-size: 1rem; }
@media (min-width: 50rem) { .card.wide { grid-column: span 2; } }
.big { font-size: 2rem; font-weight: 700; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .axis { stroke: #8c959f; stroke-width: 1; }
svg.chart .series-a { fill: none; stroke: var(--accent); stroke-width: 2; }
svg.chart .series-b { fill: none; stroke: var(--bad); stroke-width: 2; }
svg.chart .bar { fill: var(--accent); }
svg.chart .bar.warn { fill: var(--bad); }
svg.chart text { font-size: 11px; fill: var(--muted); }
details.data summary { cursor: pointer; color: var(--muted); font-size: .9rem; }
pre { white-space: pre-wrap; word-break: break-all; background: var(--panel); padding: .5rem; font-size: .8rem;
  max-height: 24rem; overflow: auto; }
code { word-break: break-all; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.facts dt { color: var(--muted); }
ol.timeline { list-style: none; padding: 0; border-left: 3px solid var(--line); margin-left: .5rem; }
ol.timeline li { position: relative; padding: .3rem 0 .6rem 1rem; }
ol.timeline li::before { content: ""; position: absolute; left: -.45rem; top: .65rem; width: .6rem; height: .6rem;
  border-radius: 50%; background: var(--accent); }
@media (max-width: 40rem) {
  main { padding: .6rem; }
  th, td { padding: .3rem; font-size: .9rem; }
  form.inline { flex-direction: column; align-items: stretch; }
  .big { font-size: 1.5rem; }
}
`;
