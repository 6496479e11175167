"""Shared fixtures: small graphs for queueing checks and a short-run helper."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from simulation import OrgModel, Scenario

# Property tests draw the same examples on every run, so a clean clone's CI passes or fails
# for the code, never for the draw (a failure found once is kept in the test, not in luck).
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.load_profile("repeatable")


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium for the browser tests: skipped without it, except in CI."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
    pytest.skip("Debian's chromium is not installed here (apt-get install chromium)")


@pytest.fixture
def small_scenario() -> Scenario:
    """A 7-person pyramid with 100 customers that keeps its records."""
    from simulation import Pyramid

    return Scenario(design=Pyramid(levels=2, span=6), keep_records=True).with_customers(
        count=240
    )


def run(scenario: Scenario | None = None, days: int = 10, seed: int = 1, **kwargs) -> OrgModel:
    """Build and run a model."""
    model = OrgModel(scenario, rng=seed, **kwargs)
    model.run_for(days)
    return model


def write_files(root, files: dict) -> None:
    """Write ``{name: text or bytes}`` under ``root`` (None: skip), making folders."""
    for name, content in files.items():
        if content is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


HOSTILE = "<script>alert(1)</script>"


def run_small_comparison(folder, hostile: bool = False, runs: int = 3, days: int = 12):
    """The bundled pyramid against the inverted pyramid (renamed hostile if asked), 1 worker."""
    import dataclasses

    from simulation import compare, load_scenario

    inverted = load_scenario("inverted_pyramid")
    if hostile:
        inverted = dataclasses.replace(inverted, name=HOSTILE,
                                       description="<img src=x onerror=alert(2)> & co")
    return compare([load_scenario("pyramid"), inverted], runs, days=days, out=folder,
                   workers=1)


@pytest.fixture(scope="module")
def small_comparison(tmp_path_factory):
    """A finished small comparison (3 paired runs x 12 days) with its folder."""
    return run_small_comparison(tmp_path_factory.mktemp("comparison"))
