"""Every parameter has a default, a model builds with no arguments, bad values are named."""

from __future__ import annotations

import math

import pytest

from simulation import CobbDouglas, Compensatory, OrgModel, People, Scenario


def test_model_builds_and_runs_with_no_arguments() -> None:
    model = OrgModel()
    model.run_for(2)
    k = model.kpis()
    assert k["days"] == 2 and k["external_completed"] > 0
    assert len(model.daily()) == 2
    assert model.config == Scenario()


def test_run_uses_the_scenario_length() -> None:
    model = OrgModel(Scenario(days=3), rng=1).run()
    assert model.steps == 3 and model.time == 3.0


@pytest.mark.parametrize(("build", "key", "rule"), [
    (lambda: Scenario(days=0), "days", "greater than or equal to 1"),
    (lambda: Scenario().with_people(initial_morale=1.5), "initial_morale",
     "less than or equal to 1"),
    (lambda: Scenario().with_customers(patience=0), "patience", "greater than 0"),
    (lambda: Scenario().with_customers(negative_ratio=0.5), "negative_ratio",
     "greater than or equal to 1"),
    (lambda: Scenario().with_work(communication=2), "communication", "less than or equal to 1"),
    (lambda: Scenario().with_work(max_depth=0), "max_depth", "greater than or equal to 1"),
    (lambda: Scenario().with_people(quit_rate_per_month=math.nan), "quit_rate_per_month",
     "less than or equal to 1"),
    (lambda: Scenario().with_customers(pateince=3), "pateince", "Unexpected keyword argument"),
    (lambda: Scenario(people=5), "people", "People"),
    (lambda: Scenario().with_work(quality_rule="weakest"), "quality_rule",
     "unknown quality rule 'weakest'; choose one of compensatory, cobb_douglas, weakest_link"),
])
def test_bad_values_name_the_key_the_value_and_what_is_allowed(build, key, rule) -> None:
    with pytest.raises(ValueError) as err:
        build()
    message = str(err.value)
    assert key in message and rule in message


def test_sections_and_strategies_can_be_given_as_plain_data() -> None:
    s = Scenario(people={"enabled": False}, work={"quality_rule": "cobb_douglas"})
    assert s.people == People(enabled=False)
    assert s.work.quality_rule == CobbDouglas()
    assert Scenario().with_work(quality_rule={"kind": "compensatory", "input_dependence": 0.2}
                                ).work.quality_rule == Compensatory(0.2)


def test_daily_series_have_every_documented_column() -> None:
    from simulation.model.collector import DAILY_SERIES

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
