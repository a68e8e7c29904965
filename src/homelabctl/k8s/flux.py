"""Flux objects: Kustomizations, HelmReleases and sources (spec fields, inventory, artifacts)."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, mapping, mappings, section, text


def suspended(res: Obj) -> bool:
    return section(res, "spec").get("suspend") is True


def interval(res: Obj) -> str:
    return text(section(res, "spec").get("interval"))


def timeout(res: Obj) -> str:
    return text(section(res, "spec").get("timeout"))


def url(res: Obj) -> str:
    return text(section(res, "spec").get("url"))


def source_type(res: Obj) -> str:
    """``spec.type`` of a HelmRepository (``oci`` or default)."""
    return text(section(res, "spec").get("type"))


def depends_on(res: Obj) -> list[tuple[str, str]]:
    """``spec.dependsOn`` as (namespace, name); the namespace defaults to the object's own."""
    written = section(res, "spec").get("dependsOn")
    if not written:  # most objects: what mappings() makes of any empty value, nothing
        return []
    own = text(section(res, "metadata").get("namespace"))
    return [
        (text(dep.get("namespace")) or own, text(dep.get("name")))
        for dep in mappings(written)
        if text(dep.get("name"))
    ]


class SourceRef(msgspec.Struct, frozen=True):
    kind: str
    name: str
    namespace: str


def source_refs(res: Obj) -> list[SourceRef]:
    """``spec.sourceRef`` (Kustomization), ``spec.chart.spec.sourceRef`` and ``spec.chartRef`` (HelmRelease);
    namespaces default to the object's own."""
    spec = section(res, "spec")
    own = text(section(res, "metadata").get("namespace"))
    refs = [
        mapping(spec.get("sourceRef")),
        mapping(mapping(mapping(spec.get("chart")).get("spec")).get("sourceRef")),
        mapping(spec.get("chartRef")),
    ]
    return [
        SourceRef(text(r.get("kind")), text(r.get("name")), text(r.get("namespace")) or own)
        for r in refs
        if text(r.get("kind")) and text(r.get("name"))
    ]


class InventoryEntry(msgspec.Struct, frozen=True):
    id: str
    """``<namespace>_<name>_<group>_<kind>``."""
    version: str


def inventory(res: Obj) -> list[InventoryEntry]:
    """``status.inventory.entries`` of a Kustomization: what it applied."""
    return [
        InventoryEntry(entry_id, text(entry.get("v")))
        for entry in mappings(mapping(section(res, "status").get("inventory")).get("entries"))
        if (entry_id := text(entry.get("id")))
    ]


def inventory_ids(res: Obj) -> list[str]:
    return [entry.id for entry in inventory(res)]


class Artifact(msgspec.Struct, frozen=True):
    revision: str
    last_update_time: str
    url: str


def artifact(res: Obj) -> Artifact | None:
    found = mapping(section(res, "status").get("artifact"))
    if not found:
        return None
    return Artifact(text(found.get("revision")), text(found.get("lastUpdateTime")), text(found.get("url")))


def last_applied_revision(res: Obj) -> str:
    return text(section(res, "status").get("lastAppliedRevision"))


def last_attempted_revision(res: Obj) -> str:
    return text(section(res, "status").get("lastAttemptedRevision"))


class ValuesRef(msgspec.Struct, frozen=True):
    kind: str
    name: str
    values_key: str
    optional: bool
    target_path: str = ""


def values_from(hr: Obj) -> list[ValuesRef]:
    written = section(hr, "spec").get("valuesFrom")
    if not written:  # most HelmReleases: what mappings() makes of any empty value, nothing
        return []
    return [
        ValuesRef(
            text(ref.get("kind")),
            text(ref.get("name")),
            text(ref.get("valuesKey")),
            ref.get("optional") is True,
            text(ref.get("targetPath")),
        )
        for ref in mappings(written)
    ]


def chart_name(hr: Obj) -> str:
    """``spec.chart.spec.chart`` of a HelmRelease (empty with ``chartRef``)."""
    # (asked of every HelmRelease by two checks) maps and a string taken without a call
    chart = section(hr, "spec").get("chart")
    chart_spec = (chart if type(chart) is dict else mapping(chart)).get("spec")
    name = (chart_spec if type(chart_spec) is dict else mapping(chart_spec)).get("chart")
    return name if type(name) is str else text(name)


def values(hr: Obj) -> object:
    """``spec.values`` of a HelmRelease as written (any YAML value)."""
    return section(hr, "spec").get("values")


def chart_ref_name(hr: Obj) -> str:
    ref = section(hr, "spec").get("chartRef")
    if not ref:  # most HelmReleases name a chart instead (mapping() of any empty value: no name)
        return ""
    return text(mapping(ref).get("name"))
