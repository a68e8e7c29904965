"""Recognising secrets in text: detect-secrets' detectors and entropy measures, plus homelab formats.

detect-secrets (Yelp) supplies the well-known token detectors (private keys, GitHub, GitLab, Slack,
Stripe, AWS, JWT, npm, PyPI, SendGrid, Twilio...), its Shannon entropy measures and its
false-positive heuristics. On top of those this module knows what a K3s + Flux homelab commits: K3s join
tokens (also base64-encoded), age/SOPS keys, Tailscale auth keys, Cloudflare and B2 keys, Authentik and
oauth2-proxy secrets, passwords in URLs and ``PGPASSWORD=``/``--password`` forms; and what only looks
like a secret: placeholders, variable and template references, ``!env_var`` tags, command substitutions,
prose.

Each match has a :class:`Strength`: ``FORMAT`` (a credential format that is a secret wherever it
appears), ``RANDOM`` (a value assigned to a secret-named key that is long and random enough to be
generated) or ``WEAK`` (a value a person typed: short or low entropy). Where it appears (documentation,
examples, tests) and the strength decide the severity (:func:`severity_for`). Values are carried only so
they can be masked with :func:`homelabctl.redact.mask`; they are never printed whole.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import enum
import hashlib
import math
import re
import sys
import types
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import msgspec

from homelabctl.model import Severity
from homelabctl.redact import SENSITIVE_ARG_RE, SENSITIVE_KEY_RE, mask


class Strength(enum.IntEnum):
    WEAK = 1
    RANDOM = 2
    FORMAT = 3


class SecretMatch(msgspec.Struct, frozen=True):
    what: str
    value: str
    column: int
    strength: Strength = Strength.FORMAT

    @property
    def masked(self) -> str:
        if self.what == "private key":
            return self.value.strip("-") + " (key body not shown)"
        return mask(self.value)


# ---- homelab formats detect-secrets does not know --------------------------------------------------------

# K3s "secure" tokens: K10<sha256 of the cluster CA, hex>::<server|node>:<password>.
K3S_TOKEN_RE = re.compile(r"\b(K10[0-9a-f]{64}::(server|node):[A-Za-z0-9]{8,})")
FORMAT_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # (what, pattern with the value in group 1, a literal that must occur for the pattern to match)
    ("age secret key", re.compile(r"\b(AGE-SECRET-KEY-1[0-9A-Z]{58})\b"), "AGE-SECRET-KEY-1"),
    (
        "Tailscale auth key",
        re.compile(r"\b(tskey-(?:auth|api|client|webhook|scim)-[A-Za-z0-9]{6,}-[A-Za-z0-9]{16,})"),
        "tskey-",
    ),
    ("Tailscale auth key", re.compile(r"\b(tskey-[0-9a-f]{30,})\b"), "tskey-"),
    (
        "Backblaze B2 application key",
        re.compile(r"(?<![A-Za-z0-9+/])(K00[0-9][A-Za-z0-9+/]{27})(?![A-Za-z0-9+/])"),
        "K00",
    ),
    ("Google API key", re.compile(r"\b(AIza[0-9A-Za-z_-]{35})\b"), "AIza"),
    ("GitHub fine-grained token", re.compile(r"\b(github_pat_[A-Za-z0-9_]{60,255})\b"), "github_pat_"),
)
# A key name says which service a generic-looking value belongs to.
CONTEXT_KEYS: tuple[tuple[re.Pattern[str], str, re.Pattern[str]], ...] = (
    (
        re.compile(r"(?i)(cloudflare|^cf)[_.-]?(api)?[_.-]?(token|key)$"),
        "Cloudflare API token",
        re.compile(r"^[A-Za-z0-9_-]{37,40}$"),
    ),
    (
        re.compile(r"(?i)b2[_.-]?(application|account|app)?[_.-]?key$"),
        "Backblaze B2 application key",
        re.compile(r"^[A-Za-z0-9+/]{31}$"),
    ),
    (re.compile(r"(?i)authentik[_.-]*secret[_.-]?key$"), "Authentik secret key", re.compile(r"^\S{20,}$")),
    (
        re.compile(r"(?i)(aws[_.-]?secret|secret[_.-]?access)[_.-]?(access[_.-]?)?key$"),
        "S3 secret access key",
        re.compile(r"^[A-Za-z0-9+/]{40}$"),
    ),
    (re.compile(r"(?i)k3s[_.-]?(agent[_.-]?)?token$"), "K3s join token", re.compile(r"^\S{8,}$")),
    (re.compile(r"(?i)(ts|tailscale)[_.-]?auth[_.-]?key$"), "Tailscale auth key", re.compile(r"^\S{16,}$")),
    (re.compile(r"(?i)cookie[_.-]?secret$"), "oauth2-proxy cookie secret", re.compile(r"^\S{16,}$")),
    (
        re.compile(r"(?i)^private[_.-]?key$"),
        "WireGuard private key",
        re.compile(r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$"),
    ),
)

# `password: hunter2`, `DB_PASSWORD=hunter2`, `"adminPassword": "hunter2"`, `--password=x`, `--password x`:
# the key must END in a secret word, so `passwordSecretRef:` or `existingSecret:` (which name a Secret, not
# hold one) are left alone. Matched against the ASCII-lowercased text ((?i) is five times slower).
ASSIGN_RE = re.compile(
    r"""(?x)
    (password|passwd|pwd|passphrase|pass|secret|secret[_-]?key|token|api[_-]?key|apikey|auth[_-]?key|authkey
       |access[_-]?key|application[_-]?key|private[_-]?key|credentials?|client[_-]?secret|cookie[_-]?secret|dsn)
    (?:["']?[ \t]*[:=][ \t]*|[ \t]+(?=["'a-z0-9$<{\\]))
    (?:"([^"\n]*)"|'([^'\n]*)'|([^\s"'#,}]+))
    """
)
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_HASH_RE = re.compile(
    r"^(?:\$2[abxy]?\$\d\d\$|\$argon2(?:id|i|d)\$|\$[156]\$|\$apr1\$|\{S?SHA\d*\}|pbkdf2_sha\d+\$"
    r"|\$pbkdf2-sha\d+\$|\$scrypt\$)"
)
# Words that name a password outright: even a typed, low-entropy value is reported (as a warning).
PASSWORD_WORDS = ("password", "passwd", "pwd", "passphrase")
URL_PASSWORD_RE = re.compile(
    r"\b[a-z][a-z0-9+.-]{1,20}://([^\s:/@'\"<>{}$]{1,64}):([^\s@'\"/<>]{1,128})@[\w.-]+"
)
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_KEY_BOUNDARY = frozenset(" \t\r\n{,\"'-[(")
REF_KEYS_RE = re.compile(
    r"(?i)(ref|name|file|path|env|existing|existing[_-]?secret|secretkey(ref)?|from|keyname|selector|type|length|"
    r"size|policy|mode|enabled|field|url|uri|header|prefix|format|command|location|id)$"
)

# Lines worth a closer look: anything a detector could match. One pass over the ASCII-lowercased text
# finds them. The alternatives are grouped by first character (a trie's first level): the regex engine
# then tries one branch per position instead of all of them, which is most of this module's time.
_CANDIDATES = (
    "pass",
    "secret",
    "token",
    "pwd",
    "auth",
    "cred",
    "api_key",
    "api-key",
    "apikey",
    "private",
    "access_key",
    "access-key",
    "accesskey",
    "dsn",
    "cookie",
    "application_key",
    "application-key",
    "applicationkey",
    r"://[^\s/@]*:[^\s@]*@",
    "akia",
    "asia",
    "abia",
    "acca",
    "a3t",
    "gh[pousr]_",
    "github_pat_",
    "glpat-",
    "xox[abposr]-",
    "sk_live_",
    "rk_live_",
    "eyj",
    "npm_",
    "pypi-",
    r"sg\.",
    "aiza",
    "k10[0-9a-f]{64}",
    "age-secret",
    "tskey-",
    "szew",
    "k00[0-9]",
    "sk-",
    "accountkey=",
    "putty-user",
)


def _trie_regex(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        first = alt[:2] if alt.startswith("\\") else alt[0]
        groups.setdefault(first, []).append(alt[len(first) :])
    parts = [
        re.escape(first) + "(?:" + "|".join(sorted(rest, key=len, reverse=True)) + ")"
        for first, rest in groups.items()
    ]
    return re.compile("|".join(parts))


_CANDIDATE_RE = _trie_regex(_CANDIDATES)
_DS_TRIGGER_RE = _trie_regex(
    (
        "private key",
        "putty-user",
        "akia",
        "asia",
        "abia",
        "acca",
        "a3t",
        "gh",
        "glpat-",
        "gldt-",
        "glft-",
        "glsoat-",
        "glrt-",
        "gr1348941",
        "xox",
        "sk_live_",
        "rk_live_",
        "eyj",
        "npm_",
        "pypi-",
        r"sg\.",
        "sk-",
        "accountkey=",
    )
)
_PLACEHOLDER_WORDS_RE = re.compile(
    r"(?i)placeholder|change[_-]?me|changeit|replace|your[_-]|_here\b|-here\b|example|dummy|redacted|sample"
    r"|xxxx|\*\*\*|todo|fixme|tbd|fake|not[_-]?real|insert[_-]|secret[_-]?here|<[^>]*>|\.\.\.|"
    r"homelabctl-redacted"
)
_PLACEHOLDER_EXACT = frozenset(
    {
        "password",
        "secret",
        "token",
        "none",
        "null",
        "nil",
        "true",
        "false",
        "yes",
        "no",
        "test",
        "testing",
        "required",
        "optional",
        "string",
        "str",
        "value",
        "key",
        "admin",
        "default",
        "empty",
        "unset",
        "undefined",
        "prompt",
        "ask",
        "n/a",
        "na",
        "-",
        "~",
        "''",
        '""',
        "foo",
        "bar",
        "foobar",
        "xxx",
        "pass",
        "passwd",
        "apikey",
        "api_key",
        "api-key",
        "env",
        "auto",
        "generated",
        "random",
        "hidden",
        "masked",
        "stdin",
    }
)
_REFERENCE_RE = re.compile(
    r"""(?x)^(?:
        \\?\$\{[^}]*\}?           # ${VAR}, \${VAR}, ${VAR:-x}
      | \\?\$[A-Za-z_][A-Za-z0-9_]*  # $VAR
      | \$\(.*                     # $(openssl rand -hex 32)
      | `.*                        # `cmd`
      | \{\{.*                     # {{ .Values.x }}, {{ env "X" }}
      | \{%.* | %\{.* | \#\{.* | @@.* | \(\( .*
      | !\w.*                      # !env_var X, !secret x, !vault ...
      | ENC\[.*                    # SOPS
      | <path:.*                   # argocd-vault-plugin
      | (?:secretKeyRef|valueFrom|file|env|vault|op|ref\+|awssm|gcpsm|sops|k8s|secret|bws):.*
      | op://.* | ref\+.* | vault:.*
      | /\S* | \./\S* | ~/\S*      # a file holding it, not it
      | [A-Za-z0-9_.-]+\.(?:txt|key|pem|yaml|yml|json|env|conf|cfg|ini|crt|age|asc|gpg)
      | [A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+   # THE_ENV_VAR_HOLDING_IT
      | [a-z]+(?:[A-Z][a-z0-9]*)+\(.*   # getSecret(...)
      | (?:var|local|data|module|each|self|vars|values|secrets|inputs|steps|needs|env|config|settings
          |process\.env|os\.environ)[.\[][\w.\[\]'"-]+   # var.db_password, secrets.X, process.env.X
    )$"""
)


def is_placeholder(value: str) -> bool:
    """Placeholders, references, templates, command substitutions: values that are not a secret."""
    value = value.strip().strip("\"'").strip()
    if len(value) < 4 or value.lower() in _PLACEHOLDER_EXACT:
        return True
    if _REFERENCE_RE.match(value) or _PLACEHOLDER_WORDS_RE.search(value):
        return True
    if "${" in value or "{{" in value or "$(" in value:
        return True
    return len(set(value)) <= 2  # "********", "xxxxxxxx", "--------"


# ---- detect-secrets: imported on first use ---------------------------------------------------------------


class _RequestsOnDemand(types.ModuleType):
    """detect-secrets imports ``requests`` at module level for its online verification, which the scan
    never does: that import is 60% of the library's import time. This stand-in is replaced by the real
    module the first time anything touches it."""

    def __getattr__(self, name: str) -> Any:
        del sys.modules["requests"]
        import requests

        return getattr(requests, name)


@cache
def _detect_secrets() -> tuple[list[Any], Any, Any, Any]:
    """(regex plugins, base64 entropy plugin, hex entropy plugin, heuristics module)."""
    stub = None
    if "requests" not in sys.modules:
        stub = _RequestsOnDemand("requests")
        stub.__spec__ = None
        sys.modules["requests"] = stub
    try:
        from detect_secrets.filters import heuristic
        from detect_secrets.plugins.aws import AWSKeyDetector
        from detect_secrets.plugins.discord import DiscordBotTokenDetector
        from detect_secrets.plugins.github_token import GitHubTokenDetector
        from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
        from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString
        from detect_secrets.plugins.jwt import JwtTokenDetector
        from detect_secrets.plugins.npm import NpmDetector
        from detect_secrets.plugins.openai import OpenAIDetector
        from detect_secrets.plugins.private_key import PrivateKeyDetector
        from detect_secrets.plugins.pypi_token import PypiTokenDetector
        from detect_secrets.plugins.sendgrid import SendGridDetector
        from detect_secrets.plugins.slack import SlackDetector
        from detect_secrets.plugins.stripe import StripeDetector
        from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
        from detect_secrets.plugins.twilio import TwilioKeyDetector
    finally:
        if stub is not None and sys.modules.get("requests") is stub:
            del sys.modules["requests"]
    plugins = [
        cls()
        for cls in (
            PrivateKeyDetector,
            AWSKeyDetector,
            GitHubTokenDetector,
            GitLabTokenDetector,
            SlackDetector,
            StripeDetector,
            JwtTokenDetector,
            NpmDetector,
            PypiTokenDetector,
            SendGridDetector,
            TwilioKeyDetector,
            OpenAIDetector,
            DiscordBotTokenDetector,
            TelegramBotTokenDetector,
        )
    ]
    return plugins, Base64HighEntropyString(), HexHighEntropyString(), heuristic


_DS_NAMES = {
    "Private Key": "private key",
    "AWS Access Key": "AWS access key",
    "GitHub Token": "GitHub token",
    "GitLab Token": "GitLab token",
    "Slack Token": "Slack token",
    "Stripe Access Key": "Stripe key",
    "JSON Web Token": "JSON Web Token",
    "NPM tokens": "npm token",
    "PyPI Token": "PyPI token",
    "SendGrid API Key": "SendGrid API key",
    "Twilio API Key": "Twilio API key",
    "OpenAI Token": "OpenAI API key",
    "Discord Bot Token": "Discord bot token",
    "Telegram Bot Token": "Telegram bot token",
}
_HEX = frozenset("0123456789abcdefABCDEF")


def entropy(value: str) -> float:
    """detect-secrets' Shannon entropy: its hex measure for hex strings (which discounts all-digit ones)."""
    _plugins, b64, hexa, _h = _detect_secrets()
    plugin = hexa if set(value) <= _HEX else b64
    result: float = plugin.calculate_shannon_entropy(value)
    return result


_LEET = str.maketrans("0134579@$", "oieastgas")
_WORD_RE = re.compile(r"[A-Za-z][a-z]{3,}")


def wordlike(value: str) -> bool:
    """Made of words (``Sup3rS3cretDb``, ``paperless-db-2025``): at least half of it, leetspeak undone, is
    runs of four or more letters. A random base62 string has such runs over about a fifth of its length."""
    plain = value.translate(_LEET)
    return sum(len(w) for w in _WORD_RE.findall(plain)) * 2 >= len(value)


def looks_random(value: str) -> bool:
    """Long and random enough to be generated (``openssl rand``, a password manager), not typed."""
    n = len(value)
    if n < 12 or " " in value:
        return False
    _plugins, _b64, _hex, heuristic = _detect_secrets()
    if heuristic.is_sequential_string(value):
        return False
    if n >= 16 and set(value) <= _HEX:
        return entropy(value) >= 3.0
    if wordlike(value):
        return False
    classes = sum(1 for test in (str.islower, str.isupper, str.isdigit) if any(test(c) for c in value))
    classes += any(not c.isalnum() for c in value)
    if classes < 2:
        return False
    return entropy(value) >= min(4.2, 0.82 * math.log2(n))


def _classify(value: str) -> Strength:
    return Strength.RANDOM if looks_random(value) else Strength.WEAK


# ---- scanning ----------------------------------------------------------------------------------------------


def _key_start(text: str, end: int) -> int | None:
    """Start of the key ending at ``end``, or None when it is glued to something that is not a key."""
    start = end
    while start > 0 and text[start - 1] in _KEY_CHARS:
        start -= 1
    while start < end and text[start] in "-.":  # `- password:` list items and `--password=` flags
        start += 1
    if start > 0 and text[start - 1] not in _KEY_BOUNDARY:
        return None
    return start


def _prose_after(line: str, end: int, quoted: bool) -> bool:
    """`Password: Strong password (save securely!)`: more words after an unquoted value is a sentence."""
    if quoted:
        return False
    rest = line[end:].lstrip(" \t")
    return bool(rest) and not rest.startswith(
        ("#", "//", ";", "\\", "&&", "||", "|", ">", ")", "]", "}", ",")
    )


def _assignment(line: str, lowered: str, match: re.Match[str]) -> SecretMatch | None:
    start = _key_start(line, match.start())
    if start is None:
        return None
    word_end = match.end(1)
    if word_end < len(line) and line[word_end] in _KEY_CHARS and line[word_end] not in "-.":
        return None  # `passwordSecretRef`
    key = line[start:word_end].strip("-. ")
    group = next(g for g in (2, 3, 4) if match.group(g) is not None)
    value = line[match.start(group) : match.end(group)].strip()
    separator = line[word_end : match.start(group)]
    if ":" not in separator and "=" not in separator and line[max(0, start - 2) : start] != "--":
        return None  # `the password is x` in prose: only flags take a space-separated value
    if REF_KEYS_RE.search(key) or is_placeholder(value):
        return None
    if ":" in separator and "=" not in separator and _prose_after(line, match.end(group), group != 4):
        return None
    if lowered[match.start(group) : match.end(group)] in ("true", "false"):
        return None
    if _HASH_RE.match(value):
        # Authelia users, htpasswd, Traefik basic auth: a hash is meant to be stored, but it can be cracked
        # offline if the password is weak.
        return SecretMatch(f"{key} value (a password hash)", value, start, Strength.WEAK)
    for pattern, what, shape in CONTEXT_KEYS:
        if pattern.search(key) and shape.match(value):
            return SecretMatch(
                f"{what} ({key})", value, start, _classify(value) if "K3s" in what else Strength.FORMAT
            )
    # A UUID under a secret-named key is a secret (Proxmox API token secrets are UUIDs); elsewhere an id.
    strength = Strength.RANDOM if _UUID_RE.match(value) else _classify(value)
    if strength is Strength.WEAK and not match.group(1).startswith(PASSWORD_WORDS):
        return None  # `token: abc`: only a password word makes a typed value worth reporting
    return SecretMatch(f"{key} value", value, start, strength)


def _formats(line: str) -> Iterator[SecretMatch]:
    for found in K3S_TOKEN_RE.finditer(line):
        role = "server" if found.group(2) == "server" else "agent (node)"
        yield SecretMatch(f"K3s {role} join token", found.group(1), found.start(1))
    for what, pattern, literal in FORMAT_PATTERNS:
        if literal in line:
            for found in pattern.finditer(line):
                if not is_placeholder(found.group(1)):
                    yield SecretMatch(what, found.group(1), found.start(1))
    if "SzEw" in line:  # "K10" in base64: a K3s token in a Secret's data or a values file
        for found in re.finditer(r"SzEw[A-Za-z0-9+/]{80,}={0,2}", line):
            try:
                decoded = base64.b64decode(found.group(0) + "=" * (-len(found.group(0)) % 4)).decode("ascii")
            except (binascii.Error, ValueError):
                continue
            for token in K3S_TOKEN_RE.finditer(decoded):
                role = "server" if token.group(2) == "server" else "agent (node)"
                yield SecretMatch(f"K3s {role} join token (base64)", found.group(0), found.start())
    for found in URL_PASSWORD_RE.finditer(line):
        password = found.group(2)
        if not is_placeholder(password) and not is_placeholder(found.group(1) + password):
            yield SecretMatch("password in a URL", password, found.start(2), _classify(password))


@cache
def _any_detector() -> re.Pattern[str]:
    """Every detect-secrets pattern in one regex: most candidate lines (`password:`, `secretKeyRef`)
    match none, and one search says so instead of fifteen detectors' worth."""
    parts = []
    for plugin in _detect_secrets()[0]:
        for regex in plugin.denylist:
            flags = "".join(
                f
                for f, bit in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL))
                if regex.flags & bit
            )
            parts.append(f"(?{flags}:{regex.pattern})" if flags else f"(?:{regex.pattern})")
    return re.compile("|".join(parts))


def _detect_secrets_matches(line: str) -> Iterator[SecretMatch]:
    plugins, _b64, _hex, _h = _detect_secrets()
    if not _any_detector().search(line):
        return
    for plugin in plugins:
        what = _DS_NAMES.get(plugin.secret_type)
        if what is None:
            continue
        # Not plugin.analyze_string(): it yields the first capture group, which for some detectors is
        # only the prefix (`ghp`). The whole match, or a group that holds the secret itself, is the value.
        for regex in plugin.denylist:
            for found in regex.finditer(line):
                group = found.lastindex or 0
                if group and len(found.group(group) or "") < 16:
                    group = 0
                value = found.group(group)
                if what != "private key" and is_placeholder(value):
                    continue
                yield SecretMatch(what, value, found.start(group))


def scan_line(line: str) -> Iterator[SecretMatch]:
    """Secrets on one line of text."""
    for _line, found in scan_text(line):
        yield found


def _scan_candidate(line: str) -> list[SecretMatch]:
    found: list[SecretMatch] = list(_formats(line))
    lowered = line.lower() if line.isascii() else line.translate(_ASCII_LOWER)
    assigned = False
    for match in ASSIGN_RE.finditer(lowered):
        hit = _assignment(line, lowered, match)
        if hit is not None:
            assigned = True
            found.append(hit)
    # detect-secrets only where one of its detectors can match: a line with a secret-looking assignment, or
    # a prefix its token formats start with. `secretKeyRef:` lines (most candidates) import nothing.
    if assigned or _DS_TRIGGER_RE.search(lowered):
        found.extend(_detect_secrets_matches(line))
    if not found:
        return []
    # One report per value: a format detector's name beats a key name; the strongest reading wins.
    best: dict[str, SecretMatch] = {}
    for item in found:
        current = best.get(item.value)
        if current is None or item.strength > current.strength:
            best[item.value] = item
    values = sorted(best.values(), key=lambda m: (m.column, -m.strength))
    out: list[SecretMatch] = []
    for item in values:
        if any(
            item.value in other.value and item is not other and other.strength >= item.strength
            for other in values
        ):
            continue
        out.append(item)
    return out


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_NEWLINE_RE = re.compile(r"\n")
# A key header followed by a key body (armor headers such as `Version:` may come between).
_PRIVATE_BODY_RE = re.compile(
    r"BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----[ \t\r]*\n(?:[ \t]*\n|[ \t]*[A-Za-z-]+: .*\n)*"
    r"[ \t\"'|>-]*[A-Za-z0-9+/=]{16,}"
)


def scan_text(text: str) -> Iterator[tuple[int, SecretMatch]]:
    """(1-based line, match) for every secret in ``text``, in line order. One pass finds the candidate
    lines; only those are given to the detectors."""
    starts: list[int] = []
    lines_seen: set[int] = set()
    out: list[tuple[int, SecretMatch]] = []
    lowered = text.lower() if text.isascii() else text.translate(_ASCII_LOWER)
    for candidate in _CANDIDATE_RE.finditer(lowered):
        begin = text.rfind("\n", 0, candidate.start()) + 1
        if begin in lines_seen:
            continue
        lines_seen.add(begin)
        end = text.find("\n", candidate.end())
        line = text[begin : end if end != -1 else len(text)]
        if len(line) > 4096:
            line = line[:4096]  # minified blobs: the head is enough and the regexes stay linear
        matches = _scan_candidate(line)
        if not matches:
            continue
        if not starts:
            starts.append(0)
            starts.extend(m.end() for m in _NEWLINE_RE.finditer(text))
        number = bisect.bisect_right(starts, begin)
        for found in matches:
            if (
                found.what == "private key"
                and found.value.startswith("BEGIN")
                and not _PRIVATE_BODY_RE.match(text, begin + found.column)
            ):
                continue  # a header with no key body after it: documentation of the format
            out.append((number, found))
    out.sort(key=lambda item: (item[0], item[1].column))
    return iter(out)


# ---- where a match is, and what it is worth ----------------------------------------------------------------

_DOC_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".adoc", ".org", ".html")
_EXAMPLE_DIRS = frozenset(
    {
        "docs",
        "doc",
        "documentation",
        "example",
        "examples",
        "sample",
        "samples",
        "test",
        "tests",
        "testdata",
        "fixtures",
        "vendor",
        "third_party",
        "node_modules",
        "templates",
        "template",
        "demo",
    }
)
_EXAMPLE_NAME_RE = re.compile(r"(?i)(\.|_|-|^)(example|sample|template|tmpl|dist|test|demo|spec)(\.|_|-|$)")


def example_context(path: str) -> bool:
    """Documentation, examples, templates, tests and vendored files: values there are usually shown, not
    used."""
    lowered = path.lower()
    if lowered.endswith(_DOC_SUFFIXES):
        return True
    parts = lowered.split("/")
    if any(p in _EXAMPLE_DIRS for p in parts[:-1]):
        return True
    return bool(_EXAMPLE_NAME_RE.search(parts[-1]))


def severity_for(found: SecretMatch, path: str) -> Severity | None:
    """A credential format or a generated-looking value is critical wherever it is committed (a K3s
    token in a README still joins nodes to the cluster); in documentation, examples and tests a
    generated-looking value under a secret-named key is a warning and a typed one is not reported; a
    typed password elsewhere is a warning. None: not reported."""
    if found.strength is Strength.FORMAT:
        return Severity.CRITICAL
    if example_context(path):
        return Severity.WARNING if found.strength is Strength.RANDOM else None
    return Severity.CRITICAL if found.strength is Strength.RANDOM else Severity.WARNING


def fingerprint(path: str, value: str) -> str:
    """A stable id for one secret in one file (baselines, history dedup); not reversible for random values."""
    return hashlib.sha256(f"homelabctl-secret\0{path}\0{value}".encode()).hexdigest()[:16]


# ---- Kubernetes Secret values ------------------------------------------------------------------------------


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


class ValueVerdict(msgspec.Struct, frozen=True):
    placeholder: bool
    what: str | None
    """A credential format found in the value (``K3s server join token``), if any."""
    strength: Strength | None


_LINE_ASSIGN_RE = re.compile(r"^\s*([\w.-]+)\s*[=:]\s*(.*?)\s*$")


def judge_secret_value(raw: bytes, key: str = "", context: str = "") -> ValueVerdict:
    """What one decoded Secret value is: a placeholder, a known credential format, or an opaque value.
    ``key`` (the Secret's key) and ``context`` (its name) give a bare value the context a key name gives
    it in a file. A multi-line
    value (an rclone config, a credentials file) is a placeholder when every secret-named setting in it
    is one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return ValueVerdict(False, None, Strength.RANDOM)  # binary: a key or keystore
    stripped = text.strip()
    if not stripped:
        return ValueVerdict(True, None, None)
    if "\n" not in stripped:
        if is_placeholder(stripped):
            return ValueVerdict(True, None, None)
        formats: list[SecretMatch] = []
        # The key names the value (`api-token`); the Secret's name may name the service
        # (`cloudflare-api-token`).
        for name in (key, context):
            probe = f"{name}: {stripped}" if name and " " not in stripped else stripped
            formats = [m for _line, m in scan_text(probe) if m.strength is Strength.FORMAT]
            if formats:
                break
        if formats:
            return ValueVerdict(False, formats[0].what.split(" (")[0], Strength.FORMAT)
        return ValueVerdict(False, None, _classify(stripped))
    matches = [m for _line, m in scan_text(text)]
    if matches:
        best = max(matches, key=lambda m: m.strength)
        return ValueVerdict(False, best.what if best.strength is Strength.FORMAT else None, best.strength)
    settings = [m for m in (_LINE_ASSIGN_RE.match(line) for line in stripped.splitlines()) if m]
    secret_settings = [m for m in settings if SENSITIVE_KEY_RE.search(m.group(1))]
    if secret_settings and all(is_placeholder(m.group(2)) for m in secret_settings):
        return ValueVerdict(True, None, None)
    return ValueVerdict(False, None, Strength.RANDOM)


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
                if (
                    SENSITIVE_KEY_RE.search(name)
                    and not REF_KEYS_RE.search(name)
                    and plausible_secret(env["value"])
                ):
                    yield name, env["value"], (field_name, ci, "env", ei, "value")
            for arg_field in ("args", "command"):
                args = container.get(arg_field)
                if not isinstance(args, list):
                    continue
                for ai, arg in enumerate(args):
                    if isinstance(arg, str):
                        match = SENSITIVE_ARG_RE.match(arg)
                        if match and plausible_secret(match.group(3)):
                            yield match.group(1).rstrip("="), match.group(3), (field_name, ci, arg_field, ai)


def plausible_secret(value: str) -> bool:
    value = value.strip()
    return len(value) >= 6 and not is_placeholder(value)
