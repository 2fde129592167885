//! The language server (`dermls serve`): tower-lsp-server over the analysis
//! core. One file per feature; each handler looks up the document's analysed
//! snapshot, calls the core, and converts the result.
//!
//! | file | does |
//! |---|---|
//! | `server.rs` | lifecycle, document sync, configuration, publishing |
//! | `document.rs` | the open documents (ropes, versions, cached analyses) |
//! | `pos.rs` | byte offsets ↔ positions in the negotiated encoding |
//! | `config.rs` | settings and the code table they load |
//! | `log.rs` | stderr logging (`DERMLS_LOG`), the panic hook |
//! | `relay.rs` | a guard that keeps malformed messages from ending the session |
//! | `output.rs` | the one writer of messages to the client |
//! | `spare.rs` | the large buffers a keystroke needs, kept between keystrokes |
//! | `diagnostics.rs` … `folding.rs` | one LSP feature each |
//!
//! Only this module knows about the protocol, tokio and ropey; the core
//! (`note`, `extract`, `codes`, `rules`) does not.

mod code_action;
mod code_lens;
mod completion;
mod config;
mod diagnostics;
mod document;
mod folding;
mod hover;
mod inlay_hints;
mod log;
mod output;
mod pos;
mod relay;
mod semantic_tokens;
mod server;
mod spare;
mod symbols;
#[doc(hidden)]
pub mod testing;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;
use tower_lsp_server::{LspService, Server};

pub use document::SIZE_LIMIT;
pub use server::Backend;

/// Serves the protocol over `input`/`output` until the client sends `exit`
/// (or closes `input`). Returns at once after `exit`, even while `input`
/// stays open. Messages pass through `relay` first, so a malformed one is
/// answered or dropped instead of ending the session; messages out go
/// through `output`, which writes tower-lsp-server's and the diagnostics
/// the server makes itself, one whole message at a time.
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    serve_with(input, |queued| tokio::spawn(output::write(queued, output))).await
}

/// [`serve`], with the messages out written by the task `writer` starts.
async fn serve_with<I>(
    input: I,
    writer: impl FnOnce(tokio::sync::mpsc::Receiver<output::Message>) -> JoinHandle<()>,
) where
    I: AsyncRead + Unpin + Send + 'static,
{
    let (messages, queued) = tokio::sync::mpsc::channel(16);
    let published = messages.clone();
    let (service, socket) = LspService::new(move |client| Backend::new(client, published));
    let (relayed, server_input) = tokio::io::duplex(1 << 16);
    let (server_output, framed) = tokio::io::duplex(1 << 16);
    let relaying = tokio::spawn(relay::relay(input, relayed));
    let framing = tokio::spawn(output::frames(framed, messages.clone()));
    let writing = writer(queued);
    Server::new(server_input, server_output, socket)
        .serve(service)
        .await;
    relaying.abort();
    // tower-lsp-server's end of the pipe is closed: what it wrote is
    // queued once `framing` ends. Then the writer is told to stop, and
    // given a moment to write what is queued to a client still reading.
    let _ = framing.await;
    let _ = messages.send(output::Message::End).await;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), writing).await;
}

/// Runs the server on stdin/stdout: logging from `DERMLS_LOG`, the panic
/// hook that withholds payloads, and a runtime that does not wait for
/// analyses still running after `exit`.
pub fn run_stdio() -> std::io::Result<()> {
    log::init_from_env();
    log::install_panic_hook();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    log::info!("dermls {} serving on stdio", env!("CARGO_PKG_VERSION"));
    // Messages out are written to stdout by a thread of their own, straight
    // from each message's buffer: tokio's `Stdout` would copy each one
    // into its own buffer first and then write it from a blocking thread.
    runtime.block_on(serve_with(tokio::io::stdin(), |queued| {
        tokio::task::spawn_blocking(move || output::write_blocking(queued, std::io::stdout()))
    }));
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    log::info!("exit");
    Ok(())
}
