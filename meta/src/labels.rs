//! Label selectors as strings (`app=web,tier in (a,b),!canary`): parsing and matching.
//!
//! Contract (apimachinery's `labels.Parse` / `labels.Selector`): a selector is a conjunction of
//! requirements; an empty selector matches everything. Supported operators: `=`/`==`, `!=`,
//! `in (…)`, `notin (…)`, `key` (exists), `!key` (does not exist), `>`/`<` (integer
//! comparison). `!=` and `notin` also match objects without the label, as in Kubernetes.
//! [`Selector`]'s `Display` prints the canonical form the API server accepts, requirements
//! sorted by key. The API type [`LabelSelector`] (matchLabels/matchExpressions) converts with
//! `Selector::try_from(&label_selector)`.

use std::collections::BTreeSet;

use super::CompactString;

use super::Map;
use std::fmt;
use std::str::FromStr;

use super::{LabelSelector, LabelSelectorRequirement};

/// What a bad selector string or `LabelSelector` was and where.
///
/// `Display` and `Error` are written by hand: this crate builds without proc macros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectorError {
    /// A token that does not fit the grammar.
    Unexpected {
        /// The whole selector.
        selector: String,
        /// Byte offset of the token.
        position: usize,
        /// What the grammar allows there.
        expected: &'static str,
        /// What was there instead.
        found: String,
    },
    /// A key that is not a qualified name (`prefix/name`).
    InvalidKey {
        /// The key as written.
        key: String,
    },
    /// A value that is not a valid label value.
    InvalidValue {
        /// The key it is compared with.
        key: String,
        /// The value as written.
        value: String,
    },
    /// An operator given values it cannot take (`Exists` with values, `In` with none...).
    InvalidRequirement {
        /// The key of the requirement.
        key: String,
        /// The operator as written.
        operator: String,
        /// What is wrong with the values.
        problem: &'static str,
    },
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unexpected {
                selector,
                position,
                expected,
                found,
            } => write!(
                f,
                "label selector {selector:?}: expected {expected} at byte {position}, found {found}"
            ),
            Self::InvalidKey { key } => write!(f, "label selector: invalid label key {key:?}"),
            Self::InvalidValue { key, value } => write!(
                f,
                "label selector: invalid label value {value:?} for key {key:?}"
            ),
            Self::InvalidRequirement {
                key,
                operator,
                problem,
            } => write!(
                f,
                "label selector: operator {operator:?} for key {key:?} {problem}"
            ),
        }
    }
}

impl std::error::Error for SelectorError {}

/// A selector operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// `key=value` or `key==value`.
    Equals,
    /// `key!=value`.
    NotEquals,
    /// `key in (a, b)`.
    In,
    /// `key notin (a, b)`.
    NotIn,
    /// `key`: the label is set.
    Exists,
    /// `!key`: the label is not set.
    DoesNotExist,
    /// `key>n` (`Gt` in a `LabelSelector`, node affinity only).
    GreaterThan,
    /// `key<n` (`Lt` in a `LabelSelector`, node affinity only).
    LessThan,
}

/// One condition on one label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Requirement {
    key: String,
    operator: Operator,
    values: BTreeSet<String>,
}

impl Requirement {
    /// A checked requirement: the key must be a valid label key, values valid label values,
    /// and their number fit the operator (one for `=`/`!=`/`>`/`<`, at least one for
    /// `in`/`notin`, none for exists/does-not-exist; integers for `>`/`<`).
    pub fn new(
        key: impl Into<String>,
        operator: Operator,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<Self, SelectorError> {
        let key = key.into();
        if !valid_key(&key) {
            return Err(SelectorError::InvalidKey { key });
        }
        let values: BTreeSet<String> = values.into_iter().map(Into::into).collect();
        for value in &values {
            if !valid_value(value) {
                return Err(SelectorError::InvalidValue {
                    key,
                    value: value.clone(),
                });
            }
        }
        let problem = match operator {
            Operator::Equals | Operator::NotEquals if values.len() != 1 => {
                Some("needs exactly one value")
            }
            Operator::In | Operator::NotIn if values.is_empty() => Some("needs at least one value"),
            Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                Some("takes no values")
            }
            Operator::GreaterThan | Operator::LessThan
                if values.len() != 1 || values.iter().any(|v| v.parse::<i64>().is_err()) =>
            {
                Some("needs exactly one integer value")
            }
            _ => None,
        };
        if let Some(problem) = problem {
            return Err(SelectorError::InvalidRequirement {
                key,
                operator: operator.to_string(),
                problem,
            });
        }
        Ok(Self {
            key,
            operator,
            values,
        })
    }

    /// The label key this requirement is about.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values (sorted).
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(String::as_str)
    }

    /// Whether `labels` satisfy this requirement.
    pub fn matches(&self, labels: &Map<CompactString>) -> bool {
        let value = labels.get(&self.key).map(CompactString::as_str);
        match self.operator {
            Operator::Equals | Operator::In => value.is_some_and(|v| self.values.contains(v)),
            Operator::NotEquals | Operator::NotIn => {
                !value.is_some_and(|v| self.values.contains(v))
            }
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(have), Some(want)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    self.values
                        .iter()
                        .next()
                        .and_then(|v| v.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }
}

/// A conjunction of label requirements; the default (empty) selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

impl Selector {
    /// The selector that matches every object.
    pub fn everything() -> Self {
        Self::default()
    }

    /// Parses the string form (`a=b,c!=d,e in (f,g),!h`).
    pub fn parse(s: &str) -> Result<Self, SelectorError> {
        Parser::new(s).parse()
    }

    /// A selector from requirements (sorted by key for a canonical form).
    pub fn from_requirements(mut requirements: Vec<Requirement>) -> Self {
        requirements.sort_by(|a, b| (&a.key, a.operator).cmp(&(&b.key, b.operator)));
        Self { requirements }
    }

    /// `key=value` for every pair.
    pub fn from_labels<'a>(
        labels: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, SelectorError> {
        let requirements = labels
            .into_iter()
            .map(|(k, v)| Requirement::new(k, Operator::Equals, [v]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_requirements(requirements))
    }

    /// Whether this selector matches every object.
    pub fn is_everything(&self) -> bool {
        self.requirements.is_empty()
    }

    /// The requirements, sorted by key.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &Map<CompactString>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether an object with these (possibly absent) labels matches.
    pub fn matches_opt(&self, labels: Option<&Map<CompactString>>) -> bool {
        match labels {
            Some(labels) => self.matches(labels),
            None if self.requirements.is_empty() => true,
            None => self.matches(&Map::new()),
        }
    }
}

impl FromStr for Selector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&LabelSelector> for Selector {
    type Error = SelectorError;

    /// Converts the API form; `matchExpressions` operators are `In`, `NotIn`, `Exists` and
    /// `DoesNotExist`.
    fn try_from(selector: &LabelSelector) -> Result<Self, Self::Error> {
        let mut requirements = Vec::new();
        for (k, v) in selector.match_labels.iter().flatten() {
            requirements.push(Requirement::new(k, Operator::Equals, [v.as_str()])?);
        }
        for LabelSelectorRequirement {
            key,
            operator,
            values,
        } in selector.match_expressions.iter().flatten()
        {
            let op = match operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                _ => {
                    return Err(SelectorError::InvalidRequirement {
                        key: key.clone(),
                        operator: operator.clone(),
                        problem: "is not one of In, NotIn, Exists, DoesNotExist",
                    })
                }
            };
            requirements.push(Requirement::new(
                key.as_str(),
                op,
                values.iter().flatten().map(String::as_str),
            )?);
        }
        Ok(Self::from_requirements(requirements))
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operator::Equals => "=",
            Operator::NotEquals => "!=",
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
            Operator::GreaterThan => ">",
            Operator::LessThan => "<",
        })
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.values.iter().next().map(String::as_str).unwrap_or("");
        match self.operator {
            Operator::Exists => write!(f, "{}", self.key),
            Operator::DoesNotExist => write!(f, "!{}", self.key),
            Operator::Equals | Operator::NotEquals | Operator::GreaterThan | Operator::LessThan => {
                write!(f, "{}{}{}", self.key, self.operator, first)
            }
            Operator::In | Operator::NotIn => {
                write!(f, "{} {} (", self.key, self.operator)?;
                for (i, v) in self.values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(v)?;
                }
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// `[prefix/]name`: prefix a DNS subdomain (≤ 253), name ≤ 63 alphanumerics with `-_.` inside.
fn valid_key(key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        let ok = !prefix.is_empty()
            && prefix.len() <= 253
            && prefix.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        if !ok {
            return false;
        }
    }
    !name.is_empty() && valid_value(name)
}

/// Empty, or ≤ 63 alphanumerics with `-`, `_`, `.` inside.
fn valid_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    value.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && bytes.first().is_none_or(|b| b.is_ascii_alphanumeric())
        && bytes.last().is_none_or(|b| b.is_ascii_alphanumeric())
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    Ident(&'a str),
    Not,
    Equals,
    DoubleEquals,
    NotEquals,
    Greater,
    Less,
    Comma,
    Open,
    Close,
    End,
}

impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Ident(s) => write!(f, "{s:?}"),
            Token::Not => f.write_str("'!'"),
            Token::Equals => f.write_str("'='"),
            Token::DoubleEquals => f.write_str("'=='"),
            Token::NotEquals => f.write_str("'!='"),
            Token::Greater => f.write_str("'>'"),
            Token::Less => f.write_str("'<'"),
            Token::Comma => f.write_str("','"),
            Token::Open => f.write_str("'('"),
            Token::Close => f.write_str("')'"),
            Token::End => f.write_str("end of input"),
        }
    }
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str) -> Self {
        Self { input, pos: 0 }
    }

    /// The next token and the byte offset where it starts, without consuming it.
    fn peek(&self) -> (Token<'a>, usize, usize) {
        let rest = &self.input[self.pos..];
        let trimmed = rest.trim_start();
        let start = self.pos + (rest.len() - trimmed.len());
        let two = trimmed.get(..2);
        let (token, len) = match trimmed.chars().next() {
            None => (Token::End, 0),
            Some('!') if two == Some("!=") => (Token::NotEquals, 2),
            Some('!') => (Token::Not, 1),
            Some('=') if two == Some("==") => (Token::DoubleEquals, 2),
            Some('=') => (Token::Equals, 1),
            Some('>') => (Token::Greater, 1),
            Some('<') => (Token::Less, 1),
            Some(',') => (Token::Comma, 1),
            Some('(') => (Token::Open, 1),
            Some(')') => (Token::Close, 1),
            Some(_) => {
                let len = trimmed
                    .find(|c: char| c.is_whitespace() || "!=><,()".contains(c))
                    .unwrap_or(trimmed.len());
                (Token::Ident(&trimmed[..len]), len)
            }
        };
        (token, start, start + len)
    }

    fn next(&mut self) -> (Token<'a>, usize) {
        let (token, start, end) = self.peek();
        self.pos = end;
        (token, start)
    }

    fn unexpected(
        &self,
        position: usize,
        expected: &'static str,
        found: Token<'_>,
    ) -> SelectorError {
        SelectorError::Unexpected {
            selector: self.input.to_string(),
            position,
            expected,
            found: found.to_string(),
        }
    }

    fn ident(&mut self, expected: &'static str) -> Result<&'a str, SelectorError> {
        match self.next() {
            (Token::Ident(s), _) => Ok(s),
            (other, at) => Err(self.unexpected(at, expected, other)),
        }
    }

    fn parse(mut self) -> Result<Selector, SelectorError> {
        let mut requirements = Vec::new();
        if self.peek().0 == Token::End {
            return Ok(Selector::everything());
        }
        loop {
            requirements.push(self.requirement()?);
            match self.next() {
                (Token::End, _) => break,
                (Token::Comma, _) => continue,
                (other, at) => return Err(self.unexpected(at, "',' or end of input", other)),
            }
        }
        Ok(Selector::from_requirements(requirements))
    }

    fn requirement(&mut self) -> Result<Requirement, SelectorError> {
        if self.peek().0 == Token::Not {
            self.next();
            let key = self.ident("a label key")?;
            return Requirement::new(key, Operator::DoesNotExist, Vec::<String>::new());
        }
        let key = self.ident("a label key or '!'")?;
        let (token, at, _) = self.peek();
        let operator = match token {
            Token::End | Token::Comma => {
                return Requirement::new(key, Operator::Exists, Vec::<String>::new());
            }
            Token::Equals | Token::DoubleEquals => Operator::Equals,
            Token::NotEquals => Operator::NotEquals,
            Token::Greater => Operator::GreaterThan,
            Token::Less => Operator::LessThan,
            Token::Ident("in") => Operator::In,
            Token::Ident("notin") => Operator::NotIn,
            other => return Err(self.unexpected(at, "an operator", other)),
        };
        self.next();
        let values = match operator {
            Operator::In | Operator::NotIn => self.value_set()?,
            _ => match self.peek().0 {
                // `a=` selects the empty value.
                Token::End | Token::Comma => vec![""],
                _ => vec![self.ident("a label value")?],
            },
        };
        Requirement::new(key, operator, values)
    }

    fn value_set(&mut self) -> Result<Vec<&'a str>, SelectorError> {
        match self.next() {
            (Token::Open, _) => {}
            (other, at) => return Err(self.unexpected(at, "'('", other)),
        }
        let mut values = Vec::new();
        loop {
            match self.next() {
                (Token::Ident(v), _) => {
                    values.push(v);
                    match self.next() {
                        (Token::Comma, _) => continue,
                        (Token::Close, _) => break,
                        (other, at) => return Err(self.unexpected(at, "',' or ')'", other)),
                    }
                }
                // `in (a,)` and `in ()` carry an empty value, as in apimachinery.
                (Token::Comma, _) => values.push(""),
                (Token::Close, _) => {
                    values.push("");
                    break;
                }
                (other, at) => return Err(self.unexpected(at, "a label value", other)),
            }
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Map<CompactString> {
        pairs
            .iter()
            .map(|(k, v)| (*k, CompactString::from(*v)))
            .collect()
    }

    #[test]
    fn parses_and_matches_every_operator() {
        let s =
            Selector::parse("app = web, tier in (a, b),!canary, env!=prod, zone, gen>3").unwrap();
        assert_eq!(
            s.to_string(),
            "app=web,!canary,env!=prod,gen>3,tier in (a,b),zone"
        );
        let ok = labels(&[("app", "web"), ("tier", "b"), ("zone", "z"), ("gen", "4")]);
        assert!(s.matches(&ok));
        let mut bad = ok.clone();
        bad.insert("canary".into(), "1".into());
        assert!(!s.matches(&bad));
        let mut bad = ok.clone();
        bad.insert("env".into(), "prod".into());
        assert!(!s.matches(&bad));
        let mut bad = ok.clone();
        bad.insert("gen".into(), "3".into());
        assert!(!s.matches(&bad));
        let mut bad = ok.clone();
        bad.remove("zone");
        assert!(!s.matches(&bad));
        let mut bad = ok;
        bad.insert("tier".into(), "c".into());
        assert!(!s.matches(&bad));
    }

    #[test]
    fn notin_and_not_equals_match_missing_labels() {
        let s = Selector::parse("a notin (x),b!=y,c==z").unwrap();
        assert!(s.matches(&labels(&[("c", "z")])));
        assert!(!s.matches(&labels(&[("c", "z"), ("a", "x")])));
    }

    #[test]
    fn empty_selects_everything_and_round_trips() {
        let s = Selector::parse("  ").unwrap();
        assert!(s.is_everything());
        assert!(s.matches_opt(None));
        for text in [
            "a=b",
            "!a",
            "a in (b,c)",
            "a notin (b)",
            "example.com/a=b",
            "a=",
            "a<7",
        ] {
            let s = Selector::parse(text).unwrap();
            assert_eq!(Selector::parse(&s.to_string()).unwrap(), s, "{text}");
        }
    }

    #[test]
    fn errors_say_what_and_where() {
        let err = Selector::parse("a=b,,c").unwrap_err();
        assert!(
            matches!(err, SelectorError::Unexpected { position: 4, .. }),
            "{err}"
        );
        assert!(Selector::parse("a in b").is_err());
        assert!(Selector::parse("a in (b").is_err());
        assert!(Selector::parse("a=b c").is_err());
        assert!(matches!(
            Selector::parse("-a=b"),
            Err(SelectorError::InvalidKey { .. })
        ));
        assert!(matches!(
            Selector::parse("a=-b"),
            Err(SelectorError::InvalidValue { .. })
        ));
        assert!(matches!(
            Selector::parse("a>b"),
            Err(SelectorError::InvalidRequirement { .. })
        ));
        assert!(Selector::parse("!").is_err());
        assert!(Selector::parse("=").is_err());
    }

    #[test]
    fn converts_the_api_form() {
        let api: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]},
                                 {"key": "x", "operator": "DoesNotExist"}]
        }))
        .unwrap();
        let s = Selector::try_from(&api).unwrap();
        assert_eq!(s.to_string(), "app=web,tier in (a),!x");
        let bad: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchExpressions": [{"key": "tier", "operator": "Gt", "values": ["1"]}]
        }))
        .unwrap();
        assert!(Selector::try_from(&bad).is_err());
        let empty_in: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchExpressions": [{"key": "tier", "operator": "In", "values": []}]
        }))
        .unwrap();
        assert!(Selector::try_from(&empty_in).is_err());
    }
}
