"""Running git on a repository we do not trust.

A repository's own ``.git/config`` can name programs git runs during read-only commands:
``core.fsmonitor`` (run by ``ls-files``/``status``), hooks, ``diff.<driver>.textconv`` and ``diff.external``
(run by ``log -p``), ``filter.<driver>.*``, ``gpg.program`` (``log.showSignature``), a pager. Every git the
scan starts ignores system and global config, overrides those keys on the command line (which wins over
the repository's config) and gets an environment without the caller's ``GIT_*`` variables.
"""

from __future__ import annotations

import os

# Command-line config beats repository config; these are the keys that make read-only commands run
# programs, write files or reach the network.
NEUTRAL_CONFIG: tuple[str, ...] = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.untrackedCache=false",
    "core.pager=cat",
    "core.attributesFile=/dev/null",
    "core.askPass=",
    "core.sshCommand=false",
    "core.gitProxy=",
    "diff.external=",
    "log.showSignature=false",
    "gpg.program=false",
    "gpg.ssh.program=false",
    "gpg.x509.program=false",
    "credential.helper=",
    "protocol.allow=never",
    "gc.auto=0",
    "maintenance.auto=false",
    "core.quotepath=off",
)


def git_env() -> dict[str, str]:
    """The caller's environment without ``GIT_*`` (a GIT_DIR or GIT_EXTERNAL_DIFF of theirs must not
    apply), with system and global config off and nothing prompting, paging or taking locks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_COUNT": "0",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_PAGER": "cat",
            "GIT_ATTR_NOSYSTEM": "1",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_ALLOW_PROTOCOL": "",
            "GIT_SSH_COMMAND": "false",
        }
    )
    return env


def git_cmd(root: object, *args: str) -> list[str]:
    """``git -C root -c <neutral config>... args``."""
    config = [item for pair in (("-c", c) for c in NEUTRAL_CONFIG) for item in pair]
    return ["git", "-C", str(root), *config, *args]
