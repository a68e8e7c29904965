"""Build small Flux repositories on disk and scan them."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from homelabctl.model import Finding
from homelabctl.scan.config import RepoConfig
from homelabctl.scan.engine import ScanReport, scan
from homelabctl.scan.registry import RULES, ScanOptions, all_rules

REPOS = Path(__file__).resolve().parent.parent / "repos"

# What `flux bootstrap github --path=clusters/k3s-home` writes, pointed at ./cluster so that every YAML
# file a test puts under cluster/ is applied (kustomize-controller generates the kustomization).
GOTK_SYNC = """\
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  secretRef:
    name: flux-system
  url: ssh://git@github.com/sudoflux/flux-k3s
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./cluster
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def flux_repo(root: Path, files: dict[str, str], *, bootstrap: bool = True) -> Path:
    """A repo whose bootstrap Kustomization applies everything under cluster/."""
    if bootstrap:
        files = {"cluster/flux-system/gotk-sync.yaml": GOTK_SYNC, **files}
    return write(root, files)


def run(root: Path, *, config: RepoConfig | None = None, **options: Any) -> ScanReport:
    options.setdefault("render", False)
    return scan(root, ScanOptions(**options), config=config or RepoConfig())


def run_rule(root: Path, rule_id: str, **options: Any) -> list[Finding]:
    all_rules()
    options.setdefault("render", False)
    report = scan(root, ScanOptions(**options), config=RepoConfig(), rules=[RULES[rule_id]])
    assert not [e for e in report.errors if e.file.startswith("(rule")], report.errors
    return report.findings


def checks(report: ScanReport) -> set[str]:
    return {f.check for f in report.findings}
