"""Records are msgspec Structs, not dataclasses: a lint over the source tree, and what the check path builds.

A Struct class is built in C at import; ``@dataclass`` ``exec()``s generated source for each method (~0.5 ms a
class on Python 3.11), and the check path imports over a hundred records. A dataclass stays only where a
Struct cannot express it (fields left out of eq/repr/init, a ``cached_property``, attributes that are not
fields), with a comment above its decorator saying why. ``DATACLASSES`` lists them; a new one is added here
with its reason, or written as a Struct.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "homelabctl"
WHY = "# A dataclass, not a msgspec Struct:"

DATACLASSES = {
    "scan/repo.py:RepoFile": "cached_property (needs __dict__)",
    "scan/repo.py:Repo": "cached_property (needs __dict__)",
    "scan/yamlparse.py:Trap": "node is left out of eq/repr",
    "watch/live.py:LiveWatch": "__post_init__ adds attributes that are not fields (needs __dict__)",
}

CHECK_PATH = (
    "homelabctl.cli",
    "homelabctl.analysis",
    "homelabctl.sources.snapshot",
    "homelabctl.diagnose.engine",
)
"""What ``homelabctl check --snapshot X -o json`` imports before it reads anything."""
ON_CHECK_PATH: tuple[str, ...] = ()
"""The dataclasses that import builds (each costs start-up time): a new one there fails this test. None: the
two it held (Resource, KubeVersion) are written out, and the check path does not import dataclasses at all."""


def _is_dataclass_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return (isinstance(target, ast.Name) and target.id == "dataclass") or (
        isinstance(target, ast.Attribute) and target.attr == "dataclass"
    )


def _dataclasses() -> dict[str, tuple[ast.ClassDef, list[str]]]:
    found: dict[str, tuple[ast.ClassDef, list[str]]] = {}
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and any(
                _is_dataclass_decorator(d) for d in node.decorator_list
            ):
                found[f"{path.relative_to(SRC).as_posix()}:{node.name}"] = (node, text.splitlines())
    return found


def test_only_the_listed_classes_are_dataclasses() -> None:
    found = set(_dataclasses())
    assert found - DATACLASSES.keys() == set(), "write these as msgspec Structs, or list them with the reason"
    assert DATACLASSES.keys() - found == set(), "no longer dataclasses: remove them from DATACLASSES"


def test_each_remaining_dataclass_says_why() -> None:
    for name, (node, lines) in _dataclasses().items():
        first = min(d.lineno for d in node.decorator_list)
        assert lines[first - 2].startswith(WHY), f"{name}: no {WHY!r} comment above its decorator"


def test_the_check_path_builds_only_the_listed_dataclasses() -> None:
    code = (
        "import dataclasses\n"
        "built = []\n"
        "process = dataclasses._process_class\n"
        "def spy(cls, *args, **kwargs):\n"
        "    built.append(f'{cls.__module__}:{cls.__qualname__}')\n"
        "    return process(cls, *args, **kwargs)\n"
        "dataclasses._process_class = spy\n"
        f"for module in {CHECK_PATH!r}:\n"
        "    __import__(module)\n"
        "print('\\n'.join(sorted(name for name in built if name.startswith('homelabctl'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert set(out.split()) == {_module_name(name) for name in ON_CHECK_PATH}


def _module_name(listed: str) -> str:
    """``checks/node/_common.py:KubeVersion`` -> ``homelabctl.checks.node._common:KubeVersion``."""
    path, _, name = listed.partition(":")
    return f"homelabctl.{path.removesuffix('.py').replace('/', '.')}:{name}"


def test_the_check_path_does_not_import_dataclasses() -> None:
    code = f"import sys\nfor module in {CHECK_PATH!r}:\n    __import__(module)\nprint('dataclasses' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
