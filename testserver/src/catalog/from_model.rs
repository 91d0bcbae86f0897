//! Builds the resource table from `kubegen`'s model of the spec.
//!
//! The generator and the server read the spec through the same code (`kubegen::spec` +
//! `kubegen::model`), so the server serves exactly the resources the generated clients
//! expect. Discovery-only names (singular, short names, categories) are not in the spec and
//! come from [`builtin_names`].

use kubegen::model::Model;
use kubegen::spec::{Spec, SpecError};

use super::names::builtin_names;
use super::openapi_docs::OpenApiDoc;
use super::resources::{ResourceDef, ResourceTable, SubresourceDef};

/// Builds the table from the documents of a spec directory.
pub(crate) fn table_from_documents(
    dir: &std::path::Path,
    docs: &[OpenApiDoc],
) -> Result<ResourceTable, SpecError> {
    let spec = Spec::from_documents(
        docs.iter()
            .map(|d| (dir.join(&d.file), d.bytes.to_vec()))
            .collect(),
    )?;
    let resources = Model::resources_of(&spec)
        .into_iter()
        .filter(|r| !r.verbs.is_empty())
        .map(|r| {
            let (singular, short_names, categories) = builtin_names(&r.group, &r.plural, &r.kind);
            ResourceDef {
                singular,
                short_names,
                categories,
                subresources: r
                    .subresources
                    .into_iter()
                    .map(|s| SubresourceDef {
                        name: s.name,
                        kind: s.kind,
                        verbs: s.verbs,
                    })
                    .collect(),
                group: r.group,
                version: r.version,
                kind: r.kind,
                plural: r.plural,
                namespaced: r.namespaced,
                verbs: r.verbs,
                custom: false,
                scale_paths: None,
            }
        })
        .collect::<Vec<_>>();
    Ok(ResourceTable::new(resources))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_scope_verbs_and_subresources_from_the_pinned_spec() {
        let docs = crate::catalog::openapi_docs::pinned().unwrap();
        let t = table_from_documents(std::path::Path::new("pinned"), &docs).unwrap();
        let d = t.get("apps", "v1", "deployments").unwrap();
        assert!(d.namespaced);
        assert!(d.verbs.iter().any(|v| v == "watch"));
        assert_eq!(
            d.subresource("scale").unwrap().kind.as_ref().unwrap().2,
            "Scale"
        );
        assert_eq!(d.short_names, vec!["deploy"]);
        assert!(!t.get("", "v1", "namespaces").unwrap().namespaced);
        assert!(t
            .get("", "v1", "pods")
            .unwrap()
            .subresource("log")
            .is_some());
    }
}
