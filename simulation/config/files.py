"""Scenario files (TOML): loading with ``extends``, clear errors, JSON Schema and docs.

A file states only what differs from the defaults::

    name = "my_pyramid"
    extends = "pyramid"          # a bundled scenario or a path
    [organization]
    builder = "pyramid"          # pyramid, inverted_pyramid, two_way_street, hierarchy,
    span = 8                     # flat_team, silos, teams or org_chart
    [people]
    hiring_delay = 30

Every problem is reported with the file, the key path, the value and what is allowed, all at
once, as a :class:`ScenarioError` (a ``ValueError``).
"""

from __future__ import annotations

import difflib
import json
import tomllib
import typing
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from simulation.config.designs import (
    FlatTeam,
    Hierarchy,
    InvertedPyramid,
    OrgDesign,
    Pyramid,
    Silos,
    TwoWayStreet,
)
from simulation.config.orgdata import OrgChart, Teams
from simulation.config.scenario import Customers, People, Scenario, Work
from simulation.core.text import visible

BUILDERS: dict[str, type[OrgDesign]] = {
    "pyramid": Pyramid,
    "inverted_pyramid": InvertedPyramid,
    "two_way_street": TwoWayStreet,
    "hierarchy": Hierarchy,
    "flat_team": FlatTeam,
    "silos": Silos,
    "teams": Teams,
    "org_chart": OrgChart,
}
SECTIONS: dict[str, type] = {"work": Work, "people": People, "customers": Customers}
TOP_LEVEL = ("name", "description", "extends", "organization", "work", "people", "customers",
             "days", "replications", "keep_records")
PATH_KEYS = ("org_chart", "internal_customers")


class ScenarioError(ValueError):
    """One or more problems in a scenario file, each naming the file, key path and value."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def bundled_dir() -> Path:
    """Folder of the bundled scenarios (the repository's ``scenarios/`` or the installed copy)."""
    package = Path(__file__).resolve().parents[1]  # simulation/
    for candidate in (package.parent / "scenarios", package / "_scenarios"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the bundled scenarios folder is missing from this installation")


def bundled() -> dict[str, Path]:
    """Bundled scenario names and their files."""
    return {p.stem: p for p in sorted(bundled_dir().glob("*.toml"))}


def resolve(spec: str | Path, relative_to: Path | None = None) -> Path:
    """The file for a bundled scenario name or a path.

    Raises:
        ScenarioError: when it is neither, with the closest bundled names.
    """
    if not isinstance(spec, str | Path):
        raise ScenarioError([f"{spec!r}: a scenario is a bundled name or a file path (text)"])
    if not str(spec).strip():
        raise ScenarioError(["an empty scenario name: give a bundled name (pyramid, ...) or the "
                             "path of a .toml file"])
    path = Path(spec)
    candidates = [path] if path.is_absolute() else [
        *([relative_to / path] if relative_to else []), path]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    names = bundled()
    if str(spec) in names:
        return names[str(spec)]
    close = difflib.get_close_matches(str(spec), list(names), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ScenarioError([f"{spec}: no such scenario file, and no bundled scenario of that name"
                         f"{hint} (bundled: {', '.join(names)})"])


def _did_you_mean(key: str, allowed: list[str] | tuple[str, ...]) -> str:
    if not allowed:
        return ""
    close = difflib.get_close_matches(key, list(allowed), n=1)
    return (f"; did you mean {close[0]!r}?" if close else "") + f" (allowed: {', '.join(allowed)})"


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if key == "organization" and isinstance(value, dict) and isinstance(out.get(key), dict):
            same = value.get("builder", out[key].get("builder")) == out[key].get("builder")
            out[key] = _merge(out[key], value) if same else dict(value)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def read(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's table with ``extends`` applied and file paths made absolute."""
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise ScenarioError([f"{path}: extends forms a cycle ({cycle})"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError([f"{path}: not valid TOML: {err}"]) from None
    except UnicodeDecodeError as err:
        raise ScenarioError([f"{path}: not UTF-8 text (byte {err.start}: "
                             f"{err.object[err.start:err.start + 1]!r}); save it as UTF-8"]
                            ) from None
    except RecursionError:
        raise ScenarioError([f"{path}: nested too deeply to read (arrays or tables inside "
                             "each other hundreds of levels deep)"]) from None
    except OSError as err:
        raise ScenarioError([f"{path}: cannot be read: {err.strerror or err}"]) from None
    org = data.get("organization")
    if isinstance(org, dict):
        for key in PATH_KEYS:
            if isinstance(org.get(key), str) and org[key].strip():
                org[key] = str((path.parent / org[key]).resolve())
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError([f"{path}: extends = {parent!r} is not allowed: the name of a "
                             "bundled scenario or a path"])
    try:
        parent_path = resolve(parent, path.parent)
    except ScenarioError as err:
        raise ScenarioError([f"{path}: extends = {parent!r}: {p}" for p in err.problems]
                            ) from None
    base = read(parent_path, (*_chain, path))
    base.pop("name", None)
    return _merge(base, data)


def _keys_at(cls: Any, path: tuple[Any, ...]) -> tuple[str, ...]:
    """The keys allowed in the table at ``path`` below ``cls`` (() when it cannot be told).

    Walks dataclass fields, list items (an index) and tagged unions (a ``kind``), so that an
    unknown key in ``organization.teams.0`` is matched against a team's keys.
    """
    for step in path:
        if isinstance(step, int):
            continue
        choices = [c for c in _dataclasses_in(cls)
                   if step in {f.name for f in fields(c)} or _kind(c) == step]
        if not choices:
            return ()
        chosen = choices[0]
        if _kind(chosen) == step:
            cls = chosen
            continue
        hints = typing.get_type_hints(chosen, include_extras=True)
        cls = hints.get(step)
    found = _dataclasses_in(cls)
    return tuple(f.name for f in fields(found[0]) if f.name != "kind") if len(found) == 1 else ()


def _kind(cls: type) -> str | None:
    kind = next((f for f in fields(cls) if f.name == "kind"), None)
    return kind.default if kind is not None and isinstance(kind.default, str) else None


def _dataclasses_in(tp: Any) -> list[type]:
    """The dataclasses a type annotation can hold (through Annotated, unions and lists)."""
    if tp is None:
        return []
    if isinstance(tp, type) and is_dataclass(tp):
        return [tp]
    return [c for arg in typing.get_args(tp) for c in _dataclasses_in(arg)]


def _problems(err: ValidationError, source: str, prefix: str,
              allowed: tuple[str, ...] = (), cls: Any = None) -> list[str]:
    out = []
    for e in err.errors():
        loc = ".".join(str(x) for x in (prefix, *e["loc"]) if str(x) != "")
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] in ("unexpected_keyword_argument", "extra_forbidden"):
            here = _keys_at(cls, tuple(e["loc"][:-1])) if cls is not None and len(e["loc"]) > 1 \
                else allowed
            out.append(f"{source}: {loc}: unknown key{_did_you_mean(str(e['loc'][-1]), here)}")
        elif e["type"] in ("missing_argument", "missing"):
            out.append(f"{source}: {loc}: required key is missing")
        elif " is not allowed" in msg or msg.startswith(("dependencies[", "teams[")):
            out.append(f"{source}: {prefix}.{msg}" if prefix else f"{source}: {msg}")
        else:
            out.append(f"{source}: {loc} = {e.get('input')!r} is not allowed: "
                       f"{_plain(e['type'], e.get('ctx') or {}, msg)}")
    return out


#: Pydantic's error types in the words of the scenario docs' "range" column.
_RULES = {"less_than_equal": "at most {le}", "greater_than_equal": "at least {ge}",
          "greater_than": "more than {gt}", "less_than": "less than {lt}",
          "int_type": "an integer", "int_from_float": "an integer", "int_parsing": "an integer",
          "float_type": "a number", "float_parsing": "a number", "finite_number": "a finite number",
          "bool_type": "true or false", "bool_parsing": "true or false", "string_type": "text",
          "string_too_short": "text of at least {min_length} characters",
          "too_short": "a list of at least {min_length} items", "list_type": "a list",
          "dict_type": "a table", "literal_error": "one of {expected}"}


def _number(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return v
    if v == v and abs(v) < 1e15 and v == int(v):
        return f"{int(v):,}"
    return f"{v:g}"


def plain_error(error: Any) -> str:
    """One of pydantic's errors (an item of ``ValidationError.errors()``) in the docs' words."""
    return _plain(error["type"], error.get("ctx") or {},
                  error["msg"].removeprefix("Value error, "))


def _plain(kind: str, ctx: dict[str, Any], msg: str) -> str:
    rule = _RULES.get(kind)
    if rule is None:
        return msg
    try:
        return rule.format(**{k: _number(v) for k, v in ctx.items()})
    except (KeyError, ValueError):
        return msg


def _validate(cls: type, table: Any, source: str, prefix: str, problems: list[str]) -> Any:
    allowed = tuple(f.name for f in fields(cls) if f.name != "kind")
    if not isinstance(table, dict):
        problems.append(f"{source}: {prefix} = {table!r} is not allowed: a table of keys "
                        f"({', '.join(allowed)})")
        return None
    try:
        return TypeAdapter(cls).validate_json(json.dumps(table), strict=True)
    except ValidationError as err:
        problems.extend(_problems(err, source, prefix, allowed, cls))
        return None


def scenario_from_table(data: dict[str, Any], source: str = "<scenario>",
                        default_name: str = "scenario") -> Scenario:
    """Validate a scenario table (as read from TOML) into a :class:`Scenario`.

    Raises:
        ScenarioError: listing every problem found.
    """
    problems: list[str] = []
    for key in data:
        if key not in TOP_LEVEL:
            problems.append(f"{source}: {key}: unknown key{_did_you_mean(key, TOP_LEVEL)}")
    org = data.get("organization", {"builder": "pyramid"})
    design = None
    if not isinstance(org, dict):
        problems.append(f"{source}: organization = {org!r} is not allowed: a table with a "
                        f"builder ({', '.join(BUILDERS)}) and its keys")
    else:
        org = dict(org)
        builder = org.pop("builder", "pyramid")
        if not isinstance(builder, str) or builder not in BUILDERS:
            problems.append(f"{source}: organization.builder = {builder!r} is not allowed: "
                            f"unknown builder{_did_you_mean(str(builder), tuple(BUILDERS))}")
        else:
            design = _validate(BUILDERS[builder], org, source, "organization", problems)
    sections = {name: _validate(cls, data.get(name, {}), source, name, problems)
                for name, cls in SECTIONS.items()}
    scalars: dict[str, Any] = {"name": data.get("name", default_name),
                               "description": data.get("description", "")}
    for key in ("days", "replications", "keep_records"):
        if key in data:
            scalars[key] = data[key]
    for key, kind in (("name", str), ("description", str), ("days", int),
                      ("replications", int), ("keep_records", bool)):
        value = scalars.get(key)
        if value is not None and (not isinstance(value, kind) or
                                  (kind is int and isinstance(value, bool))):
            expected = {int: "an integer", bool: "true or false", str: "text"}[kind]
            problems.append(f"{source}: {key} = {value!r} is not allowed: expected {expected}")
    if problems:
        raise ScenarioError(problems)
    try:
        return Scenario(design=design, **sections, **scalars)
    except ValidationError as err:
        raise ScenarioError(_problems(err, source, "", TOP_LEVEL)) from None


def load_scenario(spec: str | Path, *, check_files: bool = True) -> Scenario:
    """Load a bundled scenario by name, or a scenario file by path.

    Args:
        spec: A bundled name (``pyramid``) or a path to a ``.toml`` file.
        check_files: Also read the organization's own files (org chart, internal-customer map)
            so their errors surface now rather than when a model is built.

    Raises:
        ScenarioError: naming the file, the key path, the value and what is allowed.
    """
    path = resolve(spec)
    scenario = scenario_from_table(read(path), str(path), default_name=path.stem)
    if check_files and isinstance(scenario.design, OrgChart):
        scenario.design.build(np.random.default_rng(0))  # raises OrgChartError with row/column
    return scenario


# --------------------------------------------------------------------------- writing


def _without_unset(value: Any) -> Any:
    """A dumped table with its unset (None) values left out: TOML has no null."""
    if isinstance(value, dict):
        return {k: _without_unset(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_unset(v) for v in value]
    return value


def scenario_table(scenario: Scenario) -> dict[str, Any]:
    """Every parameter of ``scenario`` as a scenario file's table, defaults included.

    Unset parameters (``None``, e.g. ``customers.count``) are left out, which is how a file
    leaves them unset. File paths (an org chart's) are the scenario's own, absolute when it was
    loaded from a file. :func:`scenario_from_table` of the table is ``scenario`` again.

    Raises:
        ScenarioError: when the design is not one of the builders a file can name.
    """
    builder = next((name for name, cls in BUILDERS.items() if type(scenario.design) is cls), None)
    if builder is None:
        raise ScenarioError([f"{scenario.name}: design {type(scenario.design).__name__} is not "
                             f"one a scenario file can name (builders: {', '.join(BUILDERS)})"])

    def dumped(obj: Any) -> dict[str, Any]:
        return _without_unset(TypeAdapter(type(obj)).dump_python(obj, mode="json"))

    return {"name": scenario.name, "description": scenario.description,
            "days": scenario.days, "replications": scenario.replications,
            "keep_records": scenario.keep_records,
            "organization": {"builder": builder, **dumped(scenario.design)},
            **{name: dumped(getattr(scenario, name)) for name in SECTIONS}}


def scenario_toml(scenario: Scenario, source: str = "") -> str:
    """``scenario`` as a TOML scenario file stating every parameter (``service-chain show``).

    Each table is headed by a comment naming its unset keys, if any. The file loads back
    (:func:`load_scenario`) as an equal scenario.

    Args:
        scenario: The scenario.
        source: Where it was read from, for the header comment.
    """
    import tomli_w

    table = scenario_table(scenario)
    top = {k: v for k, v in table.items() if not isinstance(v, dict)}
    def comment(value: object) -> str:  # one comment line: TOML allows no control character
        return visible(str(value)).replace("\n", "\\n")

    lines = [f"# Scenario {comment(scenario.name)} with every parameter resolved (extends "
             "applied, defaults included),", "# written by service-chain show"
             + (f" from {comment(source)}" if source else "") + ".",
             "# File paths are absolute, so this file loads from any folder.", "",
             tomli_w.dumps(top).rstrip("\n")]
    parts = {"organization": scenario.design, **{n: getattr(scenario, n) for n in SECTIONS}}
    for name, part in parts.items():
        unset = [f.name for f in fields(part) if getattr(part, f.name) is None]
        lines.append("")
        if unset:
            lines.append(f"# unset in [{name}]: {', '.join(unset)}")
        lines.append(tomli_w.dumps({name: table[name]}).rstrip("\n"))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- schema and docs


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the scenario file format."""
    defs: dict[str, Any] = {}

    def sub(cls: type) -> dict[str, Any]:
        schema = TypeAdapter(cls).json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        return schema

    builders = []
    for name, cls in BUILDERS.items():
        schema = sub(cls)
        schema["properties"] = {"builder": {"const": name, "description": "The builder."},
                                **schema.get("properties", {})}
        schema["required"] = ["builder", *schema.get("required", [])]
        schema["title"] = name
        builders.append(schema)
    top = TypeAdapter(Scenario).json_schema()
    props = {k: top["properties"][k] for k in ("name", "description", "days", "replications",
                                                 "keep_records")}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "service-chain scenario",
        "description": "A scenario file: every key has a default; state only what differs.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            **props,
            "extends": {"type": "string", "description": (
                "A bundled scenario name or a path (relative to this file) whose keys this file "
                "starts from.")},
            "organization": {"description": "The organization: a builder and its parameters.",
                             "oneOf": builders},
            **{name: {**sub(cls), "description": cls.__doc__.splitlines()[0]}
               for name, cls in SECTIONS.items()},
        },
        **({"$defs": defs} if defs else {}),
    }


def _type_of(prop: dict[str, Any], defs: dict[str, Any] | None = None) -> str:
    if "enum" in prop:
        return " or ".join(json.dumps(v) for v in prop["enum"])
    if "const" in prop:
        return json.dumps(prop["const"])
    if "anyOf" in prop:
        return " or ".join(_type_of(p, defs) for p in prop["anyOf"])
    if prop.get("type") == "object" and "kind" in prop.get("properties", {}):
        kind = prop["properties"]["kind"]
        name = kind.get("const", kind.get("default", ""))
        params = [k for k in prop["properties"] if k != "kind"]
        return f"{{kind = {json.dumps(name)}" + "".join(f", {p} = ..." for p in params) + "}"
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        target = (defs or {}).get(name, {})
        if "enum" in target:
            return _type_of(target)
        return f"table ({name})"
    kind = prop.get("type", "any")
    if kind == "array":
        return "list of " + _type_of(prop.get("items", {}), defs)
    return {"number": "number", "integer": "integer", "boolean": "true/false",
            "string": "text", "object": "table", "null": "unset"}.get(kind, kind)


def _range_of(prop: dict[str, Any]) -> str:
    parts = []
    for key, sym in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="),
                     ("exclusiveMaximum", "<"), ("minLength", "length >=")):
        if key in prop:
            parts.append(f"{sym} {prop[key]:g}" if isinstance(prop[key], float) else
                         f"{sym} {prop[key]}")
    for alt in prop.get("anyOf", []):
        if _range_of(alt):
            parts.append(_range_of(alt))
    return ", ".join(parts)


def _default_text(cls: type | None, key: str, prop: dict[str, Any]) -> str:
    if "default" in prop:
        return json.dumps(prop["default"])
    if cls is None:
        return ""
    try:
        value = getattr(cls(), key)
    except Exception:  # a class whose defaults need arguments (e.g. a team's name)
        return ""
    kind = getattr(value, "kind", None)
    return json.dumps(kind) if kind is not None else ""


def _table(schema: dict[str, Any], cls: type | None = None,
           defs: dict[str, Any] | None = None) -> list[str]:
    rows = ["| key | type | default | range | meaning |", "|---|---|---|---|---|"]
    for key, prop in schema.get("properties", {}).items():
        default = _default_text(cls, key, prop)
        desc = prop.get("description", "").replace("\n", " ").replace("|", "\\|")
        rows.append(f"| `{key}` | {_type_of(prop, defs)} | {default} | {_range_of(prop)} | "
                    f"{desc} |")
    return rows


def render_docs() -> str:
    """``scenarios/README.md``: every key, type, default, range and meaning, from the schema."""
    schema = json_schema()
    props = schema["properties"]
    defs = schema.get("$defs", {})
    lines = [
        "# Scenario files",
        "",
        "<!-- Generated from the JSON Schema by `service-chain schema --docs`; do not edit. -->",
        "",
        "One TOML file per scenario. Every key has a default, so a file states only what differs;",
        "`extends = \"pyramid\"` starts from another scenario (bundled name or path). Units: time",
        "in working days, rates per day, shares and probabilities from 0 to 1. Editors can",
        "validate and complete files with the JSON Schema printed by `service-chain schema`.",
        "",
        "```toml",
        'name = "lean_pyramid"',
        'description = "The pyramid with half the reporting."',
        'extends = "pyramid"',
        "",
        "[organization]",
        'builder = "pyramid"',
        "reporting_rate = 0.5",
        "",
        "[people]",
        "hiring_delay = 30",
        "```",
        "",
        "## Top level",
        "",
        *_table({"properties": {k: v for k, v in props.items()
                                if k not in ("organization", *SECTIONS)}}),
        "",
        "## `[organization]`",
        "",
        "Choose a `builder`; the other keys are that builder's parameters. With `extends`, a file",
        "that names a different builder replaces the organization instead of merging it.",
    ]
    for option in props["organization"]["oneOf"]:
        name = option["title"]
        doc = BUILDERS[name].__doc__.strip().split("\n\n")[0].replace("\n", " ")
        lines += ["", f"### `builder = \"{name}\"`", "", doc, "",
                  *_table(option, BUILDERS[name], defs)]
    for ref, sch in defs.items():
        if sch.get("type") == "object":
            lines += ["", f"### {ref} (an entry of a list above)", "", *_table(sch, None, defs)]
    lines += [
        "",
        "Internal-customer frequency (`how_often`): a probability is the share of the internal",
        "customer's requests that need the input; `daily`, `weekly` (0.2 a day), `monthly`",
        "(1/21), `quarterly` (1/63) and `yearly` (1/250) schedule requests regardless of demand.",
    ]
    for name in SECTIONS:
        lines += ["", f"## `[{name}]`", "", props[name]["description"], "",
                  *_table(props[name], SECTIONS[name], defs)]
    return "\n".join(lines) + "\n"
