"""Rewrite every committed file that is generated from code, or check that none is stale.

    python tools/regenerate.py            # rewrite them all in the work tree
    python tools/regenerate.py --check    # write them into a temporary tree, compare, exit 1 if stale
    python tools/regenerate.py rules demo # only some generators (names: --list)

It lives outside the package on purpose: the test-data generators under ``tests/data_tools`` and
``tests/live`` are not shipped. ``tests/test_generated.py`` runs the same comparison, so a stale file fails CI
and the pre-commit hook; the fix is always to run this script, never to edit the generated file.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Generator:
    name: str
    outputs: tuple[str, ...]
    """Paths (relative to the repository root) the generator owns: files, or directories written whole."""
    write: Callable[[Path], None]
    """Writes the outputs under the given root (the work tree or a temporary copy of its layout)."""


def _load(path: str, module: str) -> ModuleType:
    """A test-data generator module, imported from its directory (they import their siblings by name)."""
    folder = str(ROOT / path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    return importlib.import_module(module)


def _rules(root: Path) -> None:
    from homelabctl.docs_gen import rules_markdown

    _write(root / "docs" / "rules.md", rules_markdown())


def _report_schemas(root: Path) -> None:
    from homelabctl.report import envelope

    for command in ("check", "scan"):
        path = root / "src" / "homelabctl" / "report" / "schemas" / envelope.SCHEMA_FILES[command]
        _write(path, envelope.schema_text(command))


def _inventory_schema(root: Path) -> None:
    from homelabctl.inventory import schema

    _write(root / "src" / "homelabctl" / "inventory" / schema.SCHEMA_FILE.name, schema.schema_text())


def _clusterrole(root: Path) -> None:
    from homelabctl.watch import rbac

    _write(root / "deploy" / "base" / "clusterrole.yaml", rbac.render())


def _demo(root: Path) -> None:
    _load("tests/data_tools", "demo").main(root / "src" / "homelabctl" / "demo" / "snapshot")


def _scenarios(root: Path) -> None:
    _load("tests/data_tools", "scenarios").main([], root / "tests" / "scenarios")


def _corpus(root: Path) -> None:
    _load("tests/data_tools", "corpus").main([], root / "tests" / "scenarios")


def _live_data(root: Path) -> None:
    make_data = _load("tests/live", "make_data")
    make_data.write(make_data.build(), root / "tests" / "live" / "data")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


GENERATORS = (
    Generator("rules", ("docs/rules.md",), _rules),
    Generator("report-schemas", ("src/homelabctl/report/schemas",), _report_schemas),
    Generator("inventory-schema", ("src/homelabctl/inventory/homelab.schema.json",), _inventory_schema),
    Generator("clusterrole", ("deploy/base/clusterrole.yaml",), _clusterrole),
    Generator("demo", ("src/homelabctl/demo/snapshot",), _demo),
    Generator("scenarios", ("tests/scenarios",), _scenarios),
    Generator("corpus", ("tests/scenarios",), _corpus),
    Generator("live-data", ("tests/live/data",), _live_data),
)
HAND_WRITTEN = {
    "tests/scenarios": ("test_scenarios.py", "test_metamorphic.py"),
    "src/homelabctl/demo/snapshot": ("README.md",),
}
"""Hand-written files inside generated directories."""


def _files(base: Path, rel: str) -> dict[str, Path]:
    top = base / rel
    if top.is_file():
        return {rel: top}
    if not top.is_dir():
        return {}
    ignored = HAND_WRITTEN.get(rel, ())
    return {
        p.relative_to(base).as_posix(): p
        for p in top.rglob("*")
        if p.is_file() and p.name not in ignored and "__pycache__" not in p.parts
    }


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def stale(generators: tuple[Generator, ...] = GENERATORS, root: Path = ROOT) -> list[str]:
    """Generated paths whose committed content differs from what the generators write now (or that a
    generator no longer writes, or that it writes and nobody committed)."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="homelabctl-regenerate-") as tmp:
        fresh = Path(tmp)
        outputs: dict[str, None] = {}
        for gen in generators:
            with _quiet():
                gen.write(fresh)
            outputs.update(dict.fromkeys(gen.outputs))
        for rel in outputs:
            want, have = _files(fresh, rel), _files(root, rel)
            # A tree shared with a generator not run this time has files the others do not write.
            whole = all(g in generators for g in GENERATORS if rel in g.outputs)
            for path in sorted(want.keys() | have.keys()):
                if path not in have:
                    problems.append(f"{path}: generated but not committed")
                elif path not in want:
                    if whole:
                        problems.append(f"{path}: committed but no generator writes it any more")
                elif want[path].read_bytes() != have[path].read_bytes():
                    problems.append(f"{path}: stale")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="generators to run (default: all)")
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 when stale")
    parser.add_argument("--list", action="store_true", help="list the generators and what they write")
    args = parser.parse_args(argv)
    if args.list:
        for gen in GENERATORS:
            print(f"{gen.name:18} {', '.join(gen.outputs)}")
        return 0
    unknown = set(args.names) - {g.name for g in GENERATORS}
    if unknown:
        parser.error(f"unknown generators: {', '.join(sorted(unknown))} (see --list)")
    chosen = tuple(g for g in GENERATORS if not args.names or g.name in args.names)
    if args.check:
        problems = stale(chosen)
        for problem in problems:
            print(problem)
        if problems:
            print("run `python tools/regenerate.py` and commit the result", file=sys.stderr)
        return 1 if problems else 0
    for gen in chosen:
        with _quiet():
            gen.write(ROOT)
        print(f"{gen.name}: wrote {', '.join(gen.outputs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
