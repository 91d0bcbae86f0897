//! Reading typed values out of the parsed YAML tree by hand, keeping the path of the value
//! being read (`users[1].user.exec.args[0]`) for errors, which also give the node's line
//! and column.
//!
//! The rules follow what kubectl accepts: unknown fields and non-string keys of a struct are
//! ignored, `null` (or nothing) where a struct, list or map is expected reads as empty, any
//! scalar where a string is expected reads as its exact text, and a boolean field takes
//! YAML 1.1's words too (`yes`, `On`, ...), as go-yaml reads them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::ParseError;
use crate::config::yaml::{duplicate_key, Mark, Node, TreeError, Typed, Value};

/// Why a kubeconfig did not parse (the public error is built from it).
pub(crate) type Failure = ParseError;

pub(crate) type Result<T> = std::result::Result<T, Failure>;

/// A function reading one value; `fn` pointers rather than closures, so each generic
/// helper below is compiled once per result type, not once per field.
pub(crate) type Read<T> = fn(&mut Reader, &Node) -> Result<T>;

/// The entries of a struct's mapping.
pub(crate) type Fields<'v> = Option<&'v [(Node, Node)]>;

/// How a path segment is written in messages.
#[derive(Clone, Debug)]
enum Name {
    Field(&'static str),
    Key(String),
    Index(usize),
    /// The key of a map entry (shown as `?`, as `serde_path_to_error` did).
    AKey,
}

/// Reads values of one document, tracking where in it the current value is.
#[derive(Default)]
pub(crate) struct Reader {
    names: Vec<Name>,
}

impl Reader {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The current path, as `users[1].user.exec.args[0]`; `.` for the document.
    fn path(&self) -> String {
        if self.names.is_empty() {
            return ".".to_owned();
        }
        let mut out = String::new();
        for (i, name) in self.names.iter().enumerate() {
            let dot = if i == 0 { "" } else { "." };
            // Writing to a String cannot fail.
            let _ = match name {
                Name::Field(f) => write!(out, "{dot}{f}"),
                Name::Key(k) => write!(out, "{dot}{k}"),
                Name::AKey => write!(out, "{dot}?"),
                Name::Index(n) => write!(out, "[{n}]"),
            };
        }
        out
    }

    /// Runs `read` on a child node, with the path extended while it runs (and left
    /// extended on error, where the path is what the error names).
    fn enter<T>(&mut self, name: Name, v: &Node, read: Read<T>) -> Result<T> {
        self.names.push(name);
        let out = read(self, v)?;
        self.names.pop();
        Ok(out)
    }

    /// An error at `mark` with the current path.
    fn fail(&self, mark: Mark, message: String) -> Failure {
        ParseError::new(self.path(), message, mark)
    }

    /// An error at the current node: `invalid type: <what v is>, expected <expected>`.
    /// Never quotes a string's content, which may be a secret in the wrong place.
    pub(crate) fn invalid(&self, v: &Node, expected: &str) -> Failure {
        self.fail(
            v.mark,
            format!("invalid type: {}, expected {expected}", describe(v)),
        )
    }

    /// The field `name` of a struct's mapping, read by `read`; `None` when absent.
    pub(crate) fn field<T>(
        &mut self,
        m: Fields<'_>,
        name: &'static str,
        read: Read<T>,
    ) -> Result<Option<T>> {
        match find(m, name) {
            Some(v) => self.enter(Name::Field(name), v, read).map(Some),
            None => Ok(None),
        }
    }

    /// The mapping of a struct; `None` (all fields absent) for `null`. A key given twice
    /// is an error: which one kubectl would take is unclear.
    pub(crate) fn fields<'v>(&self, v: &'v Node, what: &str) -> Result<Fields<'v>> {
        match &v.value {
            Value::Mapping(m) => {
                self.no_duplicates(m)?;
                Ok(Some(m))
            }
            _ if v.is_null() => Ok(None),
            _ => Err(self.invalid(v, what)),
        }
    }

    /// Any scalar, as its exact text: `0123`, `true`, `~` as written.
    pub(crate) fn string(&mut self, v: &Node) -> Result<String> {
        match &v.value {
            Value::Scalar(s) => Ok(s.text.clone()),
            _ => Err(self.invalid(v, "a string")),
        }
    }

    /// An optional string field: `null` is absent.
    pub(crate) fn opt_string(&mut self, v: &Node) -> Result<Option<String>> {
        if v.is_null() {
            return Ok(None);
        }
        self.string(v).map(Some)
    }

    /// A string field that reads `null` as empty.
    pub(crate) fn string_or_empty(&mut self, v: &Node) -> Result<String> {
        Ok(self.opt_string(v)?.unwrap_or_default())
    }

    /// An optional boolean field: YAML 1.2's `true`/`false` (any of `true`, `True`,
    /// `TRUE`) and, unquoted, YAML 1.1's `yes`/`no`/`on`/`off`/`y`/`n` in the same cases,
    /// as go-yaml reads a bool field. A quoted string is wrong.
    pub(crate) fn opt_bool(&mut self, v: &Node) -> Result<Option<bool>> {
        let Value::Scalar(s) = &v.value else {
            return Err(self.invalid(v, "a boolean"));
        };
        match &s.typed {
            Typed::Null => Ok(None),
            Typed::Bool(b) => Ok(Some(*b)),
            Typed::Str if s.plain => match yaml11_bool(&s.text) {
                Some(b) => Ok(Some(b)),
                None => Err(self.invalid(v, "a boolean")),
            },
            _ => Err(self.invalid(v, "a boolean")),
        }
    }

    /// Any node as JSON, kept uninterpreted; `null` is absent.
    pub(crate) fn opt_json(&mut self, v: &Node) -> Result<Option<serde_json::Value>> {
        if v.is_null() {
            return Ok(None);
        }
        v.to_json().map(Some).map_err(|e| self.tree_error(e))
    }

    /// An error naming the mapping's path and the later of two equal keys.
    fn no_duplicates(&self, entries: &[(Node, Node)]) -> Result<()> {
        match duplicate_key(entries) {
            None => Ok(()),
            Some(k) => {
                let key = match &k.value {
                    Value::Scalar(s) => s.text.as_str(),
                    _ => "",
                };
                Err(self.fail(k.mark, format!("duplicate entry with key {key:?}")))
            }
        }
    }

    /// A tree error found below the current node.
    fn tree_error(&self, e: TreeError) -> Failure {
        self.fail(e.mark, e.message)
    }

    /// A sequence read item by item; `null` is empty.
    pub(crate) fn list<T>(&mut self, v: &Node, read: Read<T>) -> Result<Vec<T>> {
        match &v.value {
            Value::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.enter(Name::Index(i), item, read)?);
                }
                Ok(out)
            }
            _ if v.is_null() => Ok(Vec::new()),
            _ => Err(self.invalid(v, "a sequence")),
        }
    }

    /// A sequence of strings.
    pub(crate) fn strings(&mut self, v: &Node) -> Result<Vec<String>> {
        self.list(v, Reader::string)
    }

    /// An optional sequence of strings: `null` is absent.
    pub(crate) fn opt_strings(&mut self, v: &Node) -> Result<Option<Vec<String>>> {
        if v.is_null() {
            return Ok(None);
        }
        self.strings(v).map(Some)
    }

    /// A mapping with string keys (any scalar key reads as its text); `null` is empty.
    /// A key written twice is an error, but as different scalars (`1` and `'1'`) the
    /// later value is kept.
    pub(crate) fn map<T>(&mut self, v: &Node, read: Read<T>) -> Result<BTreeMap<String, T>> {
        let m = match &v.value {
            Value::Mapping(m) => m,
            _ if v.is_null() => return Ok(BTreeMap::new()),
            _ => return Err(self.invalid(v, "a map")),
        };
        self.no_duplicates(m)?;
        let mut out = BTreeMap::new();
        for (k, item) in m {
            let key = self.enter(Name::AKey, k, Reader::string)?;
            let value = self.enter(Name::Key(key.clone()), item, read)?;
            out.insert(key, value);
        }
        Ok(out)
    }
}

/// The value of the entry `name` of a struct's mapping.
fn find<'v>(m: Fields<'v>, name: &str) -> Option<&'v Node> {
    m?.iter()
        .find_map(|(k, v)| (k.as_str() == Some(name)).then_some(v))
}

/// A YAML 1.1 boolean word, as go-yaml (v2, what kubectl's `sigs.k8s.io/yaml` uses)
/// resolves it.
fn yaml11_bool(text: &str) -> Option<bool> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// What a node is, for `invalid type: ...` messages.
fn describe(v: &Node) -> String {
    match &v.value {
        Value::Scalar(s) => match &s.typed {
            Typed::Null => "null".to_owned(),
            Typed::Bool(b) => format!("boolean `{b}`"),
            Typed::Number(n) if n.is_f64() => format!("floating point `{n}`"),
            Typed::Number(n) => format!("integer `{n}`"),
            Typed::Str => "string".to_owned(),
        },
        Value::Sequence(_) => "sequence".to_owned(),
        Value::Mapping(_) => "map".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::yaml;

    fn tree(text: &str) -> Node {
        yaml::parse(text).unwrap().unwrap()
    }

    #[test]
    fn path_names_fields_indexes_and_keys() {
        let root = tree("a:\n  k 1: [x, [y]]\n");
        let mut r = Reader::new();
        let fields = r.fields(&root, "struct T").unwrap();
        let e = r
            .field(fields, "a", |r, v| r.map(v, Reader::strings))
            .unwrap_err();
        assert_eq!(e.field(), "a.k 1[1]");
        assert_eq!(
            e.to_string(),
            "a.k 1[1]: invalid type: sequence, expected a string at line 2 column 12"
        );
    }

    #[test]
    fn strings_are_never_quoted_in_errors() {
        let root = tree("a: sekret\n");
        let mut r = Reader::new();
        let fields = r.fields(&root, "struct T").unwrap();
        let e = r
            .field(fields, "a", |r, v| r.list(v, Reader::string))
            .unwrap_err();
        assert!(!e.to_string().contains("sekret"), "{e}");
        assert!(e
            .to_string()
            .contains("invalid type: string, expected a sequence"));
    }

    #[test]
    fn booleans_as_go_yaml_reads_them() {
        let root = tree("[true, False, yes, On, N, OFF, ~, 'yes', \"true\", 1, maybe, [x]]");
        let Value::Sequence(items) = &root.value else {
            panic!()
        };
        let mut r = Reader::new();
        let got: Vec<_> = items.iter().map(|v| r.opt_bool(v).ok()).collect();
        assert_eq!(
            got,
            [
                Some(Some(true)),
                Some(Some(false)),
                Some(Some(true)),
                Some(Some(true)),
                Some(Some(false)),
                Some(Some(false)),
                Some(None),
                None,
                None,
                None,
                None,
                None
            ]
        );
        let e = r.opt_bool(&items[9]).unwrap_err();
        assert!(
            e.to_string()
                .contains("invalid type: integer `1`, expected a boolean at line 1"),
            "{e}"
        );
    }
}
