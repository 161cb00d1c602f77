"""``akool-tui knowledge ...`` run in-process through ``main(argv)`` against the real
simulator over loopback: every subcommand, ``--json``, limits refused before sending
(exit 2, the simulator unchanged) and the service's codes 1232-1236 with their messages."""

from __future__ import annotations

import json
import re

import pytest

from akool_tui.cli import main
from akool_tui.core.ids import short_id
from cli_helpers import clean_env_with_key as clean_env  # noqa: F401 - autouse fixture


@pytest.fixture
def kb(simulator, capsys):
    """``kb(*argv) -> (exit code, stdout, stderr)`` of ``akool-tui knowledge ...``."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--base-url", simulator.base_url, "knowledge", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def state(sim) -> dict[str, tuple]:
    """The simulator's knowledge bases, every field (to see that nothing changed)."""
    return {oid: (k.name, k.prologue, k.prompt, repr(k.docs), tuple(k.urls), k.update)
            for oid, k in sim.state.knowledge.items()}


def by_name(sim, name: str):
    return next(k for k in sim.state.knowledge.values() if k.name == name)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("akool-tui: "), err
    return lines[0]


def test_list_shows_yours_and_akools_with_their_source(simulator, kb):
    code, out, err = kb("list")
    assert code == 0 and err == ""
    header, *rows = out.split("\n\n")[0].splitlines()
    assert header.split() == ["NAME", "SOURCE", "DOCUMENTS", "URLS", "UPDATED", "ID"]
    assert any("Acme support desk" in r and "yours" in r and "3 · 10.7 MB" in r for r in rows)
    assert any("AKool Streaming Avatar FAQ" in r and "AKool" in r for r in rows)
    assert out.strip().endswith("6 knowledge bases (4 yours, 2 AKool's)")
    code, out, _ = kb("list", "--from", "akool", "--json")
    data = json.loads(out)
    assert code == 0 and {d["source_label"] for d in data} == {"AKool"}
    assert all(d["read_only"] for d in data) and len(data) == 2
    code, out, _ = kb("list", "--from", "yours", "--name", "clinic", "--json")
    assert [d["name"] for d in json.loads(out)] == ["Clinic reception"]


def test_show_by_suffix_prints_the_prologue_prompt_documents_and_urls(simulator, kb):
    acme = by_name(simulator, "Acme support desk")
    code, out, err = kb("show", short_id(acme.oid))
    assert code == 0 and err == ""
    assert f"ID:      {acme.oid}" in out
    assert "Prologue:\n  Hello, and welcome to Acme support!" in out
    assert "Prompt:\n  You are Acme's support agent." in out
    assert "Documents (3, 10.7 MB):" in out
    assert re.search(r"  returns-policy\.pdf  2\.2 MB  https://\S+/returns-policy\.pdf", out)
    assert "URLs (2):\n  https://acme.example/support\n  https://acme.example/returns" in out
    code, out, _ = kb("show", acme.oid[:10], "--json")
    data = json.loads(out)
    assert data["id"] == acme.oid and data["docs"][0]["size"] == 2_318_776
    assert data["docs_bytes"] == sum(d["size"] for d in acme.docs) and not data["read_only"]


def test_create_update_delete_round_trip(simulator, kb, tmp_path):
    prompt = tmp_path / "prompt.md"
    prompt.write_text("\ufeffYou answer questions about bikes.\nBe brief.\n", encoding="utf-8")
    code, out, err = kb("create", "--name", "Bike shop", "--prompt-file", str(prompt),
                        "--prologue", "Hi! Ask me about bikes.",
                        "--doc", "catalog.pdf=https://bikes.example/c.pdf;size=12MB",
                        "--doc", "https://bikes.example/files/faq.md",
                        "--url", "https://bikes.example", "--json")
    assert code == 0, err
    created = json.loads(out)
    record = by_name(simulator, "Bike shop")
    assert created["id"] == record.oid
    assert record.prompt == "You answer questions about bikes.\nBe brief."
    assert record.docs[0] == {"name": "catalog.pdf", "url": "https://bikes.example/c.pdf",
                              "size": 12 * 1024 * 1024}
    assert record.docs[1]["name"] == "faq.md" and record.urls == ["https://bikes.example"]

    code, out, err = kb("update", short_id(record.oid), "--prologue", "", "--name", "Bike shop 2")
    assert code == 0, err
    assert record.name == "Bike shop 2" and record.prologue == ""
    assert "Name:    Bike shop 2" in out and "Prologue:\n  —" in out

    code, out, err = kb("delete", short_id(record.oid), short_id(record.oid))
    assert (code, out, err) == (0, f"deleted {record.oid}\n", "")
    assert record.oid not in simulator.state.knowledge


def test_delete_several_json_and_akools_refused_without_sending(simulator, kb):
    clinic = by_name(simulator, "Clinic reception")
    faq = by_name(simulator, "AKool Streaming Avatar FAQ")
    code, out, err = kb("delete", clinic.oid, short_id(faq.oid), "nosuchid", "--json")
    assert code == 1
    results = json.loads(out)
    assert results[0] == {"id": clinic.oid, "deleted": True}
    assert results[1]["deleted"] is False and "one of AKool's" in results[1]["error"]
    assert results[2]["deleted"] is False and "No knowledge base ID" in results[2]["error"]
    assert clinic.oid not in simulator.state.knowledge and faq.oid in simulator.state.knowledge
    assert len(err.strip().splitlines()) == 2


def test_a_too_long_prompt_is_refused_before_sending(simulator, kb, tmp_path):
    before = state(simulator)
    code, out, err = kb("create", "--name", "Long", "--prompt", "x" * 10_001)
    assert code == 2 and out == ""
    assert "--prompt: prompt is 10,001 characters: at most 10,000" in one_line(err)
    big = tmp_path / "prompt.txt"
    big.write_text("y" * 10_001, encoding="utf-8")
    acme = by_name(simulator, "Acme support desk")
    code, _, err = kb("update", acme.oid, "--prompt-file", str(big))
    assert code == 2 and "10,000" in one_line(err)
    assert state(simulator) == before


def test_every_problem_is_listed_and_nothing_sent(simulator, kb, tmp_path):
    before = state(simulator)
    binary = tmp_path / "bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    code, _, err = kb("create", "--name", "n" * 101, "--prologue-file", str(binary),
                      "--doc", "setup.exe=https://x.example/setup.exe",
                      "--doc", "big.pdf=https://x.example/big.pdf;size=101MB",
                      "--doc", "no-equals", "--url", "ftp://x.example")
    line = one_line(err)
    assert code == 2 and line.startswith("akool-tui: nothing sent: ")
    for part in ("is not UTF-8 text", ".exe: a document must be PDF", "over the 100 MB",
                 "expected NAME=URL", "--name: name is 101 characters", "--url #1"):
        assert part in line, part
    docs = [f"d{i}.pdf=https://x.example/d{i}.pdf;size=90MB" for i in range(6)]
    code, _, err = kb("create", "--name", "Too big", *[a for d in docs for a in ("--doc", d)])
    assert code == 2 and "the documents total 540 MB: at most 500 MB together" in one_line(err)
    code, _, err = kb("update", "whatever")
    assert code == 2 and "nothing to change" in one_line(err)
    code, _, err = kb("create", "--name", "x", "--prompt-file", str(tmp_path / "missing.txt"))
    assert code == 2 and "no such file" in one_line(err)
    assert state(simulator) == before


def test_updating_akools_base_is_refused_before_sending(simulator, kb):
    before = state(simulator)
    faq = by_name(simulator, "AKool Streaming Avatar FAQ")
    code, _, err = kb("update", short_id(faq.oid), "--name", "Mine now")
    assert code == 2 and "can be used but not changed or deleted" in one_line(err)
    assert state(simulator) == before


def test_api_errors_1232_to_1236_with_their_messages(simulator, kb):
    code, _, err = kb("show", "0" * 24)
    assert code == 1 and "The knowledge base does not exist (code 1232" in one_line(err)
    code, _, err = kb("create", "--name", "acme SUPPORT desk")
    assert code == 1 and "already exists (code 1233" in one_line(err)
    code, _, err = kb("create", "--name", "Far away",
                      "--doc", "a.pdf=https://unreachable.example/a.pdf")
    assert code == 1 and "(code 1234" in one_line(err) and "can be reached" in err
    acme = by_name(simulator, "Acme support desk")
    code, _, err = kb("update", acme.oid, "--doc", "b.md=https://files.invalid/b.md")
    assert code == 1 and "Updating the knowledge base failed" in one_line(err) and "1235" in err
    code, _, err = kb("show", "z" * 24)
    assert code == 1 and "could not be read: check its ID (code 1236" in one_line(err)
    code, _, err = kb("delete", "0" * 24)
    assert code == 1 and "code 1232" in one_line(err)


HOSTILE_NAME = "[b]Evil[/b] \x1b]52;c;QUFBQQ==\x07desk \u202e"


async def create_hostile(sim) -> str:
    """A knowledge base whose strings carry markup, escapes and bidi overrides."""
    from akool_tui.api.client import AkoolClient

    async with AkoolClient(sim.base_url, api_key="demo") as client:
        kb = await client.create_knowledge(
            name=HOSTILE_NAME, prologue="Hi\x1b[2J there", prompt="line 1\n\x9b31mline 2",
            docs=[{"name": "read\u202eme.pdf", "url": "https://x.example/\x1b[0m.pdf"}],
            urls=["https://x.example/[link]"])
        return kb.id


def test_server_strings_reach_the_terminal_safe(simulator, kb):
    import asyncio

    kb_id = asyncio.run(create_hostile(simulator))
    for argv in (("show", kb_id), ("list",), ("show", kb_id, "--json"), ("list", "--json")):
        code, out, err = kb(*argv)
        assert code == 0 and err == "", argv
        assert not any(c in out for c in "\x1b\x07\x9b\u202e"), argv
        assert "[b]Evil[/b]" in out, argv
    code, out, _ = kb("show", kb_id)
    assert "Prompt:\n  line 1\n  \ufffd31mline 2" in out


def test_a_bad_size_names_the_doc_it_is_in(simulator, kb):
    """With two --doc, the user must see which one has the bad size."""
    before = state(simulator)
    code, _, err = kb("create", "--name", "Sizes", "--doc", "a.pdf=https://x.example/a.pdf",
                      "--doc", "b.pdf=https://x.example/b.pdf;size=-5")
    assert code == 2 and state(simulator) == before
    assert "--doc 'b.pdf=https://x.example/b.pdf;size=-5': a size in bytes" in err
