// The dermls extension: starts `dermls serve` for `dermnote` documents and
// adds three commands (restart the server, insert the billing codes of the
// encounter at the cursor, show the claim of the current note).

import { execFile } from "node:child_process";
import * as vscode from "vscode";
import {
  CodeActionKind,
  CodeActionRequest,
  CodeActionResolveRequest,
  ExecuteCommandRequest,
  LanguageClient,
  type CodeAction as LspCodeAction,
  Command as LspCommand,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { resolveServer } from "./serverBinary";
import { claimArgs, initializationOptions, serverSettings, type ServerSettings } from "./settings";

const LANGUAGE = "dermnote";
const SECTION = "dermls";
/** The title of the server's source action that writes the Billing section. */
const INSERT_BILLING_TITLE = "Insert billing codes";
const INSERT_BILLING_KIND = "source.insertBilling";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let claimOutput: vscode.OutputChannel | undefined;

function workspaceFolderPath(): string | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  const folder =
    (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === "file" ? folder.uri.fsPath : undefined;
}

function currentSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return serverSettings((key) => config.get(key), workspaceFolderPath());
}

function serverPathSetting(): string {
  return vscode.workspace.getConfiguration(SECTION).get<string>("serverPath") ?? "dermls";
}

async function showServerProblem(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, "Open Settings", "Copy Install Command");
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "dermls.serverPath");
  } else if (choice === "Copy Install Command") {
    await vscode.env.clipboard.writeText("cargo install --locked --path .");
  }
}

/** Starts a client for the configured binary; resolves to `undefined` with one message when it cannot. */
async function startClient(): Promise<LanguageClient | undefined> {
  const resolution = resolveServer(serverPathSetting());
  if (resolution.kind !== "found") {
    output.error(resolution.message);
    void showServerProblem(resolution.message);
    return undefined;
  }
  output.info(`starting ${resolution.path} serve`);
  const serverOptions: ServerOptions = {
    command: resolution.path,
    args: ["serve"],
    options: { cwd: workspaceFolderPath() },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: LANGUAGE },
      { scheme: "untitled", language: LANGUAGE },
    ],
    initializationOptions: () => initializationOptions(currentSettings()),
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        // Answer `workspace/configuration` with the resolved settings (file
        // paths made absolute), not the raw values.
        configuration: async (params, token, next) => {
          const raw = await next(params, token);
          if (!Array.isArray(raw)) return raw;
          return params.items.map((item, i) =>
            item.section === SECTION ? currentSettings() : raw[i],
          );
        },
      },
    },
    outputChannel: output,
  };
  const c = new LanguageClient(SECTION, "dermls", serverOptions, clientOptions);
  try {
    await c.start();
  } catch (e) {
    const message = `dermls: the language server did not start (${e instanceof Error ? e.message : String(e)}). See the "dermls" output for its log.`;
    output.error(message);
    void vscode.window.showErrorMessage(message);
    await c.dispose().catch(() => undefined);
    return undefined;
  }
  return c;
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c !== undefined) {
    await c.dispose(2000).catch((e: unknown) => output.warn(`stopping the server: ${String(e)}`));
  }
}

async function restartServer(): Promise<void> {
  await stopClient();
  client = await startClient();
  if (client !== undefined) void vscode.window.setStatusBarMessage("dermls: server restarted", 3000);
}

function activeNote(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.document.languageId !== LANGUAGE) {
    void vscode.window.showInformationMessage("dermls: open a dermnote (*.derm) note first.");
    return undefined;
  }
  return editor;
}

/**
 * The action that writes the Billing section of the encounter at the cursor:
 * the one titled "Insert billing codes" (the server may also offer "Insert
 * billing codes in every encounter", of the same kind), else the first of
 * its kind.
 */
function insertBillingAction(actions: (LspCommand | LspCodeAction)[]): LspCommand | LspCodeAction | undefined {
  return (
    actions.find((a) => a.title === INSERT_BILLING_TITLE) ??
    actions.find((a) => !LspCommand.is(a) && a.kind === INSERT_BILLING_KIND)
  );
}

/**
 * Asks the server for source actions at the cursor and applies the one that
 * writes the encounter's Billing section.
 */
async function insertBillingCodes(): Promise<void> {
  const editor = activeNote();
  if (editor === undefined) return;
  const c = client;
  if (c === undefined || !c.isRunning()) {
    void vscode.window.showErrorMessage("dermls: the language server is not running (run \"dermls: Restart Language Server\").");
    return;
  }
  const doc = editor.document;
  const range = editor.selection;
  const diagnostics = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.range.intersection(range) !== undefined);
  const actions = await c.sendRequest(CodeActionRequest.type, {
    textDocument: c.code2ProtocolConverter.asTextDocumentIdentifier(doc),
    range: c.code2ProtocolConverter.asRange(range),
    context: {
      diagnostics: c.code2ProtocolConverter.asDiagnosticsSync(diagnostics),
      only: [CodeActionKind.Source],
    },
  });
  const found = insertBillingAction(actions ?? []);
  if (found === undefined) {
    void vscode.window.showInformationMessage(
      "dermls: no billing codes to insert for the encounter at the cursor (no procedure or E/M documented, or the Billing section is already up to date).",
    );
    return;
  }
  let command: LspCommand | undefined;
  if (LspCommand.is(found)) {
    command = found;
  } else {
    let action: LspCodeAction = found;
    if (action.edit === undefined && action.command === undefined) {
      action = await c.sendRequest(CodeActionResolveRequest.type, action);
    }
    if (action.edit !== undefined) {
      const edit = await c.protocol2CodeConverter.asWorkspaceEdit(action.edit);
      if (!(await vscode.workspace.applyEdit(edit))) {
        void vscode.window.showErrorMessage("dermls: the Billing section could not be written (the note changed meanwhile?).");
        return;
      }
    }
    command = action.command;
  }
  if (command !== undefined) {
    await c.sendRequest(ExecuteCommandRequest.type, { command: command.command, arguments: command.arguments });
  }
}

/** Runs `dermls claim --format text` on the saved note and shows the result. */
async function showClaim(): Promise<void> {
  const editor = activeNote();
  if (editor === undefined) return;
  const doc = editor.document;
  if (doc.isUntitled || doc.uri.scheme !== "file") {
    void vscode.window.showInformationMessage("dermls: save the note to a file first; the claim is read from the saved file.");
    return;
  }
  if (doc.isDirty && !(await doc.save())) {
    void vscode.window.showErrorMessage("dermls: the note could not be saved, so there is no claim to show.");
    return;
  }
  const resolution = resolveServer(serverPathSetting());
  if (resolution.kind === "missing") {
    void showServerProblem(resolution.message);
    return;
  }
  const binary = resolution.path;
  const args = claimArgs(currentSettings(), doc.uri.fsPath);
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
    execFile(binary, args, { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ stdout, stderr, code });
    });
  });
  claimOutput ??= vscode.window.createOutputChannel("dermls claim");
  claimOutput.clear();
  claimOutput.append(stdout);
  if (stderr.trim() !== "") claimOutput.append(stderr);
  claimOutput.show(true);
  if (code !== 0) {
    void vscode.window.showErrorMessage(`dermls claim failed (exit ${code}): ${stderr.trim().split("\n")[0] ?? ""}`);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("dermls", { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("dermls.restartServer", restartServer),
    vscode.commands.registerCommand("dermls.insertBillingCodes", insertBillingCodes),
    vscode.commands.registerCommand("dermls.showClaim", showClaim),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      // Settings the server reads travel by didChangeConfiguration; a new
      // binary needs a new process.
      if (e.affectsConfiguration("dermls.serverPath")) await restartServer();
    }),
    { dispose: () => void claimOutput?.dispose() },
  );
  client = await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
