//! What changed between two specs, as a reviewer reads it: group-versions, kinds and
//! resources added or removed; fields added, removed, or changed in type or optionality;
//! verbs and subresources added or removed; new deprecations. Deterministic: changes are
//! sorted by subject and name.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::model::{Model, TypeBody, TypeDef, TypeRef};

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// `group-version`, `kind`, `resource`, `verb`, `subresource`, `field`.
    pub subject: &'static str,
    /// What it is about (`apps/v1`, `apps/v1 Deployment`, `io.k8s.api.core.v1.PodSpec.os`).
    pub name: String,
    /// Added, removed, changed or deprecated.
    pub change: ChangeKind,
    /// For changed fields: `string → i64`, `optional → required`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// How a [`Change`]'s subject differs between the two versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the newer version.
    Added,
    /// Only in the older version.
    Removed,
    /// In both, differently.
    Changed,
    /// In both, deprecated in the newer.
    Deprecated,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match self.change {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
            ChangeKind::Deprecated => '!',
        };
        write!(f, "{sign} {} {}", self.subject, self.name)?;
        if self.change == ChangeKind::Deprecated {
            f.write_str(" deprecated")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

const ORDER: [&str; 6] = [
    "group-version",
    "kind",
    "resource",
    "verb",
    "subresource",
    "field",
];

/// The changes from `from` to `to`, sorted by subject (in the order above), then name.
pub fn diff(from: &Model, to: &Model) -> Vec<Change> {
    let mut out = Vec::new();
    let set_diff = |out: &mut Vec<Change>, subject, a: &BTreeSet<String>, b: &BTreeSet<String>| {
        for name in b.difference(a) {
            out.push(change(subject, name.clone(), ChangeKind::Added, None));
        }
        for name in a.difference(b) {
            out.push(change(subject, name.clone(), ChangeKind::Removed, None));
        }
    };
    set_diff(
        &mut out,
        "group-version",
        &group_versions(from),
        &group_versions(to),
    );
    set_diff(&mut out, "kind", &kinds(from), &kinds(to));

    let ra = resources(from);
    let rb = resources(to);
    let names = |m: &BTreeMap<String, (Vec<String>, Vec<String>)>| -> BTreeSet<String> {
        m.keys().cloned().collect()
    };
    set_diff(&mut out, "resource", &names(&ra), &names(&rb));
    for (name, (verbs_b, subs_b)) in &rb {
        let Some((verbs_a, subs_a)) = ra.get(name) else {
            continue;
        };
        let prefixed = |items: &[String], sep: &str| -> BTreeSet<String> {
            items.iter().map(|i| format!("{name}{sep}{i}")).collect()
        };
        set_diff(
            &mut out,
            "verb",
            &prefixed(verbs_a, " "),
            &prefixed(verbs_b, " "),
        );
        set_diff(
            &mut out,
            "subresource",
            &prefixed(subs_a, "/"),
            &prefixed(subs_b, "/"),
        );
    }

    let fa = fields(from);
    let fb = fields(to);
    let types_a: BTreeSet<&String> = fa.keys().map(|(t, _)| t).collect();
    let types_b: BTreeSet<&String> = fb.keys().map(|(t, _)| t).collect();
    for (key, b) in &fb {
        let name = format!("{}.{}", key.0, key.1);
        match fa.get(key) {
            // Fields of new types are covered by the new kind or group-version.
            None if types_a.contains(&key.0) => {
                out.push(change("field", name, ChangeKind::Added, Some(b.describe())))
            }
            None => {}
            Some(a) => {
                if a.ty != b.ty {
                    let detail = format!("{} → {}", a.ty, b.ty);
                    out.push(change(
                        "field",
                        name.clone(),
                        ChangeKind::Changed,
                        Some(detail),
                    ));
                }
                if a.required != b.required {
                    let detail = format!("{} → {}", a.optionality(), b.optionality());
                    out.push(change(
                        "field",
                        name.clone(),
                        ChangeKind::Changed,
                        Some(detail),
                    ));
                }
                if b.deprecated && !a.deprecated {
                    out.push(change("field", name, ChangeKind::Deprecated, None));
                }
            }
        }
    }
    for key in fa.keys() {
        if !fb.contains_key(key) && types_b.contains(&key.0) {
            let name = format!("{}.{}", key.0, key.1);
            out.push(change("field", name, ChangeKind::Removed, None));
        }
    }
    let deprecated_kinds = |m: &Model| -> BTreeSet<String> {
        m.types()
            .values()
            .filter(|d| is_kind(d) && mentions_deprecation(d.doc.as_deref()))
            .map(kind_name)
            .collect()
    };
    let (da, db) = (deprecated_kinds(from), deprecated_kinds(to));
    for name in db.difference(&da) {
        if kinds(from).contains(name) {
            out.push(change("kind", name.clone(), ChangeKind::Deprecated, None));
        }
    }

    out.sort_by(|a, b| {
        let rank = |s: &str| ORDER.iter().position(|o| *o == s).unwrap_or(ORDER.len());
        rank(a.subject)
            .cmp(&rank(b.subject))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.change.cmp(&b.change))
            .then_with(|| a.detail.cmp(&b.detail))
    });
    out
}

/// The changes as text, one per line.
pub fn to_text(changes: &[Change]) -> String {
    let mut s = String::new();
    for c in changes {
        s.push_str(&c.to_string());
        s.push('\n');
    }
    s
}

/// The changes as a JSON array.
pub fn to_json(changes: &[Change]) -> String {
    let mut s = serde_json::to_string_pretty(changes).unwrap_or_default();
    s.push('\n');
    s
}

fn change(
    subject: &'static str,
    name: String,
    change: ChangeKind,
    detail: Option<String>,
) -> Change {
    Change {
        subject,
        name,
        change,
        detail,
    }
}

fn mentions_deprecation(doc: Option<&str>) -> bool {
    doc.is_some_and(|d| {
        let d = d.to_ascii_lowercase();
        d.starts_with("deprecated") || d.contains("deprecated:") || d.contains("is deprecated")
    })
}

fn group_versions(m: &Model) -> BTreeSet<String> {
    m.modules()
        .values()
        .map(|md| {
            if md.api_group.is_empty() {
                md.id.version.clone()
            } else {
                format!("{}/{}", md.api_group, md.id.version)
            }
        })
        .collect()
}

fn is_kind(def: &TypeDef) -> bool {
    def.gvk.is_some() && matches!(def.body, TypeBody::Struct { .. })
}

fn kind_name(def: &TypeDef) -> String {
    match &def.gvk {
        Some(gvk) => format!("{} {}", gvk.api_version(), gvk.kind),
        None => def.id.clone(),
    }
}

fn kinds(m: &Model) -> BTreeSet<String> {
    m.types()
        .values()
        .filter(|d| is_kind(d))
        .map(kind_name)
        .collect()
}

/// `apps/v1 deployments` → (verbs, subresources).
fn resources(m: &Model) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    m.resources()
        .iter()
        .map(|r| {
            let gv = if r.group.is_empty() {
                r.version.clone()
            } else {
                format!("{}/{}", r.group, r.version)
            };
            let subs = r.subresources.iter().map(|s| s.name.clone()).collect();
            (format!("{gv} {}", r.plural), (r.verbs.clone(), subs))
        })
        .collect()
}

struct FieldInfo {
    ty: String,
    required: bool,
    deprecated: bool,
}

impl FieldInfo {
    fn optionality(&self) -> &'static str {
        if self.required {
            "required"
        } else {
            "optional"
        }
    }

    fn describe(&self) -> String {
        format!("{}, {}", self.ty, self.optionality())
    }
}

/// (`apps/v1 DeploymentSpec`, json field name) → field, for every struct type. Types are
/// named as users see them (their ids include source pointers, which move).
fn fields(m: &Model) -> BTreeMap<(String, String), FieldInfo> {
    let mut out = BTreeMap::new();
    for def in m.types().values() {
        let TypeBody::Struct { fields } = &def.body else {
            continue;
        };
        let api_group = m
            .modules()
            .get(&def.module)
            .map(|md| md.api_group.as_str())
            .unwrap_or_default();
        let gv = if api_group.is_empty() {
            def.module.version.clone()
        } else {
            format!("{api_group}/{}", def.module.version)
        };
        let type_name = format!("{gv} {}", def.rust_name);
        // A one-of group's members are still keys of the object.
        let members = fields.iter().filter(|f| f.one_of).flat_map(|f| {
            let variants = match &f.ty {
                TypeRef::Named(id) => match m.type_def(id).map(|d| &d.body) {
                    Some(TypeBody::OneOf { variants }) => variants.as_slice(),
                    _ => &[],
                },
                _ => &[],
            };
            variants.iter().map(|v| {
                (
                    v.json_name.clone(),
                    FieldInfo {
                        ty: type_text(m, &v.ty),
                        required: false,
                        deprecated: mentions_deprecation(v.doc.as_deref()),
                    },
                )
            })
        });
        for (json_name, info) in members {
            out.insert((type_name.clone(), json_name), info);
        }
        for f in fields.iter().filter(|f| !f.flatten && !f.one_of) {
            out.insert(
                (type_name.clone(), f.json_name.clone()),
                FieldInfo {
                    ty: type_text(m, &f.ty),
                    required: f.required,
                    deprecated: mentions_deprecation(f.doc.as_deref()),
                },
            );
        }
    }
    out
}

/// A type as a reviewer reads it: generated types by Rust name, not internal id.
fn type_text(m: &Model, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::String => "string".into(),
        TypeRef::Bytes => "bytes".into(),
        TypeRef::Json => "json".into(),
        TypeRef::Extern(name) => name.rsplit("::").next().unwrap_or(name).to_owned(),
        TypeRef::Named(id) => m
            .type_def(id)
            .map(|d| d.rust_name.clone())
            .unwrap_or_else(|| id.clone()),
        TypeRef::Array(inner) => format!("[{}]", type_text(m, inner)),
        TypeRef::Map(inner) => format!("map[{}]", type_text(m, inner)),
    }
}
