//! The error of reading JSON text.

use std::fmt;

/// Text that is not one valid JSON value: where it went wrong and what was expected there.
///
/// Written by hand (no `thiserror`) so the types-only build compiles no proc macro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonTextError {
    offset: usize,
    expected: &'static str,
}

impl JsonTextError {
    pub(super) fn new(offset: usize, expected: &'static str) -> Self {
        Self { offset, expected }
    }

    /// The byte offset in the text where the problem is.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What the text should have had at [`offset`](Self::offset), e.g. "`,` or `}`".
    pub fn expected(&self) -> &str {
        self.expected
    }
}

impl fmt::Display for JsonTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid JSON at byte {}: expected {}",
            self.offset, self.expected
        )
    }
}

impl std::error::Error for JsonTextError {}
