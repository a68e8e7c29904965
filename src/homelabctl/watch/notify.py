"""Tell someone: new and resolved root causes to webhooks, ntfy, Discord/Slack and Alertmanager.

``--notify URL`` picks the format from a ``kind+`` prefix, else from the host:

- ``ntfy+https://ntfy.example/topic`` (or any ``ntfy.sh`` URL): the text as the body, Title/Priority/Tags
  headers;
- ``discord+https://...`` (or ``discord.com``/``discordapp.com``): ``{"content": text}``;
- ``slack+https://...`` (or ``hooks.slack.com``; Mattermost and Rocket.Chat take the same): ``{"text": text}``;
- ``alertmanager+http://alertmanager:9093`` (or a URL ending in ``/api/v2/alerts``): Alertmanager's v2 API,
  one alert per cause, ``endsAt`` set when it is resolved;
- anything else: a generic JSON document (``homelabctl.notification/v1``).

Every message names the cause, how long it has lasted and the first next step, and goes through the same
redaction as every other output. Deliveries run on one background thread so a slow receiver never delays an
evaluation; each target is rate-limited (a token bucket: a burst, then one message per interval) and what
the limit holds back goes out as one digest when a token frees. Deduplication is the history's job: each
episode's "new" and "resolved" are announced once, even across restarts.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import msgspec

from homelabctl import __version__
from homelabctl.errors import InputError
from homelabctl.redact import is_marker, marker_for, mask_url_credentials, redact_text
from homelabctl.timeutil import format_time
from homelabctl.watch.history import CauseRecord

log = logging.getLogger("homelabctl.watch.notify")

TargetKind = Literal["webhook", "ntfy", "discord", "slack", "alertmanager"]
KINDS: tuple[TargetKind, ...] = ("webhook", "ntfy", "discord", "slack", "alertmanager")
SCHEMA = "homelabctl.notification/v1"
EventName = Literal["new", "resolved"]


class Target(msgspec.Struct, frozen=True):
    kind: TargetKind
    url: str

    @property
    def label(self) -> str:
        """Scheme, host and kind only: webhook paths and query strings are credentials."""
        parts = urlsplit(self.url)
        return f"{self.kind} {parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


def parse_target(text: str) -> Target:
    prefix, sep, rest = text.partition("+")
    if sep and prefix in KINDS and rest.startswith(("http://", "https://")):
        kind: TargetKind = prefix
        url = rest
    elif text.startswith(("http://", "https://")):
        url = text
        host = (urlsplit(text).hostname or "").lower()
        path = urlsplit(text).path
        if host in ("discord.com", "discordapp.com") or host.endswith((".discord.com", ".discordapp.com")):
            kind = "discord"
        elif host == "hooks.slack.com":
            kind = "slack"
        elif host == "ntfy.sh" or host.startswith("ntfy."):
            kind = "ntfy"
        elif path.rstrip("/").endswith("/api/v2/alerts"):
            kind = "alertmanager"
        else:
            kind = "webhook"
    else:
        raise InputError(
            f"--notify {mask_url_credentials(text)[:60]}: expected an http(s) URL, optionally "
            f"prefixed with one of {', '.join(k + '+' for k in KINDS)}"
        )
    if kind == "alertmanager" and not urlsplit(url).path.rstrip("/").endswith("/api/v2/alerts"):
        parts = urlsplit(url)
        url = urlunsplit(
            (parts.scheme, parts.netloc, parts.path.rstrip("/") + "/api/v2/alerts", parts.query, "")
        )
    return Target(kind, url)


class Notice(msgspec.Struct, frozen=True):
    event: EventName
    cause: CauseRecord
    duration: str
    at: datetime
    dashboard_url: str = ""

    @property
    def title(self) -> str:
        verb = "Resolved" if self.event == "resolved" else "New root cause"
        return clean(f"{verb}: {self.cause.summary}")

    @property
    def text(self) -> str:
        cause = self.cause
        if self.event == "resolved":
            line = f"RESOLVED after {self.duration}: {cause.summary} ({cause.object_label})"
        else:
            line = f"{cause.severity.upper()} root cause, for {self.duration}: {cause.summary} ({cause.object_label})"
        if cause.next_step and self.event == "new":
            line += f"\nNext step: {cause.next_step}"
        if cause.incident_id is not None:
            line += f"\nIncident #{cause.incident_id}"
        if self.dashboard_url:
            line += f"\n{self.dashboard_url}"
        return clean(line)

    def to_dict(self) -> dict[str, Any]:
        cause = self.cause
        return {
            "schema": SCHEMA,
            "event": self.event,
            "title": self.title,
            "text": self.text,
            "cause": {
                "rule": cause.rule,
                "layer": cause.layer,
                "severity": cause.severity,
                "object": {"kind": cause.kind, "namespace": cause.namespace, "name": cause.name},
                "summary": clean(cause.summary),
                "next_step": clean(cause.next_step),
                "started_at": cause.started_at,
                "resolved_at": cause.resolved_at,
                "incident_id": cause.incident_id,
            },
            "duration": self.duration,
            "at": format_time(self.at),
            "tool": {"name": "homelabctl", "version": __version__},
        }


# ``password: hunter2`` inside a sentence (an Event or condition message quoting a config): redact_text only
# looks at whole lines of config files, and a message leaves the cluster here.
_INLINE_SECRET_RE = re.compile(
    r"(?i)\b(?P<key>[a-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|apikey|credential)[a-z0-9_.-]*)"
    r"(?P<sep>\s*[:=]\s*)(?P<quote>['\"]?)(?P<value>[^\s'\",;]+)(?P=quote)"
)


def _mask_inline(match: re.Match[str]) -> str:
    value = match.group("value")
    if is_marker(value):
        return match.group(0)
    quote = match.group("quote")
    return f"{match.group('key')}{match.group('sep')}{quote}{marker_for(value.encode())}{quote}"


def clean(text: str) -> str:
    """The redaction every output gets (URL credentials, sensitive-looking assignments), plus assignments
    quoted inside a sentence."""
    return _INLINE_SECRET_RE.sub(_mask_inline, redact_text(mask_url_credentials(text)))


Send = Callable[[urllib.request.Request, float], int]


def _send(request: urllib.request.Request, timeout: float) -> int:
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read(65536)
        return int(response.status)


def build_request(target: Target, notices: Sequence[Notice]) -> urllib.request.Request:
    """One HTTP request for one or more notices (several: a digest after rate limiting)."""
    headers = {"User-Agent": f"homelabctl/{__version__}"}
    if len(notices) == 1:
        title, text = notices[0].title, notices[0].text
    else:
        title = f"homelabctl: {len(notices)} root-cause changes"
        text = "\n\n".join(n.text for n in notices)
    if target.kind == "ntfy":
        urgent = any(n.event == "new" and n.cause.severity == "critical" for n in notices)
        headers.update(
            {
                "Title": _header(title),
                "Priority": "5" if urgent else "3",
                "Tags": "rotating_light" if urgent else "white_check_mark",
            }
        )
        return urllib.request.Request(target.url, data=text.encode(), headers=headers, method="POST")
    headers["Content-Type"] = "application/json"
    body: Any
    if target.kind == "discord":
        body = {"content": text[:2000]}
    elif target.kind == "slack":
        body = {"text": text}
    elif target.kind == "alertmanager":
        body = [_alert(n) for n in notices]
    else:
        body = (
            notices[0].to_dict()
            if len(notices) == 1
            else {
                "schema": SCHEMA,
                "event": "digest",
                "title": title,
                "text": text,
                "notifications": [n.to_dict() for n in notices],
            }
        )
    return urllib.request.Request(target.url, data=json.dumps(body).encode(), headers=headers, method="POST")


def _header(text: str) -> str:
    """HTTP headers are latin-1: keep what fits, drop the rest."""
    return text.encode("latin-1", "replace").decode("latin-1")[:250]


def _alert(notice: Notice) -> dict[str, Any]:
    cause = notice.cause
    labels = {
        "alertname": "HomelabctlRootCause",
        "rule": cause.rule,
        "severity": cause.severity,
        "layer": cause.layer,
        "kind": cause.kind,
        "name": cause.name,
    }
    if cause.namespace:
        labels["namespace"] = cause.namespace
    alert: dict[str, Any] = {
        "labels": labels,
        "annotations": {
            "summary": clean(cause.summary),
            "description": notice.text,
            "duration": notice.duration,
            "next_step": clean(cause.next_step),
        },
        "startsAt": cause.started_at,
    }
    if notice.dashboard_url:
        alert["generatorURL"] = notice.dashboard_url
    if notice.event == "resolved":
        alert["endsAt"] = cause.resolved_at or format_time(notice.at)
    return alert


class Bucket(msgspec.Struct):
    """Token bucket: ``burst`` messages at once, then one per ``per`` seconds."""

    burst: int
    per: float
    tokens: float = 0.0
    stamp: float = msgspec.field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = float(self.burst)

    def take(self, now: float) -> bool:
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) / self.per)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def wait(self, now: float) -> float:
        return max(0.0, (1.0 - self.tokens) * self.per - (now - self.stamp))


Outcome = Callable[[Target, str], None]


class _Refresh(msgspec.Struct, frozen=True):
    notices: tuple[Notice, ...]


class Notifier:
    """A queue and one delivery thread. ``post`` never blocks the caller."""

    def __init__(
        self,
        targets: Sequence[Target],
        *,
        burst: int = 5,
        per: float = 60.0,
        timeout: float = 10.0,
        retries: int = 2,
        send: Send = _send,
        on_outcome: Outcome | None = None,
    ) -> None:
        self.targets = list(targets)
        self.timeout = timeout
        self.retries = retries
        self._send = send
        self.on_outcome = on_outcome or (lambda target, outcome: None)
        self._buckets = {t: Bucket(burst, per) for t in self.targets}
        self._pending: dict[Target, list[Notice]] = {t: [] for t in self.targets}
        self._queue: queue.Queue[Notice | _Refresh | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="notify", daemon=True)
        self.sent: list[tuple[Target, int]] = []

    def start(self) -> None:
        if self.targets:
            self._thread.start()

    def stop(self, drain: float = 5.0) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=drain)

    def post(self, notice: Notice) -> None:
        if self.targets:
            self._queue.put(notice)

    @property
    def wants_refresh(self) -> bool:
        return any(t.kind == "alertmanager" for t in self.targets)

    def refresh(self, firing: Sequence[Notice]) -> None:
        """Re-send the firing alerts to Alertmanager, which resolves an alert nobody repeats within its
        ``resolve_timeout`` (5 min by default). Not rate-limited: one request per target."""
        if firing and self.wants_refresh:
            self._queue.put(_Refresh(tuple(firing)))

    def _run(self) -> None:
        stopping = False
        while True:
            wait = self._next_wait()
            try:
                item = self._queue.get(timeout=wait)
                if item is None:
                    stopping = True
                elif isinstance(item, _Refresh):
                    for target in self.targets:
                        if target.kind == "alertmanager":
                            self._deliver(target, item.notices)
                else:
                    for target in self.targets:
                        self._pending[target].append(item)
            except queue.Empty:
                pass
            self._flush(force=stopping)
            if stopping:
                return

    def _next_wait(self) -> float | None:
        now = time.monotonic()
        waits = [self._buckets[t].wait(now) for t in self.targets if self._pending[t]]
        return max(0.05, min(waits)) if waits else None

    def _flush(self, force: bool = False) -> None:
        now = time.monotonic()
        for target in self.targets:
            pending = self._pending[target]
            if not pending:
                continue
            if not self._buckets[target].take(now):
                if not force:
                    continue
                self.on_outcome(target, "rate_limited")
            batch = list(pending)
            pending.clear()
            if target.kind == "alertmanager":  # alerts are separate objects: a list is not a digest
                self._deliver(target, batch)
            else:
                self._deliver(target, batch if len(batch) > 1 else batch[:1])

    def _deliver(self, target: Target, notices: Sequence[Notice]) -> None:
        request = build_request(target, notices)
        for attempt in range(self.retries + 1):
            try:
                status = self._send(request, self.timeout)
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", exc)
                log.warning("notify %s: %s", target.label, reason)
                status = 0
            if 200 <= status < 300:
                self.sent.append((target, len(notices)))
                self.on_outcome(target, "sent")
                return
            if 400 <= status < 500 and status != 429:
                log.warning("notify %s: HTTP %s (not retried)", target.label, status)
                break
            if attempt < self.retries:
                time.sleep(min(10.0, 0.5 * 2**attempt))
        self.on_outcome(target, "failed")
