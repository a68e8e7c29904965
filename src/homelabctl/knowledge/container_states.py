"""Container waiting reasons, as the kubelet writes them in ``state.waiting.reason``.

One table for the checks (which split a pod's problems between them by waiting reason, so one broken pod
gives one finding per cause) and the diagnosis (which decides whether a container ever ran, so whether its
logs can say why).
"""

from __future__ import annotations

CRASHLOOP = "CrashLoopBackOff"

IMAGE_PULL_REASONS = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "ErrImageNeverPull",
        "RegistryUnavailable",
    }
)
"""The image could not be pulled (``pod-image-pull``)."""

CONFIG_ERROR_REASONS = frozenset(
    {
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
        "PreStartHookError",
        "PostStartHookError",
    }
)
"""The container could not be created or started from its spec (``pod-config-error``)."""

OWNED_WAITING_REASONS = IMAGE_PULL_REASONS | CONFIG_ERROR_REASONS | {CRASHLOOP}
"""Waiting reasons a dedicated check reports; pod-pending stays quiet about them."""

STARTING_REASONS = frozenset({"ContainerCreating", "PodInitializing"})
"""Still being set up: not a failure by themselves."""

NEVER_STARTED_REASONS = STARTING_REASONS | frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "CreateContainerConfigError",
        "CreateContainerError",
    }
)
"""A container waiting for one of these (and with no previous instance) never ran: it has no logs, the pod's
events say why."""
