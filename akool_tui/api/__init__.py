"""Async AKool REST client, typed models and error codes. Never imports Textual.

The client and the models are imported on first use: the CLI and the console's
first frame need only the error types (``akool_tui.api.errors``)."""

from .errors import AkoolError, describe_code, error_for_code
from .secrets import mask

_MODELS = {"Avatar", "AvatarSource", "AvatarStatus", "Credentials", "Language", "Page",
           "Session", "SessionStatus", "Voice"}

__all__ = [
    "AkoolClient",
    "AkoolError",
    "Avatar",
    "AvatarSource",
    "AvatarStatus",
    "Credentials",
    "KnowledgeBase",
    "KnowledgeDoc",
    "Language",
    "Page",
    "Session",
    "SessionStatus",
    "Voice",
    "describe_code",
    "error_for_code",
    "mask",
]


def __getattr__(name: str):
    if name == "AkoolClient":
        from .client import AkoolClient

        return AkoolClient
    if name in ("KnowledgeBase", "KnowledgeDoc"):
        from . import knowledge

        return getattr(knowledge, name)
    if name in _MODELS:
        from . import models

        return getattr(models, name)
    raise AttributeError(name)
