//! The server's input, cleaned before the JSON-RPC transport sees it.
//!
//! The transport (tower-lsp-server over tokio-util's `FramedRead`) stops reading
//! for good after the first message it cannot decode, so one malformed message
//! (a body that is not JSON, not a request or response, a bad `Content-Length`)
//! would end the session. [`sanitized`] reads the `Content-Length` frames itself
//! and passes on only the messages the transport can decode; the others are
//! dropped with a line on stderr, and the server keeps serving. A body larger
//! than [`MAX_MESSAGE`] is skipped without being held in memory.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{Request, Response};

/// Largest message passed on (a plan file is at most 8 MiB; JSON escaping and
/// the envelope fit well within this).
pub(crate) const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// Longest header line read before it is dropped as garbage.
const MAX_HEADER_LINE: usize = 4096;

/// A reader of `input` that yields only well-formed messages.
pub(crate) fn sanitized(input: impl AsyncRead + Unpin + Send + 'static) -> impl AsyncRead {
    let (mut tx, rx) = tokio::io::duplex(256 * 1024);
    tokio::spawn(async move {
        let mut r = BufReader::new(input);
        while let Some(body) = next_message(&mut r).await {
            let Some(body) = body else {
                continue;
            };
            let framed = format!("Content-Length: {}\r\n\r\n", body.len());
            if tx.write_all(framed.as_bytes()).await.is_err() || tx.write_all(&body).await.is_err()
            {
                return;
            }
        }
        // The client is gone: end of input for the transport too.
        let _ = tx.shutdown().await;
    });
    rx
}

/// The next message: `None` at the end of the input, `Some(None)` for one that
/// was dropped.
async fn next_message<R: AsyncBufReadExt + Unpin>(r: &mut R) -> Option<Option<Vec<u8>>> {
    let mut len: Option<usize> = None;
    let mut bad_header = false;
    loop {
        let mut line = Vec::new();
        let n = (&mut *r)
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)
            .await
            .ok()?;
        if n == 0 {
            return None;
        }
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                match value.trim().parse::<usize>() {
                    Ok(l) => len = Some(l),
                    Err(_) => bad_header = true,
                }
            }
        }
    }
    let Some(len) = len else {
        eprintln!("plumb lsp: ignored a message without a valid Content-Length");
        return Some(None);
    };
    if len > MAX_MESSAGE {
        let skipped = tokio::io::copy(&mut (&mut *r).take(len as u64), &mut tokio::io::sink())
            .await
            .ok()?;
        if skipped < len as u64 {
            return None;
        }
        eprintln!("plumb lsp: ignored a message of {len} bytes (at most {MAX_MESSAGE})");
        return Some(None);
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await.ok()?;
    if bad_header || !decodable(&body) {
        eprintln!("plumb lsp: ignored a malformed message");
        return Some(None);
    }
    Some(Some(body))
}

/// Whether the transport can decode `body` (a request, a notification or a
/// response; an empty body is skipped by it too).
fn decodable(body: &[u8]) -> bool {
    body.is_empty()
        || serde_json::from_slice::<Request>(body).is_ok()
        || serde_json::from_slice::<Response>(body).is_ok()
}
