"""Every parameter has a default, a model builds with no arguments, bad values are named."""

from __future__ import annotations

import math

import pytest

from simulation import OrgModel, Scenario


def test_model_builds_and_runs_with_no_arguments() -> None:
    model = OrgModel()
    model.run_for(2)
    k = model.kpis()
    assert k["days"] == 2 and k["external_completed"] > 0
    assert len(model.daily()) == 2
    assert model.scenario == Scenario()


def test_run_uses_the_scenario_length() -> None:
    model = OrgModel(Scenario(days=3), rng=1).run()
    assert model.steps == 3 and model.time == 3.0


@pytest.mark.parametrize(("build", "message"), [
    (lambda: Scenario(days=0), "Scenario.days = 0 is not allowed"),
    (lambda: Scenario().with_people(initial_morale=1.5),
     r"People.initial_morale = 1.5 is not allowed: a number in \[0, 1\]"),
    (lambda: Scenario().with_customers(patience=0), "Customers.patience = 0 is not allowed"),
    (lambda: Scenario().with_customers(negative_ratio=0.5), "negative word of mouth"),
    (lambda: Scenario().with_work(communication=2), "Work.communication = 2 is not allowed"),
    (lambda: Scenario().with_work(max_depth=0), "Work.max_depth = 0"),
    (lambda: Scenario().with_people(quit_rate_per_month=math.nan), "quit_rate_per_month"),
])
def test_bad_values_name_the_section_key_value_and_what_is_allowed(build, message) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_unknown_keys_are_refused_not_ignored() -> None:
    with pytest.raises(TypeError, match="pateince"):
        Scenario().with_customers(pateince=3)


def test_sections_must_have_the_right_type() -> None:
    with pytest.raises(TypeError, match=r"Scenario\.people must be a People"):
        Scenario(people={"enabled": False})  # type: ignore[arg-type]


def test_daily_series_have_every_documented_column() -> None:
    from simulation.model import DAILY_SERIES

    df = OrgModel(rng=0).run(3).daily()
    for column in DAILY_SERIES:
        assert column in df.columns
    assert {"utilisation_level_0", "utilisation_level_1", "utilisation_level_2"} <= set(df)
    assert df.active_customers.iloc[0] > 0


def test_records_need_keep_records() -> None:
    with pytest.raises(RuntimeError, match="keep_records=True"):
        OrgModel(rng=0).records()


def test_memory_stays_bounded_without_records() -> None:
    model = OrgModel(rng=0).run(20)
    assert model.metrics.records == []
