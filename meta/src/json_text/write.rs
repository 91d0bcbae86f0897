//! `WriteText`: whatever value a deserializer shows, written down as compact JSON text.

use std::fmt::{self, Write as _};

use serde_core::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_core::Deserializer;

use super::MAX_DEPTH;

/// Appends the compact JSON text of the next value of any deserializer to the `String`,
/// exactly as `serde_json::to_string(&serde_json::Value)` would write it, except that map
/// keys keep the order the deserializer gives them.
///
/// On error the `String` is left as it was. Enums have no JSON form here and are an error, as
/// is nesting deeper than [`MAX_DEPTH`] arrays and maps.
pub(crate) struct WriteText<'a>(pub &'a mut String);

/// The JSON text of the next value of `deserializer` (see [`WriteText`]).
pub(crate) fn to_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let mut text = String::new();
    WriteText(&mut text).deserialize(deserializer)?;
    Ok(text)
}

impl<'de> DeserializeSeed<'de> for WriteText<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let len = self.0.len();
        let written = Writer {
            out: &mut *self.0,
            depth: 0,
            comma: false,
        }
        .deserialize(deserializer);
        if written.is_err() {
            self.0.truncate(len);
        }
        written
    }
}

/// Writes one value inside `depth` containers, after a `,` if `comma`.
struct Writer<'a> {
    out: &'a mut String,
    depth: usize,
    comma: bool,
}

impl Writer<'_> {
    /// Starts a value: its separator, and for a container the depth check.
    fn begin<E: de::Error>(&mut self, container: bool) -> Result<(), E> {
        if container && self.depth >= MAX_DEPTH {
            return Err(E::custom(format_args!(
                "JSON text nests deeper than {MAX_DEPTH} arrays and objects"
            )));
        }
        if self.comma {
            self.out.push(',');
        }
        Ok(())
    }

    fn scalar<E: de::Error>(mut self, text: impl fmt::Display) -> Result<(), E> {
        self.begin(false)?;
        push_display(self.out, text);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Writer<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Writer<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value that has a JSON form")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.scalar(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.scalar(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.scalar(v)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<(), E> {
        self.scalar(v)
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<(), E> {
        self.scalar(v)
    }
    fn visit_f64<E: de::Error>(mut self, v: f64) -> Result<(), E> {
        self.begin(false)?;
        push_f64(self.out, v);
        Ok(())
    }
    fn visit_str<E: de::Error>(mut self, v: &str) -> Result<(), E> {
        self.begin(false)?;
        push_string(self.out, v);
        Ok(())
    }
    fn visit_bytes<E: de::Error>(mut self, v: &[u8]) -> Result<(), E> {
        self.begin(true)?;
        self.out.push('[');
        for (i, byte) in v.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_display(self.out, byte);
        }
        self.out.push(']');
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar("null")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.scalar("null")
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.deserialize(deserializer)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.begin(true)?;
        self.out.push('[');
        let depth = self.depth + 1;
        let mut comma = false;
        while seq
            .next_element_seed(Writer {
                out: &mut *self.out,
                depth,
                comma,
            })?
            .is_some()
        {
            comma = true;
        }
        self.out.push(']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.begin(true)?;
        self.out.push('{');
        let depth = self.depth + 1;
        let mut comma = false;
        while map
            .next_key_seed(Key {
                out: &mut *self.out,
                comma,
            })?
            .is_some()
        {
            self.out.push(':');
            map.next_value_seed(Writer {
                out: &mut *self.out,
                depth,
                comma: false,
            })?;
            comma = true;
        }
        self.out.push('}');
        Ok(())
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(
            "an enum value has no JSON text form here",
        ))
    }
}

/// Writes a map key, after a `,` if `comma`: a string, or a number or bool quoted as serde_json
/// quotes non-string keys.
struct Key<'a> {
    out: &'a mut String,
    comma: bool,
}

impl Key<'_> {
    fn quoted<E: de::Error>(self, text: impl fmt::Display) -> Result<(), E> {
        if self.comma {
            self.out.push(',');
        }
        self.out.push('"');
        push_display(self.out, text);
        self.out.push('"');
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map key that is a string, number or bool")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if self.comma {
            self.out.push(',');
        }
        push_string(self.out, v);
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.quoted(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.quoted(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.quoted(v)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<(), E> {
        self.quoted(v)
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<(), E> {
        self.quoted(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if !v.is_finite() {
            return Err(E::custom("a float map key must be finite"));
        }
        if self.comma {
            self.out.push(',');
        }
        self.out.push('"');
        push_f64(self.out, v);
        self.out.push('"');
        Ok(())
    }
}

fn push_display(out: &mut String, value: impl fmt::Display) {
    // Writing to a `String` cannot fail.
    let _ = write!(out, "{value}");
}

/// A JSON string as serde_json escapes it: `"` `\` and control characters only, the common
/// ones by letter and the rest as `\u00xx` (lowercase hex); everything else literal.
fn push_string(out: &mut String, s: &str) {
    out.push('"');
    let mut run = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// A float as serde_json (1.0.154, through `zmij`) writes it: the shortest digits that read
/// back as the same `f64`, in plain notation from 1e-5 up to below 1e16 (`0.00001`, `1.0`,
/// `123.5`), else as `1e+16`, `1.5e-7` (older serde_json, through `ryu`, wrote `1e16`). Not
/// finite: `null`.
fn push_f64(out: &mut String, v: f64) {
    if !v.is_finite() {
        out.push_str("null");
        return;
    }
    if v.is_sign_negative() {
        out.push('-');
    }
    if v == 0.0 {
        out.push_str("0.0");
        return;
    }
    // Rust's `{:e}` gives the same shortest round-tripping digits, as `d.ddde-x`.
    let mut scientific = String::with_capacity(24);
    push_display(&mut scientific, format_args!("{:e}", v.abs()));
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: isize = exponent.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    round_tie_to_even(&mut digits, exponent, v.abs());
    let length = digits.len() as isize;
    // The value is 0.digits × 10^point.
    let point = exponent + 1;
    if (length..=16).contains(&point) {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (point - length) as usize));
        out.push_str(".0");
    } else if (1..=16).contains(&point) {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    } else if (-4..=0).contains(&point) {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs()));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if length > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        push_display(out, format_args!("e{:+}", point - 1));
    }
}

/// Rust's shortest digits round a tie up, serde_json's to even: when `v` (positive) lies
/// exactly halfway between `digits` and `digits` one lower in the last place, and both read
/// back as `v`, takes the even one. (`-119651021237893.125` is written `...893.12`.)
fn round_tie_to_even(digits: &mut String, exponent: isize, v: f64) {
    let Some(last) = digits.bytes().last().filter(|last| last % 2 == 1) else {
        return;
    };
    let mut lower = digits.clone();
    lower.pop();
    lower.push(char::from(last - 1));
    // `lower` as an integer, scaled: `digits` are `d.ddd × 10^exponent`.
    let scale = exponent - (lower.len() as isize - 1);
    if format!("{lower}e{scale}").parse() != Ok(v) {
        return;
    }
    // Halfway: the exact expansion of `v` (at most 767 significant digits) is `lower`, 5.
    let exact = format!("{v:.800e}");
    let (exact, _) = exact.split_once('e').unwrap_or((&exact, ""));
    if exact.replace('.', "").trim_end_matches('0') == format!("{lower}5") {
        *digits = lower;
    }
}
