//! JSON pointers (RFC 6901) naming the place in a document an error is about.

use std::fmt;

/// A JSON pointer such as `/components/schemas/io.k8s.api.core.v1.Pod/properties/spec`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pointer(String);

impl Pointer {
    /// The pointer to the whole document (`""`).
    pub fn root() -> Self {
        Self(String::new())
    }

    /// A pointer one level deeper; escapes `~` and `/` in the token.
    #[must_use]
    pub fn push(&self, token: &str) -> Self {
        let mut s = String::with_capacity(self.0.len() + token.len() + 1);
        s.push_str(&self.0);
        s.push('/');
        s.push_str(&token.replace('~', "~0").replace('/', "~1"));
        Self(s)
    }

    /// This pointer followed by a relative one (`/a` joined with `/b/c` is `/a/b/c`).
    #[must_use]
    pub fn join(&self, rel: &Pointer) -> Self {
        Self(format!("{}{}", self.0, rel.0))
    }

    pub(crate) fn from_serde_path(path: &serde_path_to_error::Path) -> Self {
        let mut pointer = Self::root();
        for segment in path.iter() {
            pointer = match segment {
                serde_path_to_error::Segment::Seq { index } => pointer.push(&index.to_string()),
                serde_path_to_error::Segment::Map { key } => pointer.push(key),
                serde_path_to_error::Segment::Enum { variant } => pointer.push(variant),
                serde_path_to_error::Segment::Unknown => pointer.push("?"),
            };
        }
        pointer
    }

    /// The pointer as text (`/components/schemas/Pod`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("/")
        } else {
            f.write_str(&self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_tokens() {
        let p = Pointer::root().push("paths").push("/api/v1").push("a~b");
        assert_eq!(p.as_str(), "/paths/~1api~1v1/a~0b");
        assert_eq!(Pointer::root().to_string(), "/");
    }
}
