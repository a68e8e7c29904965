"""Every committed generated file is what its generator writes now (one test for all of them).

The generators are listed in ``tools/regenerate.py``; when this fails, run ``python tools/regenerate.py``
and commit the result (look at the diff first: it is the change your code made to the generated output).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _regenerate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "tools" / "regenerate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("regenerate", module)
    spec.loader.exec_module(module)
    return module


regenerate = _regenerate()
# Generators sharing an output tree run together, so files one of them no longer writes are noticed.
GROUPS: dict[str, tuple[str, ...]] = {}
for _gen in regenerate.GENERATORS:
    GROUPS.setdefault(_gen.outputs[0], ())
    GROUPS[_gen.outputs[0]] += (_gen.name,)


@pytest.mark.parametrize("names", list(GROUPS.values()), ids=["+".join(n) for n in GROUPS.values()])
def test_generated_files_are_not_stale(names: tuple[str, ...]) -> None:
    chosen = tuple(g for g in regenerate.GENERATORS if g.name in names)
    problems = regenerate.stale(chosen)
    assert not problems, (
        f"stale generated files, run `python tools/regenerate.py {' '.join(names)}`:\n  "
        + "\n  ".join(problems[:20])
    )


def test_a_stale_file_is_noticed(tmp_path: Path) -> None:
    """The comparison can fail: a committed file that differs, one missing, one no generator writes."""
    rules = next(g for g in regenerate.GENERATORS if g.name == "rules")
    schemas = next(g for g in regenerate.GENERATORS if g.name == "report-schemas")
    rules.write(tmp_path)
    schemas.write(tmp_path)
    assert regenerate.stale((rules, schemas), root=tmp_path) == []
    (tmp_path / "docs" / "rules.md").write_text("# edited by hand\n", encoding="utf-8")
    folder = tmp_path / "src" / "homelabctl" / "report" / "schemas"
    (folder / "old.schema.json").write_text("{}\n", encoding="utf-8")
    next(folder.glob("check-*.json")).unlink()
    problems = regenerate.stale((rules, schemas), root=tmp_path)
    assert "docs/rules.md: stale" in problems
    assert (
        "src/homelabctl/report/schemas/old.schema.json: committed but no generator writes it any more"
        in problems
    )
    assert any(p.endswith("check-report.v2.schema.json: generated but not committed") for p in problems)
