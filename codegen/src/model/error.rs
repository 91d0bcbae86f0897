//! Errors from building the model: each names the file and JSON pointer of the schema.

use std::path::PathBuf;

use crate::spec::Pointer;

/// Why the schemas do not make a model; each names the document and the schema's place in it.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A schema the generator cannot turn into a type (without `--lenient`).
    #[error("{} at {pointer}: unsupported schema: {message}", file.display())]
    Unsupported {
        /// The document.
        file: PathBuf,
        /// Where the schema is in it.
        pointer: Pointer,
        /// What is wrong.
        message: String,
    },
    /// A known spec fix-up whose schema changed: the fix-up must be revisited.
    #[error("{} at {pointer}: {message}", file.display())]
    FixupNoLongerApplies {
        /// The document.
        file: PathBuf,
        /// Where the schema is in it.
        pointer: Pointer,
        /// What is wrong.
        message: String,
    },
    /// A reference to a schema that is neither in the spec nor mapped to an external type.
    #[error("schema {name} is referenced but not handled: {message}")]
    UnknownExtern {
        /// The schema's name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// Two schemas that want the same Rust name or module.
    #[error("{} at {pointer}: {message}", file.display())]
    Conflict {
        /// The document.
        file: PathBuf,
        /// Where the schema is in it.
        pointer: Pointer,
        /// What is wrong.
        message: String,
    },
}
