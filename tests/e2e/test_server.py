"""`dermls serve` driven over stdio by pytest-lsp, with VS Code's and
Neovim's recorded client capabilities: typing a note character by character,
diagnostics, hover, completion, code actions, and "Insert billing codes"
applied twice. Notes are synthetic."""

from __future__ import annotations

from lsprotocol import types as t
from pytest_lsp import LanguageClient

from helpers import (
    change,
    edits_of,
    find,
    open_document,
    position,
    summary,
    type_out,
    wait_for_version,
)

# Two encounters: one fully documented (E/M with a separate problem, a
# biopsy, cryotherapy), one with a punch biopsy missing its site, lesion and
# indication.
# Non-ASCII on purpose: positions differ between UTF-8 and UTF-16.
NOTE = """# Encounter 2026-03-14
Patient: MRN 0045812
Payer: Medicare
Visit: established, full skin exam
E/M: 99214

## Assessment and plan
1. Plaque psoriasis of elbows (L40.0), worsening: start clobetasol 0.05% ointment bid.
2. Lesion of left forearm, r/o SCC: shave biopsy, see procedure 1.
3. Actinic keratoses x8, scalp: cryotherapy, see procedure 2.

## Procedure 1: shave biopsy
Site: left forearm, 5 cm distal to antecubital fossa
Lesion: 0.6 × 0.5 cm pink scaly papule — café-au-lait border 😀
Indication: r/o SCC
Tangential biopsy with a DermaBlade.
Pathology: sent
Dx: D49.2

## Procedure 2: cryotherapy
Site: scalp, vertex and frontal
8 AKs, each 3-6 mm, treated with LN2, two freeze-thaw cycles.
Indication: actinic keratoses, premalignant
Dx: L57.0

# Encounter 2026-03-21 — follow-up 😀
Payer: Medicare

## Procedure: punch biopsy
Site: back
Pathology: sent
Dx: D49.2
"""


async def test_typing_a_note_ends_with_the_diagnostics_of_the_whole_note(
    client: LanguageClient,
):
    # Neovim offers UTF-8 and gets it; VS Code's recorded capabilities offer
    # no encoding, so UTF-16.
    assert client.encoding == ("utf-8" if client.editor == "neovim" else "utf-16")
    typed_uri = "file:///notes/typed.derm"
    version = await type_out(client, typed_uri, NOTE)
    typed = await wait_for_version(client, typed_uri, version)

    whole_uri = "file:///notes/whole.derm"
    open_document(client, whole_uri, NOTE)
    whole = await wait_for_version(client, whole_uri, 1)

    assert summary(typed) == summary(whole)
    codes = sorted(d.code for d in whole)
    assert codes == [
        "doc/biopsy-description",
        "doc/biopsy-indication",
        "doc/biopsy-site",
    ]
    assert all(d.source == "dermls" for d in whole)
    # The finding on `Site: back` ends at the line's end in the negotiated
    # encoding.
    site = next(d for d in whole if d.code == "doc/biopsy-site")
    assert site.range.end == find(NOTE, "Site: back", client.encoding, into=len("Site: back"))


async def test_hover_completion_and_insert_billing_twice(client: LanguageClient):
    uri = "file:///notes/visit.derm"
    open_document(client, uri, NOTE)
    await wait_for_version(client, uri, 1)

    # Hover on the E/M code: RVUs, the payment estimate and why.
    hover = await client.text_document_hover_async(
        t.HoverParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            position=find(NOTE, "99214", client.encoding, into=2),
        )
    )
    assert hover is not None
    assert "Work RVU" in hover.contents.value
    assert "Estimated Medicare payment" in hover.contents.value
    assert "modifier 25" in hover.contents.value

    # Hover on a procedure heading: the codes derived for it.
    hover = await client.text_document_hover_async(
        t.HoverParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            position=find(NOTE, "## Procedure 1", client.encoding, into=4),
        )
    )
    assert "11102" in hover.contents.value

    # Completion of a site.
    completion = await client.text_document_completion_async(
        t.CompletionParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            position=find(NOTE, "Site: left forearm", client.encoding, into=len("Site: left fore")),
        )
    )
    labels = [i.label for i in completion.items]
    assert "forearm" in labels

    # Insert billing codes for the first encounter.
    cursor = find(NOTE, "Visit", client.encoding)
    params = t.CodeActionParams(
        text_document=t.TextDocumentIdentifier(uri=uri),
        range=t.Range(start=cursor, end=cursor),
        context=t.CodeActionContext(diagnostics=[], only=[t.CodeActionKind.Source]),
    )
    actions = await client.text_document_code_action_async(params)
    titles = [a.title for a in actions]
    assert titles == ["Insert billing codes", "Insert billing codes in every encounter"]
    insert = actions[0]
    assert insert.kind == "source.insertBilling"
    change(client, uri, 2, edits_of(insert.edit))
    after = client.texts[uri]
    section = (
        "\n\n## Billing\n- 99214-25  Dx: L40.0\n- 11102-59  Dx: D49.2\n"
        "- 17000  Dx: L57.0\n- 17003 x7  Dx: L57.0"
    )
    first_end = NOTE.index("Dx: L57.0\n") + len("Dx: L57.0")
    # The section goes after the encounter's last line; nothing else moves.
    assert after == NOTE[:first_end] + section + NOTE[first_end:]
    diagnostics = await wait_for_version(client, uri, 2)
    assert len(diagnostics) == 3

    # A second time: nothing left to insert in this encounter.
    actions = await client.text_document_code_action_async(params)
    assert [a.title for a in actions or []] == ["Insert billing codes in every encounter"]
    edits = edits_of(actions[0].edit)
    assert len(edits) == 1, "only the second encounter still needs a section"

    # Hover on a code in the new Billing section shows its RVUs.
    hover = await client.text_document_hover_async(
        t.HoverParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            position=find(after, "- 11102-59", client.encoding, into=3),
        )
    )
    assert "Total RVU" in hover.contents.value

    # Completion in the Billing section: the documented lines first.
    line = after[: after.index("- 17003 x7")]
    cursor = position(after, len(line), client.encoding)
    change(client, uri, 3, [t.TextEdit(range=t.Range(start=cursor, end=cursor), new_text="- \n")])
    await wait_for_version(client, uri, 3)
    completion = await client.text_document_completion_async(
        t.CompletionParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            position=t.Position(line=cursor.line, character=2),
        )
    )
    first = sorted(completion.items, key=lambda i: i.sort_text)[:4]
    assert [i.label for i in first] == ["99214-25", "11102-59", "17000", "17003 x7"]


async def test_code_lens_command_inserts_billing_once(client: LanguageClient):
    uri = "file:///notes/lens.derm"
    open_document(client, uri, NOTE)
    await wait_for_version(client, uri, 1)
    lenses = await client.text_document_code_lens_async(
        t.CodeLensParams(text_document=t.TextDocumentIdentifier(uri=uri))
    )
    assert len(lenses) == 2
    assert "RVU" in lenses[0].command.title
    command = lenses[0].command
    result = await client.workspace_execute_command_async(
        t.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    assert result == {"applied": True}
    text = client.texts[uri]
    assert text.count("## Billing") == 1
    # The editor reports the edit back as a change.
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    await wait_for_version(client, uri, 2)
    # The second time there is nothing to change.
    result = await client.workspace_execute_command_async(
        t.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    assert result == {"applied": False}
    assert client.texts[uri] == text
    assert len(client.applied_edits) == 1


async def test_every_advertised_feature_answers(client: LanguageClient):
    uri = "file:///notes/features.derm"
    open_document(client, uri, NOTE)
    await wait_for_version(client, uri, 1)
    doc = t.TextDocumentIdentifier(uri=uri)
    whole = t.Range(start=t.Position(line=0, character=0), end=t.Position(line=99, character=0))
    tokens = await client.text_document_semantic_tokens_full_async(
        t.SemanticTokensParams(text_document=doc)
    )
    assert len(tokens.data) % 5 == 0 and len(tokens.data) > 50
    symbols = await client.text_document_document_symbol_async(
        t.DocumentSymbolParams(text_document=doc)
    )
    names = [s.name for s in symbols]
    assert names[0] == "Encounter 2026-03-14" or "Encounter 2026-03-14" in str(names)
    hints = await client.text_document_inlay_hint_async(
        t.InlayHintParams(text_document=doc, range=whole)
    )
    assert len(hints) == 3
    folds = await client.text_document_folding_range_async(
        t.FoldingRangeParams(text_document=doc)
    )
    assert len(folds) >= 5
