"""How programs write that the network failed them: timeouts, and a name server that did not answer.

One copy for every reader: the diagnosis correlates timeouts across nodes and links a failed lookup to the
cluster DNS with these, and a check that classes a connection error can read the same table.
"""

from __future__ import annotations

import re

from homelabctl.lazyre import LazyPattern

TIMEOUT_PHRASES = (
    r"i/o timeout",
    r"context deadline exceeded",
    r"connection timed out",
    r"connect timed out",
    r"no route to host",
    r"Client\.Timeout exceeded",
    r"timed out waiting",
    r"operation timed out",
    r"timeout expired",  # libpq: "connection to server at ... failed: timeout expired"
    r"ETIMEDOUT",  # Node.js, errno names
    r"SocketTimeoutException",  # Java
)
"""A connection that got no answer, as Go, libpq, Node.js, Java and curl write it."""

TIMEOUT = LazyPattern("|".join(TIMEOUT_PHRASES), re.IGNORECASE)
TIMEOUT_WORDS = ("meout", "deadl", "med out", "medout", "route to ho")
"""A word of each phrase of ``TIMEOUT`` lower-cased, free of the letters a case-insensitive pattern also matches
as long s or dotless i: a text without any of them holds no timeout (use :func:`timeout`)."""


def timeout(text: str) -> re.Match[str] | None:
    """``TIMEOUT.search(text)``, without searching (or compiling the pattern for) a text no phrase can be in."""
    lowered = text.lower()
    if not any(word in lowered for word in TIMEOUT_WORDS):
        return None
    return TIMEOUT.search(text)


LOOKUP_UNANSWERED_PHRASES = (
    r"EAI_AGAIN",  # getaddrinfo's "try again": the resolver got no answer (glibc, Node.js, Python)
    r"temporary failure in name resolution",
    r"server misbehaving",  # Go: the name server answered SERVFAIL
    r"no servers could be reached",  # dig / nslookup
    r"lookup [^\s:]+(?: on [^\s]+)?: (?:read udp|dial udp|i/o timeout)",  # Go's resolver timing out
)
"""A name lookup the DNS server never answered. Not ``no such host`` / ``ENOTFOUND``: that is an answer (the
name does not exist), which a working DNS gives for a misspelt name."""

LOOKUP_UNANSWERED = LazyPattern("|".join(LOOKUP_UNANSWERED_PHRASES), re.IGNORECASE)

NAMED_RESOLVER = LazyPattern(r"\bon \[?([0-9a-f.:]+?)\]?:53\b", re.IGNORECASE)
"""Go names the resolver it asked (``lookup x on 10.43.0.10:53: ...``): that resolver, and no other, failed."""

NAMED_LOOKUP = LazyPattern(r"\blookup ([a-z0-9][a-z0-9.-]*) on \[?([0-9a-f.:]+?)\]?:53\b", re.IGNORECASE)
"""Go's ``lookup <name> on <resolver>:53``: the name looked up and the resolver asked."""

IMAGE_PULL = LazyPattern(
    r"pull(?:ing)? image|ErrImagePull|ImagePullBackOff|failed to resolve reference", re.IGNORECASE
)
"""Image pulls: the node's container runtime resolves the registry through the node's resolver, not the
cluster DNS."""
