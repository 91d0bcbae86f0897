//! The structural-schema rules of CRDs that matter for generating types.
//!
//! The API server refuses non-structural schemas in `apiextensions.k8s.io/v1`, but manifests
//! on disk were never checked. A structural schema says the type of every node outside the
//! logical junctors (`allOf`, `anyOf`, `oneOf`, `not`), which then only validate values: that is
//! what lets the generator ignore them. These checks reject what would make that unsound.

use serde_json::{Map, Value};

use crate::spec::Pointer;

const JUNCTORS: [&str; 4] = ["allOf", "anyOf", "oneOf", "not"];

/// Keywords that must not appear inside a junctor (they would change the shape).
const SHAPE_KEYWORDS: [&str; 6] = [
    "type",
    "additionalProperties",
    "default",
    "nullable",
    "description",
    "$ref",
];

/// Checks a CRD version's `openAPIV3Schema` at `at`; the error is (pointer, message).
pub(super) fn check(schema: &Value, at: &Pointer) -> Result<(), (Pointer, String)> {
    node(schema, at, true)
}

fn flag(map: &Map<String, Value>, name: &str) -> bool {
    map.get(name).and_then(Value::as_bool).unwrap_or(false)
}

fn node(value: &Value, at: &Pointer, root: bool) -> Result<(), (Pointer, String)> {
    let Some(map) = value.as_object() else {
        return Err((at.clone(), "a schema must be an object".into()));
    };
    if map.contains_key("$ref") {
        return Err((at.push("$ref"), "$ref is not allowed in CRD schemas".into()));
    }
    let int_or_string = flag(map, "x-kubernetes-int-or-string");
    let preserve = flag(map, "x-kubernetes-preserve-unknown-fields");
    let typ = map.get("type");
    match typ {
        None if int_or_string || preserve => {}
        None => {
            return Err((
                at.clone(),
                "no `type` (only nodes with x-kubernetes-int-or-string or \
                 x-kubernetes-preserve-unknown-fields may omit it)"
                    .into(),
            ))
        }
        Some(Value::String(t)) => {
            if root && t != "object" {
                return Err((
                    at.push("type"),
                    format!("the root must be an object, not {t:?}"),
                ));
            }
        }
        Some(_) => return Err((at.push("type"), "`type` must be a string".into())),
    }
    if map.contains_key("properties")
        && map.contains_key("additionalProperties")
        && map.get("additionalProperties") != Some(&Value::Bool(false))
    {
        return Err((
            at.clone(),
            "both `properties` and `additionalProperties`".into(),
        ));
    }
    if typ.and_then(Value::as_str) == Some("array") && !map.contains_key("items") {
        return Err((at.clone(), "an array without `items`".into()));
    }
    for junctor in JUNCTORS {
        if let Some(inner) = map.get(junctor) {
            let members: Vec<(Pointer, &Value)> = match inner {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (at.push(junctor).push(&i.to_string()), v))
                    .collect(),
                other => vec![(at.push(junctor), other)],
            };
            for (p, member) in members {
                junctor_member(member, map, &p, int_or_string)?;
            }
        }
    }
    if let Some(props) = map.get("properties") {
        let Some(props) = props.as_object() else {
            return Err((
                at.push("properties"),
                "`properties` must be an object".into(),
            ));
        };
        for (name, prop) in props {
            node(prop, &at.push("properties").push(name), false)?;
        }
    }
    if let Some(items) = map.get("items") {
        node(items, &at.push("items"), false)?;
    }
    if let Some(ap @ Value::Object(_)) = map.get("additionalProperties") {
        node(ap, &at.push("additionalProperties"), false)?;
    }
    Ok(())
}

/// A member of a junctor may only restrict values of what the node outside already declares.
fn junctor_member(
    member: &Value,
    outer: &Map<String, Value>,
    at: &Pointer,
    int_or_string: bool,
) -> Result<(), (Pointer, String)> {
    let Some(map) = member.as_object() else {
        return Err((at.clone(), "a schema must be an object".into()));
    };
    for keyword in SHAPE_KEYWORDS {
        // `anyOf: [{type: integer}, {type: string}]` is how int-or-string is spelled.
        if keyword == "type" && int_or_string {
            continue;
        }
        if map.contains_key(keyword) {
            return Err((
                at.push(keyword),
                format!("`{keyword}` inside allOf/anyOf/oneOf/not"),
            ));
        }
    }
    if let Some(Value::Object(props)) = map.get("properties") {
        let declared = outer.get("properties").and_then(Value::as_object);
        for (name, prop) in props {
            if !declared.is_some_and(|d| d.contains_key(name)) {
                return Err((
                    at.push("properties").push(name),
                    format!(
                        "property {name:?} inside allOf/anyOf/oneOf/not is not declared outside"
                    ),
                ));
            }
            if let Some(prop_map) = prop.as_object() {
                for keyword in SHAPE_KEYWORDS {
                    if prop_map.contains_key(keyword) {
                        return Err((
                            at.push("properties").push(name).push(keyword),
                            format!("`{keyword}` inside allOf/anyOf/oneOf/not"),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(schema: Value) -> (String, String) {
        let (p, m) = check(&schema, &Pointer::root()).unwrap_err();
        (p.to_string(), m)
    }

    #[test]
    fn accepts_structural_schemas() {
        let ok = json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {
                        "port": {"x-kubernetes-int-or-string": true,
                                 "anyOf": [{"type": "integer"}, {"type": "string"}]},
                        "raw": {"x-kubernetes-preserve-unknown-fields": true},
                        "mode": {"type": "string", "oneOf": [{"enum": ["a"]}, {"enum": ["b"]}]},
                        "pair": {"type": "object",
                                 "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                                 "oneOf": [{"required": ["a"]}, {"required": ["b"]}]},
                        "list": {"type": "array", "items": {"type": "string"}},
                        "map": {"type": "object", "additionalProperties": {"type": "integer"}}
                    }
                }
            }
        });
        check(&ok, &Pointer::root()).unwrap();
    }

    #[test]
    fn rejects_what_is_not_structural() {
        assert_eq!(
            err(json!({"type": "object", "properties": {"a": {"description": "x"}}})).0,
            "/properties/a"
        );
        assert_eq!(
            err(json!({"type": "object", "properties": {"a": {"type": "array"}}})).0,
            "/properties/a"
        );
        assert_eq!(
            err(
                json!({"type": "object", "properties": {"a": {"type": "string",
                "anyOf": [{"type": "integer"}]}}})
            )
            .0,
            "/properties/a/anyOf/0/type"
        );
        assert_eq!(
            err(json!({"type": "object", "properties": {"a": {"$ref": "#/x"}}})).0,
            "/properties/a/$ref"
        );
        assert_eq!(
            err(
                json!({"type": "object", "properties": {"a": {"type": "object",
                "oneOf": [{"properties": {"b": {}}}]}}})
            )
            .0,
            "/properties/a/oneOf/0/properties/b"
        );
        assert_eq!(err(json!({"type": "string"})).0, "/type");
    }
}
