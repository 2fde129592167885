"""Positions in the negotiated encoding, edits, and typing a note out."""

from __future__ import annotations

import asyncio
import re

from lsprotocol import types as t

LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _units(s: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(s.encode("utf-8"))
    if encoding == "utf-32":
        return len(s)
    return len(s.encode("utf-16-le")) // 2


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end of content) of each line, in characters."""
    out, start = [], 0
    for m in LINE_BREAK.finditer(text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def position(text: str, index: int, encoding: str) -> t.Position:
    """The position of character index `index`."""
    for line, (start, end) in enumerate(_lines(text)):
        if index <= end:
            return t.Position(line=line, character=_units(text[start:index], encoding))
    raise ValueError("index past the end")


def offset(text: str, pos: t.Position, encoding: str) -> int:
    """The character index of a position (clamped to its line)."""
    lines = _lines(text)
    if pos.line >= len(lines):
        return len(text)
    start, end = lines[pos.line]
    i = start
    while i < end and _units(text[start : i + 1], encoding) <= pos.character:
        i += 1
    return i


def find(text: str, needle: str, encoding: str, into: int = 0, nth: int = 0) -> t.Position:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return position(text, i + into, encoding)


def apply_edits(text: str, edits, encoding: str) -> str:
    spans = [
        (offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e.new_text)
        for e in edits
    ]
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def edits_of(edit: t.WorkspaceEdit) -> list[t.TextEdit]:
    out = []
    for edits in (edit.changes or {}).values():
        out.extend(edits)
    for dc in edit.document_changes or []:
        out.extend(dc.edits)
    return out


async def wait_for_version(client, uri: str, version: int, timeout: float = 60.0):
    """Waits until the diagnostics of `version` arrived; returns them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while client.diagnostic_versions.get(uri) != version:
        if loop.time() > deadline:
            raise TimeoutError(f"no diagnostics for {uri} v{version}")
        await asyncio.sleep(0.02)
    return client.diagnostics[uri]


def open_document(client, uri: str, text: str, version: int = 1):
    client.texts[uri] = text
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(
            text_document=t.TextDocumentItem(
                uri=uri, language_id="dermnote", version=version, text=text
            )
        )
    )


def change(client, uri: str, version: int, edits: list[t.TextEdit]):
    """Sends edits as incremental changes (last first, so ranges hold) and
    applies them to the client's copy."""
    text = client.texts[uri]
    spans = sorted(
        edits,
        key=lambda e: (e.range.start.line, e.range.start.character),
        reverse=True,
    )
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                t.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
                for e in spans
            ],
        )
    )
    client.texts[uri] = apply_edits(text, edits, client.encoding)


async def type_out(client, uri: str, text: str) -> int:
    """Opens an empty document and types `text` into it one character at a
    time; returns the final version."""
    open_document(client, uri, "")
    version = 1
    for ch in text:
        current = client.texts[uri]
        end = position(current, len(current), client.encoding)
        version += 1
        change(client, uri, version, [t.TextEdit(range=t.Range(start=end, end=end), new_text=ch)])
    return version


def summary(diagnostics) -> list[tuple]:
    return [
        (
            d.code,
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.message,
        )
        for d in diagnostics
    ]
