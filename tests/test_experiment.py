"""Experiments: reproducible whatever the workers, resumable after a kill, failures recorded."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from simulation import CustomGraph, Scenario
from simulation.config.files import load_scenario
from simulation.experiments.experiment import ResultStore, Task, run_experiment, run_task

DAYS = 6


def scenarios() -> list[Scenario]:
    return [load_scenario("pyramid"), load_scenario("inverted_pyramid")]


def test_one_and_two_workers_give_byte_identical_tables(tmp_path) -> None:
    one = run_experiment(scenarios(), 3, days=DAYS, out=tmp_path / "one", workers=1)
    two = run_experiment(scenarios(), 3, days=DAYS, out=tmp_path / "two", workers=2)
    for kind in ("runs", "daily", "positions", "flows"):
        a = one.read_runs() if kind == "runs" else one.read_table(kind)
        b = two.read_runs() if kind == "runs" else two.read_table(kind)
        assert len(a)
        pd.testing.assert_frame_equal(a, b)
        assert pd.util.hash_pandas_object(a).equals(pd.util.hash_pandas_object(b))
    runs = one.read_runs()
    assert list(runs.task) == [f"{n}#{r}" for n in ("pyramid", "inverted_pyramid")
                               for r in range(3)]
    assert (runs.status == "ok").all()


def test_a_replication_rerun_alone_gives_the_same_numbers(tmp_path) -> None:
    store = run_experiment(scenarios(), 3, days=DAYS, out=tmp_path, workers=1)
    row = store.read_runs().iloc[4]  # inverted_pyramid, replication 1
    again, _ = run_task(Task(load_scenario(row.scenario), int(row.spawn_key),
                             int(row.seed_entropy), DAYS))
    for key in ("mean_delay", "revenue", "customers_lost", "mean_morale"):
        assert again[key] == row[key]


def test_more_replications_extend_an_experiment(tmp_path) -> None:
    run_experiment(scenarios(), 2, days=DAYS, out=tmp_path, workers=1)
    store = run_experiment(scenarios(), 3, days=DAYS, out=tmp_path, workers=1)
    fresh = run_experiment(scenarios(), 3, days=DAYS, out=tmp_path / "fresh", workers=1)
    pd.testing.assert_frame_equal(store.read_runs(), fresh.read_runs())


def test_a_different_experiment_in_the_same_folder_is_refused(tmp_path) -> None:
    run_experiment(scenarios(), 2, days=DAYS, out=tmp_path, workers=1)
    with pytest.raises(ValueError, match="holds a different experiment: seed 2026 then, 1 now"):
        run_experiment(scenarios(), 2, days=DAYS, seed=1, out=tmp_path, workers=1)


def test_a_failing_run_is_recorded_and_the_rest_go_on(tmp_path) -> None:
    g = nx.DiGraph()
    g.add_node("a", skill=7.0)  # invalid: fails when the model is built
    broken = Scenario(name="broken", design=CustomGraph(graph=g))
    store = run_experiment([scenarios()[0], broken], 2, days=DAYS, out=tmp_path, workers=1)
    runs = store.read_runs()
    assert list(runs.status) == ["ok", "ok", "failed", "failed"]
    assert "skill = 7.0 is not allowed" in runs.error.iloc[2]


SCRIPT = """
import sys
from simulation.experiments.experiment import run_experiment
from simulation.config.files import load_scenario
if __name__ == "__main__":
    run_experiment([load_scenario("pyramid"), load_scenario("inverted_pyramid")], 6,
                   days=int(sys.argv[2]), out=sys.argv[1], workers=1, batch_size=1)
"""


def test_a_killed_experiment_resumes_to_the_same_tables(tmp_path) -> None:
    script = tmp_path / "experiment.py"
    script.write_text(SCRIPT)
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, str(script), str(out), "40"],
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until some, not all, batches are committed
        if (out / "index.jsonl").exists() and len(ResultStore(out).committed() or {}) >= 3:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = ResultStore(out).read_runs()
    assert 3 <= len(partial) < 12
    subprocess.run([sys.executable, str(script), str(out), "40"], check=True)
    subprocess.run([sys.executable, str(script), str(tmp_path / "clean"), "40"], check=True)
    resumed, clean = ResultStore(out), ResultStore(tmp_path / "clean")
    pd.testing.assert_frame_equal(resumed.read_runs(), clean.read_runs())
    for kind in ("daily", "positions", "flows"):
        pd.testing.assert_frame_equal(resumed.read_table(kind), clean.read_table(kind))
    assert resumed.read_runs().task.is_unique and len(resumed.read_runs()) == 12
    assert not list(Path(out).rglob("*.tmp"))


def test_paired_intervals_are_narrower_than_welch_under_common_random_numbers(tmp_path) -> None:
    import numpy as np

    from simulation.experiments.stats import difference, differences

    # against a close variant: designs far apart share fewer draws, and so do runs whose
    # defects are drawn for complaints from the decisions stream (correlation -0.08 with
    # failure demand, 0.86 without; issue 16)
    base = load_scenario("pyramid").with_customers(failure_demand=0.0)
    slower = dataclasses.replace(base, name="slower_managers",
                                 design=dataclasses.replace(base.design, manager_rate=18.0))
    store = run_experiment([base, slower], 10, days=15, out=tmp_path, workers=2)
    runs = store.read_runs()
    a = runs[runs.scenario == "slower_managers"].mean_delay.to_numpy()
    b = runs[runs.scenario == "pyramid"].mean_delay.to_numpy()
    assert np.corrcoef(a, b)[0, 1] > 0.3  # common random numbers correlate the runs
    paired = difference(a, b, paired=True)
    welch = difference(a, b, paired=False)
    assert paired["diff"] == pytest.approx(welch["diff"])
    assert paired["high"] - paired["low"] < welch["high"] - welch["low"]
    table = differences(runs, "pyramid", ["mean_delay", "retention"])
    assert table.paired.all() and set(table.kpi) == {"mean_delay", "retention"}
    assert (table.p_holm >= table.p_value).all()


def test_holm_and_dunnett() -> None:
    import numpy as np

    from simulation.experiments.stats import differences, holm

    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    rng = np.random.default_rng(0)
    runs = pd.DataFrame({
        "scenario": ["base"] * 30 + ["same"] * 30 + ["up"] * 30,
        "replication": list(range(30)) * 3,
        "x": np.concatenate([rng.normal(0, 1, 30), rng.normal(0, 1, 30),
                             rng.normal(1.5, 1, 30)]),
    })
    table = differences(runs, "base", ["x"]).set_index("scenario")
    assert not table.paired.any()  # no seeds recorded: unpaired, Welch
    assert table.loc["up", "p_dunnett"] < 0.001 < table.loc["same", "p_dunnett"]
    assert table.loc["up", "effect_size"] == pytest.approx(1.5, abs=0.5)


def test_the_stopping_rule_stops_and_reuses_earlier_runs(tmp_path) -> None:
    from simulation.experiments.experiment import compare_until

    result, needed = compare_until(scenarios(), 0.1, kpis=("mean_delay",), start=4,
                                   max_runs=40, days=DAYS, out=tmp_path, workers=1)
    assert all(v is not None for v in needed.values())
    n = len(result.runs) // 2
    assert max(needed.values()) + 5 <= n <= 40  # the look-ahead was run too
    assert result.runs.task.is_unique


def test_cli_compare_with_precision(tmp_path, capsys) -> None:
    from simulation.cli.commands import main

    assert main(["compare", "pyramid", "inverted_pyramid", "--days", "5", "--runs", "4",
                 "--precision", "0.1", "--max-runs", "30", "-w", "1", "--quiet",
                 "--out", str(tmp_path)]) == 0
    assert "Stopping rule (relative precision 0.1" in capsys.readouterr().out


def test_a_dask_local_cluster_gives_the_same_tables_as_the_process_pool(tmp_path) -> None:
    import distributed  # part of the test extra: this must run, not skip

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        dask_store = run_experiment(scenarios(), 3, days=DAYS, out=tmp_path / "dask",
                                    executor=client.get_executor())
    pool_store = run_experiment(scenarios(), 3, days=DAYS, out=tmp_path / "pool", workers=2)
    pd.testing.assert_frame_equal(dask_store.read_runs(), pool_store.read_runs())
    pd.testing.assert_frame_equal(dask_store.read_daily(), pool_store.read_daily())


def test_a_folder_of_an_older_result_format_is_refused(tmp_path) -> None:
    import json

    run_experiment(scenarios(), 1, days=2, out=tmp_path, workers=1)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["format"] = 1
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="written in result format 1, this version writes"):
        run_experiment(scenarios(), 2, days=2, out=tmp_path, workers=1)


def test_only_the_package_command_is_recorded(monkeypatch) -> None:
    from simulation.experiments.experiment import invoking_command

    monkeypatch.setattr(sys, "argv", ["/x/.venv/bin/service-chain", "compare", "a b", "c"])
    assert invoking_command() == "service-chain compare 'a b' c"
    monkeypatch.setattr(sys, "argv", ["/x/simulation/__main__.py", "demo"])
    assert invoking_command() == "python -m simulation demo"
    monkeypatch.setattr(sys, "argv", ["/x/ipykernel_launcher.py", "-f", "k.json"])
    assert invoking_command() == ""
