"""``.homelabctl.yaml``'s ``ignore:`` list: accepted findings, each with a reason and an optional expiry.

One file for every command: ``check`` and ``diagnose`` read it from the current directory (or
``--ignore-file``), ``scan`` from the repository root (or ``--ignore-file``). ::

    ignore:
      - id: single-control-plane          # a check or scan rule id
        reason: one control plane is accepted in this homelab
      - id: pod-restarts
        namespace: media                  # optional: only objects in this namespace
        object: sabnzbd                   # optional: name, or Kind/name
        reason: restarts nightly by design
        expires: 2026-03-01               # optional: after this date the finding shows again, with a warning

An entry without a reason is refused: an ignore nobody can explain is how a real problem stays hidden.
Other top-level sections (``scan:``) belong to other commands and are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from homelabctl.errors import ConfigError

if TYPE_CHECKING:
    from homelabctl.ignore_entries import IgnoreEntry

IGNORE_FILE = ".homelabctl.yaml"


def __getattr__(name: str) -> Any:
    # the pydantic models load with the first ignore file, not with every `check` (most runs have none)
    if name in ("IgnoreEntry", "IgnoreFile"):
        from homelabctl import ignore_entries

        return getattr(ignore_entries, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Ignores(msgspec.Struct, frozen=True):
    """The entries in force, and warnings (expired entries) to print once."""

    entries: tuple[IgnoreEntry, ...] = ()
    warnings: tuple[str, ...] = ()
    skip: frozenset[str] = frozenset()

    def ignored(self, check: str, obj: Mapping[str, Any]) -> bool:
        return check in self.skip or any(e.matches(check, obj) for e in self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries or self.skip)


def load_ignores(
    path: Path | None, *, default_dir: Path | None = None, skip: Iterable[str] = (), today: date | None = None
) -> Ignores:
    """The ignore entries at ``path`` (must exist), else ``default_dir/.homelabctl.yaml`` when it exists."""
    skip_set = frozenset(skip)
    file = path if path is not None else (default_dir or Path(".")) / IGNORE_FILE
    if not file.is_file():
        if path is not None:
            raise ConfigError(f"{path}: ignore file not found")
        return Ignores(skip=skip_set)
    import yaml
    from pydantic import ValidationError

    from homelabctl.ignore_entries import IgnoreFile

    try:
        # The bounded parser: the file may sit in an untrusted repository, where an alias bomb must not expand.
        from homelabctl.scan.config import load_first_document

        data = load_first_document(file.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(f"{file}:{line}: invalid YAML: {exc.problem}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
    if data is None:
        return Ignores(skip=skip_set)
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: expected a mapping at the top level")
    try:
        parsed = IgnoreFile.model_validate({"ignore": data.get("ignore") or []})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{file}: {where}: {first['msg']}") from None
    today = today or date.today()
    active, warnings = [], []
    for entry in parsed.ignore:
        if entry.expired(today):
            warnings.append(
                f"{file}: ignore entry {entry.label()} expired on {entry.expires}: "
                "its findings are shown again (renew it with a new date, or fix them)"
            )
        else:
            active.append(entry)
    return Ignores(tuple(active), tuple(warnings), skip_set)
