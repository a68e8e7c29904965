"""The readers the repository scan moved onto: Flux objects as Git holds them, CRD schemas, counts."""

from __future__ import annotations

from typing import Any

import pytest

from homelabctl.k8s import certmanager, crd_schemas, fluxspec, manifests

HOSTILE: list[Any] = ["gw", 3, None, ["x"], {"a": "b"}, True]

KUSTOMIZATION = {
    "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
    "kind": "Kustomization",
    "metadata": {"name": "apps", "namespace": "flux-system"},
    "spec": {
        "interval": "10m",
        "path": "./apps/production",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
        "dependsOn": [{"name": "infra-controllers"}, "bad", {"name": 3}, {"name": "db", "namespace": "data"}],
        "decryption": {"provider": "sops", "secretRef": {"name": "sops-age"}},
        "postBuild": {
            "substitute": {"cluster_domain": "example.net", "replicas": 2},
            "substituteFrom": [{"kind": "Secret", "name": "cluster-secrets"}, {"name": 5}],
        },
    },
}


def test_kustomization_spec() -> None:
    read = fluxspec.kustomization_spec(KUSTOMIZATION)
    assert read.path == "./apps/production"
    assert read.source == fluxspec.Reference("GitRepository", "flux-system", "")
    assert read.substitute == {"cluster_domain": "example.net", "replicas": "2"}
    assert read.substitute_from == (fluxspec.SubstituteFrom(0, "Secret", "cluster-secrets", False),)
    assert (read.decryption_provider, read.target_namespace) == ("sops", None)
    assert fluxspec.dependencies(KUSTOMIZATION) == (
        fluxspec.Dependency(0, "infra-controllers", ""),
        fluxspec.Dependency(3, "db", "data"),
    )


def test_helm_release_chart_values_and_oci_source() -> None:
    hr = {
        "kind": "HelmRelease",
        "spec": {
            "chart": {"spec": {"chart": "authentik", "version": 2025.2, "sourceRef": {"name": "authentik"}}},
            "valuesFrom": [
                {"kind": "Secret", "name": "authentik-values", "valuesKey": "v.yaml"},
                {"name": None},
            ],
        },
    }
    chart = fluxspec.helm_chart_spec(hr)
    assert (chart.chart, chart.version, chart.chart_ref) == ("authentik", "2025.2", None)
    assert chart.source == fluxspec.Reference("", "authentik", "")
    assert fluxspec.values_sources(hr) == (
        fluxspec.ValuesSource(0, "Secret", "authentik-values", False, "v.yaml"),
    )
    assert fluxspec.values_from_labels(hr) == ["Secret/authentik-values", "ConfigMap/None"]
    oci = {"spec": {"url": "oci://ghcr.io/home-operations/charts/app-template", "ref": {"tag": "3.7.3"}}}
    assert fluxspec.source_url(oci) == "oci://ghcr.io/home-operations/charts/app-template"
    assert fluxspec.oci_version(oci) == "3.7.3"
    assert fluxspec.oci_version({"spec": {"ref": {"digest": "sha256:abc"}}}) == ""
    assert fluxspec.oci_version({"spec": {}}) is None


def test_secret_producers() -> None:
    assert fluxspec.certificate_secret({"spec": {"secretName": "wildcard-tls"}}) == "wildcard-tls"
    assert fluxspec.sealed_secret_name({"spec": {"template": {"metadata": {"name": "db"}}}}) == "db"
    assert fluxspec.external_secret_target({"spec": {"target": {"name": "api"}}}) == "api"


@pytest.mark.parametrize("value", HOSTILE)
def test_flux_manifest_readers_tolerate_any_shape(value: Any) -> None:
    raw = {
        "spec": {"path": value, "sourceRef": value, "dependsOn": value, "postBuild": value, "chart": value}
    }
    read = fluxspec.kustomization_spec(raw)
    assert isinstance(read.path, str) and read.source is None
    fluxspec.dependencies(raw)
    fluxspec.helm_chart_spec(raw)
    fluxspec.values_sources({"spec": {"valuesFrom": value}})
    fluxspec.values_from_labels({"spec": {"valuesFrom": value}})
    fluxspec.oci_version({"spec": {"ref": value}})
    fluxspec.kustomization_spec({"spec": {"postBuild": {"substituteFrom": value, "substitute": value}}})
    assert fluxspec.certificate_secret({"spec": {"secretName": value}}) in (None, "gw")
    fluxspec.sealed_secret_name({"spec": {"template": value}})
    fluxspec.external_secret_target({"spec": {"target": value}})


def test_crd_version_schemas() -> None:
    crd = {
        "kind": "CustomResourceDefinition",
        "spec": {
            "group": "postgresql.cnpg.io",
            "names": {"kind": "Cluster", "plural": "clusters"},
            "versions": [
                {"name": "v1", "schema": {"openAPIV3Schema": {"type": "object"}}},
                {"name": "v1beta1"},
                "junk",
            ],
        },
    }
    [found] = crd_schemas.version_schemas(crd)
    assert (found.group, found.version, found.kind, found.schema) == (
        "postgresql.cnpg.io",
        "v1",
        "Cluster",
        {"type": "object"},
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_crd_version_schemas_tolerate_any_shape(value: Any) -> None:
    assert crd_schemas.version_schemas({"spec": {"group": value, "names": value, "versions": value}}) == []
    crd_schemas.version_schemas(
        {"spec": {"group": "g", "names": {"kind": "K"}, "versions": [{"name": "v1", "schema": value}]}}
    )


@pytest.mark.parametrize(
    ("value", "count"), [(None, 1), (3, 3), ("2", 2), ("${REPLICAS}", 0), ("zzz", 0), (["x"], 0)]
)
def test_spec_count(value: Any, count: int) -> None:
    spec = {} if value is None else {"replicas": value}
    assert manifests.spec_count({"spec": spec}, "replicas") == count


def test_ingress_tls_hosts() -> None:
    ingress = {"spec": {"tls": [{"hosts": ["*.example.net", "example.net"], "secretName": "w"}, "x"]}}
    assert certmanager.ingress_tls_hosts(ingress) == ["*.example.net", "example.net"]
    for value in HOSTILE:
        certmanager.ingress_tls_hosts({"spec": {"tls": value}})
        certmanager.ingress_tls_hosts({"spec": {"tls": [{"hosts": value}]}})
