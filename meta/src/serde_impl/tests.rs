use serde::de::{MapAccess, SeqAccess};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::*;
use crate::{CompactString, Map};

#[derive(Debug, Default, PartialEq)]
struct Sample {
    name: Option<CompactString>,
    host_ip: Option<CompactString>,
    ports: Option<Vec<u16>>,
    items: Vec<u16>,
}

impl ObjectFields for Sample {
    const NAME: &'static str = "Sample";
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "name" => read(map, &mut self.name),
            "hostIP" => read(map, &mut self.host_ip),
            "ports" => read_list(map, &mut self.ports),
            "items" => read_or_default(map, &mut self.items),
            _ => skip_value(map),
        }
    }
    fn write_fields<W: FieldWriter>(&self, object: &mut W) {
        object.optional("name", &self.name);
        object.optional("hostIP", &self.host_ip);
        object.optional("ports", &self.ports);
        object.unless_default("items", &self.items);
    }
}

impl<'de> Deserialize<'de> for Sample {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_object(deserializer)
    }
}

impl Serialize for Sample {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_object(self, serializer)
    }
}

const FULL: &str = r#"{"name":"n","hostIP":"::1","ports":[1,2,3,4,5],"items":[7]}"#;

#[test]
fn round_trips_and_skips_unset_fields() {
    let s: Sample = serde_json::from_str(FULL).unwrap();
    assert_eq!(s.ports.as_ref().unwrap().capacity(), 5);
    assert_eq!(serde_json::to_string(&s).unwrap(), FULL);
    assert_eq!(serde_json::to_string(&Sample::default()).unwrap(), "{}");
    let only_items = Sample {
        items: vec![1],
        ..Sample::default()
    };
    assert_eq!(
        serde_json::to_string(&only_items).unwrap(),
        r#"{"items":[1]}"#
    );
    // Pretty printing relies on the announced length too.
    assert_eq!(
        serde_json::to_string_pretty(&Sample::default()).unwrap(),
        "{}"
    );
}

#[test]
fn every_key_source_is_read() {
    let expected: Sample = serde_json::from_str(FULL).unwrap();
    // A reader: keys are handed over as transient `&str`.
    let from_reader: Sample = serde_json::from_reader(FULL.as_bytes()).unwrap();
    assert_eq!(from_reader, expected);
    // An owned value: keys are `String`s.
    let value: serde_json::Value = serde_json::from_str(FULL).unwrap();
    assert_eq!(
        serde_json::from_value::<Sample>(value.clone()).unwrap(),
        expected
    );
    // A borrowed value: keys are borrowed.
    assert_eq!(Sample::deserialize(&value).unwrap(), expected);
    // Escaped keys are unescaped into a scratch buffer, then copied.
    let escaped: Sample = serde_json::from_str(r#"{"host\u0049P":"::1"}"#).unwrap();
    assert_eq!(escaped.host_ip.as_deref(), Some("::1"));
}

#[test]
fn long_unknown_keys_are_skipped_on_every_path() {
    let long = "k".repeat(200);
    let json = format!(r#"{{"{long}":{{"a":[1,{{}}]}},"name":"n"}}"#);
    let s: Sample = serde_json::from_str(&json).unwrap();
    assert_eq!(s.name.as_deref(), Some("n"));
    let s: Sample = serde_json::from_reader(json.as_bytes()).unwrap();
    assert_eq!(s.name.as_deref(), Some("n"));
}

#[test]
fn nulls_read_as_unset_or_default() {
    let s: Sample = serde_json::from_str(r#"{"name":null,"ports":null,"items":null}"#).unwrap();
    assert_eq!(s, Sample::default());
}

#[test]
fn the_last_of_duplicate_keys_wins() {
    let s: Sample = serde_json::from_str(r#"{"name":"a","name":"b"}"#).unwrap();
    assert_eq!(s.name.as_deref(), Some("b"));
}

#[test]
fn errors_name_the_expected_shape() {
    let err = serde_json::from_str::<Sample>("[1]").unwrap_err();
    assert!(err.to_string().contains("a Sample object"), "{err}");
    let err = serde_json::from_str::<Sample>(r#"{"ports":"x"}"#).unwrap_err();
    assert!(err.to_string().contains("a list"), "{err}");
}

#[derive(Debug, Default, PartialEq)]
struct Open {
    level: Option<i64>,
    unknown_fields: Map<serde_json::Value>,
}

impl ObjectFields for Open {
    const NAME: &'static str = "Open";
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "level" => read(map, &mut self.level),
            _ => unknown_field(&mut self.unknown_fields, key, map),
        }
    }
    fn write_fields<W: FieldWriter>(&self, object: &mut W) {
        object.optional("level", &self.level);
        object.unknown_fields(&self.unknown_fields);
    }
}

impl Serialize for Open {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_open_object(self, serializer)
    }
}

#[test]
fn undeclared_fields_are_kept_after_the_declared_ones() {
    let open: Open = deserialize_object(&mut serde_json::Deserializer::from_str(
        r#"{"z":1,"level":2,"a":null}"#,
    ))
    .unwrap();
    assert_eq!(open.unknown_fields.len(), 2);
    assert_eq!(
        serde_json::to_string(&open).unwrap(),
        r#"{"level":2,"a":null,"z":1}"#
    );
    // Written as a struct, undeclared fields are a loud error rather than lost.
    let err = serialize_object(&open, serde_json::value::Serializer).unwrap_err();
    assert!(err.to_string().contains("serialize_open_object"));
    assert_eq!(
        serialize_object(&Open::default(), serde_json::value::Serializer).unwrap(),
        serde_json::json!({})
    );
}

#[derive(Debug, PartialEq)]
enum OrBool {
    Object(Box<Sample>),
    Bool(bool),
    Strings(Vec<String>),
}

impl Union for OrBool {
    const EXPECTING: &'static str = "a Sample object, a boolean or a list of strings";
    fn from_bool<E: serde::de::Error>(value: bool) -> Result<Self, E> {
        Ok(Self::Bool(value))
    }
    fn from_object<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        object(map).map(Self::Object)
    }
    fn from_list<'de, A: SeqAccess<'de>>(seq: A) -> Result<Self, A::Error> {
        list(seq).map(Self::Strings)
    }
}

#[test]
fn unions_pick_the_variant_by_shape() {
    let de =
        |json: &str| deserialize_union::<OrBool, _>(&mut serde_json::Deserializer::from_str(json));
    assert_eq!(de("true").unwrap(), OrBool::Bool(true));
    assert_eq!(
        de(r#"{"name":"x"}"#).unwrap(),
        OrBool::Object(Box::new(Sample {
            name: Some("x".into()),
            ..Sample::default()
        }))
    );
    assert_eq!(de(r#"["a"]"#).unwrap(), OrBool::Strings(vec!["a".into()]));
    let err = de("1").unwrap_err().to_string();
    assert!(
        err.contains("a Sample object, a boolean or a list of strings"),
        "{err}"
    );
    assert!(de(r#""x""#).is_err());
    assert!(de(r#"{"ports":"x"}"#).is_err());
}

#[derive(Clone, Debug, PartialEq)]
enum Shape {
    Round,
    Square,
    Other(CompactString),
}

impl StringEnum for Shape {
    const VALUES: &'static [(&'static str, Self)] =
        &[("Round", Self::Round), ("square-ish", Self::Square)];
    fn unlisted(text: &str) -> Self {
        Self::Other(text.into())
    }
    fn unlisted_text(&self) -> Option<&str> {
        match self {
            Self::Other(text) => Some(text),
            _ => None,
        }
    }
}

#[test]
fn string_enums_use_their_wire_strings() {
    let v = serialize_enum(&Shape::Square, serde_json::value::Serializer).unwrap();
    assert_eq!(v, "square-ish");
    let read =
        |json: &str| deserialize_enum::<Shape, _>(&mut serde_json::Deserializer::from_str(json));
    assert_eq!(read(r#""Round""#).unwrap(), Shape::Round);
    let err = read("1").unwrap_err().to_string();
    assert!(
        err.contains("one of `Round`, `square-ish` or another"),
        "{err}"
    );
}

#[test]
fn unlisted_string_enum_values_are_kept_and_written_back() {
    let read =
        |json: &str| deserialize_enum::<Shape, _>(&mut serde_json::Deserializer::from_str(json));
    let added_later = read(r#""round""#).unwrap();
    assert_eq!(added_later, Shape::Other("round".into()));
    assert!(!added_later.is_listed());
    let v = serialize_enum(&added_later, serde_json::value::Serializer).unwrap();
    assert_eq!(v, "round");
}

/// A parent holding a `Sample` inline, read in place as generated code does.
#[derive(Debug, Default, PartialEq)]
struct Parent {
    child: Option<Sample>,
    tag: Option<CompactString>,
}

impl ObjectFields for Parent {
    const NAME: &'static str = "Parent";
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "child" => optional_object(map, &mut self.child),
            "tag" => read(map, &mut self.tag),
            _ => skip_value(map),
        }
    }
    fn write_fields<W: FieldWriter>(&self, object: &mut W) {
        object.optional("child", &self.child);
        object.optional("tag", &self.tag);
    }
}

impl<'de> Deserialize<'de> for Parent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_object(deserializer)
    }
}

#[test]
fn objects_read_in_place() {
    let p: Parent = serde_json::from_str(&format!(r#"{{"child":{FULL},"tag":"t"}}"#)).unwrap();
    assert_eq!(p.child.as_ref().and_then(|c| c.name.as_deref()), Some("n"));
    assert_eq!(p.tag.as_deref(), Some("t"));
    // `null` and absence are `None`; `{}` is an empty object.
    let p: Parent = serde_json::from_str(r#"{"child":null}"#).unwrap();
    assert_eq!(p.child, None);
    let p: Parent = serde_json::from_str(r#"{"child":{}}"#).unwrap();
    assert_eq!(p.child, Some(Sample::default()));
    // A key given twice: the last value wins whole, nothing of the first one is kept.
    let p: Parent =
        serde_json::from_str(r#"{"child":{"name":"a","hostIP":"h"},"child":{"name":"b"}}"#)
            .unwrap();
    let child = p.child.unwrap();
    assert_eq!((child.name.as_deref(), child.host_ip), (Some("b"), None));
    let p: Parent = serde_json::from_str(r#"{"child":{"name":"a"},"child":null}"#).unwrap();
    assert_eq!(p.child, None);
    // From a `serde_json::Value` too (another deserializer's `Option` handling).
    let value = serde_json::json!({"child": {"ports": [1]}, "tag": null});
    let p = Parent::deserialize(value).unwrap();
    assert_eq!(p.child.unwrap().ports, Some(vec![1]));
    // Errors name what was expected.
    let err = serde_json::from_str::<Parent>(r#"{"child":[1]}"#).unwrap_err();
    assert!(err.to_string().contains("Sample object"), "{err}");
}

/// A value whose serialization fails.
#[derive(Debug, Default, PartialEq)]
struct Failing;

impl Serialize for Failing {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("failing on purpose"))
    }
}

#[derive(Debug, Default, PartialEq)]
struct HalfWritable {
    before: Option<u8>,
    bad: Option<Failing>,
    after: Option<u8>,
}

impl ObjectFields for HalfWritable {
    const NAME: &'static str = "HalfWritable";
    fn read_field<'de, A: MapAccess<'de>>(&mut self, _: &str, map: &mut A) -> Result<(), A::Error> {
        skip_value(map)
    }
    fn write_fields<W: FieldWriter>(&self, object: &mut W) {
        object.optional("before", &self.before);
        object.optional("bad", &self.bad);
        object.optional("after", &self.after);
    }
}

#[test]
fn the_first_write_error_is_reported_and_nothing_after_it_written() {
    struct AsStruct<'a>(&'a HalfWritable);
    impl Serialize for AsStruct<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize_object(self.0, serializer)
        }
    }
    struct AsMap<'a>(&'a HalfWritable);
    impl Serialize for AsMap<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize_open_object(self.0, serializer)
        }
    }
    let value = HalfWritable {
        before: Some(1),
        bad: Some(Failing),
        after: Some(2),
    };
    for result in [
        serde_json::to_vec(&AsStruct(&value)),
        serde_json::to_vec(&AsMap(&value)),
    ] {
        let err = result.unwrap_err();
        assert!(err.to_string().contains("failing on purpose"), "{err}");
    }
    // Fields after the failure are not written: the output stops at the failing key.
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::new(&mut out);
    assert!(AsStruct(&value).serialize(&mut ser).is_err());
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("after"), "{text}");
    let fine = HalfWritable {
        before: Some(1),
        bad: None,
        after: Some(2),
    };
    assert_eq!(
        serde_json::to_string(&AsStruct(&fine)).unwrap(),
        r#"{"before":1,"after":2}"#
    );
}
