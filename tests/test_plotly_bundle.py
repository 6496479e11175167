"""The vendored plotly.js bundle: its version, its integrity, and that it draws the report's traces.

Run tools/build_plotly_bundle.py to rebuild it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import plotly.graph_objects as go
import plotly.offline
from plotly.basedatatypes import BaseTraceType

import simulation.report
from simulation.report.bundle import BUNDLE_TRACES, plotly_js

REPORT = Path(simulation.report.__file__).parent
ASSETS = REPORT / "assets"
RECORD = json.loads((ASSETS / "plotly-report.json").read_text(encoding="utf-8"))
JS = ASSETS / "plotly-report.min.js"
REBUILD = "run .venv/bin/python tools/build_plotly_bundle.py"

#: One small trace of each type, and an element that shows plotly.js drew it.
SAMPLES = {
    "scatter": (go.Scatter(x=[1, 2, 3], y=[2, 1, 3], mode="lines+markers"),
                ".scatterlayer .trace path.js-line"),
    "bar": (go.Bar(x=["a", "b"], y=[1, 2]), ".barlayer .trace .point path"),
    "box": (go.Box(y=[1, 2, 3, 4, 9]), ".boxlayer .trace path.box"),
    "heatmap": (go.Heatmap(z=[[1, 2], [3, 4]], texttemplate="%{z}"), ".heatmaplayer .hm image"),
    "sankey": (go.Sankey(node={"label": ["a", "b", "c"]},
                         link={"source": [0, 0], "target": [1, 2], "value": [2, 1]}),
               ".sankey .sankey-node rect"),
}


def report_traces() -> set[str]:
    """The trace types the report's modules build (``go.Scatter(`` -> ``scatter``)."""
    names = {name for path in REPORT.glob("*.py")
             for name in re.findall(r"\bgo\.([A-Z]\w*)\(", path.read_text(encoding="utf-8"))}
    traces = {getattr(go, name)().type for name in names
              if issubclass(getattr(go, name), BaseTraceType)}
    assert "scatter" in traces and "Figure" in names  # the pattern still finds them
    return traces


def test_the_bundle_is_the_plotly_js_that_plotly_py_ships() -> None:
    shipped = plotly.offline.get_plotlyjs_version()
    assert RECORD["version"] == shipped, (
        f"the vendored plotly.js bundle is {RECORD['version']} but plotly.py ships {shipped}: "
        f"{REBUILD} (until then the report embeds plotly.py's full 4.8 MB copy)")


def test_the_record_matches_the_bundle() -> None:
    code = JS.read_bytes()
    assert hashlib.sha256(code).hexdigest() == RECORD["sha256"], f"bundle edited by hand? {REBUILD}"
    assert len(code) == RECORD["size"]
    assert code.startswith(f"/*! plotly.js v{RECORD['version']}".encode())
    assert b"MIT License" in code[:2000]
    assert b"</script" not in code.lower() and b"<!--" not in code  # it is inlined in HTML
    assert BUNDLE_TRACES == set(RECORD["traces"])


def test_the_bundle_has_every_trace_the_report_draws() -> None:
    missing = report_traces() - BUNDLE_TRACES
    assert not missing, (f"the report draws {sorted(missing)}, not in the plotly.js bundle: add "
                         f"them to TRACES in tools/build_plotly_bundle.py and {REBUILD}")


def test_plotly_js_is_the_bundle_for_its_version_else_plotly_pys_copy(monkeypatch) -> None:
    monkeypatch.setattr(plotly.offline, "get_plotlyjs_version", lambda: RECORD["version"])
    assert plotly_js() == JS.read_text(encoding="utf-8")
    monkeypatch.setattr(plotly.offline, "get_plotlyjs_version", lambda: "0.0.0-other")
    assert plotly_js() == plotly.offline.get_plotlyjs()


DRAW = """async (figures) => {
  for (const [type, figure] of Object.entries(figures)) {
    const div = document.createElement('div');
    div.id = 'plot-' + type;
    div.style.cssText = 'width:500px;height:350px';
    document.body.appendChild(div);
    await Plotly.newPlot(div, figure.data, figure.layout);
  }
  const css = document.getElementById('plotly.js-style-global');
  return {version: Plotly.version, cssRules: css ? css.sheet.cssRules.length : 0};
}"""


def test_the_bundle_draws_each_trace_in_a_real_browser(chromium, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    types = sorted(report_traces() | BUNDLE_TRACES)
    assert set(types) <= set(SAMPLES), f"add a sample for {set(types) - set(SAMPLES)}"
    figures = {}
    for kind in types:
        figure = go.Figure(SAMPLES[kind][0])
        figure.update_layout(template="plotly_white")  # as the report's figures: every type
        figures[kind] = json.loads(figure.to_json())
    page_file = tmp_path / "bundle.html"
    page_file.write_text("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><script>"
                         + JS.read_text(encoding="utf-8") + "</script></body></html>",
                         encoding="utf-8")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.resolve().as_uri())
        drawn = page.evaluate(DRAW, figures)
        counts = {kind: page.locator(f"#plot-{kind} {SAMPLES[kind][1]}").count()
                  for kind in types}
        browser.close()
    assert errors == []
    assert drawn["version"] == RECORD["version"]
    assert drawn["cssRules"] > 50  # plotly.js's own CSS (modebar, hover, ...) was inserted
    assert all(counts.values()), f"not drawn: {[k for k, n in counts.items() if not n]}"
