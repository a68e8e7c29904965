"""The templates controllers stamp objects from: pod templates (and the labels the pods will carry), a CronJob's
job template."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homelabctl.k8s._raw import Obj, mapping, raw_of, section, string_map

_TEMPLATED = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"})


def job_template_spec(cronjob: Obj) -> Mapping[str, Any]:
    """``spec.jobTemplate.spec`` of a CronJob (the Job spec: selector, parallelism, template); empty when unset."""
    return mapping(mapping(section(cronjob, "spec").get("jobTemplate")).get("spec"))


def pod_template(workload: Obj) -> Mapping[str, Any]:
    """``spec.template`` of a controller (a CronJob's ``spec.jobTemplate.spec.template``); empty otherwise."""
    if raw_of(workload).get("kind") == "CronJob":
        return mapping(job_template_spec(workload).get("template"))
    return mapping(section(workload, "spec").get("template"))


def pod_template_labels(workload: Obj) -> dict[str, str] | None:
    """The labels of the pods a controller makes; None for an object that has no pod template."""
    if raw_of(workload).get("kind") not in _TEMPLATED:
        return None
    return string_map(mapping(pod_template(workload).get("metadata")).get("labels"))
