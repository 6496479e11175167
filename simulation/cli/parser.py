"""The command line's grammar: every command, its options and examples."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence

#: The seed of every command unless told otherwise (``run`` had 1, ``compare`` 2026).
DEFAULT_SEED = 2026

#: Where ``demo`` writes its report unless told otherwise.
DEMO_REPORT = "service-chain-demo.html"

#: The tables ``--csv`` can print, per command (the first unless ``--table`` names another);
#: each is the table of the CSV file the command writes with ``--out`` of the same name.
CSV_TABLES: dict[str, tuple[str, ...]] = {
    "describe": ("positions", "levels", "dependencies"),
    "run": ("kpis", "causes"),
    "compare": ("differences", "summary", "steady_state", "collapse_risk"),
    "replicate": ("summary", "steady_state", "collapse_risk"),
    "demo": ("differences", "summary", "steady_state", "collapse_risk"),
    "sweep": ("points", "summary", "sobol"),
    "map": ("differences",),
    "validate": ("checks",),
}

#: The shells ``service-chain completion`` writes a script for (through shtab).
SHELLS = ("bash", "zsh", "tcsh")


def _complete(action: argparse.Action, kind: str) -> argparse.Action:
    """Tell shtab's completion scripts to offer files (``kind`` "file") or folders ("dir")."""
    try:
        import shtab
    except ImportError:  # completion is optional: the command line works without it
        return action
    action.complete = shtab.FILE if kind == "file" else shtab.DIRECTORY  # type: ignore[attr-defined]
    return action


def _parser(sub: argparse._SubParsersAction, name: str, help_: str, examples: str
            ) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help_, description=help_,
                          epilog="examples:\n" + examples,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _add_replication_options(p: argparse.ArgumentParser, tables: Sequence[str]) -> None:
    p.add_argument("--runs", "-r", type=int, default=None,
                   help="replications per scenario (default: the first scenario's)")
    p.add_argument("--days", type=int, default=None, help="working days per run")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"root seed (default {DEFAULT_SEED})")
    p.add_argument("--workers", "-w", type=int, default=None,
                   help="worker processes (default: all cores)")
    p.add_argument("--dask", metavar="CLUSTER",
                   help="run on a Dask cluster instead of local processes: local, local:N (a "
                        "cluster of N processes here), tcp://HOST:PORT (a running scheduler) "
                        "or a scheduler file (.json); the tables are the same")
    _complete(p.add_argument("--out", "-o", help="folder for per-run results and the summary"),
              "dir")
    p.add_argument("--or-new", action="store_true",
                   help="if --out holds a different experiment, write to the next free folder "
                        "beside it (OUT-2, OUT-3, ...) instead of refusing")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--csv-tables", action="store_true",
                   help="also keep CSV copies of the runs and daily tables in --out (runs.csv, "
                        "daily.csv, beside the Parquet parts, which stay the source): every run "
                        "in the folder, rewritten at the end of each command; a folder that "
                        "has them keeps them current")
    _add_output_options(p, tables)
    p.add_argument("--precision", type=float, default=None,
                   help="add replications until each scenario's mean delay and retention have "
                        "a 95%% CI within this relative half-width (e.g. 0.05)")
    p.add_argument("--max-runs", type=int, default=200,
                   help="upper limit of replications with --precision (default 200)")


def _add_output_options(p: argparse.ArgumentParser, tables: Sequence[str]) -> None:
    """``--json`` or ``--csv`` (one of them), and ``--table``: which table ``--csv`` prints."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true",
                   help="print the result as one JSON document on standard output (NaN as "
                        "null; the human text goes to standard error)")
    g.add_argument("--csv", action="store_true",
                   help=f"print a table as CSV on standard output instead of the human text "
                        f"(which goes to standard error): {tables[0]}, or the one --table "
                        "names")
    p.add_argument("--table", choices=tables, default=None,
                   help=f"the table --csv prints: {', '.join(tables)} (default {tables[0]})")
    p.set_defaults(csv_default=tables[0])


def _add_report_option(p: argparse.ArgumentParser, default: str | None) -> None:
    p.add_argument("--report", nargs="?", const="", default=default, metavar="HTML",
                   help="write the interactive HTML report (to HTML, or OUT/report.html)"
                   + (f"; default OUT/report.html with --out, else {default}" if default
                      else ""))


def _add_log_options(p: argparse.ArgumentParser) -> None:
    """How to read an event log: a mapping file, a preset, columns, states, the time format."""
    g = p.add_argument_group("reading the log (columns are recognised by name unless given)")
    g.add_argument("--mapping", metavar="FILE",
                   help="a TOML file: preset, time_format, missing, out_of_order, [columns], "
                        "[states], [needs]")
    g.add_argument("--preset", choices=("servicenow", "jira", "generic", "xes"),
                   help="column and state names of a common system (a ServiceNow export is "
                        "recognised by its columns)")
    for role, what in (("case", "case (ticket) id"), ("time", "timestamp of each change"),
                       ("status", "state or activity"), ("team", "team (group) holding the case"),
                       ("resource", "person holding the case"),
                       ("start", "start time (activity logs)"),
                       ("complete", "complete time (activity logs)"),
                       ("lifecycle", "lifecycle transition (start, complete)"),
                       ("order", "order of the events within a case"),
                       ("case-start", "when the case was opened"),
                       ("need", "what each request needs of its position (materials, "
                                "information, instruction, participation, assistance)")):
        g.add_argument(f"--{role}", dest=f"column_{role.replace('-', '_')}", metavar="COLUMN",
                       help=f"column of the {what}")
    g.add_argument("--map-state", action="append", default=[], metavar="NAME=KIND",
                   help="what a state means: queued, working, waiting, done or ignore; repeat")
    g.add_argument("--map-need", action="append", default=[], metavar="VALUE=KIND",
                   help="what a need column's value means: materials, information, instruction, "
                        "participation or assistance; repeat")
    g.add_argument("--time-format", metavar="FORMAT",
                   help="strftime format of the times, e.g. '%%d/%%m/%%Y %%H:%%M' (default: "
                        "recognised; day-first and month-first both fitting is refused)")
    g.add_argument("--clamp-times", action="store_true",
                   help="with an order column, take a time before its case's previous event as "
                        "that event's (default: refuse it, naming the row)")


def build_parser(handlers: Mapping[str, Callable[[argparse.Namespace], int]]
                 ) -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="service-chain",
        description="Simulate an organization as an internal customer service chain.",
        epilog="SCENARIO is a bundled name (see 'service-chain list') or a path to a .toml file.",
    )
    from simulation.core.version import __version__

    parser.add_argument("--version", action="version", version=f"service-chain {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = _parser(sub, "list", "list the bundled scenarios", "  service-chain list\n")
    p.set_defaults(func=handlers["list"])
    p = _parser(sub, "describe", "show a scenario: headcount, dependencies and the load check",
                "  service-chain describe pyramid\n"
                "  service-chain describe scenarios/examples/my_company.toml\n")
    _complete(p.add_argument("scenario", metavar="SCENARIO"), "file")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"seed for random structure (default {DEFAULT_SEED})")
    _add_output_options(p, CSV_TABLES["describe"])
    p.set_defaults(func=handlers["describe"])
    p = _parser(sub, "show", "print a scenario with every parameter resolved, as TOML that "
                "loads back as the same scenario",
                "  service-chain show pyramid\n"
                "  service-chain show scenarios/examples/my_company.toml -o full.toml\n")
    _complete(p.add_argument("scenario", metavar="SCENARIO"), "file")
    _complete(p.add_argument("--output", "-o", metavar="FILE.toml",
                             help="write it to this file instead of standard output"), "file")
    p.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    p.set_defaults(func=handlers["show"])
    p = _parser(sub, "run", "run one scenario once and print its KPIs",
                "  service-chain run inverted_pyramid --days 60 --seed 3\n"
                "  service-chain run scenarios/examples/my_company.toml --out results/mine\n")
    _complete(p.add_argument("scenario", metavar="SCENARIO"), "file")
    p.add_argument("--days", type=int, default=None, help="working days (default: scenario's)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"seed (default {DEFAULT_SEED})")
    _add_output_options(p, CSV_TABLES["run"])
    _complete(p.add_argument("--out", "-o", help="folder for kpis.json, daily.csv, employees.csv"),
              "dir")
    p.add_argument("--report", nargs="?", const="", default=None, metavar="HTML",
                   help="write the run's HTML report (to HTML, or OUT/report.html with --out, "
                        "else report.html): its KPIs, the day-by-day series, the organization, "
                        "where the chain breaks, why customers wait")
    p.add_argument("--log", metavar="FILE",
                   help="also write the run's event log (.csv, .xes, .gz too): a case per "
                        "customer request, its state changes at each position (keeps every "
                        "service record, so the run takes the Python engine)")
    p.add_argument("--log-start", default="2026-01-05", metavar="DATE",
                   help="wall-clock date of the run's first working day in the log (default "
                        "2026-01-05, a Monday; working days Mon-Fri 09:00-17:00)")
    p.set_defaults(func=handlers["run"])
    p = _parser(sub, "compare", "compare scenarios over paired seeded replications",
                "  service-chain compare pyramid inverted_pyramid two_way_street --runs 30\n"
                "  service-chain compare payroll my_payroll.toml --days 120 --out results/pay\n")
    _complete(p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                             help="two or more; the first is the baseline"), "file")
    _add_replication_options(p, CSV_TABLES["compare"])
    _add_report_option(p, None)
    p.set_defaults(func=handlers["compare"])
    p = _parser(sub, "replicate", "one scenario over seeded replications: KPIs with intervals",
                "  service-chain replicate pyramid --runs 30\n"
                "  service-chain replicate my_network.toml --runs 20 --out results/net\n")
    _complete(p.add_argument("scenario", metavar="SCENARIO",
                             help="a bundled name or a scenario file"), "file")
    _add_replication_options(p, CSV_TABLES["replicate"])
    _add_report_option(p, None)
    p.set_defaults(func=handlers["replicate"])
    p = _parser(sub, "sweep", "vary parameters over a design and run every point",
                "  service-chain sweep pyramid --vary organization.reporting_rate=0:2 "
                "--design lhs --points 16 --runs 5\n"
                "  service-chain sweep pyramid --vary organization.approval_prob=0:0.6 "
                "--vary people.hiring_delay=5:40 --design sobol --points 64 --runs 3\n")
    _complete(p.add_argument("scenario", metavar="SCENARIO"), "file")
    p.add_argument("--vary", action="append", default=[], metavar="PATH=LOW:HIGH",
                   help="a parameter and its range (or a,b,c levels); repeat for more")
    p.add_argument("--design", choices=("factorial", "lhs", "sobol"), default="lhs")
    p.add_argument("--points", type=int, default=16,
                   help="design points (Sobol': base size n, n (d + 2) points in all)")
    p.add_argument("--kpi", default="mean_delay", help="KPI for the summary and Sobol' indices")
    _add_replication_options(p, CSV_TABLES["sweep"])
    _add_report_option(p, None)
    p.set_defaults(func=handlers["sweep"])
    p = _parser(sub, "map", "where each of two designs wins over a map of parameters",
                "  service-chain map pyramid inverted_pyramid "
                "--vary organization.manager_rate=8:24 "
                "--vary pyramid:organization.reporting_rate=0.05:1 --points 9 --runs 10\n"
                "  service-chain map pyramid two_way_street --vary people.hiring_delay=5:40 "
                "--vary customers.request_rate=0.1:0.25 --design sobol --points 16 --runs 5\n")
    _complete(p.add_argument("scenarios", nargs=2, metavar="SCENARIO",
                             help="design A, then design B"), "file")
    p.add_argument("--vary", action="append", default=[], metavar="[NAME:]PATH=LOW:HIGH",
                   help="a parameter and its range (or a,b,c levels), in both designs or, "
                        "prefixed with a design's name, in that one; repeat for more")
    p.add_argument("--design", choices=("factorial", "lhs", "sobol"), default="factorial")
    p.add_argument("--points", type=int, default=9,
                   help="design points (factorial: about this many; Sobol': base size n)")
    p.add_argument("--sobol", action="store_true",
                   help="print Sobol' indices of the difference (needs --design sobol)")
    _add_replication_options(p, CSV_TABLES["map"])
    _add_report_option(p, None)
    p.set_defaults(func=handlers["map"])
    p = _parser(sub, "demo", "the pyramid against the inverted pyramid over many seeded runs",
                "  service-chain demo\n  service-chain demo --runs 40 --workers 2\n")
    _add_replication_options(p, CSV_TABLES["demo"])
    _add_report_option(p, DEMO_REPORT)
    p.set_defaults(func=handlers["demo"])
    p = _parser(sub, "live", "serve the live page (Mesa's SolaraViz): step, play, reset, sliders",
                "  service-chain live\n  service-chain live --port 8800 --no-open\n")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--no-open", action="store_true", help="do not open a browser")
    p.set_defaults(func=handlers["live"])
    p = _parser(sub, "validate", "check the model against queueing theory and published patterns",
                "  service-chain validate\n"
                "  service-chain validate --write docs/validation.md\n"
                "  service-chain validate --only little --only tandem\n"
                "  service-chain validate --mutants lcfs --only tandem\n")
    p.add_argument("--only", action="append", default=[], metavar="CHECK",
                   help="run only this check (repeat for more; see --list)")
    p.add_argument("--list", action="store_true", help="list the checks and stop")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiply run lengths and replications (default 1)")
    p.add_argument("--write", metavar="MARKDOWN", help="also write the table and methods here")
    p.add_argument("--mutants", nargs="*", metavar="MUTANT", default=None,
                   help="also run the engine checks (or --only) on deliberately wrong engines "
                        "(all, or these) and show which checks catch each; slow")
    p.add_argument("--workers", "-w", type=int, default=None,
                   help="checks (and mutants) run side by side (default: all cores)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    _add_output_options(p, CSV_TABLES["validate"])
    p.set_defaults(func=handlers["validate"])
    p = _parser(sub, "check-network",
                "an open network of single servers (your scenario) against Jackson's product "
                "form, position by position",
                "  service-chain check-network scenarios/examples/jackson_network.toml\n"
                "  service-chain check-network my_network.toml --runs 20 --days 2000 -w 4\n")
    _complete(p.add_argument("scenario", metavar="SCENARIO"), "file")
    p.add_argument("--runs", "-r", type=int, default=10,
                   help="replications, and how many to add at a time (default 10)")
    p.add_argument("--max-runs", type=int, default=None,
                   help="add replications until every figure has 90%% power, up to this many "
                        "(default 80, or --runs if more)")
    p.add_argument("--days", type=int, default=1000,
                   help="simulated days per replication, the first tenth a warm-up (default "
                        "1000, on a clock sped up to about 200 visits a day)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"root seed (default {DEFAULT_SEED})")
    p.add_argument("--workers", "-w", type=int, default=None,
                   help="worker processes (default: all cores)")
    p.set_defaults(func=handlers["check-network"])
    p = _parser(sub, "discover",
                "build a scenario from an event log (CSV or XES): who hands work to whom, "
                "demand, time per visit, calendars",
                "  service-chain discover incidents.csv.gz -o my_org.toml\n"
                "  service-chain discover log.xes --level person -o people.toml\n"
                "  service-chain discover tickets.csv --case id --time changed --status status "
                "--team queue --map-state 'Waiting for customer=waiting' -o helpdesk.toml\n")
    _complete(p.add_argument("log", metavar="LOG", help="a CSV or XES file (.gz too)"), "file")
    p.add_argument("--output", "-o", required=True, metavar="OUT.toml",
                   help="the scenario to write (its CSV files and discovery record go beside it)")
    p.add_argument("--level", choices=("team", "person"), default="team",
                   help="a position is a team (default) or a person")
    _add_log_options(p)
    p.add_argument("--utilisation", type=float, default=None, metavar="U",
                   help="servers' utilisation at the observed load, in (0, 1): how each visit is "
                        "split between work and waiting on others (default 0.75, an assumption: "
                        "the log has elapsed times, not effort)")
    p.add_argument("--service", choices=("auto", "working", "split"), default="auto",
                   help="how a visit's time is shared between work and waiting on others: "
                        "working (the log times work), split (a stated utilisation); auto: "
                        "working for logs with start and complete events, else split")
    p.add_argument("--calendars", action="store_true",
                   help="give positions whose own activity keeps other hours or weekdays than "
                        "the organization's those as working calendars (off shift they take no "
                        "work); off by default: a team's quiet hours are not always hours off")
    p.add_argument("--from", dest="start", default=None, metavar="DATE",
                   help="first case start to use (default: the log's busy period)")
    p.add_argument("--to", dest="end", default=None, metavar="DATE",
                   help="last case start to use (default: the log's busy period)")
    p.add_argument("--force", action="store_true", help="overwrite files that exist")
    p.set_defaults(func=handlers["discover"])
    p = _parser(sub, "fit",
                "how well a scenario reproduces a real log on a held-out period, beside a "
                "baseline", "  service-chain fit incidents.csv.gz\n"
                "  service-chain fit incidents.csv.gz my_org.toml --runs 5 -o fit.md\n")
    _complete(p.add_argument("log", metavar="LOG", help="a CSV or XES file (.gz too)"), "file")
    _complete(p.add_argument("scenario", metavar="SCENARIO", nargs="?", default=None,
                             help="the scenario to test (default: discovered from the log's "
                                  "first part)"), "file")
    p.add_argument("--level", choices=("team", "person"), default="team",
                   help="a position is a team (default) or a person")
    _add_log_options(p)
    p.add_argument("--train-share", type=float, default=0.7, metavar="SHARE",
                   help="share of the period (in working time) discovery sees (default 0.7)")
    p.add_argument("--runs", "-r", type=int, default=3, help="replications (default 3)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"root seed (default {DEFAULT_SEED})")
    p.add_argument("--warm-up", type=int, default=20, metavar="DAYS",
                   help="working days the model runs before the held-out period (default 20)")
    p.add_argument("--utilisation", type=float, default=None, metavar="U",
                   help="as for discover (default 0.75)")
    p.add_argument("--service", choices=("auto", "working", "split"), default="auto",
                   help="as for discover")
    p.add_argument("--from", dest="start", default=None, metavar="DATE",
                   help="first case start to use (default: the log's busy period)")
    p.add_argument("--to", dest="end", default=None, metavar="DATE",
                   help="last case start to use (default: the log's busy period)")
    p.add_argument("--output", "-o", default=None, metavar="FILE",
                   help="also write the table (.md or .csv)")
    p.set_defaults(func=handlers["fit"])
    p = _parser(sub, "report", "write the interactive HTML report of a results folder",
                "  service-chain report results/cmp -o report.html\n"
                "  service-chain report results/sobol\n")
    _complete(p.add_argument("folder", metavar="OUT_DIR",
                             help="the --out folder of compare, demo, sweep"), "dir")
    p.add_argument("--output", "-o", default=None,
                   help="where to write the HTML (default OUT_DIR/report.html)")
    p.add_argument("--title", default=None, help="title of the report")
    p.set_defaults(func=handlers["report"])
    p = _parser(sub, "schema", "print the JSON Schema of scenario files (or their docs)",
                "  service-chain schema > scenario.schema.json\n"
                "  service-chain schema --docs -o scenarios/README.md\n")
    p.add_argument("--docs", action="store_true", help="Markdown documentation instead")
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.set_defaults(func=handlers["schema"])
    p = _parser(sub, "completion", "print the shell completion script (bash, zsh or tcsh)",
                "  service-chain completion bash > ~/.local/share/bash-completion/completions/"
                "service-chain\n"
                "  service-chain completion zsh > ~/.zfunc/_service-chain  # fpath+=(~/.zfunc)\n"
                "  service-chain completion tcsh > ~/.service-chain.tcsh  # source it in .tcshrc\n"
                "\nThe script is static: write it once, and again after an upgrade adds "
                "options.\n")
    p.add_argument("shell", choices=SHELLS, metavar="SHELL",
                   help=f"one of {', '.join(SHELLS)}")
    p.set_defaults(func=handlers["completion"])
    return parser
