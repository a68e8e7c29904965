"""Pick the one or two next-step commands worth showing first, naming the exact object.

The diagnosis rules give next steps per cause; some are written against a controller (``ds/cilium``
lands on an arbitrary pod, not the crash-looping one on the broken node) or keep a placeholder
(``<group>``) although the report knows the value. Here every command is made exact from what the
report itself says (the failing pod among the cause and its symptoms, the API group in the evidence),
then ranked: safe before dangerous, exact before placeholder, pod before controller, the rule's order
otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_CONTROLLER_REF = re.compile(
    r"\b(?P<kind>ds|daemonset|daemonsets|deploy|deployment|deployments|sts|statefulset|statefulsets)/(?P<name>[a-z0-9.-]+)")
_POD_NAME = {
    "ds": r"{}-[a-z0-9]{{5}}", "deploy": r"{}-[a-z0-9]{{5,10}}-[a-z0-9]{{5}}", "sts": r"{}-\d+",
}
_KIND_ALIASES = {"daemonset": "ds", "daemonsets": "ds", "deployment": "deploy", "deployments": "deploy",
                 "statefulset": "sts", "statefulsets": "sts"}
_PLACEHOLDER = re.compile(r"<[a-z][a-z0-9_-]*>")
_GROUP_IN_TEXT = re.compile(r"""(?:apiVersion|in version)\s+"?([a-z0-9.-]+\.[a-z]{2,})/v[0-9a-z]+""")
_BACKTICKED = re.compile(r"`((?:kubectl|flux|velero|ssh|helm) [^`]+)`")
_NS_FLAG = re.compile(r"(?:-n|--namespace)[ =]([a-z0-9-]+)")
_CONTAINER_IN_MESSAGE = re.compile(r"crash-looping \(([a-z0-9-]+)")
_KUBELET_BACKOFF = re.compile(r"restarting failed container=([a-z0-9-]+) pod=([a-z0-9.-]+)_([a-z0-9-]+)\(")


@dataclass(frozen=True)
class Step:
    text: str
    command: str | None
    dangerous: bool = False
    exact: bool = True
    """No placeholder left, no controller where a pod is known."""


@dataclass(frozen=True)
class FailingPod:
    namespace: str
    name: str
    container: str | None
    crashlooping: bool


def _failing_pods(rc: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> list[FailingPod]:
    """Pods the cause and its symptoms name, crash-looping ones first."""
    found: dict[tuple[str, str], FailingPod] = {}
    for fid in [rc.get("finding"), *(rc.get("symptoms") or [])]:
        finding = by_id.get(str(fid))
        if not finding:
            continue
        obj = finding.get("object") or {}
        if obj.get("kind") != "Pod" or not obj.get("namespace"):
            continue
        text = " ".join([str(finding.get("message", "")), *map(str, finding.get("evidence") or [])])
        container = _CONTAINER_IN_MESSAGE.search(str(finding.get("message", "")))
        crashing = finding.get("check") == "pod-crashloop" or "CrashLoopBackOff" in text
        key = (obj["namespace"], obj["name"])
        previous = found.get(key)
        found[key] = FailingPod(obj["namespace"], obj["name"],
                                container.group(1) if container else (previous.container if previous else None),
                                crashing or bool(previous and previous.crashlooping))
    for ev in (rc.get("confidence") or {}).get("evidence") or []:
        match = re.match(r"pod ([a-z0-9-]+)/([a-z0-9.-]+): (CrashLoopBackOff)?", str(ev))
        if match and (match.group(1), match.group(2)) not in found:
            found[(match.group(1), match.group(2))] = FailingPod(match.group(1), match.group(2), None,
                                                                 bool(match.group(3)))
        # the kubelet's own words: "back-off 5m0s restarting failed container=C pod=POD_NS(uid)"
        for container, name, namespace in _KUBELET_BACKOFF.findall(str(ev)):
            previous = found.get((namespace, name))
            if previous is None or previous.container is None:
                found[(namespace, name)] = FailingPod(namespace, name, container, True)
    return sorted(found.values(), key=lambda p: (not p.crashlooping, p.namespace, p.name))


def _pod_for(kind: str, name: str, namespace: str | None, pods: list[FailingPod]) -> FailingPod | None:
    pattern = re.compile(_POD_NAME[_KIND_ALIASES.get(kind, kind)].format(re.escape(name)) + "$")
    for pod in pods:
        if pattern.match(pod.name) and (namespace is None or pod.namespace == namespace):
            return pod
    return None


def _exact_pod_command(command: str, pods: list[FailingPod]) -> str:
    """``kubectl -n NS exec|logs ds/NAME ...`` on the failing pod of that controller, when the report names it.

    A crash-looping container cannot be exec'ed into: its last crash (``logs --previous``) is the read."""
    match = _CONTROLLER_REF.search(command)
    words = command.split()
    # only logs and exec land on "some pod" of a controller; rollout, describe, get mean the controller
    if not match or words[:1] != ["kubectl"] or not {"logs", "exec"} & set(words):
        return command
    ns_match = _NS_FLAG.search(command)
    pod = _pod_for(match.group("kind"), match.group("name"), ns_match.group(1) if ns_match else None, pods)
    if pod is None:
        return command
    container = f" -c {pod.container}" if pod.container else ""
    if " exec " in f" {command} " and pod.crashlooping:
        return f"kubectl -n {pod.namespace} logs {pod.name}{container} --previous --tail=50"
    exact = command[:match.start()] + pod.name + command[match.end():]
    if " logs " in f" {exact} " and container and " -c " not in exact:
        exact = exact.replace(f" {pod.name}", f" {pod.name}{container}", 1)
    return exact


def _fill_placeholders(command: str, rc: Mapping[str, Any], cause: Mapping[str, Any]) -> str:
    if "<group>" in command:
        texts = [*map(str, (rc.get("confidence") or {}).get("evidence") or []), str(cause.get("message", "")),
                 str(rc.get("summary", ""))]
        for text in texts:
            match = _GROUP_IN_TEXT.search(text)
            if match:
                return command.replace("<group>", match.group(1))
    return command


def _describe(obj: Mapping[str, Any]) -> str | None:
    kind, name, namespace = obj.get("kind"), obj.get("name"), obj.get("namespace")
    if not kind or not name:
        return None
    ns = f" -n {namespace}" if namespace else ""
    return f"kubectl describe {str(kind).lower()} {name}{ns}"


def exact_steps(rc: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> list[Step]:
    """Every next step of a root cause, with commands made exact where the report allows, best first."""
    pods = _failing_pods(rc, by_id)
    cause = by_id.get(str(rc.get("finding")), {})
    steps: list[Step] = []
    for raw in rc.get("next_steps") or []:
        text = str(raw.get("text") or "")
        command = raw.get("command")
        if not command:
            inline = _BACKTICKED.search(text)
            command = inline.group(1) if inline else None
        if command:
            command = _fill_placeholders(_exact_pod_command(str(command), pods), rc, cause)
        exact = command is not None and not _PLACEHOLDER.search(command) and not (
            _CONTROLLER_REF.search(command) and {"logs", "exec"} & set(command.split()))
        steps.append(Step(text, command, bool(raw.get("dangerous")), exact))
    if not any(s.command for s in steps):
        describe = _describe(rc.get("object") or {})
        if describe:
            steps.append(Step("read the object's status and events", describe))
    order = {id(s): n for n, s in enumerate(steps)}
    return sorted(steps, key=lambda s: (s.dangerous, s.command is None, not s.exact, order[id(s)]))


def first_commands(rc: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]], limit: int = 2) -> list[Step]:
    """The commands for the first screen: at most ``limit``, never a dangerous one."""
    return [s for s in exact_steps(rc, by_id) if s.command and not s.dangerous][:limit]
