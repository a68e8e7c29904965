"""Pod templates of controllers: the labels the pods they make will carry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homelabctl.k8s._raw import Obj, mapping, raw_of, section, string_map

_TEMPLATED = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"})


def pod_template(workload: Obj) -> Mapping[str, Any]:
    """``spec.template`` of a controller (a CronJob's ``spec.jobTemplate.spec.template``); empty otherwise."""
    spec = section(workload, "spec")
    if raw_of(workload).get("kind") == "CronJob":
        spec = mapping(mapping(spec.get("jobTemplate")).get("spec"))
    return mapping(spec.get("template"))


def pod_template_labels(workload: Obj) -> dict[str, str] | None:
    """The labels of the pods a controller makes; None for an object that has no pod template."""
    if raw_of(workload).get("kind") not in _TEMPLATED:
        return None
    return string_map(mapping(pod_template(workload).get("metadata")).get("labels"))
