//! Query parameters from a typed options object (`PodLogOptions`, proxy options...): the
//! generated option types of subresources serialize to JSON objects whose scalar members are
//! the query string.

use serde_core::Serialize;

use super::error::{Error, Result};

/// The `(name, value)` query pairs of an options object: each scalar member once, each
/// array member once per element; `null` members and `apiVersion`/`kind` are left out.
pub fn query_pairs<T: Serialize>(options: &T) -> Result<Vec<(String, String)>> {
    let value = serde_json::to_value(options).map_err(Error::Encode)?;
    let serde_json::Value::Object(map) = value else {
        return Err(Error::InvalidRequest(
            "query options must serialize to a JSON object".into(),
        ));
    };
    let mut pairs = Vec::new();
    for (name, value) in map {
        if name == "apiVersion" || name == "kind" {
            continue;
        }
        let items = match value {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        };
        for item in items {
            let text = match item {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s,
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                other => {
                    return Err(Error::InvalidRequest(format!(
                        "query option {name} is not a scalar: {other}"
                    )))
                }
            };
            pairs.push((name.clone(), text));
        }
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_and_arrays() {
        let pairs = query_pairs(&serde_json::json!({
            "kind": "PodLogOptions", "container": "web", "follow": true, "tailLines": 10,
            "x": ["a", "b"], "skip": null
        }))
        .unwrap();
        assert_eq!(
            pairs,
            vec![
                ("container".to_string(), "web".to_string()),
                ("follow".into(), "true".into()),
                ("tailLines".into(), "10".into()),
                ("x".into(), "a".into()),
                ("x".into(), "b".into()),
            ]
        );
        assert!(query_pairs(&serde_json::json!([1])).is_err());
        assert!(query_pairs(&serde_json::json!({"a": {"b": 1}})).is_err());
    }
}
