"""A 19-person firm from an HR export: its own ids and names in every table, its departments and
reporting lines drawn, each person labelled by their own role, and the same model built by a
worker after the files have moved."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pandas as pd

from simulation import OrgModel, compare
from simulation.cli.commands import main
from simulation.config.files import load_scenario
from simulation.config.scenario import People
from simulation.experiments.inputs import with_file_contents
from simulation.report import plots

FOLDER = Path(__file__).parent / "data" / "hr_export"
CHART = pd.read_csv(FOLDER / "org_chart.csv", dtype=str)


def test_hr_ids_and_names_are_kept_in_every_table(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(FOLDER / "hr_export.toml"), "--days", "120", "-o", "out"]) == 0
    capsys.readouterr()
    people = pd.read_csv("out/employees.csv", dtype={"position_id": str})
    assert set(CHART.employee_id) <= set(people.position_id)
    first = people.drop_duplicates("position_id").set_index("position_id")
    assert first.loc["1012", "name"] == "Lena Fischer"
    assert first.loc["1012", "role"] == "Accountant"
    blame = pd.read_csv("out/attribution.csv", dtype={"position_id": str})
    assert {"name", "position_id", "role", "department"} <= set(blame.columns)
    named = blame[blame.employee_id != "vacant posts"]
    assert set(named.position_id) <= set(CHART.employee_id)


def test_new_hires_are_named_after_their_post():
    scenario = load_scenario(FOLDER / "hr_export.toml")
    scenario = scenario.__class__(**{**scenario.__dict__,
                                     "people": People(quit_rate_per_month=0.5)})
    model = OrgModel(scenario, rng=4)
    model.run(60)
    people = model.employee_summary()
    hires = people[people.name.str.contains(r"\(hire \d+\)")]
    assert len(hires) > 0
    for row in hires.itertuples():
        original = CHART.set_index("employee_id").loc[row.position_id, "name"]
        assert row.name.startswith(original)


def test_the_drawing_labels_roles_groups_departments_and_draws_reporting_lines():
    result = compare([load_scenario(FOLDER / "hr_export.toml")], runs=2, days=20, workers=1)
    structure = result.structure["hr_export"]
    nodes = pd.DataFrame(structure["nodes"])
    assert list(nodes.position_id) == sorted(CHART.employee_id)
    fig = plots.organization(structure, plots.position_means(result.positions, "hr_export"))
    people = next(t for t in fig.data if t.name == "employees")
    roles = dict(zip(CHART.employee_id, CHART.role, strict=True))
    assert list(people.text) == [roles[i] for i in nodes.position_id]  # own role, not a level's
    lines = next(t for t in fig.data if t.name == "reports to")
    assert lines.x.count(None) == 18  # everyone but the managing director reports to someone
    named = {a.text.strip("<i>/") for a in fig.layout.annotations}
    assert {"management", "service", "finance", "operations"} <= named
    assert len(fig.layout.shapes) >= 4  # a band per department and level
    bars = plots.attribution(result.positions, result.structure)
    assert "by department" in [b.label for b in bars.layout.updatemenus[0].buttons]


def test_a_worker_builds_the_same_model_after_the_files_have_moved(tmp_path):
    for name in ("hr_export.toml", "org_chart.csv", "internal_customers.csv"):
        shutil.copy(FOLDER / name, tmp_path / name)
    scenario = with_file_contents(load_scenario(tmp_path / "hr_export.toml"))
    before = OrgModel(scenario, rng=7)
    before.run(30)
    task = pickle.dumps(scenario)  # what an executor sends to a worker
    for name in ("org_chart.csv", "internal_customers.csv"):
        (tmp_path / name).rename(tmp_path / f"moved_{name}")
    after = OrgModel(pickle.loads(task), rng=7)
    after.run(30)
    assert after.employee_summary().equals(before.employee_summary())
    assert after.kpis() == before.kpis()
