"""`plumb lsp` end to end: what an editor sees."""

import asyncio
import pathlib

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import codes, diagnostics, open_doc, pos, text_of, uri_of, wait_for

MAIN = "plan/main.plumb"
SALES = "plan/teams/sales.plumb"
UNI = "unicode/main.plumb"


def td(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def hover_text(client: LanguageClient, uri: str, position: types.Position) -> str:
    h = await client.text_document_hover_async(
        types.HoverParams(text_document=td(uri), position=position)
    )
    return "" if h is None else h.contents.value


# ------------------------------------------------------------------ diagnostics


async def test_evaluated_warnings_are_published(client: LanguageClient):
    uri = open_doc(client, MAIN)
    ds = await diagnostics(client, uri, lambda ds: "target-missed" in codes(ds))
    assert codes(ds) == ["target-missed"]
    d = ds[0]
    assert d.severity == types.DiagnosticSeverity.Warning
    assert d.source == "plumb"
    assert "help:" in d.message
    text = text_of(MAIN)
    assert d.range.start == pos(text, "sum(revenue) >= 6M")


async def test_errors_in_an_imported_file_while_typing(client: LanguageClient):
    """Only the team file is open: the server finds the plan that imports it."""
    text = text_of(SALES).replace("grow(100, 2%) { owner sales }", "grow(100, 2%) { owner slaes }")
    uri = open_doc(client, SALES, text)
    ds = await diagnostics(client, uri, lambda ds: "undefined-name" in codes(ds))
    assert codes(ds) == ["undefined-name"]
    assert "did you mean `sales`?" in ds[0].message
    assert ds[0].range.start == pos(text, "slaes")
    # Fix it by typing: the diagnostics clear.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=pos(text, "slaes", 1), end=pos(text, "slaes", 3)),
                    text="al",
                )
            ],
        )
    )
    await diagnostics(client, uri, lambda ds: ds == [])


async def test_duplicate_name_points_at_the_first_definition(client: LanguageClient):
    open_doc(client, MAIN)
    text = text_of(SALES) + "metric revenue = price\n"
    uri = open_doc(client, SALES, text)
    ds = await diagnostics(client, uri, lambda ds: "duplicate-name" in codes(ds))
    dup = next(d for d in ds if d.code == "duplicate-name")
    assert dup.related_information, "the first definition is related information"
    rel = dup.related_information[0]
    assert rel.location.uri == uri_of(MAIN)
    assert rel.location.range.start == pos(text_of(MAIN), "revenue =")
    assert "first declared here" in rel.message


async def test_utf16_positions_with_non_ascii_text(client: LanguageClient):
    text = text_of(UNI)
    uri = open_doc(client, UNI)
    ds = await diagnostics(client, uri, lambda ds: "undefined-name" in codes(ds))
    d = next(d for d in ds if d.code == "undefined-name")
    assert d.range.start == pos(text, "totl")
    assert d.range.end == pos(text, "totl", 4)
    # An edit after emoji on the same line lands where the client means it.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=pos(text, "totl", 3), end=pos(text, "totl", 3)),
                    text="a",
                )
            ],
        )
    )
    await diagnostics(client, uri, lambda ds: "undefined-name" not in codes(ds))
    new_text = text.replace("totl", "total")
    h = await hover_text(client, uri, pos(new_text, "total)", 2))
    assert "metric total" in h


# ------------------------------------------------------------------ hover


async def test_hover_shows_doc_unit_formula_and_values(client: LanguageClient):
    text = text_of(MAIN)
    uri = open_doc(client, MAIN)
    at = pos(text, "new_deals * price", 2)

    async def with_values():
        h = await hover_text(client, uri, at)
        return h if "Base scenario" in h else None

    h = await wait_for(with_values)
    assert "metric new_deals: deal = leads * win_rate" in h
    assert "Deals closed each month." in h
    assert "2026-01" in h and "2026-06" in h and "total" in h
    # An inferred unit says so.
    h = await hover_text(client, uri, pos(text, "revenue", 0, nth=1))
    assert "unit `USD` (inferred)" in h
    # A target: projected, gap, missed.
    h = await hover_text(client, uri, pos(text, "grow_revenue", 1))
    assert "projected $5,046,497" in h and "short by $953,503" in h and "missed" in h
    # A built-in function.
    h = await hover_text(client, uri, pos(text, "cumsum", 1))
    assert "running total" in h


# ------------------------------------------------------------------ navigation


async def test_definition_across_files_and_into_the_standard_library(client: LanguageClient):
    text = text_of(MAIN)
    uri = open_doc(client, MAIN)
    await diagnostics(client, uri)
    loc = await client.text_document_definition_async(
        types.DefinitionParams(text_document=td(uri), position=pos(text, "win_rate", 2))
    )
    assert loc.uri == uri_of(SALES)
    assert loc.range.start == pos(text_of(SALES), "win_rate")
    loc = await client.text_document_definition_async(
        types.DefinitionParams(text_document=td(uri), position=pos(text, "std.saas", 5))
    )
    assert loc.uri.startswith("file://") and loc.uri.endswith("saas.plumb")
    path = pathlib.Path(loc.uri.removeprefix("file://"))
    assert path.read_text(encoding="utf-8").startswith("## SaaS")
    loc = await client.text_document_definition_async(
        types.DefinitionParams(text_document=td(uri), position=pos(text, "teams/sales", 2))
    )
    assert loc.uri == uri_of(SALES)
    # A standard-library function: its declaration in the read-only module file.
    loc = await client.text_document_definition_async(
        types.DefinitionParams(text_document=td(uri), position=pos(text, "arr(revenue)", 1))
    )
    assert loc.uri.endswith("saas.plumb")
    std_text = pathlib.Path(loc.uri.removeprefix("file://")).read_text(encoding="utf-8")
    assert loc.range.start == pos(std_text, "arr(mrr)")
    h = await hover_text(client, uri, pos(text, "arr(revenue)", 1))
    assert "fn arr(mrr) = mrr * 12" in h


async def test_references_and_rename_across_files(client: LanguageClient):
    text = text_of(MAIN)
    uri = open_doc(client, MAIN)
    await diagnostics(client, uri)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=td(uri),
            position=pos(text, "price"),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert sorted(r.uri for r in refs) == sorted([uri_of(MAIN), uri_of(SALES)])
    prep = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=td(uri), position=pos(text, "price", 1))
    )
    assert prep.placeholder == "price"
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=td(uri), position=pos(text, "price", 1), new_name="deal_price")
    )
    assert set(edit.changes) == {uri_of(MAIN), uri_of(SALES)}
    assert all(e.new_text == "deal_price" for es in edit.changes.values() for e in es)
    with pytest.raises(Exception, match="keyword"):
        await client.text_document_rename_async(
            types.RenameParams(text_document=td(uri), position=pos(text, "price", 1), new_name="owner")
        )
    with pytest.raises(Exception, match="already declared"):
        await client.text_document_rename_async(
            types.RenameParams(text_document=td(uri), position=pos(text, "price", 1), new_name="leads")
        )


async def test_document_and_workspace_symbols(client: LanguageClient):
    uri = open_doc(client, MAIN)
    await diagnostics(client, uri)
    syms = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=td(uri))
    )
    groups = {s.name: [c.name for c in s.children] for s in syms}
    assert groups["Metrics"] == ["new_deals", "revenue", "cumulative", "run_rate"]
    assert groups["Scenarios"] == ["base", "upside"]
    assert groups["Objectives"] == ["grow_revenue", "full_pipeline"]
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="winrt"))
    assert [s.name for s in found] == ["win_rate"]
    assert found[0].location.uri == uri_of(SALES)


# ------------------------------------------------------------------ editing help


def labels(result) -> list[str]:
    items = result.items if hasattr(result, "items") else result
    return [i.label for i in items]


async def complete(client, uri, position):
    return await client.text_document_completion_async(
        types.CompletionParams(text_document=td(uri), position=position)
    )


async def test_completion_in_context(client: LanguageClient):
    text = text_of(MAIN) + "metric margin: U = revenue - \ndriver x = 1 { owner  }\n\n"
    uri = open_doc(client, MAIN, text)
    await diagnostics(client, uri)
    # In a formula: drivers, metrics, functions with signatures.
    got = await complete(client, uri, pos(text, "revenue - ", 10))
    ls = labels(got)
    assert {"leads", "win_rate", "revenue", "grow", "sum"} <= set(ls)
    grow = next(i for i in got.items if i.label == "grow")
    assert grow.detail == "grow(start, rate)"
    # After `owner`: parties only.
    got = await complete(client, uri, pos(text, "owner  }", 6))
    assert set(labels(got)) == {"finance", "cfo", "sales"}
    # After `:`: units.
    got = await complete(client, uri, pos(text, ": U =", 3))
    assert {"USD", "deal", "lead", "month", "%"} <= set(labels(got))
    # At the start of a line: declaration keywords.
    got = await complete(client, uri, types.Position(line=text.count("\n"), character=0))
    assert {"driver", "metric", "objective", "scenario"} <= set(labels(got))


async def test_signature_help(client: LanguageClient):
    text = text_of(MAIN).replace("grow(100, 5%)", "grow(100, ")
    uri = open_doc(client, MAIN, text)
    await diagnostics(client, uri)
    sh = await client.text_document_signature_help_async(
        types.SignatureHelpParams(text_document=td(uri), position=pos(text, "grow(100, ", 10))
    )
    assert sh.signatures[0].label == "grow(start, rate)"
    assert sh.active_parameter == 1


async def test_semantic_tokens(client: LanguageClient):
    uri = open_doc(client, MAIN)
    await diagnostics(client, uri)
    toks = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=td(uri))
    )
    data = list(toks.data)
    assert len(data) % 5 == 0 and len(data) > 50
    # The first token is the doc comment on line 0; the second is `plan` on line 1.
    assert data[0:2] == [0, 0]
    assert data[5:7] == [1, 0] and data[7] == len("plan")


async def test_formatting_is_plumb_fmt(client: LanguageClient):
    text = "plan p \"P\" {\ncurrency USD\n      periods 2026-01 .. 2026-03\n}   \n\n\n\ndriver x = 1\n"
    uri = open_doc(client, "plan/unsaved.plumb", text)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=td(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert len(edits) == 1
    lines = text.split("\n")
    e = edits[0]
    # Apply the single edit.
    def offset(p):
        return sum(len(l) + 1 for l in lines[: p.line]) + p.character

    out = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
    assert out == "plan p \"P\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n}\n\ndriver x = 1\n"
    # A file with a syntax error is left alone, as `plumb fmt` does.
    broken = "plan p \"P\" {\ncurrency USD\n}\ndriver x = (1 +\n"
    uri = open_doc(client, "plan/broken.plumb", broken)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=td(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert not edits


async def test_inlay_hints(client: LanguageClient):
    text = text_of(MAIN)
    uri = open_doc(client, MAIN)
    await diagnostics(client, uri, lambda ds: "target-missed" in codes(ds))
    end = types.Position(line=text.count("\n") + 1, character=0)
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(text_document=td(uri), range=types.Range(start=types.Position(line=0, character=0), end=end))
    )
    units = [h.position for h in hints if h.label == ": USD"]
    assert units == [
        pos(text, "revenue =", len("revenue")),
        pos(text, "cumulative =", len("cumulative")),
        pos(text, "run_rate =", len("run_rate")),
    ]
    assert "✗ $5,046,497 (-953,503)" in [h.label for h in hints]


async def test_quick_fixes(client: LanguageClient):
    text = text_of(MAIN) + "metric typo = wim_rate * 2\ndriver seats: seat = 3\nrisk churn \"Churn\" {\n  likelihood 10%\n}\n"
    uri = open_doc(client, MAIN, text)
    await diagnostics(client, uri, lambda ds: "unknown-unit" in codes(ds))
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=text.count("\n"), character=0))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=td(uri), range=whole, context=types.CodeActionContext(diagnostics=[])
        )
    )
    titles = [a.title for a in actions]
    assert "Replace `wim_rate` with `win_rate`" in titles
    assert "Declare `unit seat`" in titles
    assert "Add `owner cfo`" in titles
    owner = next(a for a in actions if a.title == "Add `owner cfo`")
    (edit,) = owner.edit.changes[uri]
    assert edit.new_text == "  owner cfo\n" and edit.range.start == pos(text, "}", nth=text.count("}") - 1)
    fix = next(a for a in actions if a.title.startswith("Replace"))
    (edit,) = fix.edit.changes[uri]
    assert edit.new_text == "win_rate" and edit.range.start == pos(text, "wim_rate")


async def test_folding_ranges(client: LanguageClient):
    text = text_of(MAIN)
    uri = open_doc(client, MAIN)
    await diagnostics(client, uri)
    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(text_document=td(uri)))
    starts = {(f.start_line, f.end_line) for f in folds}
    plan_line = pos(text, "plan demo").line
    assert (plan_line, plan_line + 4) in starts


# ------------------------------------------------------------------ resilience


async def test_a_syntax_error_leaves_the_rest_working(client: LanguageClient):
    text = text_of(MAIN).replace("metric cumulative = cumsum(revenue)", "metric cumulative = cumsum(revenue +")
    uri = open_doc(client, MAIN, text)
    ds = await diagnostics(client, uri, lambda ds: "syntax" in codes(ds))
    assert "syntax" in codes(ds)
    h = await hover_text(client, uri, pos(text, "new_deals * price", 2))
    assert "metric new_deals" in h
    # Inside the broken declaration too: hover and definition by name.
    h = await hover_text(client, uri, pos(text, "cumsum(revenue", 8))
    assert "metric revenue" in h
    loc = await client.text_document_definition_async(
        types.DefinitionParams(text_document=td(uri), position=pos(text, "cumsum(revenue", 8))
    )
    assert loc.range.start == pos(text, "revenue =")
    got = await complete(client, uri, pos(text, "cumsum(revenue +", len("cumsum(revenue +")))
    assert "leads" in labels(got)


async def test_unknown_documents_and_bad_positions_are_harmless(client: LanguageClient):
    uri = open_doc(client, MAIN)
    await diagnostics(client, uri)
    unknown = uri_of("plan/nowhere.plumb")
    assert await hover_text(client, unknown, types.Position(line=0, character=0)) == ""
    far = types.Position(line=10_000, character=10_000)
    assert await hover_text(client, uri, far) == ""
    assert await client.text_document_definition_async(
        types.DefinitionParams(text_document=td(uri), position=far)
    ) is None
    await complete(client, uri, far)
    # A stale change is ignored; closing the document forgets it.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=0),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="garbage {{{")],
        )
    )
    text = text_of(MAIN)
    h = await hover_text(client, uri, pos(text, "revenue", nth=1))
    assert "metric revenue" in h
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=td(uri)))
    # Notifications and requests may be handled concurrently: poll until the
    # server has processed the close (bounded, so a server that never forgets fails).
    syms = None
    for _ in range(50):
        syms = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=td(uri))
        )
        if not syms:
            break
        await asyncio.sleep(0.1)
    assert not syms
