//! Encoding straight from JSON text (the fast path for serde_json input).
//!
//! serde_json hands over the field set's text as it captures a raw value, without parsing it
//! (the same cost as `Box<RawValue>` minus the copy). This parser then walks the text once.
//! It only knows the shape field sets have — objects of objects — and gives up (`None`) on
//! anything else, leaving that input to the general path.

use smallvec::SmallVec;

use super::keys::{push_key, DOT_LEAF};
use super::{END, KIND_DOT_OBJECT, KIND_EMPTY, KIND_OBJECT};

/// Encodes the object `text` into `out` (entries, then [`END`]); `None` if `text` is not an
/// object of objects, or not valid JSON.
pub(super) fn encode(text: &str, out: &mut Vec<u8>) -> Option<u8> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        pos: 0,
        unescaped: SmallVec::new(),
    };
    parser.ws();
    parser.eat(b'{')?;
    let kind = parser.object(out, 0)?;
    parser.ws();
    (parser.pos == parser.bytes.len()).then_some(kind)
}

/// Deeper nesting than this is left to the general path (field sets are a few levels deep).
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Buffer for keys with escape sequences (list-map keys such as `k:{"name":"web"}` have
    /// them); on the stack, so a field set costs no allocation beyond its own.
    unescaped: SmallVec<[u8; 256]>,
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (*self.bytes.get(self.pos)? == byte).then(|| self.pos += 1)
    }

    /// The members of an object whose `{` was consumed, up to and including its `}`.
    /// Returns the object's kind.
    fn object(&mut self, out: &mut Vec<u8>, depth: usize) -> Option<u8> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(KIND_EMPTY);
        }
        let mut kind = KIND_OBJECT;
        let mut first = true;
        loop {
            self.ws();
            self.eat(b'"')?;
            let header_at = out.len();
            out.push(0);
            let code = match self.string()? {
                Key::Borrowed(key) => push_key(out, key),
                Key::Unescaped => push_key(out, &self.unescaped),
            };
            self.ws();
            self.eat(b':')?;
            self.ws();
            self.eat(b'{')?;
            let child = self.object(out, depth + 1)?;
            out[header_at] = code << 2 | child;
            if first && out.len() == header_at + 1 && out[header_at] == DOT_LEAF {
                out.truncate(header_at);
                kind = KIND_DOT_OBJECT;
            }
            first = false;
            self.ws();
            match *self.bytes.get(self.pos)? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    break;
                }
                _ => return None,
            }
        }
        out.push(END);
        Some(kind)
    }

    /// A string whose `"` was consumed, up to and including its closing `"`.
    fn string(&mut self) -> Option<Key<'a>> {
        let start = self.pos;
        loop {
            match *self.bytes.get(self.pos)? {
                b'"' => {
                    self.pos += 1;
                    return Some(Key::Borrowed(&self.bytes[start..self.pos - 1]));
                }
                b'\\' => break,
                b if b < 0x20 => return None,
                _ => self.pos += 1,
            }
        }
        self.unescaped.clear();
        self.unescaped
            .extend_from_slice(&self.bytes[start..self.pos]);
        loop {
            match *self.bytes.get(self.pos)? {
                b'"' => {
                    self.pos += 1;
                    return Some(Key::Unescaped);
                }
                b'\\' => {
                    let escaped = *self.bytes.get(self.pos + 1)?;
                    self.pos += 2;
                    let c = match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    let mut utf8 = [0u8; 4];
                    self.unescaped
                        .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
                b if b < 0x20 => return None,
                b => {
                    self.unescaped.push(b);
                    self.pos += 1;
                }
            }
        }
    }

    /// The character of a `\uXXXX` escape (a surrogate pair takes two), after its `\u`.
    fn unicode_escape(&mut self) -> Option<char> {
        let high = self.hex4()?;
        if !(0xD800..0xDC00).contains(&high) {
            return char::from_u32(high);
        }
        self.eat(b'\\')?;
        self.eat(b'u')?;
        let low = self.hex4()?;
        if !(0xDC00..0xE000).contains(&low) {
            return None;
        }
        char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4)?;
        self.pos += 4;
        let text = std::str::from_utf8(digits).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(text, 16).ok()
    }
}

/// A parsed key: a slice of the text, or (when it had escapes) the parser's buffer.
enum Key<'a> {
    Borrowed(&'a [u8]),
    Unescaped,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        encode(text, &mut out).map(|_| out)
    }

    #[test]
    fn agrees_with_the_general_path() {
        for text in [
            r#"{"f:a":{},"f:b":{".":{},"f:c":{}}}"#,
            " { \"k:{\\\"name\\\":\\\"x\\\"}\" : { } , \"f:\\u00e9\\ud83d\\ude00\\n\":{} } ",
            r#"{}"#,
        ] {
            let mut general = Vec::new();
            let mut de = serde_json::Deserializer::from_str(text);
            super::super::from_serde::encode_any(&mut de, &mut general).unwrap();
            let mut fast = vec![super::super::FORMAT_TREE];
            let kind = encode(text, &mut fast).unwrap();
            super::super::finish_root(&mut fast, kind);
            assert_eq!(fast, general, "{text}");
        }
    }

    #[test]
    fn leaves_other_shapes_to_the_general_path() {
        for text in [
            r#"{"f:a":1}"#,
            r#"{"f:a":{}"#,
            r#"{"f:a":{}} x"#,
            r#"[]"#,
            r#"{"f:a" {}}"#,
            r#"{"f:a":{},}"#,
            r#"{"\x":{}}"#,
            r#"{"\ud800":{}}"#,
            r#"{"\u12":{}}"#,
        ] {
            assert_eq!(encoded(text), None, "{text}");
        }
        let deep = format!(
            "{}{}",
            "{\"a\":".repeat(100),
            "{}".to_owned() + &"}".repeat(100)
        );
        assert_eq!(encoded(&deep), None);
    }
}
