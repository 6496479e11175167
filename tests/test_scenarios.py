"""Scenario files, your own organization from CSV, and their errors."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from simulation import InvertedPyramid, OrgModel, Pyramid, Scenario
from simulation.checks.offered_load import offered_load
from simulation.cli.commands import main
from simulation.config.files import (
    ScenarioError,
    bundled,
    json_schema,
    load_scenario,
    render_docs,
)
from simulation.config.orgdata import OrgChart, Teams, parse_how_often

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "examples" / "my_company.toml"
REQUIRED = {"pyramid", "inverted_pyramid", "two_way_street", "flat_team", "silos", "payroll",
            "restaurant", "insurance_claims", "it_helpdesk", "hr"}


def test_the_required_scenarios_are_bundled() -> None:
    assert set(bundled()) >= REQUIRED


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_bundled_scenario_loads_passes_the_load_check_and_runs(name) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert len(scenario.description) > 80  # a real explanation, not a label
    model = OrgModel(scenario, rng=1)
    load = offered_load(model.graph, scenario.customers, scenario.work.max_depth)
    assert load.load.max() < 1.0
    model.run_for(5)
    assert model.kpis()["external_completed"] > 0


def test_bundled_files_match_the_published_json_schema() -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in [*bundled().values(), EXAMPLE]:
        jsonschema.validate(tomllib.loads(path.read_text()), schema)


def test_the_scenario_docs_are_generated_from_the_schema_and_up_to_date() -> None:
    assert (ROOT / "scenarios" / "README.md").read_text() == render_docs(), (
        "regenerate with: service-chain schema --docs -o scenarios/README.md")
    docs = render_docs()
    for key in ("approval_prob", "hiring_delay", "patience", "communication", "how_often"):
        assert f"`{key}`" in docs


def test_pyramid_files_are_the_python_designs() -> None:
    assert load_scenario("pyramid").design == Pyramid()
    assert load_scenario("inverted_pyramid").design == InvertedPyramid()
    assert load_scenario("pyramid").people == Scenario().people


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_extends_merges_and_states_only_what_differs(tmp_path) -> None:
    path = write(tmp_path, 'extends = "pyramid"\nname = "lean"\n[organization]\n'
                           'reporting_rate = 0.5\n[people]\nhiring_delay = 30\n')
    s = load_scenario(path)
    assert s.name == "lean"
    assert s.design == Pyramid(reporting_rate=0.5)
    assert s.people.hiring_delay == 30 and s.people.initial_morale == 0.7
    assert s.description == load_scenario("pyramid").description


def test_extends_with_another_builder_replaces_the_organization(tmp_path) -> None:
    path = write(tmp_path, 'extends = "pyramid"\n[organization]\nbuilder = "flat_team"\n'
                           'size = 6\n')
    assert load_scenario(path).design.size == 6


def test_extends_cycles_are_reported(tmp_path) -> None:
    write(tmp_path, 'extends = "b.toml"\n', "a.toml")
    write(tmp_path, 'extends = "a.toml"\n', "b.toml")
    with pytest.raises(ScenarioError, match="extends forms a cycle"):
        load_scenario(tmp_path / "a.toml")


def test_all_problems_are_reported_at_once(tmp_path) -> None:
    path = write(tmp_path, '[people]\nhiring_dely = 3\ninitial_morale = 2\n'
                           '[customers]\nprice = "cheap"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert len(err.value.problems) == 3


BAD_FILES = [
    ("typo key", '[people]\nhiring_dely = 3\n',
     "people.hiring_dely: unknown key; did you mean 'hiring_delay'?"),
    ("typo top-level key", 'replicatons = 5\n',
     "replicatons: unknown key; did you mean 'replications'?"),
    ("typo section", '[poeple]\nenabled = false\n', "did you mean 'people'?"),
    ("wrong type", '[customers]\nprice = "cheap"\n',
     "customers.price = 'cheap' is not allowed: a number"),
    ("string for a number", '[people]\ninitial_morale = "0.5"\n',
     "people.initial_morale = '0.5' is not allowed"),
    ("wrong type top level", 'days = "many"\n',
     "days = 'many' is not allowed: expected an integer"),
    ("negative rate", '[organization]\nbuilder = "pyramid"\nfrontline_rate = -3\n',
     "organization.frontline_rate = -3 is not allowed: more than 0"),
    ("probability 1.5", '[organization]\nbuilder = "pyramid"\napproval_prob = 1.5\n',
     "organization.approval_prob = 1.5 is not allowed: at most 1"),
    ("unknown builder", '[organization]\nbuilder = "pyramd"\n', "did you mean 'pyramid'?"),
    ("unknown discipline", '[organization]\ndiscipline = "lifo"\n',
     "unknown queue discipline 'lifo'; choose one of first_come_first_served"),
    ("unknown provider",
     '[organization]\nbuilder = "teams"\n[[organization.teams]]\nname = "clerk"\n'
     '[[organization.dependencies]]\ncustomer = "clerk"\nprovider = "boss"\n',
     "organization.dependencies[0].provider = 'boss' is not allowed: no such team"),
    ("team dependency probability 1.5",
     '[organization]\nbuilder = "teams"\n[[organization.teams]]\nname = "a"\n'
     '[[organization.teams]]\nname = "b"\n[[organization.dependencies]]\ncustomer = "a"\n'
     'provider = "b"\nhow_often = 1.5\n', "how_often = 1.5 is not allowed"),
    ("bad TOML", '[people\n', "not valid TOML"),
    ("unknown extends", 'extends = "pyramidd"\n', "did you mean 'pyramid'?"),
]


@pytest.mark.parametrize(("case", "text", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_scenario_files_exit_2_naming_file_key_value_and_rule(case, text, message, tmp_path,
                                                                  capsys) -> None:
    path = write(tmp_path, text)
    assert main(["describe", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert str(path) in err or "pyramidd" in err
    assert "Traceback" not in err


ORG = "employee_id,name,role,department,manager_id\n"
MAP = "employee,relies_on,need,how_often\n"
BAD_CSV = [
    ("empty org chart", "", None, "the org chart is empty"),
    ("header only", ORG, None, "has a header but no rows"),
    ("missing column", "employee_id,name,role,manager_id\nA,Al,agent,\n", None,
     "row 1 (header): missing column 'department'"),
    ("manager cycle", ORG + "A,Al,boss,x,C\nB,Bo,agent,x,A\nC,Cy,boss,x,B\n", None,
     "the reporting lines form a cycle"),
    ("unknown manager", ORG + "A,Al,boss,x,\nB,Bo,agent,x,Z\n", None,
     "row 3, column 'manager_id': 'Z' is not an employee_id"),
    ("duplicate id", ORG + "A,Al,boss,x,\nA,Bo,agent,x,\n", None,
     "row 3, column 'employee_id': 'A' appears twice"),
    ("bad rate", "employee_id,name,role,department,manager_id,rate\nA,Al,a,x,,fast\n", None,
     "row 2, column 'rate': 'fast' is not a number"),
    ("map unknown employee", ORG + "A,Al,boss,x,\nB,Bo,agent,x,A\n", MAP + "B,Q,information,0.5\n",
     "row 2, column 'relies_on': 'Q' is not in the org chart"),
    ("map bad need", ORG + "A,Al,boss,x,\nB,Bo,agent,x,A\n", MAP + "B,A,love,0.5\n",
     "row 2, column 'need': 'love' is not one of materials"),
    ("map probability 1.5", ORG + "A,Al,boss,x,\nB,Bo,agent,x,A\n", MAP + "B,A,information,1.5\n",
     "row 2, column 'how_often': how_often = 1.5 is not allowed"),
    ("map missing column", ORG + "A,Al,boss,x,\nB,Bo,agent,x,A\n",
     "employee,relies_on,need\nB,A,information\n", "missing column 'how_often'"),
]


@pytest.mark.parametrize(("case", "chart", "mapping", "message"), BAD_CSV,
                         ids=[c[0] for c in BAD_CSV])
def test_bad_org_files_exit_2_naming_row_and_column(case, chart, mapping, message, tmp_path,
                                                     capsys) -> None:
    (tmp_path / "org.csv").write_text(chart)
    extra = ""
    if mapping is not None:
        (tmp_path / "map.csv").write_text(mapping)
        extra = 'internal_customers = "map.csv"\n'
    path = write(tmp_path, '[organization]\nbuilder = "org_chart"\norg_chart = "org.csv"\n'
                 + extra)
    assert main(["run", str(path), "--days", "1"]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "org.csv" in err or "map.csv" in err


def test_cli_run_and_describe_on_the_example_org_chart(tmp_path, capsys) -> None:
    assert main(["describe", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "service agent" in out and "payroll clerk" in out and "Load check" in out
    out_dir = tmp_path / "mine"
    assert main(["run", str(EXAMPLE), "--days", "10", "--out", str(out_dir)]) == 0
    assert "external_completed" in capsys.readouterr().out
    kpis = json.loads((out_dir / "kpis.json").read_text())
    assert kpis["days"] == 10 and kpis["employees"] == 11
    for name in ("daily.csv", "employees.csv", "attribution.csv"):
        assert (out_dir / name).stat().st_size > 0


def test_org_chart_levels_and_names_come_from_the_files() -> None:
    model = OrgModel(load_scenario(EXAMPLE), rng=0)
    nodes = {d["id"]: d for _, d in model.graph.nodes(data=True)}
    assert nodes["E01"]["level"] == 2 and nodes["E02"]["level"] == 1
    assert nodes["E04"]["level"] == 0 and nodes["E04"]["customer_facing"]
    assert not nodes["E10"]["customer_facing"]  # the payroll clerk serves colleagues only
    assert nodes["E04"]["name"] == "Dev Patel"
    weekly = [d for u, v, d in model.graph.edges(data=True)
              if nodes[model.graph.nodes[v]["id"]]["role"] == "payroll clerk"]
    assert weekly and all(d["per_day"] == pytest.approx(0.2) for d in weekly)


def test_how_often_words_and_probabilities() -> None:
    assert parse_how_often("weekly") == (0.0, 0.2)
    assert parse_how_often("Daily") == (0.0, 1.0)
    assert parse_how_often(0.25) == (0.25, 0.0)
    assert parse_how_often("0.5") == (0.5, 0.0)
    for bad in (1.5, -0.1, "fortnightly", True):
        with pytest.raises(ValueError, match="not allowed"):
            parse_how_often(bad)


def test_teams_map_members_and_all() -> None:
    import numpy as np

    design = Teams(teams=[{"name": "clerk"}, {"name": "manager", "size": 3, "level": 1}],
                   dependencies=[{"customer": "clerk", "provider": "manager",
                                  "members": "all"}])
    g = design.build(np.random.default_rng(0))
    assert g.out_degree(0) == 3
    assert OrgChart().org_chart == "org_chart.csv"
