"""Write the trimmed extract of the UCI incident log that the tests and docs use.

    python tools/make_log_extract.py ../shared/data/uci498_incident_event_log.csv.gz

Keeps every update of the incidents opened in one week (Monday 2016-03-07 to Sunday
2016-03-13) and the columns a service chain needs, gzip-compressed without a time stamp so the
file is the same byte for byte each time. Source: Amaral, Fantinato, Peres (2018), Incident
management process enriched event log, UCI Machine Learning Repository, doi:10.24432/C57S4H,
CC BY 4.0.
"""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import pandas as pd

COLUMNS = ["number", "incident_state", "sys_mod_count", "sys_updated_at", "opened_at",
           "assignment_group", "assigned_to", "contact_type", "priority"]
OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "incidents_week.csv.gz"


def main(source: str) -> None:
    """Write the extract from the full log at ``source``."""
    log = pd.read_csv(source, dtype=str, keep_default_na=False, usecols=COLUMNS)[COLUMNS]
    opened = pd.to_datetime(log["opened_at"], format="%d/%m/%Y %H:%M")
    keep = (opened >= "2016-03-07") & (opened < "2016-03-14")
    text = log[keep].to_csv(index=False, lineterminator="\n")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as fh:
        fh.write(text.encode("utf-8"))
    OUT.write_bytes(buffer.getvalue())
    print(f"{OUT}: {int(keep.sum())} rows, {log[keep]['number'].nunique()} incidents, "
          f"{len(buffer.getvalue())} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
