//! `Volume` is a one-of struct: a name and one of 30 volume sources, held as
//! `source: Option<VolumeSource>` but read and written as the API's flat object.

use kubegen_api::core::v1::{
    ConfigMapVolumeSource, EmptyDirVolumeSource, Pod, SecretVolumeSource, Volume, VolumeSource,
};
use kubegen_api_tests::realistic_pod_json;
use kubegen_runtime::meta::one_of::OneOf;
use kubegen_runtime::meta::Shared;
use serde_json::json;

#[test]
fn realistic_pod_volumes_keep_their_sources() {
    let json: serde_json::Value = serde_json::from_str(&realistic_pod_json()).unwrap();
    let pod: Pod = serde_json::from_value(json.clone()).unwrap();
    let volumes = pod.spec.as_ref().unwrap().volumes.as_ref().unwrap();
    let keys: Vec<&str> = volumes
        .iter()
        .map(|v| v.source.as_ref().unwrap().key())
        .collect();
    let expected: Vec<&str> = json["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let keys: Vec<&str> = v
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "name")
                .collect();
            assert_eq!(keys.len(), 1, "{v}");
            keys[0]
        })
        .collect();
    assert_eq!(keys, expected);
    assert!(keys.contains(&"projected"));
    for (typed, raw) in volumes
        .iter()
        .zip(json["spec"]["volumes"].as_array().unwrap())
    {
        assert_eq!(&serde_json::to_value(typed).unwrap(), raw);
    }
}

#[test]
fn the_source_is_written_flat_after_the_name() {
    let v = Volume {
        name: Some("cfg".into()),
        source: Some(
            ConfigMapVolumeSource {
                name: Some("app".into()),
                ..Default::default()
            }
            .into(),
        ),
    };
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        r#"{"name":"cfg","configMap":{"name":"app"}}"#
    );
    let back: Volume =
        serde_json::from_str(r#"{"configMap":{"name":"app"},"name":"cfg"}"#).unwrap();
    assert_eq!(back, v);
}

#[test]
fn only_set_fields_are_written() {
    // Server-side apply: an unset name or source must not appear at all.
    assert_eq!(serde_json::to_value(Volume::default()).unwrap(), json!({}));
    let only_source = Volume {
        name: None,
        source: Some(VolumeSource::EmptyDir(Default::default())),
    };
    assert_eq!(
        serde_json::to_value(&only_source).unwrap(),
        json!({"emptyDir": {}})
    );
    let only_name = Volume {
        name: Some("x".into()),
        source: None,
    };
    assert_eq!(
        serde_json::to_value(&only_name).unwrap(),
        json!({"name": "x"})
    );
}

#[test]
fn null_sources_are_absent() {
    let v: Volume = serde_json::from_value(json!({
        "name": "data", "configMap": null, "secret": {"secretName": "s"}, "hostPath": null
    }))
    .unwrap();
    assert_eq!(
        v.source,
        Some(VolumeSource::Secret(Shared::new(SecretVolumeSource {
            secret_name: Some("s".into()),
            ..Default::default()
        })))
    );
    let none: Volume = serde_json::from_str(r#"{"name":"n","emptyDir":null}"#).unwrap();
    assert_eq!(none.source, None);
    let null_name: Volume = serde_json::from_str(r#"{"name":null,"emptyDir":{}}"#).unwrap();
    assert_eq!(null_name.name, None);
    assert_eq!(
        null_name.source,
        Some(VolumeSource::from(EmptyDirVolumeSource::default()))
    );
}

#[test]
fn two_sources_are_an_error_naming_both() {
    let err =
        serde_json::from_str::<Volume>(r#"{"name":"x","configMap":{"name":"a"},"emptyDir":{}}"#)
            .unwrap_err()
            .to_string();
    assert!(
        err.contains("configMap") && err.contains("emptyDir"),
        "{err}"
    );
    // Also through a serde_json::Value, and inside a pod.
    let err = serde_json::from_value::<Pod>(json!({
        "spec": {"volumes": [{"name": "x", "secret": {}, "projected": {}}]}
    }))
    .unwrap_err()
    .to_string();
    assert!(err.contains("secret") && err.contains("projected"), "{err}");
    let dup = serde_json::from_str::<Volume>(r#"{"secret":{},"secret":{}}"#).unwrap_err();
    assert!(
        dup.to_string().contains("duplicate field `secret`"),
        "{dup}"
    );
}

#[test]
fn unknown_keys_are_ignored() {
    let v: Volume = serde_json::from_str(
        r#"{"name":"x","someFutureSource":{"a":[1,{"b":null}]},"emptyDir":{"medium":"Memory"},"z":3}"#,
    )
    .unwrap();
    assert_eq!(v.name.as_deref(), Some("x"));
    match &v.source {
        Some(VolumeSource::EmptyDir(e)) => assert_eq!(e.medium.as_deref(), Some("Memory")),
        other => panic!("unexpected source {other:?}"),
    }
    let only_unknown: Volume = serde_json::from_str(r#"{"name":"x","future":{}}"#).unwrap();
    assert_eq!(only_unknown.source, None);
}

#[test]
fn wrong_shapes_are_errors() {
    assert!(serde_json::from_str::<Volume>(r#"{"configMap":"nope"}"#).is_err());
    assert!(serde_json::from_str::<Volume>(r#"{"name":3}"#).is_err());
    assert!(serde_json::from_str::<Volume>("[]").is_err());
    assert!(serde_json::from_str::<Volume>("null").is_err());
}

#[test]
fn one_of_is_small() {
    // Sources up to 48 bytes (emptyDir, projected, a PVC) are inline, larger ones boxed: the
    // enum is a tag and at most 48 bytes, not the 3.2 KB of 30 inline optional structs.
    assert!(std::mem::size_of::<Option<VolumeSource>>() <= 56);
    assert!(
        std::mem::size_of::<Volume>() <= 72,
        "{}",
        std::mem::size_of::<Volume>()
    );
}

#[test]
fn persistent_volume_spec_is_one_of_too() {
    use kubegen_api::core::v1::{PersistentVolumeSource, PersistentVolumeSpec};
    let json = json!({
        "accessModes": ["ReadWriteOnce"],
        "capacity": {"storage": "10Gi"},
        "claimRef": {"name": "c", "namespace": "ns"},
        "mountOptions": null,
        "persistentVolumeReclaimPolicy": "Retain",
        "nfs": {"server": "nfs.example", "path": "/x"},
        "hostPath": null,
        "future": true
    });
    let spec: PersistentVolumeSpec = serde_json::from_value(json).unwrap();
    let modes = spec.access_modes.as_ref().unwrap();
    assert_eq!(modes.capacity(), 1, "lists are read to their exact length");
    assert!(spec.mount_options.is_none());
    assert!(matches!(spec.source, Some(PersistentVolumeSource::Nfs(_))));
    assert_eq!(
        serde_json::to_value(&spec).unwrap(),
        json!({
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": "10Gi"},
            "claimRef": {"name": "c", "namespace": "ns"},
            "persistentVolumeReclaimPolicy": "Retain",
            "nfs": {"server": "nfs.example", "path": "/x"}
        })
    );
    let err = serde_json::from_value::<PersistentVolumeSpec>(json!({"nfs": {}, "local": {}}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("nfs") && err.contains("local"), "{err}");
}
