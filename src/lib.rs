//! Plumb
pub mod diagnostic;
pub mod source;
pub mod suggest;
pub mod syntax;
