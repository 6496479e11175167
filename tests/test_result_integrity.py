"""A result folder holds exactly the runs of one experiment (issue 18, first part).

The experiment is identified by content (settings, files' contents, code), not by spelling; the
stored baseline is the baseline of every table; one writer at a time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli.commands import main
from simulation.config.files import load_scenario
from simulation.experiments import experiment
from simulation.experiments.experiment import run_experiment
from simulation.experiments.store import (
    ExperimentMismatchError,
    FolderBusyError,
    ResultStore,
    code_identity,
)

EXAMPLES = Path(__file__).parent.parent / "scenarios" / "examples"
DAYS = 3


@pytest.fixture
def company(tmp_path: Path) -> Path:
    """A copy of the example company (scenario, org chart, internal-customer map)."""
    folder = tmp_path / "company"
    folder.mkdir()
    for name in ("my_company.toml", "org_chart.csv", "internal_customers.csv"):
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


def _runs(out: Path) -> int:
    return len(ResultStore(out).read_runs())


def test_an_org_chart_changed_between_resumes_is_refused(company: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_experiment([load_scenario(company / "my_company.toml")], 1, days=DAYS, out=out,
                   workers=1)
    chart = company / "org_chart.csv"
    rows = chart.read_text().splitlines()
    chart.write_text("\n".join([*rows, rows[-1].replace(rows[-1].split(",")[0], "9999", 1)])
                     + "\n")
    with pytest.raises(ExperimentMismatchError,
                       match="'my_company': the contents of its org chart file changed"):
        run_experiment([load_scenario(company / "my_company.toml")], 2, days=DAYS, out=out,
                       workers=1)
    assert _runs(out) == 1  # nothing added, nothing mixed


def test_a_file_spelt_two_ways_is_one_experiment(company: Path, tmp_path: Path,
                                                  monkeypatch) -> None:
    out = tmp_path / "out"
    monkeypatch.chdir(company)
    run_experiment([load_scenario("my_company.toml")], 1, days=DAYS, out=out, workers=1)
    run_experiment([load_scenario(str(company / "my_company.toml"))], 2, days=DAYS, out=out,
                   workers=1)
    assert _runs(out) == 2


def test_a_change_of_the_model_s_code_is_refused(tmp_path: Path, monkeypatch) -> None:
    scenario = load_scenario("flat_team")
    run_experiment([scenario], 1, days=DAYS, out=tmp_path, workers=1)
    monkeypatch.setattr(experiment, "code_identity",
                        lambda: {**code_identity(), "source": "0" * 64})
    with pytest.raises(ExperimentMismatchError, match="the model's code changed"):
        run_experiment([scenario], 2, days=DAYS, out=tmp_path, workers=1)


def test_the_code_identity_covers_the_layers_that_make_results() -> None:
    from simulation.experiments.store import RESULT_LAYERS

    code = code_identity()
    assert len(code["source"]) == 64 and code["version"]
    assert {"compiled", "model", "agents", "chain"} <= set(RESULT_LAYERS)
    assert "report" not in RESULT_LAYERS and "cli" not in RESULT_LAYERS


def test_swapped_order_resumes_with_one_baseline_everywhere(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    common = ["--runs", "2", "--days", str(DAYS), "-w", "1", "-q", "--out", str(out)]
    assert main(["compare", "flat_team", "silos", *common]) == 0
    capsys.readouterr()
    assert main(["compare", "silos", "flat_team", *common[:1], "3", *common[2:]]) == 0
    captured = capsys.readouterr()
    assert "flat_team first; it stays the baseline" in captured.err
    differences = pd.read_csv(out / "differences.csv")
    assert set(differences.baseline) == {"flat_team"} and set(differences.scenario) == {"silos"}
    assert "silos against flat_team, paired over 3 runs" in (out / "summary.txt").read_text()
    assert _runs(out) == 6


HOLD = """
import sys, time
from simulation.experiments.store import ResultStore
with ResultStore(sys.argv[1]).writing():
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_writer_is_refused_and_nothing_is_lost(tmp_path: Path, capsys) -> None:
    scenario = load_scenario("flat_team")
    run_experiment([scenario], 1, days=DAYS, out=tmp_path, workers=1)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for _ in range(10):
            with pytest.raises(FolderBusyError, match=f"process {holder.pid} on "):
                run_experiment([scenario], 3, days=DAYS, out=tmp_path, workers=1)
        assert main(["replicate", "flat_team", "--runs", "3", "--days", str(DAYS), "-w", "1",
                     "-q", "--out", str(tmp_path)]) == 2  # the command line: a message
        assert _runs(tmp_path) == 1
    finally:
        holder.kill()
        holder.wait()
    assert "another run is writing to this folder" in capsys.readouterr().err
    time.sleep(0.1)  # the lock goes with the killed process
    run_experiment([scenario], 3, days=DAYS, out=tmp_path, workers=1)
    assert _runs(tmp_path) == 3


def test_a_failed_replication_is_retried_and_the_others_are_compared(tmp_path: Path,
                                                                     monkeypatch) -> None:
    from simulation.cli.tables import comparison_table
    from simulation.experiments.results import ExperimentResult
    from simulation.model.orgmodel import OrgModel

    scenarios = [load_scenario("flat_team"), load_scenario("silos")]
    real_run = OrgModel.run

    def flaky(self, days=None):
        if self.scenario.name == "silos" and self.spawn_key == (1,):
            raise RuntimeError("disk on fire")
        return real_run(self, days)

    monkeypatch.setattr(OrgModel, "run", flaky)
    run_experiment(scenarios, 3, days=DAYS, out=tmp_path, workers=1)
    result = ExperimentResult.open(tmp_path)
    assert result.failures.task.tolist() == ["silos#1"]
    assert "disk on fire" in result.failures.error.iloc[0]
    diff = result.differences()
    assert diff.paired.all() and set(diff.n) == {2}  # paired over the two that both finished
    ok = result.runs[result.runs.status == "ok"]
    _, headlines = comparison_table(ok, "flat_team")
    assert "paired over 2 runs" in headlines[0]
    monkeypatch.setattr(OrgModel, "run", real_run)
    run_experiment(scenarios, 3, days=DAYS, out=tmp_path, workers=1)  # the resume retries it
    result = ExperimentResult.open(tmp_path)
    assert result.failures.empty and len(result.runs) == 6
    assert set(result.differences().n) == {3}
