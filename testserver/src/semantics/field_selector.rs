//! Field selectors: `metadata.name` and `metadata.namespace` for every resource, plus the
//! few extra fields some built-in resources support (e.g. `spec.nodeName` for pods).
//!
//! Parsing follows apimachinery's `fields.ParseSelector` byte for byte, so a client sees
//! the real server's answer: terms split at unescaped commas, nothing trimmed (`a =b` asks
//! for the field `"a "`), the first unescaped `!=`, `==` or `=` is the operator, and a
//! value may hold `,`, `=` and `\` only escaped with a backslash. Syntax is checked for
//! every term before any field name, terms taken in sorted order, so the first error
//! reported is the real server's. `Display` writes the escaped form that parses back to
//! the same selector (the fuzz target `field_selector` checks it).

use std::fmt;

use serde_json::Value;

/// One `field=value` / `field!=value` term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRequirement {
    /// Dotted field path, as written (escapes are not undone in field names, as in Go).
    pub field: String,
    /// Compared value, unescaped.
    pub value: String,
    /// `!=`
    pub negated: bool,
}

/// A parsed field selector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector(pub Vec<FieldRequirement>);

/// Extra selectable fields of built-in resources, by (group, plural).
fn extra_fields(group: &str, plural: &str) -> &'static [&'static str] {
    match (group, plural) {
        ("", "pods") => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        ("", "events") | ("events.k8s.io", "events") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        ("", "secrets") => &["type"],
        ("", "namespaces") => &["status.phase"],
        ("", "nodes") => &["spec.unschedulable"],
        ("", "replicationcontrollers") => &["status.replicas"],
        ("batch", "jobs") => &["status.successful"],
        ("certificates.k8s.io", "certificatesigningrequests") => &["spec.signerName"],
        _ => &[],
    }
}

impl FieldSelector {
    /// Parses `a=b,c!=d` for resource (group, plural); the error is the 400 message.
    pub fn parse(s: &str, group: &str, plural: &str) -> Result<Self, String> {
        let selector = Self::parse_syntax(s)?;
        let extra = extra_fields(group, plural);
        for r in &selector.0 {
            let field = r.field.as_str();
            if field != "metadata.name" && field != "metadata.namespace" && !extra.contains(&field)
            {
                let mut allowed = vec![
                    "\"metadata.name\"".to_string(),
                    "\"metadata.namespace\"".to_string(),
                ];
                allowed.extend(extra.iter().map(|f| format!("\"{f}\"")));
                return Err(format!(
                    "\"{field}\" is not a known field selector: only {}",
                    allowed.join(", ")
                ));
            }
        }
        Ok(selector)
    }

    /// The syntax alone, whatever the field names (`fields.ParseSelector`).
    pub fn parse_syntax(s: &str) -> Result<Self, String> {
        let mut terms = split_terms(s);
        terms.sort_unstable();
        let mut reqs = Vec::new();
        for term in terms.into_iter().filter(|t| !t.is_empty()) {
            let Some((field, op, value)) = split_term(term) else {
                return Err(format!(
                    "invalid selector: '{s}'; can't understand '{term}'"
                ));
            };
            reqs.push(FieldRequirement {
                field: field.to_string(),
                value: unescape_value(value)?,
                negated: op == "!=",
            });
        }
        Ok(Self(reqs))
    }

    /// Whether it selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the object matches.
    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|r| {
            let mut cur = Some(obj);
            for part in r.field.split('.') {
                cur = cur.and_then(|c| c.get(part));
            }
            let actual = match cur {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            (actual == r.value) != r.negated
        })
    }
}

impl fmt::Display for FieldSelector {
    /// `field=value` terms, values escaped (Go's `Selector.String`), sorted as printed and
    /// joined by commas: the order parsing gives them back, so printing is stable (the
    /// terms' order as written can differ once `==` is printed `=` and values escaped).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut terms: Vec<String> = self
            .0
            .iter()
            .map(|r| {
                let op = if r.negated { "!=" } else { "=" };
                format!("{}{op}{}", r.field, escape_value(&r.value))
            })
            .collect();
        terms.sort_unstable();
        f.write_str(&terms.join(","))
    }
}

/// The operators, longest first where one is the prefix of another.
const OPERATORS: [&str; 3] = ["!=", "==", "="];

/// Splits at commas not escaped by a backslash.
fn split_terms(s: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, b) in s.bytes().enumerate() {
        if escaped {
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if b == b',' {
            terms.push(&s[start..i]);
            start = i + 1;
        }
    }
    terms.push(&s[start..]);
    terms
}

/// `(field, operator, raw value)` at the first unescaped operator.
fn split_term(term: &str) -> Option<(&str, &'static str, &str)> {
    let bytes = term.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        for op in OPERATORS {
            if bytes[i..].starts_with(op.as_bytes()) {
                return Some((&term[..i], op, &term[i + op.len()..]));
            }
        }
        i += 1;
    }
    None
}

/// Undoes `\\`, `\,` and `\=`; any other escape, a lone trailing backslash and an
/// unescaped `,` or `=` are errors (Go's `fields.UnescapeValue`, same messages).
fn unescape_value(raw: &str) -> Result<String, String> {
    let mut value = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('\\' | ',' | '=')) => value.push(e),
                Some(e) => {
                    return Err(format!(
                        "invalid field selector: invalid escape sequence: \\{e}"
                    ))
                }
                None => return Err("invalid field selector: invalid escape sequence: \\".into()),
            },
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector: unescaped character in value: {}",
                    u32::from(c)
                ))
            }
            c => value.push(c),
        }
    }
    Ok(value)
}

/// The inverse of [`unescape_value`] (Go's `fields.EscapeValue`).
fn escape_value(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | ',' | '=') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_matches_and_rejects() {
        let s = FieldSelector::parse("metadata.name=l1", "", "configmaps").unwrap();
        assert!(s.matches(&json!({"metadata": {"name": "l1"}})));
        assert!(!s.matches(&json!({"metadata": {"name": "l2"}})));
        let s = FieldSelector::parse("metadata.namespace!=a", "", "configmaps").unwrap();
        assert!(s.matches(&json!({"metadata": {"namespace": "b"}})));
        assert_eq!(
            FieldSelector::parse("data.k=v", "", "configmaps").unwrap_err(),
            "\"data.k\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        );
        let s = FieldSelector::parse("spec.nodeName=n1", "", "pods").unwrap();
        assert!(s.matches(&json!({"spec": {"nodeName": "n1"}})));
        assert!(FieldSelector::parse("nonsense", "", "pods").is_err());
    }

    /// What kube-apiserver v1.36 answered for each (`configmaps`), asked with curl.
    #[test]
    fn parses_as_the_api_server_does() {
        let parse = |s: &str| FieldSelector::parse(s, "", "configmaps");
        let req = |value: &str, negated| FieldRequirement {
            field: "metadata.name".into(),
            value: value.into(),
            negated,
        };
        assert_eq!(parse("metadata.name=a\\,b").unwrap().0, [req("a,b", false)]);
        assert_eq!(parse("metadata.name= a").unwrap().0, [req(" a", false)]);
        assert_eq!(parse("metadata.name==a").unwrap().0, [req("a", false)]);
        assert_eq!(parse(",metadata.name=a,,").unwrap().0, [req("a", false)]);
        assert_eq!(
            parse("metadata.name =a").unwrap_err(),
            "\"metadata.name \" is not a known field selector: only \"metadata.name\", \
             \"metadata.namespace\""
        );
        for s in ["metadata.name=a=b", "metadata.name!=a!=b"] {
            assert_eq!(
                parse(s).unwrap_err(),
                "invalid field selector: unescaped character in value: 61"
            );
        }
        assert_eq!(
            parse("metadata.name=a\\x").unwrap_err(),
            "invalid field selector: invalid escape sequence: \\x"
        );
        assert_eq!(
            parse("metadata.name=a\\").unwrap_err(),
            "invalid field selector: invalid escape sequence: \\"
        );
        // Syntax first, in sorted order: the bad term after the unknown field is reported.
        assert_eq!(
            parse("x=1,metadata.name").unwrap_err(),
            "invalid selector: 'x=1,metadata.name'; can't understand 'metadata.name'"
        );
    }

    #[test]
    fn printing_is_stable_when_escapes_change_the_order() {
        // Found by the fuzz target: as written, `==\0` sorts after `=99`; printed `=\0`, before.
        let s = FieldSelector::parse_syntax("==a,=99\\,b,==\0").unwrap();
        let printed = s.to_string();
        assert_eq!(printed, "=\0,=99\\,b,=a");
        let again = FieldSelector::parse_syntax(&printed).unwrap();
        assert_eq!(again.to_string(), printed);
    }

    #[test]
    fn prints_what_parses_back() {
        let s = FieldSelector::parse_syntax("b!=x\\=y,a==p\\\\q\\,r").unwrap();
        assert_eq!(s.to_string(), "a=p\\\\q\\,r,b!=x\\=y");
        assert_eq!(FieldSelector::parse_syntax(&s.to_string()).unwrap(), s);
    }
}
