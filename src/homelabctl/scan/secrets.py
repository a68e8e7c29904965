"""Recognising secrets in text: private keys, well-known token formats, password assignments.

Shared by the work-tree rule (``secret-in-text``) and the history rule (``secret-in-history``). Matches
carry the value only so it can be masked with :func:`homelabctl.redact.mask`; it is never printed whole.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from homelabctl.redact import PRIVATE_KEY_RE, SENSITIVE_ARG_RE, SENSITIVE_KEY_RE, mask

TOKEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,255})\b")),
    ("GitHub fine-grained token", re.compile(r"\b(github_pat_[A-Za-z0-9_]{60,255})\b")),
    ("GitLab token", re.compile(r"\b(glpat-[A-Za-z0-9_-]{20,})\b")),
    ("Slack token", re.compile(r"\b(xox[bpars]-[A-Za-z0-9-]{10,})\b")),
    ("AWS access key id", re.compile(r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("age secret key", re.compile(r"\b(AGE-SECRET-KEY-1[0-9A-Z]{58})\b")),
    ("Google API key", re.compile(r"\b(AIza[0-9A-Za-z_-]{35})\b")),
    ("Stripe live key", re.compile(r"\b(sk_live_[0-9A-Za-z]{24,})\b")),
)
# `password: hunter2`, `DB_PASSWORD=hunter2`, `"adminPassword": "hunter2"`: the key must END in a password
# word so `passwordSecretRef:` or `existingSecret:` (which name a Secret, not hold one) are left alone. The
# regex starts at the password word (a fast literal scan); the rest of the key is found by walking back.
PASSWORD_RE = re.compile(  # matched against the ASCII-lowercased text: (?i) is five times slower
    r"""(?x)
    (?:password|passwd|pwd|passphrase|client[_-]?secret|cookie[_-]?secret|secret[_-]?key
       |api[_-]?key|auth[_-]?token|access[_-]?token|bearer[_-]?token|private[_-]?token)
    ["']?[ \t]*[:=][ \t]*
    (?:"([^"\n]*)"|'([^'\n]*)'|([^\s"'#,}]+))
    """
)
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_KEY_BOUNDARY = frozenset(" \t\r\n{,\"'-")


def _key_start(text: str, end: int) -> int | None:
    """Start of the key ending at ``end``, or None when it is glued to something that is not a key."""
    start = end
    while start > 0 and text[start - 1] in _KEY_CHARS:
        start -= 1
    while start < end and text[start] == "-":  # `- password:` list items and `--password=` flags
        start += 1
    if start > 0 and text[start - 1] not in _KEY_BOUNDARY:
        return None
    return start


_PLACEHOLDER_RE = re.compile(
    r"""(?ix)^(?:
        \$\{?[A-Za-z_][A-Za-z0-9_]*\}?.*  # ${VAR} / $VAR
      | \{\{.*                       # templates
      | ENC\[.*                      # SOPS
      | <[^>]*>                      # <your-password>
      | \*+ | x+ | \.+ | -+ | _+
      | (?:changeme|change[_-]?me|password|secret|redacted|example|placeholder|none|null|nil|true|false
         |todo|tbd|xxx+|dummy|test|required|optional|string|your[_-].*|replace[_-].*|\[.*\])
      | ~ | '' | ""
      | [A-Za-z0-9_.-]+\.(?:txt|key|pem|yaml|yml|json|env|conf)  # a file holding it, not it
      | /\S*                         # paths
      | homelabctl-redacted:.*
    )$"""
)
REF_KEYS_RE = re.compile(r"(?i)(ref|name|file|path|env|existing|secretkey(ref)?|from|keyname|selector)$")


@dataclass(frozen=True, slots=True)
class SecretMatch:
    what: str
    value: str
    column: int

    @property
    def masked(self) -> str:
        if self.what == "private key":
            return self.value.strip("-") + " (key body not shown)"
        return mask(self.value)


def plausible_password(value: str) -> bool:
    value = value.strip()
    if len(value) < 6 or _PLACEHOLDER_RE.match(value):
        return False
    # References to other objects or settings, not values.
    return not value.startswith(("secretKeyRef", "valueFrom", "file:", "env:", "vault:", "op://", "ref+"))


def scan_line(line: str) -> Iterator[SecretMatch]:
    """Secrets on one line of text."""
    for _line, found in scan_text(line):
        yield found


def _password(text: str, match: re.Match[str]) -> tuple[int, SecretMatch] | None:
    """``match`` ran on the lowercased copy of ``text`` (same offsets); values are read from ``text``."""
    word_end = match.start() + len(match.group(0).split(":", 1)[0].split("=", 1)[0].rstrip(" \t\"'"))
    start = _key_start(text, match.start())
    if start is None:
        return None
    key = text[start:word_end]
    group = next(g for g in (1, 2, 3) if match.group(g) is not None)
    value = text[match.start(group):match.end(group)]
    if REF_KEYS_RE.search(key) or not plausible_password(value):
        return None
    if any(p.search(value) for _w, p in TOKEN_PATTERNS):
        return None  # reported as a token
    return start, SecretMatch(f"{key} value", value, start)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
# One cheap pass says whether any token/key pattern can match at all.
_TOKEN_PREFIX_RE = re.compile(r"gh[pousr]_|github_pat_|glpat-|xox[bpars]-|AKIA|ASIA|AGE-SECRET-KEY-1|AIza|sk_live_|"
                              r"-----BEGIN")


def scan_text(text: str) -> Iterator[tuple[int, SecretMatch]]:
    """(1-based line, match) for every secret in ``text``, in line order; a line holding a private key
    block header is reported once, as the key. Whole-text regexes: line numbers only for matches."""
    starts: list[int] = []

    def line_of(pos: int) -> int:
        if not starts:
            starts.append(0)
            starts.extend(m.end() for m in _NEWLINE_RE.finditer(text))
        return bisect.bisect_right(starts, pos)

    found: list[tuple[int, int, SecretMatch]] = []
    key_lines: set[int] = set()
    if _TOKEN_PREFIX_RE.search(text):
        for match in PRIVATE_KEY_RE.finditer(text):
            line = line_of(match.start())
            key_lines.add(line)
            found.append((line, match.start(), SecretMatch("private key", match.group(0), match.start())))
        for what, pattern in TOKEN_PATTERNS:
            for match in pattern.finditer(text):
                line = line_of(match.start(1))
                if line not in key_lines:
                    found.append((line, match.start(1), SecretMatch(what, match.group(1), match.start(1))))
    lowered = text.lower() if text.isascii() else text.translate(_ASCII_LOWER)
    for match in PASSWORD_RE.finditer(lowered):
        hit = _password(text, match)
        if hit is not None:
            line = line_of(hit[0])
            if line not in key_lines:
                found.append((line, hit[0], hit[1]))
    found.sort(key=lambda item: (item[0], item[1]))
    for line, _pos, secret in found:
        yield line, secret


_NEWLINE_RE = re.compile(r"\n")
def decode_secret_value(value: Any, *, base64_encoded: bool) -> bytes | None:
    """A Secret's value as bytes (``data`` is base64, ``stringData`` plain); None when unreadable."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    text = str(value)
    if text.startswith("ENC[") or "${" in text:
        return None
    if not base64_encoded:
        return text.encode()
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def sensitive_env_values(pod_spec: Mapping[str, Any]) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    """(env name or arg, value, path under the pod spec) for literal secrets in containers' env and args."""
    for field_name in ("initContainers", "containers"):
        containers = pod_spec.get(field_name)
        if not isinstance(containers, list):
            continue
        for ci, container in enumerate(containers):
            if not isinstance(container, dict):
                continue
            for ei, env in enumerate(container.get("env") or []):
                if not isinstance(env, dict) or not isinstance(env.get("value"), str):
                    continue
                name = str(env.get("name", ""))
                if SENSITIVE_KEY_RE.search(name) and not REF_KEYS_RE.search(name) and plausible_password(env["value"]):
                    yield name, env["value"], (field_name, ci, "env", ei, "value")
            for arg_field in ("args", "command"):
                args = container.get(arg_field)
                if not isinstance(args, list):
                    continue
                for ai, arg in enumerate(args):
                    if isinstance(arg, str):
                        match = SENSITIVE_ARG_RE.match(arg)
                        if match and plausible_password(match.group(3)):
                            yield match.group(1).rstrip("="), match.group(3), (field_name, ci, arg_field, ai)
