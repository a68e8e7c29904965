"""The scan rule registry: the same shape as the cluster checks' registry, over a repository instead.

A rule is a function in its own module under ``homelabctl/scan/rules/``, decorated with :func:`rule`. Its
docstring is its documentation: the first line is the title, the rest says what it reads, why it matters,
the kind of incident it prevents and the next step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.registrybase import Documented, check_registration
from homelabctl.scan.repo import Doc, ScanError

if TYPE_CHECKING:
    from homelabctl.scan.flux import FluxGraph, HelmReleaseInfo
    from homelabctl.scan.repo import Repo

RuleFunc = Callable[["ScanContext"], Iterable[Finding]]
DEFAULT_KUBE_VERSION = "1.32"


class RuleSpec(Documented, msgspec.Struct, frozen=True):
    id: str
    layer: Layer
    severity: Severity
    func: RuleFunc
    history: bool = False
    """Runs only with ``--history`` (reads the git history, not the work tree)."""


RULES: dict[str, RuleSpec] = {}


def rule(
    id: str, *, layer: Layer, severity: Severity, history: bool = False
) -> Callable[[RuleFunc], RuleFunc]:
    """Register a scan rule. Ids are kebab-case and stable: users put them in ignore lists and comments."""

    def decorate(func: RuleFunc) -> RuleFunc:
        check_registration("scan rule", id, func, RULES)
        RULES[id] = RuleSpec(id, layer, severity, func, history)
        return func

    return decorate


def all_rules() -> list[RuleSpec]:
    """Every scan rule, in layer order then id. Importing the rules package registers them."""
    import homelabctl.scan.rules  # noqa: F401  (registration side effect)

    return sorted(RULES.values(), key=lambda spec: (spec.layer.order, spec.id))


def parse_kube_version(text: str) -> tuple[int, int]:
    """``1.32``, ``v1.32.5+k3s1`` → (1, 32)."""
    cleaned = text.strip().lstrip("vV").split("+", 1)[0]
    parts = cleaned.split(".")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        raise ValueError(f"not a Kubernetes version: {text!r} (expected e.g. 1.32)") from None


class ScanOptions(msgspec.Struct):
    kube_version: str = DEFAULT_KUBE_VERSION
    k3s: bool | None = None
    """None: detect from the repo (and assume K3s when nothing says otherwise)."""
    history: bool = False
    render: bool = True
    cache_dir: Path | None = None
    max_file_bytes: int = 10 * 1024 * 1024
    max_total_bytes: int = 512 * 1024 * 1024
    gpu_count: int | None = None
    history_limit: int | None = None
    extra: dict[str, str] = msgspec.field(default_factory=dict)

    @property
    def kube(self) -> tuple[int, int]:
        return parse_kube_version(self.kube_version)


class ScanContext:
    """What a rule receives: the repo, its Flux graph, the options and a finding factory."""

    def __init__(self, repo: Repo, graph: FluxGraph, options: ScanOptions, spec: RuleSpec) -> None:
        self.repo = repo
        self.graph = graph
        self.options = options
        self.spec = spec
        self.doc_lines: dict[Finding, int] = {}
        self.fingerprints: dict[Finding, str] = {}
        """What identifies a finding across runs when its message is not enough (a secret's value hash)."""
        self.errors: list[ScanError] = []
        """Input problems a rule met (e.g. git history unreadable): reported, never findings."""

    def applied(self, doc: Doc) -> bool:
        """Whether a cluster built from the repo would contain ``doc``: reached from the Flux
        bootstrap Kustomization (everything counts in a repo without Flux Kustomizations)."""
        return not self.graph.kustomizations or id(doc) in self.graph.placed

    def objects(self, *kinds: str) -> Iterator[Doc]:
        """Applied objects of the given kinds."""
        for doc in self.repo.of_kind(*kinds):
            if self.applied(doc):
                yield doc

    def helm_releases(self, *charts: str) -> Iterator[HelmReleaseInfo]:
        """Applied HelmReleases, optionally only those installing one of ``charts``."""
        for hr in self.graph.helm_releases:
            if (not charts or hr.chart in charts) and self.applied(hr.doc):
                yield hr

    def finding(
        self,
        obj: Doc | ObjectRef,
        message: str,
        *,
        evidence: Iterable[str] = (),
        hint: str = "",
        severity: Severity | None = None,
        file: str | None = None,
        line: int | None = None,
        doc: Doc | None = None,
        fingerprint: str | None = None,
    ) -> Finding:
        """``obj`` names the object; ``doc`` (implied when ``obj`` is a Doc) places the finding in a file
        and lets inline ignore comments above the document apply."""
        if isinstance(obj, Doc):
            doc = obj
            base = obj.ref
            ref = ObjectRef(base.kind, self.graph.namespace_of(obj), base.name)
        else:
            ref = obj
        if doc is not None:
            file = file or doc.path
            line = line or doc.line
        found = Finding(
            check=self.spec.id,
            layer=self.spec.layer,
            severity=severity or self.spec.severity,
            object=ref,
            message=message,
            evidence=tuple(e for e in evidence if e),
            hint=hint,
            file=file,
            line=line,
        )
        if doc is not None:
            self.doc_lines[found] = doc.line
        if fingerprint:
            self.fingerprints[found] = fingerprint
        return found
