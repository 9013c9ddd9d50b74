/** The report's stylesheet, inlined so the page needs nothing else. */
export const REPORT_CSS = `
:root { --ok:#1f9d55; --bad:#d64545; --warn:#c77c02; --ink:#1d2430; --muted:#5b6577; --line:#e3e7ee; --fault:#ffb547; --bg:#f6f7fb; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 60px; }
header { display:flex; justify-content:space-between; align-items:center; gap:20px; padding:22px 26px; border-radius:14px; color:#fff; margin-bottom:22px; }
header.pass { background:linear-gradient(120deg,#15803d,#22a35a); }
header.fail { background:linear-gradient(120deg,#b42318,#e0533d); }
header h1 { margin:4px 0 6px; font-size:26px; }
header p { margin:0; opacity:.95; }
.eyebrow { text-transform:uppercase; letter-spacing:.08em; font-size:12px; opacity:.85; }
.overall { font-size:34px; font-weight:800; letter-spacing:.06em; border:3px solid rgba(255,255,255,.8); border-radius:12px; padding:6px 16px; }
table.verdicts { width:100%; border-collapse:collapse; background:#fff; border-radius:12px; overflow:hidden; box-shadow:0 1px 3px rgba(20,30,50,.08); }
.verdicts th, .verdicts td { padding:9px 12px; text-align:left; border-bottom:1px solid var(--line); font-variant-numeric:tabular-nums; vertical-align:top; }
.verdicts thead th { font-size:12px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); background:#fafbfd; }
.verdicts a { color:var(--ink); font-weight:600; text-decoration:none; }
.verdicts a:hover { text-decoration:underline; }
.sub { color:var(--muted); font-size:12px; }
.chip { display:inline-block; font-size:12px; font-weight:700; text-transform:uppercase; letter-spacing:.05em; padding:2px 9px; border-radius:999px; vertical-align:middle; }
.chip.pass { background:#dcf5e6; color:#116b37; } .chip.fail { background:#fde2df; color:#a3281c; } .chip.skipped { background:#eceff4; color:#5b6577; }
.chip.inconclusive { background:#fff1c2; color:#7a4b00; border:1px dashed #b7791f; }
table.evidence { border-collapse:collapse; margin:.4rem 0 1rem; font-size:.9rem; } table.evidence td, table.evidence th { padding:.2rem .6rem; text-align:left; border-bottom:1px solid #e4e7ec; }
.zero { color:var(--ok); font-weight:700; } .bad { color:var(--bad); font-weight:700; }
.howto { color:var(--muted); font-size:13px; margin:14px 4px 26px; }
section.scenario { background:#fff; border-radius:14px; padding:20px 24px; margin:0 0 22px; box-shadow:0 1px 3px rgba(20,30,50,.08); border-left:6px solid var(--ok); }
section.scenario.fail { border-left-color:var(--bad); } section.scenario.skipped { border-left-color:#b8c0cc; }
section.scenario.inconclusive { border-left-color:#b7791f; border-left-style:dashed; }
.checks li.no.evidence .mark { color:#b7791f; }
section h2 { margin:0 0 2px; font-size:20px; } section h3 { font-size:13px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); margin:16px 0 8px; }
.summary { color:var(--muted); margin:0 0 14px; }
.figures { display:grid; grid-template-columns:repeat(4,1fr); gap:12px; margin-bottom:12px; }
.figures > div { background:#fafbfd; border:1px solid var(--line); border-radius:10px; padding:10px 12px; color:var(--muted); font-size:13px; }
.big { display:block; font-size:24px; font-weight:700; color:var(--ink); font-variant-numeric:tabular-nums; }
figure { margin:6px 0 0; }
svg.timeline { width:100%; height:auto; display:block; }
svg .fault { fill:var(--fault); opacity:.22; } svg .fault-label { fill:#9a5b00; font-size:11px; font-weight:600; }
svg .ok { fill:#7c93b8; } svg .failed { fill:var(--bad); }
svg .grid { stroke:var(--line); } svg .baseline { stroke:#9aa4b5; }
svg .axis { fill:var(--muted); font-size:11px; } svg .axis-title { fill:var(--muted); font-size:11px; }
svg .latency { fill:none; stroke:#7c3aed; stroke-width:1.6; stroke-linejoin:round; } svg .latency-axis { fill:#7c3aed; }
svg .marker { stroke:#333; stroke-dasharray:3 3; } svg .marker-label { fill:#333; font-size:11px; }
figcaption { font-size:12px; color:var(--muted); display:flex; gap:14px; align-items:center; flex-wrap:wrap; margin-top:2px; }
.key { display:inline-block; width:12px; height:12px; border-radius:3px; margin-right:-9px; vertical-align:middle; }
.key.ok { background:#7c93b8; } .key.failed { background:var(--bad); } .key.latency { background:#7c3aed; height:3px; } .key.fault { background:var(--fault); opacity:.5; }
.columns { display:grid; grid-template-columns: 1.3fr 1fr; gap:22px; }
ul.checks { list-style:none; padding:0; margin:0; }
ul.checks li { padding:5px 0; border-bottom:1px dashed var(--line); font-size:14px; }
.mark { display:inline-block; width:20px; font-weight:800; } li.ok .mark { color:var(--ok); } li.no .mark { color:var(--bad); }
li.no strong { color:var(--bad); }
.detail { color:var(--muted); font-size:13px; display:block; margin-left:20px; }
.sr { position:absolute; left:-9999px; }
.tiles { display:grid; grid-template-columns:repeat(3,1fr); gap:8px; }
.tile { border-radius:10px; padding:8px 10px; font-size:12px; color:var(--muted); border:1px solid var(--line); }
.tile .n { font-size:22px; font-weight:800; }
.tile.good .n { color:var(--ok); } .tile.bad { background:#fde2df; } .tile.bad .n { color:var(--bad); } .tile.info .n { color:var(--muted); }
.status { display:inline-block; font-size:12px; padding:2px 8px; border-radius:6px; margin:0 4px 4px 0; font-variant-numeric:tabular-nums; }
.status.ok { background:#dcf5e6; color:#116b37; } .status.warn { background:#fff1d6; color:#8a5a00; } .status.bad { background:#fde2df; color:#a3281c; }
.note { white-space:nowrap; }
.reason { background:#fff4e5; border-radius:8px; padding:8px 12px; color:#7a4b00; }
ul.examples { font-size:13px; } code { font-size:12px; background:#f0f2f6; padding:1px 5px; border-radius:4px; }
@media (max-width: 720px) { .figures { grid-template-columns:repeat(2,1fr); } .columns { grid-template-columns:1fr; } .verdicts { font-size:13px; } header { flex-direction:column; align-items:flex-start; } }
`;
