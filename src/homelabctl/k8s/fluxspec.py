"""Flux objects as a GitOps repository writes them: references with the index of the list entry they come from
(so a finding can point at its line), and only the values Flux would accept (a name that is not a string is
no reference). Namespaces are returned as written; the caller applies the object's own as the default."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, items, mapping, section, text


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


class Dependency(msgspec.Struct, frozen=True):
    index: int
    """Position in ``spec.dependsOn``."""
    name: str
    namespace: str
    """Empty when unset (the object's own namespace applies)."""


def dependencies(obj: Obj) -> tuple[Dependency, ...]:
    """``spec.dependsOn`` of a Kustomization or HelmRelease; entries without a string name are skipped."""
    found = []
    for i, dep in enumerate(items(section(obj, "spec").get("dependsOn"))):
        name = _str(mapping(dep).get("name"))
        if name is not None:
            found.append(Dependency(i, name, text(mapping(dep).get("namespace"))))
    return tuple(found)


class ValuesSource(msgspec.Struct, frozen=True):
    index: int
    """Position in ``spec.valuesFrom``."""
    kind: str
    """``ConfigMap`` (the default) or ``Secret``."""
    name: str
    optional: bool
    values_key: str


def values_sources(hr: Obj) -> tuple[ValuesSource, ...]:
    """``spec.valuesFrom`` of a HelmRelease; entries without a string name are skipped."""
    found = []
    for i, ref in enumerate(items(section(hr, "spec").get("valuesFrom"))):
        entry = mapping(ref)
        name = _str(entry.get("name"))
        if name is not None:
            found.append(
                ValuesSource(
                    i,
                    text(entry.get("kind")) or "ConfigMap",
                    name,
                    entry.get("optional") is True,
                    text(entry.get("valuesKey")),
                )
            )
    return tuple(found)


def values_from_labels(hr: Obj) -> list[str]:
    """``Kind/name`` of every ``spec.valuesFrom`` entry that is a map, as written (name may be missing)."""
    return [
        f"{text(entry.get('kind'), 'ConfigMap') or 'ConfigMap'}/{entry.get('name')}"
        for entry in items(section(hr, "spec").get("valuesFrom"))
        if isinstance(entry, dict)
    ]


class Reference(msgspec.Struct, frozen=True):
    kind: str
    """As written; empty when unset (the caller knows the default kind)."""
    name: str
    namespace: str


def _reference(value: object) -> Reference | None:
    ref = mapping(value)
    name = _str(ref.get("name"))
    if not isinstance(value, dict) or name is None:
        return None
    return Reference(text(ref.get("kind")), name, text(ref.get("namespace")))


class SubstituteFrom(msgspec.Struct, frozen=True):
    index: int
    kind: str
    """``ConfigMap`` (the default) or ``Secret``."""
    name: str
    optional: bool


class KustomizationSpec(msgspec.Struct, frozen=True):
    path: str
    """``spec.path`` when it is a string, else empty."""
    source: Reference | None
    substitute: dict[str, str]
    """``spec.postBuild.substitute``."""
    substitute_from: tuple[SubstituteFrom, ...]
    decryption_provider: str | None
    target_namespace: str | None


def kustomization_spec(ks: Obj) -> KustomizationSpec:
    spec = section(ks, "spec")
    post = spec.get("postBuild")
    substitute: dict[str, str] = {}
    substitute_from: list[SubstituteFrom] = []
    if isinstance(post, dict):
        if isinstance(post.get("substitute"), dict):
            substitute = {str(k): str(v) for k, v in post["substitute"].items()}
        for i, item in enumerate(items(post.get("substituteFrom"))):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                substitute_from.append(
                    SubstituteFrom(
                        i, str(item.get("kind") or "ConfigMap"), item["name"], bool(item.get("optional"))
                    )
                )
    decryption = spec.get("decryption")
    target = spec.get("targetNamespace")
    return KustomizationSpec(
        _str(spec.get("path")) or "",
        _reference(spec.get("sourceRef")),
        substitute,
        tuple(substitute_from),
        mapping(decryption).get("provider") if isinstance(decryption, dict) else None,
        target if isinstance(target, str) else None,
    )


class HelmChartSpec(msgspec.Struct, frozen=True):
    chart: str
    """``spec.chart.spec.chart``; empty with ``chartRef``."""
    version: str | None
    source: Reference | None
    """``spec.chart.spec.sourceRef``."""
    chart_ref: Reference | None
    """``spec.chartRef`` (an OCIRepository or HelmChart), which takes the place of ``spec.chart``."""


def helm_chart_spec(hr: Obj) -> HelmChartSpec:
    spec = section(hr, "spec")
    chart = spec.get("chart")
    chart_spec = chart.get("spec") if isinstance(chart, dict) else None
    name, version, source = "", None, None
    if isinstance(chart_spec, dict):
        name = str(chart_spec.get("chart") or "")
        version = str(chart_spec["version"]) if chart_spec.get("version") is not None else None
        source = _reference(chart_spec.get("sourceRef"))
    return HelmChartSpec(name, version, source, _reference(spec.get("chartRef")))


def source_url(source: Obj) -> str | None:
    """``spec.url`` of a GitRepository, HelmRepository or OCIRepository when it is a string."""
    return _str(section(source, "spec").get("url"))


def oci_version(source: Obj) -> str | None:
    """``spec.ref.semver``, else ``spec.ref.tag`` of an OCIRepository: None without ``spec.ref``, empty when
    the ref names neither (a digest, or the latest)."""
    ref = section(source, "spec").get("ref")
    if not isinstance(ref, dict):
        return None
    return str(ref.get("semver") or ref.get("tag") or "")


def certificate_secret(cert: Obj) -> str | None:
    """``spec.secretName`` of a cert-manager Certificate when it is a string."""
    return _str(section(cert, "spec").get("secretName"))


def sealed_secret_name(sealed: Obj) -> str:
    """``spec.template.metadata.name`` of a SealedSecret; empty when unset (the SealedSecret's name applies)."""
    return text(mapping(mapping(section(sealed, "spec").get("template")).get("metadata")).get("name"))


def external_secret_target(external: Obj) -> str:
    """``spec.target.name`` of an ExternalSecret; empty when unset (the ExternalSecret's name applies)."""
    return text(mapping(section(external, "spec").get("target")).get("name"))
