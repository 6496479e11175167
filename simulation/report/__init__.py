"""Layer 8, the report: plotly figures from result tables, and the one-file HTML report."""

from __future__ import annotations

from typing import Any

__all__ = ["write_report"]


def __getattr__(name: str) -> Any:
    if name == "write_report":  # loaded on use: ``simulation.report.plots`` stays light
        from simulation.report.html import write_report

        return write_report
    raise AttributeError(f"module 'simulation.report' has no attribute {name!r}")
