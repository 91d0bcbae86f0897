//! Mapping owned objects to the key of their controlling owner.

use kubegen_runtime::meta::{Kind, Object};

/// The queue key (`namespace/name`) of the object of kind `O` that controls `obj` (its
/// owner reference with `controller: true`), for [`super::Controller::watches`] of owned
/// objects. Namespaced owners share their dependents' namespace.
pub fn controller_owner_key<O: Kind>(obj: &impl Object) -> Option<String> {
    let meta = obj.metadata();
    let owner = meta
        .owner_references
        .as_ref()?
        .iter()
        .find(|r| r.controller == Some(true))?;
    if owner.kind != O::KIND || owner.api_version != O::API_VERSION {
        return None;
    }
    Some(match meta.namespace.as_deref() {
        Some(ns) if !ns.is_empty() => format!("{ns}/{}", owner.name),
        _ => owner.name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubegen_api::core::v1::{ConfigMap, Pod};
    use kubegen_runtime::meta::OwnerReference;

    fn owned_by(kind: &str, api_version: &str, controller: Option<bool>) -> ConfigMap {
        let mut cm = ConfigMap::default();
        cm.metadata.namespace = Some("ns".into());
        cm.metadata.owner_references = Some(vec![OwnerReference {
            api_version: api_version.into(),
            kind: kind.into(),
            name: "owner".into(),
            uid: "u".into(),
            controller,
            block_owner_deletion: None,
        }]);
        cm
    }

    #[test]
    fn only_the_controlling_owner_of_the_right_kind_counts() {
        assert_eq!(
            controller_owner_key::<Pod>(&owned_by("Pod", "v1", Some(true))),
            Some("ns/owner".into())
        );
        assert_eq!(
            controller_owner_key::<Pod>(&owned_by("Pod", "v1", None)),
            None
        );
        assert_eq!(
            controller_owner_key::<Pod>(&owned_by("Pod", "v2", Some(true))),
            None
        );
        assert_eq!(controller_owner_key::<Pod>(&ConfigMap::default()), None);
    }
}
