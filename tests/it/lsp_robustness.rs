//! The language server survives its clients: a scripted client spawns `plumb lsp`
//! and speaks JSON-RPC over stdio. Random edit sequences (with positions past the
//! end, reversed ranges, ranges splitting a surrogate pair, stale versions),
//! every request at random and invalid positions, requests for closed and unknown
//! documents, and malformed messages must all get an answer (a result or a
//! JSON-RPC error) while the server keeps serving; a client that disconnects
//! mid-message must not leave it running or make it panic.

#![cfg(feature = "lsp")]
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

/// How long to wait for one answer before declaring the server stuck.
const PATIENCE: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    inbox: Receiver<Value>,
    next_id: i64,
    stderr: std::thread::JoinHandle<String>,
}

/// Reads `Content-Length` framed messages until the stream ends.
fn read_messages(out: impl Read, tx: std::sync::mpsc::Sender<Value>) {
    let mut r = BufReader::new(out);
    loop {
        let mut len = None;
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length:") {
                len = v.trim().parse::<usize>().ok();
            }
        }
        let Some(len) = len else { return };
        let mut body = vec![0u8; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        if let Ok(v) = serde_json::from_slice(&body) {
            if tx.send(v).is_err() {
                return;
            }
        }
    }
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plumb"))
            .arg("lsp")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, inbox) = channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || read_messages(out, tx));
        let mut err = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            inbox,
            next_id: 1,
            stderr,
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).unwrap();
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend_from_slice(&body);
        self.send_raw(&framed);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its answer, replying to the server's own
    /// requests and skipping notifications meanwhile.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.answer(id, method)
    }

    fn answer(&mut self, id: i64, what: &str) -> Value {
        loop {
            let msg = match self.inbox.recv_timeout(PATIENCE) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => panic!("no answer to {what} (id {id})"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server stopped while answering {what} (id {id})")
                }
            };
            if msg.get("method").is_some() {
                if let Some(server_id) = msg.get("id") {
                    let reply = json!({"jsonrpc": "2.0", "id": server_id, "result": null});
                    self.send(&reply);
                }
                continue;
            }
            if msg["id"] == json!(id) {
                assert!(
                    msg.get("result").is_some() || msg.get("error").is_some(),
                    "{what}: {msg}"
                );
                return msg;
            }
        }
    }

    /// Shuts down politely and asserts the server exited 0 without a panic.
    fn finish(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let code = wait(&mut self.child);
        let stderr = self.stderr.join().unwrap();
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(code, Some(0), "{stderr}");
    }
}

/// Waits for the process to end, killing it (and failing) if it does not.
fn wait(child: &mut Child) -> Option<i32> {
    for _ in 0..600 {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("the language server did not exit");
}

/// A small deterministic generator (xorshift), so every run replays the same
/// edit sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hardening_lsp")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn initialize(c: &mut Client, root: &Path) {
    let r = c.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(root),
            "capabilities": {
                "textDocument": {
                    "hover": {"contentFormat": ["markdown", "plaintext"]},
                    "completion": {"completionItem": {"snippetSupport": true}}
                }
            }
        }),
    );
    assert!(r["result"]["capabilities"].is_object(), "{r}");
    c.notify("initialized", json!({}));
}

/// A position: usually inside the text, sometimes far outside it.
fn position(rng: &mut Rng, lines: u64) -> Value {
    match rng.below(10) {
        0 => json!({"line": 1_000_000, "character": 5}),
        1 => json!({"line": 2, "character": 4_000_000_000u64}),
        2 => json!({"line": rng.below(lines + 3), "character": rng.below(400)}),
        _ => json!({"line": rng.below(lines.max(1)), "character": rng.below(40)}),
    }
}

/// Every request the server offers, at `pos` in `doc`.
fn ask_everything(c: &mut Client, rng: &mut Rng, doc: &str, lines: u64) {
    let td = json!({"uri": doc});
    let pos = position(rng, lines);
    let range = json!({"start": position(rng, lines), "end": position(rng, lines)});
    let requests = [
        (
            "textDocument/hover",
            json!({"textDocument": td, "position": pos}),
        ),
        (
            "textDocument/definition",
            json!({"textDocument": td, "position": pos}),
        ),
        (
            "textDocument/references",
            json!({"textDocument": td, "position": pos, "context": {"includeDeclaration": true}}),
        ),
        (
            "textDocument/completion",
            json!({"textDocument": td, "position": pos}),
        ),
        (
            "textDocument/signatureHelp",
            json!({"textDocument": td, "position": pos}),
        ),
        (
            "textDocument/prepareRename",
            json!({"textDocument": td, "position": pos}),
        ),
        (
            "textDocument/rename",
            json!({"textDocument": td, "position": pos, "newName": "renamed_x"}),
        ),
        ("textDocument/documentSymbol", json!({"textDocument": td})),
        (
            "textDocument/semanticTokens/full",
            json!({"textDocument": td}),
        ),
        (
            "textDocument/formatting",
            json!({"textDocument": td, "options": {"tabSize": 2, "insertSpaces": true}}),
        ),
        (
            "textDocument/inlayHint",
            json!({"textDocument": td, "range": range}),
        ),
        (
            "textDocument/codeAction",
            json!({"textDocument": td, "range": range, "context": {"diagnostics": []}}),
        ),
        ("textDocument/foldingRange", json!({"textDocument": td})),
        ("workspace/symbol", json!({"query": "re"})),
    ];
    for (method, params) in requests {
        c.request(method, params);
    }
}

const SNIPPETS: &[&str] = &[
    "",
    "\n",
    "driver x = 1\n",
    "metric y = x * 2 + prev(y, 1)\n",
    "(((((",
    ")))))",
    "if ",
    " then 1 else ",
    "step { 2026-01: ",
    "}",
    "\"unterminated",
    "# comment 😀 with an emoji\n",
    "😀",
    "scenario s \"S\" extends base {\n  x = 2 from 2026-03\n}\n",
    "trigger t \"T\" {\n  when y > 1 for 2 months\n  after 1 month: set x = 0\n}\n",
    "import \"../../../../etc/passwd\"\n",
    "import \"missing.plumb\"\n",
    "99999999999999999999999999999999999",
    "not not not not ",
    "- - - - ",
    "@2026-Q3",
    "plan",
    "\u{0}",
    "\r\n",
];

#[test]
fn random_edits_and_requests_never_stop_the_server() {
    let root = scratch("edits");
    let plan = root.join("plan.plumb");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fy2026.plumb"),
    )
    .unwrap();
    std::fs::write(&plan, &text).unwrap();
    let doc = uri(&plan);
    let mut c = Client::start(&root);
    initialize(&mut c, &root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "plumb", "version": 1, "text": text}}),
    );
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut version = 1;
    let mut lines = text.lines().count() as u64;
    for step in 0..400 {
        version += 1;
        let change = match rng.below(12) {
            // Replace the whole text now and then.
            0 => json!({"text": rng.pick(SNIPPETS).repeat(rng.below(4) as usize + 1)}),
            // A reversed range.
            1 => json!({
                "range": {"start": position(&mut rng, lines), "end": {"line": 0, "character": 0}},
                "text": rng.pick(SNIPPETS)
            }),
            _ => {
                let start = position(&mut rng, lines);
                let end = position(&mut rng, lines);
                json!({"range": {"start": start, "end": end}, "text": rng.pick(SNIPPETS)})
            }
        };
        // Sometimes a stale version, sometimes several changes at once.
        let v = if rng.below(15) == 0 { 0 } else { version };
        let changes = if rng.below(5) == 0 {
            json!([change.clone(), change])
        } else {
            json!([change])
        };
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": doc, "version": v}, "contentChanges": changes}),
        );
        lines = lines.max(1) + rng.below(3);
        if step % 25 == 0 {
            ask_everything(&mut c, &mut rng, &doc, lines);
        }
    }
    // Back to a known text: the server still analyses it correctly.
    version += 1;
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": version}, "contentChanges": [{"text": text}]}),
    );
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": doc}}),
    );
    let names: Vec<String> = symbols["result"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            std::iter::once(s["name"].as_str().unwrap_or("").to_string()).chain(
                s["children"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| c["name"].as_str().unwrap_or("").to_string()),
            )
        })
        .collect();
    assert!(names.iter().any(|n| n.contains("revenue")), "{names:?}");
    c.finish();
}

#[test]
fn closed_unknown_and_odd_documents_get_answers() {
    let root = scratch("closed");
    let plan = root.join("plan.plumb");
    let text = "plan t \"T\" {\n  currency USD\n  periods 2026-01 .. 2026-03\n}\ndriver x = 1\nmetric y = x * 2\n";
    std::fs::write(&plan, text).unwrap();
    let doc = uri(&plan);
    let mut c = Client::start(&root);
    initialize(&mut c, &root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "plumb", "version": 1, "text": text}}),
    );
    let mut rng = Rng(42);
    ask_everything(&mut c, &mut rng, &doc, 6);
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": doc}}),
    );
    // Closed, never opened, not a file, a directory, a file outside the root.
    for odd in [
        doc.clone(),
        uri(&root.join("never-opened.plumb")),
        "untitled:Untitled-1".to_string(),
        "http://example.invalid/plan.plumb".to_string(),
        uri(&root),
        "file:///etc/passwd".to_string(),
    ] {
        ask_everything(&mut c, &mut rng, &odd, 6);
    }
    // Changes and closes for documents that are not open.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&root.join("ghost.plumb")), "version": 3},
               "contentChanges": [{"text": "driver z = 1\n"}]}),
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": "untitled:nothing"}}),
    );
    // Opening the same document twice, with an odd language and a huge version.
    for _ in 0..2 {
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": doc, "languageId": "text", "version": i32::MAX, "text": text}}),
        );
    }
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 5, "character": 8}}),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    c.finish();
}

#[test]
fn malformed_messages_do_not_stop_the_server() {
    let root = scratch("malformed");
    let mut c = Client::start(&root);
    initialize(&mut c, &root);
    // Not JSON, JSON that is not a request, a request with wrong parameters, an
    // unknown method.
    c.send_raw(b"Content-Length: 9\r\n\r\nnot json!");
    c.send(&json!({"jsonrpc": "2.0", "result": 5}));
    c.send(&json!([1, 2, 3]));
    c.send(&json!({"jsonrpc": "1.0", "id": 1000, "method": "initialize"}));
    // Broken headers, garbage between messages, a body that is not UTF-8.
    c.send_raw(b"Content-Length: lots\r\n\r\n{}");
    c.send_raw(b"garbage without any header\r\n\r\n");
    c.send_raw(b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc");
    c.send_raw(
        b"Content-Type: application/vscode-jsonrpc; charset=latin1\r\nContent-Length: 2\r\n\r\n{}",
    );
    let bad = c.request("textDocument/hover", json!({"textDocument": 7}));
    assert!(bad.get("error").is_some(), "{bad}");
    let unknown = c.request("plumb/doesNotExist", json!({}));
    assert!(unknown.get("error").is_some(), "{unknown}");
    // Still serving.
    let r = c.request("workspace/symbol", json!({"query": ""}));
    assert!(r.get("error").is_none(), "{r}");
    c.finish();
}

#[test]
fn a_client_that_disconnects_mid_message_ends_the_server() {
    let root = scratch("disconnect");
    let plan = root.join("plan.plumb");
    std::fs::write(&plan, "driver x = 1\n").unwrap();
    let mut c = Client::start(&root);
    initialize(&mut c, &root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&plan), "languageId": "plumb", "version": 1, "text": "driver x = 1\n"}}),
    );
    // Half a message, then the pipe closes: no shutdown, no exit.
    c.send_raw(b"Content-Length: 500\r\n\r\n{\"jsonrpc\": \"2.0\", \"id\": 99, \"meth");
    drop(c.stdin.take());
    let code = wait(&mut c.child);
    let stderr = c.stderr.join().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(code.is_some(), "killed by a signal: {stderr}");
}
