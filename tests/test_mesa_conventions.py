"""Mesa's conventions kept: Mesa's ``scenario`` slot, keyword knobs, ``batch_run`` and SolaraViz's
Reset (issue 20)."""

from __future__ import annotations

import warnings

import mesa
import pandas as pd
import pytest
from mesa.experimental.scenarios import Scenario as MesaScenario

from simulation import OrgModel, Scenario, load_scenario
from simulation.config.knobs import KNOBS, with_knobs


def test_batch_run_with_knobs_gives_eight_runs_that_differ_where_they_should() -> None:
    """The issue's call: 2 communications x 2 designs x 2 seeds. The design moves delay; the seed
    moves it; communication does not on these two designs (no work crosses a department), and
    does on silos, where it does."""
    rows = pd.DataFrame(mesa.batch_run(
        OrgModel, parameters={"communication": [0, 1], "design": ["pyramid", "inverted_pyramid"]},
        rng=[1, 2], max_steps=20, display_progress=False))
    assert len(rows) == 8 and (rows.Step == 20).all()
    delay = rows.set_index(["design", "communication", "rng"]).mean_delay
    assert delay.notna().all() and (delay > 0).all()
    for d in ("pyramid", "inverted_pyramid"):
        for r in (1, 2):
            assert delay[d, 0, r] == delay[d, 1, r]  # nothing crosses a boundary
    for c in (0, 1):
        for r in (1, 2):
            assert delay["pyramid", c, r] != delay["inverted_pyramid", c, r]
        assert delay["pyramid", c, 1] != delay["pyramid", c, 2]
    silos = pd.DataFrame(mesa.batch_run(
        OrgModel, parameters={"communication": [0.0, 1.0], "design": "silos"}, rng=[1],
        max_steps=20, display_progress=False)).set_index("communication").mean_delay
    assert silos[0.0] > silos[1.0] * 1.2  # hand-offs slow work down where communication is poor


def test_the_scenario_slot_is_mesas_and_the_configuration_is_config() -> None:
    model = OrgModel(load_scenario("silos"), rng=3)
    assert isinstance(model.scenario, MesaScenario) and model.scenario.rng == 3
    assert isinstance(model.config, Scenario) and model.config.name == "silos"
    assert model.scenario.model is model
    assert dict(model.scenario) == {"rng": 3}


def test_the_old_name_works_for_one_release_with_a_warning() -> None:
    config = load_scenario("silos")
    with pytest.warns(DeprecationWarning, match=r"OrgModel\(scenario=\.\.\.\).*config"):
        old = OrgModel(scenario=config, rng=1)
    assert old.config is config
    with pytest.warns(DeprecationWarning, match=r"model\.scenario\.people is deprecated.*"
                                                r"model\.config\.people"):
        people = old.scenario.people
    assert people is config.people
    with pytest.raises(AttributeError):
        _ = old.scenario.not_a_field
    with pytest.raises(TypeError, match="pass the configuration once"):
        OrgModel(config, scenario=config)


def test_mesas_scenario_seeds_the_model_as_rng_does() -> None:
    a = OrgModel(scenario=MesaScenario(rng=5)).run(5).kpis()
    b = OrgModel(rng=5).run(5).kpis()
    assert a == b
    with pytest.raises(ValueError, match="differ: give the seed once"):
        OrgModel(rng=4, scenario=MesaScenario(rng=5))
    with pytest.raises(TypeError, match="Mesa's Scenario"):
        OrgModel(scenario="pyramid")


def test_knobs_set_the_scenario_and_refuse_what_a_design_lacks() -> None:
    model = OrgModel(design="silos", communication=0.9, manager_rate=7, approval_prob=0.2,
                     quit_sensitivity=2, rng=1)
    c = model.config
    assert (c.work.communication, c.design.head_rate, c.design.approval_prob,
            c.people.quit_sensitivity) == (0.9, 7.0, 0.2, 2.0)
    pyramid = OrgModel(design="pyramid", manager_rate=7, reporting_rate=1.0, rng=1).config
    assert (pyramid.design.manager_rate, pyramid.design.reporting_rate) == (7.0, 1.0)
    assert OrgModel(rng=1).config == Scenario()  # no knob, no design: the default pyramid
    assert with_knobs(Scenario(), communication=None) == Scenario()  # None keeps
    with pytest.raises(ValueError, match=r"reporting_rate = 0.5: the silos design \(Silos\) "
                                         r"has no such parameter; it applies to Hierarchy"):
        OrgModel(design="silos", reporting_rate=0.5)
    with pytest.raises(ValueError, match=r"manager_rate = 9: the flat_team design"):
        OrgModel(design="flat_team", manager_rate=9)
    with pytest.raises(ValueError, match=r"communication = 2 is not allowed: .*1"):
        OrgModel(communication=2)
    with pytest.raises(ValueError, match=r"communication = 'high' is not allowed: a number"):
        OrgModel(communication="high")
    with pytest.raises(ValueError, match=r"design = 'pyramids' is not allowed: one of .*silos"):
        OrgModel(design="pyramids")
    with pytest.raises(TypeError, match="both config and design"):
        OrgModel(Scenario(), design="silos")
    assert set(KNOBS) == {"communication", "manager_rate", "reporting_rate", "approval_prob",
                          "quit_sensitivity"}


def test_solaraviz_reset_rebuilds_the_model_from_its_parameters() -> None:
    """What SolaraViz does on Reset: check the parameters, then build ``type(model)(**kwargs)``
    with a fresh scenario of the same class (before, it refused the project's Scenario)."""
    viz = pytest.importorskip("mesa.visualization.solara_viz")
    model = OrgModel(design="silos", rng=1)
    params = {"design": "silos", "communication": 0.2, "manager_rate": 10.0, "rng": 7}
    viz._check_model_params(model, params)
    kwargs = viz._build_model_init_kwargs(model, params, add_scenario_when_empty=True,
                                          require_model_accepts_scenario=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = type(model)(**kwargs)
    assert again.config.work.communication == 0.2 and again.config.design.head_rate == 10.0
    assert again.scenario.rng == 7 and again.steps == 0
    assert again.run(3).kpis() == OrgModel(design="silos", communication=0.2, manager_rate=10,
                                           rng=7).run(3).kpis()


def test_a_mesa_scenario_carries_the_knobs_and_nothing_else() -> None:
    """Knobs and design in Mesa's scenario are used, not ignored; anything else is refused; a
    scenario already seeding a model is not shared with another."""
    model = OrgModel(scenario=MesaScenario(rng=1, design="silos", communication=0.0))
    assert model.config.name == "silos" and model.config.work.communication == 0.0
    assert model.scenario.communication == 0.0  # and it says so
    with pytest.raises(TypeError, match="scenario parameter 'bogus' is not one of the model's"):
        OrgModel(scenario=MesaScenario(rng=1, bogus=3))
    with pytest.raises(ValueError, match=r"communication = 0\.5 and scenario\.communication"):
        OrgModel(communication=0.5, scenario=MesaScenario(rng=1, communication=0.0))
    with pytest.raises(ValueError, match=r"design = 'pyramid' and scenario\.design = 'silos'"):
        OrgModel(design="pyramid", scenario=model.scenario)
    other = OrgModel(scenario=model.scenario)
    assert other.scenario is not model.scenario and model.scenario.model is model
    assert other.config.name == "silos"  # the design it carried
    assert other.run(3).kpis() == OrgModel(design="silos", communication=0.0, rng=1).run(
        3).kpis()


def test_seeds_are_recorded_and_numbers_of_any_kind_accepted() -> None:
    import numpy as np

    seq = np.random.SeedSequence(7, spawn_key=(2,))
    model = OrgModel(rng=seq)
    assert model.scenario.rng is seq  # Mesa's record of the seed, not lost
    assert OrgModel(rng=np.random.default_rng(1)).scenario.rng is None  # a generator is no seed
    m = OrgModel(design="pyramid", manager_rate=np.int64(10), approval_prob=np.float32(0.25))
    assert (m.config.design.manager_rate, m.config.design.approval_prob) == (10.0, 0.25)
    with pytest.raises(ValueError, match="a number"):
        OrgModel(communication=np.bool_(True))
    with pytest.raises(TypeError, match="config must be a Scenario"):
        OrgModel("pyramid", communication=0.5)  # the type, before the knob


def test_the_old_names_methods_are_forwarded_too() -> None:
    model = OrgModel(rng=1)
    with pytest.warns(DeprecationWarning, match=r"model\.scenario\.with_work is deprecated"):
        changed = model.scenario.with_work(communication=0.9)
    assert changed == model.config.with_work(communication=0.9)
    assert "_owner" not in model.scenario.to_dict()
