//! The non-apply patch types: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
//! strategic merge patch (merge semantics for maps, lists replaced, `$patch` directives).

use serde_json::{Map, Value};

/// Why a patch could not be applied.
#[derive(Debug, PartialEq, Eq)]
pub enum PatchError {
    /// The patch document is not valid (400).
    Malformed(String),
    /// The patch is valid but cannot be applied to this object (422).
    Unprocessable(String),
}

/// RFC 7386 merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(t) = target else { return };
    for (k, v) in patch_map {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// RFC 6902 JSON patch.
pub fn json_patch(target: &mut Value, patch: &Value) -> Result<(), PatchError> {
    let ops: json_patch::Patch = serde_json::from_value(patch.clone())
        .map_err(|e| PatchError::Malformed(format!("error decoding patch: {e}")))?;
    json_patch::patch(target, &ops).map_err(|e| PatchError::Unprocessable(e.to_string()))
}

/// Strategic merge patch, simplified: maps merge, lists are replaced, and the
/// `$patch: delete|replace` directives and `$setElementOrder`/`$retainKeys` keys are honoured
/// or dropped.
pub fn strategic_merge_patch(target: &mut Value, patch: &Value) -> Result<(), PatchError> {
    let Value::Object(patch_map) = patch else {
        return Err(PatchError::Malformed(
            "strategic merge patch must be a JSON object".into(),
        ));
    };
    smp(target, patch_map);
    Ok(())
}

fn smp(target: &mut Value, patch: &Map<String, Value>) {
    match patch.get("$patch").and_then(Value::as_str) {
        Some("delete") => {
            *target = Value::Null;
            return;
        }
        Some("replace") => {
            let mut m = patch.clone();
            m.remove("$patch");
            *target = Value::Object(m);
            return;
        }
        _ => {}
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(t) = target else { return };
    for (k, v) in patch {
        if k.starts_with('$')
            || k.starts_with("$setElementOrder/")
            || k.starts_with("$deleteFromPrimitiveList/")
        {
            continue;
        }
        match v {
            Value::Null => {
                t.remove(k);
            }
            Value::Object(pm) => {
                let entry = t.entry(k.clone()).or_insert(Value::Null);
                smp(entry, pm);
                if entry.is_null() {
                    t.remove(k);
                }
            }
            other => {
                t.insert(k.clone(), other.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge() {
        let mut v = json!({"a": {"b": 1, "c": 2}, "l": [1, 2]});
        merge_patch(&mut v, &json!({"a": {"b": null, "d": 3}, "l": [3]}));
        assert_eq!(v, json!({"a": {"c": 2, "d": 3}, "l": [3]}));
    }

    #[test]
    fn json_ops() {
        let mut v = json!({"data": {"k": "v"}});
        json_patch(
            &mut v,
            &json!([{"op": "add", "path": "/data/j", "value": "2"}]),
        )
        .unwrap();
        assert_eq!(v["data"]["j"], "2");
        let err = json_patch(
            &mut v,
            &json!([{"op": "test", "path": "/data/j", "value": "x"}]),
        );
        assert!(matches!(err, Err(PatchError::Unprocessable(_))));
        let err = json_patch(&mut v, &json!({"op": "add"}));
        assert!(matches!(err, Err(PatchError::Malformed(_))));
    }

    #[test]
    fn strategic() {
        let mut v = json!({"spec": {"a": 1, "m": {"x": 1}}});
        strategic_merge_patch(
            &mut v,
            &json!({"spec": {"b": 2, "m": {"$patch": "replace", "y": 2}, "$setElementOrder/c": []}}),
        )
        .unwrap();
        assert_eq!(v, json!({"spec": {"a": 1, "b": 2, "m": {"y": 2}}}));
    }
}
