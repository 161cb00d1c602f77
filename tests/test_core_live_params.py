"""Turn detection for set-params, checked field by field (core.live_params)."""

from __future__ import annotations

from akool_tui.core.live_params import turn_detection_params


def test_none_sends_nothing_and_semantic_vad_only_its_type():
    assert turn_detection_params("") == (None, {})
    assert turn_detection_params("semantic_vad", threshold="0.9") == ({"type": "semantic_vad"}, {})


def test_server_vad_takes_its_three_fields_empty_ones_left_to_the_server():
    td, problems = turn_detection_params("server_vad", threshold="0.6", prefix_padding_ms="",
                                         silence_duration_ms="800")
    assert problems == {}
    assert td == {"type": "server_vad", "threshold": 0.6, "silence_duration_ms": 800}


def test_each_wrong_field_gets_its_own_message_and_nothing_is_built():
    td, problems = turn_detection_params("server_vad", threshold="1.5", prefix_padding_ms="-3",
                                         silence_duration_ms="20000")
    assert td is None
    assert set(problems) == {"threshold", "prefix_padding_ms", "silence_duration_ms"}
    assert "0 to 1" in problems["threshold"] and "10000" in problems["silence_duration_ms"]
    assert turn_detection_params("loud_vad")[1] == {"turn_type": "one of server_vad, semantic_vad"}
    assert turn_detection_params("server_vad", threshold="nan")[1]["threshold"]
