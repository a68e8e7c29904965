"""Velero: BackupStorageLocations, VolumeSnapshotLocations, Schedules and Backups."""

from __future__ import annotations

import msgspec

from homelabctl.k8s._raw import Obj, integer, items, mapping, section, string_map, text


class StorageLocation(msgspec.Struct, frozen=True):
    """A BackupStorageLocation."""

    provider: str
    bucket: str
    config: dict[str, str]
    default: bool
    credential: tuple[str, str] | None
    """(Secret name, key) of ``spec.credential``."""
    phase: str
    message: str
    last_validation_time: str


def storage_location(bsl: Obj) -> StorageLocation:
    spec, status = section(bsl, "spec"), section(bsl, "status")
    credential = mapping(spec.get("credential"))
    return StorageLocation(
        text(spec.get("provider")),
        text(mapping(spec.get("objectStorage")).get("bucket")),
        string_map(spec.get("config")),
        bool(spec.get("default")),
        (text(credential.get("name")), text(credential.get("key"))) if credential else None,
        text(status.get("phase")),
        text(status.get("message")),
        text(status.get("lastValidationTime")),
    )


class SnapshotLocation(msgspec.Struct, frozen=True):
    provider: str
    config: dict[str, str]
    phase: str
    message: str


def snapshot_location(vsl: Obj) -> SnapshotLocation:
    spec, status = section(vsl, "spec"), section(vsl, "status")
    return SnapshotLocation(
        text(spec.get("provider")),
        string_map(spec.get("config")),
        text(status.get("phase")),
        text(status.get("message")),
    )


class Schedule(msgspec.Struct, frozen=True):
    schedule: str
    paused: bool
    storage_location: str
    """``spec.template.storageLocation``; empty means the default location."""
    phase: str
    validation_errors: tuple[str, ...]
    last_backup: str


def schedule(obj: Obj) -> Schedule:
    spec, status = section(obj, "spec"), section(obj, "status")
    return Schedule(
        text(spec.get("schedule")),
        spec.get("paused") is True,
        text(mapping(spec.get("template")).get("storageLocation")),
        text(status.get("phase")),
        tuple(text(e) for e in items(status.get("validationErrors"))),
        text(status.get("lastBackup")),
    )


class Backup(msgspec.Struct, frozen=True):
    storage_location: str
    phase: str
    start_timestamp: str
    completion_timestamp: str
    failure_reason: str
    errors: int
    warnings: int
    validation_errors: tuple[str, ...]


def backup(obj: Obj) -> Backup:
    spec, status = section(obj, "spec"), section(obj, "status")
    return Backup(
        text(spec.get("storageLocation")),
        text(status.get("phase")),
        text(status.get("startTimestamp")),
        text(status.get("completionTimestamp")),
        text(status.get("failureReason")),
        integer(status.get("errors")),
        integer(status.get("warnings")),
        tuple(text(e) for e in items(status.get("validationErrors"))),
    )


SCHEDULE_LABEL = "velero.io/schedule-name"
"""The label Velero puts on each Backup a Schedule creates, naming the Schedule."""


def started(obj: Obj) -> str:
    """When a Backup started (``status.startTimestamp``), else when it was created: the order of backups."""
    return backup(obj).start_timestamp or text(section(obj, "metadata").get("creationTimestamp"))
