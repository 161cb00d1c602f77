""":func:`mask_text` runs each secret shape's regex only where a character that shape
needs is present (``sessions list --json`` masks about 250 000 texts at 100 000
sessions): the result must be what running every pass gives."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from akool_tui.api import secrets
from akool_tui.api.secrets import mask, mask_text, masked_flat, masked_mapping

#: the gate every pass used to sit behind
_ALL_SHAPES = re.compile(r"[=@:]|(?i:bearer|basic)\s")


def every_pass(text: str, extra: tuple[str, ...] = ()) -> str:
    """:func:`mask_text` as it was: the four passes behind one regex gate."""
    text = secrets._mask_known(text, extra)
    if _ALL_SHAPES.search(text) is None:
        return text
    text = secrets._USERINFO.sub(
        lambda m: m.group("pre") + secrets._masked_value(m.group("info")) + "@", text)
    text = secrets._EQ_PAIR.sub(secrets._mask_pair, text)
    text = secrets._COLON_PAIR.sub(secrets._mask_pair, text)
    return secrets._AUTH.sub(secrets._mask_auth, text)


_PIECES = st.sampled_from([
    "https://", "wss://", "user:pass@", "@", "=", ":", "?", "&", "#", '"', "'", " ", "\t",
    "\u2003", "Bearer ", "basic\n", "BEARER\u00a0", "token", "access_token", "sig", "apiKey",
    "note", "abcdefgh12345678", "eyJhbGciOiJIUzI1NiJ9.e30.sig42", "None", "{", "}", ",",
    "akool_8e52fca546da5af64ce0cf1f", "x", "0",
])


@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=14).map("".join))
@settings(max_examples=1500, deadline=None)
def test_skipping_the_passes_a_text_cannot_match_masks_the_same(text) -> None:
    assert mask_text(text) == every_pass(text)
    assert mask_text(text, ("abcdefgh12345678",)) == every_pass(text, ("abcdefgh12345678",))


def test_a_secret_in_a_url_or_an_auth_header_is_still_masked() -> None:
    assert mask_text("wss://u:p4ssw0rd-secret@h/x") == "wss://••••cret@h/x"
    assert mask_text("ws://127.0.0.1:9/s?token=abcdefgh1234") == "ws://127.0.0.1:9/s?token=••••1234"
    assert mask_text("sent\tBearer abcdefgh12345678") == "sent\tBearer ••••5678"
    assert mask_text("{'apiKey': 'k-0000-1111-0008'}") == "{'apiKey': '••••0008'}"
    # texts with none of the shapes' characters are returned as they are
    assert mask_text("akool_8e52fca546da5af64ce0cf1f") == "akool_8e52fca546da5af64ce0cf1f"
    assert mask_text("Basic information") == "Basic information"


def test_credentials_of_every_stream_type_keep_their_secrets_masked() -> None:
    token = "007eJxVpgFdBiU_mpioWLS8UTp8JQPfGsAd"
    agora = {"agora_uid": 127864, "agora_app_id": "c386bbc4cd613e30d8f16adf91b7584a",
             "agora_channel": "akool_8e52fca546da5af64ce0cf1f", "agora_token": token}
    livekit = {"livekit_url": f"wss://lk.example/rtc?access_token={token}&v=1",
               "livekit_token": "eyJhbGciOiJIUzI1NiJ9.e30.abcdef", "livekit_room_name": "room"}
    trtc = {"trtc_sdk_app_id": 1408470054, "trtc_sdk_user_id": "user_1",
            "trtc_sdk_user_sig": "eJwK-3ZvnJXbtOiZVBDLgfr", "note": "echo eJwK-3ZvnJXbtOiZVBDLgfr"}
    # the same shapes (key sets) twice: the second pass uses the remembered plan
    for _ in range(2):
        assert masked_flat(agora) == {**agora, "agora_app_id": "••••584a", "agora_token": mask(token)}
        assert masked_flat(livekit) == {
            "livekit_url": f"wss://lk.example/rtc?access_token={mask(token)}&v=1",
            "livekit_token": "••••cdef", "livekit_room_name": "room"}
        shown = masked_flat(trtc)
        assert shown == {"trtc_sdk_app_id": "••••0054", "trtc_sdk_user_id": "user_1",
                         "trtc_sdk_user_sig": "••••Lgfr", "note": "echo ••••Lgfr"}
    # a nested value is not flat: the general walk masks it
    nested = {"agora_token": token, "ice": [{"url": f"turn:h?sig={token}"}]}
    assert masked_flat(nested) is None
    assert masked_mapping(nested) == {"agora_token": mask(token),
                                      "ice": [{"url": f"turn:h?sig={mask(token)}"}]}
