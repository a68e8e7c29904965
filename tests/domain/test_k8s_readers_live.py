"""The readers the live server, capture, watch and inventory moved onto."""

from __future__ import annotations

from typing import Any

import pytest

from homelabctl.k8s import crd_schemas, meta, revisions, scrub, templates
from homelabctl.k8s.nodeinfo import node_info
from homelabctl.model import Resource
from homelabctl.redact import LAST_APPLIED

from factories import node, pod

HOSTILE: list[Any] = ["gw", 3, None, ["x"], {"a": "b"}, True]

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "helmreleases.helm.toolkit.fluxcd.io", "resourceVersion": "4711"},
    "spec": {
        "group": "helm.toolkit.fluxcd.io",
        "names": {
            "kind": "HelmRelease",
            "plural": "helmreleases",
            "shortNames": ["hr"],
            "singular": "helmrelease",
        },
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v2",
                "served": True,
                "storage": True,
                "schema": {"openAPIV3Schema": {"type": "object"}},
            },
            {"name": "v2beta1", "served": False, "storage": False},
            {
                "name": "v2beta2",
                "served": True,
                "storage": False,
                "additionalPrinterColumns": [
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
                ],
            },
        ],
    },
}


def test_served_crd() -> None:
    found = crd_schemas.served(CRD)
    assert found is not None
    assert (found.kind, found.group, found.plural, found.singular) == (
        "HelmRelease",
        "helm.toolkit.fluxcd.io",
        "helmreleases",
        "helmrelease",
    )
    assert found.namespaced and found.short_names == ("hr",) and found.categories == ()
    assert (found.versions, found.storage_version) == (("v2", "v2beta2"), "v2")
    assert list(found.printer_columns) == ["v2beta2"]
    cluster = crd_schemas.served(
        {"spec": {"group": "g", "scope": "Cluster", "names": {"kind": "K", "plural": "ks"}}}
    )
    assert cluster is not None and not cluster.namespaced and cluster.singular == "k"


@pytest.mark.parametrize("value", HOSTILE)
def test_served_crd_tolerates_any_shape(value: Any) -> None:
    assert crd_schemas.served({"spec": {"group": "g", "names": value}}) is None
    found = crd_schemas.served(
        {"spec": {"group": "g", "names": {"kind": "K", "plural": "ks"}, "versions": value}}
    )
    assert found is not None and found.versions == ()
    crd_schemas.served(
        {
            "spec": {
                "group": "g",
                "names": {"kind": "K", "plural": "ks", "shortNames": value},
                "versions": [value],
            }
        }
    )


def test_revisions() -> None:
    res = Resource.from_raw(pod("web-0", "apps"))
    res.raw["metadata"]["resourceVersion"] = "812"
    assert revisions.resource_version(res) == "812"
    stamped = revisions.with_resource_version(res, 900)
    assert stamped["metadata"]["resourceVersion"] == "900" and res.raw["metadata"]["resourceVersion"] == "812"
    assert "resourceVersion" not in revisions.without_resource_version(res)["metadata"]
    assert revisions.continue_token({"kind": "PodList", "metadata": {"continue": "eyJ2Ijo"}}) == "eyJ2Ijo"
    assert revisions.has_name(res.raw) and not revisions.has_name({"metadata": {}})


@pytest.mark.parametrize("value", HOSTILE)
def test_revisions_tolerate_any_shape(value: Any) -> None:
    assert revisions.resource_version({"metadata": value}) in ("", "gw", "3", "True")
    revisions.continue_token({"metadata": value})
    revisions.without_resource_version({"metadata": value})
    revisions.with_resource_version({"metadata": value}, 1)
    assert not revisions.has_name(value) or isinstance(value, dict)


def test_scrub_drops_bookkeeping() -> None:
    obj: dict[str, Any] = {
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "x", "managedFields": [{}], "annotations": {LAST_APPLIED: "{...}"}},
        "spec": {"versions": [{"name": "v1", "schema": {"openAPIV3Schema": {}}}, "junk"]},
    }
    scrub.drop_bookkeeping(obj, "<redacted>")
    assert obj["metadata"] == {"name": "x", "annotations": {LAST_APPLIED: "<redacted>"}}
    assert obj["spec"]["versions"][0] == {"name": "v1"}
    for value in HOSTILE:
        scrub.drop_bookkeeping({"kind": "CustomResourceDefinition", "metadata": value, "spec": value}, "m")


def test_job_template_spec_and_whole() -> None:
    cronjob = {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"parallelism": 2}}}}
    assert templates.job_template_spec(cronjob) == {"parallelism": 2}
    for value in HOSTILE:
        assert templates.job_template_spec({"spec": {"jobTemplate": value}}) == {}
    res = Resource.from_raw(CRD)
    assert meta.whole(res) is res.raw and meta.whole(CRD) is CRD


def test_node_info() -> None:
    info = node_info(Resource.from_raw(node("k3s1")))
    assert info.kubelet_version.startswith("v1.") and info.container_runtime_version.startswith(
        "containerd://"
    )
    for value in HOSTILE:
        assert node_info({"status": {"nodeInfo": value}}) == node_info({})
