//! Normalising API server answers so two servers' answers can be compared as values.
//!
//! Only what must differ between two servers is replaced: uids, timestamps, tokens,
//! continue tokens and resourceVersion values. What a client can rely on is kept: which
//! objects share a uid, whether an object's resourceVersion changed and how its versions
//! are ordered (object resourceVersions become their rank, `<rv1>`, `<rv2>`, … in numeric
//! order over the whole value), and whether a list or bookmark carried a resourceVersion
//! (`<list-rv>`: a list's version is the server's global one, which other clients move).

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

/// Normalises one body in place.
pub(crate) fn normalise(value: &mut Value) {
    normalise_steps(std::slice::from_mut(value));
}

/// Normalises the steps of a transcript in place, naming versions and uids consistently
/// across them.
pub(crate) fn normalise_steps(steps: &mut [Value]) {
    let mut names: HashMap<u64, String> = HashMap::new();
    for (s, step) in steps.iter().enumerate() {
        let mut versions = BTreeSet::new();
        collect_object_versions(step, false, &mut versions);
        let mut n = 0;
        for rv in versions {
            names.entry(rv).or_insert_with(|| {
                n += 1;
                format!("<rv{s}.{n}>")
            });
        }
    }
    // Uids are named in order of first appearance; messages quoting one get its name too.
    let mut uids = HashMap::new();
    for step in steps.iter() {
        collect_uids(step, None, &mut uids);
    }
    for step in steps {
        rewrite(step, None, &names, &mut uids);
    }
}

fn collect_uids(value: &Value, key: Option<&str>, uids: &mut HashMap<String, usize>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect_uids(v, Some(k), uids);
            }
        }
        Value::Array(items) => {
            for v in items {
                collect_uids(v, None, uids);
            }
        }
        Value::String(s) if key == Some("uid") && !s.is_empty() => {
            let next = uids.len() + 1;
            uids.entry(s.clone()).or_insert(next);
        }
        _ => {}
    }
}

/// Whether a `metadata` object is a list's or a bookmark's (no name) rather than an object's.
fn is_list_meta(meta: &serde_json::Map<String, Value>) -> bool {
    !meta.contains_key("name") && !meta.contains_key("generateName")
}

fn collect_object_versions(value: &Value, in_list_meta: bool, out: &mut BTreeSet<u64>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "resourceVersion" && !in_list_meta {
                    if let Some(n) = v.as_str().and_then(|s| s.parse().ok()) {
                        out.insert(n);
                    }
                }
                let list_meta = k == "metadata" && v.as_object().is_some_and(is_list_meta);
                collect_object_versions(v, list_meta, out);
            }
        }
        Value::Array(items) => {
            for v in items {
                collect_object_versions(v, false, out);
            }
        }
        _ => {}
    }
}

fn rewrite(
    value: &mut Value,
    key: Option<&str>,
    ranks: &HashMap<u64, String>,
    uids: &mut HashMap<String, usize>,
) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let list_meta = k == "metadata" && v.as_object().is_some_and(is_list_meta);
                rewrite(v, Some(k), ranks, uids);
                if list_meta {
                    if let Value::Object(meta) = v {
                        if let Some(rv) = meta.get_mut("resourceVersion") {
                            if rv.as_str().is_some_and(|s| !s.is_empty()) {
                                *rv = Value::from("<list-rv>");
                            }
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                rewrite(v, None, ranks, uids);
            }
        }
        Value::String(s) => {
            if let Some(new) = replacement(s, key, ranks, uids) {
                *s = new;
            }
        }
        _ => {}
    }
}

/// The replacement of one string value under `key`, if it is volatile.
fn replacement(
    s: &str,
    key: Option<&str>,
    ranks: &HashMap<u64, String>,
    uids: &mut HashMap<String, usize>,
) -> Option<String> {
    match key {
        Some("resourceVersion") if !s.is_empty() => Some(match s.parse::<u64>() {
            Ok(n) => ranks
                .get(&n)
                .cloned()
                .unwrap_or_else(|| "<list-rv>".to_string()),
            Err(_) => "<rv?>".to_string(),
        }),
        Some("uid") if !s.is_empty() => {
            let next = uids.len() + 1;
            let n = *uids.entry(s.to_string()).or_insert(next);
            Some(format!("<uid{n}>"))
        }
        Some("continue") if !s.is_empty() => Some("<continue>".to_string()),
        Some("token") if !s.is_empty() => Some("<token>".to_string()),
        Some("message") if quotes_versions(s) => Some(mask_digits(s)),
        Some("message") if uids.keys().any(|u| s.contains(u.as_str())) => {
            let mut out = s.to_string();
            for (u, n) in uids.iter() {
                out = out.replace(u.as_str(), &format!("<uid{n}>"));
            }
            Some(out)
        }
        _ if is_timestamp(s) => Some("<time>".to_string()),
        _ => None,
    }
}

/// Whether a message quotes resourceVersions ("too old resource version: 5 (9)", "the
/// ResourceVersion in the precondition (1) does not match …").
fn quotes_versions(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.contains("resource version") || lower.contains("resourceversion")
}

/// `s` with every run of digits replaced by `<n>` (messages quoting resourceVersions).
fn mask_digits(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_digits = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push_str("<n>");
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.push(c);
        }
    }
    out
}

/// Whether `s` is an RFC 3339 timestamp (`2026-11-25T10:00:00Z`, with optional fraction
/// and offset), as Kubernetes writes `Time` and `MicroTime`.
pub(crate) fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shape = digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        "Z" => true,
        offset => {
            let o = offset.as_bytes();
            o.len() == 6
                && (o[0] == b'+' || o[0] == b'-')
                && o[1..3].iter().all(u8::is_ascii_digit)
                && o[3] == b':'
                && o[4..6].iter().all(u8::is_ascii_digit)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn norm(mut v: Value) -> Value {
        normalise(&mut v);
        v
    }

    #[test]
    fn object_versions_become_ranks_keeping_order_and_change() {
        let v = norm(json!([
            {"metadata": {"name": "a", "resourceVersion": "907"}},
            {"metadata": {"name": "a", "resourceVersion": "1200"}},
            {"metadata": {"name": "b", "resourceVersion": "907"}},
            {"metadata": {"name": "c", "resourceVersion": "95"}},
        ]));
        let rvs: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["metadata"]["resourceVersion"].as_str().unwrap())
            .collect();
        assert_eq!(rvs, ["<rv0.2>", "<rv0.3>", "<rv0.2>", "<rv0.1>"]);
    }

    #[test]
    fn an_extra_bump_shows_in_its_step_only() {
        let steps = |bump: bool| {
            let mut v = vec![
                json!({"metadata": {"name": "a", "resourceVersion": "10"}}),
                json!({"metadata": {"name": "a", "resourceVersion": if bump { "12" } else { "10" }}}),
                json!({"metadata": {"name": "a", "resourceVersion": "15"}}),
            ];
            normalise_steps(&mut v);
            v
        };
        let (real, ours) = (steps(false), steps(true));
        assert_eq!(real[1]["metadata"]["resourceVersion"], "<rv0.1>");
        assert_eq!(ours[1]["metadata"]["resourceVersion"], "<rv1.1>");
        assert_eq!(real[2], ours[2]);
        assert_eq!(real[2]["metadata"]["resourceVersion"], "<rv2.1>");
    }

    #[test]
    fn a_bumped_version_differs_from_a_kept_one() {
        let kept = norm(json!([{"metadata": {"name": "a", "resourceVersion": "5"}},
                               {"metadata": {"name": "a", "resourceVersion": "5"}}]));
        let bumped = norm(json!([{"metadata": {"name": "a", "resourceVersion": "5"}},
                                 {"metadata": {"name": "a", "resourceVersion": "6"}}]));
        assert_ne!(kept, bumped);
    }

    #[test]
    fn list_and_bookmark_versions_keep_only_presence() {
        let v = norm(json!({
            "kind": "ConfigMapList",
            "metadata": {"resourceVersion": "99", "continue": "eyJ2IjoxfQ", "remainingItemCount": 3},
            "items": [{"metadata": {"name": "a", "resourceVersion": "42"}}],
        }));
        assert_eq!(v["metadata"]["resourceVersion"], "<list-rv>");
        assert_eq!(v["metadata"]["continue"], "<continue>");
        assert_eq!(v["metadata"]["remainingItemCount"], 3);
        assert_eq!(v["items"][0]["metadata"]["resourceVersion"], "<rv0.1>");
        let empty = norm(json!({"metadata": {"resourceVersion": "", "continue": ""}}));
        assert_eq!(empty["metadata"]["resourceVersion"], "");
        assert_eq!(empty["metadata"]["continue"], "");
        let bookmark =
            norm(json!({"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "7"}}}));
        assert_eq!(
            bookmark["object"]["metadata"]["resourceVersion"],
            "<list-rv>"
        );
    }

    #[test]
    fn uids_keep_identity() {
        let v = norm(json!([
            {"metadata": {"uid": "1111-aaaa"}},
            {"metadata": {"uid": "2222-bbbb", "ownerReferences": [{"uid": "1111-aaaa"}]}},
        ]));
        assert_eq!(v[0]["metadata"]["uid"], "<uid1>");
        assert_eq!(v[1]["metadata"]["uid"], "<uid2>");
        assert_eq!(v[1]["metadata"]["ownerReferences"][0]["uid"], "<uid1>");
    }

    #[test]
    fn timestamps_tokens_and_quoted_versions() {
        let v = norm(json!({
            "a": "2026-11-25T10:00:00Z",
            "b": "2026-11-25T10:00:00.123456Z",
            "c": "2026-11-25T10:00:00+01:00",
            "d": "2026-11-25",
            "e": "not 2026-11-25T10:00:00Z",
            "status": {"token": "eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.payload.sig"},
            "message": "too old resource version: 5 (1234)",
            "details": {"uid": "5c1d0f2e-aaaa", "message": "does not match the UID in record (5c1d0f2e-aaaa)"},
            "other": "keeps 1234",
            "precondition": {"message": "the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (2952)"},
        }));
        assert_eq!(v["a"], "<time>");
        assert_eq!(v["b"], "<time>");
        assert_eq!(v["c"], "<time>");
        assert_eq!(v["d"], "2026-11-25");
        assert_eq!(v["e"], "not 2026-11-25T10:00:00Z");
        assert_eq!(v["status"]["token"], "<token>");
        assert_eq!(v["message"], "too old resource version: <n> (<n>)");
        assert_eq!(v["other"], "keeps 1234");
        assert_eq!(
            v["precondition"]["message"],
            "the ResourceVersion in the precondition (<n>) does not match the ResourceVersion in record (<n>)"
        );
        assert_eq!(
            v["details"]["message"],
            "does not match the UID in record (<uid1>)"
        );
    }

    #[test]
    fn timestamp_shapes() {
        assert!(is_timestamp("2026-01-02T03:04:05Z"));
        assert!(!is_timestamp("2026-01-02T03:04:05"));
        assert!(!is_timestamp("2026-01-02T03:04:05.Z"));
        assert!(!is_timestamp("2026-01-02 03:04:05Z"));
    }
}
