"""The students' notebooks: stored clean, built as the issue asks, and they run first time."""

from __future__ import annotations

import re
import time
from pathlib import Path
from queue import Empty
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = [
    "01_your_first_service_chain.ipynb",
    "02_pyramid_vs_inverted_pyramid.ipynb",
    "03_breaking_the_chain.ipynb",
    "04_sweeps_and_sensitivity.ipynb",
    "05_is_the_model_right.ipynb",
    "06_your_organization_from_its_log.ipynb",
]


def _sliced(get_msg: Any, step: float = 1.0) -> Any:
    """``get_msg`` that polls in slices of ``step`` seconds up to the caller's timeout."""
    async def get(timeout: float | None = None) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = step if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await get_msg(timeout=min(step, left))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    return get


class SlicedClient(NotebookClient):
    """A notebook client that never waits out a lost wakeup.

    pyzmq's descriptors are edge-triggered: under asyncio a message can arrive without waking
    the poll, which then finds it only when its timeout fires. nbclient polls for a cell's reply
    once with the whole cell timeout, so one lost wakeup stalled the suite for 600 s (4 of 9 full
    runs took 12 minutes instead of 3; the kernel had run every cell and sat idle). Polling in
    one-second slices bounds the stall to a second; the cell timeout is unchanged.
    """

    async def async_start_new_kernel_client(self) -> Any:
        kc = await super().async_start_new_kernel_client()
        for channel in (kc.shell_channel, kc.iopub_channel):
            channel.get_msg = _sliced(channel.get_msg)
        return kc


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(FOLDER / name, as_version=4)


def _code(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_the_notebooks_are_there_and_linked_from_the_readme() -> None:
    assert sorted(p.name for p in FOLDER.glob("*.ipynb")) == NAMES
    readme = (FOLDER.parent / "README.md").read_text()
    for name in NAMES:
        assert f"notebooks/{name}" in readme


@pytest.mark.parametrize("name", NAMES)
def test_stored_without_outputs(name: str) -> None:
    nb = _read(name)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: a code cell was saved with its outputs"
            assert cell.execution_count is None, f"{name}: a code cell has an execution count"


@pytest.mark.parametrize("name", NAMES)
def test_a_scale_constant_first_and_exercises_last(name: str) -> None:
    nb = _read(name)
    assert re.search(r"^SCALE = 1\b", _code(nb)[0], re.M), "the first code cell sets SCALE"
    last = nb.cells[-1]
    assert last.cell_type == "markdown" and "## Exercises" in last.source
    assert 2 <= len(re.findall(r"^\d\. ", last.source, re.M)) <= 3


def test_interactive_and_the_reports_figures() -> None:
    first = "\n".join(_code(_read(NAMES[0])))
    assert "widgets.interact" in first and "FloatSlider" in first
    for name in NAMES[:4]:
        assert re.search(r"plots\.\w+\(", "\n".join(_code(_read(name)))), name
    third = "\n".join(_code(_read(NAMES[2])))
    assert "class " in third and "(Employee)" in third and "employee_cls=" in third


@pytest.mark.parametrize("name", NAMES)
def test_runs_first_time(name: str, tmp_path: Path) -> None:
    """Executed top to bottom in a fresh kernel; any error in any cell fails the test."""
    nb = _read(name)
    SlicedClient(nb, timeout=600, kernel_name="python3",
                 resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert len(shown) >= 4, "the notebook shows its results"


def test_notebook_01s_slider_moves_what_it_shows(monkeypatch, capsys) -> None:
    """The communication slider's callback at two values prints different figures, and the
    figure keeps every setting tried (on the pyramid it moved nothing: no work crossed
    departments)."""
    import contextlib
    import io

    import ipywidgets
    import plotly.graph_objects as go

    callbacks, figures = [], []
    monkeypatch.setattr(ipywidgets, "interact", lambda f, **kw: callbacks.append((f, kw)))
    monkeypatch.setattr(go.Figure, "show", lambda self, *a, **k: figures.append(self))
    space: dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for source in _code(_read(NAMES[0])):
            if "widgets.interact" in source:
                exec(compile(source, "notebook 01", "exec"), space)
                break
            if not source.lstrip().startswith(("plots.", "edges", "nodes")):
                exec(compile(source, "notebook 01", "exec"), space)
    (run_with, controls), = callbacks
    assert controls["communication"].description == "communication"
    capsys.readouterr()
    shown = []
    for value in (0.0, 1.0):
        run_with(value)
        shown.append(capsys.readouterr().out.split(":", 1)[1])
    assert shown[0] != shown[1]
    delays = [float(re.search(r"mean delay ([\d.]+)", s).group(1)) for s in shown]
    assert delays[1] < delays[0]  # better communication: less delay
    assert len({t.name for t in figures[-1].data if t.name}) == 2  # both settings kept
    assert "one run each" in figures[-1].layout.title.text
