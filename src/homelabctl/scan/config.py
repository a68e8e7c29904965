"""``.homelabctl.yaml`` at the repository root: repo-wide ignores and defaults for ``homelabctl scan``.

```yaml
scan:
  ignore: [orphan-yaml]              # rule ids never reported for this repo
  ignore_paths: ["vendor/**", "docs/*.yaml"]
  kube_version: "1.32"
  k3s: true                          # omit to detect
  gpu_count: 1                       # physical GPUs behind the time-slicing config
```
Other top-level sections belong to other commands and are left alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import yaml

from homelabctl.errors import ConfigError

CONFIG_NAME = ".homelabctl.yaml"


# The holder is a plain dataclass so that a scan without a config file never imports pydantic; a file that
# exists is validated by the pydantic model in ``config_model``.
class ScanConfig(msgspec.Struct):
    ignore: list[str] = msgspec.field(default_factory=list)
    ignore_paths: list[str] = msgspec.field(default_factory=list)
    kube_version: str | None = None
    k3s: bool | None = None
    gpu_count: int | None = None

    @classmethod
    def from_data(cls, data: Any) -> ScanConfig:
        """Raises ``ValueError("scan.<field>: <problem>")``."""
        if data is None:
            return cls()
        from homelabctl.scan.config_model import validate_scan_section

        return cls(**validate_scan_section(data))


class RepoConfig(msgspec.Struct):
    scan: ScanConfig = msgspec.field(default_factory=ScanConfig)
    other: dict[str, Any] = msgspec.field(default_factory=dict)
    """Sections that belong to other commands, kept as read."""


def load_first_document(text: str) -> Any:
    """The first document, read with the scan's bounded parser (the config file is part of the untrusted
    repository: an alias bomb there must not expand)."""
    from homelabctl.scan.yamlparse import YamlParseError, parse_yaml

    try:
        for doc in parse_yaml(text):
            return doc.data
    except YamlParseError as exc:
        raise yaml.YAMLError(f"line {exc.line}: {exc.message}") from None
    return None


def load_config(root: Path, path: Path | None = None) -> RepoConfig:
    """The config at ``path``, or ``root/.homelabctl.yaml`` when it exists, or the defaults."""
    config_path = path if path is not None else root / CONFIG_NAME
    if not config_path.is_file():
        if path is not None:
            raise ConfigError(f"{path}: config file not found")
        return RepoConfig()
    try:
        data = load_first_document(config_path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(f"{config_path}:{line}: invalid YAML: {exc.problem}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{config_path}: cannot read: {exc}") from None
    if data is None:
        return RepoConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{config_path}: expected a mapping at the top level")
    try:
        scan = ScanConfig.from_data(data.get("scan"))
    except ValueError as exc:
        raise ConfigError(f"{config_path}: {exc}") from None
    return RepoConfig(scan, {k: v for k, v in data.items() if k != "scan"})


def glob_regex(pattern: str) -> re.Pattern[str]:
    """``**`` spans directories, ``*`` and ``?`` do not; a pattern ending in ``/`` matches everything below."""
    pattern = pattern.strip().removeprefix("./").lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "$")
