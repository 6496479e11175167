"""A hostile user's event logs: every mistake exits 2 naming the file and the row (or the key),
never a traceback; each row of the table writes its files and runs ``discover`` in this process.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from conftest import write_files

from simulation.cli.commands import main

OK = ("case,time,status,team\n"
      "1,2026-01-05 09:00,new,a\n1,2026-01-05 10:00,working,b\n1,2026-01-05 11:00,done,b\n"
      "2,2026-01-06 09:30,new,a\n2,2026-01-06 12:00,done,a\n")
DISCOVER = ["discover", "log.csv", "-o", "out.toml"]
#: Two weeks of cases at one team, two hours long, every working day (no hand-over at all).
LONG = "case,time,status,team\n" + "".join(
    f"{d}{h},2026-01-{5 + d:02d} {9 + h}:00,new,desk\n{d}{h},2026-01-{5 + d:02d} {11 + h}:00,done,"
    "desk\n" for d in range(12) for h in range(4))

#: (id, files, command line, exit code, fragment of the output)
CASES: list[tuple[str, dict, list[str], int, str]] = [
    ("a good log", {"log.csv": OK}, DISCOVER, 0, "wrote out.toml"),
    ("empty file", {"log.csv": ""}, DISCOVER, 2, "log.csv: the log is empty"),
    ("header only", {"log.csv": "case,time,status,team\n"}, DISCOVER, 2,
     "a header but no events"),
    ("no case column", {"log.csv": "id2,time,status,team\n1,2026-01-05 09:00,new,a\n"},
     DISCOVER, 2, "row 1 (header): no column for the case id; name it with --case"),
    ("no state column", {"log.csv": "case,time,foo,team\n1,2026-01-05 09:00,new,a\n"},
     DISCOVER, 2, "no column for the state or activity; name it with --status"),
    ("no time column", {"log.csv": "case,when2,status,team\n1,x,new,a\n"}, DISCOVER, 2,
     "no timestamp column"),
    ("no team or resource", {"log.csv": "case,time,status\n1,2026-01-05 09:00,new\n"},
     DISCOVER, 2, "no team or resource column"),
    ("named column missing", {"log.csv": OK}, [*DISCOVER, "--team", "group"], 2,
     "no column 'group' for the team"),
    ("bad time on row 4", {"log.csv": OK.replace("2026-01-05 11:00", "yesterday")}, DISCOVER,
     2, "log.csv: row 4: time 'yesterday' is not a time"),
    ("blank time", {"log.csv": OK.replace("2026-01-05 10:00", "")}, DISCOVER, 2,
     "row 3: no timestamp"),
    ("time not in the given format", {"log.csv": OK},
     [*DISCOVER, "--time-format", "%d/%m/%Y %H:%M"], 2, "row 2: time '2026-01-05 09:00' is "
     "not in the format"),
    ("day and month ambiguous",
     {"log.csv": "case,time,status,team\n1,01/02/2026 09:00,new,a\n1,03/04/2026 10:00,done,a\n"},
     DISCOVER, 2, "both day first and month first"),
    ("unknown state", {"log.csv": OK.replace("working", "Pending approval")}, DISCOVER, 2,
     "row 3: state 'Pending approval' is not mapped to a kind"),
    ("unknown state mapped", {"log.csv": OK.replace("working", "Pending approval")},
     [*DISCOVER, "--map-state", "Pending approval=working"], 0, "wrote out.toml"),
    ("map-state without a kind", {"log.csv": OK}, [*DISCOVER, "--map-state", "Pending"], 2,
     "NAME=KIND"),
    ("map-state to no kind", {"log.csv": OK}, [*DISCOVER, "--map-state", "new=later"], 2,
     "not a kind; one of queued, working, waiting, done, ignore"),
    ("map-need without a kind", {"log.csv": OK}, [*DISCOVER, "--map-need", "Access"], 2,
     "VALUE=KIND"),
    ("map-need to no kind", {"log.csv": OK}, [*DISCOVER, "--map-need", "Access=help"], 2,
     "need 'Access' = 'help' is not allowed: one of materials, information, instruction"),
    ("unknown need on row 3",
     {"log.csv": OK.replace("status,team\n", "status,team,need\n").replace(",a\n", ",a,\n")
      .replace("working,b\n", "working,b,Access\n").replace(",b\n", ",b,\n")},
     DISCOVER, 2, "row 3: need 'Access' in column 'need' is not known"),
    ("a need mapped", {"log.csv": OK.replace("status,team\n", "status,team,need\n")
                       .replace(",a\n", ",a,\n").replace("working,b\n", "working,b,Access\n")
                       .replace(",b\n", ",b,\n")},
     [*DISCOVER, "--map-need", "Access=assistance"], 0, "wrote out.toml"),
    ("every case one event",
     {"log.csv": "case,time,status,team\n1,2026-01-05 09:00,new,a\n2,2026-01-05 10:00,new,a\n"},
     DISCOVER, 2, "row 2: every case has a single event"),
    ("every state ignored", {"log.csv": OK}, [*DISCOVER, "--map-state", "new=ignore",
                                              "--map-state", "working=ignore",
                                              "--map-state", "done=ignore"], 2,
     "every event is ignored"),
    ("no case id", {"log.csv": OK.replace("2,2026-01-06 09:30", ",2026-01-06 09:30")},
     DISCOVER, 2, "row 5: no case id"),
    ("time goes back in the order column",
     {"log.csv": "case,seq,time,status,team\n1,1,2026-01-05 10:00,new,a\n"
                 "1,2,2026-01-05 09:00,working,a\n1,3,2026-01-05 11:00,done,a\n"},
     [*DISCOVER, "--order", "seq"], 2, "row 3: time 2026-01-05 09:00:00 of case '1' is before"),
    ("time goes back, clamped",
     {"log.csv": "case,seq,time,status,team\n1,1,2026-01-05 10:00,new,a\n"
                 "1,2,2026-01-05 09:00,working,a\n1,3,2026-01-05 11:00,done,a\n"
                 "2,1,2026-01-06 10:00,new,a\n2,2,2026-01-06 11:00,done,a\n"},
     [*DISCOVER, "--order", "seq", "--clamp-times"], 0, "wrote out.toml"),
    ("order not a number",
     {"log.csv": "case,seq,time,status,team\n1,x,2026-01-05 10:00,new,a\n"
                 "1,2,2026-01-05 11:00,done,a\n"}, [*DISCOVER, "--order", "seq"], 2,
     "row 2: order 'x' in column 'seq' is not a number"),
    ("a row with an extra field", {"log.csv": OK.replace("new,a\n", "new,a,extra\n", 1)},
     DISCOVER, 2, "log.csv: row 2 has 5 fields, the header 4"),
    ("a row cut short", {"log.csv": OK.replace("working,b\n", "working\n")}, DISCOVER, 2,
     "log.csv: row 3 has 3 fields, the header 4: a row cut short?"),
    ("not UTF-8", {"log.csv": OK.replace("team", "t\xe9am").encode("latin-1")}, DISCOVER, 2,
     "not UTF-8"),
    ("truncated gzip", {"log.csv.gz": gzip.compress(OK.encode())[:30]},
     ["discover", "log.csv.gz", "-o", "out.toml"], 2, "log.csv.gz: "),
    ("a folder", {"logdir/x": "1"}, ["discover", "logdir", "-o", "out.toml"], 2, "is a folder"),
    ("no such log", {}, DISCOVER, 2, "log file not found"),
    ("XES not XML", {"log.xes": "<log><trace>"}, ["discover", "log.xes", "-o", "out.toml"], 2,
     "not readable as XES"),
    ("XES with no events", {"log.xes": "<log></log>"}, ["discover", "log.xes", "-o", "out.toml"],
     2, "no events"),
    ("complete before start",
     {"log.csv": "case,activity,start,end,team\n1,a,2026-01-05 10:00,2026-01-05 09:00,x\n"},
     DISCOVER, 2, "row 2: completes (2026-01-05 09:00:00) before it starts"),
    ("mapping file with an unknown key", {"log.csv": OK, "m.toml": 'colums = {case = "id"}\n'},
     [*DISCOVER, "--mapping", "m.toml"], 2, "m.toml: key 'colums' is not known (did you mean "
     "'columns'?)"),
    ("mapping file with an unknown role", {"log.csv": OK, "m.toml": '[columns]\ncas = "id"\n'},
     [*DISCOVER, "--mapping", "m.toml"], 2, "column role 'cas' is not known"),
    ("mapping file not TOML", {"log.csv": OK, "m.toml": "[columns\n"},
     [*DISCOVER, "--mapping", "m.toml"], 2, "m.toml: not valid TOML"),
    ("mapping file missing", {"log.csv": OK}, [*DISCOVER, "--mapping", "m.toml"], 2,
     "mapping file not found"),
    ("utilisation 1", {"log.csv": OK}, [*DISCOVER, "--utilisation", "1"], 2,
     "--utilisation 1.0 is not allowed: in (0, 1)"),
    ("output not TOML", {"log.csv": OK}, ["discover", "log.csv", "-o", "out.txt"], 2,
     "a .toml file name"),
    ("output exists", {"log.csv": OK, "out.toml": "x"}, DISCOVER, 2,
     "out.toml: exists; choose another --output or add --force"),
    ("output folder missing", {"log.csv": OK}, ["discover", "log.csv", "-o", "no/out.toml"], 2,
     "no such folder"),
    ("from is not a date", {"log.csv": OK}, [*DISCOVER, "--from", "soon"], 2,
     "--from 'soon' is not a date"),
    ("period with no case", {"log.csv": OK}, [*DISCOVER, "--from", "2030-01-01"], 2,
     "no case starts between"),
    # ------------------------------------------------------------------ found by a hostile battery
    ("from with a time zone", {"log.csv": LONG}, [*DISCOVER, "--from", "2026-01-05T00:00+01:00"],
     0, "wrote out.toml"),
    ("from empty", {"log.csv": OK}, [*DISCOVER, "--from", ""], 2, "--from '' is not a date"),
    ("from after to", {"log.csv": OK}, [*DISCOVER, "--from", "2026-02-01", "--to", "2026-01-01"],
     2, "is after --to"),
    ("all events at one time", {"log.csv": OK.replace("01-06", "01-05").replace("09:30", "09:00")
                                .replace("10:00", "09:00").replace("11:00", "09:00")
                                .replace("12:00", "09:00")}, DISCOVER, 2, "too short a period"),
    ("no case is done", {"log.csv": OK.replace("done", "working")}, DISCOVER, 2,
     "no case reaches a done state"),
    ("a time beyond 2261", {"log.csv": OK.replace("2026-01-05 11:00", "2300-01-01 11:00")},
     DISCOVER, 2, "row 4: time '2300-01-01 11:00' is outside the years 1678 to 2261"),
    ("person level without people", {"log.csv": OK}, [*DISCOVER, "--level", "person"], 2,
     "no event names a person"),
    ("dates without times", {"log.csv": "case,time,status,team\n1,2026-01-05,new,a\n"
                                        "1,2026-01-07,done,a\n2,2026-01-06,new,a\n"
                                        "2,2026-01-08,done,a\n"}, DISCOVER, 2,
     "every time is at midnight"),
    ("mapping with a bad kind", {"log.csv": OK, "m.toml": '[states]\nnew = "pending"\n'},
     [*DISCOVER, "--mapping", "m.toml"], 2, "m.toml: state 'new' = 'pending': not a kind"),
    ("mapping states not names", {"log.csv": OK, "m.toml": "[states]\nnew = 3\n"},
     [*DISCOVER, "--mapping", "m.toml"], 2, "[states] must be a table of names, e.g. "
     '"Waiting for customer" = "waiting"'),
    ("a simulated log into no folder", {}, ["run", "pyramid", "--days", "2", "--log",
                                            "nofolder/sim.csv"], 2, "no such folder 'nofolder'"),
]


@pytest.mark.parametrize(("files", "argv", "code", "fragment"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_hostile_log_exits_with_a_message(tmp_path: Path, monkeypatch, capsys, files: dict,
                                            argv: list[str], code: int, fragment: str) -> None:
    write_files(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    assert main(argv) == code, capsys.readouterr()
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert fragment in out + err, out + err


@pytest.mark.parametrize("log", [OK, LONG], ids=["hand-overs", "one team, no hand-over"])
def test_a_discovered_scenario_from_a_good_log_runs(tmp_path: Path, monkeypatch, capsys,
                                                    log: str) -> None:
    write_files(tmp_path, {"log.csv": log})
    monkeypatch.chdir(tmp_path)
    assert main(DISCOVER) == 0
    assert main(["run", "out.toml", "--days", "5"]) == 0
    assert "mean_delay" in capsys.readouterr().out


def test_to_a_day_takes_the_whole_day(tmp_path: Path, monkeypatch, capsys) -> None:
    write_files(tmp_path, {"log.csv": LONG})
    monkeypatch.chdir(tmp_path)
    assert main([*DISCOVER, "--from", "2026-01-05", "--to", "2026-01-09"]) == 0
    out = capsys.readouterr().out
    assert "20 cases opened 2026-01-05 09:00 to 2026-01-09 12:00" in out
