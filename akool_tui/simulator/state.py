"""The simulator's in-memory account: avatars, sessions, tokens, lifecycle, churn.

Sessions are kept in three ordered lists so that listing any page of 100 000 of
them costs O(page size): ``_ordered`` (every session, oldest first), ``_settled``
(closed / failed ones by final status) and ``_open`` (the few still queueing or
live). Reads first move open sessions whose time is up into ``_settled``.
Public methods hold a lock: the server's event loop and test threads may both
call them.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import random
import re
import secrets
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from . import catalog
from .clock import SimClock
from .config import SimulatorConfig
from .records import (
    CLOSED,
    EXTERNAL_USER,
    FAILED,
    INTERNAL_USER,
    KB_SYSTEM,
    KB_USER,
    LIVE,
    QUEUEING,
    UP_FAILED,
    UP_SUCCESS,
    AvatarRecord,
    CredentialContext,
    KnowledgeBase,
    SessionRecord,
    jwt_like,
)

P = ParamSpec("P")
R = TypeVar("R")

DURATIONS = (60, 120, 300, 600, 600, 900, 1200, 1800, 1800, 3600)
HISTORY_SECONDS = 30 * 86_400
TOKEN_LIFETIME = 365 * 86_400
#: seeded stream types: cumulative weights
_STREAM_WEIGHTS = ((0.70, "agora"), (0.85, "livekit"), (0.95, "trtc"), (1.0, "websocket"))


class SimError(Exception):
    """A business error: answered as HTTP 200 with this ``code`` and ``msg``."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


def _locked(method: Callable[P, R]) -> Callable[P, R]:
    """Serialise a state method: the server loop and test threads may both call in."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0]._lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


def _by_create(rec: SessionRecord) -> float:
    return rec.create


def _hex(rng: random.Random, bits: int) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


_OBJECT_ID = re.compile(r"[0-9a-f]{24}")


def _credits(amount: float) -> str:
    return f"{amount:.2f}".rstrip("0").rstrip(".")


def url_fails(url: str) -> bool:
    """Uploads from hosts that cannot be reached end in status 4."""
    host = (urlsplit(url).hostname or "").lower()
    return "unreachable" in host or host.endswith(".invalid") or ".invalid." in host


class SimulatorState:
    """The account the simulator serves. Public for tests and the stream channel:

    - ``clock``: :class:`SimClock` (``clock.advance(s)`` moves simulated time)
    - ``sessions``: ``dict[str, SessionRecord]`` by session ``_id``
    - ``avatars``: ``dict[str, AvatarRecord]`` by ``avatar_id``;
      ``avatars_by_oid`` by record ``_id``
    - ``voices`` / ``languages``: API-shaped dicts
    - ``tokens``: issued token -> authenticated calls made with it
    - ``knowledge``: ``dict[str, KnowledgeBase]`` by ``_id`` (AKool's and the user's)
    - ``credits``: the account's balance (see :meth:`credit_balance`)
    """

    def __init__(self, cfg: SimulatorConfig, clock: SimClock | None = None) -> None:
        self.cfg = cfg
        self.clock = clock or SimClock(cfg.time_scale)
        rng = random.Random(cfg.seed)
        self.uid = 100_000 + rng.randrange(900_000)
        self.credential_context = CredentialContext(
            uid=self.uid,
            agora_app_id=_hex(rng, 128),
            trtc_app_id=1_400_000_000 + rng.randrange(100_000_000),
            livekit_url="wss://akool-sim.livekit.example",
            livekit_api_key="API" + _hex(rng, 48),
        )
        now = self.clock.now()
        self.voices: list[dict[str, Any]] = catalog.voice_list(int(now * 1000))
        self.voice_by_id = {v["voice_id"]: v for v in self.voices}
        self.languages = catalog.language_list()
        self.language_codes = catalog.language_codes()
        self.tokens: dict[str, int] = {}
        self.avatars: dict[str, AvatarRecord] = {}
        self.avatars_by_oid: dict[str, AvatarRecord] = {}
        self.sessions: dict[str, SessionRecord] = {}
        self._ordered: list[SessionRecord] = []
        self._open: list[SessionRecord] = []
        self._settled: dict[int, list[SessionRecord]] = {CLOSED: [], FAILED: []}
        # ids of sessions started after launch (created through the API, churn) differ
        # from run to run, as AKool's do: a client that keeps them (the console's history)
        # must not meet the same id twice; the seeded sessions stay the same every run
        self._id_rng = random.Random(f"ids:{cfg.seed}:{secrets.token_hex(8)}")
        self._churn_rng = random.Random(f"churn:{cfg.seed}")
        self._lock = threading.RLock()
        self.credits: float = float(cfg.credits)
        self.knowledge: dict[str, KnowledgeBase] = {}
        self._seed_avatars(rng, now)
        self._seed_sessions(rng, now)
        # later additions draw from RNGs of their own: the records above stay as they were
        self._seed_aigc_avatars(random.Random(f"aigc:{cfg.seed}"), now)
        self._kb_rng = random.Random(f"knowledge:{cfg.seed}")
        self.team_id = _hex(self._kb_rng, 96)
        self._seed_knowledge(now)

    # -- seeding ------------------------------------------------------------------

    @property
    def open_target(self) -> int:
        """Open sessions that seeding and churn keep: leaves most of the cap free."""
        return max(0, min(6, (self.cfg.max_concurrent - 1) // 4))

    def _add_avatar(self, rec: AvatarRecord) -> None:
        self.avatars[rec.avatar_id] = rec
        self.avatars_by_oid[rec.oid] = rec

    def _seed_avatars(self, rng: random.Random, now: float) -> None:
        tristan = catalog.AVATAR_PEOPLE[0]
        self._add_avatar(self._official(rng, catalog.DEFAULT_AVATAR_ID, tristan))
        n_user = self.cfg.avatars * 2 // 5
        n_official = self.cfg.avatars - n_user
        people, outfits = catalog.AVATAR_PEOPLE, catalog.OUTFITS
        i = 1  # Tristan (the default avatar) already leads the list
        while len(self.avatars) < n_official + 1:
            person = people[i % len(people)]
            outfit = outfits[(i // len(people)) % len(outfits)]
            round_ = i // (len(people) * len(outfits))
            if round_:
                outfit += str(round_ + 1)
            avatar_id = f"dvp_{person[0]}_{outfit}_1080P"
            i += 1
            if avatar_id not in self.avatars:
                self._add_avatar(self._official(rng, avatar_id, person))
        for j in range(n_user):
            label = catalog.USER_AVATAR_LABELS[j % len(catalog.USER_AVATAR_LABELS)]
            person = people[rng.randrange(len(people))]
            avatar_id = label.replace(" ", "").lower() + str(rng.randrange(100, 10_000))
            while avatar_id in self.avatars:
                avatar_id += str(rng.randrange(10))
            self._add_avatar(AvatarRecord(
                oid=_hex(rng, 96), avatar_id=avatar_id, name=label, gender=person[1],
                voice_id=person[2], source=3,
                url=catalog.MEDIA_BASE + f"/uploads/{avatar_id}.mp4",
                thumbnail=catalog.MEDIA_BASE + f"/uploads/{avatar_id}.jpg",
                create=now - rng.uniform(0.5, 6.8) * 86_400,
                uploaded=True,
                # the last one of a handful failed to process
                fails=n_user >= 3 and j == n_user - 1,
            ))

    @staticmethod
    def _official(rng: random.Random, avatar_id: str, person: tuple[str, str, str]) -> AvatarRecord:
        return AvatarRecord(
            oid=_hex(rng, 96), avatar_id=avatar_id, name=person[0], gender=person[1],
            voice_id=person[2], source=2,
            url=catalog.MEDIA_BASE + f"/avatars/{avatar_id}.mp4",
            thumbnail=catalog.MEDIA_BASE + f"/avatars/{avatar_id}.webp",
        )

    def _seed_sessions(self, rng: random.Random, now: float) -> None:
        n = self.cfg.sessions
        n_open = min(n, self.open_target)
        ready = [a.avatar_id for a in self.avatars.values()
                 if a.status_at(now, self.cfg.avatar_steps) == UP_SUCCESS]
        r, bits, n_ready = rng.random, rng.getrandbits, len(ready)
        qd = self.cfg.queue_delay
        span = HISTORY_SECONDS - 600
        ages = sorted((600 + r() * span for _ in range(n - n_open)), reverse=True)
        # open ones are the newest; the very newest is still queueing
        ages += sorted((qd + 5 + r() * 400 for _ in range(n_open - 1)), reverse=True)
        if n_open:
            ages.append(r() * qd * 0.5)
        for k, age in enumerate(ages):
            is_open = k >= n - n_open
            pick = r()
            stream_type = next(st for w, st in _STREAM_WEIGHTS if pick <= w)
            avatar_id = ready[0] if r() < 0.4 else ready[int(r() * n_ready)]
            rec = SessionRecord(
                id=f"{bits(96):024x}", create=now - age, duration=3600 if is_open
                else DURATIONS[int(r() * len(DURATIONS))],
                avatar_id=avatar_id, stream_type=stream_type, secret=f"{bits(128):032x}",
            )
            if not is_open:
                fate = r()
                used = min(rec.duration * (0.1 + 0.9 * r()), age * 0.9)
                if fate < 0.02:
                    rec.final_status = FAILED
                    rec.closed_at = rec.create + min(5.0, used)
                elif fate < 0.72 or rec.duration > age * 0.9:
                    rec.closed_at = rec.create + used
            self.sessions[rec.id] = rec
            self._ordered.append(rec)
            if is_open:
                # held stays 0: nothing was taken from this balance for it, so closing it
                # early gives nothing back (an idle demo's balance must not climb)
                self._open.append(rec)
            else:
                self._settled[rec.final_status].append(rec)

    def _seed_aigc_avatars(self, rng: random.Random, now: float) -> None:
        """A few avatars made in AKool's web app: listed only with ``platform=aigc``."""
        for label, gender, voice_id, days in catalog.AIGC_AVATARS:
            avatar_id = "aigc" + _hex(rng, 48)
            self._add_avatar(AvatarRecord(
                oid=_hex(rng, 96), avatar_id=avatar_id, name=label, gender=gender,
                voice_id=voice_id, source=3,
                url=catalog.MEDIA_BASE + f"/aigc/{avatar_id}.mp4",
                thumbnail=catalog.MEDIA_BASE + f"/aigc/{avatar_id}.jpg",
                create=now - days * 86_400, uploaded=True, platform="aigc",
            ))

    def _seed_knowledge(self, now: float) -> None:
        rng = self._kb_rng
        system_team = _hex(rng, 96)
        for source, name, prologue, prompt, docs, urls, days in catalog.KNOWLEDGE_BASES:
            created = now - days * 86_400
            mine = source == KB_USER
            oid = self._new_kb_id()
            self.knowledge[oid] = KnowledgeBase(
                oid=oid, team_id=self.team_id if mine else system_team,
                uid=self.uid if mine else 1,
                user_type=EXTERNAL_USER if mine else INTERNAL_USER, source=source,
                name=name, prologue=prologue, prompt=prompt,
                create=created, update=created + min(days, 2.0) * rng.random() * 86_400,
                docs=[{"name": n, "url": f"{catalog.KNOWLEDGE_BASE}/{oid}/{n}", "size": size}
                      for n, size in docs],
                urls=list(urls),
            )

    def _new_kb_id(self) -> str:
        while True:
            oid = _hex(self._kb_rng, 96)
            if oid not in self.knowledge:
                return oid

    # -- sessions -------------------------------------------------------------------

    def credentials_context(self, ws_base: str) -> CredentialContext:
        return dataclasses.replace(self.credential_context, ws_base=ws_base)

    def _settle(self, now: float) -> None:
        if not any(now >= rec.end for rec in self._open):
            return
        still = []
        for rec in self._open:
            if now >= rec.end:
                bisect.insort(self._settled[rec.final_status], rec, key=_by_create)
            else:
                still.append(rec)
        self._open = still

    @_locked
    def open_sessions(self) -> list[SessionRecord]:
        """Sessions still queueing or live, oldest first."""
        self._settle(self.clock.now())
        return list(self._open)

    def session_status(self, session_id: str) -> int | None:
        """1 queueing, 2 live, 3 closed, 4 failed; None for an unknown id."""
        rec = self.sessions.get(session_id)
        if rec is None:
            return None
        return rec.status_at(self.clock.now(), self.cfg.queue_delay)

    @_locked
    def list_sessions(
        self, page: int, size: int, status: int | None = None
    ) -> tuple[int, list[SessionRecord]]:
        """(total, one page newest first), optionally only one status."""
        now = self.clock.now()
        self._settle(now)
        source: list[SessionRecord]
        if status is None:
            source = self._ordered
        elif status in self._settled:
            source = self._settled[status]
        else:
            qd = self.cfg.queue_delay
            source = [rec for rec in self._open if rec.status_at(now, qd) == status]
        total = len(source)
        hi = total - (page - 1) * size
        if hi <= 0:
            return total, []
        return total, source[max(0, hi - size):hi][::-1]

    def _new_session_id(self) -> str:
        while True:
            sid = _hex(self._id_rng, 96)
            if sid not in self.sessions:
                return sid

    @_locked
    def create_session(
        self, avatar_id: str, duration: int, stream_type: str = "agora", **options: Any
    ) -> SessionRecord:
        """Start a session (status 1). Options are ``SessionRecord`` fields."""
        avatar = self.avatars.get(avatar_id)
        now = self.clock.now()
        if avatar is None:
            raise SimError(1008, f"avatar {avatar_id!r} not found")
        status = avatar.status_at(now, self.cfg.avatar_steps)
        if status == UP_FAILED:
            raise SimError(1220, f"avatar {avatar_id!r} failed to process; upload it again")
        if status != UP_SUCCESS:
            raise SimError(1214, f"avatar {avatar_id!r} is still processing")
        self._settle(now)
        if len(self._open) >= self.cfg.max_concurrent:
            raise SimError(
                1215, f"live avatar busy: {len(self._open)} sessions are open, "
                f"the account allows {self.cfg.max_concurrent} at a time",
            )
        hold = self.hold_for(duration)
        if hold > self.credits + 1e-9:
            raise SimError(
                1104, f"insufficient credits: a {duration} s session holds {_credits(hold)} "
                f"credits, the balance is {_credits(self.credits)}",
            )
        return self._start(now, avatar_id, duration, stream_type, secrets.token_hex(16),
                           {**options, "by_api": True})

    def _start(
        self, now: float, avatar_id: str, duration: int, stream_type: str, secret: str,
        options: dict[str, Any],
    ) -> SessionRecord:
        if self._ordered and now <= self._ordered[-1].create:
            now = self._ordered[-1].create + 1e-3  # keep creation order strict
        hold = self.hold_for(duration)
        rec = SessionRecord(
            id=self._new_session_id(), create=now, duration=duration, avatar_id=avatar_id,
            stream_type=stream_type, secret=secret, held=hold, **options,
        )
        self.credits -= hold
        self.sessions[rec.id] = rec
        self._ordered.append(rec)
        self._open.append(rec)
        return rec

    @_locked
    def close_session(self, session_id: str) -> SessionRecord:
        rec = self.sessions.get(session_id)
        if rec is None:
            raise SimError(1216, f"session {session_id!r} does not exist")
        now = self.clock.now()
        if rec.status_at(now, self.cfg.queue_delay) in (CLOSED, FAILED):
            raise SimError(1219, f"session {session_id!r} is already closed")
        self._close(rec, now)
        self._settle(now)
        return rec

    def _close(self, rec: SessionRecord, now: float) -> None:
        """Close an open session early: the credits of its unused time come back."""
        rec.closed_at = now
        unused = rec.create + rec.duration - now
        if rec.held and unused > 0:
            self.credits += rec.held * min(1.0, unused / rec.duration)

    # -- credits ----------------------------------------------------------------------

    def hold_for(self, duration: int) -> float:
        """Credits a session of ``duration`` seconds holds at create."""
        return self.cfg.credit_rate * duration / 60

    @_locked
    def credit_balance(self) -> float:
        """The balance ``quota/info`` answers: holds of open sessions already taken."""
        return max(0.0, round(self.credits, 2))  # never -0.0 from float dust

    # -- knowledge bases ----------------------------------------------------------------

    @_locked
    def knowledge_page(
        self, page: int, size: int, source: int, name: str = ""
    ) -> list[KnowledgeBase]:
        """One page of knowledge bases from ``source`` (1 system, 2 the user's), newest
        first, whose name contains ``name`` (any case)."""
        needle = name.strip().casefold()
        found = [kb for kb in self.knowledge.values()
                 if kb.source == source and needle in kb.name.casefold()]
        found.sort(key=lambda kb: kb.create, reverse=True)
        start = (page - 1) * size
        return found[start:start + size]

    def knowledge_base(self, kb_id: str, *, malformed: int = 1232) -> KnowledgeBase:
        """The knowledge base ``kb_id``: 1232 when there is none, ``malformed`` when
        ``kb_id`` is not even an ObjectId (a detail 1236, an update 1235)."""
        if not _OBJECT_ID.fullmatch(kb_id):
            what = {1235: "update", 1236: "detail"}.get(malformed)
            if what is None:
                raise SimError(malformed, f"knowledge base {kb_id!r} not found")
            raise SimError(malformed, f"knowledge base {what} error: {kb_id!r} is not a "
                           "knowledge base id")
        kb = self.knowledge.get(kb_id)
        if kb is None:
            raise SimError(1232, f"knowledge base {kb_id!r} not found")
        return kb

    def _name_taken(self, name: str, but: str | None = None) -> None:
        key = name.strip().casefold()
        for kb in self.knowledge.values():
            if kb.source == KB_USER and kb.oid != but and kb.name.strip().casefold() == key:
                raise SimError(1233, f"a knowledge base named {kb.name!r} already exists")

    @staticmethod
    def _unfetchable(values: dict[str, Any]) -> str | None:
        for url in [d["url"] for d in values.get("docs", ())] + list(values.get("urls", ())):
            if url_fails(url):
                return url
        return None

    @_locked
    def create_knowledge(self, values: dict[str, Any]) -> KnowledgeBase:
        """A new knowledge base of the user's from checked ``values`` (see
        ``knowledge.fields``). 1233 for a name in use, 1234 when a document or page
        cannot be fetched."""
        if values.get("name"):
            self._name_taken(values["name"])
        lost = self._unfetchable(values)
        if lost:
            raise SimError(1234, f"knowledge base create error: cannot fetch {lost}")
        now = self.clock.now()
        oid = self._new_kb_id()
        kb = KnowledgeBase(
            oid=oid, team_id=self.team_id, uid=self.uid, user_type=EXTERNAL_USER,
            source=KB_USER, name=values.get("name", ""), prologue=values.get("prologue", ""),
            prompt=values.get("prompt", ""), create=now, update=now,
            docs=values.get("docs", []), urls=values.get("urls", []),
        )
        self.knowledge[oid] = kb
        return kb

    @_locked
    def update_knowledge(self, kb_id: str, values: dict[str, Any]) -> KnowledgeBase:
        """Change the sent fields of one of the user's knowledge bases (1010 for AKool's)."""
        kb = self.knowledge_base(kb_id, malformed=1235)
        if kb.source != KB_USER:
            raise SimError(1010, f"knowledge base {kb_id!r} is AKool's: it cannot be changed")
        if values.get("name"):
            self._name_taken(values["name"], but=kb.oid)
        lost = self._unfetchable(values)
        if lost:
            raise SimError(1235, f"knowledge base update error: cannot fetch {lost}")
        if values:
            for key in ("name", "prologue", "prompt", "docs", "urls"):
                if key in values:
                    setattr(kb, key, values[key])
            kb.update = max(self.clock.now(), kb.update)
        return kb

    @_locked
    def delete_knowledge(self, kb_id: str) -> None:
        kb = self.knowledge_base(kb_id)
        if kb.source != KB_USER:
            raise SimError(1010, f"knowledge base {kb_id!r} is AKool's: it cannot be deleted")
        del self.knowledge[kb_id]

    # -- avatars ----------------------------------------------------------------------

    def avatar_page(
        self, page: int, size: int, platform: str = "open"
    ) -> tuple[int, list[AvatarRecord]]:
        """Official avatars first, then the user's newest first; ``platform`` "open"
        (the default) or "aigc" (the user's avatars made in AKool's web app)."""
        official = [a for a in self.avatars.values()
                    if a.source == 2 and a.platform == platform]
        user = [a for a in self.avatars.values() if a.source == 3 and a.platform == platform]
        user.sort(key=lambda a: a.create or 0.0, reverse=True)
        everything = official + user
        start = (page - 1) * size
        return len(everything), everything[start:start + size]

    @_locked
    def upload_avatar(self, avatar_id: str, url: str, name: str | None) -> AvatarRecord:
        if avatar_id in self.avatars:
            raise SimError(1222, f"avatar_id {avatar_id!r} already exists")
        rec = AvatarRecord(
            oid=_hex(self._id_rng, 96), avatar_id=avatar_id, name=name or avatar_id,
            gender="", voice_id="", source=3, url=url,
            thumbnail=catalog.MEDIA_BASE + f"/uploads/{avatar_id}.jpg",
            create=self.clock.now(), uploaded=True, fails=url_fails(url),
        )
        self._add_avatar(rec)
        return rec

    # -- tokens -----------------------------------------------------------------------

    @_locked
    def issue_token(self) -> str:
        now = int(self.clock.now())
        token = jwt_like(
            {"uid": self.uid, "type": "open_api", "iat": now, "exp": now + TOKEN_LIFETIME,
             "jti": secrets.token_hex(8)},
            secrets.token_hex(16),
        )
        self.tokens[token] = 0
        return token

    @_locked
    def use_token(self, token: str) -> bool:
        """Count one authenticated call; False when unknown or worn out (1101)."""
        calls = self.tokens.get(token)
        if calls is None:
            return False
        self.tokens[token] = calls + 1
        limit = self.cfg.token_expiry_calls
        return limit is None or calls + 1 <= limit

    # -- churn ------------------------------------------------------------------------

    @_locked
    def churn_step(self) -> None:
        """One bounded step of background activity: maybe one new, maybe one closed."""
        now = self.clock.now()
        self._settle(now)
        rng = self._churn_rng
        ready = [a.avatar_id for a in self.avatars.values()
                 if a.platform == "open" and a.status_at(now, self.cfg.avatar_steps) == UP_SUCCESS]
        if ready and len(self._open) < self.open_target and rng.random() < 0.6:
            pick = rng.random()
            stream_type = next(st for w, st in _STREAM_WEIGHTS if pick <= w)
            avatar_id, duration = rng.choice(ready), rng.choice(DURATIONS)
            secret = _hex(rng, 128)
            if self.hold_for(duration) <= self.credits:  # the account pays for these too
                self._start(now, avatar_id, duration, stream_type, secret, {})
        # background sessions only: a session the user created (a demo's chat) is theirs
        live = [rec for rec in self._open
                if not rec.by_api and rec.status_at(now, self.cfg.queue_delay) == LIVE]
        if live and rng.random() < 0.15:
            self._close(rng.choice(live), now)
            self._settle(now)
        if self.cfg.steady_churn:
            self._retire(len(self._ordered) - self.cfg.sessions)

    def _retire(self, count: int) -> None:
        """Forget the ``count`` oldest settled sessions (open ones are never retired).

        They are the front of ``_ordered`` (open ones there stay) and a prefix of each
        settled list, so this costs O(retired) plus one slice move per list.
        """
        if count <= 0:
            return
        ordered, open_ids = self._ordered, {id(rec) for rec in self._open}
        gone: set[int] = set()
        end = 0
        while len(gone) < count and end < len(ordered):
            rec = ordered[end]
            if id(rec) not in open_ids:
                gone.add(id(rec))
                del self.sessions[rec.id]
            end += 1
        ordered[:end] = [rec for rec in ordered[:end] if id(rec) in open_ids]
        for settled in self._settled.values():
            k = 0
            while k < len(settled) and id(settled[k]) in gone:
                k += 1
            del settled[:k]


__all__ = ["SimError", "SimulatorState", "QUEUEING", "LIVE", "CLOSED", "FAILED"]
