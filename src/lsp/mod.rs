//! The language server (`plumb lsp`): LSP over stdio with tower-lsp-server.
//!
//! The only module that knows LSP. Document changes update the text at once and
//! wake one analysis worker, which re-analyses every entry file the open
//! documents belong to from scratch (parse, resolve, check; no evaluation) and
//! keeps the latest and the last clean analysis of each. Evaluation (for values in
//! hover and inlay hints, and for the checks that need numbers) runs afterwards on
//! a blocking thread with a time limit, never on a request's path. Diagnostics are
//! published once the evaluation is in (or its short grace period has passed), so
//! warnings do not flicker while typing. Requests read the latest analysis of the
//! document's entry; they never panic and answer empty for unknown documents.

// `Uri` caches its parse internally; hashing uses only the text (lsp-types keys
// `WorkspaceEdit::changes` by it too).
#![allow(clippy::mutable_key_type)]

mod convert;
mod input;
pub(crate) mod state;

use crate::analysis::{self, complete, fix, lex, Evaluated};
use crate::resolve::SymbolKind as Kind;
use convert::{location, offset, range};
use state::{Analysis, Doc, Entry, Overlay};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::{self as lsp, Uri};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

/// Longest an evaluation may delay diagnostics; past it the checks that need no
/// numbers are published and the evaluation's own results follow when it ends.
pub(crate) const EVAL_TIME_LIMIT: Duration = Duration::from_secs(10);
/// How long fast diagnostics wait for the evaluation before being published.
pub(crate) const EVAL_GRACE: Duration = Duration::from_millis(300);
/// Longest a request waits for the analysis of the document's latest version.
pub(crate) const FRESH_WAIT: Duration = Duration::from_millis(500);

/// Runs the language server on stdin and stdout until the client exits.
/// Returns the process exit code.
pub fn serve() -> u8 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("plumb lsp: cannot start: {e}");
            return 2;
        }
    };
    rt.block_on(async {
        let (service, socket) = LspService::new(Backend::new);
        Server::new(
            input::sanitized(tokio::io::stdin()),
            tokio::io::stdout(),
            socket,
        )
        .serve(service)
        .await;
    });
    rt.shutdown_timeout(Duration::from_millis(100));
    0
}

#[derive(Debug, Default)]
struct State {
    docs: HashMap<PathBuf, Doc>,
    /// Entry files found for each open document (not counting itself).
    discovered: HashMap<PathBuf, Vec<PathBuf>>,
    /// Documents whose entries must be searched for.
    to_discover: HashSet<PathBuf>,
    entries: HashMap<PathBuf, Entry>,
    generation: u64,
    /// What was last published, by URI and entry.
    published: HashMap<Uri, HashMap<PathBuf, Vec<lsp::Diagnostic>>>,
    snippets: bool,
    markdown: bool,
    worker_started: bool,
}

impl State {
    fn overlay(&self) -> Overlay {
        Overlay {
            open: self
                .docs
                .values()
                .map(|d| (d.path.clone(), d.text.clone()))
                .collect(),
            parses: state::parse_caches(&self.entries),
        }
    }

    fn doc_by_uri(&self, uri: &Uri) -> Option<&Doc> {
        self.docs.values().find(|d| &d.uri == uri)
    }
}

struct Inner {
    client: Client,
    state: Mutex<State>,
    /// Held while diagnostics are computed and sent, so an older set can never
    /// overtake a newer one on the way to the client.
    publishing: tokio::sync::Mutex<()>,
    wake: Notify,
    analysed: watch::Sender<u64>,
}

/// The server. Cheap to clone; all state is shared.
#[derive(Clone)]
pub(crate) struct Backend {
    inner: Arc<Inner>,
}

/// What a request works on: the analysis, its file, the last clean analysis and
/// the latest evaluation.
struct Snap {
    a: Arc<Analysis>,
    file: crate::source::FileId,
    good: Option<Arc<Analysis>>,
    ev: Option<Arc<Evaluated>>,
    /// The evaluation belongs to exactly this analysis.
    ev_current: bool,
}

impl Snap {
    fn fallback(&self) -> Option<&crate::compile::Compilation> {
        self.good
            .as_ref()
            .filter(|g| g.generation != self.a.generation)
            .map(|g| &g.compilation)
    }
}

/// True when nothing stops the plan from being evaluated (the plan's own rules,
/// such as RACI, do not).
fn evaluable(c: &crate::compile::Compilation) -> bool {
    !c.diagnostics
        .iter()
        .any(|d| d.is_error() && crate::check::blocks_evaluation(d.code))
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Backend {
    fn new(client: Client) -> Backend {
        let (tx, _) = watch::channel(0);
        Backend {
            inner: Arc::new(Inner {
                client,
                state: Mutex::new(State::default()),
                publishing: tokio::sync::Mutex::new(()),
                wake: Notify::new(),
                analysed: tx,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    fn start_worker(&self) {
        let mut st = self.state();
        if st.worker_started {
            return;
        }
        st.worker_started = true;
        drop(st);
        let me = self.clone();
        tokio::spawn(async move { me.worker().await });
    }

    /// The analysis loop: one round per wake-up, every live entry from scratch.
    async fn worker(self) {
        loop {
            self.inner.wake.notified().await;
            self.round().await;
        }
    }

    /// One round: find the entries of newly opened or saved documents, analyse every
    /// entry an open document belongs to, then store, publish or evaluate.
    async fn round(&self) {
        self.discover_entries().await;
        let (overlay, results, generation) = self.analyse_entries().await;
        let (gone, now, later) = self.store(results, &overlay);
        let _ = self.inner.analysed.send(generation);
        for g in gone {
            self.publish_entry(&g).await;
        }
        for e in now {
            self.publish_entry(&e).await;
        }
        for e in later {
            self.schedule_eval(e.clone());
            let me = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(EVAL_GRACE).await;
                me.publish_entry(&e).await;
            });
        }
    }

    /// Finds the entries of newly opened or saved documents (a document with its own
    /// `plan` is an entry; no need to search).
    async fn discover_entries(&self) {
        let (pending, overlay) = {
            let mut st = self.state();
            let p: Vec<PathBuf> = st.to_discover.drain().collect();
            // A document with its own `plan` is an entry; no need to search.
            let p: Vec<PathBuf> = p
                .into_iter()
                .filter(|d| {
                    st.docs
                        .get(d)
                        .is_some_and(|doc| !state::has_plan(&doc.text))
                })
                .collect();
            (p, st.overlay())
        };
        for doc in pending {
            let ov = overlay.clone();
            let d = doc.clone();
            let found = tokio::task::spawn_blocking(move || state::find_entries(&d, &ov, 20))
                .await
                .unwrap_or_default();
            self.state().discovered.insert(doc, found);
        }
    }

    /// Analyses every entry an open document belongs to, and on its own every open
    /// document no entry reaches; returns the overlay they saw and the generation.
    async fn analyse_entries(&self) -> (Arc<Overlay>, Vec<Analysis>, u64) {
        let (overlay, docs, planned, generation) = {
            let mut st = self.state();
            st.generation += 1;
            let docs: HashMap<PathBuf, (Uri, i32)> = st
                .docs
                .values()
                .map(|d| (d.path.clone(), (d.uri.clone(), d.version)))
                .collect();
            let mut planned: Vec<PathBuf> = Vec::new();
            for d in st.docs.values() {
                if state::has_plan(&d.text) {
                    planned.push(d.path.clone());
                }
                if let Some(found) = st.discovered.get(&d.path) {
                    planned.extend(found.iter().cloned());
                }
            }
            planned.sort();
            planned.dedup();
            (Arc::new(st.overlay()), docs, planned, st.generation)
        };
        let mut results: Vec<Analysis> = Vec::new();
        for entry in &planned {
            let (e, ov, dc) = (entry.clone(), overlay.clone(), docs.clone());
            if let Ok(a) =
                tokio::task::spawn_blocking(move || state::analyse(&e, &ov, &dc, generation, false))
                    .await
            {
                results.push(a);
            }
        }
        // Documents no entry reaches are analysed on their own.
        let lonely: Vec<PathBuf> = docs
            .keys()
            .filter(|p| !results.iter().any(|a| a.paths.contains(p)))
            .cloned()
            .collect();
        for doc in lonely {
            let (ov, dc) = (overlay.clone(), docs.clone());
            if let Ok(a) = tokio::task::spawn_blocking(move || {
                state::analyse(&doc, &ov, &dc, generation, true)
            })
            .await
            {
                results.push(a);
            }
        }
        (overlay, results, generation)
    }

    /// Stores the analyses and drops the entries nothing needs any more; returns those
    /// dropped, the entries to publish now (they have errors) and those to evaluate
    /// first.
    fn store(
        &self,
        results: Vec<Analysis>,
        overlay: &Arc<Overlay>,
    ) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<PathBuf>) {
        let mut now: Vec<PathBuf> = Vec::new();
        let mut later: Vec<PathBuf> = Vec::new();
        let gone: Vec<PathBuf> = {
            let mut st = self.state();
            let keep: HashSet<PathBuf> = results.iter().map(|a| a.entry.clone()).collect();
            let gone: Vec<PathBuf> = st
                .entries
                .keys()
                .filter(|k| !keep.contains(*k))
                .cloned()
                .collect();
            for g in &gone {
                st.entries.remove(g);
            }
            for mut a in results {
                a.overlay = overlay.clone();
                let a = Arc::new(a);
                let errors = !evaluable(&a.compilation);
                let clean = !a
                    .compilation
                    .diagnostics
                    .iter()
                    .any(|d| d.code == crate::diagnostic::Code::Syntax);
                let e = st.entries.entry(a.entry.clone()).or_default();
                if clean {
                    e.last_good = Some(a.clone());
                }
                e.analysis = Some(a.clone());
                if errors {
                    now.push(a.entry.clone());
                } else {
                    later.push(a.entry.clone());
                }
            }
            gone
        };
        (gone, now, later)
    }

    /// Starts evaluating `entry` unless an evaluation is already running (which
    /// then picks up the newest analysis when it ends).
    fn schedule_eval(&self, entry: PathBuf) {
        {
            let mut st = self.state();
            let Some(e) = st.entries.get_mut(&entry) else {
                return;
            };
            if e.eval_running {
                return;
            }
            e.eval_running = true;
        }
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                let target = {
                    let st = me.state();
                    st.entries
                        .get(&entry)
                        .and_then(|e| e.analysis.clone())
                        .filter(|a| evaluable(&a.compilation))
                };
                let Some(a) = target else { break };
                let done = me
                    .state()
                    .entries
                    .get(&entry)
                    .and_then(|e| e.evaluated.as_ref().map(|x| x.0))
                    == Some(a.generation);
                if done {
                    break;
                }
                let (path, ov, alone) = (a.entry.clone(), a.overlay.clone(), a.standalone);
                let mut handle =
                    tokio::task::spawn_blocking(move || state::evaluate(&path, &ov, alone));
                let result = tokio::select! {
                    r = &mut handle => r.ok(),
                    () = tokio::time::sleep(EVAL_TIME_LIMIT) => {
                        me.inner.client.log_message(
                            lsp::MessageType::WARNING,
                            format!("plumb: evaluating {} takes longer than {}s; values and target checks will follow", entry.display(), EVAL_TIME_LIMIT.as_secs()),
                        ).await;
                        me.publish_entry(&entry).await;
                        handle.await.ok()
                    }
                };
                if let Some(ev) = result {
                    if let Some(e) = me.state().entries.get_mut(&entry) {
                        e.evaluated = Some((a.generation, Arc::new(ev)));
                    }
                    me.publish_entry(&entry).await;
                }
            }
            if let Some(e) = me.state().entries.get_mut(&entry) {
                e.eval_running = false;
            }
        });
    }

    /// Publishes the diagnostics of one entry (the evaluated set when it belongs to
    /// the latest analysis, otherwise the fast one), merged per file with what other
    /// entries report there.
    async fn publish_entry(&self, entry: &PathBuf) {
        let _turn = self.inner.publishing.lock().await;
        let mut out: Vec<(Uri, Vec<lsp::Diagnostic>, Option<i32>)> = Vec::new();
        {
            let mut st = self.state();
            let mut per_uri: HashMap<Uri, Vec<lsp::Diagnostic>> = HashMap::new();
            let mut versions: HashMap<Uri, i32> = HashMap::new();
            if let Some(e) = st.entries.get_mut(entry) {
                if let Some(a) = e.analysis.clone() {
                    let full = e
                        .evaluated
                        .as_ref()
                        .filter(|(g, _)| *g == a.generation)
                        .map(|(_, ev)| ev.clone());
                    let key = (a.generation, full.is_some());
                    if e.published_fast == key.0 && e.published_full == key.1 && e.published_once {
                        return;
                    }
                    e.published_fast = key.0;
                    e.published_full = key.1;
                    e.published_once = true;
                    let c = full.as_ref().map_or(&a.compilation, |ev| &ev.compilation);
                    for (i, uri) in a.uris.iter().enumerate() {
                        let id = crate::source::FileId(i as u32);
                        if let Some(u) = uri {
                            if !analysis::is_std(c, id) {
                                per_uri.entry(u.clone()).or_default();
                                if let Some(v) = a.paths.get(i).and_then(|p| a.versions.get(p)) {
                                    versions.insert(u.clone(), *v);
                                }
                            }
                        }
                    }
                    for d in &c.diagnostics {
                        if analysis::is_std(c, d.primary.span.file) {
                            continue;
                        }
                        let (Some(u), Some(ld)) =
                            (a.uri_of(d.primary.span.file), convert::diagnostic(&a, d))
                        else {
                            continue;
                        };
                        per_uri.entry(u.clone()).or_default().push(ld);
                    }
                }
            }
            // URIs this entry reported before but not now: clear its share there.
            for (uri, by_entry) in st.published.iter_mut() {
                if !per_uri.contains_key(uri) && by_entry.remove(entry).is_some() {
                    per_uri.entry(uri.clone()).or_default();
                    by_entry.insert(entry.clone(), Vec::new());
                }
            }
            for (uri, diags) in per_uri {
                let slot = st.published.entry(uri.clone()).or_default();
                slot.insert(entry.clone(), diags);
                let mut all: Vec<lsp::Diagnostic> = Vec::new();
                let mut keys: Vec<&PathBuf> = slot.keys().collect();
                keys.sort();
                for k in keys {
                    for d in slot.get(k).into_iter().flatten() {
                        if !all.contains(d) {
                            all.push(d.clone());
                        }
                    }
                }
                let v = versions.get(&uri).copied();
                out.push((uri, all, v));
            }
            for by_entry in st.published.values_mut() {
                by_entry.retain(|_, v| !v.is_empty());
            }
        }
        for (uri, diags, version) in out {
            self.inner
                .client
                .publish_diagnostics(uri, diags, version)
                .await;
        }
    }

    fn kick(&self) {
        self.start_worker();
        self.inner.wake.notify_one();
    }

    /// The analysis a request on `uri` works on: the entry whose latest analysis
    /// includes the document, waiting briefly for it to catch up with the latest
    /// edit. None for documents the server does not know.
    async fn snap(&self, uri: &Uri) -> Option<Snap> {
        let mut rx = self.inner.analysed.subscribe();
        let deadline = tokio::time::Instant::now() + FRESH_WAIT;
        loop {
            let (snap, fresh) = {
                let st = self.state();
                let (path, version) = match st.doc_by_uri(uri) {
                    Some(d) => (d.path.clone(), Some(d.version)),
                    None => (state::doc_path(uri), None),
                };
                let mut best: Option<(&Entry, Arc<Analysis>)> = None;
                let mut entries: Vec<(&PathBuf, &Entry)> = st.entries.iter().collect();
                entries.sort_by_key(|(k, _)| (*k).clone());
                for (_, e) in entries {
                    let Some(a) = e.analysis.clone() else {
                        continue;
                    };
                    if a.file_of(&path).is_none() {
                        continue;
                    }
                    let better = match &best {
                        None => true,
                        Some((_, b)) => b.standalone && !a.standalone,
                    };
                    if better {
                        best = Some((e, a));
                    }
                }
                match best {
                    Some((e, a)) => {
                        let fresh = version.is_none() || a.versions.get(&path).copied() == version;
                        let file = a.file_of(&path)?;
                        let ev = e.evaluated.as_ref();
                        let snap = Snap {
                            file,
                            good: e.last_good.clone(),
                            ev_current: ev.is_some_and(|(g, _)| *g == a.generation),
                            ev: ev.map(|(_, x)| x.clone()),
                            a,
                        };
                        (Some(snap), fresh)
                    }
                    None => (None, version.is_none()),
                }
            };
            if fresh || tokio::time::Instant::now() >= deadline {
                return snap;
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if tokio::time::timeout(left, rx.changed()).await.is_err() {
                return snap;
            }
        }
    }
}

fn semantic_legend() -> lsp::SemanticTokensLegend {
    use lex::TokenKind as T;
    lsp::SemanticTokensLegend {
        token_types: T::ALL
            .iter()
            .map(|k| match k {
                T::Keyword => lsp::SemanticTokenType::KEYWORD,
                T::Comment => lsp::SemanticTokenType::COMMENT,
                T::String => lsp::SemanticTokenType::STRING,
                T::Number => lsp::SemanticTokenType::NUMBER,
                T::Variable => lsp::SemanticTokenType::VARIABLE,
                T::Function => lsp::SemanticTokenType::FUNCTION,
                T::Parameter => lsp::SemanticTokenType::PARAMETER,
                T::Type => lsp::SemanticTokenType::TYPE,
                T::Class => lsp::SemanticTokenType::CLASS,
                T::Namespace => lsp::SemanticTokenType::NAMESPACE,
                T::Struct => lsp::SemanticTokenType::STRUCT,
                T::EnumMember => lsp::SemanticTokenType::ENUM_MEMBER,
                T::Event => lsp::SemanticTokenType::EVENT,
            })
            .collect(),
        token_modifiers: lex::modifier::NAMES
            .iter()
            .map(|m| lsp::SemanticTokenModifier::new(m))
            .collect(),
    }
}

fn symbol_kind(k: Kind) -> lsp::SymbolKind {
    match k {
        Kind::Plan => lsp::SymbolKind::PACKAGE,
        Kind::Driver => lsp::SymbolKind::VARIABLE,
        Kind::Metric => lsp::SymbolKind::FIELD,
        Kind::Function => lsp::SymbolKind::FUNCTION,
        Kind::Objective => lsp::SymbolKind::OBJECT,
        Kind::Assumption => lsp::SymbolKind::PROPERTY,
        Kind::Dependency => lsp::SymbolKind::INTERFACE,
        Kind::Risk => lsp::SymbolKind::EVENT,
        Kind::Request => lsp::SymbolKind::STRUCT,
        Kind::Raci => lsp::SymbolKind::ARRAY,
        Kind::Initiative => lsp::SymbolKind::MODULE,
        Kind::Scenario => lsp::SymbolKind::NAMESPACE,
        Kind::Trigger => lsp::SymbolKind::EVENT,
        Kind::Department | Kind::Role => lsp::SymbolKind::CLASS,
        Kind::Term => lsp::SymbolKind::STRING,
        Kind::Unit => lsp::SymbolKind::TYPE_PARAMETER,
        Kind::Dimension => lsp::SymbolKind::ENUM,
        Kind::Member => lsp::SymbolKind::ENUM_MEMBER,
        Kind::Budget => lsp::SymbolKind::OBJECT,
    }
}

fn completion_kind(k: complete::CompletionKind) -> lsp::CompletionItemKind {
    use complete::CompletionKind as C;
    match k {
        C::Keyword => lsp::CompletionItemKind::KEYWORD,
        C::Driver => lsp::CompletionItemKind::VARIABLE,
        C::Metric => lsp::CompletionItemKind::FIELD,
        C::Function => lsp::CompletionItemKind::FUNCTION,
        C::Parameter => lsp::CompletionItemKind::VARIABLE,
        C::Unit => lsp::CompletionItemKind::UNIT,
        C::Party => lsp::CompletionItemKind::CLASS,
        C::Term => lsp::CompletionItemKind::TEXT,
        C::Scenario => lsp::CompletionItemKind::MODULE,
        C::Module => lsp::CompletionItemKind::MODULE,
        C::Other => lsp::CompletionItemKind::REFERENCE,
    }
}

fn markdown(value: String) -> lsp::MarkupContent {
    lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value,
    }
}

#[allow(deprecated)]
fn document_symbol(a: &Analysis, s: &analysis::Symbol) -> Option<lsp::DocumentSymbol> {
    let children: Vec<lsp::DocumentSymbol> = s
        .children
        .iter()
        .filter_map(|c| document_symbol(a, c))
        .collect();
    Some(lsp::DocumentSymbol {
        name: s.name.clone(),
        detail: s.detail.clone(),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: range(a, s.span)?,
        selection_range: range(a, s.name_span)?,
        children: (!children.is_empty()).then_some(children),
    })
}

/// Applies one content change to a text.
fn apply_change(text: &mut String, change: lsp::TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(r) => {
            let a = convert::offset_in(text, r.start);
            let b = convert::offset_in(text, r.end).max(a);
            if text.is_char_boundary(a) && text.is_char_boundary(b) {
                text.replace_range(a..b, &change.text);
            }
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        {
            let mut st = self.state();
            let td = params.capabilities.text_document.as_ref();
            st.snippets = td
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false);
            st.markdown = td
                .and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref())
                .is_none_or(|f| f.contains(&lsp::MarkupKind::Markdown));
        }
        self.start_worker();
        Ok(lsp::InitializeResult {
            server_info: Some(lsp::ServerInfo {
                name: "plumb".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(lsp::PositionEncodingKind::UTF16),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                    lsp::TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                        save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                definition_provider: Some(lsp::OneOf::Left(true)),
                references_provider: Some(lsp::OneOf::Left(true)),
                rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_symbol_provider: Some(lsp::OneOf::Left(true)),
                workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
                completion_provider: Some(lsp::CompletionOptions {
                    trigger_characters: Some(vec![".".into(), ":".into()]),
                    ..Default::default()
                }),
                signature_help_provider: Some(lsp::SignatureHelpOptions {
                    trigger_characters: Some(vec!["(".into(), ",".into()]),
                    retrigger_characters: None,
                    work_done_progress_options: Default::default(),
                }),
                semantic_tokens_provider: Some(
                    lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                        lsp::SemanticTokensOptions {
                            legend: semantic_legend(),
                            full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                            range: None,
                            work_done_progress_options: Default::default(),
                        },
                    ),
                ),
                document_formatting_provider: Some(lsp::OneOf::Left(true)),
                inlay_hint_provider: Some(lsp::OneOf::Left(true)),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                    lsp::CodeActionOptions {
                        code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                        ..Default::default()
                    },
                )),
                folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
                ..Default::default()
            },
        })
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        {
            let mut st = self.state();
            let d = params.text_document;
            let path = state::doc_path(&d.uri);
            st.to_discover.insert(path.clone());
            st.docs.insert(
                path.clone(),
                Doc {
                    uri: d.uri,
                    path,
                    text: d.text,
                    version: d.version,
                },
            );
        }
        self.kick();
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        {
            let mut st = self.state();
            let path = state::doc_path(&params.text_document.uri);
            let Some(doc) = st.docs.get_mut(&path) else {
                return;
            };
            if params.text_document.version < doc.version {
                return; // stale
            }
            for change in params.content_changes {
                apply_change(&mut doc.text, change);
            }
            doc.version = params.text_document.version;
        }
        self.kick();
    }

    async fn did_save(&self, params: lsp::DidSaveTextDocumentParams) {
        {
            let mut st = self.state();
            let path = state::doc_path(&params.text_document.uri);
            let open: Vec<PathBuf> = st.docs.keys().cloned().collect();
            st.to_discover.extend(open);
            if let (Some(text), Some(doc)) = (params.text, st.docs.get_mut(&path)) {
                doc.text = text;
            }
        }
        self.kick();
    }

    async fn did_change_watched_files(&self, _: lsp::DidChangeWatchedFilesParams) {
        // Files changed on disk: imports may reach other files now.
        {
            let mut st = self.state();
            let open: Vec<PathBuf> = st.docs.keys().cloned().collect();
            st.to_discover.extend(open);
        }
        self.kick();
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        {
            let mut st = self.state();
            let path = state::doc_path(&params.text_document.uri);
            st.docs.remove(&path);
            st.discovered.remove(&path);
            st.to_discover.remove(&path);
        }
        self.kick();
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let p = params.text_document_position_params;
        let Some(s) = self.snap(&p.text_document.uri).await else {
            return Ok(None);
        };
        let at = offset(&s.a, s.file, p.position);
        let ev = s.ev.as_deref();
        let Some(mut h) = analysis::hover(&s.a.compilation, s.fallback(), ev, s.file, at) else {
            return Ok(None);
        };
        if !s.ev_current && h.markdown.contains("Base scenario") {
            h.markdown.push_str(
                "\n\n*values as of the last evaluation; the latest edit is being evaluated*",
            );
        }
        let md = self.state().markdown;
        let contents = if md {
            lsp::HoverContents::Markup(markdown(h.markdown))
        } else {
            lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::PlainText,
                value: h.markdown,
            })
        };
        Ok(Some(lsp::Hover {
            contents,
            range: if h.span.file == s.file {
                range(&s.a, h.span)
            } else {
                None
            },
        }))
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        let Some(s) = self.snap(&p.text_document.uri).await else {
            return Ok(None);
        };
        let at = offset(&s.a, s.file, p.position);
        let Some(span) = analysis::definition(&s.a.compilation, s.file, at) else {
            return Ok(None);
        };
        Ok(location(&s.a, span).map(lsp::GotoDefinitionResponse::Scalar))
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let p = params.text_document_position;
        let Some(s) = self.snap(&p.text_document.uri).await else {
            return Ok(None);
        };
        let at = offset(&s.a, s.file, p.position);
        let spans = analysis::references(
            &s.a.compilation,
            s.file,
            at,
            params.context.include_declaration,
        );
        Ok(Some(
            spans
                .into_iter()
                .filter_map(|sp| location(&s.a, sp))
                .collect(),
        ))
    }

    async fn prepare_rename(
        &self,
        p: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        let Some(s) = self.snap(&p.text_document.uri).await else {
            return Ok(None);
        };
        let at = offset(&s.a, s.file, p.position);
        match analysis::prepare_rename(&s.a.compilation, s.file, at) {
            Ok((span, placeholder)) => Ok(range(&s.a, span).map(|range| {
                lsp::PrepareRenameResponse::RangeWithPlaceholder { range, placeholder }
            })),
            Err(msg) => Err(Error::invalid_params(msg)),
        }
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let p = params.text_document_position;
        let Some(s) = self.snap(&p.text_document.uri).await else {
            return Ok(None);
        };
        let at = offset(&s.a, s.file, p.position);
        let edits = analysis::rename(&s.a.compilation, s.file, at, params.new_name.trim())
            .map_err(Error::invalid_params)?;
        let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
        for e in edits {
            let (Some(uri), Some(range)) = (s.a.uri_of(e.span.file), range(&s.a, e.span)) else {
                continue;
            };
            changes.entry(uri.clone()).or_default().push(lsp::TextEdit {
                range,
                new_text: e.text,
            });
        }
        Ok(Some(lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }))
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        let Some(s) = self.snap(&params.text_document.uri).await else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for g in analysis::document_symbols(&s.a.compilation, s.file) {
            let children: Vec<lsp::DocumentSymbol> = g
                .symbols
                .iter()
                .filter_map(|x| document_symbol(&s.a, x))
                .collect();
            let (Some(first), Some(start), Some(end)) = (
                children.first(),
                children.iter().map(|c| c.range.start).min(),
                children.iter().map(|c| c.range.end).max(),
            ) else {
                continue;
            };
            #[allow(deprecated)]
            out.push(lsp::DocumentSymbol {
                name: g.label.to_string(),
                detail: Some(format!("{}", children.len())),
                kind: symbol_kind(g.kind),
                tags: None,
                deprecated: None,
                range: lsp::Range { start, end },
                selection_range: first.selection_range,
                children: Some(children),
            });
        }
        Ok(Some(lsp::DocumentSymbolResponse::Nested(out)))
    }

    async fn symbol(
        &self,
        params: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::OneOf<Vec<lsp::SymbolInformation>, Vec<lsp::WorkspaceSymbol>>>> {
        let analyses: Vec<Arc<Analysis>> = {
            let st = self.state();
            let mut v: Vec<(PathBuf, Arc<Analysis>)> = st
                .entries
                .iter()
                .filter_map(|(k, e)| e.analysis.clone().map(|a| (k.clone(), a)))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v.into_iter().map(|x| x.1).collect()
        };
        let mut out: Vec<lsp::SymbolInformation> = Vec::new();
        for a in &analyses {
            for d in analysis::workspace_symbols(&a.compilation, &params.query) {
                let Some(loc) = location(a, d.name_span) else {
                    continue;
                };
                if out.iter().any(|o| o.location == loc) || out.len() >= 1000 {
                    continue;
                }
                #[allow(deprecated)]
                out.push(lsp::SymbolInformation {
                    name: d.name.clone(),
                    kind: symbol_kind(d.kind),
                    tags: None,
                    deprecated: None,
                    location: loc,
                    container_name: a.compilation.sources.get(d.name_span.file).map(|f| {
                        std::path::Path::new(&f.name)
                            .file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_else(|| f.name.clone())
                    }),
                });
            }
        }
        Ok(Some(lsp::OneOf::Left(out)))
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let p = params.text_document_position;
        let Some(s) = self.snap(&p.text_document.uri).await else {
            return Ok(None);
        };
        let at = offset(&s.a, s.file, p.position);
        let list = complete::completions(&s.a.compilation, s.fallback(), s.file, at);
        let snippets = self.state().snippets;
        let Some(src) = s.a.compilation.sources.get(s.file) else {
            return Ok(None);
        };
        let replace = lsp::Range {
            start: convert::position(src, list.word_start),
            end: convert::position(src, at),
        };
        let items = list
            .items
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let (text, format) = match (&c.snippet, snippets) {
                    (Some(sn), true) if !sn.is_empty() => {
                        (sn.clone(), lsp::InsertTextFormat::SNIPPET)
                    }
                    _ => (c.label.clone(), lsp::InsertTextFormat::PLAIN_TEXT),
                };
                lsp::CompletionItem {
                    label: c.label.clone(),
                    kind: Some(completion_kind(c.kind)),
                    detail: c.detail.clone(),
                    documentation: c
                        .documentation
                        .clone()
                        .map(|d| lsp::Documentation::MarkupContent(markdown(d))),
                    sort_text: Some(format!("{i:05}")),
                    filter_text: Some(c.label.clone()),
                    insert_text_format: Some(format),
                    text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                        range: replace,
                        new_text: text,
                    })),
                    ..Default::default()
                }
            })
            .collect();
        Ok(Some(lsp::CompletionResponse::List(lsp::CompletionList {
            is_incomplete: false,
            items,
        })))
    }

    async fn signature_help(
        &self,
        params: lsp::SignatureHelpParams,
    ) -> Result<Option<lsp::SignatureHelp>> {
        let p = params.text_document_position_params;
        let Some(s) = self.snap(&p.text_document.uri).await else {
            return Ok(None);
        };
        let at = offset(&s.a, s.file, p.position);
        let Some(h) = complete::signature_help(&s.a.compilation, s.fallback(), s.file, at) else {
            return Ok(None);
        };
        let signatures = h
            .signatures
            .iter()
            .map(|sig| lsp::SignatureInformation {
                label: sig.label.clone(),
                documentation: sig
                    .documentation
                    .clone()
                    .map(|d| lsp::Documentation::MarkupContent(markdown(d))),
                parameters: Some(
                    sig.params
                        .iter()
                        .map(|(a, b)| lsp::ParameterInformation {
                            label: lsp::ParameterLabel::LabelOffsets([
                                convert::utf16_len(sig.label.get(..*a).unwrap_or("")),
                                convert::utf16_len(sig.label.get(..*b).unwrap_or("")),
                            ]),
                            documentation: None,
                        })
                        .collect(),
                ),
                active_parameter: None,
            })
            .collect();
        Ok(Some(lsp::SignatureHelp {
            signatures,
            active_signature: Some(h.active_signature as u32),
            active_parameter: Some(h.active_parameter as u32),
        }))
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        let Some(s) = self.snap(&params.text_document.uri).await else {
            return Ok(None);
        };
        let Some(src) = s.a.compilation.sources.get(s.file) else {
            return Ok(None);
        };
        let mut data = Vec::new();
        let (mut pl, mut pc) = (0u32, 0u32);
        for t in lex::semantic_tokens(&s.a.compilation, s.file) {
            let (line, col) = src.utf16_position(t.start);
            let len =
                convert::utf16_len(src.text.get(t.start as usize..t.end as usize).unwrap_or(""));
            if len == 0 {
                continue;
            }
            let delta_line = line - pl;
            let delta_start = if delta_line == 0 { col - pc } else { col };
            data.push(lsp::SemanticToken {
                delta_line,
                delta_start,
                length: len,
                token_type: t.kind.index(),
                token_modifiers_bitset: t.modifiers,
            });
            pl = line;
            pc = col;
        }
        Ok(Some(lsp::SemanticTokensResult::Tokens(
            lsp::SemanticTokens {
                result_id: None,
                data,
            },
        )))
    }

    async fn formatting(
        &self,
        params: lsp::DocumentFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        let text = {
            let st = self.state();
            match st.doc_by_uri(&params.text_document.uri) {
                Some(d) => d.text.clone(),
                None => return Ok(None),
            }
        };
        // The same as `plumb fmt`: refused while the file has syntax errors.
        let formatted = match crate::fmt::format_source(&text, crate::source::FileId(0)) {
            Ok(f) => f,
            Err(crate::fmt::FormatError::Syntax(_)) => {
                self.inner
                    .client
                    .log_message(
                        lsp::MessageType::INFO,
                        "plumb: not formatted: the file has syntax errors",
                    )
                    .await;
                return Ok(None);
            }
            Err(crate::fmt::FormatError::Internal(why)) => {
                self.inner
                    .client
                    .log_message(
                        lsp::MessageType::ERROR,
                        format!("plumb fmt refused its own output: {why}"),
                    )
                    .await;
                return Ok(None);
            }
        };
        let src = crate::source::SourceFile::new("", text.clone());
        let edits = fix::minimal_edit(crate::source::FileId(0), &text, &formatted)
            .into_iter()
            .map(|e| lsp::TextEdit {
                range: lsp::Range {
                    start: convert::position(&src, e.span.start),
                    end: convert::position(&src, e.span.end),
                },
                new_text: e.text,
            })
            .collect();
        Ok(Some(edits))
    }

    async fn inlay_hint(
        &self,
        params: lsp::InlayHintParams,
    ) -> Result<Option<Vec<lsp::InlayHint>>> {
        let Some(s) = self.snap(&params.text_document.uri).await else {
            return Ok(None);
        };
        let a0 = offset(&s.a, s.file, params.range.start);
        let a1 = offset(&s.a, s.file, params.range.end);
        let Some(src) = s.a.compilation.sources.get(s.file) else {
            return Ok(None);
        };
        let hints = analysis::inlay_hints(&s.a.compilation, s.ev.as_deref(), s.file, a0, a1)
            .into_iter()
            .map(|h| lsp::InlayHint {
                position: convert::position(src, h.offset),
                label: lsp::InlayHintLabel::String(h.label),
                kind: match h.kind {
                    analysis::HintKind::Unit => Some(lsp::InlayHintKind::TYPE),
                    analysis::HintKind::Value => None,
                },
                text_edits: None,
                tooltip: h.tooltip.map(lsp::InlayHintTooltip::String),
                padding_left: Some(h.kind == analysis::HintKind::Value),
                padding_right: None,
                data: None,
            })
            .collect();
        Ok(Some(hints))
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let Some(s) = self.snap(&params.text_document.uri).await else {
            return Ok(None);
        };
        let a0 = offset(&s.a, s.file, params.range.start);
        let a1 = offset(&s.a, s.file, params.range.end);
        // The evaluated compilation has every diagnostic (same texts as the analysis).
        let ev = s.ev.as_ref().filter(|_| s.ev_current);
        let c = ev.map_or(&s.a.compilation, |e| &e.compilation);
        let mut out = Vec::new();
        for f in fix::code_actions(c, s.file, a0, a1) {
            let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
            for e in &f.edits {
                let (Some(uri), Some(range)) = (s.a.uri_of(e.span.file), range(&s.a, e.span))
                else {
                    continue;
                };
                changes.entry(uri.clone()).or_default().push(lsp::TextEdit {
                    range,
                    new_text: e.text.clone(),
                });
            }
            let diag = c
                .diagnostics
                .get(f.diagnostic)
                .and_then(|d| convert::diagnostic(&s.a, d));
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: f.title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: diag.map(|d| vec![d]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some(changes),
                    ..Default::default()
                }),
                is_preferred: Some(f.preferred),
                ..Default::default()
            }));
        }
        Ok(Some(out))
    }

    async fn folding_range(
        &self,
        params: lsp::FoldingRangeParams,
    ) -> Result<Option<Vec<lsp::FoldingRange>>> {
        let Some(s) = self.snap(&params.text_document.uri).await else {
            return Ok(None);
        };
        Ok(Some(
            analysis::folding_ranges(&s.a.compilation, s.file)
                .into_iter()
                .map(|f| lsp::FoldingRange {
                    start_line: f.start_line,
                    start_character: None,
                    end_line: f.end_line,
                    end_character: None,
                    kind: Some(match f.kind {
                        analysis::FoldKind::Region => lsp::FoldingRangeKind::Region,
                        analysis::FoldKind::Comment => lsp::FoldingRangeKind::Comment,
                    }),
                    collapsed_text: None,
                })
                .collect(),
        ))
    }
}
