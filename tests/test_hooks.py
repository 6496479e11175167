"""The table of hooks: complete, true, and the one source of the engine's gate and the docs."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from simulation import Customer, Employee, FlatTeam, OrgModel, Pyramid, Scenario, Vacancy
from simulation.agents.hooks import HOOKS, Override, Phase, hooks_of, markdown_table
from simulation.compiled import gate
from simulation.config.presets import queueing_network, rework_graph

README = Path(__file__).resolve().parents[1] / "README.md"
CLASSES = {"Employee": Employee, "Customer": Customer, "Vacancy": Vacancy}


def own_methods(cls: type) -> set[str]:
    """Methods the class itself defines (not Mesa's), public ones and the private mechanics."""
    return {name for name, value in vars(cls).items()
            if inspect.isfunction(value) and name != "__init__"}


@pytest.mark.parametrize("owner", sorted(CLASSES))
def test_every_method_has_exactly_one_row(owner: str) -> None:
    rows = [h.name for h in HOOKS if h.owner == owner]
    assert len(rows) == len(set(rows)), f"duplicate rows for {owner}"
    missing = own_methods(CLASSES[owner]) - set(rows)
    assert not missing, f"{owner} methods without a row in simulation/agents/hooks.py: {missing}"
    stale = set(rows) - own_methods(CLASSES[owner])
    assert not stale, f"rows naming no method of {owner}: {stale}"


def test_the_gate_lists_come_from_the_table() -> None:
    assert gate.EMPLOYEE_HOOKS == hooks_of("Employee", Override.PYTHON_PATH)
    assert set(gate.EMPLOYEE_HOOKS) >= {"priority", "experience", "accept", "_finish"}
    assert gate.DAILY_HOOKS == hooks_of("Employee", Override.PER_AGENT)
    assert set(gate.CUSTOMER_HOOKS) == {"perceived_value", "judge", "experience"}
    assert set(gate.CUSTOMER_DAILY_HOOKS) == {"leave_probability", "will_leave",
                                              "word_of_mouth", "leave"}
    assert all(h.override is Override.NOT_REPLACEABLE for h in HOOKS if h.owner == "Vacancy")


def test_mechanics_are_rows_of_their_own() -> None:
    mechanics = {h.name for h in HOOKS if h.phase is Phase.MECHANICS and h.owner == "Employee"}
    assert mechanics == {"accept", "_begin", "_finish", "busy_until_now",
                         "utilisation_since_last", "hand_over", "take_backlog", "give_back",
                         "_overtake", "_worked", "busy_until_now_of"}
    assert "not meant for overriding" in Employee.__doc__


def subclass_overriding(base: type, name: str) -> type:
    """A subclass that overrides ``name`` by calling the original (same behaviour), counting."""
    original = getattr(base, name)

    def same(self, *args, **kwargs):
        type(self).calls += 1
        return original(self, *args, **kwargs)

    return type(f"Overrides_{name}", (base,), {name: same, "calls": 0})


@pytest.mark.parametrize("hook", [h for h in HOOKS if h.owner != "Vacancy"],
                         ids=lambda h: f"{h.owner}.{h.name}")
def test_each_row_says_truly_what_overriding_costs(hook) -> None:
    """Override each method (calling the original): the engine chosen is the row's, the override
    is called (no engine skips it), and the results are those of the default model, bit for bit
    (no array pass differs from the methods it stands for)."""
    cls = subclass_overriding(CLASSES[hook.owner], hook.name)
    kwargs = {"employee_cls" if hook.owner == "Employee" else "customer_cls": cls}
    scenario = Scenario().with_people(quit_rate_per_month=0.3, hiring_delay=3.0)
    if hook.name == "needs_review":  # no bundled design reviews work
        scenario = queueing_network(rework_graph(), 0.5, days=25)
    if hook.name == "needs_approval":  # approvals are inputs unless they are gates
        scenario = Scenario(design=Pyramid(approval_gate=True))
    if hook.name == "give_back":  # only a manager acting on reports moves work
        scenario = Scenario(design=Pyramid(rebalancing=True))
    if hook.name == "take_backlog":  # only a post nobody covers holds a backlog
        scenario = Scenario(design=FlatTeam(size=1, helpers=0)).with_customers(count=60) \
            .with_people(interim=False, quit_rate_per_month=1.0, hiring_delay=2.0)
    model = OrgModel(scenario, rng=5, **kwargs)
    if hook.override is Override.PYTHON_PATH:
        assert not model.compiled
        assert f"overrides {hook.owner}.{hook.name}" in model.python_reason
    else:
        assert model.compiled
        per_agent = (model.day.array_people if hook.owner == "Employee"
                     else model.day.array_customers)
        assert not per_agent
    model.run(25)
    model.employee_summary()
    assert cls.calls > 0, f"the override of {hook.owner}.{hook.name} was never called"
    default = OrgModel(scenario, rng=5).run(25)
    assert model.kpis() == default.kpis()


def test_the_readme_table_is_generated_from_the_hooks() -> None:
    text = README.read_text()
    found = re.search(r"<!-- hooks:start -->\n(.*?)\n<!-- hooks:end -->", text, re.S)
    assert found, "README.md has no hooks section"
    assert found.group(1) == markdown_table(), (
        "README.md's hooks table is stale: regenerate it with "
        "python -c 'from simulation.agents.hooks import markdown_table; print(markdown_table())'")
