"""A pytest-lsp client for `dermls serve`, once with VS Code's and once with
Neovim's recorded client capabilities.

The server is the release binary (`DERMLS_BIN`, default
`target/release/dermls` of this repository). The client keeps the text of
each document it opened, records the version of each diagnostics message,
answers `workspace/applyEdit` by applying the edit to its copy, as an editor
would, and records `client/registerCapability`.
"""

from __future__ import annotations

import os
import pathlib

import pytest_lsp
from lsprotocol import types as t
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from helpers import apply_edits

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("DERMLS_BIN", str(ROOT / "target" / "release" / "dermls"))


def record_diagnostics(client: LanguageClient, params: t.PublishDiagnosticsParams):
    client.diagnostics[params.uri] = params.diagnostics
    client.diagnostic_versions[params.uri] = params.version


def apply_edit(client: LanguageClient, params: t.ApplyWorkspaceEditParams):
    edit = params.edit
    changes = dict(edit.changes or {})
    for dc in edit.document_changes or []:
        changes.setdefault(dc.text_document.uri, []).extend(dc.edits)
    for uri, edits in changes.items():
        client.texts[uri] = apply_edits(client.texts[uri], edits, client.encoding)
    client.applied_edits.append(params)
    return t.ApplyWorkspaceEditResult(applied=True)


def register_capability(client: LanguageClient, params: t.RegistrationParams):
    client.registrations.extend(params.registrations)


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record_diagnostics
    features[t.WORKSPACE_APPLY_EDIT] = apply_edit
    features[t.CLIENT_REGISTER_CAPABILITY] = register_capability
    register_lsp_features(client, features)
    client.diagnostic_versions = {}
    client.texts = {}
    client.applied_edits = []
    client.registrations = []
    client.encoding = "utf-16"
    return client


@pytest_lsp.fixture(
    params=["visual-studio-code", "neovim"],
    config=ClientServerConfig(
        server_command=[BINARY, "serve"],
        client_factory=make_client,
        server_env={"DERMLS_LOG": "warn"},
    ),
)
async def client(lsp_client: LanguageClient, request):
    result = await lsp_client.initialize_session(
        t.InitializeParams(capabilities=client_capabilities(request.param))
    )
    lsp_client.encoding = result.capabilities.position_encoding or "utf-16"
    lsp_client.editor = request.param
    yield
    await lsp_client.shutdown_session()
