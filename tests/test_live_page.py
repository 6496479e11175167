"""The live page in a real browser: ``solara run app.py`` on 127.0.0.1, driven by Playwright.

It loads with no console error and no request leaving the machine, Step advances the day, Reset
returns to day 0, a slider moved before Reset changes what is plotted, and the network is drawn.
Set ``LIVE_SCREENSHOT`` to a path to keep the screenshot (CI does).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from simulation.cli.commands import OFFLINE

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server():
    """``solara run app.py`` with no network for assets and no telemetry; its address."""
    pytest.importorskip("solara_assets", reason="the live extra is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "solara", "run", "app.py", "--host", "127.0.0.1", "--port",
         str(port), "--production", "--no-open", "--no-check-version"], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **OFFLINE})
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"solara run app.py did not serve {url} (exit {proc.poll()})")
            time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _day(page) -> str:
    return page.locator("h3.day").inner_text()


def _delay(page) -> str:
    text = page.locator("h3.day + p").inner_text()
    match = re.search(r"mean delay so far: ([0-9.]+) days", text)
    assert match, text
    return match.group(1)


def _steps(page, n: int) -> None:
    for k in range(n):
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(f"document.querySelector('h3.day').innerText.startsWith("
                               f"'Day {k + 1}:')", timeout=30_000)


def _trends(page) -> str:
    """The trends picture: the second image (the network, the trends, where the chain breaks)."""
    return page.locator("img").nth(1).get_attribute("src") or ""


def test_the_live_page_steps_resets_and_shows_what_the_sliders_change(server, chromium,
                                                                     tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1200})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith((server, "data:", "blob:" + server.rstrip("/"),
                                         "ws://127.0.0.1")) else None)
        page.goto(server, timeout=90_000)
        page.wait_for_selector("h3.day", timeout=90_000)
        assert _day(page) == "Day 0: silos"
        images = page.locator("img")
        page.wait_for_function("document.querySelectorAll('img').length >= 3", timeout=30_000)
        widths = [images.nth(i).evaluate("e => e.naturalWidth") for i in range(3)]
        assert min(widths) > 200, widths  # the network, the trends, where the chain breaks

        _steps(page, 1)
        assert _day(page).startswith("Day 1:")
        page.get_by_role("button", name="Reset").click()
        page.wait_for_function("document.querySelector('h3.day').innerText.startsWith('Day 0:')",
                               timeout=30_000)

        _steps(page, 4)
        before, before_plot = _delay(page), _trends(page)
        slider = page.locator(".v-input", has_text="Communication").locator(".v-slider")
        slider.click(position={"x": 2, "y": 8})  # the far left: no communication at all
        page.get_by_role("button", name="Reset").click()
        page.wait_for_function("document.querySelector('h3.day').innerText.startsWith('Day 0:')",
                               timeout=30_000)
        assert "In force: communication 0 (0 to 1) (set);" in page.locator(
            ".day ~ p").all_inner_texts()[2]
        _steps(page, 4)
        after, after_plot = _delay(page), _trends(page)
        shot = tmp_path / "live.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert errors == [], errors
    assert outside == [], outside  # nothing fetched from outside the machine
    assert float(after) > float(before), (before, after)  # hand-offs take longer
    assert after_plot != before_plot
    assert shot.stat().st_size > 50_000
    keep = os.environ.get("LIVE_SCREENSHOT")
    if keep:  # CI keeps the picture
        shutil.copy(shot, keep)


def test_live_without_the_extra_or_with_a_bad_port_exits_2(monkeypatch, capsys) -> None:
    import importlib.util

    from simulation.cli.commands import main

    assert main(["live", "--port", "70000"]) == 2
    assert "--port 70000 is not allowed: 1 to 65535" in capsys.readouterr().err
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "solara_assets" else real(name, *a))
    assert main(["live"]) == 2
    assert "install the live extra" in capsys.readouterr().err


def test_the_page_says_what_is_in_force_and_what_is_set_aside() -> None:
    from simulation.live.model import LiveModel
    from simulation.live.page import model_params, status_lines

    model = LiveModel(design="silos", communication=0.25, reporting_rate=0.5, rng="7")
    model.run_for(3)
    lines = status_lines(model)
    assert lines[0] == "Day 3: silos" and model.scenario.rng == 7
    assert lines[3].startswith("In force: communication 0.25 (0 to 1) (set); manager capacity "
                               "20 tasks a day; approval share 0.1 (0 to 1);")
    assert any(line.startswith("Report frequency does not apply to silos") for line in lines)
    pyramid = status_lines(LiveModel(design="pyramid", communication=0.25, rng=1))
    assert any("communication has nothing to act on" in line for line in pyramid)
    params = model_params()
    assert params["design"]["value"] == "silos" and params["approval_prob"]["value"] == 0.1
    with pytest.raises(ValueError, match="seed = 'x1' is not allowed"):
        LiveModel(rng="x1")
    with pytest.raises(ValueError, match="seed = '²' is not allowed"):
        LiveModel(rng="²")


def test_a_slider_left_where_it_opened_keeps_the_designs_own_value() -> None:
    """The page's sliders open at the silos' values; Reset on the pyramid with them untouched
    runs the pyramid as bundled (before, it ran with the silos' approval share and report
    frequency), and a moved slider is set."""
    from simulation import load_scenario
    from simulation.live.model import PageModel, opening_values
    from simulation.live.page import model_params

    untouched = {k: p["value"] for k, p in model_params().items() if k in opening_values()}
    assert untouched == opening_values() and untouched["approval_prob"] == 0.1
    for design in ("pyramid", "inverted_pyramid", "silos", "flat_team"):
        model = PageModel(design=design, rng=1, **untouched)
        assert model.config == load_scenario(design) and model.applied == {}
    moved = PageModel(design="pyramid", rng=1, **{**untouched, "approval_prob": 0.5})
    assert moved.config.design.approval_prob == 0.5 and moved.applied == {"approval_prob": 0.5}
    assert moved.settings()["approval_prob"] == (0.5, True)
    assert moved.settings()["communication"] == (0.5, False)  # the pyramid's own


def test_a_students_subclass_survives_reset() -> None:
    """SolaraViz rebuilds ``type(model)(**parameters)`` on Reset: the class attribute stays."""
    from simulation.agents.employee import Employee
    from simulation.live.model import LiveModel

    class Tired(Employee):
        def target_morale(self) -> float:
            return 0.2

    class TiredLive(LiveModel):
        employee_class = Tired

    again = type(TiredLive(rng=1))(design="pyramid", rng=1)
    assert all(type(e) is Tired for e in again.employees)
    again.run_for(20)
    assert again.today["mean_morale"] < LiveModel(design="pyramid", rng=1).run(20).today[
        "mean_morale"] - 0.1
