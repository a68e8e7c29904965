"""Admin UIs that have no login of their own, and the auth proxies that put one in front.

Whoever reaches one of these UIs is its admin: it reads every metric, silences alerts, deletes volumes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import msgspec

from homelabctl.lazyre import LazyPattern

LABEL_KEYS = ("app.kubernetes.io/name", "app", "k8s-app")
"""Labels whose values name the app a pod or Service belongs to."""


class AdminUI(msgspec.Struct, frozen=True):
    name: str
    labels: frozenset[str]
    """Values of the ``LABEL_KEYS`` labels that mark its pods or Service."""
    images: tuple[str, ...]
    """Image fragments of its pods."""
    service_re: LazyPattern
    """Service names charts and manifests give it."""
    ports: frozenset[int] = frozenset()
    """When set, only these backend ports (or ``port_names``) reach the UI: the same Service also serves
    non-admin traffic (Traefik's web/websecure entrypoints)."""
    port_names: frozenset[str] = frozenset()
    token_login: bool = False
    """It asks for a bearer token: a login of sorts, but its login page and any skip-login are public."""

    def serves_port(self, port: object, target_port: object = None, port_name: str = "") -> bool:
        """Whether a backend on ``port`` reaches the UI (always, for UIs that own their Service)."""
        if not self.ports:
            return True
        return (
            port in self.ports
            or target_port in self.ports
            or port_name in self.port_names
            or target_port in self.port_names
            or (isinstance(port, str) and port in self.port_names)
        )


ADMIN_UIS: tuple[AdminUI, ...] = (
    AdminUI(
        "Prometheus",
        frozenset({"prometheus", "prometheus-server"}),
        ("prometheus/prometheus",),
        LazyPattern(r"(^|-)prometheus(-server|-operated|-k8s)?$"),
    ),
    AdminUI(
        "Alertmanager",
        frozenset({"alertmanager"}),
        ("prometheus/alertmanager",),
        LazyPattern(r"(^|-)alertmanager(-operated|-main)?$"),
    ),
    AdminUI(
        "Prometheus Pushgateway",
        frozenset({"prometheus-pushgateway", "pushgateway"}),
        ("prometheus/pushgateway",),
        LazyPattern(r"(^|-)pushgateway$"),
    ),
    AdminUI(
        "Longhorn UI",
        frozenset({"longhorn-ui"}),
        ("longhornio/longhorn-ui",),
        LazyPattern(r"^longhorn-frontend$"),
    ),
    AdminUI("Hubble UI", frozenset({"hubble-ui"}), ("cilium/hubble-ui",), LazyPattern(r"^hubble-ui$")),
    AdminUI(
        "Kubernetes Dashboard",
        frozenset({"kubernetes-dashboard", "kubernetes-dashboard-web"}),
        ("kubernetesui/dashboard",),
        LazyPattern(r"^kubernetes-dashboard(-web|-kong-proxy)?$"),
        token_login=True,
    ),
    AdminUI(
        "Traefik dashboard",
        frozenset({"traefik"}),
        ("traefik:", "library-traefik"),
        LazyPattern(r"(^|-)traefik(-dashboard)?$"),
        frozenset({8080, 9000}),
        frozenset({"traefik", "dashboard", "admin"}),
    ),
)
ALL_UI_LABELS = frozenset(label for ui in ADMIN_UIS for label in ui.labels)
ALL_UI_IMAGES = tuple(fragment for ui in ADMIN_UIS for fragment in ui.images)
ANY_UI_SERVICE_RE = LazyPattern("|".join(f"(?:{ui.service_re.pattern})" for ui in ADMIN_UIS))
"""Matches the names every UI's ``service_re`` matches: one search for "is it any of them"."""
ANY_UI_SERVICE_WORDS = (
    "prometheus",
    "alertmanager",
    "pushgateway",
    "longhorn-frontend",
    "hubble-ui",
    "kubernetes-dashboard",
    "traefik",
)
"""A word of each ``service_re`` that every name it matches contains: a name with none of them is no UI's,
known without compiling or running :data:`ANY_UI_SERVICE_RE` (most Service names of a cluster)."""


def may_be_ui_service_name(name: str) -> bool:
    """``ANY_UI_SERVICE_RE.search(name) is not None``, asked with substring tests first."""
    for word in ANY_UI_SERVICE_WORDS:
        if word in name:
            return ANY_UI_SERVICE_RE.search(name) is not None
    return False


AUTH_PROXY_LABELS = frozenset({"oauth2-proxy", "authentik-outpost", "pomerium", "vouch-proxy", "authelia"})
AUTH_PROXY_IMAGES = ("oauth2-proxy", "goauthentik/proxy", "pomerium/pomerium", "vouch-proxy")
AUTH_PROXY_NAME_RE = LazyPattern(
    r"oauth2-proxy|oauth-proxy|authentik|authelia|pomerium|outpost|vouch|forward-?auth", re.IGNORECASE
)
"""Service names of auth proxies: a route to one of them is the auth in front."""
AUTH_FILTER_RE = LazyPattern(r"auth|oauth|oidc|sso|login|forward", re.IGNORECASE)
"""ExtensionRef filter and middleware names that authenticate."""
AUTH_ANNOTATIONS = (
    "nginx.ingress.kubernetes.io/auth-url",
    "nginx.ingress.kubernetes.io/auth-type",
    "nginx.ingress.kubernetes.io/auth-signin",
    "nginx.ingress.kubernetes.io/auth-tls-verify-client",
    "ingress.kubernetes.io/auth-type",
    "haproxy.org/auth-type",
    "haproxy.org/auth-realm",
)
"""Ingress annotations that put authentication in front of every backend."""
POLICY_AUTH_FIELDS = ("oidc", "basicAuth", "extAuth", "jwt", "apiKeyAuth")
"""Fields of an Envoy Gateway SecurityPolicy that authenticate."""
TRAEFIK_MIDDLEWARES_ANNOTATION = "traefik.ingress.kubernetes.io/router.middlewares"


def label_values(labels: Mapping[str, str]) -> set[str]:
    return {labels[key] for key in LABEL_KEYS if key in labels}


def is_auth_proxy(labels: Mapping[str, str], images: Iterable[str], name: str = "") -> bool:
    if label_values(labels) & AUTH_PROXY_LABELS or is_auth_proxy_pod_name(name):
        return True
    return any(fragment in image for image in images for fragment in AUTH_PROXY_IMAGES)


def is_auth_proxy_pod_name(name: str) -> bool:
    """authentik names its outpost pods ``ak-outpost-*``; the oauth2-proxy charts name theirs after it."""
    return name.startswith("ak-outpost-") or "oauth2-proxy" in name


def is_auth_proxy_name(name: str) -> bool:
    return bool(AUTH_PROXY_NAME_RE.search(name))


def ui_by_service_name(name: str) -> AdminUI | None:
    if is_auth_proxy_name(name):
        return None
    for ui in ADMIN_UIS:
        if ui.service_re.search(name):
            return ui
    return None


def ui_by_label(value: str) -> AdminUI | None:
    for ui in ADMIN_UIS:
        if value in ui.labels:
            return ui
    return None
