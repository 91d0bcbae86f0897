//! Differences between two normalised transcripts, as readable paths.

use serde_json::Value;

/// Each place where `real` and `ours` differ: `step <label>: <json pointer>: real … ours …`.
pub(crate) fn transcripts(real: &[Value], ours: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..real.len().max(ours.len()) {
        let (r, o) = (real.get(i), ours.get(i));
        let label = r
            .or(o)
            .and_then(|s| s["step"].as_str())
            .unwrap_or("?")
            .to_string();
        match (r, o) {
            (Some(r), Some(o)) => values(&format!("step {label}: "), r, o, &mut out),
            _ => out.push(format!("step {label}: only one server has it")),
        }
    }
    out
}

/// Appends the differences between `a` (real) and `b` (ours) under `path`.
pub(crate) fn values(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => values(&p, u, v, out),
                    (u, v) => out.push(format!("{p}: real {} ours {}", show(u), show(v))),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                values(&format!("{path}/{i}"), u, v, out);
            }
        }
        _ if a != b => out.push(format!(
            "{path}: real {} ours {}",
            show(Some(a)),
            show(Some(b))
        )),
        _ => {}
    }
}

fn show(v: Option<&Value>) -> String {
    let Some(v) = v else {
        return "(absent)".to_string();
    };
    let s = v.to_string();
    if s.len() > 300 {
        let cut = (0..=300)
            .rev()
            .find(|i| s.is_char_boundary(*i))
            .unwrap_or(0);
        format!("{}…", &s[..cut])
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reports_paths_of_differences() {
        let real = [json!({"step": "get", "status": 200, "body": {"a": [1, 2], "b": "x"}})];
        let ours = [json!({"step": "get", "status": 200, "body": {"a": [1, 3], "c": 1}})];
        let d = transcripts(&real, &ours);
        assert_eq!(
            d,
            [
                "step get: /body/a/1: real 2 ours 3",
                "step get: /body/b: real \"x\" ours (absent)",
                "step get: /body/c: real (absent) ours 1",
            ]
        );
        assert!(transcripts(&real, &real).is_empty());
    }
}
