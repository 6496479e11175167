"""What the command line prints: tables of KPIs, comparisons and steady states."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.checks.offered_load import offered_load
from simulation.core.kpis import KPIS
from simulation.experiments.experiment import (
    ExperimentResult,
)
from simulation.experiments.stats import (
    bounded_ci,
    paired_difference,
    rank_difference,
    relative_difference,
    verdicts,
)
from simulation.model.orgmodel import OrgModel

HEADLINE_KPIS = tuple((k.key, k.label, k.unit, k.scale, k.higher_is_better) for k in (
    KPIS[key] for key in ("retention", "mean_delay", "p95_delay", "mean_quality",
                          "customer_satisfaction", "internal_service", "mean_morale",
                          "turnover_per_month", "revenue")))


STEADY_HEADLINE = ("mean_delay", "mean_quality", "internal_service", "mean_morale", "backlog")


HEADLINE_DIFFERENCES = ("retention", "mean_delay", "p95_delay", "mean_morale",
                        "turnover_per_month")


def fmt(x: float, scale: float = 1.0) -> str:
    """A number as a table shows it: three significant digits, thousands separated."""
    v = x * scale
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"


def first_sentence(text: str) -> str:
    """The first sentence, or the first two when the first is only a few words."""
    sentences = " ".join(text.split()).split(". ")
    out = sentences[0]
    if len(out) < 40 and len(sentences) > 1:
        out += ". " + sentences[1]
    return out.rstrip(".") + "." if out else ""


def load_warnings(model: OrgModel) -> list[str]:
    """Positions offered at least 100% of their capacity (traffic equations), by name."""
    s = model.config
    load = offered_load(model.graph, s.customers, s.work.max_depth)
    return [f"warning: {row['name']} ({row.role}) is offered {row.load:.0%} of capacity: the "
            "queue would grow without bound" for _, row in load[load.load >= 1.0].iterrows()]


def causes_text(model: OrgModel) -> str:
    """Why the run's customers waited: days per request delivered, by step (rows) and kind."""
    table = model.causes("step")
    n = model.metrics.external_completed
    table.loc["all steps"] = table.sum(axis=0)
    table = table.loc[table["total"] > 0]  # the steps the organization has
    head = ["", *table.columns]
    rows = [[str(i), *(fmt(v) if v else "-" for v in r)] for i, r in zip(
        table.index, table.to_numpy(), strict=True)]
    widths = [max(len(row[c]) for row in [head, *rows]) for c in range(len(head))]
    lines = ["  ".join(cell.rjust(w) if c else cell.ljust(w)
                       for c, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in [head, *rows]]
    return (f"\nWhy customers waited: days per request delivered ({n:,} requests), by step "
            "of the chain and kind of time\n" + "\n".join(lines))


def comparison_table(results: pd.DataFrame, baseline: str) -> tuple[str, list[str]]:
    """A text table of KPI means with 95% CIs, and headline sentences against the baseline."""
    names = list(dict.fromkeys(results.scenario))
    header = f"{'KPI':<34}" + "".join(f"{n:>36}" for n in names)
    lines = [header, "-" * len(header)]
    for key, label, unit, scale, _ in HEADLINE_KPIS:
        cells = []
        for n in names:
            m, lo, hi = bounded_ci(results.loc[results.scenario == n, key], KPIS[key].bounds)
            cells.append(f"{fmt(m, scale)} " + ("(one run: no interval)" if np.isnan(lo)
                                                and not np.isnan(m)
                                                else f"[{fmt(lo, scale)}, {fmt(hi, scale)}]"))
        lines.append(f"{label + (f' ({unit})' if unit else ''):<34}" + "".join(
            f"{c:>36}" for c in cells))
    base = results[results.scenario == baseline].sort_values("replication")
    rows = []
    for n in names:
        if n == baseline:
            continue
        both = base.merge(results[results.scenario == n], on="replication",
                          suffixes=("", "_other"))
        for key, label, _unit, _scale, _ in HEADLINE_KPIS:
            if key in HEADLINE_DIFFERENCES:  # paired over the runs that succeeded in both
                a, b = both[f"{key}_other"].to_numpy(float), both[key].to_numpy(float)
                d = paired_difference(a, b)
                r = relative_difference(a, b)
                keep = np.isfinite(a - b)
                rows.append({"scenario": n, "kpi": key, "label": label, **r,
                             "p_value": d["p_value"], "n": int(keep.sum()),
                             **rank_difference(a[keep], b[keep], paired=True)})
    judged = verdicts(pd.DataFrame(rows), {k: KPIS[k].higher_is_better for k in KPIS}) \
        if rows else pd.DataFrame()
    headlines = []
    for n in names:
        if n == baseline:
            continue
        parts = [f"  {r.label}: {r.relative * 100:+.1f}% ("
                 + ("no interval from fewer than 2 runs" if np.isnan(r.low) and r.n < 2 else
                    f"95% CI {r.low * 100:+.1f}% to {r.high * 100:+.1f}%, "
                    + ("runs skewed or bimodal: median difference "
                       f"{fmt(r.median_diff, KPIS[r.kpi].scale)}, Wilcoxon p = {r.p_rank:.2g}"
                       if r.test == "rank" else f"paired t p = {r.p_value:.2g}")
                    + f", Holm {r.p_family:.2g}")
                 + f") {r.verdict}"
                 for r in judged[judged.scenario == n].itertuples()]
        pairs = len(set(base.replication) & set(results[results.scenario == n].replication))
        plural = "s" if pairs != 1 else ""
        headlines.append(f"{n} against {baseline}, paired over {pairs} run{plural} (verdicts "
                         f"Holm-adjusted across the {len(judged)} differences shown):\n"
                         + "\n".join(parts))
    return "\n".join(lines), headlines


def pairing_lines(results: pd.DataFrame, baseline: str) -> list[str]:
    """What common random numbers bought, per scenario against the baseline.

    The paired correlation of each headline KPI across replications, and how much smaller the
    difference's variance is than with independent runs.
    """
    from simulation.experiments.stats import differences

    table = differences(results, baseline, list(HEADLINE_DIFFERENCES), bootstrap=False)
    lines: list[str] = []
    if table.empty:  # one scenario: nothing to pair
        return lines
    for name, part in table.groupby("scenario", sort=False):
        if not part.paired.all():
            continue
        cells = [f"  {KPIS[r.kpi].label}: correlation {r.correlation:+.2f}, variance of the "
                 f"difference {r.variance_reduction:.0%} smaller"
                 for r in part.itertuples() if not np.isnan(r.correlation)]
        if cells:
            lines += ["", f"Common random numbers, {name} against {baseline} (paired over the "
                      "same replications; against independent runs):", *cells]
    return lines


def collapse_lines(result: ExperimentResult) -> list[str]:
    """Collapse risk per scenario, and the headline table again over the runs without one.

    The second table keeps the replications in which no scenario collapsed, so that its
    comparisons stay paired.
    """
    risk = result.collapse_risk()
    if not risk.runs.any():
        return []
    cells = [f"{r.scenario} {r.collapsed} of {r.runs} runs ({r.share:.0%}, 95% CI "
             f"{r.low:.0%} to {r.high:.0%})" for r in risk.itertuples()]
    lines = ["Collapse risk (open customer requests still growing over the last quarter of the "
             "run; docs/odd.md): " + "; ".join(cells)]
    if risk.collapsed.any():
        ok = result.runs[result.runs.status == "ok"]
        bad = set(ok.loc[ok.collapsed == 1.0, "replication"])
        kept = ok[~ok.replication.isin(bad)]
        if kept.empty:
            lines.append("Every replication collapsed in at least one scenario.")
        else:
            table, _ = comparison_table(kept, result.scenarios[0])
            lines += ["", f"Over the {kept.replication.nunique()} replications in which no "
                      "scenario collapsed:", table]
    return lines


def steady_state_table(result: ExperimentResult) -> str:
    """Steady-state means after MSER-5 warm-up, with the days removed per KPI."""
    table = result.steady_state(STEADY_HEADLINE)
    names = result.scenarios
    header = f"{'Steady state (after warm-up)':<38}{'warm-up':>9}" + "".join(
        f"{n:>30}" for n in names)
    lines = [header, "-" * len(header)]
    for kpi in STEADY_HEADLINE:
        rows = table[table.kpi == kpi].set_index("scenario")
        first = rows.iloc[0]
        cut = f"{int(first.warmup_days)} d" + ("" if first.settled else "*")
        cells = [f"{fmt(rows.loc[n, 'mean'], 1)} [{fmt(rows.loc[n, 'ci_low'], 1)}, "
                 f"{fmt(rows.loc[n, 'ci_high'], 1)}]" if n in rows.index else "-" for n in names]
        lines.append(f"{kpi:<38}{cut:>9}" + "".join(f"{c:>30}" for c in cells))
    if not table.settled.all():
        lines.append("* not settled: the warm-up cut reached MSER-5's limit (half the run) or the "
                     "series still trends after it (p < 0.01);\n  the run has no steady state "
                     "yet: run longer, or read the run's KPIs above")
    return "\n".join(lines)
