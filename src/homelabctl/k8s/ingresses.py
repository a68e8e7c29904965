"""Ingress classes: which class an Ingress asks for, and which classes the cluster has (networking.k8s.io/v1)."""

from __future__ import annotations

from homelabctl.k8s._raw import Obj, mapping, mappings, section, strings, text
from homelabctl.k8s.meta import annotations_of

DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"


def class_name(ingress: Obj) -> str:
    """``spec.ingressClassName``: empty when the Ingress names no class that way."""
    return text(section(ingress, "spec").get("ingressClassName"))


def addresses(ingress: Obj) -> list[str]:
    """``status.loadBalancer.ingress``: set by the controller that serves the Ingress."""
    found = mapping(section(ingress, "status").get("loadBalancer")).get("ingress")
    return [
        value for entry in mappings(found) if (value := text(entry.get("ip")) or text(entry.get("hostname")))
    ]


def controller(ingress_class: Obj) -> str:
    """``spec.controller`` of an IngressClass, e.g. ``k8s.io/ingress-nginx``, ``traefik.io/ingress-controller``."""
    return text(section(ingress_class, "spec").get("controller"))


def is_default(ingress_class: Obj) -> bool:
    return annotations_of(ingress_class).get(DEFAULT_CLASS_ANNOTATION, "") == "true"


def tls_secrets(ingress: Obj) -> list[tuple[str, tuple[str, ...]]]:
    """(secretName, hosts) of each ``spec.tls`` entry that names a Secret (of the Ingress's own namespace)."""
    return [
        (name, strings(entry.get("hosts")))
        for entry in mappings(section(ingress, "spec").get("tls"))
        if (name := text(entry.get("secretName")))
    ]
