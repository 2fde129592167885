//! A small LSP client for in-process tests: it runs `dermls::lsp::serve`
//! over a pair of in-memory pipes (`tokio::io::duplex`) and speaks framed
//! JSON-RPC to it. Server-to-client requests are answered as an editor
//! would: `workspace/configuration` with the settings given, `workspace/
//! applyEdit` by recording the edit and saying it was applied.

#![allow(dead_code)] // Each test binary uses a different part of the helper.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(20);

pub struct Client {
    to_server: DuplexStream,
    from_server: BufReader<DuplexStream>,
    next_id: i64,
    /// Notifications received and not yet taken, in order.
    pub notifications: VecDeque<Value>,
    /// `workspace/applyEdit` requests received.
    pub applied_edits: Vec<Value>,
    /// The answer to `workspace/configuration`.
    pub configuration: Value,
    pub server: JoinHandle<()>,
}

impl Client {
    /// Starts a server.
    pub fn start() -> Client {
        let (to_server, server_in) = tokio::io::duplex(1 << 16);
        let (server_out, from_server) = tokio::io::duplex(1 << 16);
        let server = tokio::spawn(dermls::lsp::serve(server_in, server_out));
        Client {
            to_server,
            from_server: BufReader::new(from_server),
            next_id: 1,
            notifications: VecDeque::new(),
            applied_edits: Vec::new(),
            configuration: Value::Null,
            server,
        }
    }

    /// Starts a server and initializes it with these capabilities and
    /// initialization options; returns the client and the result.
    pub async fn initialized(capabilities: Value, options: Value) -> (Client, Value) {
        let mut c = Client::start();
        let result = c
            .request(
                "initialize",
                json!({ "capabilities": capabilities, "initializationOptions": options }),
            )
            .await;
        c.notify("initialized", json!({})).await;
        (c, result)
    }

    /// A server initialized with VS Code-like capabilities (UTF-16 only,
    /// snippets, hierarchical symbols, document changes).
    pub async fn vscode_like() -> Client {
        Client::initialized(
            json!({
                "textDocument": {
                    "completion": {"completionItem": {"snippetSupport": true}},
                    "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
                },
                "workspace": {"workspaceEdit": {"documentChanges": true}},
            }),
            Value::Null,
        )
        .await
        .0
    }

    pub async fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("json");
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend(body);
        self.to_server.write_all(&framed).await.expect("write");
        self.to_server.flush().await.expect("flush");
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Sends a request and waits for its response: its `result`, or its
    /// `error` object.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let m = self.receive().await;
            if m.get("id") == Some(&json!(id)) && m.get("method").is_none() {
                return m
                    .get("result")
                    .or(m.get("error"))
                    .cloned()
                    .unwrap_or(Value::Null);
            }
        }
    }

    /// Reads one message from the server, answering its requests and keeping
    /// its notifications.
    async fn receive(&mut self) -> Value {
        let m = tokio::time::timeout(WAIT, read_message(&mut self.from_server))
            .await
            .expect("timed out waiting for the server")
            .expect("the server closed its output");
        match (m.get("method").and_then(Value::as_str), m.get("id")) {
            (Some(method), Some(id)) => {
                let result = match method {
                    "workspace/configuration" => json!([self.configuration.clone()]),
                    "workspace/applyEdit" => {
                        self.applied_edits.push(m["params"].clone());
                        json!({"applied": true})
                    }
                    _ => Value::Null,
                };
                let reply = json!({"jsonrpc": "2.0", "id": id.clone(), "result": result});
                self.send(&reply).await;
            }
            (Some(_), None) => self.notifications.push_back(m.clone()),
            _ => {}
        }
        m
    }

    /// Waits for a notification matching `pred` (taking it and every
    /// notification before it off the queue).
    pub async fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            while let Some(n) = self.notifications.pop_front() {
                if pred(&n) {
                    return n;
                }
            }
            self.receive().await;
        }
    }

    /// Waits for the diagnostics of `uri` at `version`; returns their list.
    pub async fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        let n = self
            .wait_for(|n| {
                n["method"] == "textDocument/publishDiagnostics"
                    && n["params"]["uri"] == uri
                    && n["params"]["version"] == version
            })
            .await;
        n["params"]["diagnostics"].clone()
    }

    pub async fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "dermnote", "version": version, "text": text}}),
        )
        .await;
    }

    /// Opens a document and waits for its first diagnostics.
    pub async fn open_and_wait(&mut self, uri: &str, text: &str) -> Value {
        self.open(uri, 1, text).await;
        self.diagnostics(uri, 1).await
    }

    pub async fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        )
        .await;
    }

    /// Shuts down and exits; returns once the server has stopped.
    pub async fn stop(mut self) {
        self.request("shutdown", Value::Null).await;
        self.notify("exit", Value::Null).await;
        tokio::time::timeout(Duration::from_secs(5), self.server)
            .await
            .expect("the server did not exit")
            .expect("server task");
    }
}

async fn read_message(r: &mut BufReader<DuplexStream>) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}

/// Byte offset → LSP position in UTF-16 units, for building test edits.
pub fn position_utf16(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = before[..line_start]
        .match_indices(['\n', '\r'])
        .filter(|(i, m)| !(*m == "\r" && text[i + 1..].starts_with('\n')))
        .count();
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

/// Applies LSP text edits (UTF-16 positions) to a text, as an editor would.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset_utf16(text, &e["range"]["start"]),
                offset_utf16(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    let mut out = text.to_string();
    for (s, e, t) in edits {
        out.replace_range(s..e, &t);
    }
    out
}

/// LSP position (UTF-16) → byte offset in `text`.
pub fn offset_utf16(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap_or(0) as usize;
    let character = pos["character"].as_u64().unwrap_or(0) as usize;
    let mut start = 0;
    for _ in 0..line {
        let rest = &text[start..];
        match rest.find(['\n', '\r']) {
            Some(i) if rest[i..].starts_with("\r\n") => start += i + 2,
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' || c == '\r' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The edits of a workspace edit for one document, in either shape.
pub fn edits_of(edit: &Value) -> Vec<Value> {
    if let Some(dc) = edit["documentChanges"].as_array() {
        return dc
            .iter()
            .flat_map(|d| d["edits"].as_array().cloned().unwrap_or_default())
            .collect();
    }
    edit["changes"]
        .as_object()
        .and_then(|m| m.values().next())
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}
