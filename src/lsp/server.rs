//! The `LanguageServer` implementation: lifecycle, document sync,
//! configuration and publishing. Feature requests are thin: look up the
//! document's analysed snapshot, call the feature module, return.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::code_action::{self, FIX_ALL, INSERT_BILLING, INSERT_BILLING_COMMAND};
use super::config::{Config, Settings};
use super::document::{Documents, Rejected, Snapshot};
use super::log::{self, debug, info, trace, warning};
use super::output::Message;
use super::pos::{self, Encoding};
use super::{
    code_lens, completion, diagnostics, folding, hover, inlay_hints, semantic_tokens, symbols,
};

/// How long to wait for a client's answer to a request the server sends.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the client said it supports, as far as the server cares.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub encoding: Encoding,
    pub snippets: bool,
    pub hierarchical_symbols: bool,
    pub document_changes: bool,
    pub configuration_pull: bool,
    pub configuration_dynamic: bool,
}

impl ClientInfo {
    fn from(caps: &ClientCapabilities) -> ClientInfo {
        let td = caps.text_document.as_ref();
        let ws = caps.workspace.as_ref();
        ClientInfo {
            encoding: Encoding::negotiate(
                caps.general
                    .as_ref()
                    .and_then(|g| g.position_encodings.as_deref()),
            ),
            snippets: td
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false),
            hierarchical_symbols: td
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            document_changes: ws
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            configuration_pull: ws.and_then(|w| w.configuration).unwrap_or(false),
            configuration_dynamic: ws
                .and_then(|w| w.did_change_configuration.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
        }
    }
}

/// A diagnostics message waiting to go out.
#[derive(Debug)]
pub enum Publish {
    Diagnostics {
        uri: Uri,
        version: i32,
        /// The settings generation they were computed with.
        generation: u64,
        /// How many there are (for the log).
        count: usize,
        /// The notification's body (`diagnostics::notification`).
        body: Vec<u8>,
    },
    /// Clears a closed document's diagnostics.
    Clear(Uri),
}

impl Publish {
    /// Whether the message is still true: diagnostics only for the
    /// document's current version under the current settings, a clear only
    /// for a closed document.
    fn is_current(&self, shared: &Shared) -> bool {
        match self {
            Publish::Diagnostics {
                uri,
                version,
                generation,
                ..
            } => {
                shared.docs.version(uri) == Some(*version)
                    && shared.config().generation == *generation
            }
            Publish::Clear(uri) => !shared.docs.is_open(uri),
        }
    }
}

/// State shared with blocking analysis tasks and the publisher.
#[derive(Default)]
struct Shared {
    docs: Documents,
    config: RwLock<Arc<Config>>,
    client: RwLock<ClientInfo>,
    /// Held while settings are applied, so two changes do not interleave.
    applying: Mutex<()>,
    /// Settings problems found before the client could be told.
    pending_messages: Mutex<Vec<(MessageType, String)>>,
    /// Documents with an analysis task running, and whether they changed
    /// since it started (it then runs again): one analysis per document at
    /// a time, however fast the client types.
    analysing: Mutex<HashMap<Uri, bool>>,
    /// Analysis tasks running at once: one per core. Without a bound, a
    /// client opening a thousand documents would start a thousand threads,
    /// each with its own allocator heap and regex caches.
    permits: Permits,
}

struct Permits(Arc<tokio::sync::Semaphore>);

impl Default for Permits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Permits(Arc::new(tokio::sync::Semaphore::new(cores)))
    }
}

impl Shared {
    fn config(&self) -> Arc<Config> {
        self.config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn client_info(&self) -> ClientInfo {
        self.client
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn encoding(&self) -> Encoding {
        self.client
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .encoding
    }

    /// The analysed snapshot of a document's current version (analysed
    /// here when it is not cached).
    fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        self.docs.snapshot(uri, &self.config(), self.encoding())
    }

    /// Publishes the diagnostics of a document's current version through
    /// `tx`, as soon as they are written: before the analysis has moved
    /// the spans of the encounters after the change (`Snapshot::analyse`),
    /// which the diagnostics do not need.
    fn publish(&self, uri: &Uri, tx: &mpsc::UnboundedSender<Publish>) {
        let mut early = |snap: &Snapshot| {
            if self.docs.version(uri) != Some(snap.version) {
                return;
            }
            let Some(body) =
                log::guard("diagnostics", || diagnostics::notification(snap)).flatten()
            else {
                return;
            };
            let _ = tx.send(Publish::Diagnostics {
                uri: uri.clone(),
                version: snap.version,
                generation: snap.config.generation,
                count: snap.analysis().map_or(1, |a| a.findings.len()),
                body,
            });
        };
        self.docs
            .snapshot_then(uri, &self.config(), self.encoding(), &mut early);
    }

    /// Applies settings; returns what to tell the user. Settings the client
    /// already sent change nothing and are not reported again.
    fn apply(&self, settings: Settings) -> Vec<(MessageType, String)> {
        let _applying = self.applying.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.config();
        if current.requested == settings {
            return Vec::new();
        }
        let applied = current.apply(settings);
        info!(
            "settings applied (generation {}); {} problem(s)",
            applied.config.generation,
            applied.errors.len()
        );
        *self.config.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(applied.config);
        let mut messages = Vec::new();
        if !applied.errors.is_empty() {
            messages.push((
                MessageType::ERROR,
                format!("dermls settings: {}", applied.errors.join("; ")),
            ));
        }
        for n in applied.notes {
            messages.push((MessageType::LOG, format!("dermls: {n}")));
        }
        messages
    }
}

/// The server.
pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
    publish: mpsc::UnboundedSender<Publish>,
}

impl Backend {
    /// A server talking to `client`; spawns the publisher task, which
    /// writes diagnostics notifications to `out` (the stream of messages
    /// to the client that `lsp::serve` merges with tower-lsp-server's).
    pub fn new(client: Client, out: mpsc::Sender<Message>) -> Backend {
        let shared = Arc::new(Shared::default());
        let (tx, mut rx) = mpsc::unbounded_channel::<Publish>();
        let state = shared.clone();
        // The one place diagnostics go out: messages are checked and sent one
        // at a time, in order, so a version is never published after a newer
        // one, nor once the document has moved on. They are written as JSON
        // made here (`diagnostics::notification`), not by tower-lsp-server:
        // its `publish_diagnostics` turns every diagnostic into a
        // `serde_json::Value` first, which on a large document costs more
        // than the analysis.
        tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                if !p.is_current(&state) {
                    trace!("dropped diagnostics for a version no longer current");
                    continue;
                }
                let body = match p {
                    Publish::Diagnostics {
                        uri,
                        version,
                        count,
                        body,
                        ..
                    } => {
                        trace!(
                            "publishing {count} diagnostics for {} v{version}",
                            log::doc(&uri)
                        );
                        body
                    }
                    Publish::Clear(uri) => diagnostics::clear_notification(&uri),
                };
                if out.send(Message::Body(body)).await.is_err() {
                    return;
                }
            }
        });
        Backend {
            client,
            shared,
            publish: tx,
        }
    }

    /// Analyses the document's current version off the message loop and
    /// queues its diagnostics. While an analysis of the document runs, a
    /// new request only marks it to run once more when it ends.
    fn schedule(&self, uri: Uri) {
        {
            let mut running = self
                .shared
                .analysing
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(again) = running.get_mut(&uri) {
                *again = true;
                return;
            }
            running.insert(uri.clone(), false);
        }
        let shared = self.shared.clone();
        let tx = self.publish.clone();
        let permits = self.shared.permits.0.clone();
        tokio::spawn(async move {
            let Ok(permit) = permits.acquire_owned().await else {
                return;
            };
            // On rayon's pool, not tokio's blocking threads: the analysis
            // moves a large document's spans with rayon, and from one of its
            // own threads the other joins at once instead of being woken.
            rayon::spawn(move || {
                let _permit = permit;
                let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    loop {
                        shared.publish(&uri, &tx);
                        let mut running =
                            shared.analysing.lock().unwrap_or_else(|e| e.into_inner());
                        match running.get_mut(&uri) {
                            Some(again) if *again => *again = false,
                            _ => {
                                running.remove(&uri);
                                return;
                            }
                        }
                    }
                }));
                if analysed.is_err() {
                    // Logged by the panic hook; the next change starts again.
                    let mut running = shared.analysing.lock().unwrap_or_else(|e| e.into_inner());
                    running.remove(&uri);
                }
            });
        });
    }

    fn schedule_all(&self) {
        for uri in self.shared.docs.uris() {
            self.schedule(uri);
        }
    }

    /// The snapshot for a request, analysed off the message loop when it is
    /// not cached. The document is read before the first `.await`, so the
    /// request sees every change sent before it.
    async fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        let config = self.shared.config();
        let Some((_, version, cached)) = self.shared.docs.current(uri, config.generation) else {
            debug!("request for a document that is not open: {}", log::doc(uri));
            return None;
        };
        if let Some(s) = cached {
            return Some(s);
        }
        let shared = self.shared.clone();
        let uri = uri.clone();
        let snap = tokio::task::spawn_blocking(move || shared.snapshot(&uri))
            .await
            .ok()
            .flatten()?;
        // A later change may have landed meanwhile; the request was for
        // `version`, and positions in it refer to that text.
        (snap.version == version).then_some(snap)
    }

    /// Runs a feature on a snapshot, catching a panic.
    async fn feature<T>(
        &self,
        what: &'static str,
        uri: &Uri,
        f: impl FnOnce(&Snapshot) -> Option<T>,
    ) -> Result<Option<T>> {
        let Some(snap) = self.snapshot(uri).await else {
            return Ok(None);
        };
        Ok(log::guard(what, || f(&snap)).flatten())
    }

    /// Applies settings off the message loop, tells the user about
    /// problems, and re-analyses every open document.
    async fn apply_settings(&self, settings: Settings) {
        let shared = self.shared.clone();
        let messages = tokio::task::spawn_blocking(move || shared.apply(settings))
            .await
            .unwrap_or_default();
        self.tell(messages).await;
        self.schedule_all();
    }

    /// Tells the client about settings problems and notes. The stderr log
    /// only counts them: the messages quote the paths the user configured,
    /// and a path may name a patient.
    async fn tell(&self, messages: Vec<(MessageType, String)>) {
        for (kind, m) in messages {
            if kind == MessageType::ERROR {
                warning!("a settings problem was shown to the user");
                self.client.show_message(kind, m).await;
            } else {
                self.client.log_message(kind, m).await;
            }
        }
    }

    /// Asks the client for the `dermls` section and applies it.
    async fn pull_configuration(&self) {
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("dermls".to_string()),
        };
        match tokio::time::timeout(CLIENT_TIMEOUT, self.client.configuration(vec![item])).await {
            Ok(Ok(values)) => {
                let value = values.into_iter().next().unwrap_or(Value::Null);
                // The answer is the section itself: nest it.
                if let Some(settings) =
                    Settings::from_json(&json!({ "dermls": value })).filter(|_| value.is_object())
                {
                    self.apply_settings(settings).await;
                }
            }
            Ok(Err(e)) => debug!("workspace/configuration failed: {}", e.message),
            Err(_) => warning!("the client did not answer workspace/configuration"),
        }
    }

    fn capabilities(info: &ClientInfo) -> ServerCapabilities {
        ServerCapabilities {
            position_encoding: Some(info.encoding.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![":".into(), "-".into()]),
                ..CompletionOptions::default()
            }),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::new(INSERT_BILLING),
                    CodeActionKind::new(FIX_ALL),
                ]),
                resolve_provider: Some(false),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: vec![INSERT_BILLING_COMMAND.to_string()],
                ..ExecuteCommandOptions::default()
            }),
            semantic_tokens_provider: Some(
                SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                    legend: semantic_tokens::legend(),
                    full: Some(SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
            ),
            document_symbol_provider: Some(OneOf::Left(true)),
            inlay_hint_provider: Some(OneOf::Left(true)),
            code_lens_provider: Some(CodeLensOptions {
                resolve_provider: Some(false),
            }),
            folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
            ..ServerCapabilities::default()
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let info = ClientInfo::from(&params.capabilities);
        info!(
            "initialize: position encoding {:?}, client {}",
            info.encoding,
            params
                .client_info
                .as_ref()
                .map_or("unnamed", |c| c.name.as_str())
        );
        *self
            .shared
            .client
            .write()
            .unwrap_or_else(|e| e.into_inner()) = info.clone();
        if let Some(settings) = params
            .initialization_options
            .as_ref()
            .and_then(Settings::from_json)
        {
            let messages = self.shared.apply(settings);
            self.shared
                .pending_messages
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(messages);
        }
        Ok(InitializeResult {
            capabilities: Backend::capabilities(&info),
            server_info: Some(ServerInfo {
                name: "dermls".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let messages = std::mem::take(
            &mut *self
                .shared
                .pending_messages
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        self.tell(messages).await;
        let info = self.shared.client_info();
        if info.configuration_dynamic {
            let registration = Registration {
                id: "dermls-configuration".to_string(),
                method: "workspace/didChangeConfiguration".to_string(),
                register_options: None,
            };
            let client = self.client.clone();
            // Not awaited here: a client that never answers must not hold
            // up this handler (or the exit that may follow).
            tokio::spawn(async move {
                let _ = tokio::time::timeout(
                    CLIENT_TIMEOUT,
                    client.register_capability(vec![registration]),
                )
                .await;
            });
        }
        if info.configuration_pull {
            let this = self.detached();
            tokio::spawn(async move { this.pull_configuration().await });
        }
    }

    async fn shutdown(&self) -> Result<()> {
        info!("shutdown");
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        debug!(
            "open {} v{} ({} bytes)",
            log::doc(&doc.uri),
            doc.version,
            doc.text.len()
        );
        self.shared
            .docs
            .open(doc.uri.clone(), doc.version, &doc.text);
        self.schedule(doc.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let enc = self.shared.encoding();
        match self
            .shared
            .docs
            .change(&uri, version, &params.content_changes, enc)
        {
            Ok(()) => {
                trace!("change {} v{version}", log::doc(&uri));
                self.schedule(uri);
            }
            Err(Rejected::Unknown) => {
                debug!("change to a document that is not open: {}", log::doc(&uri))
            }
            Err(Rejected::Stale { have }) => {
                warning!(
                    "change to {} v{version} ignored: the document is at v{have}",
                    log::doc(&uri)
                );
                self.schedule(uri);
            }
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        debug!("close {}", log::doc(&uri));
        if self.shared.docs.close(&uri) {
            let _ = self.publish.send(Publish::Clear(uri));
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        match Settings::from_json(&params.settings) {
            Some(settings) => self.apply_settings(settings).await,
            None if self.shared.client_info().configuration_pull => {
                let this = self.detached();
                tokio::spawn(async move { this.pull_configuration().await });
            }
            None => debug!("didChangeConfiguration without dermls settings"),
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.feature("hover", &p.text_document.uri, |snap| {
            hover::hover(snap, pos::offset(&snap.rope, p.position, snap.encoding))
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        let snippets = self.shared.client_info().snippets;
        self.feature("completion", &p.text_document.uri, |snap| {
            completion::complete(
                snap,
                pos::offset(&snap.rope, p.position, snap.encoding),
                snippets,
            )
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let info = self.shared.client_info();
        let uri = params.text_document.uri.clone();
        self.feature("code action", &uri, |snap| {
            let actions = code_action::actions(snap, &params, &info);
            (!actions.is_empty()).then_some(actions)
        })
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        if params.command != INSERT_BILLING_COMMAND {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "unknown command {}",
                params.command
            )));
        }
        let Some((uri, encounter)) = code_action::command_args(&params.arguments) else {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(
                "expected [uri, encounter index or null]",
            ));
        };
        let info = self.shared.client_info();
        let edit = self
            .feature("insert billing", &uri, |snap| {
                code_action::insert_billing_edit(snap, encounter, &info)
            })
            .await?;
        let Some(edit) = edit else {
            return Ok(Some(json!({ "applied": false })));
        };
        let applied = match tokio::time::timeout(CLIENT_TIMEOUT, self.client.apply_edit(edit)).await
        {
            Ok(Ok(response)) => response.applied,
            Ok(Err(e)) => {
                warning!("workspace/applyEdit failed: {}", e.message);
                false
            }
            Err(_) => {
                warning!("the client did not answer workspace/applyEdit");
                false
            }
        };
        Ok(Some(json!({ "applied": applied })))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.feature("semantic tokens", &params.text_document.uri, |snap| {
            semantic_tokens::tokens(snap).map(SemanticTokensResult::Tokens)
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let hierarchical = self.shared.client_info().hierarchical_symbols;
        self.feature("document symbols", &params.text_document.uri, |snap| {
            symbols::symbols(snap, hierarchical)
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.feature("inlay hints", &params.text_document.uri, |snap| {
            inlay_hints::hints(snap, params.range)
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.feature("code lens", &params.text_document.uri, code_lens::lenses)
            .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.feature("folding ranges", &params.text_document.uri, folding::ranges)
            .await
    }
}

impl Backend {
    /// A handle for a spawned task (same client and state).
    fn detached(&self) -> Backend {
        Backend {
            client: self.client.clone(),
            shared: self.shared.clone(),
            publish: self.publish.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostics(uri: &Uri, version: i32, generation: u64) -> Publish {
        Publish::Diagnostics {
            uri: uri.clone(),
            version,
            generation,
            count: 0,
            body: Vec::new(),
        }
    }

    #[test]
    fn only_the_current_version_under_the_current_settings_is_published() {
        let shared = Shared::default();
        let uri: Uri = "file:///n.derm".parse().unwrap();
        assert!(!diagnostics(&uri, 1, 0).is_current(&shared), "not open");
        shared.docs.open(uri.clone(), 1, "text");
        assert!(diagnostics(&uri, 1, 0).is_current(&shared));
        let change = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "new".to_string(),
        };
        shared
            .docs
            .change(&uri, 2, &[change], Encoding::Utf16)
            .unwrap();
        assert!(
            !diagnostics(&uri, 1, 0).is_current(&shared),
            "stale version"
        );
        assert!(diagnostics(&uri, 2, 0).is_current(&shared));
        shared.apply(Settings {
            disabled_rules: vec!["payer/unknown".into()],
            ..Settings::default()
        });
        assert!(!diagnostics(&uri, 2, 0).is_current(&shared), "old settings");
        assert!(diagnostics(&uri, 2, 1).is_current(&shared));
        assert!(
            !Publish::Clear(uri.clone()).is_current(&shared),
            "still open"
        );
        shared.docs.close(&uri);
        assert!(Publish::Clear(uri).is_current(&shared));
    }

    #[test]
    fn settings_sent_again_are_not_reported_again() {
        let shared = Shared::default();
        let bad = Settings {
            mue_file: Some("/nonexistent/mue.csv".into()),
            ..Settings::default()
        };
        assert_eq!(shared.apply(bad.clone()).len(), 1);
        assert_eq!(shared.apply(bad).len(), 0);
        let config = shared.config();
        assert_eq!(config.settings.mue_file, None, "the file in use");
        assert_eq!(config.generation, 1);
    }

    #[test]
    fn a_panicking_feature_gives_nothing() {
        assert_eq!(log::guard("test", || 1), Some(1));
        assert_eq!(log::guard("test", || -> i32 { panic!("boom") }), None);
    }
}
