//! Transition-by-transition tests of the reflector against a scripted ListerWatcher.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Reflector, ReflectorConfig};
use crate::cache::list_watch::{ListRequest, ListWatchError, WatchRequest};
use crate::cache::testing::{obj, page, Call, RecordingStore, ScriptedLw, ScriptedWatch};
use crate::meta::Status;
use crate::rest::{ApiError, Bookmark, WatchEvent};

fn list_watch_config() -> ReflectorConfig {
    ReflectorConfig {
        use_watch_list: false,
        ..ReflectorConfig::default()
    }
}

/// Runs the reflector until it has made `calls` calls and is idle, then stops it.
async fn run(
    lw: ScriptedLw,
    config: ReflectorConfig,
    calls: usize,
) -> (Vec<Call>, Vec<String>, String) {
    let log = lw.calls.clone();
    let store = Arc::new(RecordingStore::default());
    let reflector = Reflector::new(lw, store.clone(), config);
    let status = reflector.status();
    let cancel = CancellationToken::new();
    let task = tokio::spawn(reflector.run(cancel.clone()));
    let deadline = Instant::now() + Duration::from_secs(3600);
    while log.lock().unwrap().len() < calls && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Let the last call's results be processed.
    tokio::time::sleep(Duration::from_millis(10)).await;
    cancel.cancel();
    task.await.unwrap();
    let calls = log.lock().unwrap().clone();
    let ops = store.ops.lock().unwrap().clone();
    (calls, ops, status.last_sync_resource_version())
}

fn watch_rv(call: &Call) -> (&str, bool) {
    match call {
        Call::Watch(WatchRequest {
            resource_version,
            send_initial_events,
            ..
        }) => (resource_version.as_str(), *send_initial_events),
        other => panic!("expected a watch, got {other:?}"),
    }
}

fn list_params(call: &Call) -> &ListRequest {
    match call {
        Call::List(p) => p,
        other => panic!("expected a list, got {other:?}"),
    }
}

fn bookmark(rv: &str) -> WatchEvent<crate::cache::testing::TestObj> {
    WatchEvent::Bookmark(Bookmark::new(rv))
}

fn gone() -> ListWatchError {
    ListWatchError::Gone {
        message: "too old resource version".into(),
    }
}

#[tokio::test(start_paused = true)]
async fn by_default_one_list_from_the_watch_cache() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![obj("ns", "a", "3")], "10", None)))
        .watch(ScriptedWatch::Events(vec![], true));
    let (calls, ops, _) = run(lw, list_watch_config(), 2).await;
    let first = list_params(&calls[0]);
    assert_eq!((first.resource_version.as_str(), first.limit), ("0", None));
    assert_eq!(watch_rv(&calls[1]), ("10", false));
    assert_eq!(ops, ["replace [ns/a@3] rv=10"]);
}

#[tokio::test(start_paused = true)]
async fn pages_then_watches_and_bookmarks_advance_the_version() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![obj("ns", "a", "3")], "10", Some("c1"))))
        .list(Ok(page(vec![obj("ns", "b", "5")], "10", None)))
        .watch(ScriptedWatch::Events(
            vec![
                Ok(WatchEvent::Added(obj("ns", "c", "11"))),
                Ok(WatchEvent::Modified(obj("ns", "a", "12"))),
                Ok(WatchEvent::Deleted(obj("ns", "b", "13"))),
                Ok(bookmark("15")),
            ],
            false,
        ));
    let paged = ReflectorConfig {
        page_size: Some(500),
        ..list_watch_config()
    };
    let (calls, ops, rv) = run(lw, paged, 4).await;
    // Paged lists read the latest state: the watch cache answers `resourceVersion=0`
    // whole, whatever the limit.
    let first = list_params(&calls[0]);
    assert_eq!(
        (first.resource_version.as_str(), first.limit),
        ("", Some(500))
    );
    let second = list_params(&calls[1]);
    assert_eq!(second.continue_token.as_deref(), Some("c1"));
    assert_eq!(second.resource_version, "", "no RV with a continue token");
    assert_eq!(watch_rv(&calls[2]), ("10", false));
    // The watch ended normally: re-watch from the bookmark's version, no relist.
    assert_eq!(watch_rv(&calls[3]), ("15", false));
    assert_eq!(
        ops,
        [
            "replace [ns/a@3,ns/b@5] rv=10",
            "add ns/c@11",
            "update ns/a@12",
            "delete ns/b@13"
        ]
    );
    assert_eq!(rv, "15");
}

#[tokio::test(start_paused = true)]
async fn gone_on_watch_relists_the_latest_state_in_pages_once() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![obj("ns", "a", "1")], "10", None)))
        .watch(ScriptedWatch::Fail(gone()))
        .list(Ok(page(vec![obj("ns", "b", "30")], "30", None)))
        .watch(ScriptedWatch::Events(vec![], true));
    let paged = ReflectorConfig {
        page_size: Some(500),
        ..list_watch_config()
    };
    let (calls, ops, rv) = run(lw, paged, 4).await;
    assert_eq!(watch_rv(&calls[1]).0, "10");
    // Not `resourceVersion=10&limit=500`: etcd would answer that with a second 410.
    let relist = list_params(&calls[2]);
    assert_eq!(
        (relist.resource_version.as_str(), relist.limit),
        ("", Some(500)),
        "expired: the latest state, paged"
    );
    assert_eq!(watch_rv(&calls[3]).0, "30");
    assert_eq!(ops, ["replace [ns/a@1] rv=10", "replace [ns/b@30] rv=30"]);
    assert_eq!(rv, "30");
}

#[tokio::test(start_paused = true)]
async fn an_expired_continue_token_relists_the_latest_state() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![obj("ns", "a", "1")], "10", Some("c1"))))
        .list(Err(gone()))
        .list(Ok(page(vec![], "20", None)));
    let (calls, ops, _) = run(lw, list_watch_config(), 4).await;
    assert_eq!(list_params(&calls[1]).continue_token.as_deref(), Some("c1"));
    assert_eq!(list_params(&calls[2]).resource_version, "");
    assert_eq!(ops, ["replace [] rv=20"]);
}

#[tokio::test(start_paused = true)]
async fn gone_error_event_mid_watch_relists() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![], "10", None)))
        .watch(ScriptedWatch::Events(
            vec![
                Ok(WatchEvent::Added(obj("ns", "a", "11"))),
                Ok(WatchEvent::Error(ApiError::from_status(
                    "GET",
                    "",
                    Status::failure(410, "Expired", "too old"),
                ))),
            ],
            true,
        ))
        .list(Ok(page(vec![], "20", None)));
    let (calls, ops, _) = run(lw, list_watch_config(), 4).await;
    assert_eq!(
        list_params(&calls[2]).resource_version,
        "",
        "the latest, not 11"
    );
    assert_eq!(watch_rv(&calls[3]).0, "20");
    assert_eq!(ops, ["replace [] rv=10", "add ns/a@11", "replace [] rv=20"]);
}

#[tokio::test(start_paused = true)]
async fn dropped_watch_backs_off_and_resumes_from_the_last_version() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![], "10", None)))
        .watch(ScriptedWatch::Events(
            vec![
                Ok(WatchEvent::Added(obj("ns", "a", "11"))),
                Err(ListWatchError::other("connection reset")),
            ],
            false,
        ))
        .watch(ScriptedWatch::Fail(ListWatchError::TooManyRequests {
            retry_after: Some(Duration::from_secs(20)),
            message: "slow down".into(),
        }));
    let start = Instant::now();
    let (calls, _, _) = run(lw, list_watch_config(), 4).await;
    assert_eq!(calls.len(), 4, "no relist: {calls:?}");
    assert_eq!(watch_rv(&calls[2]).0, "11");
    assert_eq!(watch_rv(&calls[3]).0, "11");
    // One backoff after the drop (≥ 0.8 s), one of at least Retry-After (20 s).
    assert!(
        start.elapsed() >= Duration::from_millis(20_800),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn list_errors_back_off_exponentially() {
    let lw = ScriptedLw::default()
        .list(Err(ListWatchError::other("refused")))
        .list(Err(ListWatchError::other("refused")))
        .list(Err(ListWatchError::other("refused")))
        .list(Ok(page(vec![], "5", None)));
    let start = Instant::now();
    let (calls, ops, _) = run(lw, list_watch_config(), 5).await;
    assert_eq!(ops, ["replace [] rv=5"]);
    assert!(matches!(calls[4], Call::Watch(_)));
    // 0.8 + 1.6 + 3.2 s at least, at most twice that (jitter).
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(5600) && waited <= Duration::from_millis(11_300),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn very_short_empty_watches_do_not_spin() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![], "5", None)))
        .watch(ScriptedWatch::Events(vec![], false))
        .watch(ScriptedWatch::Events(vec![], false));
    let start = Instant::now();
    let (calls, _, _) = run(lw, list_watch_config(), 4).await;
    assert_eq!(calls.len(), 4);
    assert!(start.elapsed() >= Duration::from_millis(800 + 1600));
}

#[tokio::test(start_paused = true)]
async fn watch_list_streams_initial_events_then_keeps_watching() {
    let end = WatchEvent::Bookmark(Bookmark::initial_events_end("20"));
    let lw = ScriptedLw::default().watch(ScriptedWatch::Events(
        vec![
            Ok(WatchEvent::Added(obj("ns", "a", "3"))),
            Ok(WatchEvent::Added(obj("ns", "b", "4"))),
            Ok(WatchEvent::Deleted(obj("ns", "b", "5"))),
            Ok(end),
            Ok(WatchEvent::Added(obj("ns", "c", "21"))),
        ],
        true,
    ));
    let (calls, ops, rv) = run(lw, ReflectorConfig::default(), 1).await;
    assert_eq!(calls.len(), 1);
    let Call::Watch(p) = &calls[0] else { panic!() };
    assert!(p.send_initial_events && p.allow_watch_bookmarks);
    assert_eq!(p.resource_version_match.as_deref(), Some("NotOlderThan"));
    assert_eq!(p.resource_version, "");
    assert_eq!(ops, ["replace [ns/a@3] rv=20", "add ns/c@21"]);
    assert_eq!(rv, "21");
}

#[tokio::test(start_paused = true)]
async fn watch_list_unsupported_falls_back_to_list_and_watch() {
    let lw = ScriptedLw::default()
        .watch(ScriptedWatch::Fail(ListWatchError::WatchListUnsupported {
            message: "sendInitialEvents is forbidden".into(),
        }))
        .list(Ok(page(vec![obj("ns", "a", "1")], "9", None)))
        .watch(ScriptedWatch::Events(vec![], true));
    let (calls, ops, _) = run(lw, ReflectorConfig::default(), 3).await;
    assert!(watch_rv(&calls[0]).1);
    assert_eq!(list_params(&calls[1]).resource_version, "0");
    assert_eq!(watch_rv(&calls[2]), ("9", false));
    assert_eq!(ops, ["replace [ns/a@1] rv=9"]);
}

#[tokio::test(start_paused = true)]
async fn server_ignoring_send_initial_events_is_detected_by_a_plain_bookmark() {
    let lw = ScriptedLw::default()
        .watch(ScriptedWatch::Events(
            vec![
                Ok(WatchEvent::Added(obj("ns", "a", "1"))),
                Ok(bookmark("9")),
            ],
            true,
        ))
        .list(Ok(page(vec![obj("ns", "a", "1")], "9", None)))
        .watch(ScriptedWatch::Events(vec![], true));
    let (calls, ops, _) = run(lw, ReflectorConfig::default(), 3).await;
    assert!(matches!(calls[1], Call::List(_)));
    assert_eq!(watch_rv(&calls[2]), ("9", false));
    assert_eq!(ops, ["replace [ns/a@1] rv=9"]);
}

#[tokio::test(start_paused = true)]
async fn watch_list_interrupted_retries_then_falls_back() {
    let cut = || ScriptedWatch::Events(vec![Ok(WatchEvent::Added(obj("ns", "a", "1")))], false);
    let lw = ScriptedLw::default()
        .watch(cut())
        .watch(cut())
        .watch(cut())
        .list(Ok(page(vec![], "9", None)));
    let (calls, ops, _) = run(lw, ReflectorConfig::default(), 4).await;
    assert!(calls[..3].iter().all(|c| watch_rv(c).1));
    assert!(matches!(calls[3], Call::List(_)));
    assert_eq!(ops, ["replace [] rv=9"]);
}

#[tokio::test(start_paused = true)]
async fn periodic_resync_reaches_the_store() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![], "1", None)))
        .watch(ScriptedWatch::Events(vec![], true));
    let store = Arc::new(RecordingStore::default());
    let config = ReflectorConfig {
        resync_period: Some(Duration::from_secs(30)),
        ..list_watch_config()
    };
    let cancel = CancellationToken::new();
    let task = tokio::spawn(Reflector::new(lw, store.clone(), config).run(cancel.clone()));
    tokio::time::sleep(Duration::from_secs(65)).await;
    cancel.cancel();
    task.await.unwrap();
    let ops = store.ops.lock().unwrap().clone();
    assert_eq!(ops, ["replace [] rv=1", "resync", "resync"]);
}

#[tokio::test(start_paused = true)]
async fn transform_runs_before_storing() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![obj("ns", "a", "1")], "1", None)))
        .watch(ScriptedWatch::Events(vec![], true));
    let store = Arc::new(crate::cache::Store::new());
    let cancel = CancellationToken::new();
    let reflector = Reflector::new(lw, store.clone(), list_watch_config()).with_transform(Some(
        Arc::new(|o: &mut crate::cache::testing::TestObj| o.data = 42),
    ));
    let task = tokio::spawn(reflector.run(cancel.clone()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    cancel.cancel();
    task.await.unwrap();
    assert_eq!(store.get_by_key("ns/a").unwrap().data, 42);
}

#[tokio::test(start_paused = true)]
async fn silent_server_during_initial_events_means_no_watch_list() {
    let lw = ScriptedLw::default()
        .watch(ScriptedWatch::Events(
            vec![Ok(WatchEvent::Added(obj("ns", "a", "1")))],
            true,
        ))
        .list(Ok(page(vec![obj("ns", "a", "1")], "9", None)));
    let start = Instant::now();
    let (calls, ops, _) = run(lw, ReflectorConfig::default(), 2).await;
    assert!(matches!(calls[1], Call::List(_)));
    assert_eq!(ops, ["replace [ns/a@1] rv=9"]);
    assert!(start.elapsed() >= Duration::from_secs(10));
}

#[tokio::test(start_paused = true)]
async fn a_huge_retry_after_is_capped_by_the_backoff_max() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![], "10", None)))
        .watch(ScriptedWatch::Fail(ListWatchError::TooManyRequests {
            retry_after: Some(Duration::from_secs(u64::MAX)),
            message: "come back in a few billion years".into(),
        }))
        .watch(ScriptedWatch::Events(vec![], true));
    let start = Instant::now();
    let (calls, _, _) = run(lw, list_watch_config(), 3).await;
    assert_eq!(calls.len(), 3);
    assert_eq!(watch_rv(&calls[2]).0, "10");
    assert!(
        start.elapsed() <= Duration::from_secs(31),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn watch_list_is_tried_again_at_a_later_relist() {
    let lw = ScriptedLw::default()
        .watch(ScriptedWatch::Fail(ListWatchError::WatchListUnsupported {
            message: "no initial-events-end bookmark after 10s".into(),
        }))
        .list(Ok(page(vec![], "9", None)))
        // Long after the fallback, the watch's version expires: a relist is due.
        .watch(ScriptedWatch::After(
            Duration::from_secs(40 * 60),
            Box::new(ScriptedWatch::Fail(gone())),
        ))
        .watch(ScriptedWatch::Events(vec![], true));
    let (calls, _, _) = run(lw, ReflectorConfig::default(), 4).await;
    assert!(watch_rv(&calls[0]).1);
    assert!(matches!(calls[1], Call::List(_)));
    assert_eq!(watch_rv(&calls[2]), ("9", false));
    assert!(
        watch_rv(&calls[3]).1,
        "WatchList tried again, not switched off for good: {calls:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn watch_list_stays_paused_shortly_after_a_fallback() {
    let lw = ScriptedLw::default()
        .watch(ScriptedWatch::Fail(ListWatchError::WatchListUnsupported {
            message: "sendInitialEvents is forbidden".into(),
        }))
        .list(Ok(page(vec![], "9", None)))
        .watch(ScriptedWatch::Fail(gone()))
        .list(Ok(page(vec![], "12", None)));
    let (calls, _, _) = run(lw, ReflectorConfig::default(), 4).await;
    assert!(matches!(calls[3], Call::List(_)), "{calls:?}");
}

fn undecodable(key: &str, rv: &str) -> ListWatchError {
    ListWatchError::UndecodableObject {
        key: key.into(),
        resource_version: Some(rv.into()),
        source: "invalid type: integer `5`, expected a string".into(),
    }
}

#[tokio::test(start_paused = true)]
async fn an_undecodable_object_is_skipped_and_reported_not_rewatched() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![obj("ns", "a", "1")], "10", None)))
        .watch(ScriptedWatch::Events(
            vec![
                Err(undecodable("ns/a", "11")),
                Ok(WatchEvent::Added(obj("ns", "b", "12"))),
            ],
            false,
        ))
        .watch(ScriptedWatch::Events(vec![], true));
    let store = Arc::new(RecordingStore::default());
    let reflector = Reflector::new(lw, store.clone(), list_watch_config());
    let status = reflector.status();
    let seen: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    status.set_error_handler(move |err| record.lock().unwrap().push(err.to_string()));
    let cancel = CancellationToken::new();
    let task = tokio::spawn(reflector.run(cancel.clone()));
    tokio::time::sleep(Duration::from_secs(60)).await;
    cancel.cancel();
    task.await.unwrap();
    let ops = store.ops.lock().unwrap().clone();
    // a keeps its last good state; b, after the bad event, arrives.
    assert_eq!(ops, ["replace [ns/a@1] rv=10", "add ns/b@12"]);
    assert_eq!(status.skipped_objects(), 1);
    assert_eq!(status.error_count(), 1);
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.len() == 1 && seen[0].contains("ns/a"),
        "handler saw {seen:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_rewatch_after_a_skipped_object_resumes_after_it() {
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![], "10", None)))
        .watch(ScriptedWatch::Events(
            vec![Err(undecodable("ns/a", "11")), Ok(bookmark("11"))],
            false,
        ))
        .watch(ScriptedWatch::Events(vec![], true));
    let (calls, _, rv) = run(lw, list_watch_config(), 3).await;
    assert_eq!(watch_rv(&calls[2]).0, "11", "not from 10 again: {calls:?}");
    assert_eq!(rv, "11");
}

#[tokio::test(start_paused = true)]
async fn list_and_watch_errors_reach_the_error_handler() {
    let lw = ScriptedLw::default()
        .list(Err(ListWatchError::other("connection refused")))
        .list(Ok(page(vec![], "5", None)))
        .watch(ScriptedWatch::Fail(gone()))
        .list(Ok(page(vec![], "6", None)));
    let store = Arc::new(RecordingStore::default());
    let reflector = Reflector::new(lw, store, list_watch_config());
    let status = reflector.status();
    let cancel = CancellationToken::new();
    let task = tokio::spawn(reflector.run(cancel.clone()));
    tokio::time::sleep(Duration::from_secs(60)).await;
    cancel.cancel();
    task.await.unwrap();
    assert_eq!(status.error_count(), 2, "the refused list and the 410");
    assert_eq!(status.skipped_objects(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_relist_keeps_the_last_good_state_of_an_item_that_does_not_decode() {
    use crate::cache::list_watch::SkippedObject;
    use crate::cache::store::Store;
    let mut relisted = page(vec![obj("ns", "b", "5")], "20", None);
    relisted.skipped.push(SkippedObject {
        key: "ns/a".into(),
        resource_version: Some("15".into()),
        reason: "unknown variant `Maybe`".into(),
    });
    let lw = ScriptedLw::default()
        .list(Ok(page(vec![obj("ns", "a", "1")], "10", None)))
        .watch(ScriptedWatch::Fail(gone()))
        .list(Ok(relisted))
        .watch(ScriptedWatch::Events(vec![], true));
    let store: Store<crate::cache::testing::TestObj> = Store::new();
    let reflector = Reflector::new(lw, Arc::new(store.clone()), list_watch_config());
    let status = reflector.status();
    let cancel = CancellationToken::new();
    let task = tokio::spawn(reflector.run(cancel.clone()));
    tokio::time::sleep(Duration::from_secs(60)).await;
    cancel.cancel();
    task.await.unwrap();
    let mut keys: Vec<_> = store
        .list()
        .iter()
        .map(|o| {
            let m = &o.metadata;
            format!(
                "{}@{}",
                m.name.as_deref().unwrap_or_default(),
                m.resource_version.as_deref().unwrap_or_default()
            )
        })
        .collect();
    keys.sort();
    assert_eq!(keys, ["a@1", "b@5"]);
    assert_eq!(status.skipped_objects(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_watch_list_keeps_the_last_good_state_of_an_object_that_does_not_decode() {
    use crate::cache::store::Store;
    let end = |rv: &str| Ok(WatchEvent::Bookmark(Bookmark::initial_events_end(rv)));
    let lw = ScriptedLw::default()
        .watch(ScriptedWatch::Events(
            vec![Ok(WatchEvent::Added(obj("ns", "a", "1"))), end("10")],
            false,
        ))
        .watch(ScriptedWatch::Fail(gone()))
        .watch(ScriptedWatch::Events(
            vec![
                Err(undecodable("ns/a", "15")),
                Ok(WatchEvent::Added(obj("ns", "b", "16"))),
                end("20"),
            ],
            true,
        ));
    let store: Store<crate::cache::testing::TestObj> = Store::new();
    let reflector = Reflector::new(lw, Arc::new(store.clone()), ReflectorConfig::default());
    let status = reflector.status();
    let cancel = CancellationToken::new();
    let task = tokio::spawn(reflector.run(cancel.clone()));
    tokio::time::sleep(Duration::from_secs(60)).await;
    cancel.cancel();
    task.await.unwrap();
    let mut keys: Vec<_> = store
        .list()
        .iter()
        .map(|o| {
            let m = &o.metadata;
            format!(
                "{}@{}",
                m.name.as_deref().unwrap_or_default(),
                m.resource_version.as_deref().unwrap_or_default()
            )
        })
        .collect();
    keys.sort();
    assert_eq!(keys, ["a@1", "b@16"]);
    assert_eq!(status.skipped_objects(), 1);
    assert_eq!(status.last_sync_resource_version(), "20");
}
