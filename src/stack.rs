//! Stack safety for the recursive walks over expressions.
//!
//! Parsing, resolving, unit checking and evaluation walk expression trees
//! recursively. Their depth is bounded by
//! [`MAX_EXPR_DEPTH`](crate::syntax::limits::MAX_EXPR_DEPTH), but a debug build's
//! frames are large and the language server runs on small worker stacks, so each
//! recursive step goes through [`guard`]: when less than [`RED_ZONE`] bytes of
//! stack remain, the step continues on a fresh heap-allocated stack segment
//! (the `stacker` crate, which pest itself uses for the same purpose).

/// Stack that must remain before a recursive step runs on the current stack.
pub(crate) const RED_ZONE: usize = 256 * 1024;
/// Size of each extra stack segment.
pub(crate) const SEGMENT: usize = 4 * 1024 * 1024;

/// Runs `f`, on a new stack segment if the current one is nearly used up.
#[inline]
pub(crate) fn guard<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
