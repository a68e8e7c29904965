"""Readings shared by the Velero checks: schedule intervals from cron specs, where a location points."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import timedelta
from itertools import pairwise
from urllib.parse import urlparse

from homelabctl.k8s import velero
from homelabctl.model import Resource
from homelabctl.timeutil import parse_go_duration

_DESCRIPTORS = {
    "@yearly": timedelta(days=366),
    "@annually": timedelta(days=366),
    "@monthly": timedelta(days=31),
    "@weekly": timedelta(days=7),
    "@daily": timedelta(days=1),
    "@midnight": timedelta(days=1),
    "@hourly": timedelta(hours=1),
}
_MONTHS = {
    name: i
    for i, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_DAYS = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}


def _field_values(text: str, low: int, high: int, names: Mapping[str, int] | None = None) -> set[int] | None:
    """Values one cron field allows: ``*``, ``*/n``, ``a-b``, ``a-b/n``, ``a,b``, names; None if invalid."""
    values: set[int] = set()

    def number(token: str) -> int:
        token = token.lower()
        if names and token in names:
            return names[token]
        return int(token)

    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
            if step <= 0:
                return None
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = number(a), number(b)
        else:
            start = number(part)
            # "5/15" means from 5 to the end of the range in steps of 15, as in robfig/cron
            end = high if step > 1 else start
        if start < low or end > high or start > end:
            return None
        values.update(range(start, end + 1, step))
    return values


def _max_gap(values: set[int], cycle: int) -> int:
    """Longest distance between consecutive allowed values, wrapping around the cycle."""
    ordered = sorted(values)
    gaps = [b - a for a, b in pairwise(ordered)]
    gaps.append(ordered[0] + cycle - ordered[-1])
    return max(gaps)


def schedule_interval(spec: str) -> timedelta | None:
    """The longest gap between two runs of a Velero schedule (5-field cron, ``@every``, descriptors).

    Approximate on purpose: the longest gap is what "twice the interval" must be measured against, and
    month lengths or day-of-month/day-of-week interplay only ever make it a little longer.
    """
    text = " ".join(spec.split())
    if text.startswith(("CRON_TZ=", "TZ=")):
        text = text.partition(" ")[2]
    if not text:
        return None
    if text.startswith("@every "):
        return parse_go_duration(text.split(" ", 1)[1].strip())
    if text.startswith("@"):
        return _DESCRIPTORS.get(text.lower())
    fields = text.split(" ")
    if len(fields) != 5:
        return None
    try:
        minutes = _field_values(fields[0], 0, 59)
        hours = _field_values(fields[1], 0, 23)
        dom = _field_values(fields[2], 1, 31)
        months = _field_values(fields[3], 1, 12, _MONTHS)
        dow = _field_values(fields[4], 0, 7, _DAYS)
    except ValueError:
        return None
    if minutes is None or hours is None or dom is None or months is None or dow is None:
        return None
    dow = {d % 7 for d in dow}
    if len(months) < 12:
        return timedelta(days=31 * _max_gap(months, 12))
    if len(dom) < 31:
        return timedelta(days=31) if len(dom) == 1 else timedelta(days=_max_gap(dom, 31))
    if len(dow) < 7:
        return timedelta(days=_max_gap(dow, 7))
    if len(hours) < 24:
        return timedelta(hours=_max_gap(hours, 24))
    if len(minutes) < 60:
        return timedelta(minutes=_max_gap(minutes, 60))
    return timedelta(minutes=1)


def error_tail(message: object, links: int = 3, limit: int = 200) -> str:
    """The end of a wrapped Go error, where the cause is ("...: dial tcp 10.43.12.5:9000: connect: connection
    refused"), flattened to one line."""
    parts = " ".join(str(message or "").split()).split(": ")
    text = ": ".join(parts[-links:])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bsl_endpoint(bsl: Resource) -> str:
    """Where a BackupStorageLocation writes: ``s3Url`` for S3-compatible stores, else the provider's cloud."""
    location = velero.storage_location(bsl)
    url = location.config.get("s3Url", "")
    if url:
        return url
    return f"{location.provider or '?'} bucket {location.bucket or '?'}"


def endpoint_locality(url: str) -> str:
    """``in-cluster``, ``private network`` or ``remote`` for an s3Url; ``remote`` when there is none."""
    if not url or "://" not in url:
        return "remote"
    host = (urlparse(url).hostname or "").lower().rstrip(".")
    if not host:
        return "remote"
    if host.endswith((".svc", ".cluster.local")) or ".svc." in host or "." not in host:
        return "in-cluster"  # a Service name, short or qualified
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "private network" if host.endswith((".local", ".lan", ".home.arpa", ".internal")) else "remote"
    if address.is_private or address.is_loopback or address.is_link_local:
        return "private network"
    return "remote"


def bsl_summary(bsl: Resource) -> str:
    location = velero.storage_location(bsl)
    default = " (default)" if location.default else ""
    return (
        f"BackupStorageLocation {bsl.name}{default}: provider={location.provider or '?'} "
        f"endpoint={bsl_endpoint(bsl)} phase={location.phase or '?'}"
    )
