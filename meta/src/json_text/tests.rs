use proptest::prelude::*;
use serde_core::de::value::{
    BytesDeserializer, CharDeserializer, Error as ValueError, F64Deserializer, I128Deserializer,
    MapDeserializer, StrDeserializer, U128Deserializer, UnitDeserializer,
};
use serde_core::de::{DeserializeSeed, IntoDeserializer};
use serde_json::{Number, Value};

use super::*;

/// `text` read by serde_json and written back by it: what `WriteText` must produce.
fn serde_json_text(text: &str) -> String {
    serde_json::to_string(&serde_json::from_str::<Value>(text).unwrap()).unwrap()
}

fn write_json(text: &str) -> Result<String, serde_json::Error> {
    to_text(&mut serde_json::Deserializer::from_str(text))
}

fn parse(text: &str) -> Result<Value, serde_json::Error> {
    SerializeText(text).serialize(serde_json::value::Serializer)
}

fn invalid(text: &str) -> JsonTextError {
    let error = validate(text).unwrap_err();
    // The serializer reports the same error.
    assert_eq!(
        parse(text).unwrap_err().to_string(),
        error.to_string(),
        "{text:?}"
    );
    error
}

use serde_core::Serialize;

// ---- WriteText ----

#[test]
fn writes_what_serde_json_writes() {
    for text in [
        r#"{"a":[1,-2,3.5,true,false,null,"x"],"b":{},"c":[],"d":{"e":[[]]}}"#,
        r#""quote \" backslash \\ slash \/ \b\f\n\r\t \u0000 \u001f \u007f é 😀 \ud83d\ude00""#,
        "[0, -0, 1.0, 1e21, 1e-7, 1E+2, 0.1, 123456789012345678, -9223372036854775808]",
        "[18446744073709551615, 18446744073709551616, 1e16, 1e15, 0.00001, 0.000001, 5e-324]",
        "[1.7976931348623157e308, 2.2250738585072014e-308, 0.30000000000000004, 100, 1.5e300]",
        " \t\n 42 \r\n",
    ] {
        assert_eq!(write_json(text).unwrap(), serde_json_text(text), "{text}");
    }
}

#[test]
fn keeps_map_keys_in_the_order_given() {
    assert_eq!(
        write_json(r#"{"b":1,"a":{"z":2,"y":3}}"#).unwrap(),
        r#"{"b":1,"a":{"z":2,"y":3}}"#
    );
}

#[test]
// The ties are written out exactly (…893.125), more digits than an f64 shows.
#[allow(clippy::excessive_precision)]
fn writes_floats_like_serde_json() {
    let cases = [
        (1.0, "1.0"),
        (-1.0, "-1.0"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (0.00001, "0.00001"),
        (0.000001, "1e-6"),
        (1.5e300, "1.5e+300"),
        (5e-324, "5e-324"),
        // A tie between two shortest forms: serde_json takes the even one, Rust the upper.
        (-119651021237893.125, "-119651021237893.12"),
        (119651021237893.375, "119651021237893.38"),
        (1.5e-7, "1.5e-7"),
        (123.456, "123.456"),
        (f64::NAN, "null"),
        (f64::INFINITY, "null"),
        (f64::NEG_INFINITY, "null"),
    ];
    for (f, expected) in cases {
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            expected,
            "serde_json on {f:?}"
        );
        assert_eq!(
            to_text(F64Deserializer::<ValueError>::new(f)).unwrap(),
            expected
        );
    }
}

#[test]
fn writes_other_formats() {
    let yaml = "b: 1\na: [x, 2.5, true, ~, -3]\n3: y\ntrue: n\n1.5: f\n";
    // YAML 1.2 booleans only (`y` and `n` are strings), as the workspace reads YAML.
    let core = serde_saphyr::options! { strict_booleans: true };
    let text = serde_saphyr::with_deserializer_from_str_with_options(yaml, core, |de| to_text(de))
        .unwrap();
    assert_eq!(
        text,
        r#"{"b":1,"a":["x",2.5,true,null,-3],"3":"y","true":"n","1.5":"f"}"#
    );

    let map =
        MapDeserializer::<_, ValueError>::new(vec![(7i32, "seven"), (-1, "minus one")].into_iter());
    assert_eq!(to_text(map).unwrap(), r#"{"7":"seven","-1":"minus one"}"#);

    let cases: [(Result<String, ValueError>, &str); 6] = [
        (to_text(BytesDeserializer::new(&[0, 1, 255])), "[0,1,255]"),
        (to_text(CharDeserializer::new('"')), r#""\"""#),
        (
            to_text(I128Deserializer::new(i128::MIN)),
            "-170141183460469231731687303715884105728",
        ),
        (
            to_text(U128Deserializer::new(u128::MAX)),
            "340282366920938463463374607431768211455",
        ),
        (to_text(UnitDeserializer::new()), "null"),
        (to_text(StrDeserializer::new("\u{1}é")), r#""\u0001é""#),
    ];
    for (got, expected) in cases {
        assert_eq!(got.unwrap(), expected);
    }
    assert_eq!(
        serde_json::to_string(&u128::MAX).unwrap(),
        to_text(U128Deserializer::<ValueError>::new(u128::MAX)).unwrap()
    );
}

#[test]
fn refuses_enums_and_odd_keys_and_leaves_the_string_as_it_was() {
    let mut out = String::from("kept");
    // An enum, as a format with tagged values (YAML's `!Tag x` in some crates) hands one over.
    let tagged =
        serde::de::value::EnumAccessDeserializer::new(StrDeserializer::<ValueError>::new("Tag"));
    let error = WriteText(&mut out).deserialize(tagged).unwrap_err();
    assert!(error.to_string().contains("enum"), "{error}");
    assert_eq!(out, "kept");

    let error = serde_saphyr::with_deserializer_from_str("{[1]: x}", |de| to_text(de)).unwrap_err();
    assert!(error.to_string().contains("map key"), "{error}");
    let error =
        serde_saphyr::with_deserializer_from_str("{.nan: x}", |de| to_text(de)).unwrap_err();
    assert!(error.to_string().contains("finite"), "{error}");
}

/// `depth` arrays around `0`.
fn nested(depth: usize) -> String {
    format!("{}0{}", "[".repeat(depth), "]".repeat(depth))
}

fn nested_value(depth: usize) -> Value {
    (0..depth).fold(Value::from(0), |inner, _| Value::Array(vec![inner]))
}

#[test]
fn write_refuses_more_than_128_levels() {
    assert_eq!(
        to_text(&nested_value(MAX_DEPTH)).unwrap(),
        nested(MAX_DEPTH)
    );
    let error = to_text(&nested_value(MAX_DEPTH + 1)).unwrap_err();
    assert!(error.to_string().contains("deeper than 128"), "{error}");
    let deep_map =
        (0..MAX_DEPTH + 1).fold(Value::Null, |inner, _| serde_json::json!({ "k": inner }));
    assert!(to_text(&deep_map).is_err());
    // Far deeper than the stack would survive without the limit.
    let very_deep = nested_value(100_000);
    assert!(to_text(&very_deep).is_err());
    // Dropping a 100 000-deep `Value` recurses too: take it apart by hand.
    let mut value = very_deep;
    while let Value::Array(mut items) = value {
        value = items.pop().unwrap_or(Value::Null);
    }
}

// ---- SerializeText and validate ----

#[test]
fn serializes_what_serde_json_reads() {
    for text in [
        r#" { "b" : [ 1 , -2 , 3.5e2 , true , false , null , "x" ] , "a" : { } , "c" : [ ] } "#,
        r#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\ud83d\ude00 plain é 😀""#,
        "[0, -0, -0.0, 1E+2, 1e-2, 18446744073709551615, 18446744073709551616, -9223372036854775808]",
        "[-9223372036854775809, 1e-400, 123456789012345678901234567890]",
    ] {
        assert_eq!(parse(text).unwrap(), serde_json::from_str::<Value>(text).unwrap(), "{text}");
    }
    // Integers keep their type; `-0` is a float, as in serde_json.
    let value = parse("[1, -1, -0, 18446744073709551616]").unwrap();
    assert!(value[0].is_u64() && value[1].is_i64());
    assert_eq!(value[2].as_f64().map(f64::is_sign_negative), Some(true));
    assert!(value[3].is_f64());
    // Into a streaming serializer: serde_json's compact text, keys in text order.
    let text = r#"{"z":[1,{"y":"\u0001"}],"a":-0.0}"#;
    assert_eq!(serde_json::to_string(&SerializeText(text)).unwrap(), text);
}

#[test]
fn bad_text_is_an_error_at_its_offset() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "a JSON value"),
        ("   ", 3, "a JSON value"),
        ("[1, 2", 5, "`,` or `]`"),
        (r#"{"a": 1"#, 7, "`,` or `}`"),
        (r#"{"a" 1}"#, 5, "`:`"),
        ("{1: 2}", 1, "`\"` (an object key)"),
        (r#"{"a":1,}"#, 7, "`\"` (an object key)"),
        ("[1,]", 3, "a JSON value"),
        (r#""abc"#, 4, "`\"` closing the string"),
        ("1 2", 2, "the end of the text"),
        ("{} x", 3, "the end of the text"),
        ("01", 1, "`.`, `e` or the number's end after a leading `0`"),
        ("-01", 2, "`.`, `e` or the number's end after a leading `0`"),
        ("-", 1, "a digit"),
        ("1.", 2, "a digit after `.`"),
        ("1e+", 3, "a digit in the exponent"),
        (".5", 0, "a JSON value"),
        ("+1", 0, "a JSON value"),
        ("NaN", 0, "a JSON value"),
        ("nul", 3, "`null`"),
        ("tru", 3, "`true`"),
        ("fals", 4, "`false`"),
        ("1e400", 0, "a number within the range of f64"),
        ("[-1e400]", 1, "a number within the range of f64"),
        (
            r#""\x""#,
            2,
            "an escape: one of `\"\\/bfnrt` or `u` and 4 hex digits",
        ),
        (r#""\u12g4""#, 5, "4 hex digits after `\\u`"),
        (
            r#""\ud800""#,
            7,
            "a low surrogate `\\uDC00`..`\\uDFFF` after a high surrogate",
        ),
        (
            r#""\ud800\u0041""#,
            7,
            "a low surrogate `\\uDC00`..`\\uDFFF` after a high surrogate",
        ),
        (
            r#""ab\udc00""#,
            3,
            "a high surrogate `\\uD800`..`\\uDBFF` before a low surrogate",
        ),
        (
            "\"a\nb\"",
            2,
            "a string character (control characters must be escaped)",
        ),
    ];
    for &(text, offset, expected) in cases {
        let error = invalid(text);
        assert_eq!(
            (error.offset(), error.expected()),
            (offset, expected),
            "{text:?}"
        );
        assert!(
            serde_json::from_str::<Value>(text).is_err(),
            "serde_json accepts {text:?}"
        );
    }
    assert_eq!(
        invalid(r#"{"a":1 "b":2}"#).to_string(),
        "invalid JSON at byte 7: expected `,` or `}`"
    );
}

#[test]
fn read_refuses_more_than_128_levels() {
    let ok = nested(MAX_DEPTH);
    validate(&ok).unwrap();
    assert_eq!(parse(&ok).unwrap(), nested_value(MAX_DEPTH));
    let error = invalid(&nested(MAX_DEPTH + 1));
    assert_eq!(
        (error.offset(), error.expected()),
        (128, "at most 128 nested arrays and objects")
    );
    let objects = format!(
        "{}{}",
        r#"{"a":"#.repeat(MAX_DEPTH + 1),
        "}".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(invalid(&objects).offset(), 128 * 5);
    // Unbounded input stays an error, not a stack overflow.
    invalid(&"[".repeat(1_000_000));
    invalid(&r#"{"a":"#.repeat(200_000));
}

/// A serializer that skips every value: the text after it is still read and checked.
#[test]
fn values_a_serializer_skips_are_still_read() {
    struct Keys(Vec<String>);
    impl serde_core::Serializer for &mut Keys {
        type Ok = ();
        type Error = ValueError;
        type SerializeSeq = serde_core::ser::Impossible<(), ValueError>;
        type SerializeTuple = serde_core::ser::Impossible<(), ValueError>;
        type SerializeTupleStruct = serde_core::ser::Impossible<(), ValueError>;
        type SerializeTupleVariant = serde_core::ser::Impossible<(), ValueError>;
        type SerializeMap = Self;
        type SerializeStruct = serde_core::ser::Impossible<(), ValueError>;
        type SerializeStructVariant = serde_core::ser::Impossible<(), ValueError>;
        fn serialize_map(self, _: Option<usize>) -> Result<Self, ValueError> {
            Ok(self)
        }
        fn serialize_str(self, v: &str) -> Result<(), ValueError> {
            self.0.push(v.to_owned());
            Ok(())
        }
        fn serialize_bool(self, _: bool) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_i8(self, _: i8) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_i16(self, _: i16) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_i32(self, _: i32) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_i64(self, _: i64) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_u8(self, _: u8) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_u16(self, _: u16) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_u32(self, _: u32) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_u64(self, _: u64) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_f32(self, _: f32) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_f64(self, _: f64) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_char(self, _: char) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_bytes(self, _: &[u8]) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_none(self) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_unit(self) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_unit_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
        ) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: &T,
        ) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), ValueError> {
            unimplemented!()
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, ValueError> {
            unimplemented!()
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, ValueError> {
            unimplemented!()
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, ValueError> {
            unimplemented!()
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, ValueError> {
            unimplemented!()
        }
        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStruct, ValueError> {
            unimplemented!()
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, ValueError> {
            unimplemented!()
        }
    }
    impl serde_core::ser::SerializeMap for &mut Keys {
        type Ok = ();
        type Error = ValueError;
        fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), ValueError> {
            key.serialize(&mut **self)
        }
        fn serialize_value<T: ?Sized + Serialize>(&mut self, _: &T) -> Result<(), ValueError> {
            Ok(())
        }
        fn end(self) -> Result<(), ValueError> {
            Ok(())
        }
    }
    let mut keys = Keys(Vec::new());
    SerializeText(r#"{"a": [1, {"x": "]"}], "b": "}", "c": null}"#)
        .serialize(&mut keys)
        .unwrap();
    assert_eq!(keys.0, ["a", "b", "c"]);
    let error = SerializeText(r#"{"a": [1, 01], "b": 2}"#)
        .serialize(&mut Keys(Vec::new()))
        .unwrap_err();
    assert!(error.to_string().contains("at byte 11"), "{error}");
}

// ---- Properties ----

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-z\"\\\\/\u{0}-\u{1f}\u{7f}é€😀]{0,12}"]
}

fn arb_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        -1e6..1e6f64,
        (-400i32..400, 1u64..10_000_000).prop_map(|(e, m)| format!("{m}e{e}").parse().unwrap()),
        // Halfway between two 17-digit forms: where the rounding rule shows.
        (100_000_000_000_000i64..1_000_000_000_000_000, 0..4usize)
            .prop_map(|(n, q)| n as f64 + [0.125, 0.375, 0.625, 0.875][q]),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        arb_f64().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        arb_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((arb_string(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Equal, but for floats within a relative 1e-14: serde_json without its `float_roundtrip`
/// feature reads some long decimals a few units in the last place off (`SerializeText` reads
/// them exactly, which `serialize_text_equals_serde_json` checks against the source value).
fn nearly_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            x == y || (x - y).abs() <= x.abs().max(y.abs()) * 1e-14
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| nearly_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, x), (ky, y))| kx == ky && nearly_equal(x, y))
        }
        _ => a == b,
    }
}

/// JSON-looking text, mostly wrong.
fn arb_jsonish() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\\[\\]{}:,\" \\\\0-9a-zE.+-]{0,24}",
        "[\\[{ ]{0,4}(\"([a-z\\\\]|\\\\u[0-9a-fA-F]{4}){0,4}\"|-?[0-9]{1,3}(\\.[0-9]{0,2})?([eE][+-]?[0-9]{0,3})?|true|nul|null)[ ,:\\]}]{0,4}",
        any::<String>(),
        // A valid text with one byte removed or changed.
        (arb_json(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(v, i, b)| {
            let mut bytes = serde_json::to_vec(&v).unwrap();
            let i = i.index(bytes.len());
            if b < 64 { bytes.remove(i); } else { bytes[i] = b'!' + b % 94; }
            String::from_utf8_lossy(&bytes).into_owned()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn write_text_equals_serde_json(value in arb_json()) {
        let text = serde_json::to_string(&value).unwrap();
        prop_assert_eq!(&to_text(&value).unwrap(), &text);
        prop_assert_eq!(write_json(&text).unwrap(), serde_json_text(&text));
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        prop_assert_eq!(write_json(&pretty).unwrap(), serde_json_text(&pretty));
    }

    #[test]
    fn serialize_text_equals_serde_json(value in arb_json()) {
        let text = serde_json::to_string(&value).unwrap();
        let ours = parse(&text).unwrap();
        // Exact: every float was written in a form that reads back as itself.
        prop_assert_eq!(&ours, &value);
        let theirs: Value = serde_json::from_str(&text).unwrap();
        prop_assert!(nearly_equal(&ours, &theirs), "{ours} vs {theirs}");
        prop_assert_eq!(&parse(&serde_json::to_string_pretty(&value).unwrap()).unwrap(), &value);
        // Text through any serializer: serde_json's own writer gives the text back.
        prop_assert_eq!(serde_json::to_string(&SerializeText(&text)).unwrap(), text.clone());
        // And back: `to_text` of what `SerializeText` shows is the text itself.
        prop_assert_eq!(to_text(&ours).unwrap(), text);
    }

    #[test]
    fn floats_are_written_as_serde_json_writes_them(f in arb_f64()) {
        prop_assert_eq!(
            to_text(F64Deserializer::<ValueError>::new(f)).unwrap(),
            serde_json::to_string(&f).unwrap()
        );
    }

    #[test]
    fn integers_and_strings_are_written_as_serde_json_writes_them(
        i in any::<i128>(), u in any::<u128>(), s in arb_string(), c in any::<char>()
    ) {
        prop_assert_eq!(to_text(I128Deserializer::<ValueError>::new(i)).unwrap(), serde_json::to_string(&i).unwrap());
        prop_assert_eq!(to_text(U128Deserializer::<ValueError>::new(u)).unwrap(), serde_json::to_string(&u).unwrap());
        prop_assert_eq!(to_text(s.as_str().into_deserializer() as StrDeserializer<ValueError>).unwrap(), serde_json::to_string(&s).unwrap());
        prop_assert_eq!(to_text(CharDeserializer::<ValueError>::new(c)).unwrap(), serde_json::to_string(&c).unwrap());
    }

    #[test]
    fn any_text_is_read_as_serde_json_reads_it(text in arb_jsonish()) {
        let checked = validate(&text);
        let ours = parse(&text);
        let theirs = serde_json::from_str::<Value>(&text);
        prop_assert_eq!(checked.is_ok(), theirs.is_ok(), "{:?}: {:?} vs {:?}", text, checked, theirs);
        match (ours, theirs, checked) {
            (Ok(ours), Ok(theirs), _) => prop_assert!(nearly_equal(&ours, &theirs), "{ours} vs {theirs}"),
            (Err(ours), Err(_), Err(checked)) => {
                prop_assert_eq!(ours.to_string(), checked.to_string());
                prop_assert!(checked.offset() <= text.len());
            }
            (ours, theirs, checked) => prop_assert!(false, "{:?}: {:?} {:?} {:?}", text, ours, theirs, checked),
        }
    }
}
