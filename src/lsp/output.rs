//! The one writer of messages to the client. Two sources share it:
//! tower-lsp-server, which writes its responses, requests and notifications
//! as framed messages into a pipe read here, and the server's publisher,
//! which makes its diagnostics notifications itself (`Backend::new`). Each
//! message is written whole, with its header, so one never lands inside
//! another.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use super::relay::{Headers, read_headers};
use super::spare;

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
    while let Some(Message::Body(body)) = messages.recv().await {
        if output.write_all(header(&body).as_bytes()).await.is_err()
            || output.write_all(&body).await.is_err()
            || output.flush().await.is_err()
        {
            return;
        }
        spare::give_body(body);
    }
    let _ = output.flush().await;
}

/// [`write`], for a blocking `output` (stdout), from a thread that may
/// block.
pub fn write_blocking<O: std::io::Write>(mut messages: mpsc::Receiver<Message>, mut output: O) {
    while let Some(Message::Body(body)) = messages.blocking_recv() {
        let written = output
            .write_all(header(&body).as_bytes())
            .and_then(|()| output.write_all(&body))
            .and_then(|()| output.flush());
        if written.is_err() {
            return;
        }
        spare::give_body(body);
    }
    let _ = output.flush();
}

/// A message's header: two calls write a message, header and body.
fn header(body: &[u8]) -> String {
    format!("Content-Length: {}\r\n\r\n", body.len())
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// tower-lsp-server's messages, written in pieces, and the server's
    /// own, sent meanwhile, come out whole and each with its header, in the
    /// order each source gave them.
    #[tokio::test]
    async fn messages_from_both_sources_come_out_whole() {
        let (tx, rx) = mpsc::channel(4);
        let (mut server, framed) = tokio::io::duplex(8);
        let (out, mut client) = tokio::io::duplex(1 << 16);
        let framing = tokio::spawn(frames(framed, tx.clone()));
        let writing = tokio::spawn(write(rx, out));
        let own = tokio::spawn({
            let tx = tx.clone();
            async move {
                for k in 0..3 {
                    let body = format!(r#"{{"own":{k}}}"#).into_bytes();
                    tx.send(Message::Body(body)).await.unwrap();
                }
            }
        });
        for k in 0..3 {
            let body = format!(r#"{{"server":{k},"pad":"{}"}}"#, "x".repeat(40));
            let message = format!("Content-Length: {}\r\n\r\n{body}", body.len());
            // A few bytes at a time, through an 8-byte pipe.
            for piece in message.as_bytes().chunks(5) {
                server.write_all(piece).await.unwrap();
            }
        }
        drop(server);
        own.await.unwrap();
        framing.await.unwrap();
        tx.send(Message::End).await.unwrap();
        writing.await.unwrap();
        let mut written = String::new();
        client.read_to_string(&mut written).await.unwrap();
        let mut bodies = Vec::new();
        let mut rest = written.as_str();
        while !rest.is_empty() {
            let (header, after) = rest.split_once("\r\n\r\n").unwrap();
            let length: usize = header
                .strip_prefix("Content-Length: ")
                .unwrap()
                .parse()
                .unwrap();
            bodies.push(&after[..length]);
            rest = &after[length..];
        }
        let pad = "x".repeat(40);
        let of = |source: &str| -> Vec<String> {
            bodies
                .iter()
                .filter(|b| b.contains(source))
                .map(|b| b.to_string())
                .collect()
        };
        assert_eq!(bodies.len(), 6);
        assert_eq!(
            of("server"),
            (0..3)
                .map(|k| format!(r#"{{"server":{k},"pad":"{pad}"}}"#))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            of("own"),
            (0..3)
                .map(|k| format!(r#"{{"own":{k}}}"#))
                .collect::<Vec<_>>()
        );
    }
}
