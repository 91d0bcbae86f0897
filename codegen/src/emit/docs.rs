//! Doc comments from spec descriptions.
//!
//! Descriptions are Go doc text, not Markdown meant for rustdoc: indented lines would become
//! code blocks and code fences would become doc tests. Lines are trimmed and fences marked as
//! plain text so the generated crate's docs build and its doc tests stay meaningful.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes for a description, one per line.
pub(crate) fn doc_attrs(text: Option<&str>) -> TokenStream {
    let Some(text) = text else {
        return TokenStream::new();
    };
    let lines = sanitize(text);
    let attrs = lines.iter().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#attrs)*)
}

/// The doc of a generated type: its description, or a line naming the schema when it has
/// none (every public item of a generated crate is documented: `missing_docs` holds).
pub(crate) fn type_doc_attrs(id: &str, description: Option<&str>) -> TokenStream {
    match description {
        Some(text) => doc_attrs(Some(text)),
        None => doc_attrs(Some(&format!("The `{id}` schema (it has no description)."))),
    }
}

/// The doc of a generated field or one-of member: its description, or its name on the wire
/// when it has none.
pub(crate) fn member_doc_attrs(json_name: &str, description: Option<&str>) -> TokenStream {
    match description {
        Some(text) => doc_attrs(Some(text)),
        None if json_name.is_empty() => {
            doc_attrs(Some("Fields the schema does not declare, kept as sent."))
        }
        None => doc_attrs(Some(&format!(
            "`{json_name}` (the schema has no description)."
        ))),
    }
}

/// `#![doc = "..."]` attributes (module docs) for a text, one per line.
pub(crate) fn inner_doc_attrs(text: &str) -> TokenStream {
    let attrs = sanitize(text).into_iter().map(|line| {
        let line = if line.is_empty() {
            line
        } else {
            format!(" {line}")
        };
        quote!(#![doc = #line])
    });
    quote!(#(#attrs)*)
}

/// `#![doc = "..."]` attributes for text written by kubegen itself (kept as is: its code
/// blocks are real doc tests).
pub(crate) fn own_inner_doc_attrs(text: &str) -> TokenStream {
    let attrs = text.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#![doc = #line])
    });
    quote!(#(#attrs)*)
}

/// Joins paragraphs of doc text.
pub(crate) fn join(parts: &[Option<String>]) -> Option<String> {
    let parts: Vec<&str> = parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("\n\n"))
    }
}

fn sanitize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.trim().lines() {
        let mut line = line.trim();
        if !in_fence {
            let Some(rest) = line.strip_prefix("```") else {
                out.push(line.to_owned());
                continue;
            };
            out.push("```text".to_owned());
            in_fence = true;
            // Folded YAML leaves whole blocks on one line (``` a: b ```); a word
            // without spaces right after the fence is a language tag.
            line = if rest.trim().contains(' ') || rest.trim().ends_with("```") {
                rest.trim()
            } else {
                ""
            };
        }
        if let Some(body) = line.strip_suffix("```") {
            if !body.trim().is_empty() {
                out.push(body.trim().to_owned());
            }
            out.push("```".to_owned());
            in_fence = false;
        } else if !line.is_empty() || out.last().is_none_or(|l| l != "```text") {
            out.push(line.to_owned());
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    // Collapse runs of blank lines.
    out.dedup_by(|a, b| a.is_empty() && b.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indented_lines_and_fences_are_neutralised() {
        let lines = sanitize("Example:\n\n    kubectl get pods\n```\ncode\n```\nend  ");
        assert_eq!(
            lines,
            vec![
                "Example:",
                "",
                "kubectl get pods",
                "```text",
                "code",
                "```",
                "end"
            ]
        );
        assert_eq!(sanitize("```yaml\na: b"), vec!["```text", "a: b", "```"]);
        assert_eq!(
            sanitize("see: \n ``` match:   path: \"/foo\" ```"),
            vec!["see:", "```text", "match:   path: \"/foo\"", "```"]
        );
        assert_eq!(
            sanitize("```\na\nb ```\nc"),
            vec!["```text", "a", "b", "```", "c"]
        );
    }
}
