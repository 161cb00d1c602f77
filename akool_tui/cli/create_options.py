"""``sessions create``'s option flags read into create overrides: ``--knowledge``,
``--params-file``, ``--scene-mode``, ``--credentials-file``. Every problem is a
:class:`~.context.UsageError` (exit 2) with the reason, found before anything is sent.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..core.ids import AmbiguousIdError, UnknownIdError, looks_full, resolve_id
from .context import Context, UsageError

if TYPE_CHECKING:
    from ..api.client import AkoolClient

SCENE_MODE_CHOICES = ("normal", "fast_dialogue")


class Refused:
    """A flag's value its check refused: kept, and reported with every other problem
    (argparse stops at the first refused value: ``--speed 5 --mode 3`` said only
    ``--speed``)."""

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def __repr__(self) -> str:
        return f"Refused({self.problem!r})"


def _later(flag: str, parse: Any) -> Any:
    """``parse`` (an argparse type) whose refusal becomes a :class:`Refused` value."""

    def checked(text: str) -> Any:
        try:
            return parse(text)
        except (argparse.ArgumentTypeError, ValueError) as error:
            return Refused(f"{flag}: {error}")

    return checked


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The option flags of ``sessions create`` (the others are in main.py); the checked
    flags main.py added report their problems together (:func:`refuse_flags`)."""
    for action in p._actions:  # argparse keeps its actions there (no public accessor)
        if action.option_strings and callable(action.type) and action.type not in (str, int):
            action.type = _later(action.option_strings[-1], action.type)
    p.add_argument("--knowledge", metavar="ID",
                   help="knowledge base id, or a unique prefix or suffix of it "
                        "(default: [defaults] knowledge_id; \"\" for none)")
    p.add_argument("--params-file", metavar="FILE",
                   help="the whole voice_params as JSON or TOML (speed, stt_language, stt_type, "
                        "pron_map, turn_detection, elevenlabs_settings), over [defaults]")
    p.add_argument("--scene-mode", metavar="MODE", choices=SCENE_MODE_CHOICES,
                   help="fast_dialogue (low latency, voice input; --voice then takes a preset: "
                        "alloy, ash, ballad, coral, echo, sage, shimmer, verse, marin, cedar) "
                        "or normal")
    p.add_argument("--credentials-file", metavar="FILE",
                   help="bring your own room: the stream type's credentials as JSON or TOML "
                        "(refused when other users can write it)")


def refuse_flags(args: argparse.Namespace) -> None:
    """Exit 2 (a :class:`UsageError`) with every flag whose value was refused, in the
    order they were defined, all at once; run as soon as the command line is parsed
    (before a simulator starts or a command module loads)."""
    found = [value.problem for value in vars(args).values() if isinstance(value, Refused)]
    if found:
        raise UsageError("not created: " + "; ".join(found))


def read_files(ctx: Context) -> dict[str, Any]:
    """Overrides from the files named (secrets remembered as they are read)."""
    from ..core.options_files import OptionsFileError, load_credentials_file, load_params_file

    a, out = ctx.args, {}
    for flag, key, load in (("params_file", "voice_params", load_params_file),
                            ("credentials_file", "credentials", load_credentials_file)):
        path = getattr(a, flag, None)
        if path is None:
            continue
        try:
            loaded = load(path)
        except OptionsFileError as error:
            raise UsageError(f"--{flag.replace('_', '-')}: {error}") from None
        for warning in loaded.warnings:
            ctx.note(f"warning: {warning}")
        out[key] = loaded.value
    if getattr(a, "scene_mode", None) is not None:
        out["scene_mode"] = "" if a.scene_mode == "normal" else a.scene_mode
    return out


def check(ctx: Context, request: dict[str, Any]) -> None:
    """Exit 2 with every problem of the request (nothing sent); a note on stderr for
    each configured default that does not apply to it (fast_dialogue)."""
    from ..core.session_options import request_problems
    from ..core.sessions import unused_defaults

    found = request_problems(request)
    if found:
        raise UsageError("not created: " + "; ".join(str(p) for p in found))
    for key in unused_defaults(ctx.config.defaults, request):
        ctx.note(f"[defaults] {key} does not apply with fast_dialogue: not sent")


async def knowledge_id(client: AkoolClient, typed: str | None) -> str | None:
    """``--knowledge``: a full id as typed, a shorter one looked up among the knowledge
    bases (yours and AKool's); ``""`` is none; None (not given) the default."""
    if typed is None or not typed.strip() or looks_full(typed):
        return typed.strip() if typed is not None else None
    from ..core.session_options import knowledge_choices

    known = [kb.id for kb in await knowledge_choices(client)]
    try:
        return resolve_id(typed, known, noun="knowledge base")
    except (AmbiguousIdError, UnknownIdError) as error:  # exit 1, as `knowledge show`
        raise type(error)(f"--knowledge: {error}") from None
