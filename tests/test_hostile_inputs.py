"""A hostile user's inputs: every mistake exits 2 (or raises, in Python) with a message naming the
file, key or row and what is allowed; never a traceback, a hang or a silently wrong result.

Each case is a row: the files it writes, the command line or the call, the exit code (or the
exception) and a fragment of the message. The command line runs in this process (``main``), so a
traceback would show as an uncaught exception here.
"""

from __future__ import annotations

import dataclasses
import errno
import math
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import write_files

from simulation.cli.commands import main
from simulation.config.bounds import TooLargeError
from simulation.config.designs import FlatTeam, InvertedPyramid, Pyramid, TwoWayStreet
from simulation.config.files import load_scenario
from simulation.config.orgdata import OrgChart
from simulation.config.scenario import Customers, Scenario
from simulation.experiments.design_map import map_difference
from simulation.experiments.experiment import compare, run_experiment
from simulation.experiments.store import ResultStore
from simulation.experiments.sweep import sweep
from simulation.model.orgmodel import OrgModel

CHART = "employee_id,name,role,department,manager_id\n1,Ann,chief,office,\n2,Bob,agent,office,1\n"
MAP = "employee,relies_on,need,how_often\n2,1,information,0.5\n"


def org(chart: str | bytes = CHART, extra: str = "", **files: str | bytes) -> dict:
    """Files of an org-chart scenario (s.toml, chart.csv and any others)."""
    return {"s.toml": 'name = "s"\n[organization]\nbuilder = "org_chart"\n'
                      f'org_chart = "chart.csv"\n{extra}', "chart.csv": chart, **files}


def toml(text: str | bytes) -> dict:
    return {"s.toml": text}


DESCRIBE = ["describe", "s.toml"]

#: (id, files, command line, exit code, fragment of the output)
CLI_CASES: list[tuple[str, dict, list[str], int, str]] = [
    # ------------------------------------------------------------------ scenario files (TOML)
    ("organization is a number", toml('organization = 5\n'), DESCRIBE, 2,
     "organization = 5 is not allowed: a table with a builder"),
    ("builder is a list", toml('[organization]\nbuilder = []\n'), DESCRIBE, 2,
     "organization.builder = [] is not allowed: unknown builder"),
    ("builder misspelt", toml('[organization]\nbuilder = "pyramids"\n'), DESCRIBE, 2,
     "did you mean 'pyramid'?"),
    ("customers is text", toml('customers = "x"\n'), DESCRIBE, 2,
     "customers = 'x' is not allowed: a table of keys"),
    ("nested too deeply", toml("d = " + "[" * 3000 + "]" * 3000 + "\n"), DESCRIBE, 2,
     "nested too deeply to read"),
    ("not TOML", toml("name = \n"), DESCRIBE, 2, "not valid TOML"),
    ("binary garbage", toml(b"\x00\x01\x02\xff\xfe"), DESCRIBE, 2, "not UTF-8 text"),
    ("Latin-1 text", toml('name = "caf\xe9"\n'.encode("latin-1")), DESCRIBE, 2,
     "not UTF-8 text"),
    ("per_position 1e308", toml("[customers]\nper_position = 1e308\n"), DESCRIBE, 2,
     "customers.per_position = 1e+308 is not allowed: at most 50,000,000"),
    ("count 10^12", toml("[customers]\ncount = 1000000000000\n"), DESCRIBE, 2,
     "customers.count = 1000000000000 is not allowed: at most 50,000,000"),
    ("days 10^7", toml("days = 10000000\n"), DESCRIBE, 2,
     "days = 10000000 is not allowed: at most 100,000"),
    ("span 50, levels 6", toml('[organization]\nbuilder = "pyramid"\nspan = 50\nlevels = 6\n'),
     DESCRIBE, 2, "give 318,877,551 positions, more than the model holds"),
    ("request rate 10^6", toml("[customers]\nrequest_rate = 1e6\n"), DESCRIBE, 2,
     "of memory (31 positions, up to 1,250 customers"),
    ("days as text", toml('days = "10"\n'), DESCRIBE, 2, "days = '10' is not allowed: expected "
     "an integer"),
    ("days fractional", toml("days = 1.5\n"), DESCRIBE, 2, "days = 1.5 is not allowed"),
    ("days true", toml("days = true\n"), DESCRIBE, 2, "days = True is not allowed: expected an "
     "integer"),
    ("replications negative", toml("replications = -1\n"), DESCRIBE, 2,
     "replications = -1 is not allowed: at least 1"),
    ("empty name", toml('name = ""\n'), DESCRIBE, 2, "name = '' is not allowed"),
    ("right-to-left override in the name", toml('name = "a\u202eb"\n'), DESCRIBE, 2,
     "control or formatting characters (U+202E)"),
    ("request rate NaN", toml("[customers]\nrequest_rate = nan\n"), DESCRIBE, 2,
     "customers.request_rate = nan is not allowed: a finite number"),
    ("expectation infinite", toml("[customers]\nexpectation = inf\n"), DESCRIBE, 2,
     "customers.expectation = inf is not allowed"),
    ("typo in a section", toml("[work]\ncomunication = 0.5\n"), DESCRIBE, 2,
     "work.comunication: unknown key; did you mean 'communication'?"),
    ("blank name", toml('name = "   "\n'), DESCRIBE, 2, "is blank"),
    ("byte-order mark", toml("\ufeffname = 'bom'\n".encode()), DESCRIBE, 0, "Load check"),
    ("extends nothing", toml('extends = ""\n'), DESCRIBE, 2,
     "s.toml: extends = '': an empty scenario name"),
    ("org chart path empty", toml('[organization]\nbuilder = "org_chart"\norg_chart = ""\n'),
     DESCRIBE, 2, "organization.org_chart = '' is not allowed"),
    ("org chart path a folder", toml('[organization]\nbuilder = "org_chart"\norg_chart = "."\n'),
     DESCRIBE, 2, "is a folder; the org chart is a CSV file"),
    ("typo in a team", toml('[organization]\nbuilder = "teams"\n[[organization.teams]]\n'
                            'name = "a"\nsise = 2\n'), DESCRIBE, 2,
     "organization.teams.0.sise: unknown key; did you mean 'size'? (allowed: name, size,"),
    ("typo in a rule", toml('[work.quality_rule]\nkind = "cobb_douglas"\n'
                            'input_dependance = 0.3\n'), DESCRIBE, 2,
     "input_dependance: unknown key; did you mean 'input_dependence'?"),
    ("typo in a section name", toml("[poeple]\nenabled = false\n"), DESCRIBE, 2,
     "did you mean 'people'?"),
    ("extends itself", toml('extends = "s.toml"\n'), DESCRIBE, 2, "extends forms a cycle"),
    ("extends a missing file", toml('extends = "nowhere.toml"\n'), DESCRIBE, 2,
     "no such scenario file"),
    ("extends a number", toml("extends = 5\n"), DESCRIBE, 2, "extends = 5 is not allowed"),
    ("discipline misspelt", toml('[organization]\nbuilder = "pyramid"\n'
                                 '[organization.discipline]\nkind = "fifo"\n'), DESCRIBE, 2,
     "organization.discipline"),
    ("quality rule misspelt", toml('[work]\nquality_rule = "nope"\n'), DESCRIBE, 2,
     "unknown quality rule 'nope'"),
    ("flat team helpers >= size", toml('[organization]\nbuilder = "flat_team"\nsize = 3\n'
                                       'helpers = 3\n'), DESCRIBE, 2,
     "helpers = 3 is not allowed: 0 to size - 1 = 2"),
    ("no departments", toml('[organization]\nbuilder = "silos"\ndepartments = 0\n'), DESCRIBE,
     2, "organization.departments = 0 is not allowed: at least 1"),
    ("inverted pyramid approval 2", toml('[organization]\nbuilder = "inverted_pyramid"\n'
                                         'approval_prob = 2.0\n'), DESCRIBE, 2,
     "organization.approval_prob = 2.0 is not allowed: at most 1"),
    ("two-way street support -0.5", toml('[organization]\nbuilder = "two_way_street"\n'
                                         'support_prob = -0.5\n'), DESCRIBE, 2,
     "organization.support_prob = -0.5 is not allowed: at least 0"),
    ("teams: no teams", toml('[organization]\nbuilder = "teams"\nteams = []\n'), DESCRIBE, 2,
     "organization.teams = [] is not allowed: a list of at least 1 items"),
    ("teams: unknown provider", toml(
        '[organization]\nbuilder = "teams"\n[[organization.teams]]\nname = "desk"\n'
        '[[organization.dependencies]]\ncustomer = "desk"\nprovider = "dsk"\n'), DESCRIBE, 2,
     "dependencies[0].provider = 'dsk' is not allowed: no such team; did you mean 'desk'?"),
    ("teams: a dependency without its customer", toml(
        '[organization]\nbuilder = "teams"\n[[organization.teams]]\nname = "a"\nsize = 2\n'
        '[[organization.dependencies]]\nprovider = "a"\n'), DESCRIBE, 2,
     "organization.dependencies.0.customer: required key is missing"),
    ("teams: nobody faces customers", toml(
        '[organization]\nbuilder = "teams"\n[[organization.teams]]\nname = "a"\nsize = 2\n'
        'customer_facing = false\n'), DESCRIBE, 2, "no position of its Teams faces customers"),
    ("org chart path is a number", toml('[organization]\nbuilder = "org_chart"\n'
                                        'org_chart = 5\n'), DESCRIBE, 2,
     "organization.org_chart = 5 is not allowed: text"),
    # ------------------------------------------------------------ org chart and map (CSV)
    ("org chart missing", org(chart=None), DESCRIBE, 2, "chart.csv: org chart file not found"),
    ("org chart empty", org(chart=""), DESCRIBE, 2, "chart.csv: the org chart is empty"),
    ("org chart header only", org(chart="employee_id,name,role,department,manager_id\n"),
     DESCRIBE, 2, "the org chart has a header but no rows"),
    ("org chart without manager_id", org(chart="employee_id,name,role,department\n1,a,b,c\n"),
     DESCRIBE, 2, "row 1 (header): missing column 'manager_id'"),
    ("optional column misspelt", org(chart=CHART.replace("manager_id", "manager_id,"
                                                         "customerfacing").replace(
        ",\n", ",,\n").replace(",1\n", ",1,yes\n")), DESCRIBE, 0,
     "did you mean 'customer_facing'?"),
    ("row cut short", org(chart=CHART + "3,Cy,agent\n"), DESCRIBE, 2,
     "row 4 has 3 fields, the header 5: a row cut short?"),
    ("row too long", org(chart=CHART + "3,Cy,agent,office,1,extra\n"), DESCRIBE, 2,
     "row 4 has 6 fields, the header 5"),
    ("employee twice", org(chart=CHART + "2,Bo,agent,office,1\n"), DESCRIBE, 2,
     "row 4, column 'employee_id': '2' appears twice (first in row 3)"),
    ("reporting cycle", org(chart="employee_id,name,role,department,manager_id\n1,a,r,d,2\n"
                                  "2,b,r,d,1\n"), DESCRIBE, 2,
     "the reporting lines form a cycle (1 -> 2 -> 1)"),
    ("own manager", org(chart=CHART + "3,Cy,agent,office,3\n"), DESCRIBE, 2,
     "'3' is their own manager"),
    ("manager unknown", org(chart=CHART + "3,Cy,agent,office,9\n"), DESCRIBE, 2,
     "row 4, column 'manager_id': '9' is not an employee_id"),
    ("reporting chain 3,000 deep", org(chart="employee_id,name,role,department,manager_id\n"
                                       + "".join(f"{i},p{i},r,d,{i - 1 if i else ''}\n"
                                                 for i in range(3000))), DESCRIBE, 0,
     "Load check"),
    ("nobody customer-facing", org(chart=CHART.replace("manager_id\n", "manager_id,"
                                                       "customer_facing\n").replace(
        ",\n", ",,no\n").replace(",1\n", ",1,no\n")), DESCRIBE, 2,
     "nobody faces customers"),
    ("field over 128 KiB", org(chart=CHART + '3,"' + "x" * 140_000 + '",agent,office,1\n'),
     DESCRIBE, 2, "not readable as CSV (field larger than field limit"),
    ("unclosed quote", org(chart=CHART + '3,"Cy,agent,office,1\n' + "4,Di,agent,office,1\n"
                           * 20_000), DESCRIBE, 2, "not readable as CSV"),
    ("rate not a number", org(chart=CHART.replace("manager_id\n", "manager_id,rate\n")
                              .replace(",\n", ",,fast\n").replace(",1\n", ",1,\n")),
     DESCRIBE, 2, "row 2, column 'rate': 'fast' is not a number"),
    ("skill 2", org(chart=CHART.replace("manager_id\n", "manager_id,skill\n")
                    .replace(",\n", ",,2\n").replace(",1\n", ",1,\n")), DESCRIBE, 2,
     "row 2, column 'skill': 2.0 is not allowed: more than 0 and at most 1"),
    ("rate NaN", org(chart=CHART.replace("manager_id\n", "manager_id,rate\n")
                     .replace(",\n", ",,nan\n").replace(",1\n", ",1,\n")), DESCRIBE, 2,
     "row 2, column 'rate': nan is not allowed"),
    ("rate infinite", org(chart=CHART.replace("manager_id\n", "manager_id,rate\n")
                          .replace(",\n", ",,inf\n").replace(",1\n", ",1,\n")), DESCRIBE, 2,
     "row 2, column 'rate': inf is not allowed: a finite number more than 0"),
    ("customer_facing maybe", org(chart=CHART.replace("manager_id\n", "manager_id,"
                                                      "customer_facing\n").replace(
        ",\n", ",,maybe\n").replace(",1\n", ",1,\n")), DESCRIBE, 2, "'maybe' is not yes or no"),
    ("org chart in Latin-1", org(chart=(CHART + "3,Zo\xeb,agent,office,1\n").encode("latin-1")),
     DESCRIBE, 2, "chart.csv: not UTF-8 text"),
    ("org chart with a byte-order mark and CRLF", org(
        chart=("\ufeff" + CHART).replace("\n", "\r\n").encode()), DESCRIBE, 0, "Load check"),
    ("map names an unknown employee", org(extra='internal_customers = "map.csv"\n',
                                          **{"map.csv": MAP + "7,1,information,0.5\n"}),
     DESCRIBE, 2, "map.csv: row 3, column 'employee': '7' is not in the org chart"),
    ("map row twice", org(extra='internal_customers = "map.csv"\n',
                          **{"map.csv": MAP + "2,1,information,0.5\n"}), DESCRIBE, 2,
     "map.csv: row 3"),
    ("map how_often misspelt", org(extra='internal_customers = "map.csv"\n',
                                   **{"map.csv": MAP.replace("0.5", "allways")}), DESCRIBE, 2,
     "map.csv: row 2, column 'how_often'"),
    ("map need misspelt", org(extra='internal_customers = "map.csv"\n',
                              **{"map.csv": MAP.replace("information", "informaton")}),
     DESCRIBE, 2, "map.csv: row 2, column 'need'"),
    ("right-to-left override in a name", org(chart=CHART.replace("Bob", "B\u202eob")),
     DESCRIBE, 0, "Load check"),
    # ------------------------------------------------------------------- command line
    ("no command", {}, [], 2, "required: COMMAND"),
    ("unknown command", {}, ["frobnicate"], 2, "invalid choice: 'frobnicate'"),
    ("run without a scenario", {}, ["run"], 2, "the following arguments are required"),
    ("describe a missing file", {}, ["describe", "nowhere.toml"], 2, "no such scenario file"),
    ("runs 0", {}, ["replicate", "flat_team", "--runs", "0"], 2,
     "--runs = 0 is not allowed: an integer >= 1"),
    ("runs text", {}, ["replicate", "flat_team", "--runs", "abc"], 2, "invalid int value: 'abc'"),
    ("workers 0", {}, ["replicate", "flat_team", "--workers", "0"], 2,
     "--workers = 0 is not allowed"),
    ("days 10^6 on run", {}, ["run", "flat_team", "--days", "1000000"], 2,
     "days = 1,000,000 is beyond the longest run the model holds (100,000 working days)"),
    ("days 10^6 on compare", {}, ["compare", "pyramid", "inverted_pyramid", "--days",
                                  "1000000", "-w", "1", "--out", "o"], 2,
     "days = 1,000,000 is beyond the longest run"),
    ("runs 10^9", {}, ["compare", "pyramid", "inverted_pyramid", "--runs", "1000000000",
                       "-w", "1", "--out", "o"], 2,
     "runs = 1,000,000,000 is more than one experiment holds (at most 1,000,000)"),
    ("seed -1", {}, ["compare", "pyramid", "inverted_pyramid", "--seed", "-1", "--out", "o"], 2,
     "--seed = -1 is not allowed: an integer >= 0"),
    ("sweep points 10^9", {}, ["sweep", "pyramid", "--vary", "work.communication=0:1",
                               "--points", "1000000000", "--out", "o"], 2,
     "points = 1,000,000,000 is more than one experiment holds"),
    ("sweep factorial of 5^14", {}, ["sweep", "pyramid", "--design", "factorial",
                                     *[a for k in ("reporting_rate", "approval_prob",
                                                   "escalation_prob", "support_prob",
                                                   "coaching_rate", "peer_prob", "thoroughness",
                                                   "approval_work", "report_work",
                                                   "support_work", "coaching_work",
                                                   "peer_work", "frontline_skill",
                                                   "manager_skill")
                                       for a in ("--vary", f"organization.{k}=.1,.2,.3,.4,.5")],
                                     "--out", "o"], 2,
     "= 6,103,515,625 points is more than one experiment holds"),
    ("sweep to infinity", {}, ["sweep", "pyramid", "--vary", "customers.market=1:inf", "--out",
                               "o"], 2, "the range must be low:high with low < high"),
    ("sweep of 1.2 million runs", {}, ["sweep", "pyramid", "--vary", "work.communication=0:1",
                                       "--points", "20000", "--runs", "60", "--out", "o"], 2,
     "20,000 points x 60 runs = 1,200,000 runs is more than one experiment holds"),
    ("sweep KPI misspelt", {}, ["sweep", "pyramid", "--vary", "work.communication=0:1",
                                "--kpi", "mean_dealy", "--out", "o"], 2,
     "--kpi 'mean_dealy' is not a KPI; did you mean 'mean_delay'?"),
    ("check-network max-runs below runs", {}, ["check-network", "pyramid", "--runs", "5",
                                               "--max-runs", "2"], 2,
     "--max-runs = 2 is not allowed: at least --runs (5)"),
    ("precision with max-runs 0", {}, ["compare", "pyramid", "inverted_pyramid", "--precision",
                                       "0.05", "--max-runs", "0"], 2,
     "--max-runs = 0 is not allowed: an integer >= 1"),
    ("compare one scenario", {}, ["compare", "pyramid"], 2,
     "compare needs at least two scenarios"),
    ("compare a scenario with itself", {}, ["compare", "pyramid", "pyramid", "--runs", "2",
                                            "--days", "2", "-w", "1", "--out", "o"], 2,
     "scenario names must differ to be compared"),
    ("out is a file", {"o": "not a folder"}, ["replicate", "flat_team", "--runs", "2", "--days",
                                              "2", "-w", "1", "-q", "--out", "o"], 2,
     "--out o: exists and is not a folder"),
    ("out inside a file", {"o": "not a folder"}, ["replicate", "flat_team", "--runs", "2",
                                                  "--days", "2", "-w", "1", "-q", "--out",
                                                  "o/sub"], 2, "o/sub: Not a directory"),
    ("sweep range beyond a share", {}, ["sweep", "pyramid", "--vary", "work.communication=0:2",
                                        "--runs", "2", "--days", "2", "-w", "1", "--out", "o"],
     2, "work.communication = 2.0 is not allowed: at most 1"),
    ("sweep unknown path", {}, ["sweep", "pyramid", "--vary", "work.nope=0:1", "--out", "o"], 2,
     "work.nope"),
    ("sweep range not numbers", {}, ["sweep", "pyramid", "--vary", "work.communication=a:b",
                                     "--out", "o"], 2, "work.communication=a:b"),
    ("sweep without a path", {}, ["sweep", "pyramid", "--vary", "=1:2", "--out", "o"], 2,
     "--vary '=1:2': no parameter path before '='"),
    ("report of an empty folder", {"empty/.keep": ""}, ["report", "empty"], 2,
     "not a results folder (no manifest.json)"),
    ("resume with a damaged manifest", {"o/manifest.json": "{bad"},
     ["compare", "pyramid", "inverted_pyramid", "--runs", "2", "--days", "2", "-w", "1", "-q",
      "--out", "o"], 2, "o/manifest.json: not readable"),
    ("report with a damaged manifest", {"o/manifest.json": "[1, 2]"}, ["report", "o"], 2,
     "o/manifest.json: not a JSON object"),
    ("report with a damaged sweep.json", {"o/manifest.json": "{}", "o/sweep.json": "{"},
     ["report", "o"], 2, "o/sweep.json: not readable"),
    ("report into a folder", {"o/manifest.json": "{}", "r/.keep": ""}, ["report", "o", "-o", "r"],
     2, "-o r: is a folder; give the report's file name"),
    ("report over the results", {"o/manifest.json": "{}"}, ["report", "o", "-o",
                                                            "o/manifest.json"],
     2, "-o o/manifest.json: a report is an HTML file; give a name ending in .html"),
    ("compare reporting over a table", {}, ["compare", "pyramid", "flat_team", "--runs", "1",
                                            "--report", "o/summary.csv"],
     2, "--report o/summary.csv: a report is an HTML file"),
    ("sweep of one level", {}, ["sweep", "pyramid", "--vary", "work.communication=0.2", "--out",
                                "o"], 2, "--vary 'work.communication=0.2': one level"),
    ("sweep of a parameter twice", {}, ["sweep", "pyramid", "--vary", "work.communication=0:1",
                                        "--vary", "work.communication=0.2:0.4", "--out", "o"], 2,
     "--vary work.communication given twice"),
    ("report of a missing folder", {}, ["report", "nowhere"], 2, "not a results folder"),
    ("check-network without a product form", {}, ["check-network", "pyramid"], 2,
     "the product form needs first come first served"),
    ("schema with an unknown option", {}, ["schema", "--bogus"], 2, "unrecognized arguments"),
]


@pytest.mark.parametrize(("files", "argv", "code", "fragment"),
                         [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_a_mistake_on_the_command_line_exits_with_a_message(
        tmp_path: Path, monkeypatch, capsys, files: dict, argv: list[str], code: int,
        fragment: str) -> None:
    write_files(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    assert main(argv) == code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert fragment in out + err, out + err
    if code == 2:
        assert "https://errors.pydantic.dev" not in err


def test_the_table_is_large_enough() -> None:
    """At least 60 cases, over scenario files, org data and the command line (API below)."""
    assert len(CLI_CASES) + len(API_CASES) >= 60
    assert len({c[0] for c in CLI_CASES}) == len(CLI_CASES)


@pytest.mark.parametrize(("error", "words"), [
    (OSError(errno.ENOSPC, "No space left on device", "part.parquet"), "No space left on device"),
    (PermissionError(errno.EACCES, "Permission denied", "manifest.json"), "Permission denied"),
])
def test_a_full_or_read_only_disk_is_said_not_raised(tmp_path: Path, monkeypatch, capsys,
                                                     error: OSError, words: str) -> None:
    """The disk's refusal stood in for: CI runs as root, which writes to read-only folders."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(ResultStore, "write_batch", refuse)
    code = main(["replicate", "flat_team", "--runs", "2", "--days", "2", "-w", "1", "-q",
                 "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert words in err and "run the same command again: it resumes" in err


# ---------------------------------------------------------------------------------- the API


def _base() -> Scenario:
    return load_scenario("flat_team")


#: (id, call, exception type, fragment of the message)
API_CASES: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("compare runs 0", lambda: compare([_base()], runs=0), ValueError, "runs = 0 is not allowed"),
    ("compare days 0", lambda: compare([_base()], runs=1, days=0), ValueError,
     "days = 0 is not allowed"),
    ("compare days 10^6", lambda: compare([_base()], runs=1, days=10**6), TooLargeError,
     "beyond the longest run"),
    ("compare same names", lambda: compare([_base(), _base()], runs=1, days=1), ValueError,
     "scenario names must be distinct"),
    ("run_experiment replications 0",
     lambda: run_experiment([_base()], 0, days=1, out=tempfile.mkdtemp()), ValueError,
     "replications = 0 is not allowed"),
    ("sweep runs 0", lambda: sweep(_base(), ["work.communication=0:1"], runs=0), ValueError,
     "runs = 0 is not allowed"),
    ("sweep nothing varied", lambda: sweep(_base(), []), ValueError,
     "at least one varied parameter"),
    ("map days 0", lambda: map_difference(load_scenario("pyramid"),
                                          load_scenario("inverted_pyramid"),
                                          ["work.communication=0:1"], days=0), ValueError,
     "days = 0 is not allowed"),
    ("map runs 0", lambda: map_difference(load_scenario("pyramid"),
                                          load_scenario("inverted_pyramid"),
                                          ["work.communication=0:1"], runs=0), ValueError,
     "runs = 0 is not allowed"),
    ("compare nothing", lambda: compare([], runs=1), ValueError, "scenarios is empty"),
    ("compare numbers", lambda: compare([5, 6], runs=1), TypeError,
     "scenarios[0] = 5 is not allowed: a Scenario"),
    ("compare names", lambda: compare(["pyramid"], runs=1), TypeError,
     "(load_scenario(name) loads one)"),
    ("compare runs 2.5", lambda: compare([_base()], runs=2.5), ValueError,
     "runs = 2.5 is not allowed"),
    ("compare seed -1", lambda: compare([_base()], runs=1, days=1, seed=-1), ValueError,
     "seed = -1 is not allowed: an integer >= 0"),
    ("compare workers 0", lambda: compare([_base()], runs=1, days=1, workers=0), ValueError,
     "workers = 0 is not allowed"),
    ("compare into a file", lambda: compare([_base()], runs=1, days=1, out=__file__),
     ValueError, "it exists and is not a folder"),
    ("model compiled 'yes'", lambda: OrgModel(compiled="yes"), TypeError,
     "compiled = 'yes' is not allowed: True or False"),
    ("blank name", lambda: Scenario(name="  "), ValueError, "is blank"),
    ("pyramid with no levels", lambda: Pyramid(levels=0), ValueError, "levels"),
    ("pyramid of 318 million", lambda: Pyramid(levels=6, span=50), ValueError,
     "318,877,551 positions"),
    ("inverted pyramid approval 2", lambda: InvertedPyramid(approval_prob=2.0), ValueError,
     "approval_prob"),
    ("two-way street support -0.5", lambda: TwoWayStreet(support_prob=-0.5), ValueError,
     "support_prob"),
    ("flat team of 0", lambda: FlatTeam(size=0), ValueError, "size"),
    ("customers -1", lambda: Customers(count=-1), ValueError, "count"),
    ("customers NaN rate", lambda: Customers(request_rate=math.nan), ValueError,
     "request_rate"),
    ("name with an override", lambda: Scenario(name="a\u202eb"), ValueError, "U+202E"),
    ("model of a number", lambda: OrgModel(5), TypeError, "config must be a Scenario"),
    ("model with a text seed", lambda: OrgModel(rng="abc"), TypeError,
     "rng = 'abc' is not allowed: a seed"),
    ("model of a request flood", lambda: OrgModel(_base().with_customers(request_rate=1e6)),
     TooLargeError, "of memory"),
    ("run for 1e308 days", lambda: OrgModel(rng=1).run_for(1e308), TooLargeError,
     "days = 1e+308 is beyond the longest run"),
    ("run for NaN days", lambda: OrgModel(rng=1).run_for(math.nan), ValueError,
     "days = nan is not allowed"),
    ("a negative seed", lambda: OrgModel(rng=-1), ValueError, "rng = -1 is not allowed"),
    ("org chart missing", lambda: OrgModel(dataclasses.replace(
        _base(), design=OrgChart(org_chart="/nowhere/chart.csv"))), ValueError,
     "/nowhere/chart.csv: org chart file not found"),
]


@pytest.mark.parametrize(("call", "kind", "fragment"), [c[1:] for c in API_CASES],
                         ids=[c[0] for c in API_CASES])
def test_a_mistake_in_python_raises_a_clear_error(call: Callable[[], object],
                                                  kind: type[Exception], fragment: str) -> None:
    with pytest.raises(kind) as caught:
        call()
    assert fragment in str(caught.value)
