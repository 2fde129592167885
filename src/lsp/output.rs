//! The one writer of messages to the client. Two sources share it:
//! tower-lsp-server, which writes its responses, requests and notifications
//! as framed messages into a pipe read here, and the server's publisher,
//! which makes its diagnostics notifications itself (`Backend::new`). Each
//! message is written whole, with its header, so one never lands inside
//! another.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use super::relay::{Headers, read_headers};

/// A message to write, or the end of the session.
pub enum Message {
    /// A JSON-RPC message's body; the writer adds its header.
    Body(Vec<u8>),
    /// Everything before has been queued: flush and stop.
    End,
}

/// Passes each message tower-lsp-server writes to `server` on to `out`,
/// until `server` ends.
pub async fn frames<S: AsyncRead + Unpin>(server: S, out: mpsc::Sender<Message>) {
    let mut server = BufReader::new(server);
    loop {
        let length = match read_headers(&mut server).await {
            Headers::Length(n) => n,
            // tower-lsp-server always writes a Content-Length; a message
            // without one is skipped rather than taking the session down.
            Headers::Malformed => continue,
            Headers::End => return,
        };
        let mut body = vec![0; length];
        if server.read_exact(&mut body).await.is_err()
            || out.send(Message::Body(body)).await.is_err()
        {
            return;
        }
    }
}

/// Writes messages to `output` in the order they come, until
/// [`Message::End`] or until `output` is closed.
pub async fn write<O: AsyncWrite + Unpin>(mut messages: mpsc::Receiver<Message>, mut output: O) {
    let mut header = Vec::with_capacity(32);
    while let Some(Message::Body(body)) = messages.recv().await {
        header.clear();
        header.extend_from_slice(b"Content-Length: ");
        header.extend_from_slice(itoa::Buffer::new().format(body.len()).as_bytes());
        header.extend_from_slice(b"\r\n\r\n");
        if output.write_all(&header).await.is_err()
            || output.write_all(&body).await.is_err()
            || output.flush().await.is_err()
        {
            return;
        }
    }
    let _ = output.flush().await;
}
