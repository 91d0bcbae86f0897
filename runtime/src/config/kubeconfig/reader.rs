//! Reading typed values out of a parsed YAML tree by hand, keeping the path of the value
//! being read (`users[1].user.exec.args[0]`) for errors.
//!
//! Derived `Deserialize` impls instantiated for `serde_yaml_ng` (and a path-tracking
//! wrapper) were most of the kubeconfig's compiled code; here the tree's `Deserialize` is
//! compiled once and these readers are plain functions. The rules follow what the derived
//! impls did: unknown fields and non-string keys of a struct are ignored, `null` (or
//! nothing) where a struct, list or map is expected reads as empty, and any scalar where a
//! string is expected reads as its text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_yaml_ng::{Mapping, Value};

use super::locate::{self, Step};

/// Why a kubeconfig did not parse: the path of the field at fault (`.` for the document)
/// and the YAML error, which gives the line and column.
#[derive(Debug)]
pub(crate) struct Failure {
    pub field: String,
    pub error: serde_yaml_ng::Error,
}

pub(crate) type Result<T> = std::result::Result<T, Failure>;

/// A function reading one value; `fn` pointers rather than closures, so each generic
/// helper below is compiled once per result type, not once per field.
pub(crate) type Read<'t, T> = fn(&mut Reader<'t>, &Value) -> Result<T>;

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
pub(crate) struct Reader<'t> {
    /// The document's text, to find a node again (see [`locate`]).
    text: &'t str,
    steps: Vec<Step>,
    names: Vec<Name>,
}

impl<'t> Reader<'t> {
    pub fn new(text: &'t str) -> Self {
        Self {
            text,
            steps: Vec::new(),
            names: Vec::new(),
        }
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
    fn enter<T>(&mut self, step: Step, name: Name, v: &Value, read: Read<'t, T>) -> Result<T> {
        self.push(step, name);
        let out = read(self, v)?;
        self.pop();
        Ok(out)
    }

    fn push(&mut self, step: Step, name: Name) {
        self.steps.push(step);
        self.names.push(name);
    }

    fn pop(&mut self) {
        self.steps.pop();
        self.names.pop();
    }

    /// An error at the current node: `invalid type: <what v is>, expected <expected>`.
    /// Never quotes a string's content, which may be a secret in the wrong place.
    pub fn invalid(&self, v: &Value, expected: &str) -> Failure {
        let message = format!("invalid type: {}, expected {expected}", describe(v));
        Failure {
            field: self.path(),
            error: locate::error_at(self.text, &self.steps, &message),
        }
    }

    /// The field `name` of a struct's mapping, read by `read`; `None` when absent.
    pub fn field<T>(
        &mut self,
        m: Option<&Mapping>,
        name: &'static str,
        read: Read<'t, T>,
    ) -> Result<Option<T>> {
        match find(m, name) {
            Some((i, v)) => self
                .enter(Step::Value(i), Name::Field(name), v, read)
                .map(Some),
            None => Ok(None),
        }
    }

    /// The mapping of a struct; `None` (all fields absent) for `null`.
    pub fn fields<'v>(&self, v: &'v Value, what: &str) -> Result<Option<&'v Mapping>> {
        match untagged(v) {
            Value::Null => Ok(None),
            Value::Mapping(m) => Ok(Some(m)),
            other => Err(self.invalid(other, what)),
        }
    }

    /// Any scalar, as its text: a string as is, others (`0123`, `true`, `~`) as written.
    pub fn string(&mut self, v: &Value) -> Result<String> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Sequence(_) | Value::Mapping(_) => Err(self.invalid(v, "a string")),
            _ => locate::raw_scalar(self.text, &self.steps).map_err(|error| Failure {
                field: self.path(),
                error,
            }),
        }
    }

    /// An optional string field: `null` is absent.
    pub fn opt_string(&mut self, v: &Value) -> Result<Option<String>> {
        match v {
            Value::Null => Ok(None),
            _ => self.string(v).map(Some),
        }
    }

    /// A string field that reads `null` as empty.
    pub fn string_or_empty(&mut self, v: &Value) -> Result<String> {
        Ok(self.opt_string(v)?.unwrap_or_default())
    }

    /// An optional boolean field (`true`, `True`, `TRUE`, ...; a quoted string is wrong).
    pub fn opt_bool(&mut self, v: &Value) -> Result<Option<bool>> {
        match untagged(v) {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            other => Err(self.invalid(other, "a boolean")),
        }
    }

    /// A copy of any node, kept uninterpreted; `null` is absent.
    pub fn opt_value(&mut self, v: &Value) -> Result<Option<Value>> {
        Ok((!v.is_null()).then(|| v.clone()))
    }

    /// A sequence read item by item; `null` is empty.
    pub fn list<T>(&mut self, v: &Value, read: Read<'t, T>) -> Result<Vec<T>> {
        match untagged(v) {
            Value::Null => Ok(Vec::new()),
            Value::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.enter(Step::Index(i), Name::Index(i), item, read)?);
                }
                Ok(out)
            }
            other => Err(self.invalid(other, "a sequence")),
        }
    }

    /// A sequence of strings.
    pub fn strings(&mut self, v: &Value) -> Result<Vec<String>> {
        self.list(v, Reader::string)
    }

    /// An optional sequence of strings: `null` is absent.
    pub fn opt_strings(&mut self, v: &Value) -> Result<Option<Vec<String>>> {
        match v {
            Value::Null => Ok(None),
            _ => self.strings(v).map(Some),
        }
    }

    /// A mapping with string keys (any scalar key reads as its text); `null` is empty.
    /// A key written twice as different scalars (`1` and `'1'`) keeps the later value.
    pub fn map<T>(&mut self, v: &Value, read: Read<'t, T>) -> Result<BTreeMap<String, T>> {
        let m = match untagged(v) {
            Value::Null => return Ok(BTreeMap::new()),
            Value::Mapping(m) => m,
            other => return Err(self.invalid(other, "a map")),
        };
        let mut out = BTreeMap::new();
        for (i, (k, item)) in m.iter().enumerate() {
            let key = match k {
                Value::String(s) => s.clone(),
                _ => self.enter(Step::Key(i), Name::AKey, k, Reader::string)?,
            };
            let value = self.enter(Step::Value(i), Name::Key(key.clone()), item, read)?;
            out.insert(key, value);
        }
        Ok(out)
    }
}

/// The position and value of the entry `name` of a struct's mapping.
fn find<'v>(m: Option<&'v Mapping>, name: &str) -> Option<(usize, &'v Value)> {
    m?.iter()
        .enumerate()
        .find_map(|(i, (k, v))| (k.as_str() == Some(name)).then_some((i, v)))
}

/// The node under any YAML tags (`!tag {a: 1}` reads as `{a: 1}`, as derived impls did).
fn untagged(mut v: &Value) -> &Value {
    while let Value::Tagged(t) = v {
        v = &t.value;
    }
    v
}

/// What a node is, for `invalid type: ...` messages.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(_) => "string".to_owned(),
        Value::Sequence(_) => "sequence".to_owned(),
        Value::Mapping(_) => "map".to_owned(),
        Value::Tagged(t) => format!("value tagged {}", t.tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Value {
        serde_yaml_ng::from_str(text).unwrap()
    }

    #[test]
    fn path_names_fields_indexes_and_keys() {
        let text = "a:\n  k 1: [x, [y]]\n";
        let mut r = Reader::new(text);
        let root = tree(text);
        let fields = r.fields(&root, "struct T").unwrap();
        let e = r
            .field(fields, "a", |r, v| r.map(v, Reader::strings))
            .unwrap_err();
        assert_eq!(e.field, "a.k 1[1]");
        assert_eq!(
            e.error.to_string(),
            "a.k 1[1]: invalid type: sequence, expected a string at line 2 column 12"
        );
    }

    #[test]
    fn strings_are_never_quoted_in_errors() {
        let text = "a: sekret\n";
        let mut r = Reader::new(text);
        let root = tree(text);
        let fields = r.fields(&root, "struct T").unwrap();
        let e = r
            .field(fields, "a", |r, v| r.list(v, Reader::string))
            .unwrap_err();
        assert!(!e.error.to_string().contains("sekret"), "{}", e.error);
        assert!(e
            .error
            .to_string()
            .contains("invalid type: string, expected a sequence"));
    }
}
