"""Flux HelmReleases (helm.toolkit.fluxcd.io): where the release is stored, its history and failure counters."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, mappings, section, text


class ReleaseStorage(msgspec.Struct, frozen=True):
    release_name: str
    """``spec.releaseName``; empty when the default applies."""
    target_namespace: str
    storage_namespace: str
    """``spec.storageNamespace``, else ``status.storageNamespace``; empty when the default applies."""


def release_storage(hr: Obj) -> ReleaseStorage:
    spec = section(hr, "spec")
    return ReleaseStorage(
        text(spec.get("releaseName")),
        text(spec.get("targetNamespace")),
        text(spec.get("storageNamespace")) or text(section(hr, "status").get("storageNamespace")),
    )


class Release(msgspec.Struct, frozen=True):
    """One entry of ``status.history`` (newest first); ``?`` where the controller did not say."""

    name: str
    version: str
    chart_name: str
    chart_version: str
    status: str


def history(hr: Obj) -> tuple[Release, ...]:
    return tuple(
        Release(
            text(entry.get("name"), "?"),
            text(entry.get("version"), "?"),
            text(entry.get("chartName"), "?"),
            text(entry.get("chartVersion"), "?"),
            text(entry.get("status"), "?"),
        )
        for entry in mappings(section(hr, "status").get("history"))
    )


STATUS_FIELDS = (
    "lastAttemptedRevision",
    "lastAttemptedReleaseAction",
    "installFailures",
    "upgradeFailures",
    "failures",
)
"""What helm-controller last tried and how often it failed, in the order a reader wants them."""


def status_fields(hr: Obj) -> list[tuple[str, str]]:
    """The ``STATUS_FIELDS`` the HelmRelease reports, as (field, value as text)."""
    status = section(hr, "status")
    return [(name, text(status.get(name))) for name in STATUS_FIELDS if text(status.get(name))]
