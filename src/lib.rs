//! dermls: read dermatology encounter notes, extract what they document, and
//! derive the claim (CPT codes, modifiers, units) a coder would submit.
//!
//! The analysis core (`note`, `extract`, `codes`, `rules`) is text in, plain
//! data out: it does no IO and knows nothing of the language-server protocol.
//! The command line (`src/main.rs`) and the language server (`lsp`) sit on
//! top of it.

pub mod analysis;
pub mod codes;
pub mod corpus;
pub mod extract;
pub mod fix;
pub mod incremental;
pub mod lines;
pub mod lsp;
pub mod note;
mod phrase;
mod re;
pub mod rules;
pub mod shift;
pub mod span;
pub mod vocab;

pub use analysis::{Analysis, Options, analyze};
pub use span::Span;
