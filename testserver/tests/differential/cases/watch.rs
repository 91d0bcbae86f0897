//! Watches: events, selectors, WatchList, bookmarks, old and future versions, 410.

use std::time::Duration;

use serde_json::{json, Value};

use crate::run::{configmap, rv, Req, Run};

const MERGE: &str = "application/merge-patch+json";

/// A watch request bounded by `timeoutSeconds` (and a client timeout a little after).
fn watch(path: String, seconds: u64) -> Req {
    let sep = if path.contains('?') { '&' } else { '?' };
    Req::get(format!("{path}{sep}watch=true&timeoutSeconds={seconds}"))
        .timeout(Duration::from_secs(seconds + 10))
}

fn list_rv(list: &Value) -> String {
    list.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

async fn pause() {
    tokio::time::sleep(Duration::from_millis(700)).await;
}

pub(crate) async fn events(r: &mut Run) {
    let list = r.quiet(Req::get(r.core("configmaps"))).await;
    let w = r.start(watch(
        r.core(&format!("configmaps?resourceVersion={}", list_rv(&list))),
        3,
    ));
    pause().await;
    r.quiet(Req::post(
        r.core("configmaps"),
        &configmap("a", json!({"k": "v"})),
    ))
    .await;
    r.quiet(Req::patch(
        r.core("configmaps/a"),
        MERGE,
        &json!({"data": {"k": "w"}}),
    ))
    .await;
    r.quiet(Req::delete(r.core("configmaps/a"))).await;
    r.finish_watch("watch", w).await;
}

/// An object leaving a label selector is DELETED for the watch, entering it ADDED.
pub(crate) async fn selector_transitions(r: &mut Run) {
    let list = r.quiet(Req::get(r.core("configmaps"))).await;
    let path = r.core(&format!(
        "configmaps?labelSelector=l%3Da&resourceVersion={}",
        list_rv(&list)
    ));
    let w = r.start(watch(path, 3));
    pause().await;
    let mut cm = configmap("a", json!({}));
    cm["metadata"]["labels"] = json!({"l": "a"});
    r.quiet(Req::post(r.core("configmaps"), &cm)).await;
    r.quiet(Req::patch(
        r.core("configmaps/a"),
        MERGE,
        &json!({"metadata": {"labels": {"l": "b"}}}),
    ))
    .await;
    r.quiet(Req::patch(
        r.core("configmaps/a"),
        MERGE,
        &json!({"data": {"unseen": "1"}}),
    ))
    .await;
    r.quiet(Req::patch(
        r.core("configmaps/a"),
        MERGE,
        &json!({"metadata": {"labels": {"l": "a"}}}),
    ))
    .await;
    r.finish_watch("watch", w).await;
}

pub(crate) async fn field_selector_single_object(r: &mut Run) {
    r.quiet(Req::post(r.core("configmaps"), &configmap("b", json!({}))))
        .await;
    let list = r.quiet(Req::get(r.core("configmaps"))).await;
    let path = r.core(&format!(
        "configmaps?fieldSelector=metadata.name%3Da&resourceVersion={}",
        list_rv(&list)
    ));
    let w = r.start(watch(path, 3));
    pause().await;
    r.quiet(Req::post(r.core("configmaps"), &configmap("a", json!({}))))
        .await;
    r.quiet(Req::patch(
        r.core("configmaps/b"),
        MERGE,
        &json!({"data": {"x": "1"}}),
    ))
    .await;
    r.finish_watch("watch", w).await;
}

/// WatchList: the current objects as ADDED, then the initial-events-end bookmark.
pub(crate) async fn watch_list(r: &mut Run) {
    for n in ["a", "b"] {
        r.quiet(Req::post(r.core("configmaps"), &configmap(n, json!({}))))
            .await;
    }
    let q = "configmaps?sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true";
    let w = r.start(watch(r.core(q), 3));
    pause().await;
    r.quiet(Req::post(r.core("configmaps"), &configmap("c", json!({}))))
        .await;
    r.finish_watch("watchlist", w).await;
    let without = "configmaps?sendInitialEvents=true&resourceVersionMatch=NotOlderThan";
    r.watch("without bookmarks", watch(r.core(without), 1))
        .await;
    let without_match = "configmaps?sendInitialEvents=true&allowWatchBookmarks=true";
    r.watch("without match", watch(r.core(without_match), 1))
        .await;
    let legacy = "configmaps?sendInitialEvents=false&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=0";
    r.watch("initial events off", watch(r.core(legacy), 1))
        .await;
}

/// `resourceVersion=0` and an unset one start with the current objects as ADDED.
pub(crate) async fn from_now_and_zero(r: &mut Run) {
    r.quiet(Req::post(r.core("configmaps"), &configmap("a", json!({}))))
        .await;
    r.watch("rv 0", watch(r.core("configmaps?resourceVersion=0"), 1))
        .await;
    r.watch("rv unset", watch(r.core("configmaps"), 1)).await;
}

/// From an older version still in the history: the changes since then.
pub(crate) async fn from_old_version(r: &mut Run) {
    let created = r
        .quiet(Req::post(
            r.core("configmaps"),
            &configmap("a", json!({"n": "0"})),
        ))
        .await;
    r.quiet(Req::patch(
        r.core("configmaps/a"),
        MERGE,
        &json!({"data": {"n": "1"}}),
    ))
    .await;
    r.quiet(Req::post(r.core("configmaps"), &configmap("b", json!({}))))
        .await;
    let path = r.core(&format!("configmaps?resourceVersion={}", rv(&created)));
    r.watch("from create", watch(path, 1)).await;
}

/// A version the server has not reached yet: a watch waits for it (and sends nothing
/// older); a WatchList, a get and a list give up after a while with `504` (a real server
/// waits up to 3 s). Runs alone so other cases' writes do not reach the version.
pub(crate) async fn from_future_version(r: &mut Run) {
    let list = r.quiet(Req::get(r.core("configmaps"))).await;
    let now: u64 = list_rv(&list).parse::<u64>().unwrap_or(0);
    let far = r.start(watch(
        r.core(&format!("configmaps?resourceVersion={}", now + 1_000_000)),
        5,
    ));
    let list_far = r.start(watch(
        r.core(&format!(
            "configmaps?sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion={}",
            now + 1_000_000
        )),
        5,
    ));
    pause().await;
    for n in ["a", "b", "c", "d"] {
        r.quiet(Req::post(r.core("configmaps"), &configmap(n, json!({}))))
            .await;
    }
    r.finish_watch("far ahead", far).await;
    r.finish_watch("watchlist far ahead", list_far).await;
    r.send(
        "get far ahead",
        Req::get(r.core(&format!("configmaps/a?resourceVersion={}", now + 1_000_000))),
    )
    .await;
    r.send(
        "list far ahead",
        Req::get(r.core(&format!(
            "configmaps?resourceVersion={}&resourceVersionMatch=NotOlderThan",
            now + 1_000_000
        ))),
    )
    .await;
}

/// As metadata only: the object form, the list form (which client-go's metadata informer
/// sends for its watches too) and client-go's full Accept list.
pub(crate) async fn metadata_only(r: &mut Run) {
    r.quiet(Req::post(
        r.core("configmaps"),
        &configmap("a", json!({"k": "v"})),
    ))
    .await;
    for (label, accept) in [
        (
            "object form",
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
        ),
        (
            "list form",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
        ),
        (
            "client-go accept",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json",
        ),
    ] {
        let req = watch(r.core("configmaps?resourceVersion=0"), 1).header("Accept", accept);
        r.watch(label, req).await;
    }
}
