//! The API server sometimes sends `null` where the spec promises an array, a map or an object.

use kubegen_api::core::v1::{Pod, Secret};
use kubegen_runtime::meta::List;

#[test]
fn null_arrays_maps_and_objects_deserialize() {
    let pod: Pod = serde_json::from_str(
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":null,"finalizers":null,"ownerReferences":null},
            "spec":{"containers":null,"volumes":null,"nodeSelector":null,"securityContext":null},
            "status":null}"#,
    )
    .unwrap();
    assert!(pod.spec.unwrap().containers.is_none());
    let secret: Secret =
        serde_json::from_str(r#"{"metadata":{"name":"s"},"data":{"a":null,"b":"aGk="}}"#).unwrap();
    let data = secret.data.unwrap();
    assert!(data["a"].0.is_empty());
    assert_eq!(data["b"].0, b"hi");
    let list: List<Pod> =
        serde_json::from_str(r#"{"kind":"PodList","metadata":{},"items":null}"#).unwrap();
    assert!(list.items.is_empty());
}

#[test]
fn wrong_shapes_are_errors_not_panics() {
    assert!(serde_json::from_str::<Pod>(r#"{"spec":{"containers":"nope"}}"#).is_err());
    assert!(
        serde_json::from_str::<Pod>(r#"{"metadata":{"creationTimestamp":"not a time"}}"#).is_err()
    );
    assert!(serde_json::from_str::<Pod>("[1,2]").is_err());
}
