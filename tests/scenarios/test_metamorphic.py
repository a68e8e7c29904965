"""The diagnosis must not depend on the names a homelab happens to use, nor on how its capture was written.

Every scenario of the corpus is built in the same lab: nodes ``k3s-master1``, ``k3s1``..``k3s3``, apps in
namespaces such as ``media`` and ``home``. A rule tuned to those names would pass the corpus and fail every
other cluster. Here each scenario is diagnosed a second time after its node names and its users' own
namespaces are renamed consistently, in every file (objects, references, event messages, DNS names) and in
its expectation: a scenario right before must stay right, and one wrong before must stay wrong in the same
way (a rename that rescues a known miss would mean the diagnosis reads names).

What is renamed is only what an operator chooses freely. Names that identify software (``flux-system``,
``velero``, an image name) or an API (``monitoring.coreos.com``) are left as they are:
reading those is knowledge, not overfitting.

Each scenario is also diagnosed as one JSON ``List`` per file with its objects in reverse order: the result
must be the same, problem for problem.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from test_scenarios import KNOWN_MISSES, SCENARIOS, evaluate

from holdout_pending import PENDING_FIRST_RUN

NODE_RENAMES = {
    "k3s-master1": "cp-0",
    "k3s1": "pi-a",
    "k3s2": "pi-b",
    "k3s3": "nuc-c",
    "styx": "atlas",
    "k3s-server": "server-x",
    "k3s-agent-1": "agent-y1",
    "k3s-agent-2": "agent-y2",
}
NAMESPACE_RENAMES = {
    "media": "streaming",
    "home": "house",
    "ai": "mlops",
    "social": "fediverse",
    "databases": "db",
    "docs": "wiki",
    "automation": "robots",
    "monitoring": "observability",
    # the namespace Longhorn's chart is installed into is the operator's choice too: its Node and Volume
    # objects are found where they are, not assumed in the chart's default
    "longhorn-system": "storage",
}
RENAMES = {**NODE_RENAMES, **NAMESPACE_RENAMES}

# a whole name: not part of a longer name (``home-assistant``, ``k3s10``, K3s's version ``v1.32.5+k3s1``), not
# an API group or a domain (``monitoring.coreos.com``), but a DNS label of a Service name is (``db.media.svc.cluster.local``)
_NAMES = "|".join(re.escape(name) for name in sorted(RENAMES, key=len, reverse=True))
_NAME = re.compile(
    rf"(?:(?<![A-Za-z0-9_.+-])|(?<=\.)(?=(?:{_NAMES})\.svc\b))({_NAMES})"
    r"(?![A-Za-z0-9_-])(?!\.(?!svc\b)[a-z0-9-]+\.[a-z])"
)


def renamed(text: str) -> str:
    return _NAME.sub(lambda m: RENAMES[m.group(1)], text)


def test_renaming_reaches_names_and_leaves_software_alone() -> None:
    text = (
        "nodeName: k3s1\nnamespace: media\nmessage: node k3s2 is NotReady; pod media/jellyfin-0\n"
        "host: jellyfin.media.svc.cluster.local\napiVersion: monitoring.coreos.com/v1\n"
        "app: home-assistant\nnodes: k3s10\nnamespace: flux-system\nimage: ghcr.io/home-operations/x:1\n"
        "kubeletVersion: v1.32.5+k3s1\n"
    )
    assert renamed(text) == (
        "nodeName: pi-a\nnamespace: streaming\nmessage: node pi-b is NotReady; pod streaming/jellyfin-0\n"
        "host: jellyfin.streaming.svc.cluster.local\napiVersion: monitoring.coreos.com/v1\n"
        "app: home-assistant\nnodes: k3s10\nnamespace: flux-system\nimage: ghcr.io/home-operations/x:1\n"
        "kubeletVersion: v1.32.5+k3s1\n"
    )


def _renamed_copy(scenario: Path, root: Path) -> Path:
    target = root / scenario.name
    target.mkdir(parents=True)
    for path in scenario.iterdir():
        if path.suffix in (".yaml", ".json"):
            (target / path.name).write_text(renamed(path.read_text(encoding="utf-8")), encoding="utf-8")
        elif path.is_file():
            shutil.copy(path, target / path.name)
    return target


@pytest.mark.slow
@pytest.mark.parametrize(
    "scenario",
    [pytest.param(s, id=s.name) for s in SCENARIOS if s.name not in PENDING_FIRST_RUN],
)
def test_diagnosis_is_the_same_under_other_names(scenario: Path, tmp_path: Path) -> None:
    before = evaluate(scenario)["problems"]
    after = evaluate(_renamed_copy(scenario, tmp_path))["problems"]
    if scenario.name in KNOWN_MISSES:
        assert after, f"renaming nodes and namespaces rescues a known miss: {KNOWN_MISSES[scenario.name]}"
        assert len(after) == len(before), f"other problems under other names:\n{after}\nbefore:\n{before}"
        return
    assert not before, "\n".join(before)
    assert not after, "right with the lab's names, wrong under others:\n" + "\n".join(after)


def _reordered_copy(scenario: Path, root: Path) -> Path:
    """The scenario as ``kubectl get -o json`` would give it in another order: every file one JSON ``List``
    with its items reversed."""
    target = root / f"{scenario.name}-reordered"
    target.mkdir(parents=True)
    for path in scenario.iterdir():
        if path.suffix == ".yaml" and path.name != "expected.yaml":
            doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            items = list(reversed(doc.get("items") or []))
            (target / f"{path.stem}.json").write_text(json.dumps({**doc, "items": items}), encoding="utf-8")
        elif path.is_file():
            shutil.copy(path, target / path.name)
    return target


@pytest.mark.slow
@pytest.mark.parametrize(
    "scenario",
    [pytest.param(s, id=s.name) for s in SCENARIOS if s.name not in PENDING_FIRST_RUN],
)
def test_diagnosis_does_not_depend_on_the_order_or_format_of_the_capture(
    scenario: Path, tmp_path: Path
) -> None:
    """Ties broken by the order objects were listed in, or a reader of one format only, would show here."""
    before = evaluate(scenario)["problems"]
    after = evaluate(_reordered_copy(scenario, tmp_path))["problems"]
    assert after == before, f"another order gives other problems:\n{after}\nbefore:\n{before}"
