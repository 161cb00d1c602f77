"""The client speaks the whole published API (spec section 6), over loopback against
the simulator: knowledge bases, credits, avatar platforms, voice filters, every create
option, and every answer shape the spec says the real service may send."""

from __future__ import annotations

import pytest

from akool_tui.api import errors
from akool_tui.api.client import AkoolClient
from akool_tui.api.errors import CODE_MESSAGES, describe_code
from akool_tui.api.knowledge import FROM_SYSTEM, KnowledgeDoc

def client(sim) -> AkoolClient:
    return AkoolClient(sim.base_url, api_key="demo", max_retries=0)


# -- knowledge bases --------------------------------------------------------------


@pytest.mark.parametrize("shape", ["array", "object"])
async def test_knowledge_list_reads_both_answer_shapes(simulator_factory, shape) -> None:
    sim = simulator_factory(knowledge_list_shape=shape)
    async with client(sim) as api:
        mine = await api.list_all_knowledge()
        akool = await api.list_all_knowledge(source=FROM_SYSTEM)
    assert mine and all(kb.id and kb.name for kb in mine)
    assert akool and all(kb.read_only for kb in akool)
    assert not {kb.id for kb in mine} & {kb.id for kb in akool}


async def test_knowledge_all_pages_reads_past_the_first_hundred(simulator) -> None:
    async with client(simulator) as api:
        before = len(await api.list_all_knowledge())
        for n in range(105):
            await api.create_knowledge(name=f"kb {n:03d}")
        found = await api.list_all_knowledge()
        assert len(found) == before + 105
        assert len({kb.id for kb in found}) == len(found)
        assert len(await api.list_knowledge(2, 100)) == before + 5


async def test_knowledge_round_trip_create_detail_update_delete(simulator) -> None:
    async with client(simulator) as api:
        kb = await api.create_knowledge(
            name="Support desk", prologue="Hello, how can I help?", prompt="Be brief.",
            docs=[KnowledgeDoc("faq.pdf", "https://example.com/faq.pdf", 12_345)],
            urls=["https://example.com/help"])
        assert kb.id and kb.name == "Support desk" and kb.docs[0].size == 12_345
        got = await api.knowledge_detail(kb.id)
        assert (got.prologue, got.prompt, got.urls) == ("Hello, how can I help?", "Be brief.",
                                                        ("https://example.com/help",))
        changed = await api.update_knowledge(kb.id, prologue="", name="Support desk 2")
        assert changed.prologue == "" and changed.name == "Support desk 2"
        assert changed.prompt == "Be brief."  # untouched fields stay
        await api.delete_knowledge(kb.id)
        with pytest.raises(errors.NotFoundError) as info:
            await api.knowledge_detail(kb.id)
    assert info.value.code == 1232 and "knowledge base does not exist" in str(info.value)


async def test_knowledge_errors_have_their_messages(simulator) -> None:
    async with client(simulator) as api:
        kb = await api.create_knowledge(name="Unique name")
        with pytest.raises(errors.ConflictError) as dup:
            await api.create_knowledge(name="unique NAME ")
        with pytest.raises(errors.ApiError) as bad_id:
            await api.knowledge_detail("not-an-object-id")
        with pytest.raises(errors.ApiError) as unreachable:
            await api.create_knowledge(
                name="x", docs=[{"name": "a.pdf", "url": "https://unreachable.invalid/a.pdf"}])
        with pytest.raises(errors.ParamError) as too_big:
            await api.update_knowledge(kb.id, docs=[KnowledgeDoc("big.pdf", "https://e.com/b.pdf",
                                                                 104_857_601)])
    assert dup.value.code == 1233 and "already exists" in str(dup.value)
    assert bad_id.value.code == 1236 and "could not be read" in str(bad_id.value)
    assert unreachable.value.code == 1234 and "Creating the knowledge base failed" in str(unreachable.value)
    assert too_big.value.code == 1003 and "100 MB" in str(too_big.value)


async def test_akool_knowledge_cannot_be_deleted(simulator) -> None:
    async with client(simulator) as api:
        theirs = (await api.list_all_knowledge(source=FROM_SYSTEM))[0]
        with pytest.raises(errors.ConflictError) as info:
            await api.delete_knowledge(theirs.id)
    assert info.value.code == 1010


# -- credits ------------------------------------------------------------------------


async def test_credit_balance_falls_while_a_session_is_held_and_refunds_on_close(simulator_factory) -> None:
    sim = simulator_factory(credits=50.0, credit_rate=1.0)
    async with client(sim) as api:
        start = await api.credit_balance()
        session = await api.create_session(duration=600, stream_type="websocket")
        held = await api.credit_balance()
        await api.close_session(session.id)
        after = await api.credit_balance()
        with pytest.raises(errors.QuotaError) as info:
            await api.create_session(duration=3600, stream_type="websocket")
    assert start == 50.0 and held == pytest.approx(40.0, abs=0.01)
    assert held < after <= start  # the unused rest came back
    assert info.value.code == 1104 and "Insufficient credits" in str(info.value)


# -- avatars, voices, close -----------------------------------------------------------


async def test_avatar_list_by_platform_carries_its_source(simulator) -> None:
    async with client(simulator) as api:
        opened = await api.list_all_avatars()
        aigc = await api.list_all_avatars("aigc")
    assert opened and aigc
    assert {a.platform for a in opened} == {"open"} and {a.platform for a in aigc} == {"aigc"}
    assert not {a.avatar_id for a in opened} & {a.avatar_id for a in aigc}


@pytest.mark.parametrize("shape", ["object", "array"])
async def test_avatar_create_reads_an_object_or_a_one_element_array(simulator_factory, shape) -> None:
    sim = simulator_factory(avatar_create_shape=shape)
    async with client(sim) as api:
        avatar = await api.create_avatar("https://example.com/me.mp4", "me01", name="Me")
    assert avatar.avatar_id == "me01" and avatar.id and avatar.status is not None


@pytest.mark.parametrize("answer", ["null", "empty", "detail"])
async def test_close_accepts_every_answer_shape(simulator_factory, answer) -> None:
    sim = simulator_factory(close_answer=answer)
    async with client(sim) as api:
        session = await api.create_session(duration=60, stream_type="websocket")
        await api.close_session(session.id)
        assert not (await api.session_detail(session.id)).is_open


async def test_voice_filters_and_fields(simulator) -> None:
    async with client(simulator) as api:
        every = await api.list_all_voices(2)
        female = await api.list_all_voices(2, gender="female")
        styled = await api.list_all_voices(2, style=[every[0].style[0]])
        silent = await api.list_all_voices(2, support_stream=False)
    assert every and all(v.support_stream for v in every)
    assert all(v.model_name for v in every) and all(v.style for v in every)
    assert female and {v.gender.lower() for v in female} == {"female"} and len(female) < len(every)
    assert styled and all(every[0].style[0] in v.style for v in styled)
    assert silent and not any(v.support_stream for v in silent)
    assert all("Multilingual 2" in v.model_name for v in silent)


# -- create options ---------------------------------------------------------------------


async def test_create_sends_the_whole_voice_params(simulator) -> None:
    params = {"speed": 1.1, "stt_language": "en", "stt_type": "openai_realtime",
              "pron_map": {"AKool": "ay cool"},
              "turn_detection": {"type": "server_vad", "threshold": 0.6, "prefix_padding_ms": 200,
                                 "silence_duration_ms": 700}}
    async with client(simulator) as api:
        session = await api.create_session(duration=60, stream_type="websocket", voice_params=params)
        with pytest.raises(errors.ParamError) as info:
            await api.create_session(duration=60, stream_type="websocket",
                                     voice_params={"turn_detection": {"type": "semantic_vad",
                                                                      "threshold": 0.5}})
    assert session.id
    assert "server_vad" in str(info.value)


async def test_fast_dialogue_takes_a_preset_voice_and_refuses_a_voice_list_voice(simulator) -> None:
    async with client(simulator) as api:
        voice = (await api.list_all_voices(2))[0]
        session = await api.create_session(duration=60, stream_type="websocket",
                                           scene_mode="fast_dialogue", e2e_type="openai",
                                           voice_params={"voice_id": "coral"})
        with pytest.raises(errors.ParamError) as info:
            await api.create_session(duration=60, stream_type="websocket",
                                     scene_mode="fast_dialogue", e2e_type="openai",
                                     voice_params={"voice_id": voice.voice_id})
    assert session.id
    assert "Voice List voice" in str(info.value)


async def test_bring_your_own_room_with_either_trtc_spelling(simulator) -> None:
    own = {"trtc_app_id": 1400000001, "trtc_room_id": "room-7", "trtc_user_id": "avatar-7",
           "trtc_user_sig": "sig-SECRET-0123456789"}
    async with client(simulator) as api:
        session = await api.create_session(duration=60, stream_type="trtc", credentials=own)
    assert session.credentials.get("trtc_sdk_room_id") == "room-7"
    assert "sig-SECRET-0123456789" not in repr(session)


async def test_a_knowledge_base_is_used_on_create_and_an_unknown_one_refused(simulator) -> None:
    async with client(simulator) as api:
        kb = (await api.list_all_knowledge())[0]
        ok = await api.create_session(duration=60, stream_type="websocket", knowledge_id=kb.id)
        with pytest.raises(errors.NotFoundError) as info:
            await api.create_session(duration=60, stream_type="websocket",
                                     knowledge_id="0123456789abcdef01234567")
    assert ok.id and info.value.code == 1232


# -- codes --------------------------------------------------------------------------------

SPEC_CODES = [1000, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1013, 1014, 1015,
              1016, 1017, 1101, 1102, 1103, 1104, 1105, 1108, 1109, 1110, 1111, 1112, 1200,
              1201, *range(1202, 1224), 1232, 1233, 1234, 1235, 1236]


@pytest.mark.parametrize("code", SPEC_CODES)
def test_every_code_of_the_spec_has_a_clear_message(code) -> None:
    assert code in CODE_MESSAGES
    text = describe_code(code, "")
    assert not text.startswith("AKool error") and f"code {code}" in text


def test_an_unknown_code_shows_code_and_msg_as_sent() -> None:
    assert describe_code(4242, "strange") == "AKool error 4242: strange"
