"""The Flux graph of a repository: sources, Kustomizations, what each one applies, HelmReleases.

Reading starts where Flux starts: the ``flux-system`` Kustomization written by ``flux bootstrap`` (or every
Flux Kustomization when there is none), follows ``spec.path`` in the source (the repo root for the
bootstrap GitRepository), expands it the way kustomize-controller does (the directory's
kustomization.yaml, or every YAML file below it when there is none), and repeats for the Kustomizations
found on the way. What is reached is what a cluster built from this repo would contain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import msgspec

from homelabctl.k8s import flux as k8s_flux
from homelabctl.k8s import fluxspec
from homelabctl.scan.kustomize import (
    Generated,
    Kustomizer,
    RenderResult,
    kustomization_file,
    norm,
    render_dirs,
)
from homelabctl.scan.repo import YAML_SUFFIXES, Doc, Repo

FLUX_KS_GROUP = "kustomize.toolkit.fluxcd.io"
SOURCE_GROUP = "source.toolkit.fluxcd.io"
HELM_GROUP = "helm.toolkit.fluxcd.io"
SOURCE_KINDS = ("GitRepository", "OCIRepository", "HelmRepository", "Bucket", "HelmChart")
_VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[=-])([^}]*))?\}")


def api_group(doc: Doc) -> str:
    api = doc.api_version
    return api.rpartition("/")[0] if "/" in api else ""


def is_flux_ks(doc: Doc) -> bool:
    return doc.kind == "Kustomization" and api_group(doc) == FLUX_KS_GROUP


def is_helm_release(doc: Doc) -> bool:
    return doc.kind == "HelmRelease" and api_group(doc) == HELM_GROUP


def is_source(doc: Doc) -> bool:
    return doc.kind in SOURCE_KINDS and api_group(doc) == SOURCE_GROUP


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """Flux postBuild substitution (``${VAR}``, ``${VAR:=default}``, ``${VAR:-default}``); unknown stays."""

    def repl(match: re.Match[str]) -> str:
        name, op, default = match.group(1), match.group(2), match.group(3)
        if name in variables:
            return variables[name]
        if op:
            return default or ""
        return match.group(0)

    return _VAR_RE.sub(repl, text) if "${" in text else text


def has_variable(text: str) -> bool:
    return "${" in text


class Ref(msgspec.Struct, frozen=True):
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


class FluxKustomization(msgspec.Struct):
    doc: Doc
    name: str
    namespace: str
    path: str | None
    raw_path: str
    source: Ref | None
    local: bool = False
    reached: bool = False
    depends_on: list[tuple[str, str, int]] = msgspec.field(default_factory=list)
    decryption_provider: str | None = None
    target_namespace: str | None = None
    variables: dict[str, str] = msgspec.field(default_factory=dict)
    substitute_from: list[tuple[str, str, bool, int]] = msgspec.field(default_factory=list)
    """(kind, name, optional, line) of postBuild.substituteFrom entries."""
    files: set[str] = msgspec.field(default_factory=set)
    objects: list[Placed] = msgspec.field(default_factory=list)
    generated: list[tuple[Generated, str | None, str]] = msgspec.field(default_factory=list)
    """(generator, effective namespace, kustomization dir)."""
    top_dirs: list[str] = msgspec.field(default_factory=list)
    """Outermost kustomization directories this Kustomization builds (render units)."""
    renders: list[RenderResult] = msgspec.field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return self.namespace, self.name

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name}"


class Placed(msgspec.Struct, eq=False):
    """A document as a cluster would receive it: effective namespace and the Kustomization applying it."""

    doc: Doc
    namespace: str | None
    ks: FluxKustomization | None


class HelmReleaseInfo(msgspec.Struct):
    doc: Doc
    namespace: str
    chart: str
    version: str | None
    source: Ref | None
    values: Mapping[str, Any]

    @property
    def name(self) -> str:
        return self.doc.name


class FluxGraph:
    def __init__(self, repo: Repo, *, render: bool = False, cache_dir: Path | None = None) -> None:
        self.repo = repo
        self.kz = Kustomizer(repo)
        self.sources: dict[tuple[str, str, str], Doc] = {}
        self.kustomizations: list[FluxKustomization] = []
        self.ks_by_key: dict[tuple[str, str], FluxKustomization] = {}
        self.placed: dict[int, Placed] = {}
        self.appliers: dict[int, list[FluxKustomization]] = {}
        self.reached_files: set[str] = set()
        self.render_errors: dict[str, RenderResult] = {}
        self._build()
        if render:
            self._render(cache_dir)

    # ---- construction ---------------------------------------------------------------------------------

    def _build(self) -> None:
        repo = self.repo
        for doc in repo.objects:
            if is_source(doc):
                self.sources[(doc.kind, doc.namespace or "flux-system", doc.name)] = doc
        for doc in repo.objects:
            if is_flux_ks(doc):
                ks = self._flux_ks(doc)
                self.kustomizations.append(ks)
                self.ks_by_key.setdefault(ks.key, ks)
        roots = [ks for ks in self.kustomizations if ks.name == "flux-system"]
        if not roots:
            roots = list(self.kustomizations)
        queue = list(roots)
        while queue:
            ks = queue.pop(0)
            if ks.reached:
                continue
            ks.reached = True
            for doc in self._apply(ks):
                if is_flux_ks(doc):
                    child = self._ks_for_doc(doc)
                    if child is not None and not child.reached:
                        queue.append(child)
        # Plain kustomize repos (no Flux at all): every kustomization.yaml nobody includes is a root.
        if not self.kustomizations:
            self._reach_plain_kustomize()
        # Sources are referenced by the namespace they end up in (kustomize `namespace:` included).
        for doc in repo.objects:
            if is_source(doc):
                self.sources.setdefault((doc.kind, self.namespace_of(doc) or "flux-system", doc.name), doc)

    def _ks_for_doc(self, doc: Doc) -> FluxKustomization | None:
        return self._ks_by_doc.get(id(doc))

    @cached_property
    def _ks_by_doc(self) -> dict[int, FluxKustomization]:
        return {id(ks.doc): ks for ks in self.kustomizations}

    def _flux_ks(self, doc: Doc) -> FluxKustomization:
        read = fluxspec.kustomization_spec(doc.data)
        namespace = doc.namespace or "flux-system"
        raw_path = read.path
        source: Ref | None = None
        if read.source is not None:
            source = Ref(
                read.source.kind or "GitRepository", read.source.namespace or namespace, read.source.name
            )
        variables: dict[str, str] = dict(read.substitute)
        substitute_from = [
            (
                item.kind,
                item.name,
                item.optional,
                doc.line_of("spec", "postBuild", "substituteFrom", item.index),
            )
            for item in read.substitute_from
        ]
        ks = FluxKustomization(
            doc=doc,
            name=doc.name,
            namespace=namespace,
            path=None if has_variable(raw_path) else norm("", raw_path),
            raw_path=raw_path,
            source=source,
            decryption_provider=read.decryption_provider,
            target_namespace=read.target_namespace,
            variables=variables,
            substitute_from=substitute_from,
        )
        for dep in fluxspec.dependencies(doc.data):
            ks.depends_on.append(
                (dep.namespace or namespace, dep.name, doc.line_of("spec", "dependsOn", dep.index))
            )
        ks.local = self._is_local(source)
        for kind, name, _optional, _line in substitute_from:
            ks.variables.update(
                {k: v for k, v in self._vars_from(kind, namespace, name).items() if k not in ks.variables}
            )
        if ks.path is None and ks.variables:
            resolved = substitute(raw_path, ks.variables)
            if not has_variable(resolved):
                ks.path = norm("", resolved)
        return ks

    def _is_local(self, source: Ref | None) -> bool:
        """The bootstrap GitRepository is this repository; other sources are fetched from elsewhere."""
        if source is None or source.kind != "GitRepository":
            return False
        if source.name == "flux-system":
            return True
        doc = self.sources.get((source.kind, source.namespace, source.name))
        if doc is None:
            return False
        url = fluxspec.source_url(doc.data)
        return url is not None and url.rstrip("/").removesuffix(".git") in self._local_urls

    @cached_property
    def _local_urls(self) -> set[str]:
        urls = set()
        for (kind, _ns, name), doc in self.sources.items():
            url = fluxspec.source_url(doc.data) if kind == "GitRepository" and name == "flux-system" else None
            if url is not None:
                urls.add(url.rstrip("/").removesuffix(".git"))
        return urls

    def _vars_from(self, kind: str, namespace: str, name: str) -> dict[str, str]:
        for doc in self.repo.of_kind(kind):
            if doc.name == name and (doc.namespace in (None, namespace)) and not doc.sops_encrypted:
                data = doc.data.get("data") if kind == "ConfigMap" else doc.data.get("stringData")
                if isinstance(data, dict):
                    return {str(k): str(v) for k, v in data.items()}
        return {}

    def _apply(self, ks: FluxKustomization) -> list[Doc]:
        """Place every document ``ks`` reaches; return them."""
        if not ks.local or ks.path is None or ks.path.startswith("..") or not self.repo.is_dir(ks.path):
            return []
        docs: list[Doc] = []
        for rel, namespace in self._expand_flux_path(ks, ks.path):
            ks.files.add(rel)
            self.reached_files.add(rel)
            file = self.repo.files.get(rel)
            if file is None or rel.rsplit("/", 1)[-1] in (
                "kustomization.yaml",
                "kustomization.yml",
                "Kustomization",
            ):
                continue
            for doc in file.docs:
                if not doc.is_object or doc.is_kustomize_config:
                    continue
                effective = ks.target_namespace or namespace or doc.namespace
                placed = Placed(doc, effective, ks)
                ks.objects.append(placed)
                self.placed.setdefault(id(doc), placed)
                self.appliers.setdefault(id(doc), []).append(ks)
                docs.append(doc)
        return docs

    def _expand_flux_path(self, ks: FluxKustomization, directory: str) -> Iterator[tuple[str, str | None]]:
        if kustomization_file(self.repo, directory) is not None:
            ks.top_dirs.append(directory)
            yield from self._expand_kustomize(ks, directory, None, set())
            return
        files, subdirs = self.repo.tree
        for rel in files.get(directory, ()):
            if rel.endswith(YAML_SUFFIXES):
                yield rel, None
        for sub in subdirs.get(directory, ()):
            yield from self._expand_flux_path(ks, sub)

    def _expand_kustomize(
        self, ks: FluxKustomization, directory: str, outer_ns: str | None, seen: set[str]
    ) -> Iterator[tuple[str, str | None]]:
        if directory in seen:
            return
        seen.add(directory)
        kd = self.kz.dir(directory)
        namespace = outer_ns or kd.namespace
        if kd.doc is not None:
            yield kd.doc.path, namespace
        for rel in kd.files:
            yield rel, namespace
        for rel in kd.aux_files:
            ks.files.add(rel)
            self.reached_files.add(rel)
        for gen in kd.generated:
            ks.generated.append((gen, ks.target_namespace or namespace or gen.namespace, directory))
        for sub in kd.subdirs:
            yield from self._expand_kustomize(ks, sub, namespace, seen)

    def _reach_plain_kustomize(self) -> None:
        included: set[str] = set()
        all_dirs = [d for d in self.repo.dirs if kustomization_file(self.repo, d) is not None]
        for directory in all_dirs:
            included.update(self.kz.dir(directory).subdirs)
        for directory in sorted(set(all_dirs) - included):
            for kd in self.kz.tree(directory):
                if kd.doc is not None:
                    self.reached_files.add(kd.doc.path)
                self.reached_files.update(kd.files)
                self.reached_files.update(kd.aux_files)

    def _render(self, cache_dir: Path | None) -> None:
        wanted: list[str] = []
        remote: dict[str, RenderResult] = {}
        for ks in self.kustomizations:
            for directory in ks.top_dirs:
                if directory in wanted or directory in remote:
                    continue
                if self.kz.tree_remote(directory):
                    entries = sorted({r for kd in self.kz.tree(directory) for r in kd.remote})
                    shown = ", ".join(entries[:3]) + (
                        f" and {len(entries) - 3} more" if len(entries) > 3 else ""
                    )
                    remote[directory] = RenderResult(
                        directory,
                        error=f"not rendered: remote {shown} (the scan never "
                        f"fetches; objects from it are not checked)",
                    )
                elif self.kz.tree_needs_render(directory) and not self.kz.tree_missing(directory):
                    wanted.append(directory)
        results = render_dirs(self.repo, self.kz, wanted, cache_dir) if wanted else {}
        results.update(remote)
        if not results:
            return
        for ks in self.kustomizations:
            ks.renders = [results[d] for d in ks.top_dirs if d in results]
        self.render_errors = {d: r for d, r in results.items() if r.error}

    # ---- queries --------------------------------------------------------------------------------------

    def namespace_of(self, doc: Doc) -> str | None:
        placed = self.placed.get(id(doc))
        if placed is not None and placed.namespace:
            return placed.namespace
        return doc.namespace

    def ks_of(self, doc: Doc) -> FluxKustomization | None:
        placed = self.placed.get(id(doc))
        return placed.ks if placed else None

    def variables_for(self, doc: Doc) -> Mapping[str, str]:
        ks = self.ks_of(doc)
        return ks.variables if ks else {}

    def resolve(self, doc: Doc, text: str) -> str:
        return substitute(text, self.variables_for(doc)) if "${" in text else text

    def all_kustomize_dirs(self) -> list[str]:
        return sorted(d for d in self.repo.dirs if kustomization_file(self.repo, d) is not None)

    @cached_property
    def produced(self) -> set[tuple[str, str | None, str]]:
        """(kind, namespace or None when unknown, name) of every ConfigMap/Secret something in the repo
        creates: manifests, kustomize generators, SealedSecrets, ExternalSecrets, cert-manager Certificates."""
        out: set[tuple[str, str | None, str]] = set()
        for doc in self.repo.of_kind("ConfigMap", "Secret"):
            out.add((doc.kind, self.namespace_of(doc), doc.name))
        for directory in self.all_kustomize_dirs():
            kd = self.kz.dir(directory)
            for gen in kd.generated:
                out.add((gen.kind, gen.namespace or kd.namespace, gen.name))
                out.add((gen.kind, None, gen.name))
        for ks in self.kustomizations:
            for gen, namespace, _dir in ks.generated:
                out.add((gen.kind, namespace, gen.name))
        for doc in self.repo.of_kind("SealedSecret"):
            out.add(("Secret", self.namespace_of(doc), fluxspec.sealed_secret_name(doc.data) or doc.name))
        for doc in self.repo.of_kind("ExternalSecret"):
            out.add(("Secret", self.namespace_of(doc), fluxspec.external_secret_target(doc.data) or doc.name))
        for doc in self.repo.of_kind("Certificate"):
            secret_name = fluxspec.certificate_secret(doc.data)
            if secret_name is not None:
                out.add(("Secret", self.namespace_of(doc), secret_name))
        return out

    def produces(self, kind: str, namespace: str | None, name: str) -> bool:
        found = self.produced
        if (kind, namespace, name) in found or (kind, None, name) in found:
            return True
        return namespace is None and any(k == kind and n == name for k, _ns, n in found)

    def source(self, ref: Ref) -> Doc | None:
        return self.sources.get((ref.kind, ref.namespace, ref.name))

    @cached_property
    def helm_releases(self) -> list[HelmReleaseInfo]:
        out = []
        for doc in self.repo.of_kind("HelmRelease"):
            if is_helm_release(doc):
                out.append(self._helm_release(doc))
        return out

    def _helm_release(self, doc: Doc) -> HelmReleaseInfo:
        namespace = self.namespace_of(doc) or "default"
        read = fluxspec.helm_chart_spec(doc.data)
        chart_name, version, source = read.chart, read.version, None
        if read.source is not None:
            source = Ref(
                read.source.kind or "HelmRepository", read.source.namespace or namespace, read.source.name
            )
        if read.chart_ref is not None:
            ref = read.chart_ref
            source = Ref(ref.kind or "OCIRepository", ref.namespace or namespace, ref.name)
            oci = self.source(source)
            if oci is not None:
                url = fluxspec.source_url(oci.data) or ""
                chart_name = url.rstrip("/").rsplit("/", 1)[-1] or source.name
                pinned = fluxspec.oci_version(oci.data)
                if pinned is not None:
                    version = pinned or None
            else:
                chart_name = source.name
        values = _mapping(k8s_flux.values(doc.data))
        chart_name = self.resolve(doc, chart_name)
        return HelmReleaseInfo(doc, namespace, chart_name, version, source, values)

    @cached_property
    def all_variables(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for ks in self.kustomizations:
            out.update(ks.variables)
        return out
