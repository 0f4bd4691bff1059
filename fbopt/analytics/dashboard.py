"""`fbopt dashboard`: one self-contained HTML page of the run history (plotly.js inlined, so it
works offline), with filters by command and input; `--serve` serves it on localhost and the page
reloads itself when a run is recorded.

Not for the charts themselves (fbopt.analytics.charts).
"""

from __future__ import annotations

import html
import json
import os
import tempfile
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fbopt.analytics import store
from fbopt.analytics.charts import figures

POLL_MS = 2000

_SCRIPT = """
const RUNS = JSON.parse(document.getElementById('fbopt-runs').textContent);
const FIGS = JSON.parse(document.getElementById('fbopt-figures').textContent);
const LIVE = %(live)s;
function chosen(id) { return document.getElementById(id).value; }
function allowed() {
  const cmd = chosen('filter-command'), inp = chosen('filter-input');
  return new Set(RUNS.filter(r => (!cmd || r.command === cmd) && (!inp || r.input === inp))
                     .map(r => r.id));
}
function keep(trace, ok) {
  if (!trace.customdata) return trace;
  const idx = trace.customdata.map((id, i) => ok.has(id) ? i : -1).filter(i => i >= 0);
  const out = Object.assign({}, trace);
  for (const key of ['x', 'y', 'text', 'customdata']) {
    if (Array.isArray(trace[key])) out[key] = idx.map(i => trace[key][i]);
  }
  return out;
}
function draw() {
  const ok = allowed();
  for (const [id, fig] of Object.entries(FIGS)) {
    const layout = JSON.parse(JSON.stringify(fig.layout));
    if (layout.xaxis && layout.xaxis.categoryarray) {
      layout.xaxis.categoryarray = layout.xaxis.categoryarray.filter(
        label => ok.has(Number(label.split(' ')[0].slice(1))));
    }
    Plotly.react('chart-' + id, fig.data.map(t => keep(t, ok)), layout,
                 {displaylogo: false, responsive: true});
  }
  location.hash = new URLSearchParams({command: chosen('filter-command'),
                                       input: chosen('filter-input')}).toString();
}
const given = new URLSearchParams(location.hash.slice(1));
for (const name of ['command', 'input']) {
  const el = document.getElementById('filter-' + name);
  if (given.get(name)) el.value = given.get(name);
  el.addEventListener('change', draw);
}
draw();
if (LIVE) {
  const version = document.body.dataset.version;
  setInterval(async () => {
    try {
      const now = await (await fetch('/version', {cache: 'no-store'})).text();
      if (now !== version) location.reload();
    } catch (e) { /* the server stopped: keep the page as it is */ }
  }, %(poll)d);
}
"""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 24px 24px; color: #222; background: #fafafa; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 24px; }
.kpi { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0 16px; }
.kpi div { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; }
.kpi b { display: block; font-size: 20px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; }
h2 { font-size: 15px; margin: 4px 0; }
label { margin-right: 12px; }
.latest { background: #fff4f4; border: 1px solid #f0c8c8; border-radius: 6px; padding: 6px 14px;
          margin-bottom: 16px; font-size: 14px; }
.latest ul { margin: 4px 0; padding-left: 18px; }
"""


def load_rows(limit: int | None = None) -> list[dict[str, Any]]:
    """History rows, oldest first (the charts' time order)."""
    db = store.connect()
    try:
        return list(reversed(store.fetch_runs(db, limit=limit)))
    finally:
        db.close()


def history_version() -> str:
    """Changes whenever a run is added or closed: what the served page polls."""
    db = store.connect()
    try:
        store.mark_orphans(db)
        row = db.execute("SELECT COUNT(*), MAX(id), SUM(status = 'running'), "
                         "MAX(finished_at) FROM runs").fetchone()
        return "-".join(str(v) for v in row)
    finally:
        db.close()


def render(rows: list[dict[str, Any]], *, live: bool = False, version: str = "") -> str:
    """The whole page as one HTML string."""
    from plotly.offline import get_plotlyjs

    charts = figures(rows)
    specs = {cid: json.loads(fig.to_json()) for cid, _, fig in charts}
    slim = [{"id": r["id"], "command": r.get("command"), "input": r.get("input") or ""}
            for r in rows]
    sections = "\n".join(f'<section><h2>{html.escape(title)}</h2>'
                         f'<div id="chart-{cid}" class="chart"></div></section>'
                         for cid, title, _ in charts)
    script = _SCRIPT % {"live": "true" if live else "false", "poll": POLL_MS}
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>fbopt dashboard</title>
<style>{_STYLE}</style><script>{get_plotlyjs()}</script></head>
<body data-version="{html.escape(version)}">
<header><h1>fbopt runs</h1>{_filters(rows)}</header>
{_kpis(rows)}
{_latest(rows)}
<div class="grid">{sections}</div>
<script type="application/json" id="fbopt-runs">{_json(slim)}</script>
<script type="application/json" id="fbopt-figures">{_json(specs)}</script>
<script>{script}</script>
</body></html>
"""


def _json(data: Any) -> str:
    # "</" inside a script element would end it early.
    return json.dumps(data, default=str).replace("</", "<\\/")


def _filters(rows: list[dict[str, Any]]) -> str:
    def select(name: str, values: list[str]) -> str:
        options = "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>'
                          for v in values)
        return (f'<label>{name} <select id="filter-{name}"><option value="">all</option>'
                f'{options}</select></label>')

    commands = sorted({str(r.get("command")) for r in rows})
    inputs = sorted({str(r["input"]) for r in rows if r.get("input")})
    return f"<div>{select('command', commands)}{select('input', inputs)}</div>"


def _kpis(rows: list[dict[str, Any]]) -> str:
    done = [r for r in rows if r.get("status") in ("ok", "rows_failed")]
    crashed = sum(r.get("status") == "failed" for r in rows)
    cost = sum(r.get("cost_usd") or 0.0 for r in done)
    posts = sum(r.get("rows_out") or 0 for r in done if r.get("command") == "generate")
    alerts = sum(r.get("alert_count") or 0 for r in rows)
    last = rows[-1]["started_at"][:16].replace("T", " ") if rows else "never"
    items = [("runs", f"{len(rows)}"), ("crashed", f"{crashed}"), ("alerts fired", f"{alerts}"),
             ("posts generated", f"{posts:,}"), ("total cost", f"${cost:,.4f}"),
             ("cost per post", f"${cost / posts:.5f}" if posts else "-"),
             ("last run (UTC)", last)]
    cells = "".join(f"<div><b>{html.escape(v)}</b>{html.escape(k)}</div>" for k, v in items)
    return f'<div class="kpi">{cells}</div>'


def _latest(rows: list[dict[str, Any]], n: int = 6) -> str:
    """The newest alerts and crashes in words: what a screenshot of the charts cannot say."""
    events = []
    for r in reversed(rows):
        when = f"{str(r.get('started_at') or '')[:16].replace('T', ' ')} #{r['id']} {r['command']}"
        if r.get("status") == "failed":
            events.append(f"{when}: crashed: {r.get('error') or 'no error recorded'}")
        events += [f"{when}: {a['kind']}: {a['message']}" for a in r.get("alerts") or []]
        if len(events) >= n:
            break
    if not events:
        return '<p class="latest">No alerts fired and no run crashed.</p>'
    items = "".join(f"<li>{html.escape(e)}</li>" for e in events[:n])
    return f'<div class="latest"><b>Latest alerts and crashes</b><ul>{items}</ul></div>'


def write_dashboard(path: str | Path, limit: int | None = None) -> Path:
    """Write the page to `path` atomically; returns the path."""
    path = Path(path)
    text = render(load_rows(limit), version=history_version())
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                               dir=path.parent if str(path.parent) else ".")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; a page is for others to open too
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class _Handler(BaseHTTPRequestHandler):
    limit: int | None = None

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        route = self.path.split("?", 1)[0]
        if route == "/version":
            self._send(history_version().encode(), "text/plain")
        elif route in ("/", "/index.html"):
            page = render(load_rows(self.limit), live=True, version=history_version())
            self._send(page.encode("utf-8"), "text/html; charset=utf-8")
        else:
            self.send_error(404)

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def serve(port: int = 8050, host: str = "127.0.0.1", limit: int | None = None,
          background: bool = False) -> ThreadingHTTPServer:
    """Serve the live page on host:port (the page polls /version and reloads on a new run).
    `background` returns at once with the server running in a thread."""
    handler = type("Handler", (_Handler,), {"limit": limit})
    server = ThreadingHTTPServer((host, port), handler)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    server.started_at = stamp  # type: ignore[attr-defined]
    if background:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    else:
        server.serve_forever()
    return server
