"""Build the report's plotly.js: the core and only the trace types the report draws, minified.

plotly.py embeds all of plotly.js (4.8 MB) in a self-contained page; the HTML report draws five
trace types and must weigh under 2 MB. This installs plotly.js at exactly the version plotly.py
ships, and a pinned esbuild, from npm into a temporary folder, bundles plotly.js's core with the
report's traces as plotly.js's own build does (one IIFE setting the global ``Plotly``, its CSS
injected at load), and writes ``simulation/report/assets/plotly-report.min.js`` and
``plotly-report.json`` (version, traces, sha256, size, the bundled npm packages). Run it after
upgrading plotly or drawing a new trace type (tests/test_plotly_bundle.py says when):

    .venv/bin/python tools/build_plotly_bundle.py          # rebuild the two assets
    .venv/bin/python tools/build_plotly_bundle.py --check  # build in memory; exit 1 if different

Needs node, npm and the npm registry. npm resolves plotly.js's dependencies as they were when that
plotly.js release was published (``npm install --before``), so a rebuild gives the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "simulation" / "report" / "assets"
JS_NAME = "plotly-report.min.js"
JSON_NAME = "plotly-report.json"
COMMAND = "python tools/build_plotly_bundle.py"
WIDTH = 96  # the comments' lines

#: The trace types the report draws (tests/test_plotly_bundle.py checks the report's figures).
TRACES = ("scatter", "bar", "box", "heatmap", "sankey")
#: esbuild as pinned here; plotly.js 4.1 builds its own dist with esbuild ^0.28.1.
ESBUILD = "0.28.2"
#: plotly.js's own esbuild settings (its esbuild-config.js), less the plugins these traces do not
#: need: glsl (WebGL traces only), inline-css (only maplibre's CSS, for map traces: left empty;
#: plotly.js's own CSS is a JS module, build/plotcss.js, that inserts its rules at load) and the
#: environment plugin (process.env.NODE_DEBUG: no module bundled here reads it).
ESBUILD_FLAGS = (
    "--bundle", "--minify", "--format=iife", "--global-name=Plotly", "--target=es2016",
    "--define:global=window", "--define:define.amd=false", "--alias:regl=@plotly/regl",
    "--loader:.css=empty", "--legal-comments=eof", "--log-level=warning",
)
QUIET = {"npm_config_update_notifier": "false", "npm_config_fund": "false",
         "npm_config_audit": "false", "npm_config_loglevel": "error"}


def plotly_py_version() -> str:
    """The plotly.js version that the installed plotly.py embeds."""
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


def run(args: list[str], cwd: Path) -> str:
    """Run a command in ``cwd`` and return its stdout; exit with its stderr when it fails."""
    tool = shutil.which(args[0])
    if tool is None:
        sys.exit(f"{args[0]} is not on PATH: install node and npm")
    done = subprocess.run([tool, *args[1:]], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **QUIET}, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def published(version: str, cwd: Path) -> str:
    """When npm published plotly.js ``version`` (ISO 8601, UTC)."""
    times = json.loads(run(["npm", "view", f"plotly.js@{version}", "time", "--json"], cwd))
    if version not in times:
        sys.exit(f"npm has no plotly.js {version}")
    return times[version]


def entry(traces: tuple[str, ...]) -> str:
    """The bundle's entry module: plotly.js's core (which has scatter) and the other traces."""
    extra = [t for t in traces if t != "scatter"]
    lines = ",\n".join(f"    require('plotly.js/lib/{t}')" for t in extra)
    return ("'use strict';\nvar Plotly = require('plotly.js/lib/core');\n"
            f"Plotly.register([\n{lines}\n]);\nmodule.exports = Plotly;\n")


def package_root(path: str) -> str:
    """The package folder of a bundled file, e.g. ``node_modules/@plotly/d3``."""
    head, _, tail = path.rpartition("node_modules/")
    parts = tail.split("/")
    return head + "node_modules/" + "/".join(parts[:2 if parts[0].startswith("@") else 1])


def bundled_packages(meta: dict, work: Path) -> list[dict]:
    """Each npm package with code in the bundle: name, version, license and its licence text.

    maplibre-gl's CSS, required by plotly.js's registry for map traces, is bundled empty: it is
    not counted.
    """
    roots = {package_root(path) for output in meta["outputs"].values()
             for path, used in output["inputs"].items()
             if used["bytesInOutput"] and "node_modules/" in path and not path.endswith(".css")}
    packages = []
    for root in roots:
        folder = work / root
        info = json.loads((folder / "package.json").read_text(encoding="utf-8"))
        texts = [p for p in sorted(folder.iterdir())
                 if p.is_file() and p.name.lower().startswith(("license", "licence"))]
        packages.append({"name": info["name"], "version": info["version"],
                         "license": info.get("license", "see its source"),
                         "text": texts[0].read_text(encoding="utf-8").strip() if texts else ""})
    return sorted(packages, key=lambda p: (p["name"], p["version"]))


def notices(packages: list[dict]) -> str:
    """The packages' licence texts, each text once under the packages that share it."""
    by_text: dict[str, list[str]] = {}
    for p in packages:
        if p["text"] and p["name"] != "plotly.js":  # plotly.js's is at the top
            by_text.setdefault(p["text"], []).append(f"{p['name']}@{p['version']}")
    return "\n".join(f"\n== {', '.join(names)} ==\n{text}" for text, names in by_text.items())


def wrap(text: str) -> str:
    """``text`` in lines of at most :data:`WIDTH` characters, not breaking names."""
    return textwrap.fill(text, WIDTH, break_on_hyphens=False, break_long_words=False)


def comment(text: str) -> str:
    """``text`` as safe comment lines (no ``*/`` to end the comment early)."""
    return "\n".join(f" * {line}".rstrip() for line in text.replace("*/", "* /").splitlines())


def build(version: str, traces: tuple[str, ...]) -> tuple[bytes, dict]:
    """The bundle's bytes and its record, built from npm in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="plotly-bundle-") as tmp:
        work = Path(tmp)
        (work / "package.json").write_text('{"name": "plotly-report", "private": true}\n')
        before = published(version, work)
        run(["npm", "install", "--ignore-scripts", "--no-save", f"--before={before}",
             f"plotly.js@{version}", f"esbuild@{ESBUILD}"], work)
        plotly = work / "node_modules" / "plotly.js"
        if f"'{version}'" not in (plotly / "src" / "version.js").read_text(encoding="utf-8"):
            sys.exit(f"plotly.js's src/version.js does not say {version}")
        missing = [t for t in traces if not (plotly / "lib" / f"{t}.js").exists()]
        if missing:
            sys.exit(f"plotly.js {version} has no trace module for {missing}")
        (work / "entry.js").write_text(entry(traces), encoding="utf-8")
        run(["npx", "--no-install", "esbuild", "entry.js", *ESBUILD_FLAGS,
             "--outfile=bundle.js", "--metafile=meta.json"], work)
        body = (work / "bundle.js").read_text(encoding="utf-8")  # ASCII but one regex: /\uFFFD/
        meta = json.loads((work / "meta.json").read_text(encoding="utf-8"))
        packages = bundled_packages(meta, work)
        plotly_license = (plotly / "LICENSE").read_text(encoding="utf-8").strip()
    names = [f"{p['name']}@{p['version']} ({p['license']})" for p in packages]
    header = "\n".join([
        f"/*! plotly.js v{version}, a custom minified bundle with the traces: {', '.join(traces)}.",
        " * plotly.js is MIT-licensed (https://github.com/plotly/plotly.js):",
        " *",
        comment(plotly_license),
        " *",
        comment(wrap(
            f"Built for the service-chain HTML report by `{COMMAND}` from the npm packages "
            f"plotly.js@{version} and esbuild@{ESBUILD} as published by {before}: esbuild "
            f"entry.js {' '.join(ESBUILD_FLAGS)}, where entry.js requires plotly.js/lib/core "
            "and registers plotly.js/lib/<trace> for the other traces.")),
        comment(wrap("Bundled npm packages (their licences are at the end): "
                     + ", ".join(names) + ".")),
        " */\n",
    ])
    footer = f"/*! Licences of the bundled npm packages:\n{comment(notices(packages))}\n */\n"
    code = (header + body + footer).encode("utf-8")
    lowered = code.lower()
    for bad in (b"</script", b"<!--"):
        if bad in lowered:  # the report inlines the bundle in a <script> element
            sys.exit(f"the bundle contains {bad.decode()!r}: it cannot be inlined in HTML")
    record = {
        "version": version,
        "traces": list(traces),
        "sha256": hashlib.sha256(code).hexdigest(),
        "size": len(code),
        "esbuild": ESBUILD,
        "npm_before": before,
        "packages": [f"{p['name']}@{p['version']}" for p in packages],
        "command": COMMAND,
    }
    return code, record


def main(argv: list[str] | None = None) -> int:
    """Build the bundle and write it (or, with ``--check``, compare it with the one written)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="build in memory and exit 1 if the written assets differ")
    parser.add_argument("--traces", default=",".join(TRACES),
                        help="comma-separated trace types (default: %(default)s)")
    args = parser.parse_args(argv)
    traces = tuple(t.strip() for t in args.traces.split(",") if t.strip())
    if "scatter" not in traces:
        parser.error("plotly.js's core always has scatter: list it")
    code, record = build(plotly_py_version(), traces)
    manifest = (json.dumps(record, indent=2) + "\n").encode("utf-8")
    js, js_record = ASSETS / JS_NAME, ASSETS / JSON_NAME
    if args.check:
        same = (js.exists() and js.read_bytes() == code
                and js_record.exists() and js_record.read_bytes() == manifest)
        print(f"{'same' if same else 'DIFFERENT'}: {record['sha256']} ({record['size']} bytes)")
        return 0 if same else 1
    ASSETS.mkdir(parents=True, exist_ok=True)
    js.write_bytes(code)
    js_record.write_bytes(manifest)
    print(f"wrote {js.relative_to(ROOT)} ({record['size']:,} bytes, plotly.js {record['version']}, "
          f"{', '.join(traces)}) and {js_record.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
