"""What kube-scheduler said about a pod it could not place: its ``PodScheduled=False`` condition and its
``FailedScheduling`` events."""

from __future__ import annotations

from homelabctl.k8s import conditions, pods
from homelabctl.k8s.events import event
from homelabctl.k8s.pod_trouble import pending_pods
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex

MAX_TEXT = 4096


def unscheduled_pods(index: ClusterIndex) -> list[Resource]:
    """Live pods that are Pending and bound to no node."""
    return [p for p in pending_pods(index) if not pods.scheduling(p).node_name]


def scheduler_says(index: ClusterIndex, pod: Resource, *phrases: str) -> str:
    """The first of the scheduler's messages about ``pod`` (the PodScheduled condition, then its FailedScheduling
    events) that contains every phrase, on one line (at most 300 characters); empty when none does."""
    cond = conditions.condition(pod, "PodScheduled")
    texts = [cond.message] if cond is not None and cond.status == "False" else []
    texts += [
        info.message for ev in index.events_for(pod) if (info := event(ev)).reason == "FailedScheduling"
    ]
    for message in texts:
        head = message[:MAX_TEXT]
        if all(phrase in head for phrase in phrases):
            return " ".join(head.split())[:300]
    return ""
