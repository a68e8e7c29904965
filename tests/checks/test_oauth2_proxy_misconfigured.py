from __future__ import annotations

import base64
from typing import Any

from factories_apps import (
    oauth2_proxy_configmap,
    oauth2_proxy_deployment,
    oauth2_proxy_pod,
    oauth2_proxy_secret,
    service,
)
from helpers import findings, run_one

# What the night shift first put in the Secret: a 167-byte passphrase.
LONG_SECRET = "prometheus-oauth2-proxy-cookie-" + "k3s-homelab-fletcherlabs-" * 5 + "x" * 11
GOOD_SECRET = base64.urlsafe_b64encode(
    bytes(range(32))
).decode()  # `openssl rand -base64 32 | tr -- '+/' '-_'`
STD_B64_SECRET = base64.b64encode(bytes([251] * 32)).decode()  # has '+' and '/': oauth2-proxy won't decode it
COOKIE_LOG = (
    "[2025/06/16 02:55:01] [main.go:58] invalid configuration:\n"
    "  cookie_secret must be 16, 24, or 32 bytes to create an AES cipher, but is 167 bytes."
)
ISSUER_LOG = (
    "[2025/06/16 03:10:44] [main.go:58] ERROR: Failed to initialise OAuth2 Proxy: error intiailising provider: "
    "could not create provider data: error building OIDC ProviderVerifier: could not get verifier builder: "
    "error while discovery OIDC configuration: oidc: issuer did not match the issuer returned by provider, "
    'expected "https://authentik.fletcherlabs.net/application/o/prometheus" '
    'got "https://authentik.fletcherlabs.net/application/o/prometheus/"'
)


def proxy(
    cookie: str, *, ready: bool = True, message: str = "", issuer: str | None = None, with_secret: bool = True
) -> list[dict[str, Any]]:
    deploy = (
        oauth2_proxy_deployment(issuer=issuer, ready=int(ready), termination_policy="FallbackToLogsOnError")
        if issuer
        else oauth2_proxy_deployment(ready=int(ready), termination_policy="FallbackToLogsOnError")
    )
    objs = [deploy, *oauth2_proxy_pod(deploy, ready=ready, message=message), oauth2_proxy_configmap()]
    if with_secret:
        objs.append(oauth2_proxy_secret(cookie))
    return objs


def _all_text(found: list[Any]) -> str:
    return "\n".join(f.message + "\n" + "\n".join(f.evidence) + "\n" + f.hint for f in found)


def test_167_byte_cookie_secret_from_the_secret_and_the_log() -> None:
    found = findings("oauth2-proxy-misconfigured", proxy(LONG_SECRET, ready=False, message=COOKIE_LOG))
    assert [(f.object.kind, f.object.name) for f in found] == [("Deployment", "oauth2-proxy")]
    finding = found[0]
    assert finding.severity.value == "critical"
    assert finding.message == (
        "oauth2-proxy Deployment monitoring/oauth2-proxy has a 167-byte cookie secret; "
        "it must be 16, 24 or 32 bytes"
    )
    text = "\n".join(finding.evidence)
    assert "but is 167 bytes" in text
    assert (
        "cookie secret from env OAUTH2_PROXY_COOKIE_SECRET from Secret monitoring/oauth2-proxy key "
        "cookie-secret: 167 bytes, 167 bytes as oauth2-proxy uses it"
    ) in text
    assert "CrashLoopBackOff" in text
    assert "tr -- '+/' '-_'" in finding.hint
    assert LONG_SECRET not in _all_text(found) and LONG_SECRET[:40] not in _all_text(found)


def test_standard_base64_secret_is_not_decoded_by_oauth2_proxy() -> None:
    found = findings("oauth2-proxy-misconfigured", proxy(STD_B64_SECRET))
    assert "has a 44-byte cookie secret" in found[0].message
    assert STD_B64_SECRET not in _all_text(found)


def test_literal_env_value_is_measured_from_its_redaction_marker() -> None:
    deploy = oauth2_proxy_deployment(cookie_env_value="short-secret")
    found = findings("oauth2-proxy-misconfigured", [deploy, *oauth2_proxy_pod(deploy)])
    assert "has a 12-byte cookie secret" in found[0].message
    assert "cookie secret from env OAUTH2_PROXY_COOKIE_SECRET: 12 bytes" in found[0].evidence[0]


def test_issuer_mismatch_shows_both_values() -> None:
    issuer = "https://authentik.fletcherlabs.net/application/o/prometheus"
    found = findings(
        "oauth2-proxy-misconfigured", proxy(GOOD_SECRET, ready=False, message=ISSUER_LOG, issuer=issuer)
    )
    assert len(found) == 1
    finding = found[0]
    assert finding.severity.value == "critical"
    assert (
        "issuer 'https://authentik.fletcherlabs.net/application/o/prometheus' does not match "
        "'https://authentik.fletcherlabs.net/application/o/prometheus/'"
    ) in finding.message
    text = "\n".join(finding.evidence)
    assert (
        "configured issuer (expected): 'https://authentik.fletcherlabs.net/application/o/prometheus'" in text
    )
    assert (
        "provider's issuer (got):    'https://authentik.fletcherlabs.net/application/o/prometheus/'" in text
    )
    assert "the two differ only by the trailing slash" in text
    assert "oidc-issuer-url set by flag --oidc-issuer-url" in text
    assert "exactly 'https://authentik.fletcherlabs.net/application/o/prometheus/'" in finding.hint


def test_unready_proxy_with_authentik_issuer_gets_both_forms_as_a_warning() -> None:
    found = findings("oauth2-proxy-misconfigured", proxy(GOOD_SECRET, ready=False))
    assert [f.severity.value for f in found] == ["warning"]
    text = "\n".join(found[0].evidence)
    assert "oidc-issuer-url='https://authentik.fletcherlabs.net/application/o/prometheus/'" in text
    assert "the other form: 'https://authentik.fletcherlabs.net/application/o/prometheus'" in text
    assert "/.well-known/openid-configuration" in found[0].hint


def test_silent_on_a_healthy_proxy_and_on_other_deployments() -> None:
    other = service("prometheus", "monitoring", {"app": "prometheus"}, [{"port": 9090}])
    assert findings("oauth2-proxy-misconfigured", [*proxy(GOOD_SECRET), other]) == []


def test_silent_when_the_secret_cannot_be_read_and_nothing_failed() -> None:
    assert findings("oauth2-proxy-misconfigured", proxy(LONG_SECRET, with_secret=False)) == []


def test_not_evaluated_without_pods_or_deployments() -> None:
    assert run_one("oauth2-proxy-misconfigured", [oauth2_proxy_secret(GOOD_SECRET)]).status == "not_evaluated"


def test_cookie_secret_in_the_mounted_config_file() -> None:
    deploy = oauth2_proxy_deployment()
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [e for e in container["env"] if e["name"] != "OAUTH2_PROXY_COOKIE_SECRET"]
    cfg = oauth2_proxy_configmap(extra='cookie_secret = "0123456789abcdef0123"\n')
    found = findings("oauth2-proxy-misconfigured", [deploy, *oauth2_proxy_pod(deploy), cfg])
    assert "has a 20-byte cookie secret" in found[0].message
    assert (
        "cookie secret from config file /etc/oauth2_proxy/oauth2_proxy.cfg (cookie_secret): 20 bytes"
        in found[0].evidence[0]
    )
    assert "0123456789abcdef0123" not in _all_text(found)
