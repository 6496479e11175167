"""One rule decides every headline's "better / worse / no clear difference": Holm across what it
shows, and no verdict from fewer than five runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.experiments.stats import MIN_RUNS, verdicts

DIRECTION = {"retention": True, "mean_delay": False, "quality": True, "neutral": None}


def _table(p: list[float], change: list[float], kpis: list[str], n: int = 20) -> pd.DataFrame:
    return pd.DataFrame({"scenario": "b", "kpi": kpis, "relative": change, "p_value": p,
                         "n": n})


def test_holm_across_the_kpis_shown_decides() -> None:
    """Unadjusted, all three would be "better"; Holm keeps only the first (0.03, 0.06, 0.06)."""
    t = verdicts(_table([0.01, 0.04, 0.03], [0.1, 0.1, 0.1],
                        ["retention", "quality", "retention"]), DIRECTION)
    assert t.p_family.tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert t.verdict.tolist() == ["better", "no clear difference", "no clear difference"]


def test_direction_and_kpis_without_one() -> None:
    t = verdicts(_table([0.001, 0.001, 0.001], [-0.2, 0.2, 0.2],
                        ["mean_delay", "mean_delay", "neutral"]), DIRECTION)
    assert t.verdict.tolist() == ["better", "worse", "differs"]  # lower delay is better


def test_fewer_than_five_runs_give_no_verdict_and_leave_the_family() -> None:
    table = _table([0.001, 0.02], [0.3, 0.3], ["retention", "quality"])
    table.loc[0, "n"] = MIN_RUNS - 1
    t = verdicts(table, DIRECTION)
    assert t.verdict[0] == f"no verdict: {MIN_RUNS - 1} runs, fewer than {MIN_RUNS}"
    assert np.isnan(t.p_family[0])
    assert t.verdict[1] == "better"  # a family of one: 0.02 stays 0.02


def test_an_undefined_p_value_is_no_clear_difference() -> None:
    t = verdicts(_table([float("nan")], [0.0], ["retention"]), DIRECTION)
    assert t.verdict.tolist() == ["no clear difference"]


def test_the_command_line_headline_uses_the_rule() -> None:
    from simulation.cli.tables import comparison_table

    rng = np.random.default_rng(0)

    def runs(n: int) -> pd.DataFrame:
        rows = []
        for name, shift in (("a", 0.0), ("b", 0.05)):
            for r in range(n):
                row = {"scenario": name, "replication": r}
                for key in ("retention", "mean_delay", "p95_delay", "mean_quality",
                            "customer_satisfaction", "internal_service", "mean_morale",
                            "turnover_per_month", "revenue"):
                    row[key] = 0.5 + shift * (key == "retention") + 0.01 * rng.standard_normal()
                rows.append(row)
        return pd.DataFrame(rows)

    _, few = comparison_table(runs(4), "a")
    assert "no verdict: 4 runs, fewer than 5" in few[0] and "better" not in few[0]
    _, enough = comparison_table(runs(12), "a")
    assert "customer retention" in enough[0].lower() or "retention" in enough[0].lower()
    assert "better" in enough[0] and "Holm-adjusted across the 5 differences" in enough[0]
