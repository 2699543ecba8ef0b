"""End-to-end tests of `plumb lsp` driven by pytest-lsp.

Every test runs once with the recorded capabilities of VS Code and once with
those of Neovim. The server binary is `$PLUMB_BIN`, or `target/debug/plumb` of
this repository.
"""

import asyncio
import os
import pathlib

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKSPACE = pathlib.Path(__file__).resolve().parent / "workspace"
PLUMB = os.environ.get("PLUMB_BIN", str(ROOT / "target" / "debug" / "plumb"))

CLIENTS = ["visual-studio-code", "neovim"]


@pytest_lsp.fixture(
    params=CLIENTS,
    config=ClientServerConfig(server_command=[PLUMB, "lsp"]),
)
async def client(request, lsp_client: LanguageClient):
    params = types.InitializeParams(
        capabilities=client_capabilities(request.param),
        root_uri=WORKSPACE.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=WORKSPACE.as_uri(), name="workspace")],
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def uri_of(rel: str) -> str:
    return (WORKSPACE / rel).as_uri()


def text_of(rel: str) -> str:
    return (WORKSPACE / rel).read_text(encoding="utf-8")


def open_doc(client: LanguageClient, rel: str, text: str | None = None, version: int = 1) -> str:
    uri = uri_of(rel)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="plumb",
                version=version,
                text=text if text is not None else text_of(rel),
            )
        )
    )
    return uri


async def wait_for(predicate, timeout: float = 10.0, step: float = 0.02):
    """Polls `predicate` (sync or async) until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the server")
        await asyncio.sleep(step)


async def diagnostics(client: LanguageClient, uri: str, predicate=lambda ds: True, timeout: float = 10.0):
    """Waits until diagnostics for `uri` satisfy `predicate` and returns them."""

    def ready():
        ds = client.diagnostics.get(uri)
        if ds is None:
            return None
        ds = list(ds)
        return predicate(ds) and (ds if ds else [True])

    got = await wait_for(ready, timeout)
    return [] if got == [True] else got


def codes(ds) -> list[str]:
    return sorted(str(d.code) for d in ds)


def pos(text: str, needle: str, offset: int = 0, nth: int = 0) -> types.Position:
    """The LSP position (UTF-16) of the `nth` occurrence of `needle`, plus `offset` characters."""
    idx = -1
    for _ in range(nth + 1):
        idx = text.index(needle, idx + 1)
    idx += offset
    line = text.count("\n", 0, idx)
    line_start = text.rfind("\n", 0, idx) + 1
    col = len(text[line_start:idx].encode("utf-16-le")) // 2
    return types.Position(line=line, character=col)
