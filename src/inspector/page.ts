/**
 * The inspector's HTML and CSS, kept in a module so that `tsc` carries them
 * into dist/ with the rest (no copy step). The script is the esbuild bundle
 * of ./app.ts, made by `npm run build` (scripts/bundle-ui.ts).
 */
export const INSPECTOR_SCRIPT_PATH = '/inspector.js';

export const INSPECTOR_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>watchwire inspector</title>
<link rel="icon" href="data:,">
<style>
  :root { --bg: #f6f7f9; --panel: #fff; --line: #dde1e7; --ink: #1d2433; --muted: #5b6577; --accent: #2458d6;
          --added: #1d7f45; --modified: #9a6a00; --deleted: #b3261e; --bookmark: #6b4fbb; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
  header { display: flex; align-items: baseline; gap: 16px; padding: 12px 20px; background: #1d2433; color: #fff; }
  header h1 { font-size: 18px; margin: 0; font-weight: 600; }
  header .server { color: #b8c2d6; font-family: ui-monospace, monospace; font-size: 13px; }
  main { padding: 16px 20px; display: grid; gap: 16px; }
  section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
  .controls { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; }
  label { color: var(--muted); }
  input[type=text] { font: 13px ui-monospace, monospace; padding: 5px 8px; border: 1px solid var(--line); border-radius: 5px; width: 280px; }
  select, button { font: inherit; padding: 5px 12px; border-radius: 5px; border: 1px solid var(--line); background: #fff; cursor: pointer; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
  button:disabled { opacity: .5; cursor: default; }
  .watches { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 10px; min-height: 28px; }
  .chip { display: inline-flex; align-items: center; gap: 6px; padding: 3px 6px 3px 10px; border-radius: 14px; background: #e8eefc; font-size: 13px; }
  .chip button { padding: 0 7px; border-radius: 10px; line-height: 18px; }
  .chip .state { color: var(--muted); }
  .counters { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px; }
  .card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fbfcfe; }
  .card h3 { margin: 0 0 2px; font-size: 15px; }
  .card .ct { color: var(--muted); font: 11px ui-monospace, monospace; margin-bottom: 8px; word-break: break-all; }
  .card dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; }
  .card dt { color: var(--muted); }
  .card dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; font-family: ui-monospace, monospace; }
  .empty { color: var(--muted); font-style: italic; }
  h2 { font-size: 14px; margin: 0 0 10px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
  .table-wrap { max-height: 460px; overflow: auto; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { position: sticky; top: 0; background: var(--panel); color: var(--muted); font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; font-family: ui-monospace, monospace; }
  td.type-ADDED { color: var(--added); font-weight: 600; }
  td.type-MODIFIED { color: var(--modified); font-weight: 600; }
  td.type-DELETED { color: var(--deleted); font-weight: 600; }
  td.type-BOOKMARK { color: var(--bookmark); font-weight: 600; }
  #log { font: 12px ui-monospace, monospace; color: var(--muted); margin-top: 8px; min-height: 16px; }
</style>
</head>
<body>
<header><h1>watchwire inspector</h1><span class="server" id="server"></span></header>
<main>
  <section>
    <div class="controls">
      <label for="path">collection</label>
      <input type="text" id="path" value="/api/v1/pods" spellcheck="false">
      <label for="format">format</label>
      <select id="format">
        <option value="negotiate">negotiate</option>
        <option value="protobuf">protobuf</option>
        <option value="cbor">cbor</option>
        <option value="json">json</option>
      </select>
      <button class="primary" id="start">Start watch</button>
      <button id="compare">Compare all formats</button>
      <button id="stop-all">Stop all</button>
      <button id="clear">Clear</button>
    </div>
    <div class="watches" id="watches"><span class="empty">No watch running. Start one, or compare every format on the same stream.</span></div>
    <div id="log"></div>
  </section>
  <section>
    <h2>What the stream costs, per format</h2>
    <div class="counters" id="counters"><span class="empty">Counters appear when a watch starts.</span></div>
  </section>
  <section>
    <h2>Events <span id="event-count"></span></h2>
    <div class="table-wrap">
      <table>
        <thead><tr><th>#</th><th>watch</th><th>type</th><th>kind</th><th>namespace/name</th><th>resourceVersion</th><th>wire bytes</th><th>decode µs</th></tr></thead>
        <tbody id="events"></tbody>
      </table>
    </div>
  </section>
</main>
<script type="module" src="${INSPECTOR_SCRIPT_PATH}"></script>
</body>
</html>
`;
