"""The knowledge base checks a form and a command make before sending (core.knowledge)."""

from __future__ import annotations

import pytest

from akool_tui.api.errors import ParamError
from akool_tui.api.knowledge import KnowledgeBase, KnowledgeDoc
from akool_tui.core import knowledge as kc
from akool_tui.core.fields import KNOWLEDGE_FIELDS, cells


def test_characters_left_and_too_many() -> None:
    assert kc.left_text("", 2_000) == "2,000 characters left of 2,000"
    assert kc.left_text("x" * 1_999, 2_000) == "1 character left of 2,000"
    assert kc.left_text("x" * 10_003, 10_000) == "3 characters too many (at most 10,000)"
    assert kc.check_text("prompt", "x" * 10_000) is None
    assert kc.check_text("prologue", "x" * 2_001) == "prologue is 2,001 characters: at most 2,000"
    assert kc.check_name("   ") == "a name is required"
    assert kc.check_name("n" * 101) == "name is 101 characters: at most 100"


@pytest.mark.parametrize(("text", "size"), [("1048576", 1_048_576), ("12MB", 12 * 2 ** 20),
                                            ("1.5 mb", 1_572_864), ("300 KB", 307_200),
                                            ("100MB", kc.MAX_DOC_BYTES), ("2 B", 2)])
def test_sizes_in_bytes_kb_mb(text: str, size: int) -> None:
    assert kc.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "12 parsecs", "-3", "1.5"])
def test_bad_sizes_say_what_is_expected(text: str) -> None:
    with pytest.raises(ParamError):
        kc.parse_size(text)


def test_document_checks_by_field() -> None:
    assert kc.doc_problems("faq.PDF", "https://x.example/faq") == {}
    assert kc.doc_problems("faq", "https://x.example/files/faq.docx") == {}  # the URL's
    found = kc.doc_problems("setup.exe", "ftp://x", "101MB")
    assert set(found) == {"name", "url", "size"}
    assert found["name"].startswith(".exe: a document must be PDF, DOC, DOCX")
    assert "100 MB" in found["size"]
    assert kc.check_url("https://") is not None and kc.check_url("http://h/p q") is not None
    assert kc.total_problem([kc.MAX_DOC_BYTES] * 5) is None
    assert kc.total_problem([kc.MAX_DOC_BYTES] * 5 + [1]) is not None


@pytest.mark.parametrize(("text", "doc"), [
    ("faq.pdf=https://x.example/faq.pdf", KnowledgeDoc("faq.pdf", "https://x.example/faq.pdf")),
    ("faq.pdf = https://x.example/f?a=b;size=2KB",
     KnowledgeDoc("faq.pdf", "https://x.example/f?a=b", 2048)),
    ("https://x.example/a/notes.md", KnowledgeDoc("notes.md", "https://x.example/a/notes.md")),
    # a name taken from a URL reads as the file's name, not its URL encoding
    ("https://x.example/FAQ%20v2%C3%A9.pdf",
     KnowledgeDoc("FAQ v2\u00e9.pdf", "https://x.example/FAQ%20v2%C3%A9.pdf")),
    # ... unless decoding would hide something or cut the name: then as written
    ("https://x.example/a%1Bb.pdf", KnowledgeDoc("a%1Bb.pdf", "https://x.example/a%1Bb.pdf")),
    ("https://x.example/a%2Fb.pdf", KnowledgeDoc("a%2Fb.pdf", "https://x.example/a%2Fb.pdf")),
    ("https://x.example/a%FFb.pdf", KnowledgeDoc("a%FFb.pdf", "https://x.example/a%FFb.pdf")),
])
def test_doc_values(text: str, doc: KnowledgeDoc) -> None:
    assert kc.parse_doc(text) == doc


def test_a_draft_problems_by_field_and_what_an_edit_changes() -> None:
    draft = kc.Draft(name="", prompt="p" * 10_001,
                     docs=[KnowledgeDoc("a.pdf", "https://x.example/a.pdf", 10),
                           KnowledgeDoc("b.zip", "nope")],
                     urls=["https://ok.example", "mailto:x"])
    assert set(kc.problems(draft, creating=True)) == {
        "name", "prompt", "docs[1].name", "docs[1].url", "urls[1]"}
    kb = KnowledgeBase(id="k", name="A", prologue="hi", prompt="p", urls=("https://u.example",))
    change = kc.changes(kb, kc.Draft(name="A", prologue="", prompt="p", docs=[], urls=[]))
    assert change.kwargs() == {"name": None, "prologue": "", "prompt": None, "docs": None,
                               "urls": []}
    assert set(kc.cannot_clear(kb, change)) == {"urls"}


def test_prompt_files(tmp_path) -> None:
    good = tmp_path / "p.txt"
    good.write_bytes("\ufeffHé\r\n".encode())
    assert kc.read_text_file(good, "prompt") == "Hé"
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"x" * (kc.file_cap(kc.MAX_PROLOGUE) + 1))
    with pytest.raises(ParamError, match="a prologue may have at most 2,000 characters"):
        kc.read_text_file(huge, "prologue")
    with pytest.raises(ParamError, match="is a directory"):
        kc.read_text_file(tmp_path, "prompt")


def test_table_cells() -> None:
    kb = KnowledgeBase(id="0123456789abcdef01234567", name="Desk", source=1,
                       docs=(KnowledgeDoc("a.pdf", "u", 1_482_113), KnowledgeDoc("b.md", "v")),
                       urls=("https://x.example",))
    assert cells(KNOWLEDGE_FIELDS, kb, None) == ["Desk", "AKool", "2 · 1.4 MB", "1", "—",
                                                 "01234567"]


def test_a_size_just_over_the_limit_is_not_said_as_the_limit():
    """"100.1MB" was refused with "100 MB is over the 100 MB a document may have"
    (tester 8, F6): the figure the limit rounds to is given in bytes."""
    from akool_tui.core.knowledge import check_size

    said = check_size("100.1MB")
    assert said == ("104,962,458 B is over the 100 MB (104,857,600 B) a document may have")
    assert check_size("150 MB").startswith("150 MB is over the 100 MB")
    assert check_size("100 MB") is None
