"""The page every report shares: its style sheet, escaping, number formats and provenance.

plotly.js is embedded once; the file needs no server and no internet and opens from an e-mail
attachment. Every piece of text from a user's file is escaped (:func:`esc`).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from simulation.core.kpis import kpi
from simulation.core.text import visible
from simulation.experiments.store import ResultStore
from simulation.report.style import narrow as small

CSS = """
:root { --ink:#1d2430; --muted:#5b6573; --line:#e3e6ea; --bg:#f7f8fa;
        --better:#0072B2; --worse:#D55E00; --none:#6b7280; }
* { box-sizing:border-box; }
html { -webkit-text-size-adjust:100%; }
body { margin:0; font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;
       color:var(--ink); background:var(--bg); line-height:1.45; overflow-wrap:anywhere; }
main { max-width:1220px; margin:0 auto; padding:24px 28px 60px; }
h1 { font-size:26px; margin:0 0 4px; } h2 { font-size:19px; margin:34px 0 10px; }
.sub { color:var(--muted); margin:0 0 18px; }
.answer { background:#fff; border-left:6px solid var(--better); padding:14px 18px; margin:14px 0;
          border-radius:4px; box-shadow:0 1px 2px rgba(0,0,0,.06); }
.answer.mixed { border-left-color:var(--none); }
.answer.worse { border-left-color:var(--worse); }
.answer p { margin:4px 0; }
.answer p.verdict { font-size:19px; font-weight:600; }
.answer p.sure, .answer p.flip { font-size:15px; }
.headline { background:#fff; border-left:6px solid #0072B2; padding:14px 18px; margin:14px 0;
            font-size:17px; border-radius:4px; box-shadow:0 1px 2px rgba(0,0,0,.06); }
.headline.warn { border-left-color:#D55E00; }
.note { color:var(--muted); font-size:13px; }
.tiles { display:grid; grid-template-columns:repeat(auto-fill,minmax(170px,1fr)); gap:10px;
         margin:12px 0; }
.tile { background:#fff; border-radius:6px; padding:10px 12px; border-top:5px solid var(--t);
        box-shadow:0 1px 2px rgba(0,0,0,.08); }
.tile.better { --t:var(--better); } .tile.worse { --t:var(--worse); }
.tile.none { --t:var(--none); }
.tile .name { font-size:13px; color:var(--muted); margin:0; }
.tile .big { font-size:26px; font-weight:700; margin:2px 0; font-variant-numeric:tabular-nums; }
.tile.better .big, .tile.better .word { color:var(--better); }
.tile.worse .big, .tile.worse .word { color:var(--worse); }
.tile .word { font-size:13px; font-weight:600; margin:0; color:var(--none); }
.tile .from { font-size:12.5px; color:var(--muted); margin:4px 0 0;
              font-variant-numeric:tabular-nums; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(270px,1fr)); gap:14px; }
.card { background:#fff; border-radius:6px; padding:12px 16px;
        box-shadow:0 1px 2px rgba(0,0,0,.08); border-top:5px solid var(--c); }
.card h3 { margin:0 0 2px; font-size:16px; overflow-wrap:anywhere; }
.card p.desc { margin:0 0 8px; color:var(--muted); font-size:12.5px; }
.card table { width:100%; border-collapse:collapse; font-size:13px; }
.card td { padding:3px 0; border-top:1px solid var(--line); vertical-align:top; }
.card td.v { text-align:right; white-space:nowrap; font-variant-numeric:tabular-nums; }
.card span.ci { color:var(--muted); font-size:11.5px; display:block; }
.figure { background:#fff; border-radius:6px; margin:12px 0; padding:6px; max-width:100%;
          box-shadow:0 1px 2px rgba(0,0,0,.08); min-height:200px; overflow:hidden; }
.figure img.paper { display:none; }
.figure .nojs { padding:12px; color:var(--muted); }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit,minmax(min(560px,100%),1fr));
         gap:12px; }
details { background:#fff; border-radius:6px; padding:10px 16px; margin:12px 0; }
summary { cursor:pointer; font-weight:600; }
code, pre { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; }
pre { background:var(--bg); padding:10px; overflow-x:auto; white-space:pre-wrap; }
.scroll { overflow-x:auto; max-width:100%; }
table.prov td { padding:2px 10px 2px 0; vertical-align:top; }
table.data { border-collapse:collapse; font-size:13px; background:#fff; }
table.data th, table.data td { padding:3px 8px; border-bottom:1px solid var(--line);
                               text-align:right; font-variant-numeric:tabular-nums; }
table.data th:first-child, table.data td:first-child { text-align:left; }
@media (max-width:640px) {
  main { padding:14px 12px 40px; }
  h1 { font-size:21px; } h2 { font-size:17px; }
  .answer p.verdict { font-size:17px; }
  .tiles { grid-template-columns:repeat(2,minmax(0,1fr)); }
  .tile .big { font-size:21px; }
  .cards { grid-template-columns:minmax(0,1fr); }
  .figure { padding:2px; }
  .modebar-container { display:none !important; }
}
@media print {
  @page { margin:12mm; }
  body { background:#fff; font-size:11pt; }
  main { max-width:none; padding:0; }
  h2 { break-before:page; break-after:avoid; }
  .first h2, h2.keep { break-before:auto; }
  .answer, .tile, .card, .figure, table, details { break-inside:avoid; box-shadow:none; }
  .figure { height:auto !important; min-height:0; border:1px solid var(--line); }
  .figure.on-paper > .plot-container { display:none; }
  .figure.on-paper img.paper { display:block; width:100%; height:auto; max-height:235mm;
                               object-fit:contain; }
  .modebar-container, .updatemenu-container, button, summary { display:none !important; }
  details { display:block; }
  a { color:inherit; text-decoration:none; }
}
"""

#: Below this width (CSS pixels) a figure is drawn in its narrow form, without the modebar.
NARROW = 640

#: The figures' script: draws every figure (its narrow form on a small screen, redrawn when the
#: width crosses :data:`NARROW`), then keeps an SVG copy of each for paper.
SCRIPT = """
const CONFIG = {responsive: false, displaylogo: false,
                modeBarButtonsToRemove: ['sendDataToCloud']};
window.figuresRendered = 0;
window.paperReady = false;
// One thing at a time: drawing, the copies for paper and resizing never overlap.
let queue = Promise.resolve();
function later(task) { queue = queue.then(task).catch(e => console.error(e)); return queue; }
function narrow() { return window.innerWidth < %(narrow)d; }
function spec(item) {
  if (!(narrow() && item.narrow)) return item.wide;
  return {data: item.narrow.data || item.wide.data, layout: item.narrow.layout};
}
function draw(item) {
  const el = document.getElementById(item.id);
  const fig = spec(item);
  const config = Object.assign({}, CONFIG, {displayModeBar: narrow() ? false : 'hover'});
  item.form = narrow() && item.narrow ? 'narrow' : 'wide';
  el.style.height = ((fig.layout.height || 450) + 12) + 'px';
  Plotly.purge(el);  // a fresh drawing: react keeps margins pushed by the other form
  return Plotly.newPlot(el, fig.data, fig.layout, config);
}
async function paper(item) {
  const el = document.getElementById(item.id);
  const fig = item.wide;
  const width = fig.layout.width || 1160, height = fig.layout.height || 450;
  const url = await Plotly.toImage({data: fig.data, layout: Object.assign({}, fig.layout,
    {width: width, height: height, updatemenus: []})}, {format: 'svg', width: width,
    height: height});
  let img = el.querySelector('img.paper');
  if (!img) { img = document.createElement('img'); img.className = 'paper';
              img.alt = item.title; el.appendChild(img); }
  img.src = url;
  el.classList.add('on-paper');
}
function start() {
  window.plotlyStarted = performance.now();
  for (const item of FIGURES) {
    later(async () => {
      await draw(item);
      document.getElementById(item.id).dataset.rendered = '1'; window.figuresRendered += 1;
    });
  }
  for (const item of FIGURES) later(() => paper(item));
  later(() => { window.paperReady = true; });
}
let wasNarrow = null, pending = null;
window.addEventListener('resize', () => {
  clearTimeout(pending);
  pending = setTimeout(() => {
    const now = narrow(), changed = wasNarrow !== null && wasNarrow !== now;
    wasNarrow = now;
    for (const item of FIGURES) {
      later(() => changed && item.narrow ? draw(item)
            : Plotly.Plots.resize(document.getElementById(item.id)));
    }
  }, 120);
});
function load() {
  wasNarrow = narrow();
  const s = document.createElement('script');
  s.textContent = document.getElementById('plotly-js').textContent;
  document.head.appendChild(s);
  start();
}
// On paper every closed block opens (the tables of "Every difference" print), then closes.
function opened(on) {
  for (const d of document.querySelectorAll(on ? 'details:not([open])' : 'details[data-shut]')) {
    if (on) { d.dataset.shut = '1'; d.open = true; } else { d.open = false; delete d.dataset.shut; }
  }
}
window.addEventListener('beforeprint', () => opened(true));
window.addEventListener('afterprint', () => opened(false));
matchMedia('print').addEventListener('change', e => opened(e.matches));
// Paint the words first: plotly is read from an inert block after the first frame.
requestAnimationFrame(() => setTimeout(load, 0));
"""


def esc(value: object) -> str:
    """User text made safe for HTML (escaped, invisible characters shown)."""
    return html.escape(visible(str(value)), quote=True)


def fmt(value: float, key: str) -> str:
    """A KPI value in the unit its label says (a share in %), to three significant digits."""
    meta = kpi(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    v = value * meta.scale
    if abs(v) >= 1000:
        out = f"{v:,.0f}"
    elif abs(v) >= 10:
        out = f"{v:.1f}"
    else:
        out = f"{v:.3g}"
    return out + ("%" if meta.unit == "%" else "")


def compact(value: float) -> str:
    """A number for a tile: 3 significant digits with k or M (3,950,000 as 3.95 M)."""
    if value is None or math.isnan(value):
        return "n/a"
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def pct(x: float) -> str:
    """A relative change as a signed percentage (one decimal below 10%)."""
    return "n/a" if math.isnan(x) else f"{x * 100:+.0f}%" if abs(x) >= 0.1 else f"{x * 100:+.1f}%"


def title_of(fig: go.Figure) -> str:
    """A figure's title as plain text (its markup removed)."""
    raw = fig.layout.title.text or "figure"
    return re.sub(r"<[^>]+>", " ", html.unescape(raw)).strip()


def script_json(value: object) -> str:
    """JSON safe inside a ``<script>`` block: no text in it can close the block."""
    text = json.dumps(value, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Page:
    """Collects sections and figures; figures become divs that one script draws.

    The words come first and paint before plotly.js is read (it sits in an inert block that the
    script runs after the first frame); each figure has a note for readers without JavaScript
    and an SVG copy for paper.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.figures: list[tuple[go.Figure, go.Figure | None]] = []
        #: ``<meta name="service-chain:KEY">`` of the page: what it was made from.
        self.meta: dict[str, str] = {}

    def add(self, markup: str) -> None:
        """Append a piece of HTML."""
        self.parts.append(markup)

    def figure(self, fig: go.Figure, narrow: go.Figure | None = None,
               data: str = "") -> str:
        """A figure's place on the page (HTML); ``narrow`` is its form for small screens.

        Args:
            fig: The figure.
            narrow: The same figure laid out for a screen under :data:`NARROW` pixels.
            data: Where its numbers are, for the note shown without JavaScript.
        """
        self.figures.append((fig, small(narrow if narrow is not None else fig)))
        height = int(fig.layout.height or 450)
        where = f" Its numbers are in {data}." if data else ""
        return (f'<div class="figure" id="figure-{len(self.figures)}" '
                f'style="height:{height + 12}px"><noscript><p class="nojs">The figure '
                f'"{esc(title_of(fig))}" needs JavaScript, which is off in this viewer; the '
                f'words and numbers around it do not.{esc(where)}</p></noscript></div>')

    def render(self, title: str) -> str:
        """The whole page (HTML)."""
        from simulation.report.bundle import plotly_js

        items, templates = [], []
        for i, (fig, narrow) in enumerate(self.figures, start=1):
            wide = json.loads(fig.to_json())
            small = json.loads(narrow.to_json()) if narrow is not None else None
            if small is not None and small["data"] == wide["data"]:
                small = {"layout": small["layout"]}  # the data once: the page's weight
            for form in (wide, small):  # the template once (8 kB a figure otherwise)
                if form is not None and "template" in form["layout"]:
                    template = form["layout"].pop("template")
                    if template not in templates:
                        templates.append(template)
                    form["layout"]["template"] = templates.index(template)
            items.append(script_json({"id": f"figure-{i}", "title": title_of(fig),
                                      "wide": wide, "narrow": small}))
        script = ("const TEMPLATES = " + script_json(templates) + ";\n"
                  "const FIGURES = [" + ",\n".join(items) + "];\n"
                  "for (const f of FIGURES) for (const form of [f.wide, f.narrow])\n"
                  "  if (form && typeof form.layout.template === 'number')\n"
                  "    form.layout.template = TEMPLATES[form.layout.template];\n"
                  + SCRIPT % {"narrow": NARROW})
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            + "".join(f'<meta name="service-chain:{esc(k)}" content="{esc(v)}">\n'
                      for k, v in self.meta.items())
            + f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(self.parts)
            + "\n</main>\n<script type=\"text/plain\" id=\"plotly-js\">"
            + plotly_js() + f"</script>\n<script>\n{script}</script>\n</body>\n</html>\n")


def experiment_of(folder: Path) -> str:
    """Which experiment a folder holds, wherever it was moved: its manifest's creation time."""
    try:
        return str(ResultStore(Path(folder)).read_manifest().get("created", ""))
    except (OSError, ValueError):
        return ""


def fingerprint(folder: Path) -> str:
    """What a report was made from: the folder's manifest and commit log, hashed (hex)."""
    h = hashlib.sha256()
    for name in ("manifest.json", "index.jsonl", "sweep.json", "map.json"):
        path = Path(folder) / name
        if path.exists():
            h.update(name.encode() + b"\0" + path.read_bytes())
    for sub in ("map",):
        if (Path(folder) / sub / "index.jsonl").exists():
            h.update((Path(folder) / sub / "index.jsonl").read_bytes())
    return h.hexdigest()


def provenance(manifest: dict, extra: Sequence[tuple[str, str]] = (),
               scenarios: dict[str, str] | None = None, folder: Path | None = None) -> str:
    """Where the numbers come from: command, seed, model version and the inputs' checksums.

    Args:
        manifest: The folder's manifest.
        extra: More rows (label, HTML).
        scenarios: Name to source, when not the manifest's own.
        folder: The results folder, for its fingerprint.
    """
    from simulation import __version__

    code = manifest.get("code") or {}
    rows = [("command", f"<code>{esc(manifest.get('command') or '(from Python)')}</code>"),
            ("seed", esc(manifest.get("seed"))), ("days per run", esc(manifest.get("days"))),
            ("replications", esc(manifest.get("replications"))), *extra,
            ("created", esc(manifest.get("created", ""))),
            ("model version", esc(code.get("version", "not recorded"))
             + (f" <span class=\"note\">(model source sha256 <code>"
                f"{esc(code['source'][:16])}</code>)</span>" if code.get("source") else "")),
            ("report written by", f"service-chain {esc(__version__)}")]
    listed = manifest.get("scenarios", {})
    if scenarios is None:
        scenarios = {name: info.get("source", "") for name, info in listed.items()}
    for name, source in scenarios.items():
        identity = (listed.get(name) or {}).get("identity", {}) if isinstance(
            listed, dict) else {}
        sums = []
        if identity.get("settings"):
            sums.append(f"settings sha256 <code>{esc(identity['settings'][:16])}</code>")
        for file, digest in sorted((identity.get("files") or {}).items()):
            sums.append(f"<code>{esc(file)}</code> sha256 <code>{esc(str(digest)[:16])}</code>")
        rows.append((f"scenario {esc(name)}",
                     f"<code>{esc(source or '(built in Python)')}</code>"
                     + (f" <span class=\"note\">{'; '.join(sums)}</span>" if sums else "")))
    if folder is not None:
        rows.append(("results fingerprint",
                     f"<code>{fingerprint(folder)[:16]}</code> <span class=\"note\">(manifest "
                     "and commit log; a report of a changed folder shows another)</span>"))
    body = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
    return f"<div class=\"scroll\"><table class=\"prov\">{body}</table></div>"


def made_from(page: Page, folder: Path, runs: pd.DataFrame) -> None:
    """Record in the page what it was made from: the folder's fingerprint and its run count."""
    ok = int((runs.status == "ok").sum()) if "status" in runs else len(runs)
    page.meta.update({"fingerprint": fingerprint(folder), "runs": str(ok),
                      "experiment": experiment_of(folder)})


def recorded(text: str) -> dict[str, str]:
    """The ``service-chain:`` meta values of a written report (empty when it has none)."""
    return {k: html.unescape(v) for k, v in re.findall(
        r'<meta name="service-chain:([a-z]+)" content="([^"]*)">', text)}


def incomplete(folder: Path, runs: pd.DataFrame) -> str:
    """A warning banner for a folder with fewer finished runs than asked for (or "")."""
    said = ResultStore(folder).incomplete(runs)
    return f"<div class=\"headline warn\" role=\"alert\"><b>{esc(said)}</b></div>" if said else ""


def run_count(ok: pd.DataFrame, names: Sequence[str]) -> str:
    """The runs in the count the headline and the provenance use: per design, then in all."""
    counts = [int((ok.scenario == n).sum()) for n in names] if len(ok) else [0] * len(names)
    if len(set(counts)) == 1:
        each = f"{counts[0]} seeded run{'s' if counts[0] != 1 else ''} of each design"
    else:
        each = "seeded runs: " + ", ".join(f"{c} of {esc(n)}" for n, c in
                                           zip(names, counts, strict=True))
    return f"{each} ({sum(counts)} in all)" if len(names) > 1 else each


