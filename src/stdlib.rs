//! The standard library: Plumb modules written in Plumb, embedded in the binary
//! and imported with `import std.NAME`.

/// Every module: (name, source).
pub const MODULES: &[(&str, &str)] = &[
    ("curves", include_str!("../stdlib/curves.plumb")),
    ("finance", include_str!("../stdlib/finance.plumb")),
    ("saas", include_str!("../stdlib/saas.plumb")),
];

/// The source of module `name`.
pub(crate) fn module(name: &str) -> Option<&'static str> {
    MODULES.iter().find(|m| m.0 == name).map(|m| m.1)
}
