//! Label selectors as the API server parses them: equality (`a=b`, `a==b`, `a!=b`),
//! set-based (`a in (x,y)`, `a notin (x)`), existence (`a`, `!a`) and `a>1`, `a<1`.
//!
//! This is an independent check, not a second copy of `kubegen_meta::labels`: it follows
//! apimachinery's lexer token by token so a bad selector gets the API server's own 400
//! message (`unable to parse requirement: found '', expected: ',' or ')'`), which the
//! client-side parser does not produce (its errors name byte positions for a Rust caller).
//! Being separate also means a bug in the client's parser cannot hide in the server the
//! client is tested against. The differential tests (`testserver/tests/differential`) and
//! `testserver/tests/api.rs` pin its behaviour to a real kube-apiserver's.

use serde_json::{Map, Value};

/// One requirement of a selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Requirement {
    /// `key in (values)` / `key=value`.
    In(String, Vec<String>),
    /// `key notin (values)` / `key!=value`.
    NotIn(String, Vec<String>),
    /// `key`.
    Exists(String),
    /// `!key`.
    DoesNotExist(String),
    /// `key>n`.
    Gt(String, i64),
    /// `key<n`.
    Lt(String, i64),
}

/// A parsed label selector; empty selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LabelSelector(pub Vec<Requirement>);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Open,
    Close,
    Comma,
    Not,
    Eq,
    DoubleEq,
    NotEq,
    In,
    NotIn,
    Gt,
    Lt,
    End,
}

impl Tok {
    fn lit(&self) -> String {
        match self {
            Tok::Ident(s) => s.clone(),
            Tok::Open => "(".into(),
            Tok::Close => ")".into(),
            Tok::Comma => ",".into(),
            Tok::Not => "!".into(),
            Tok::Eq => "=".into(),
            Tok::DoubleEq => "==".into(),
            Tok::NotEq => "!=".into(),
            Tok::In => "in".into(),
            Tok::NotIn => "notin".into(),
            Tok::Gt => ">".into(),
            Tok::Lt => "<".into(),
            Tok::End => String::new(),
        }
    }
}

fn lex(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1
            }
            ')' => {
                out.push(Tok::Close);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                out.push(Tok::NotEq);
                i += 2
            }
            '!' => {
                out.push(Tok::Not);
                i += 1
            }
            '=' if chars.get(i + 1) == Some(&'=') => {
                out.push(Tok::DoubleEq);
                i += 2
            }
            '=' => {
                out.push(Tok::Eq);
                i += 1
            }
            '>' => {
                out.push(Tok::Gt);
                i += 1
            }
            '<' => {
                out.push(Tok::Lt);
                i += 1
            }
            _ => {
                let start = i;
                while i < chars.len() && !" \t\n\r(),!=<>".contains(chars[i]) {
                    i += 1;
                }
                let w: String = chars[start..i].iter().collect();
                out.push(match w.as_str() {
                    "in" => Tok::In,
                    "notin" => Tok::NotIn,
                    _ => Tok::Ident(w),
                });
            }
        }
    }
    out.push(Tok::End);
    out
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).unwrap_or(&Tok::End)
    }
    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        self.pos += 1;
        t
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let negated = if *self.peek() == Tok::Not {
            self.next();
            true
        } else {
            false
        };
        let key = match self.next() {
            Tok::Ident(k) => k,
            t => return Err(format!("found '{}', expected: identifier", t.lit())),
        };
        validate_key(&key)?;
        if negated {
            return Ok(Requirement::DoesNotExist(key));
        }
        match self.peek().clone() {
            Tok::Comma | Tok::End => return Ok(Requirement::Exists(key)),
            _ => {}
        }
        let op = self.next();
        match op {
            Tok::Eq | Tok::DoubleEq | Tok::NotEq => {
                let value = match self.peek().clone() {
                    Tok::Ident(v) => {
                        self.next();
                        v
                    }
                    Tok::Comma | Tok::End => String::new(),
                    t => {
                        return Err(format!("found '{}', expected: identifier", t.lit()));
                    }
                };
                validate_value(&key, 0, &value)?;
                Ok(if op == Tok::NotEq {
                    Requirement::NotIn(key, vec![value])
                } else {
                    Requirement::In(key, vec![value])
                })
            }
            Tok::In | Tok::NotIn => {
                match self.next() {
                    Tok::Open => {}
                    t => return Err(format!("found '{}' expected: '('", t.lit())),
                }
                let mut values = Vec::new();
                loop {
                    match self.next() {
                        Tok::Ident(v) => {
                            validate_value(&key, values.len(), &v)?;
                            values.push(v);
                            match self.next() {
                                Tok::Comma => continue,
                                Tok::Close => break,
                                t => {
                                    return Err(format!(
                                        "found '{}', expected: ',' or ')'",
                                        t.lit()
                                    ))
                                }
                            }
                        }
                        Tok::Close if values.is_empty() => break,
                        Tok::Comma => values.push(String::new()),
                        t => {
                            return Err(format!(
                                "found '{}', expected: ',', ')' or identifier",
                                t.lit()
                            ))
                        }
                    }
                }
                if values.is_empty() {
                    return Err(
                        "for 'in', 'notin' operators, values set can't be empty".to_string()
                    );
                }
                Ok(if op == Tok::In {
                    Requirement::In(key, values)
                } else {
                    Requirement::NotIn(key, values)
                })
            }
            Tok::Gt | Tok::Lt => {
                let v = match self.next() {
                    Tok::Ident(v) => v,
                    t => return Err(format!("found '{}', expected: identifier", t.lit())),
                };
                let n: i64 = v.parse().map_err(|_| {
                    "for 'Gt', 'Lt' operators, the value must be an integer".to_string()
                })?;
                Ok(if op == Tok::Gt {
                    Requirement::Gt(key, n)
                } else {
                    Requirement::Lt(key, n)
                })
            }
            t => Err(format!(
                "found '{}', expected: '=', '!=', '==', 'in', notin'",
                t.lit()
            )),
        }
    }
}

fn validate_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.".contains(c))
    });
    if name_ok && prefix_ok {
        Ok(())
    } else {
        Err(format!(
            "key: Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ))
    }
}

/// Checks value `i` of the requirement on `key`, worded as a real server's validation.
fn validate_value(key: &str, i: usize, v: &str) -> Result<(), String> {
    let ok = v.is_empty()
        || (v.len() <= 63
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && v.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "values[{i}][{key}]: Invalid value: \"{v}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        ))
    }
}

impl LabelSelector {
    /// Parses a selector; the error is the message the API server puts in its 400.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.trim().is_empty() {
            return Ok(Self::default());
        }
        let mut p = Parser {
            toks: lex(s),
            pos: 0,
        };
        let mut reqs = Vec::new();
        loop {
            let r = p
                .requirement()
                .map_err(|e| format!("unable to parse requirement: {e}"))?;
            reqs.push(r);
            match p.next() {
                Tok::End => break,
                Tok::Comma => continue,
                t => {
                    return Err(format!(
                        "found '{}', expected: ',' or 'end of string'",
                        t.lit()
                    ))
                }
            }
        }
        Ok(Self(reqs))
    }

    /// Whether it selects everything.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the labels match every requirement.
    pub(crate) fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::In(k, vs) => get(k).is_some_and(|v| vs.iter().any(|x| x == v)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|v| !vs.iter().any(|x| x == v)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
            Requirement::Gt(k, n) => get(k)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v > *n),
            Requirement::Lt(k, n) => get(k)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v < *n),
        })
    }

    /// A selector from a `matchLabels`/`matchExpressions` LabelSelector object
    /// (used by the scale subresource to print `status.selector`).
    pub(crate) fn to_string_from_object(sel: &Value) -> String {
        let mut parts = Vec::new();
        if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in m {
                parts.push(format!("{k}={}", v.as_str().unwrap_or_default()));
            }
        }
        if let Some(exprs) = sel.get("matchExpressions").and_then(Value::as_array) {
            for e in exprs {
                let key = e.get("key").and_then(Value::as_str).unwrap_or_default();
                let values: Vec<&str> = e
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                match e
                    .get("operator")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                {
                    "In" => parts.push(format!("{key} in ({})", values.join(","))),
                    "NotIn" => parts.push(format!("{key} notin ({})", values.join(","))),
                    "Exists" => parts.push(key.to_string()),
                    "DoesNotExist" => parts.push(format!("!{key}")),
                    _ => {}
                }
            }
        }
        parts.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn parses_and_matches() {
        let l = labels(json!({"l": "a", "n": "5"}));
        let m = |s: &str| LabelSelector::parse(s).unwrap().matches(Some(&l));
        assert!(m("l"));
        assert!(m("l=a"));
        assert!(m("l==a"));
        assert!(!m("l!=a"));
        assert!(m("l in (a,b)"));
        assert!(!m("l notin (a,b)"));
        assert!(m("!x"));
        assert!(!m("!l"));
        assert!(m("n>4,n<6"));
        assert!(m(""));
        assert!(m("x!=y"));
        assert!(!m("l,x"));
    }

    #[test]
    fn errors_like_the_api_server() {
        assert_eq!(
            LabelSelector::parse("l in (a").unwrap_err(),
            "unable to parse requirement: found '', expected: ',' or ')'"
        );
        assert!(LabelSelector::parse("l in").is_err());
        assert!(LabelSelector::parse("=a").is_err());
        assert!(LabelSelector::parse("a b").is_err());
    }

    #[test]
    fn from_object() {
        let s = LabelSelector::to_string_from_object(&json!({"matchLabels": {"app": "web"}}));
        assert_eq!(s, "app=web");
    }
}
