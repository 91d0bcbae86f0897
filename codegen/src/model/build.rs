//! Building the model from a spec, step by step.

use std::collections::{BTreeMap, BTreeSet};

use super::types::{list_item, Converter, Place};
use super::{
    clients, externs, fixups, layout, naming, resources, Gvk, Model, ModelError, ModelOptions,
    ModuleDef, ModuleId, Source, TypeBody, TypeDef, TypeId, TypeRef,
};
use crate::spec::Spec;

/// `io.k8s.api.core.v1.Pod` → (`io.k8s.api.core`, `v1`, `Pod`).
fn split_name(name: &str) -> Option<(&str, &str, &str)> {
    let (prefix, short) = name.rsplit_once('.')?;
    let (package, version) = prefix.rsplit_once('.')?;
    is_version(version).then_some((package, version, short))
}

fn is_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let tail = &rest[digits..];
    tail.is_empty()
        || ["alpha", "beta"].iter().any(|stage| {
            tail.strip_prefix(stage)
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
}

fn gvks(schema: &openapiv3::Schema) -> Vec<Gvk> {
    let Some(list) = schema
        .schema_data
        .extensions
        .get("x-kubernetes-group-version-kind")
        .and_then(|v| v.as_array())
    else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|v| {
            Some(Gvk {
                group: v.get("group")?.as_str()?.to_owned(),
                version: v.get("version")?.as_str()?.to_owned(),
                kind: v.get("kind")?.as_str()?.to_owned(),
            })
        })
        .collect()
}

pub(super) fn build(spec: &Spec, options: &ModelOptions) -> Result<Model, ModelError> {
    let mut converter = Converter {
        strictness: options.strictness,
        inline: BTreeMap::new(),
        taken: BTreeMap::new(),
        warnings: Vec::new(),
        externals: BTreeMap::new(),
    };
    // Which schemas are generated, and where they live.
    let mut generated: Vec<(&str, (&str, &str, &str))> = Vec::new();
    for (name, entry) in spec.schemas() {
        if externs::is_apimachinery(name) {
            let known = options.externals.runtime_schemas.get(name);
            if known.is_some_and(|hash| *hash != crate::manifest::schema_hash(&entry.schema)) {
                converter.warn(
                    &Source {
                        file: entry.file.clone(),
                        pointer: entry.pointer.clone(),
                    },
                    format!(
                        "version skew: this copy of {name} differs from the one kubegen-runtime's \
                         meta types follow (the spec of {}); fields only this copy has are \
                         not typed",
                        options.externals.origin
                    ),
                );
            }
            continue;
        }
        if let Some((path, hash)) = options.externals.schemas.get(name) {
            let ours = crate::manifest::schema_hash(&entry.schema);
            if &ours != hash {
                converter.warn(
                    &Source {
                        file: entry.file.clone(),
                        pointer: entry.pointer.clone(),
                    },
                    format!(
                        "version skew: this copy of {name} differs from the one {} was \
                         generated from; using {path} anyway",
                        options.externals.origin
                    ),
                );
            }
            converter.externals.insert(name.clone(), path.clone());
            continue;
        }
        match split_name(name) {
            Some(parts) => generated.push((name, parts)),
            None => {
                return Err(ModelError::Unsupported {
                    file: entry.file.clone(),
                    pointer: entry.pointer.clone(),
                    message: format!(
                        "schema name {name:?} has no version segment (expected like io.k8s.api.core.v1.Pod)"
                    ),
                })
            }
        }
    }

    // The API group of each package-version, by majority of its kinds' GVKs.
    let mut votes: BTreeMap<(&str, &str), BTreeMap<String, usize>> = BTreeMap::new();
    for (name, (package, version, _)) in &generated {
        let entry = &spec.schemas()[*name];
        for gvk in gvks(&entry.schema) {
            *votes
                .entry((package, version))
                .or_default()
                .entry(gvk.group)
                .or_default() += 1;
        }
    }
    let group_of = |package: &str, version: &str| -> String {
        votes
            .get(&(package, version))
            .and_then(|v| v.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))))
            .map(|(g, _)| g.clone())
            .unwrap_or_else(|| package.rsplit('.').next().unwrap_or(package).to_owned())
    };

    // Module names: a group's first DNS label, or the whole group where two collide.
    let groups: BTreeSet<String> = generated
        .iter()
        .map(|(_, (p, v, _))| group_of(p, v))
        .collect();
    let mut by_short: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for g in &groups {
        by_short.entry(naming::group_module(g)).or_default().push(g);
    }
    let mut module_name: BTreeMap<&String, String> = BTreeMap::new();
    for (short, gs) in &by_short {
        for g in gs {
            let name = if gs.len() > 1 {
                naming::group_module_full(g)
            } else {
                short.clone()
            };
            module_name.insert(g, name);
        }
    }

    // Names of an existing crate are referenced even where this spec has no copy of the
    // schema (a CRD manifest's Scale subresource).
    for (name, (path, _)) in &options.externals.schemas {
        converter
            .externals
            .entry(name.clone())
            .or_insert_with(|| path.clone());
    }
    let mut api_groups: BTreeMap<ModuleId, String> = BTreeMap::new();

    // Skeletons first (every `$ref` target gets its name before any body is converted).
    let mut types: BTreeMap<TypeId, TypeDef> = BTreeMap::new();
    for (name, (package, version, short)) in &generated {
        let entry = &spec.schemas()[*name];
        let group = group_of(package, version);
        let module = ModuleId {
            group: module_name
                .get(&group)
                .cloned()
                .unwrap_or_else(|| naming::group_module(&group)),
            version: (*version).to_owned(),
        };
        api_groups.entry(module.clone()).or_insert(group);
        let mut gvk = gvks(&entry.schema);
        let rust_name = converter.claim_name(&module, naming::type_name(short));
        types.insert(
            (*name).to_owned(),
            TypeDef {
                id: (*name).to_owned(),
                rust_name,
                module,
                doc: entry.schema.schema_data.description.clone(),
                body: TypeBody::Struct { fields: Vec::new() },
                gvk: if gvk.len() == 1 { gvk.pop() } else { None },
                resource: None,
                source: Source {
                    file: entry.file.clone(),
                    pointer: entry.pointer.clone(),
                },
            },
        );
    }

    // Bodies.
    let unions = fixups::unions(spec)?;
    for def in types.values_mut() {
        if let Some(body) = unions.get(&def.id) {
            def.body = body.clone();
            continue;
        }
        let entry = &spec.schemas()[&def.id];
        let place = Place {
            type_id: &def.id,
            rust_name: &def.rust_name,
            module: &def.module,
            source: def.source.clone(),
            is_kind: def.gvk.is_some(),
        };
        let body = converter.body(&entry.schema, &place)?;
        def.body = shape_kind(body, def.gvk.is_some());
    }

    fixups::one_ofs(&mut types, &mut converter)?;

    // Resources: plural and scope of each kind.
    let resources = resources::collect(spec);
    let mut by_gvk: BTreeMap<Gvk, &resources::ResourceDef> = BTreeMap::new();
    for r in &resources {
        let gvk = Gvk {
            group: r.group.clone(),
            version: r.version.clone(),
            kind: r.kind.clone(),
        };
        let better = match by_gvk.get(&gvk) {
            None => true,
            Some(current) => !current.has_verb("list") && r.has_verb("list"),
        };
        if better {
            by_gvk.insert(gvk, r);
        }
    }
    for def in types.values_mut() {
        if let Some(r) = def.gvk.as_ref().and_then(|g| by_gvk.get(g)) {
            def.resource = Some((r.plural.clone(), r.namespaced));
        }
    }

    types.append(&mut converter.inline);
    layout::apply(&mut types);
    let clients = clients::collect(
        &resources,
        &types,
        &converter.externals,
        &mut converter.taken,
    );
    let modules = modules(&types, &api_groups);
    let used = used_externals(&types, &clients, &converter.externals);
    Ok(Model {
        types,
        modules,
        resources,
        clients,
        warnings: converter.warnings,
        externals: used,
    })
}

/// Kinds carry `apiVersion`/`kind` as constants (the emitter prints them), their metadata is
/// not optional, and `*List` kinds become the runtime's generic list.
fn shape_kind(body: TypeBody, is_kind: bool) -> TypeBody {
    if !is_kind {
        return body;
    }
    let TypeBody::Struct { mut fields } = body else {
        return body;
    };
    if let Some(item) = list_item(&fields) {
        return TypeBody::List { item };
    }
    fields.retain(|f| {
        !(f.json_name == "apiVersion" || f.json_name == "kind") || f.ty != TypeRef::String
    });
    for f in &mut fields {
        if f.json_name == "metadata" && f.ty == TypeRef::Extern(externs::OBJECT_META.into()) {
            f.plain = true;
        }
    }
    TypeBody::Struct { fields }
}

/// The externals some generated type refers to (schema name → Rust path).
fn used_externals(
    types: &BTreeMap<TypeId, TypeDef>,
    clients: &[clients::ClientDef],
    externals: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    fn walk(ty: &TypeRef, out: &mut BTreeSet<String>) {
        match ty {
            TypeRef::Extern(path) => {
                out.insert(path.clone());
            }
            TypeRef::Array(inner) | TypeRef::Map(inner) => walk(inner, out),
            _ => {}
        }
    }
    let mut paths = BTreeSet::new();
    for def in types.values() {
        match &def.body {
            TypeBody::Struct { fields } => fields.iter().for_each(|f| walk(&f.ty, &mut paths)),
            TypeBody::List { item } | TypeBody::Alias(item) => walk(item, &mut paths),
            TypeBody::Union { variants } => variants.iter().for_each(|v| walk(&v.ty, &mut paths)),
            TypeBody::OneOf { variants } => variants.iter().for_each(|v| walk(&v.ty, &mut paths)),
            TypeBody::Enum { .. } => {}
        }
    }
    for sub in clients.iter().flat_map(|c| &c.subresources) {
        if let Some(path) = sub.body.as_ref().and_then(|b| externals.get(b)) {
            paths.insert(path.clone());
        }
    }
    externals
        .iter()
        .filter(|(_, path)| paths.contains(*path))
        .map(|(name, path)| (name.clone(), path.clone()))
        .collect()
}

fn refs(ty: &TypeRef, out: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => out.push(id.clone()),
        TypeRef::Array(inner) | TypeRef::Map(inner) => refs(inner, out),
        _ => {}
    }
}

/// Every named type a type refers to.
pub(super) fn referenced(def: &TypeDef) -> Vec<TypeId> {
    let mut out = Vec::new();
    match &def.body {
        TypeBody::Struct { fields } => fields.iter().for_each(|f| refs(&f.ty, &mut out)),
        TypeBody::List { item } | TypeBody::Alias(item) => refs(item, &mut out),
        TypeBody::Union { variants } => variants.iter().for_each(|v| refs(&v.ty, &mut out)),
        TypeBody::OneOf { variants } => variants.iter().for_each(|v| refs(&v.ty, &mut out)),
        TypeBody::Enum { .. } => {}
    }
    out
}

/// Whether a type has a field (or is an alias, list or variant) of arbitrary JSON.
fn holds_json(def: &TypeDef) -> bool {
    fn json(ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Json => true,
            TypeRef::Array(item) | TypeRef::Map(item) => json(item),
            _ => false,
        }
    }
    match &def.body {
        TypeBody::Struct { fields } => fields.iter().any(|f| json(&f.ty)),
        TypeBody::List { item } | TypeBody::Alias(item) => json(item),
        TypeBody::Union { variants } => variants.iter().any(|v| json(&v.ty)),
        TypeBody::OneOf { variants } => variants.iter().any(|v| json(&v.ty)),
        TypeBody::Enum { .. } => false,
    }
}

fn modules(
    types: &BTreeMap<TypeId, TypeDef>,
    api_groups: &BTreeMap<ModuleId, String>,
) -> BTreeMap<ModuleId, ModuleDef> {
    let mut modules: BTreeMap<ModuleId, ModuleDef> = BTreeMap::new();
    for def in types.values() {
        let m = modules
            .entry(def.module.clone())
            .or_insert_with(|| ModuleDef {
                id: def.module.clone(),
                api_group: api_groups.get(&def.module).cloned().unwrap_or_default(),
                depends_on: BTreeSet::new(),
                uses_json: false,
                types: Vec::new(),
            });
        m.types.push(def.id.clone());
        m.uses_json |= holds_json(def);
        for target in referenced(def) {
            if let Some(t) = types.get(&target) {
                if t.module != def.module {
                    m.depends_on.insert(t.module.clone());
                }
            }
        }
    }
    for m in modules.values_mut() {
        m.types
            .sort_by(|a, b| types[a].rust_name.cmp(&types[b].rust_name));
    }
    modules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_schema_names() {
        assert_eq!(
            split_name("io.k8s.api.core.v1.Pod"),
            Some(("io.k8s.api.core", "v1", "Pod"))
        );
        assert_eq!(
            split_name("io.k8s.api.resource.v1beta2.DeviceClass"),
            Some(("io.k8s.api.resource", "v1beta2", "DeviceClass"))
        );
        assert_eq!(split_name("com.example.Widget"), None);
        assert!(is_version("v1alpha3"));
        assert!(!is_version("v1gamma1"));
        assert!(!is_version("version"));
    }
}
