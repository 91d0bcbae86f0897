//! Errors from building the model: each names the file and JSON pointer of the schema.

use std::path::PathBuf;

use crate::spec::Pointer;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{} at {pointer}: unsupported schema: {message}", file.display())]
    Unsupported {
        file: PathBuf,
        pointer: Pointer,
        message: String,
    },
    #[error("{} at {pointer}: {message}", file.display())]
    FixupNoLongerApplies {
        file: PathBuf,
        pointer: Pointer,
        message: String,
    },
    #[error("schema {name} is referenced but not handled: {message}")]
    UnknownExtern { name: String, message: String },
    #[error("{} at {pointer}: {message}", file.display())]
    Conflict {
        file: PathBuf,
        pointer: Pointer,
        message: String,
    },
}
