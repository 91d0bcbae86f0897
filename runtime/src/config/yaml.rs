//! A small YAML node tree built from `granit-parser`'s events: mappings, sequences and
//! scalars, each with the line and column where it starts. The kubeconfig reader
//! (`kubeconfig/`) applies kubeconfig's own rules on top; this module knows only YAML.
//!
//! `granit-parser` is the parser under `serde-saphyr`, the serde front end the rest of the
//! workspace reads YAML with (`kubegen::yaml`): one YAML parser across the workspace. The
//! runtime reads events rather than going through the front end because kubeconfig's rules
//! need what a serde `Deserializer` does not pass on: each scalar's exact text and quoting
//! (string fields read `0123` or `True` as written; a boolean field takes plain `yes` but
//! refuses quoted `'yes'`, as kubectl does), and the position of every node, so an error
//! names the field's path, line and column. It also keeps the runtime on Rust 1.85 (the front
//! end needs 1.89) and a client-only build small.
//!
//! What the tree does with YAML's finer points, as kubectl's go-yaml does where it matters:
//! - anchors and aliases are resolved (an alias is a copy of its anchored node, with that
//!   node's position); copies are capped so a "billion laughs" document fails cleanly;
//! - merge keys (`<<: *base`, or `<<: [*a, *b]`) add the entries the mapping does not
//!   give itself, as YAML 1.1 and go-yaml define them;
//! - nesting is limited in depth, so hostile input cannot exhaust the stack;
//! - only the first document of a stream is read;
//! - scalars are typed by the YAML 1.2 core schema (`null`, `true`, `12`, `0x1F`, `1.5`
//!   plain; anything quoted or in a block is a string); the core tags (`!!str`, `!!int`,
//!   ...) set or check that type, other tags are ignored;
//! - a mapping may name a key twice here: the reader rejects that where it reads one.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};

/// Where a node starts: line and column, both counted from 1 (columns in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Mark {
    pub line: usize,
    pub column: usize,
}

impl Mark {
    fn of(span: &Span) -> Self {
        Self {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

/// One node of the document and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Node {
    pub mark: Mark,
    pub value: Value,
}

/// What a node holds.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    /// Entries in document order; keys may be any node.
    Mapping(Vec<(Node, Node)>),
}

/// A scalar's text exactly as the document gives it (after unquoting), and its type.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Scalar {
    pub text: String,
    pub typed: Typed,
    /// Written without quotes, block indicator or core tag (YAML 1.1's `yes` may then
    /// be a boolean, for a field that wants one).
    pub plain: bool,
}

/// A scalar's type under the YAML 1.2 core schema (or its core tag).
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Typed {
    Null,
    Bool(bool),
    /// An integer (within 64 bits) or a finite float (`.inf` and `.nan` stay strings).
    Number(serde_json::Number),
    Str,
}

impl Node {
    /// Whether this is a null scalar (`~`, `null`, or nothing at all).
    pub(crate) fn is_null(&self) -> bool {
        matches!(
            &self.value,
            Value::Scalar(Scalar {
                typed: Typed::Null,
                ..
            })
        )
    }

    /// The text of a string-typed scalar (how a struct's field names are matched).
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(Scalar {
                text,
                typed: Typed::Str,
                ..
            }) => Some(text),
            _ => None,
        }
    }

    /// The node as JSON, typed as above: maps with scalar keys (as their text), lists and
    /// scalars. A mapping key that is a sequence or mapping is an error at that key.
    pub(crate) fn to_json(&self) -> Result<serde_json::Value, TreeError> {
        Ok(match &self.value {
            Value::Scalar(s) => match &s.typed {
                Typed::Null => serde_json::Value::Null,
                Typed::Bool(b) => serde_json::Value::Bool(*b),
                Typed::Number(n) => serde_json::Value::Number(n.clone()),
                Typed::Str => serde_json::Value::String(s.text.clone()),
            },
            Value::Sequence(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect::<Result<_, _>>()?)
            }
            Value::Mapping(entries) => {
                if let Some(k) = duplicate_key(entries) {
                    return Err(TreeError {
                        mark: k.mark,
                        message: "duplicate mapping key".to_owned(),
                    });
                }
                let mut map = serde_json::Map::new();
                for (k, v) in entries {
                    let Value::Scalar(key) = &k.value else {
                        return Err(TreeError {
                            mark: k.mark,
                            message: "a mapping key must be a scalar here".to_owned(),
                        });
                    };
                    map.insert(key.text.clone(), v.to_json()?);
                }
                serde_json::Value::Object(map)
            }
        })
    }
}

/// Why a text is not a YAML document this tree can hold, and where.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct TreeError {
    pub mark: Mark,
    pub message: String,
}

impl From<ScanError> for TreeError {
    fn from(e: ScanError) -> Self {
        Self {
            mark: Mark {
                line: e.marker().line(),
                column: e.marker().col() + 1,
            },
            message: e.info(),
        }
    }
}

/// How many nodes anchors and aliases may copy in all: far more than any real kubeconfig
/// uses, far fewer than a document of nested aliases can expand to.
const COPY_BUDGET: usize = 100_000;

/// How deep sequences and mappings may nest (the tree is walked recursively).
const MAX_DEPTH: usize = 256;

/// Parses the first document of `text`; `None` when the text holds no document (empty, or
/// only comments).
pub(super) fn parse(text: &str) -> Result<Option<Node>, TreeError> {
    Builder::default().run(Parser::new_from_str(text))
}

/// A sequence or mapping being built.
enum Open {
    Sequence {
        mark: Mark,
        anchor: usize,
        items: Vec<Node>,
    },
    Mapping {
        mark: Mark,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

#[derive(Default)]
struct Builder {
    open: Vec<Open>,
    /// Anchored nodes by the parser's anchor id (unique per definition), with their size
    /// in nodes.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes copied so far for anchors and aliases.
    copied: usize,
}

impl Builder {
    fn run<'i>(
        mut self,
        parser: Parser<'i, granit_parser::StrInput<'i>>,
    ) -> Result<Option<Node>, TreeError> {
        for event in parser {
            let (event, span) = event?;
            let mark = Mark::of(&span);
            let done = match event {
                Event::StreamStart
                | Event::DocumentStart(..)
                | Event::DocumentEnd
                | Event::Anchor(..) => None,
                Event::StreamEnd => return Ok(None),
                Event::Alias(id) => Some(self.alias(id, mark)?),
                Event::SequenceStart(..) | Event::MappingStart(..)
                    if self.open.len() >= MAX_DEPTH =>
                {
                    return Err(TreeError {
                        mark,
                        message: format!("sequences and mappings nest deeper than {MAX_DEPTH}"),
                    });
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let typed = typed(&text, style, tag.as_deref(), mark)?;
                    let plain = style == ScalarStyle::Plain && core_tag(tag.as_deref()).is_none();
                    let node = Node {
                        mark,
                        value: Value::Scalar(Scalar {
                            text: text.into_owned(),
                            typed,
                            plain,
                        }),
                    };
                    Some(self.anchored(anchor, node)?)
                }
                Event::SequenceStart(_, anchor, tag) => {
                    check_collection_tag(tag.as_deref(), "seq", mark)?;
                    self.open.push(Open::Sequence {
                        mark,
                        anchor,
                        items: Vec::new(),
                    });
                    None
                }
                Event::MappingStart(_, anchor, tag) => {
                    check_collection_tag(tag.as_deref(), "map", mark)?;
                    self.open.push(Open::Mapping {
                        mark,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                    });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => Some(self.close()?),
                // Not emitted with the parser's default options (unresolved aliases are
                // scan errors); comments exist only when another crate in the build turns
                // on the parser's `comments` feature, and the tree keeps none.
                _ => None,
            };
            if let Some(node) = done {
                if let Some(root) = self.attach(node)? {
                    // The first document's root is complete; later documents are not read.
                    return Ok(Some(root));
                }
            }
        }
        Ok(None)
    }

    /// Ends the innermost open sequence or mapping.
    fn close(&mut self) -> Result<Node, TreeError> {
        let unbalanced = || TreeError {
            mark: Mark::default(),
            message: "unbalanced YAML events".to_owned(),
        };
        let (node, anchor) = match self.open.pop().ok_or_else(unbalanced)? {
            Open::Sequence {
                mark,
                anchor,
                items,
            } => (
                Node {
                    mark,
                    value: Value::Sequence(items),
                },
                anchor,
            ),
            Open::Mapping {
                mark,
                anchor,
                entries,
                key,
            } => {
                if key.is_some() {
                    return Err(unbalanced());
                }
                (
                    Node {
                        mark,
                        value: Value::Mapping(merge(entries)?),
                    },
                    anchor,
                )
            }
        };
        self.anchored(anchor, node)
    }

    /// Adds a finished node to its parent; returns it when it is the document's root.
    fn attach(&mut self, node: Node) -> Result<Option<Node>, TreeError> {
        match self.open.last_mut() {
            None => Ok(Some(node)),
            Some(Open::Sequence { items, .. }) => {
                items.push(node);
                Ok(None)
            }
            Some(Open::Mapping { entries, key, .. }) => {
                match key.take() {
                    None => *key = Some(node),
                    Some(k) => entries.push((k, node)),
                }
                Ok(None)
            }
        }
    }

    /// Remembers a node under its anchor (0 is none).
    fn anchored(&mut self, anchor: usize, node: Node) -> Result<Node, TreeError> {
        if anchor != 0 {
            let size = size(&node);
            self.spend(size, node.mark)?;
            self.anchors.insert(anchor, (node.clone(), size));
        }
        Ok(node)
    }

    /// A copy of the node anchored as `id`.
    fn alias(&mut self, id: usize, mark: Mark) -> Result<Node, TreeError> {
        let Some((node, size)) = self.anchors.get(&id) else {
            return Err(TreeError {
                mark,
                message: "alias to an unknown anchor".to_owned(),
            });
        };
        let (node, size) = (node.clone(), *size);
        self.spend(size, mark)?;
        Ok(node)
    }

    /// Counts `nodes` copies against [`COPY_BUDGET`].
    fn spend(&mut self, nodes: usize, mark: Mark) -> Result<(), TreeError> {
        self.copied += nodes;
        if self.copied > COPY_BUDGET {
            return Err(TreeError {
                mark,
                message: format!("anchors and aliases expand to more than {COPY_BUDGET} nodes"),
            });
        }
        Ok(())
    }
}

/// A mapping's entries with its merge keys (`<<`) resolved: each mapping merged in (the
/// value of `<<`, or each of its list, earlier ones first) adds the entries whose keys
/// neither the mapping itself nor an earlier merged mapping gives.
fn merge(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, TreeError> {
    let is_merge = |k: &Node| matches!(&k.value, Value::Scalar(s) if s.plain && s.text == "<<");
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return Ok(entries);
    }
    let (sources, mut out): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(k, _)| is_merge(k));
    for (_, source) in sources {
        let maps = match source.value {
            Value::Mapping(m) => vec![m],
            Value::Sequence(items) => items
                .into_iter()
                .map(|item| match item.value {
                    Value::Mapping(m) => Ok(m),
                    _ => Err(not_mergeable(item.mark)),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(not_mergeable(source.mark)),
        };
        for (k, v) in maps.into_iter().flatten() {
            let id = key_id(&k);
            if id.is_none() || !out.iter().any(|(have, _)| key_id(have) == id) {
                out.push((k, v));
            }
        }
    }
    Ok(out)
}

fn not_mergeable(mark: Mark) -> TreeError {
    TreeError {
        mark,
        message: "a merge key `<<` takes a mapping or a list of mappings".to_owned(),
    }
}

/// How keys are compared: scalars by type (string or not) and text.
fn key_id(k: &Node) -> Option<(bool, &str)> {
    match &k.value {
        Value::Scalar(s) => Some((s.typed == Typed::Str, s.text.as_str())),
        _ => None,
    }
}

/// How many nodes a subtree holds.
fn size(node: &Node) -> usize {
    1 + match &node.value {
        Value::Scalar(_) => 0,
        Value::Sequence(items) => items.iter().map(size).sum(),
        Value::Mapping(entries) => entries.iter().map(|(k, v)| size(k) + size(v)).sum(),
    }
}

/// The secondary handle `!!` as the parser resolves it.
const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// The core tag's name (`str`, `int`, ...), if `tag` is one.
fn core_tag(tag: Option<&Tag>) -> Option<&str> {
    let tag = tag?;
    (tag.handle() == CORE_PREFIX || tag.handle() == "!!").then_some(tag.suffix())
}

/// A `!!seq` or `!!map` tag must be on the matching node; other tags are ignored.
fn check_collection_tag(tag: Option<&Tag>, want: &str, mark: Mark) -> Result<(), TreeError> {
    match core_tag(tag) {
        Some(name) if name != want => Err(TreeError {
            mark,
            message: format!(
                "a tag !!{name} on a {}",
                if want == "seq" { "sequence" } else { "mapping" }
            ),
        }),
        _ => Ok(()),
    }
}

/// A scalar's type: from its core tag, else by the core schema when plain, else a string.
fn typed(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    mark: Mark,
) -> Result<Typed, TreeError> {
    let plain = style == ScalarStyle::Plain;
    let Some(name) = core_tag(tag) else {
        return Ok(if plain { resolve(text) } else { Typed::Str });
    };
    let resolved = resolve(text);
    let fits = match name {
        "str" | "binary" | "timestamp" => return Ok(Typed::Str),
        "null" => matches!(resolved, Typed::Null),
        "bool" => matches!(resolved, Typed::Bool(_)),
        "int" => matches!(&resolved, Typed::Number(n) if !n.is_f64()),
        // An integer written where a float is tagged is a float.
        "float" => matches!(resolved, Typed::Number(_)),
        _ => {
            return Err(TreeError {
                mark,
                message: format!("a tag !!{name} on a scalar"),
            })
        }
    };
    if !fits {
        return Err(TreeError {
            mark,
            message: format!("the scalar is not a valid !!{name}"),
        });
    }
    Ok(match (name, resolved) {
        ("float", Typed::Number(n)) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Typed::Number(n), Typed::Number),
        (_, resolved) => resolved,
    })
}

/// The YAML 1.2 core schema's type of a plain scalar.
pub(super) fn resolve(text: &str) -> Typed {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Typed::Null,
        "true" | "True" | "TRUE" => return Typed::Bool(true),
        "false" | "False" | "FALSE" => return Typed::Bool(false),
        _ => {}
    }
    if let Some(n) = integer(text) {
        return Typed::Number(n);
    }
    if is_float(text) {
        if let Some(n) = text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            return Typed::Number(n);
        }
    }
    // `.inf` and `.nan` have no JSON number: they stay text. (An integer beyond 64 bits
    // matched the float pattern above, and is a float, as in go-yaml.)
    Typed::Str
}

/// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`, when it fits 64 bits.
fn integer(text: &str) -> Option<serde_json::Number> {
    if let Some(octal) = text.strip_prefix("0o") {
        return digits(octal, 8);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return digits(hex, 16);
    }
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if negative {
        text.parse::<i64>().ok().map(Into::into)
    } else {
        rest.parse::<u64>().ok().map(Into::into)
    }
}

fn digits(text: &str, radix: u32) -> Option<serde_json::Number> {
    if text.is_empty() || !text.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(text, radix).ok().map(Into::into)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (the finite floats of the schema).
fn is_float(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let run = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let whole = run(&mut i);
    let mut fraction = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        fraction = run(&mut i);
    } else if whole == 0 {
        return false;
    }
    if whole == 0 && fraction == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if run(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The later key of the first pair of entries that name the same key (compared as typed
/// text: `k` and `"k"` are the same key, `1` and `'1'` are not).
pub(super) fn duplicate_key(entries: &[(Node, Node)]) -> Option<&Node> {
    let mut keys: Vec<(bool, &str, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, (k, _))| key_id(k).map(|(is_str, text)| (is_str, text, i)))
        .collect();
    keys.sort_unstable();
    keys.windows(2).find_map(|pair| {
        let ((a_str, a, _), (b_str, b, later)) = (pair[0], pair[1]);
        // Sorted by index last, so `later` is the later of the two.
        (a_str == b_str && a == b).then(|| &entries[later].0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        parse(text).unwrap().unwrap()
    }

    fn json(text: &str) -> serde_json::Value {
        root(text).to_json().unwrap()
    }

    #[test]
    fn scalars_are_typed_by_the_core_schema_unless_quoted() {
        assert_eq!(
            json("[~, null, '', true, False, yes, 12, -3, 0x1F, 0o17, 1.5, .5, 1e3, 0123, .inf]"),
            serde_json::json!([
                null, null, "", true, false, "yes", 12, -3, 31, 15, 1.5, 0.5, 1000.0, 123, ".inf"
            ])
        );
        assert_eq!(
            json("- 'true'\n- \"1\"\n- |\n  12\n- >-\n  null\n- 99999999999999999999\n"),
            serde_json::json!(["true", "1", "12\n", "null", 1e20])
        );
        // Exact text kept whatever the type.
        let Value::Sequence(items) = root("[0x1F, True, ~, 0123]").value else {
            panic!()
        };
        let texts: Vec<_> = items
            .iter()
            .map(|n| match &n.value {
                Value::Scalar(s) => s.text.as_str(),
                _ => panic!(),
            })
            .collect();
        assert_eq!(texts, ["0x1F", "True", "~", "0123"]);
    }

    #[test]
    fn core_tags_set_or_check_the_type() {
        assert_eq!(
            json("[!!str 12, !!int '12', !!float 1, !!null '', !custom 5, !!binary aGk=]"),
            serde_json::json!(["12", 12, 1.0, null, 5, "aGk="])
        );
        // The position is the scalar's own (after its tag).
        let e = parse("a:\n  b: !!int x\n").unwrap_err();
        assert_eq!(
            e.mark,
            Mark {
                line: 2,
                column: 12
            }
        );
        assert!(e.message.contains("!!int"), "{}", e.message);
        assert!(parse("!!map [1]").is_err());
        assert!(parse("!!seq {a: 1}").is_err());
        assert!(parse("!!foo x").is_err());
    }

    #[test]
    fn aliases_copy_the_anchored_node_and_are_capped() {
        assert_eq!(
            json("a: &x {k: [1, 2]}\nb: *x\nc: &s text\nd: *s\n"),
            serde_json::json!({"a": {"k": [1, 2]}, "b": {"k": [1, 2]}, "c": "text", "d": "text"})
        );
        // Nested aliases doubling at each level: refused, not expanded.
        let mut text = "a0: &a0 [x, x]\n".to_owned();
        for i in 1..40 {
            text.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
        }
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("aliases expand"), "{}", e.message);
        // Nesting is bounded (by the parser, or here).
        assert!(parse(&"[".repeat(100_000)).is_err());
        assert!(parse(&format!("{}x", "- ".repeat(300))).is_err());
        // The parser bounds block and flow nesting each; the tree bounds them together.
        let mixed = format!(
            "{}{}x{}",
            "- ".repeat(200),
            "[".repeat(100),
            "]".repeat(100)
        );
        let e = parse(&mixed).unwrap_err();
        assert!(e.message.contains("nest deeper"), "{}", e.message);
        let mut block = String::new();
        for depth in 0..300 {
            block.push_str(&format!("{}k:\n", " ".repeat(depth)));
        }
        assert!(parse(&block).is_err());
        let e = parse("a: *nope\n").unwrap_err();
        assert_eq!(e.mark.line, 1);
    }

    #[test]
    fn merge_keys_add_what_the_mapping_lacks() {
        assert_eq!(
            json("base: &b {a: 1, b: 2}\nmore: &m {b: 3, c: 4}\nx: {<<: *b, a: 0}\ny: {<<: [*m, *b]}\n"),
            serde_json::json!({
                "base": {"a": 1, "b": 2}, "more": {"b": 3, "c": 4},
                "x": {"a": 0, "b": 2}, "y": {"a": 1, "b": 3, "c": 4}
            })
        );
        // A quoted `<<` is an ordinary key.
        assert_eq!(json("'<<': {a: 1}\n"), serde_json::json!({"<<": {"a": 1}}));
        let e = parse("a: 1\nx:\n  <<: 3\n").unwrap_err();
        assert_eq!(e.mark.line, 3);
        assert!(parse("x: {<<: [{a: 1}, 2]}").is_err());
    }

    #[test]
    fn marks_and_documents() {
        let Value::Mapping(entries) = root("a:\n  - x\n  - 'y'\nb: {c: d}\n").value else {
            panic!()
        };
        let Value::Sequence(items) = &entries[0].1.value else {
            panic!()
        };
        assert_eq!(items[1].mark, Mark { line: 3, column: 5 });
        assert_eq!(entries[1].1.mark, Mark { line: 4, column: 4 });
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse("# only a comment\n").unwrap(), None);
        assert!(root("---\n").is_null());
        // The first document only, as kubectl.
        assert_eq!(json("a: 1\n---\nb: 2\n"), serde_json::json!({"a": 1}));
        let e = root("a: 1\nb: 2\na: 3\n").to_json().unwrap_err();
        assert_eq!(
            (e.mark.line, e.message.as_str()),
            (3, "duplicate mapping key")
        );
        // Differently typed keys are different keys; quoting a string does not change it.
        assert!(root("1: a\n'1': b\n").to_json().is_ok());
        assert!(root("k: a\n\"k\": b\n").to_json().is_err());
    }

    #[test]
    fn malformed_input_is_an_error_never_a_panic() {
        for text in [
            "a: [\n",
            "{",
            "]",
            "a: b: c",
            "- a\nb: c",
            "&a",
            "*",
            "!<",
            "'unterminated",
            "\"\\x\"",
            "a:\n\t- b",
            "? [a\n",
            "%YAML 9.9\n---\n",
            "--- !!map\n- a",
            "\u{feff}\u{0}",
            "{a: 1, a: 2}",
            "[*a]",
            "&a [*a]",
        ] {
            let _ = parse(text);
        }
        // An unclosed bracket is reported where it opens.
        let e = parse("a: [\n").unwrap_err();
        assert_eq!(e.mark, Mark { line: 1, column: 4 }, "{}", e.message);
        assert!(e.message.contains("unclosed"), "{}", e.message);
    }
}
