"""ingress-class-missing: an Ingress asks for a class the cluster does not have, and nothing serves it.

The shape of the incident: an Ingress written for ingress-nginx applied to a K3s cluster that runs only its
packaged Traefik (https://github.com/k3s-io/k3s/issues/1201, https://github.com/traefik/traefik/issues/10447):
accepted by the API server, ignored by every controller, no address.
"""

from __future__ import annotations

from typing import Any

from checks.helpers import findings, run_one

from factories import meta
from factories_apps import ingress

NGINX_ANNOTATIONS = {"nginx.ingress.kubernetes.io/proxy-body-size": "0"}


def ingress_class(name: str, controller: str, *, default: bool = False) -> dict[str, Any]:
    md = meta(name, kind="IngressClass")
    if default:
        md["annotations"] = {"ingressclass.kubernetes.io/is-default-class": "true"}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": md,
        "spec": {"controller": controller},
    }


def unserved(name: str, namespace: str, class_name: str) -> dict[str, Any]:
    obj = ingress(
        name, namespace, f"{name}.home.arpa", name, 9000, annotations=NGINX_ANNOTATIONS, class_name=class_name
    )
    obj["status"] = {"loadBalancer": {}}
    return obj


TRAEFIK = ingress_class("traefik", "traefik.io/ingress-controller", default=True)


def test_fires_on_an_ingress_whose_class_does_not_exist() -> None:
    objs = [
        TRAEFIK,
        unserved("mealie", "home", "nginx"),
        ingress("nextcloud", "cloud", "cloud.home.arpa", "nextcloud", 80),
    ]
    [finding] = findings("ingress-class-missing", objs)
    assert (finding.object.kind, finding.object.namespace, finding.object.name) == (
        "Ingress",
        "home",
        "mealie",
    )
    assert finding.layer.value == "network" and finding.severity.value == "critical"
    assert "spec.ingressClassName: nginx" in finding.evidence
    assert (
        "IngressClasses in the cluster: traefik (traefik.io/ingress-controller, the default)"
        in finding.evidence
    )
    assert any(e.startswith("status.loadBalancer has no address for 30d") for e in finding.evidence)
    assert "Set spec.ingressClassName to traefik" in finding.hint


def test_fires_when_the_cluster_has_no_class_at_all() -> None:
    [finding] = findings(
        "ingress-class-missing",
        [unserved("mealie", "home", "nginx")],
        captured=["IngressClass.networking.k8s.io"],
    )
    assert "the cluster has no IngressClass" in finding.evidence
    assert "Install the controller" in finding.hint


def test_silent_when_the_class_exists_or_the_ingress_is_served() -> None:
    served_by_name = ingress("mealie", "home", "mealie.home.arpa", "mealie", 9000, class_name="nginx")
    objs = [
        TRAEFIK,
        unserved("waiting", "home", "traefik"),  # a real class: its controller may simply be slow
        served_by_name,  # an address: a controller serves it without an IngressClass object
    ]
    assert findings("ingress-class-missing", objs) == []


def test_silent_on_ingresses_without_ingress_class_name() -> None:
    legacy = unserved("legacy", "home", "")
    del legacy["spec"]["ingressClassName"]
    legacy["metadata"]["annotations"] = {"kubernetes.io/ingress.class": "nginx"}
    classless = unserved("classless", "home", "")
    del classless["spec"]["ingressClassName"]
    assert findings("ingress-class-missing", [TRAEFIK, legacy, classless]) == []


def test_not_evaluated_when_ingress_classes_were_not_read() -> None:
    result = run_one("ingress-class-missing", [unserved("mealie", "home", "nginx")])
    assert result.status == "not_evaluated"
    assert result.findings == ()
