//! Blank lines between items, which `prettyplease` does not print: a generated file should
//! read like one a person wrote, where each item stands apart.
//!
//! This works on prettyplease's output, whose shape is fixed (four spaces per level, one item
//! per line start, `}` alone on the line that closes a block), so lines are enough: a blank
//! line goes between two items at the same indentation, except inside a run of plain `use`
//! and `mod` declarations, which stay together.

/// Inserts a blank line between consecutive items of `text` (prettyplease output).
pub(crate) fn separate_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut prev: Option<&str> = None;
    // The first line of the latest item at each indentation.
    let mut heads: Vec<Option<&str>> = Vec::new();
    for line in text.lines() {
        let indent = indentation(line);
        let code = line.trim_start();
        if let Some(p) = prev {
            let p_code = p.trim_start();
            let same_level = indentation(p) == indent;
            if same_level && is_inner_header(p_code) && !is_inner_header(code) {
                out.push('\n');
            } else if same_level && starts_item(code) && ends_item(p_code) {
                let head = heads.get(indent).copied().flatten();
                let grouped = head
                    .and_then(declaration_group)
                    .is_some_and(|group| declaration_group(code) == Some(group));
                if !grouped {
                    out.push('\n');
                }
            }
        }
        if starts_item(code) {
            let continues = prev
                .is_some_and(|p| indentation(p) == indent && is_attribute_or_doc(p.trim_start()));
            if !continues {
                if heads.len() <= indent {
                    heads.resize(indent + 1, None);
                }
                heads[indent] = Some(code);
            }
        }
        out.push_str(line);
        out.push('\n');
        prev = Some(line);
    }
    out
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Whether a line can begin an item (its docs, attributes or keyword).
fn starts_item(code: &str) -> bool {
    const STARTS: &[&str] = &[
        "///", "#[", "pub ", "pub(", "fn ", "impl ", "impl<", "const ", "static ", "struct ",
        "enum ", "mod ", "use ", "type ", "trait ", "unsafe ", "async ", "extern ",
    ];
    STARTS.iter().any(|s| code.starts_with(s))
}

/// Whether a line is the last of an item (a comment line never is, whatever it ends with).
fn ends_item(code: &str) -> bool {
    !code.starts_with("//") && (code == "}" || code.ends_with(';'))
}

fn is_attribute_or_doc(code: &str) -> bool {
    code.starts_with("///") || code.starts_with("#[")
}

/// Module docs and inner attributes, which open a file.
fn is_inner_header(code: &str) -> bool {
    code.starts_with("//!") || code.starts_with("#![")
}

/// The group of a plain declaration (`use a::b;`, `pub use self::x::X;`, `mod x;`), `None`
/// for other lines. Declarations of one group stay together: `std` imports, imports of other
/// crates, then this crate's modules and imports.
fn declaration_group(code: &str) -> Option<u8> {
    let code = code.strip_prefix("pub ").unwrap_or(code);
    if code.starts_with("mod ") && code.ends_with(';') {
        return Some(2);
    }
    let path = code.strip_prefix("use ")?;
    let root = path.split("::").next().unwrap_or_default();
    Some(match root {
        "std" | "core" | "alloc" => 0,
        "crate" | "self" | "super" => 2,
        _ => 1,
    })
}

#[cfg(test)]
mod tests {
    use super::separate_items;

    #[test]
    fn items_are_separated_and_declarations_grouped() {
        let text = "//! Docs.\nuse std::a;\nuse a::b;\nuse c::{\n    d,\n};\nuse crate::e;\nmod x;\npub use self::x::X;\n/// A.\n#[derive(Clone)]\npub struct A {\n    /// Field.\n    pub a: u8,\n    pub b: u8,\n}\nimpl A {\n    fn f(&self) {\n        let x = 1;\n        if x == 1 {\n            g();\n        }\n        h();\n    }\n    /// G.\n    fn g() {}\n}\nconst C: u8 = 1;\n";
        let expected = "//! Docs.\n\nuse std::a;\n\nuse a::b;\nuse c::{\n    d,\n};\n\nuse crate::e;\nmod x;\npub use self::x::X;\n\n/// A.\n#[derive(Clone)]\npub struct A {\n    /// Field.\n    pub a: u8,\n    pub b: u8,\n}\n\nimpl A {\n    fn f(&self) {\n        let x = 1;\n        if x == 1 {\n            g();\n        }\n        h();\n    }\n\n    /// G.\n    fn g() {}\n}\n\nconst C: u8 = 1;\n";
        assert_eq!(separate_items(text), expected);
    }

    #[test]
    fn a_doc_line_ending_with_a_semicolon_does_not_end_an_item() {
        let text = "/// Opens a port;\n/// see `serve`.\npub fn f() {}\n";
        assert_eq!(separate_items(text), text);
    }

    #[test]
    fn an_attributed_declaration_stands_apart() {
        let text = "mod x;\npub use self::x::X;\n#[cfg(feature = \"client\")]\nmod client;\n#[cfg(feature = \"client\")]\npub use self::client::C;\n";
        let expected = "mod x;\npub use self::x::X;\n\n#[cfg(feature = \"client\")]\nmod client;\n\n#[cfg(feature = \"client\")]\npub use self::client::C;\n";
        assert_eq!(separate_items(text), expected);
    }
}
