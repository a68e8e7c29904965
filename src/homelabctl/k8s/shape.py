"""An object's fields as the document holds them, for the code that judges or rewrites their shape (the
loader's validation, redaction, the index): nothing is defaulted, so a wrong type stays visible to it.
Maps are tested with ``isinstance(x, dict)`` (exact and fast), never skipped for being a subclass: what
redaction does not reach would leak.

Everything else reads through the typed readers (``meta``, ``pods``, ...), which turn a wrong type into a
safe default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homelabctl.k8s._raw import Obj, raw_of, section
from homelabctl.model import Resource


def value(raw: Mapping[str, Any], name: str) -> Any:
    """A top-level field (``metadata``, ``spec``, ``status``, ``data``, ``message``...) as found, or None."""
    return raw.get(name)


def sections(raw: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    """``metadata``, ``spec`` and ``status`` as found (None where absent), in one call: this runs on every
    object loaded."""
    get = raw.get
    return get("metadata"), get("spec"), get("status")


def pod_template_spec(raw: Mapping[str, Any]) -> Any:
    """The pod spec a workload's template holds (``spec.template.spec``; a CronJob's
    ``spec.jobTemplate.spec.template.spec``) as found, or None where a step of the path is not a map."""
    spec = raw.get("spec")
    if isinstance(spec, dict) and raw.get("kind") == "CronJob":
        job = spec.get("jobTemplate")
        spec = job.get("spec") if isinstance(job, dict) else None
    template = spec.get("template") if isinstance(spec, dict) else None
    return template.get("spec") if isinstance(template, dict) else None


def pod_template(raw: Mapping[str, Any]) -> Any:
    """``spec.template`` as found, or None."""
    spec = raw.get("spec")
    return spec.get("template") if isinstance(spec, dict) else None


def cronjob_template(raw: Mapping[str, Any]) -> Any:
    """A CronJob's ``spec.jobTemplate.spec.template`` as found, or None."""
    spec = raw.get("spec")
    job = spec.get("jobTemplate") if isinstance(spec, dict) else None
    job_spec = job.get("spec") if isinstance(job, dict) else None
    return job_spec.get("template") if isinstance(job_spec, dict) else None


def metadata_value(obj: Obj, name: str) -> Any:
    """A metadata field (``uid``, ``resourceVersion``, ``creationTimestamp``...) as found, or None."""
    return section(obj, "metadata").get(name)


def uid_and_owners(obj: Obj) -> tuple[Any, Any]:
    """``metadata.uid`` and ``metadata.ownerReferences`` as found, in one call: the index reads both of
    every object it adds."""
    meta = obj.metadata if type(obj) is Resource else section(obj, "metadata")  # (hot: every object loaded)
    return meta.get("uid"), meta.get("ownerReferences")


def spec_value(obj: Obj, name: str) -> Any:
    """A spec field (``nodeName``...) as found, or None."""
    return (obj.spec if type(obj) is Resource else section(obj, "spec")).get(name)


def involved(obj: Obj) -> Mapping[str, Any] | None:
    """An Event's ``involvedObject`` (core/v1), else its ``regarding`` (events.k8s.io/v1), when a map."""
    raw = raw_of(obj)
    ref = raw.get("involvedObject") or raw.get("regarding")
    return ref if isinstance(ref, Mapping) else None


def event_stamps(obj: Obj) -> tuple[object, ...]:
    """An Event's ``lastTimestamp``, ``eventTime`` and ``series.lastObservedTime``, as found."""
    raw = raw_of(obj)
    series = raw.get("series") or {}
    last = series.get("lastObservedTime") if isinstance(series, Mapping) else None
    return raw.get("lastTimestamp"), raw.get("eventTime"), last
