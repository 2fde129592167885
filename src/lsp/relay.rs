//! A guard in front of tower-lsp-server's reader. tower-lsp-server ends the
//! whole session on the first message it cannot decode (a body that is not
//! JSON, or JSON that is not a JSON-RPC message): its framed reader stops
//! after an error. A client's one bad message must not take the server down,
//! so every message passes through here first:
//!
//! - a well-formed request, notification or response is passed on as it
//!   came;
//! - a malformed message that carries an `id` is replaced by a request for a
//!   method that does not exist, with that `id`, so the client gets an error
//!   answer instead of waiting for ever;
//! - anything else (no `Content-Length`, a body that is not JSON, a body
//!   above [`MAX_MESSAGE`]) is dropped, with one line in the log that says
//!   what kind of problem it was and never what it held.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{Request, Response};

use super::log::warning;

/// The largest message passed on. A note is a few kilobytes; a document
/// above the analysis limit (8 MiB) is still opened and told it is too large.
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// The most read from the input at once.
const READ_PIECE: usize = 64 * 1024;

/// The method a malformed request with an `id` is replaced by.
const INVALID: &str = "dermls/invalidMessage";

/// Copies messages from `input` to `output` until `input` ends or `output`
/// is closed.
pub async fn relay<I, O>(input: I, mut output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut input = BufReader::new(input);
    loop {
        let length = match read_headers(&mut input).await {
            Headers::End => return,
            Headers::Length(n) => n,
            Headers::Malformed => {
                warning!("dropped a message without a valid Content-Length header");
                continue;
            }
        };
        if length > MAX_MESSAGE {
            warning!("dropped a message of {length} bytes (limit {MAX_MESSAGE})");
            let skipped = tokio::io::copy(
                &mut (&mut input).take(length as u64),
                &mut tokio::io::sink(),
            )
            .await;
            if skipped.map_or(true, |n| n < length as u64) {
                return;
            }
            continue;
        }
        let mut body = vec![0; length];
        // A piece at a time: tokio reads stdin on a blocking thread into a
        // buffer as large as the read asked for (up to 2 MiB), and keeps
        // that buffer for the rest of the session.
        for piece in body.chunks_mut(READ_PIECE) {
            if input.read_exact(piece).await.is_err() {
                return;
            }
        }
        let body = match check(body) {
            Ok(body) => body,
            Err(replacement) => match replacement {
                Some(r) => r,
                None => continue,
            },
        };
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(&body).await.is_err()
            || output.flush().await.is_err()
        {
            return;
        }
    }
}

pub(super) enum Headers {
    Length(usize),
    Malformed,
    End,
}

/// Reads one header block (to the blank line) and its `Content-Length`.
pub(super) async fn read_headers<I: AsyncBufReadExt + Unpin>(input: &mut I) -> Headers {
    let mut length = None;
    let mut any = false;
    loop {
        let mut line = Vec::new();
        match input.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return Headers::End,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim();
        if line.is_empty() {
            if !any {
                // Blank lines between messages.
                continue;
            }
            return match length {
                Some(n) => Headers::Length(n),
                None => Headers::Malformed,
            };
        }
        any = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
    }
}

/// The body to pass on: the message itself when it is one tower-lsp-server
/// can decode, else a stand-in request with its `id` (`Err(Some)`), else
/// nothing (`Err(None)`).
fn check(body: Vec<u8>) -> Result<Vec<u8>, Option<Vec<u8>>> {
    if serde_json::from_slice::<Request>(&body).is_ok()
        || serde_json::from_slice::<Response>(&body).is_ok()
    {
        return Ok(body);
    }
    let id = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("id").cloned())
        .filter(|id| id.is_number() || id.is_string());
    match id {
        Some(id) => {
            warning!("a malformed request was answered with an error");
            let stand_in = serde_json::json!({"jsonrpc": "2.0", "id": id, "method": INVALID});
            Err(Some(stand_in.to_string().into_bytes()))
        }
        None => {
            warning!("dropped a message that is not JSON-RPC");
            Err(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn through(input: Vec<u8>) -> String {
        let (mut w, r) = tokio::io::duplex(1 << 16);
        let writer = tokio::spawn(async move {
            w.write_all(&input).await.unwrap();
        });
        let mut out = Vec::new();
        relay(r, &mut out).await;
        writer.await.unwrap();
        String::from_utf8(out).unwrap()
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[tokio::test]
    async fn good_messages_pass_and_bad_ones_do_not() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let note = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = [
            frame(ok),
            frame("{oops!}"),
            frame(r#"{"jsonrpc":"1.0","id":7,"method":"shutdown"}"#),
            frame(r#"{"jsonrpc":"2.0","id":[1]}"#),
            "X-Nonsense: 1\r\n\r\n".to_string(),
            frame(note),
        ]
        .concat();
        let out = through(input.into_bytes()).await;
        let stand_in = r#"{"id":7,"jsonrpc":"2.0","method":"dermls/invalidMessage"}"#;
        assert_eq!(out, [frame(ok), frame(stand_in), frame(note)].concat());
    }

    /// A message read in several pieces comes out whole, and so does the
    /// one after it; a message cut short ends the relay with nothing
    /// passed on.
    #[tokio::test]
    async fn a_message_longer_than_a_piece_passes_whole() {
        let text = "Site: left cheek\n".repeat(3 * READ_PIECE / 17 + 5);
        let open = serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": "file:///n.derm", "languageId": "dermnote", "version": 1, "text": text}},
        })
        .to_string();
        assert!(open.len() > 3 * READ_PIECE);
        let after = frame(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        let input = [frame(&open), after.clone()].concat();
        assert_eq!(
            through(input.into_bytes()).await,
            [frame(&open), after].concat()
        );

        let cut = frame(&open)[..2 * READ_PIECE + 7].to_string();
        assert_eq!(through(cut.into_bytes()).await, "");
    }

    #[tokio::test]
    async fn an_oversized_message_is_skipped_whole() {
        let big = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1);
        let mut input = big.into_bytes();
        input.extend(std::iter::repeat_n(b'x', MAX_MESSAGE + 1));
        let after = frame(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        input.extend_from_slice(after.as_bytes());
        assert_eq!(through(input).await, after);
    }
}
