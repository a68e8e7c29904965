"""The templates controllers stamp objects from: a CronJob's job template."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homelabctl.k8s._raw import Obj, mapping, section


def job_template_spec(cronjob: Obj) -> Mapping[str, Any]:
    """``spec.jobTemplate.spec`` of a CronJob (the Job spec: selector, parallelism, template); empty when unset."""
    return mapping(mapping(section(cronjob, "spec").get("jobTemplate")).get("spec"))
