//! The non-apply patch types: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
//! strategic merge patch (merge semantics for maps, lists replaced, `$patch` directives).

use serde_json::{Map, Value};

use super::schema::Node;

/// Why a patch could not be applied.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PatchError {
    /// The patch document is not valid (400).
    Malformed(String),
    /// The patch is valid but cannot be applied to this object (422).
    Unprocessable(String),
}

/// RFC 7386 merge patch.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
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
pub(crate) fn json_patch(target: &mut Value, patch: &Value) -> Result<(), PatchError> {
    // Not a list of operations: worded as Go's decoder words it.
    let go_type = match patch {
        Value::Array(_) => None,
        Value::Object(_) => Some("object"),
        Value::String(_) => Some("string"),
        Value::Number(_) => Some("number"),
        Value::Bool(_) => Some("bool"),
        Value::Null => None,
    };
    if let Some(t) = go_type {
        return Err(PatchError::Malformed(format!(
            "error decoding patch: json: cannot unmarshal {t} into Go value of type []handlers.jsonPatchOp"
        )));
    }
    let ops: json_patch::Patch = serde_json::from_value(patch.clone())
        .map_err(|e| PatchError::Malformed(format!("error decoding patch: {e}")))?;
    json_patch::patch(target, &ops).map_err(|e| PatchError::Unprocessable(e.to_string()))
}

/// Strategic merge patch: maps merge; lists merge by their patch merge key (or as sets of
/// primitives) where `schema` says their strategy is `merge`, and are replaced otherwise
/// (always without a schema); the `$patch: delete|replace` directives and
/// `$deleteFromPrimitiveList/` keys are honoured, `$setElementOrder`/`$retainKeys` dropped.
pub(crate) fn strategic_merge_patch(
    target: &mut Value,
    patch: &Value,
    schema: Option<Node<'_>>,
) -> Result<(), PatchError> {
    let Value::Object(patch_map) = patch else {
        return Err(PatchError::Malformed(
            "strategic merge patch must be a JSON object".into(),
        ));
    };
    smp(target, patch_map, schema);
    Ok(())
}

fn smp(target: &mut Value, patch: &Map<String, Value>, schema: Option<Node<'_>>) {
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
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(items)), Value::Array(gone)) = (t.get_mut(field), v) {
                items.retain(|i| !gone.contains(i));
            }
            continue;
        }
        if k.starts_with('$') {
            continue;
        }
        let child = schema.and_then(|s| s.property(k));
        match v {
            Value::Null => {
                t.remove(k);
            }
            Value::Object(pm) => {
                let entry = t.entry(k.clone()).or_insert(Value::Null);
                smp(entry, pm, child);
                if entry.is_null() {
                    t.remove(k);
                }
            }
            Value::Array(items) if child.is_some_and(|c| c.merges()) => {
                let current = match t.remove(k) {
                    Some(Value::Array(a)) => a,
                    _ => Vec::new(),
                };
                if let Some(c) = child {
                    t.insert(k.clone(), Value::Array(merge_list(current, items, c)));
                }
            }
            other => {
                t.insert(k.clone(), other.clone());
            }
        }
    }
}

/// Merges a patch list into a list whose strategy is `merge`: items with the same merge key
/// (or equal primitives) are merged, `$patch: delete` items removed, `$patch: replace`
/// replaces the list; ordered as Kubernetes does (patched items in patch order, the
/// server's other items kept before them where the server had them first).
fn merge_list(server: Vec<Value>, patch: &[Value], schema: Node<'_>) -> Vec<Value> {
    let is_directive = |p: &Value, d: &str| p.get("$patch").and_then(Value::as_str) == Some(d);
    if patch.iter().any(|p| is_directive(p, "replace")) {
        return patch
            .iter()
            .filter(|p| !is_directive(p, "replace"))
            .cloned()
            .collect();
    }
    let Some(key) = schema.merge_key() else {
        // A set of primitives: the patch's values not already there are added.
        let patched: Vec<Value> = patch.to_vec();
        let server_only: Vec<Value> = server
            .iter()
            .filter(|v| !patch.contains(v))
            .cloned()
            .collect();
        return merge_sorted(server_only, patched, &server, |a, b| a == b);
    };
    let same = |a: &Value, b: &Value| a.get(key).is_some() && a.get(key) == b.get(key);
    let items = schema.items();
    let mut rest = server.clone();
    let mut patched = Vec::new();
    for p in patch {
        let Value::Object(pm) = p else {
            patched.push(p.clone());
            continue;
        };
        let found = rest.iter().position(|s| same(s, p));
        if is_directive(p, "delete") {
            if let Some(i) = found {
                rest.remove(i);
            }
            continue;
        }
        let mut item = match found {
            Some(i) => rest.remove(i),
            None => Value::Null,
        };
        smp(&mut item, pm, items);
        patched.push(item);
    }
    merge_sorted(rest, patched, &server, same)
}

/// Kubernetes' `mergeSortedSlice`: the server-only items and the patched items, each in
/// their order, interleaved by their positions in the server's list; a patched item the
/// server did not have goes first.
fn merge_sorted(
    left: Vec<Value>,
    right: Vec<Value>,
    server: &[Value],
    same: impl Fn(&Value, &Value) -> bool,
) -> Vec<Value> {
    let index = |v: &Value| server.iter().position(|s| same(s, v));
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut l, mut r) = (left.into_iter().peekable(), right.into_iter().peekable());
    loop {
        let take_left = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => matches!((index(a), index(b)), (Some(x), Some(y)) if x < y),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_left { l.next() } else { r.next() };
        out.extend(next);
    }
    out
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
            None,
        )
        .unwrap();
        assert_eq!(v, json!({"spec": {"a": 1, "b": 2, "m": {"y": 2}}}));
    }

    #[test]
    fn strategic_lists_merge_by_key_as_kubernetes_orders_them() {
        let schemas = crate::semantics::schema::tests::sample();
        let d = schemas.of_kind("apps", "v1", "Deployment");
        let mut v = json!({"spec": {
            "containers": [{"name": "a", "image": "1", "env": [{"name": "A", "value": "1"}]},
                           {"name": "b", "image": "2"}, {"name": "c", "image": "3"}],
            "finalizers": ["x", "y"], "args": ["p", "q"]}});
        strategic_merge_patch(
            &mut v,
            &json!({"spec": {
                "containers": [{"name": "c", "image": "30"},
                               {"name": "a", "env": [{"name": "B", "value": "2"}]},
                               {"name": "b", "$patch": "delete"},
                               {"name": "new", "image": "4"}],
                "finalizers": ["z", "x"], "args": ["r"],
                "$deleteFromPrimitiveList/finalizers": ["y"]}}),
            d,
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"spec": {
                "containers": [{"name": "c", "image": "30"},
                               {"name": "a", "image": "1", "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]},
                               {"name": "new", "image": "4"}],
                "finalizers": ["z", "x"], "args": ["r"]}})
        );
    }
}
