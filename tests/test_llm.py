"""Bring-your-own LLM: SSE parsing, sentence splitting, streaming from the simulator's
OpenAI-compatible endpoint over loopback HTTP."""

from __future__ import annotations

import pytest

from akool_tui.config import LlmConfig
from akool_tui.core.chat.llm import (
    LlmClient,
    LlmError,
    LlmSettings,
    SentenceSplitter,
    delta_text,
    error_text,
    sse_data,
)
from akool_tui.simulator.llm_endpoint import answer_to


async def _lines(*lines: str):
    for line in lines:
        yield line


async def _collect(gen) -> list[str]:
    return [x async for x in gen]


async def test_sse_data_joins_multiline_events_and_skips_comments_and_other_fields():
    events = await _collect(sse_data(_lines(
        ": keep-alive", "event: message", "id: 7", "data: {\"a\":", "data: 1}", "",
        "data:[DONE]", "", "data: tail-without-blank-line")))
    assert events == ['{"a":\n1}', "[DONE]", "tail-without-blank-line"]


def test_delta_text_is_tolerant():
    assert delta_text('{"choices":[{"index":0,"delta":{"content":"Hi"}}]}') == "Hi"
    assert delta_text('{"choices":[{"index":0,"delta":{"role":"assistant"}}]}') == ""
    assert delta_text('{"choices":[]}') == ""
    assert delta_text("not json") == ""
    assert delta_text("[1, 2]") == ""
    with pytest.raises(LlmError, match="overloaded"):
        delta_text('{"error": {"message": "overloaded"}}')


def test_error_text_prefers_openai_error_message():
    assert error_text(b'{"error": {"message": "bad model"}}') == "bad model"
    assert error_text(b"<html>  oops </html>") == "<html> oops </html>"
    assert error_text(b"") == "(empty body)"


@pytest.mark.parametrize("deltas, sentences, rest", [
    (["Hello wor", "ld. How are", " you? Fine"], ["Hello world.", "How are you?"], ["Fine"]),
    (["Pi is 3.14 exactly. "], ["Pi is 3.14 exactly."], []),
    (["你好。今天", "很好！再见"], ["你好。", "今天很好！"], ["再见"]),
    (["line one\nline two\n\n"], ["line one", "line two"], []),
    (["\u201cQuoted.\u201d Next"], ["\u201cQuoted.\u201d"], ["Next"]),
])
def test_sentence_splitter(deltas, sentences, rest):
    splitter = SentenceSplitter()
    got = [s for d in deltas for s in splitter.feed(d)]
    assert got == sentences
    assert splitter.flush() == rest


def test_sentence_splitter_cuts_overlong_sentences_at_a_space():
    splitter = SentenceSplitter(max_len=20)
    got = splitter.feed("one two three four five six seven eight")
    assert got and all(len(s) <= 20 for s in got)
    assert " ".join(got + splitter.flush()) == "one two three four five six seven eight"


def test_settings_from_config_reads_the_key_from_the_named_env_var():
    cfg = LlmConfig(base_url="http://127.0.0.1:9/v1/", model="m", api_key_env="MY_LLM_KEY")
    settings = LlmSettings.from_config(cfg, {"MY_LLM_KEY": "sk-secret-1234"})
    assert settings == LlmSettings("http://127.0.0.1:9/v1", "m", "sk-secret-1234")
    assert "sk-secret" not in repr(settings) and "1234" in repr(settings)
    assert LlmSettings.from_config(LlmConfig(), {}) is None
    assert LlmSettings.from_config(LlmConfig(base_url="http://127.0.0.1:9/v1"), {}) is None


def test_client_refuses_bad_settings():
    with pytest.raises(LlmError, match="base_url"):
        LlmClient(LlmSettings("ftp://example.com", "m"))
    with pytest.raises(LlmError, match="model"):
        LlmClient(LlmSettings("http://127.0.0.1:9/v1", " "))


async def test_streams_the_simulators_answer_in_deltas(simulator):
    client = LlmClient(LlmSettings(simulator.base_url + "/v1", "any-model", "sk-test-9876"))
    try:
        deltas = await _collect(client.stream_chat(
            [{"role": "system", "content": "be brief"},
             {"role": "user", "content": "Tell me about volcanoes"}]))
    finally:
        await client.aclose()
    assert len(deltas) > 5  # streamed, not one block
    assert "".join(deltas) == answer_to("Tell me about volcanoes")
    splitter = SentenceSplitter()
    sentences = [s for d in deltas for s in splitter.feed(d)] + splitter.flush()
    assert len(sentences) == 4 and sentences[0].startswith("You asked:")


async def test_http_errors_are_reported_with_the_servers_message(simulator):
    client = LlmClient(LlmSettings(simulator.base_url + "/v1", "m"))
    try:
        with pytest.raises(LlmError, match="HTTP 400: messages must be a list"):
            await _collect(client.stream_chat([]))
    finally:
        await client.aclose()


async def test_unreachable_endpoint_is_a_clear_error_without_the_key():
    key = "sk-very-secret-abcd"
    client = LlmClient(LlmSettings("http://127.0.0.1:9/v1", "m", key))
    try:
        with pytest.raises(LlmError) as info:
            await _collect(client.stream_chat([{"role": "user", "content": "hi"}]))
    finally:
        await client.aclose()
    assert "cannot reach the LLM at http://127.0.0.1:9/v1/chat/completions" in str(info.value)
    assert "very-secret" not in str(info.value)
