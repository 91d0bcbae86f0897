//! The tokens of JSON text (RFC 8259), read through a shared cursor.
//!
//! The cursor is a `Cell` so the nested `Serialize` helpers of [`super::SerializeText`], which
//! only get `&self`, can all advance it.

use std::borrow::Cow;
use std::cell::Cell;

use super::{JsonTextError, MAX_DEPTH};

type Result<T> = std::result::Result<T, JsonTextError>;

const DEPTH_EXPECTED: &str = "at most 128 nested arrays and objects";

/// A number as serde_json reads it: integers that fit `u64`/`i64` as such, else `f64`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

/// The next value's first token: a whole scalar, or the bracket opening a container.
pub(super) enum Token<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    ArrayStart,
    ObjectStart,
}

/// A cursor over JSON text.
pub(super) struct Reader<'a> {
    text: &'a str,
    pos: Cell<usize>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: Cell::new(0),
        }
    }

    pub(super) fn pos(&self) -> usize {
        self.pos.get()
    }

    pub(super) fn set_pos(&self, pos: usize) {
        self.pos.set(pos);
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos.get()).copied()
    }

    fn bump(&self) {
        self.pos.set(self.pos.get() + 1);
    }

    fn error<T>(&self, expected: &'static str) -> Result<T> {
        Err(JsonTextError::new(self.pos.get(), expected))
    }

    fn skip_ws(&self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    /// Only whitespace is left.
    pub(super) fn end(&self) -> Result<()> {
        self.skip_ws();
        match self.peek() {
            None => Ok(()),
            Some(_) => self.error("the end of the text"),
        }
    }

    /// An error unless a container opened at `at`, inside `depth` others, is within the limit.
    pub(super) fn check_depth(&self, depth: usize, at: usize) -> Result<()> {
        if depth < MAX_DEPTH {
            Ok(())
        } else {
            Err(JsonTextError::new(at, DEPTH_EXPECTED))
        }
    }

    /// Skips whitespace and reads the next value's first token; returns it with its offset.
    pub(super) fn token(&self) -> Result<(usize, Token<'a>)> {
        self.skip_ws();
        let at = self.pos.get();
        let token = match self.peek() {
            Some(b'{') => {
                self.bump();
                Token::ObjectStart
            }
            Some(b'[') => {
                self.bump();
                Token::ArrayStart
            }
            Some(b'"') => Token::Str(self.string()?),
            Some(b't') => self.literal("true", Token::Bool(true))?,
            Some(b'f') => self.literal("false", Token::Bool(false))?,
            Some(b'n') => self.literal("null", Token::Null)?,
            Some(b'-' | b'0'..=b'9') => Token::Number(self.number()?),
            _ => return self.error("a JSON value"),
        };
        Ok((at, token))
    }

    fn literal(&self, word: &'static str, token: Token<'a>) -> Result<Token<'a>> {
        for &b in word.as_bytes() {
            if self.peek() != Some(b) {
                return self.error(match word {
                    "true" => "`true`",
                    "false" => "`false`",
                    _ => "`null`",
                });
            }
            self.bump();
        }
        Ok(token)
    }

    /// After an opening bracket: true (and consumed) if `close` follows at once.
    pub(super) fn empty(&self, close: u8) -> bool {
        self.skip_ws();
        let empty = self.peek() == Some(close);
        if empty {
            self.bump();
        }
        empty
    }

    /// After a member: true for `,` (another follows), false for the closing bracket.
    pub(super) fn comma_or_close(&self, close: u8) -> Result<bool> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.bump();
                Ok(true)
            }
            Some(b) if b == close => {
                self.bump();
                Ok(false)
            }
            _ if close == b'}' => self.error("`,` or `}`"),
            _ => self.error("`,` or `]`"),
        }
    }

    /// An object member's key and its `:`.
    pub(super) fn key(&self) -> Result<Cow<'a, str>> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return self.error("`\"` (an object key)");
        }
        let key = self.string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return self.error("`:`");
        }
        self.bump();
        Ok(key)
    }

    /// A string at the cursor (on its `"`), unescaped; borrowed when it has no escapes.
    fn string(&self) -> Result<Cow<'a, str>> {
        self.bump();
        let bytes = self.text.as_bytes();
        let mut owned: Option<String> = None;
        let mut run = self.pos.get();
        loop {
            let i = self.pos.get();
            match bytes.get(i) {
                None => return self.error("`\"` closing the string"),
                Some(b'"') => {
                    self.bump();
                    let tail = &self.text[run..i];
                    return Ok(match owned {
                        None => Cow::Borrowed(tail),
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                    });
                }
                Some(b'\\') => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[run..i]);
                    self.bump();
                    self.escape(s)?;
                    run = self.pos.get();
                }
                Some(0..=0x1f) => {
                    return self.error("a string character (control characters must be escaped)")
                }
                Some(_) => self.bump(),
            }
        }
    }

    /// The escape after a `\`, appended to `out`.
    fn escape(&self, out: &mut String) -> Result<()> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let at = self.pos.get() - 1;
                self.bump();
                let unit = self.hex4()?;
                let code = match unit {
                    0xd800..=0xdbff => {
                        let low_at = self.pos.get();
                        let low = match (self.peek(), self.text.as_bytes().get(low_at + 1)) {
                            (Some(b'\\'), Some(b'u')) => {
                                self.set_pos(low_at + 2);
                                self.hex4()?
                            }
                            _ => 0,
                        };
                        if !(0xdc00..=0xdfff).contains(&low) {
                            return Err(JsonTextError::new(
                                low_at,
                                "a low surrogate `\\uDC00`..`\\uDFFF` after a high surrogate",
                            ));
                        }
                        0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
                    }
                    0xdc00..=0xdfff => {
                        return Err(JsonTextError::new(
                            at,
                            "a high surrogate `\\uD800`..`\\uDBFF` before a low surrogate",
                        ))
                    }
                    _ => unit,
                };
                // Surrogates are excluded above, so every remaining code is a `char`.
                match char::from_u32(code) {
                    Some(c) => out.push(c),
                    None => return Err(JsonTextError::new(at, "a Unicode scalar value")),
                }
                return Ok(());
            }
            _ => return self.error("an escape: one of `\"\\/bfnrt` or `u` and 4 hex digits"),
        };
        self.bump();
        out.push(c);
        Ok(())
    }

    fn hex4(&self) -> Result<u32> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b) => (b as char).to_digit(16),
                None => None,
            };
            let Some(digit) = digit else {
                return self.error("4 hex digits after `\\u`");
            };
            unit = unit * 16 + digit;
            self.bump();
        }
        Ok(unit)
    }

    /// A number at the cursor, read as serde_json reads it (see [`Number`]); `-0` is `-0.0`.
    fn number(&self) -> Result<Number> {
        let start = self.pos.get();
        let negative = self.peek() == Some(b'-');
        if negative {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => {
                self.bump();
                if let Some(b'0'..=b'9') = self.peek() {
                    return self.error("`.`, `e` or the number's end after a leading `0`");
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return self.error("a digit"),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.bump();
            self.some_digits("a digit after `.`")?;
            integer = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            self.some_digits("a digit in the exponent")?;
            integer = false;
        }
        let literal = &self.text[start..self.pos.get()];
        if integer {
            let fits = if negative {
                literal
                    .parse()
                    .ok()
                    .filter(|&n: &i64| n != 0)
                    .map(Number::I64)
            } else {
                literal.parse().ok().map(Number::U64)
            };
            if let Some(number) = fits {
                return Ok(number);
            }
        }
        match literal.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Number::F64(f)),
            _ => Err(JsonTextError::new(
                start,
                "a number within the range of f64",
            )),
        }
    }

    fn digits(&self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
        }
    }

    fn some_digits(&self, expected: &'static str) -> Result<()> {
        match self.peek() {
            Some(b'0'..=b'9') => {
                self.digits();
                Ok(())
            }
            _ => self.error(expected),
        }
    }

    /// Reads one whole value inside `depth` containers, checking it, without recursion.
    pub(super) fn skip_value(&self, depth: usize) -> Result<()> {
        // The containers opened here, innermost last: true for an object.
        let mut open: Vec<bool> = Vec::new();
        loop {
            let (at, token) = self.token()?;
            let container = match token {
                Token::ArrayStart => Some((false, b']')),
                Token::ObjectStart => Some((true, b'}')),
                _ => None,
            };
            if let Some((object, close)) = container {
                self.check_depth(depth + open.len(), at)?;
                if !self.empty(close) {
                    open.push(object);
                    if object {
                        self.key()?;
                    }
                    continue;
                }
            }
            // A value is complete: close the containers it completes.
            loop {
                let Some(&object) = open.last() else {
                    return Ok(());
                };
                if self.comma_or_close(if object { b'}' } else { b']' })? {
                    if object {
                        self.key()?;
                    }
                    break;
                }
                open.pop();
            }
        }
    }
}
