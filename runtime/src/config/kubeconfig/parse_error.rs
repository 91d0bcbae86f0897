//! The error of parsing a kubeconfig's text.

use std::fmt;

use crate::config::yaml::Mark;

/// Why a kubeconfig's text did not parse: the path of the field at fault
/// (`users[1].user.exec.args[0]`, `.` for the document or a YAML syntax error), what is
/// wrong, and the line and column of the node (or of the syntax error).
///
/// The message never quotes a string's content, which may be a secret in the wrong place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(Box<Inner>);

/// Boxed: errors are rare and results carrying one should stay small.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    field: String,
    message: String,
    line: usize,
    column: usize,
}

impl ParseError {
    pub(super) fn new(field: String, message: String, mark: Mark) -> Self {
        Self(Box::new(Inner {
            field,
            message,
            line: mark.line,
            column: mark.column,
        }))
    }

    /// The path of the field at fault, like `users[0].user.exec.args`; `.` for the document.
    pub fn field(&self) -> &str {
        &self.0.field
    }

    /// What is wrong, without path or position.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The line (from 1) of the node at fault.
    pub fn line(&self) -> usize {
        self.0.line
    }

    /// The column (from 1, in characters) of the node at fault.
    pub fn column(&self) -> usize {
        self.0.column
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.0;
        if e.field != "." {
            write!(f, "{}: ", e.field)?;
        }
        write!(f, "{} at line {} column {}", e.message, e.line, e.column)
    }
}

impl std::error::Error for ParseError {}
