"""Notifications: formats per target, rate limiting with digests, retries, redaction; a real local receiver."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime

import pytest

from homelabctl.errors import InputError
from homelabctl.watch.history import CauseRecord
from homelabctl.watch.notify import Notice, Notifier, build_request, parse_target

from .conftest import Receiver

AT = datetime(2025, 6, 16, 3, 0, tzinfo=UTC)


def cause(
    n: int = 1,
    summary: str = "Node styx is Unknown (kubelet stopped posting status)",
    next_step: str = "check the node is reachable: ssh styx sudo systemctl restart k3s-agent",
) -> CauseRecord:
    return CauseRecord(
        n,
        f"node-down|Node||styx{n}",
        "node-down",
        "node",
        "critical",
        "Node",
        None,
        f"styx{n}",
        summary,
        next_step,
        "2025-06-12T22:14:09Z",
        "2025-06-16T02:58:00Z",
        "2025-06-16T03:00:00Z",
        None,
        None,
    )


def notice(n: int = 1, event: str = "new", **kwargs: str) -> Notice:
    return Notice(event, cause(n, **kwargs), "3 d 4 h", AT)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "kind", "sent_to"),
    [
        ("https://hooks.example/x", "webhook", "https://hooks.example/x"),
        ("https://ntfy.sh/homelab", "ntfy", "https://ntfy.sh/homelab"),
        ("ntfy+https://push.example/homelab", "ntfy", "https://push.example/homelab"),
        ("https://discord.com/api/webhooks/1/abc", "discord", "https://discord.com/api/webhooks/1/abc"),
        ("https://hooks.slack.com/services/T/B/x", "slack", "https://hooks.slack.com/services/T/B/x"),
        ("slack+https://mattermost.example/hooks/x", "slack", "https://mattermost.example/hooks/x"),
        ("alertmanager+http://alertmanager:9093", "alertmanager", "http://alertmanager:9093/api/v2/alerts"),
        ("http://am.example/api/v2/alerts", "alertmanager", "http://am.example/api/v2/alerts"),
    ],
)
def test_targets_from_urls(url: str, kind: str, sent_to: str) -> None:
    target = parse_target(url)
    assert (target.kind, target.url) == (kind, sent_to)
    assert "/api/webhooks" not in target.label and "services/T" not in target.label  # paths are credentials


def test_bad_notify_url_is_one_line_without_the_secret() -> None:
    with pytest.raises(InputError) as info:
        parse_target("ftp://user:hunter2@example.com/x")
    assert "hunter2" not in str(info.value) and "\n" not in str(info.value)


def test_every_message_names_the_cause_how_long_and_the_first_step() -> None:
    n = notice()
    assert (
        "styx1" in n.text and "for 3 d 4 h" in n.text and "Next step: check the node is reachable" in n.text
    )
    resolved = Notice("resolved", cause(), "3 d 5 h", AT)
    assert resolved.text.startswith("RESOLVED after 3 d 5 h")
    for kind in ("webhook", "ntfy", "discord", "slack", "alertmanager"):
        body = build_request(parse_target(f"{kind}+https://r.example/x"), [n]).data
        assert isinstance(body, bytes) and b"styx1" in body and b"3 d 4 h" in body


def test_secrets_in_cluster_text_are_redacted() -> None:
    n = notice(
        summary="HelmRelease failed: values password: 'hunter2secret' for https://admin:s3cr3t@git.example/r",
        next_step="kubectl create secret generic x --from-literal=token=abc",
    )
    for kind in ("webhook", "ntfy", "discord", "slack", "alertmanager"):
        body = build_request(parse_target(f"{kind}+https://r.example/x"), [n]).data
        assert isinstance(body, bytes)
        assert b"hunter2secret" not in body and b"s3cr3t" not in body


def test_rate_limit_sends_a_burst_then_one_digest(receiver: Receiver) -> None:
    notifier = Notifier([parse_target(f"{receiver.url}/hook")], burst=2, per=0.5)
    notifier.start()
    for n in range(1, 6):
        notifier.post(notice(n))
    assert receiver.wait_for(3, timeout=5)
    notifier.stop()
    bodies = receiver.json_bodies("/hook")
    assert [b["event"] for b in bodies] == ["new", "new", "digest"]
    assert len(bodies[2]["notifications"]) == 3 and "3 root-cause changes" in bodies[2]["title"]


def test_failures_are_retried_and_counted(receiver: Receiver) -> None:
    outcomes: list[str] = []
    receiver.status = 503
    notifier = Notifier(
        [parse_target(f"{receiver.url}/hook")],
        retries=1,
        on_outcome=lambda target, outcome: outcomes.append(outcome),
    )
    notifier.start()
    notifier.post(notice())
    assert receiver.wait_for(2, timeout=10)
    notifier.stop()
    assert outcomes == ["failed"]
    receiver.status = 400  # a client error is not retried
    receiver.requests.clear()
    notifier = Notifier(
        [parse_target(f"{receiver.url}/hook")],
        retries=3,
        on_outcome=lambda target, outcome: outcomes.append(outcome),
    )
    notifier.start()
    notifier.post(notice())
    notifier.stop()
    assert len(receiver.requests) == 1 and outcomes[-1] == "failed"


def test_alertmanager_payload_is_its_v2_api(receiver: Receiver) -> None:
    notifier = Notifier([parse_target(f"alertmanager+{receiver.url}")])
    notifier.start()
    notifier.post(notice())
    notifier.post(Notice("resolved", cause(), "3 d 5 h", AT))
    assert receiver.wait_for(2)
    notifier.stop()
    firing, resolved = receiver.json_bodies("/api/v2/alerts")
    assert firing[0]["labels"] == {
        "alertname": "HomelabctlRootCause",
        "rule": "node-down",
        "severity": "critical",
        "layer": "node",
        "kind": "Node",
        "name": "styx1",
    }
    assert firing[0]["startsAt"] == "2025-06-12T22:14:09Z" and "endsAt" not in firing[0]
    assert resolved[0]["endsAt"]


def test_unreachable_receiver_does_not_block_the_caller() -> None:
    notifier = Notifier([parse_target("http://127.0.0.1:9/hook")], retries=0, timeout=1)
    notifier.start()
    notifier.post(notice())  # returns at once: delivery is on the notifier's thread
    notifier.stop()
    request = build_request(notifier.targets[0], [notice()])
    assert isinstance(request, urllib.request.Request) and isinstance(request.data, bytes)
    assert json.loads(request.data)["event"] == "new"


def test_firing_alerts_are_repeated_for_alertmanager_only(receiver: Receiver) -> None:
    """Alertmanager resolves an alert nobody repeats within resolve_timeout: firing causes are re-sent."""
    notifier = Notifier(
        [parse_target(f"alertmanager+{receiver.url}"), parse_target(f"{receiver.url}/hook")],
        burst=1,
        per=3600,
    )
    notifier.start()
    for _ in range(3):
        notifier.refresh([notice(1), notice(2)])
    assert receiver.wait_for(3)
    notifier.stop()
    assert {p for p, _, _ in receiver.requests} == {"/api/v2/alerts"}  # not rate-limited, not to webhooks
    assert [len(batch) for batch in receiver.json_bodies()] == [2, 2, 2]
