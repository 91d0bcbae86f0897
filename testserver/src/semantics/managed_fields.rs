//! Field ownership (`metadata.managedFields`), enough for server-side apply conflicts.
//!
//! A field set is the set of leaf paths of an object (`f:data`, `f:k`), with `.` marking
//! ownership of a map itself for update operations. Lists are atomic leaves (the real
//! server keys list items by their merge key; we do not).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

type Path = Vec<String>;
/// Set of owned leaf paths.
pub(crate) type FieldSet = BTreeSet<Path>;

/// Metadata fields that are owned like any other field.
const OWNED_METADATA: &[&str] = &["labels", "annotations", "finalizers", "ownerReferences"];

/// Which part of an object a write touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The main resource; `status` excluded when the resource has a status subresource.
    Main {
        /// Leave `status` out of the field set.
        exclude_status: bool,
    },
    /// The status subresource: only `status`.
    Status,
}

/// The field set of `obj` (top level), with `.` markers when `dots`.
pub(crate) fn field_set(obj: &Value, scope: Scope, dots: bool) -> FieldSet {
    let mut out = FieldSet::new();
    let Some(map) = obj.as_object() else {
        return out;
    };
    for (k, v) in map {
        let include = match (k.as_str(), scope) {
            ("apiVersion" | "kind", _) => false,
            ("metadata", Scope::Main { .. }) => {
                if let Some(meta) = v.as_object() {
                    let mut sub = Map::new();
                    for f in OWNED_METADATA {
                        if let Some(x) = meta.get(*f) {
                            sub.insert((*f).to_string(), x.clone());
                        }
                    }
                    if !sub.is_empty() {
                        collect(
                            &Value::Object(sub),
                            &mut vec!["f:metadata".into()],
                            &mut out,
                            dots,
                            false,
                        );
                    }
                }
                false
            }
            ("metadata", Scope::Status) => false,
            ("status", Scope::Main { exclude_status }) => !exclude_status,
            ("status", Scope::Status) => true,
            (_, Scope::Status) => false,
            _ => true,
        };
        if include {
            let mut path = vec![format!("f:{k}")];
            leaf_or_map(v, &mut path, &mut out, dots);
        }
    }
    out
}

fn leaf_or_map(v: &Value, path: &mut Path, out: &mut FieldSet, dots: bool) {
    match v {
        Value::Object(m) if !m.is_empty() => collect(v, path, out, dots, true),
        // `metadata.finalizers` is a set: each value is owned on its own.
        Value::Array(items)
            if path.as_slice() == ["f:metadata", "f:finalizers"] && !items.is_empty() =>
        {
            if dots {
                let mut p = path.clone();
                p.push(".".into());
                out.insert(p);
            }
            for it in items {
                let mut p = path.clone();
                p.push(format!("v:{it}"));
                out.insert(p);
            }
        }
        _ => {
            out.insert(path.clone());
        }
    }
}

fn collect(v: &Value, path: &mut Path, out: &mut FieldSet, dots: bool, own_self: bool) {
    let Some(m) = v.as_object() else { return };
    if dots && own_self {
        let mut p = path.clone();
        p.push(".".into());
        out.insert(p);
    }
    for (k, child) in m {
        path.push(format!("f:{k}"));
        leaf_or_map(child, path, out, dots);
        path.pop();
    }
}

/// The value at a field path (`.` segments ignored).
fn value_at<'a>(obj: &'a Value, path: &Path) -> Option<&'a Value> {
    let mut cur = obj;
    for seg in path {
        if seg == "." {
            continue;
        }
        if let Some(item) = seg.strip_prefix("v:") {
            let want: Value = serde_json::from_str(item).ok()?;
            cur = cur.as_array()?.iter().find(|x| **x == want)?;
            continue;
        }
        cur = cur.get(seg.strip_prefix("f:").unwrap_or(seg))?;
    }
    Some(cur)
}

/// `.data.owner` for a conflict message.
fn dotted(path: &Path) -> String {
    path.iter()
        .filter(|s| *s != ".")
        .map(|s| format!(".{}", s.strip_prefix("f:").unwrap_or(s)))
        .collect()
}

/// A field set as a `fieldsV1` JSON tree.
pub(crate) fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Map::new();
    for path in set {
        let mut cur = &mut root;
        for seg in path {
            let next = cur
                .entry(seg.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            match next {
                Value::Object(m) => cur = m,
                _ => break,
            }
        }
    }
    Value::Object(root)
}

/// A `fieldsV1` JSON tree as a field set.
pub(crate) fn from_fields_v1(v: &Value) -> FieldSet {
    fn walk(v: &Value, path: &mut Path, out: &mut FieldSet) {
        match v.as_object() {
            Some(m) if !m.is_empty() => {
                for (k, c) in m {
                    path.push(k.clone());
                    walk(c, path, out);
                    path.pop();
                }
            }
            _ => {
                if !path.is_empty() {
                    out.insert(path.clone());
                }
            }
        }
    }
    let mut out = FieldSet::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// One `managedFields` entry.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// Manager name.
    pub manager: String,
    /// `Apply` or `Update`.
    pub operation: String,
    /// API version the fields refer to.
    pub api_version: String,
    /// Last change.
    pub time: String,
    /// Subresource written through, if any.
    pub subresource: Option<String>,
    /// Owned fields.
    pub fields: FieldSet,
}

impl Entry {
    fn same_owner(&self, manager: &str, operation: &str, sub: Option<&str>) -> bool {
        self.manager == manager && self.operation == operation && self.subresource.as_deref() == sub
    }
}

/// Reads `metadata.managedFields`.
pub(crate) fn read_entries(obj: &Value) -> Vec<Entry> {
    let Some(list) = obj
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .map(|e| {
            let s = |f: &str| {
                e.get(f)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            Entry {
                manager: s("manager"),
                operation: s("operation"),
                api_version: s("apiVersion"),
                time: s("time"),
                subresource: e
                    .get("subresource")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                fields: e.get("fieldsV1").map(from_fields_v1).unwrap_or_default(),
            }
        })
        .collect()
}

/// Writes `metadata.managedFields` (removed when empty).
pub(crate) fn write_entries(obj: &mut Value, entries: &[Entry]) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if entries.is_empty() {
        meta.remove("managedFields");
        return;
    }
    // Ordered as a real server encodes them: operation (Apply before Update), time to the
    // second, manager, subresource.
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|p, q| {
        let secs = |e: &Entry| e.time.get(..19).unwrap_or("").to_string();
        (&p.operation, secs(p), &p.manager, &p.subresource).cmp(&(
            &q.operation,
            secs(q),
            &q.manager,
            &q.subresource,
        ))
    });
    let list = sorted
        .into_iter()
        .map(|e| {
            let mut m = Map::new();
            m.insert("manager".into(), Value::String(e.manager.clone()));
            m.insert("operation".into(), Value::String(e.operation.clone()));
            m.insert("apiVersion".into(), Value::String(e.api_version.clone()));
            if !e.time.is_empty() {
                m.insert("time".into(), Value::String(e.time.clone()));
            }
            m.insert("fieldsType".into(), Value::String("FieldsV1".into()));
            m.insert("fieldsV1".into(), to_fields_v1(&e.fields));
            if let Some(s) = &e.subresource {
                m.insert("subresource".into(), Value::String(s.clone()));
            }
            Value::Object(m)
        })
        .collect();
    meta.insert("managedFields".into(), Value::Array(list));
}

/// Who writes, and through what.
pub(crate) struct Writer<'a> {
    /// Manager name.
    pub manager: &'a str,
    /// Subresource, if any.
    pub subresource: Option<&'a str>,
    /// API version of the request.
    pub api_version: &'a str,
    /// Current time, RFC 3339.
    pub now: &'a str,
    /// Which fields count.
    pub scope: Scope,
}

/// Records an update (create/put/patch) by `w`: `old` → `new`; rewrites `new`'s
/// managedFields starting from `base` entries.
pub(crate) fn track_update(base: Vec<Entry>, old: Option<&Value>, new: &mut Value, w: &Writer<'_>) {
    let new_fs = field_set(new, w.scope, true);
    let old_fs = old.map(|o| field_set(o, w.scope, true)).unwrap_or_default();
    let changed: FieldSet = new_fs
        .iter()
        .filter(|p| !old_fs.contains(*p) || old.and_then(|o| value_at(o, p)) != value_at(new, p))
        .cloned()
        .collect();
    let mut entries = base;
    for e in &mut entries {
        if e.same_owner(w.manager, "Update", w.subresource) {
            continue;
        }
        e.fields.retain(|p| !changed.contains(p));
    }
    if !changed.is_empty() {
        match entries
            .iter_mut()
            .find(|e| e.same_owner(w.manager, "Update", w.subresource))
        {
            Some(e) => {
                e.fields.extend(changed);
                e.time = w.now.to_string();
                e.api_version = w.api_version.to_string();
            }
            None => entries.push(Entry {
                manager: w.manager.to_string(),
                operation: "Update".into(),
                api_version: w.api_version.to_string(),
                time: w.now.to_string(),
                subresource: w.subresource.map(str::to_string),
                fields: changed,
            }),
        }
    }
    prune(&mut entries, new);
    write_entries(new, &entries);
}

/// Drops owned paths that no longer exist in `obj`, and empty entries.
fn prune(entries: &mut Vec<Entry>, obj: &Value) {
    for e in entries.iter_mut() {
        e.fields.retain(|p| value_at(obj, p).is_some());
    }
    entries.retain(|e| !e.fields.is_empty());
}

/// A failed apply: the conflicting (manager, field path) pairs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Conflicts(pub Vec<(String, String)>);

impl Conflicts {
    /// The message the API server gives.
    pub(crate) fn message(&self) -> String {
        let n = self.0.len();
        let mut by_manager: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (m, f) in &self.0 {
            by_manager.entry(m.as_str()).or_default().push(f.as_str());
        }
        if n == 1 {
            return format!(
                "Apply failed with 1 conflict: conflict with \"{}\": {}",
                self.0[0].0, self.0[0].1
            );
        }
        let blocks: Vec<String> = by_manager
            .iter()
            .map(|(m, fs)| {
                if fs.len() == 1 {
                    format!("conflict with \"{m}\": {}", fs[0])
                } else {
                    let items: Vec<String> = fs.iter().map(|f| format!("- {f}")).collect();
                    format!("conflicts with \"{m}\":\n{}", items.join("\n"))
                }
            })
            .collect();
        format!("Apply failed with {n} conflicts: {}", blocks.join("\n"))
    }
}

/// Deep merge of an applied configuration into the live object: maps merge, everything
/// else (lists included) is replaced.
fn apply_merge(live: &mut Value, config: &Value) {
    match (live, config) {
        (Value::Object(l), Value::Object(c)) => {
            for (k, v) in c {
                match l.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => {
                        apply_merge(existing, v)
                    }
                    _ => {
                        l.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (l, c) => *l = c.clone(),
    }
}

fn remove_path(obj: &mut Value, path: &Path) {
    let segs: Vec<&str> = path
        .iter()
        .filter(|s| *s != ".")
        .map(|s| s.strip_prefix("f:").unwrap_or(s))
        .collect();
    let Some((last, parents)) = segs.split_last() else {
        return;
    };
    let mut cur = obj;
    for p in parents {
        match cur.get_mut(*p) {
            Some(c) => cur = c,
            None => return,
        }
    }
    if let Some(m) = cur.as_object_mut() {
        m.remove(*last);
    }
}

/// Server-side apply of `config` by `w` onto `live` (None: create). Returns the new object
/// with its managedFields, or the conflicts when `force` is false.
pub(crate) fn apply(
    live: Option<&Value>,
    config: &Value,
    w: &Writer<'_>,
    force: bool,
) -> Result<Value, Conflicts> {
    let applied = field_set(config, w.scope, false);
    let mut entries = live.map(read_entries).unwrap_or_default();
    let mut conflicts = Vec::new();
    if let Some(live) = live {
        for e in &mut entries {
            if e.same_owner(w.manager, "Apply", w.subresource) {
                continue;
            }
            let clashing: Vec<Path> = e
                .fields
                .iter()
                .filter(|p| applied.contains(*p) && value_at(live, p) != value_at(config, p))
                .cloned()
                .collect();
            if force {
                e.fields.retain(|p| !clashing.contains(p));
            } else {
                conflicts.extend(clashing.iter().map(|p| (e.manager.clone(), dotted(p))));
            }
        }
    }
    if !conflicts.is_empty() {
        return Err(Conflicts(conflicts));
    }
    let mut obj = live.cloned().unwrap_or_else(|| Value::Object(Map::new()));
    // Fields this manager applied before but no longer does, and nobody else owns, go away.
    if let Some(prev) = entries
        .iter()
        .find(|e| e.same_owner(w.manager, "Apply", w.subresource))
    {
        let others: FieldSet = entries
            .iter()
            .filter(|e| !e.same_owner(w.manager, "Apply", w.subresource))
            .flat_map(|e| e.fields.iter().cloned())
            .collect();
        let dropped: Vec<Path> = prev
            .fields
            .iter()
            .filter(|p| !applied.contains(*p) && !others.contains(*p))
            .cloned()
            .collect();
        for p in dropped {
            remove_path(&mut obj, &p);
        }
    }
    let mut cfg = config.clone();
    if let Some(m) = cfg.as_object_mut() {
        // metadata identity fields are not merged from the config except owned ones
        if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.retain(|k, _| {
                OWNED_METADATA.contains(&k.as_str())
                    || k == "name"
                    || k == "namespace"
                    || k == "generateName"
            });
        }
    }
    apply_merge(&mut obj, &cfg);
    entries.retain(|e| !e.same_owner(w.manager, "Apply", w.subresource));
    if !applied.is_empty() {
        entries.push(Entry {
            manager: w.manager.to_string(),
            operation: "Apply".into(),
            api_version: w.api_version.to_string(),
            time: w.now.to_string(),
            subresource: w.subresource.map(str::to_string),
            fields: applied,
        });
    }
    prune(&mut entries, &obj);
    write_entries(&mut obj, &entries);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn writer<'a>(m: &'a str) -> Writer<'a> {
        Writer {
            manager: m,
            subresource: None,
            api_version: "v1",
            now: "2026-01-01T00:00:00Z",
            scope: Scope::Main {
                exclude_status: false,
            },
        }
    }

    #[test]
    fn update_tracks_changed_fields_with_dots() {
        let mut new = json!({"metadata": {"name": "a", "labels": {"l": "x"}}, "data": {"k": "v"}});
        track_update(Vec::new(), None, &mut new, &writer("unknown"));
        let mf = &new["metadata"]["managedFields"][0];
        assert_eq!(mf["manager"], "unknown");
        assert_eq!(
            mf["fieldsV1"],
            json!({"f:data": {".": {}, "f:k": {}}, "f:metadata": {"f:labels": {".": {}, "f:l": {}}}})
        );
        let old = new.clone();
        let mut newer = old.clone();
        newer["data"]["m"] = json!("1");
        track_update(
            read_entries(&old),
            Some(&old),
            &mut newer,
            &writer("unknown"),
        );
        assert_eq!(
            newer["metadata"]["managedFields"].as_array().unwrap().len(),
            1
        );
        assert!(newer["metadata"]["managedFields"][0]["fieldsV1"]["f:data"]["f:m"].is_object());
    }

    #[test]
    fn apply_conflicts_and_force() {
        let cfg1 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"owner": "one"}});
        let live = apply(None, &cfg1, &writer("one"), false).unwrap();
        assert_eq!(live["data"]["owner"], "one");
        assert_eq!(
            live["metadata"]["managedFields"][0]["fieldsV1"],
            json!({"f:data": {"f:owner": {}}})
        );
        // same value from another manager: shared, no conflict
        let same = apply(Some(&live), &cfg1, &writer("other"), false).unwrap();
        assert_eq!(
            same["metadata"]["managedFields"].as_array().unwrap().len(),
            2
        );
        let cfg2 = json!({"metadata": {"name": "x"}, "data": {"owner": "two"}});
        let err = apply(Some(&live), &cfg2, &writer("two"), false).unwrap_err();
        assert_eq!(
            err.message(),
            "Apply failed with 1 conflict: conflict with \"one\": .data.owner"
        );
        let forced = apply(Some(&live), &cfg2, &writer("two"), true).unwrap();
        assert_eq!(forced["data"]["owner"], "two");
        let mf = forced["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(mf.len(), 1);
        assert_eq!(mf[0]["manager"], "two");
    }

    #[test]
    fn apply_removes_fields_no_longer_applied() {
        let a = json!({"metadata": {"name": "x"}, "data": {"a": "1", "b": "2"}});
        let live = apply(None, &a, &writer("m"), false).unwrap();
        let b = json!({"metadata": {"name": "x"}, "data": {"a": "1"}});
        let after = apply(Some(&live), &b, &writer("m"), false).unwrap();
        assert!(after["data"].get("b").is_none());
    }
}
