"""The plotly.js that the HTML report embeds: a vendored bundle of only the traces it draws.

``assets/plotly-report.min.js`` is built by ``tools/build_plotly_bundle.py``; ``assets/
plotly-report.json`` records its plotly.js version, traces, sha256 and size.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import plotly.offline

_ASSETS = resources.files("simulation.report").joinpath("assets")


@cache
def _record() -> dict[str, Any]:
    """The bundle's record, ``assets/plotly-report.json``."""
    return json.loads(_ASSETS.joinpath("plotly-report.json").read_text(encoding="utf-8"))


@cache
def _bundle() -> str:
    """The bundle's text."""
    return _ASSETS.joinpath("plotly-report.min.js").read_text(encoding="utf-8")


#: The plotly trace types (``"scatter"``, ``"bar"``, ...) that the vendored bundle can draw.
BUNDLE_TRACES: frozenset[str] = frozenset(_record()["traces"])


def plotly_js() -> str:
    """The plotly.js source to inline in the report.

    plotly.py's own copy (``plotly.offline.get_plotlyjs()``) has every trace type and weighs
    4.8 MB, more than a report may; the vendored bundle has plotly.js's core and only the report's
    traces (:data:`BUNDLE_TRACES`), at about a third of the size. Figure JSON from plotly.py is
    written for the plotly.js release that plotly.py ships, so the bundle is used only while it is
    that release; after a plotly upgrade, until ``tools/build_plotly_bundle.py`` is run again,
    the report falls back to plotly.py's full copy: correct, but heavy.

    Returns:
        The JavaScript text, which defines the global ``Plotly`` when run as a classic script.
    """
    if _record()["version"] == plotly.offline.get_plotlyjs_version():
        return _bundle()
    return plotly.offline.get_plotlyjs()
