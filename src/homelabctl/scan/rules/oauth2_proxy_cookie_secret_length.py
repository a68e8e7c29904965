from __future__ import annotations

from collections.abc import Iterator

import msgspec

from homelabctl.model import Finding, Layer, Severity
from homelabctl.redact import oauth2_proxy_secret_length
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc
from homelabctl.scan.rules._common import as_dict, as_list, containers, dig, is_enc, pod_spec
from homelabctl.scan.secrets import decode_secret_value

VALID = (16, 24, 32)
SECRET_KEYS = ("cookie-secret", "cookie_secret", "cookieSecret", "OAUTH2_PROXY_COOKIE_SECRET")
ENV_NAME = "OAUTH2_PROXY_COOKIE_SECRET"


class Candidate(msgspec.Struct, frozen=True):
    doc: Doc
    where: str
    value: bytes
    line: int


def _plain_cookie_env(env: object) -> str | None:
    """The value of an ``OAUTH2_PROXY_COOKIE_SECRET`` env entry written in the clear (not SOPS-encrypted)."""
    if isinstance(env, dict) and env.get("name") == ENV_NAME:
        value = env.get("value")
        if isinstance(value, str) and not is_enc(value):
            return value
    return None


def _from_args(doc: Doc, args: list[object], path: tuple[str | int, ...]) -> Iterator[Candidate]:
    for i, arg in enumerate(args):
        if isinstance(arg, str) and arg.startswith(("--cookie-secret=", "-cookie-secret=")):
            value = arg.split("=", 1)[1]
            if value and not is_enc(value):
                yield Candidate(
                    doc,
                    f"{'.'.join(str(p) for p in path)}[{i}] --cookie-secret",
                    value.encode(),
                    doc.line_of(*path, i),
                )


def _candidates(ctx: ScanContext) -> Iterator[Candidate]:
    for doc in ctx.repo.of_kind("Secret"):
        if doc.sops_encrypted or not ctx.applied(doc):
            continue
        for field, encoded in (("data", True), ("stringData", False)):
            for key, value in as_dict(doc.data.get(field)).items():
                if key in SECRET_KEYS and not is_enc(value):
                    raw = decode_secret_value(value, base64_encoded=encoded)
                    if raw is not None:
                        yield Candidate(
                            doc, f"Secret {doc.name} {field}.{key}", raw, doc.line_of(field, str(key))
                        )
    for hr in ctx.helm_releases("oauth2-proxy"):
        values = hr.values
        secret = dig(values, "config", "cookieSecret")
        if isinstance(secret, str) and secret and not is_enc(secret):
            yield Candidate(
                hr.doc,
                "values config.cookieSecret",
                secret.encode(),
                hr.doc.line_of("spec", "values", "config", "cookieSecret"),
            )
        extra = values.get("extraArgs")
        if isinstance(extra, dict):
            value = extra.get("cookie-secret")
            if isinstance(value, str) and value and not is_enc(value):
                yield Candidate(
                    hr.doc,
                    "values extraArgs.cookie-secret",
                    value.encode(),
                    hr.doc.line_of("spec", "values", "extraArgs", "cookie-secret"),
                )
        elif isinstance(extra, list):
            yield from _from_args(hr.doc, extra, ("spec", "values", "extraArgs"))
        for i, env in enumerate(as_list(values.get("extraEnv"))):
            if (value := _plain_cookie_env(env)) is not None:
                yield Candidate(
                    hr.doc,
                    f"values extraEnv {ENV_NAME}",
                    value.encode(),
                    hr.doc.line_of("spec", "values", "extraEnv", i, "value"),
                )
    for doc in ctx.repo.objects:
        found = pod_spec(doc)
        if found is None or not ctx.applied(doc):
            continue
        spec, prefix = found
        for field, ci, container in containers(spec):
            if "oauth2-proxy" not in str(container.get("image", "")):
                continue
            yield from _from_args(doc, as_list(container.get("args")), (*prefix, field, ci, "args"))
            for ei, env in enumerate(as_list(container.get("env"))):
                if (value := _plain_cookie_env(env)) is not None:
                    yield Candidate(
                        doc,
                        f"{field}[{ci}] env {ENV_NAME}",
                        value.encode(),
                        doc.line_of(*prefix, field, ci, "env", ei, "value"),
                    )


@rule("oauth2-proxy-cookie-secret-length", layer=Layer.SECURITY, severity=Severity.CRITICAL)
def oauth2_proxy_cookie_secret_length(ctx: ScanContext) -> Iterator[Finding]:
    """oauth2-proxy cookie secret is not 16, 24 or 32 bytes, so oauth2-proxy refuses to start.

    Reads the cookie secret wherever it is readable in the repo: plain (non-SOPS) Secrets with a
    ``cookie-secret``/``OAUTH2_PROXY_COOKIE_SECRET`` key, oauth2-proxy HelmRelease values
    (``config.cookieSecret``, ``extraArgs``, ``extraEnv``) and ``--cookie-secret=`` args or env of
    oauth2-proxy containers. The length is computed the way oauth2-proxy does: a value that decodes as
    URL-safe base64 to 16/24/32 bytes counts as decoded, otherwise its raw bytes count. Anything else
    stops it with ``cookie_secret must be 16, 24, or 32 bytes to create an AES cipher``. Encrypted values
    cannot be checked here; the cluster check covers them.

    Next step: ``openssl rand -base64 32 | tr -- '+/' '-_'`` gives a valid secret; store it SOPS-encrypted.
    """
    for cand in _candidates(ctx):
        effective = oauth2_proxy_secret_length(cand.value)
        if effective in VALID:
            continue
        yield ctx.finding(
            cand.doc,
            f"oauth2-proxy cookie secret in {cand.where} is {effective} bytes; oauth2-proxy needs 16, 24 or 32",
            evidence=[
                f"{cand.where}: {len(cand.value)} bytes as written, {effective} bytes as oauth2-proxy reads "
                f"it (URL-safe base64 decoded only when that gives 16/24/32 bytes)"
            ],
            hint="Generate one with `openssl rand -base64 32 | tr -- '+/' '-_'` and store it SOPS-encrypted",
            line=cand.line,
        )
