"""The diagnosis reads only kinds a live source lists: a kind named in diagnose/ that no check reads and that
``kinds.DIAGNOSIS_KINDS`` does not declare would be present in a snapshot and silently absent live."""

from __future__ import annotations

import re
from pathlib import Path

from homelabctl import kinds
from homelabctl.engine import required_kinds, select_checks

DIAGNOSE = Path(kinds.__file__).parent / "diagnose"
KIND_LITERAL = re.compile(r'"([A-Z][A-Za-z]+)(?:\.([a-z0-9.-]+))?"')


def named_kinds(text: str) -> set[str]:
    """Group-kinds of the kind names quoted in ``text`` (a quoted ``"Engine"`` is every known ``Engine``)."""
    by_name: dict[str, set[str]] = {}
    for info in kinds.KINDS:
        by_name.setdefault(info.kind, set()).add(info.gk)
    found: set[str] = set()
    for match in KIND_LITERAL.finditer(text):
        name, group = match.groups()
        candidates = by_name.get(name, set())
        found |= {gk for gk in candidates if group is None or gk == f"{name}.{group}"}
    return found


def test_every_kind_the_diagnosis_names_is_listed_live() -> None:
    listed = set(required_kinds(select_checks()))
    unlisted: dict[str, set[str]] = {}
    for path in sorted(DIAGNOSE.rglob("*.py")):
        for gk in named_kinds(path.read_text(encoding="utf-8")):
            same_kind = {g for g in listed if g.split(".", 1)[0] == gk.split(".", 1)[0]}
            if not same_kind:
                unlisted.setdefault(gk, set()).add(path.name)
    assert not unlisted, (
        f"add to kinds.DIAGNOSIS_KINDS (named by the diagnosis, listed by no check): {unlisted}"
    )


def test_the_scan_sees_a_kind_name() -> None:
    assert named_kinds('x == "LimitRange" or k == "Engine.longhorn.io"') == {
        "LimitRange",
        "Engine.longhorn.io",
    }
    assert named_kinds('"NotAKind"') == set()


def test_diagnosis_kinds_are_known_and_in_the_live_list() -> None:
    known = {info.gk for info in kinds.KINDS}
    assert set(kinds.DIAGNOSIS_KINDS) <= known
    assert set(kinds.DIAGNOSIS_KINDS) <= set(required_kinds([]))
