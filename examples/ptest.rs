fn main() {
    let p = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    let r = plumb::syntax::parse(&text, plumb::source::FileId(0));
    let mut sm = plumb::source::SourceMap::new();
    sm.add(plumb::source::SourceFile::new(p.clone(), text.clone()));
    for d in &r.diagnostics { print!("{}", plumb::diagnostic::render_human(d, &sm, Default::default())); }
    println!("{} decls", r.file.decls.len());
    if std::env::args().nth(2).is_some() { println!("{:#?}", r.file.decls); }
}
