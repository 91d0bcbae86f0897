//! The three building blocks over real HTTP: an in-process test server by default, the
//! cluster of `KUBEGEN_E2E_KUBECONFIG` otherwise. Timing bounds are generous and orderings
//! are checked on one process's monotonic clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kubegen_api::coordination::v1::CoordinationV1Client;
use kubegen_api::core::v1::ConfigMap;
use kubegen_api::events::v1::EventsV1Client;
use kubegen_api::Clientset;
use kubegen_controller::controller::{Action, Controller};
use kubegen_controller::events::{
    object_reference, BroadcasterOptions, EventBroadcaster, EventType, EventsApi,
};
use kubegen_controller::leaderelection::{LeaderElectionConfig, LeaderElector, RunOutcome};
use kubegen_controller::CancellationToken;
use kubegen_runtime::cache::{FactoryOptions, SharedInformerFactory};
use kubegen_runtime::rest::{Client, CreateOptions, GetOptions, ListOptions, Patch, PatchOptions};
use kubegen_runtime::workqueue::{ItemExponentialFailureRateLimiter, RateLimitingQueue};
use kubegen_test_support::TestEnv;
use tokio::time::{sleep, Instant};

type Log = Arc<Mutex<Vec<(String, &'static str, Instant)>>>;

const LEASE: Duration = Duration::from_secs(3);
const RENEW: Duration = Duration::from_secs(2);
const RETRY: Duration = Duration::from_millis(300);

fn candidate(client: &Client, ns: &str, id: &str, log: &Log, release: bool) -> Arc<LeaderElector> {
    let (l1, l2) = (log.clone(), log.clone());
    let (i1, i2) = (id.to_string(), id.to_string());
    let config = LeaderElectionConfig::new(ns, "lock", id)
        .timings(LEASE, RENEW, RETRY)
        .release_on_cancel(release)
        .on_started_leading(move || {
            l1.lock()
                .unwrap()
                .push((i1.clone(), "started", Instant::now()))
        })
        .on_stopped_leading(move || {
            l2.lock()
                .unwrap()
                .push((i2.clone(), "stopped", Instant::now()))
        });
    Arc::new(LeaderElector::new(client.clone(), config).unwrap())
}

/// Runs `elector` until `cancel`; the work waits for the guard's loss.
fn spawn_run(
    elector: Arc<LeaderElector>,
    cancel: CancellationToken,
) -> tokio::task::JoinHandle<RunOutcome<()>> {
    tokio::spawn(async move {
        elector
            .run(cancel, |guard| async move { guard.lost().await })
            .await
    })
}

fn events_of(log: &Log, what: &str) -> Vec<(String, Instant)> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|(_, e, _)| *e == what)
        .map(|(id, _, t)| (id.clone(), *t))
        .collect()
}

async fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_leader_is_replaced_by_exactly_one_candidate_after_it_stopped() {
    let env = TestEnv::start("le-kill").await;
    let log: Log = Arc::default();
    let ids = ["a", "b", "c"];
    let mut runs = HashMap::new();
    for id in ids {
        let cancel = CancellationToken::new();
        let e = candidate(&env.client, &env.namespace, id, &log, false);
        runs.insert(id, (cancel.clone(), spawn_run(e, cancel)));
    }
    wait_until("a first leader", Duration::from_secs(20), || {
        !events_of(&log, "started").is_empty()
    })
    .await;
    sleep(RETRY * 3).await;
    let started = events_of(&log, "started");
    assert_eq!(started.len(), 1, "one leader at a time: {started:?}");
    let old = started[0].0.clone();

    // Kill: stop renewing without releasing.
    let killed_at = Instant::now();
    let (cancel, run) = runs.remove(old.as_str()).unwrap();
    cancel.cancel();
    assert_eq!(run.await.unwrap(), RunOutcome::Finished(()));
    let bound = LEASE + RETRY.mul_f64(2.2) + Duration::from_secs(5);
    wait_until("a new leader", bound, || {
        events_of(&log, "started").len() >= 2
    })
    .await;
    sleep(RETRY * 4).await;
    let started = events_of(&log, "started");
    assert_eq!(
        started.len(),
        2,
        "exactly one candidate took over: {started:?}"
    );
    let (new, new_start) = started[1].clone();
    assert_ne!(new, old);
    let old_stop = events_of(&log, "stopped")
        .into_iter()
        .find(|(id, _)| *id == old)
        .expect("the old leader reported its loss")
        .1;
    assert!(
        old_stop < new_start,
        "the old leader stopped before the new one started"
    );
    // Nobody could take over before the lease expired as the candidates saw it.
    assert!(
        new_start.duration_since(killed_at)
            >= LEASE - RETRY.mul_f64(2.2) - Duration::from_millis(100)
    );

    for (_, (cancel, run)) in runs {
        cancel.cancel();
        run.await.unwrap();
    }
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_on_cancel_hands_the_lease_over_at_once() {
    let env = TestEnv::start("le-release").await;
    let log: Log = Arc::default();
    let long = |c: LeaderElectionConfig| {
        c.timings(Duration::from_secs(30), Duration::from_secs(20), RETRY)
    };
    let make = |id: &str| {
        let (l1, i1) = (log.clone(), id.to_string());
        let config = long(LeaderElectionConfig::new(&env.namespace, "lock", id))
            .on_started_leading(move || {
                l1.lock()
                    .unwrap()
                    .push((i1.clone(), "started", Instant::now()))
            });
        Arc::new(LeaderElector::new(env.client.clone(), config).unwrap())
    };
    let (first_cancel, second_cancel) = (CancellationToken::new(), CancellationToken::new());
    let first = spawn_run(make("first"), first_cancel.clone());
    wait_until("first leads", Duration::from_secs(20), || {
        !events_of(&log, "started").is_empty()
    })
    .await;
    let second = spawn_run(make("second"), second_cancel.clone());
    sleep(RETRY * 3).await;
    assert_eq!(events_of(&log, "started").len(), 1);

    let cancelled_at = Instant::now();
    first_cancel.cancel();
    assert_eq!(first.await.unwrap(), RunOutcome::Finished(()));
    let lease = CoordinationV1Client::new(env.client.clone())
        .leases(&env.namespace)
        .get("lock", &GetOptions::default())
        .await
        .unwrap();
    let holder = lease
        .spec
        .and_then(|s| s.holder_identity)
        .unwrap_or_default();
    assert!(
        holder.is_empty() || holder == "second",
        "released: holder {holder:?}"
    );
    // Far sooner than the 30 s lease duration.
    wait_until("second takes over", Duration::from_secs(10), || {
        events_of(&log, "started").len() == 2
    })
    .await;
    assert!(cancelled_at.elapsed() < Duration::from_secs(10));
    second_cancel.cancel();
    second.await.unwrap();
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflicting_write_is_retried_without_losing_leadership() {
    let env = TestEnv::start("le-conflict").await;
    let log: Log = Arc::default();
    let elector = candidate(&env.client, &env.namespace, "solo", &log, true);
    let cancel = CancellationToken::new();
    let run = spawn_run(elector.clone(), cancel.clone());
    wait_until("leads", Duration::from_secs(20), || {
        !events_of(&log, "started").is_empty()
    })
    .await;
    assert_eq!(elector.conflicts(), 0);

    // Another writer changes the Lease: the leader's next write (on the version it last
    // wrote) gets 409, it reads the Lease again and renews.
    let leases = CoordinationV1Client::new(env.client.clone());
    let leases = leases.leases(&env.namespace);
    leases
        .patch(
            "lock",
            &PatchOptions::default(),
            &Patch::Merge(serde_json::json!({"metadata": {"annotations": {"touched": "yes"}}})),
        )
        .await
        .unwrap();
    wait_until("a conflict", Duration::from_secs(10), || {
        elector.conflicts() >= 1
    })
    .await;
    let renewals = elector.renewals();
    wait_until("renewals continue", Duration::from_secs(10), || {
        elector.renewals() > renewals + 1
    })
    .await;
    assert!(
        events_of(&log, "stopped").is_empty(),
        "leadership was not lost"
    );
    let lease = leases.get("lock", &GetOptions::default()).await.unwrap();
    assert_eq!(
        lease.spec.and_then(|s| s.holder_identity).as_deref(),
        Some("solo")
    );
    assert_eq!(
        lease
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("touched"))
            .map(|v| v.as_str()),
        Some("yes"),
        "the other writer's change was kept"
    );
    cancel.cancel();
    run.await.unwrap();
    env.finish().await;
}

async fn config_map(env: &TestEnv, name: &str) -> ConfigMap {
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some(name.into());
    Clientset::new(env.client.clone())
        .core_v1()
        .config_maps(&env.namespace)
        .create(&CreateOptions::default(), &cm)
        .await
        .unwrap()
}

async fn events_by(env: &TestEnv, controller: &str) -> Vec<kubegen_api::events::v1::Event> {
    let list = EventsV1Client::new(env.client.clone())
        .events(&env.namespace)
        .list(&ListOptions::default())
        .await
        .unwrap();
    list.items
        .into_iter()
        .filter(|e| e.reporting_controller.as_deref() == Some(controller))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_events_become_one_object_with_a_series() {
    let env = TestEnv::start("ev-series").await;
    let cm = config_map(&env, "subject").await;
    let regarding = object_reference(&cm);
    let broadcaster = EventBroadcaster::new(env.client.clone(), BroadcasterOptions::default());
    broadcaster.start();
    let recorder = broadcaster.new_recorder("kubegen.dev/series-test", "instance-1");
    for i in 0..5 {
        recorder.eventf(
            &regarding,
            None,
            EventType::Warning,
            "Repeated",
            "Sync",
            format_args!("attempt {i}"),
        );
    }
    recorder.eventf(
        &regarding,
        None,
        EventType::Normal,
        "Other",
        "Sync",
        "different reason",
    );
    broadcaster.shutdown().await;
    assert_eq!(broadcaster.dropped_events(), 0);
    assert_eq!(broadcaster.failed_events(), 0);

    let events = events_by(&env, "kubegen.dev/series-test").await;
    let repeated: Vec<_> = events
        .iter()
        .filter(|e| e.reason.as_deref() == Some("Repeated"))
        .collect();
    assert_eq!(
        repeated.len(),
        1,
        "one object for the repeats: {repeated:?}"
    );
    let series = repeated[0].series.as_ref().expect("a series");
    assert_eq!(series.count, Some(5));
    assert!(series.last_observed_time.is_some());
    assert_eq!(repeated[0].note.as_deref(), Some("attempt 0"));
    assert_eq!(
        repeated[0]
            .regarding
            .as_ref()
            .and_then(|r| r.name.as_deref()),
        Some("subject")
    );
    let other: Vec<_> = events
        .iter()
        .filter(|e| e.reason.as_deref() == Some("Other"))
        .collect();
    assert_eq!(other.len(), 1);
    assert!(other[0].series.is_none());
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_drops_and_counts_without_blocking() {
    let env = TestEnv::start("ev-full").await;
    let cm = config_map(&env, "subject").await;
    let regarding = object_reference(&cm);
    let options = BroadcasterOptions {
        queue_capacity: 3,
        ..BroadcasterOptions::default()
    };
    // Not started yet: nothing drains the queue, so it fills deterministically.
    let broadcaster = EventBroadcaster::new(env.client.clone(), options);
    let recorder = broadcaster.new_recorder("kubegen.dev/full-test", "instance-1");
    let start = Instant::now();
    for i in 0..10 {
        recorder.eventf(
            &regarding,
            None,
            EventType::Normal,
            &format!("Reason{i}"),
            "Sync",
            "x",
        );
    }
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "recording never waits"
    );
    assert_eq!(broadcaster.dropped_events(), 7);
    assert_eq!(recorder.dropped_events(), 7);
    assert_eq!(broadcaster.queued_events(), 3);
    broadcaster.start();
    broadcaster.shutdown().await;
    assert_eq!(broadcaster.written_events(), 3);
    let mut reasons: Vec<_> = events_by(&env, "kubegen.dev/full-test")
        .await
        .into_iter()
        .filter_map(|e| e.reason.map(|r| r.to_string()))
        .collect();
    reasons.sort();
    assert_eq!(reasons, ["Reason0", "Reason1", "Reason2"]);
    env.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_controller_reconciles_changes_retries_errors_and_stops() {
    let env = TestEnv::start("ctrl-loop").await;
    let ns = env.namespace.clone();
    let factory = SharedInformerFactory::with_options(
        env.client.clone(),
        FactoryOptions::default().namespace(ns.clone()),
    );
    let informer = factory.informer::<ConfigMap>();
    let base = Duration::from_millis(200);
    let queue = RateLimitingQueue::new(ItemExponentialFailureRateLimiter::new(
        base,
        Duration::from_secs(10),
    ));
    let controller = Controller::with_queue("test", &informer, queue).workers(2);
    factory.start();

    let calls: Arc<Mutex<HashMap<String, Vec<Instant>>>> = Arc::default();
    let cancel = CancellationToken::new();
    let run = {
        let calls = calls.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            controller
                .run(cancel, move |key: String| {
                    let calls = calls.clone();
                    async move {
                        let n = {
                            let mut calls = calls.lock().unwrap();
                            let v = calls.entry(key.clone()).or_default();
                            v.push(Instant::now());
                            v.len()
                        };
                        if key.ends_with("/flaky") && n <= 2 {
                            return Err(format!("failure {n}"));
                        }
                        if key.ends_with("/poll") && n == 1 {
                            return Ok(Action::requeue_after(Duration::from_millis(300)));
                        }
                        Ok(Action::done())
                    }
                })
                .await
        })
    };
    let count = |name: &str| {
        calls
            .lock()
            .unwrap()
            .get(&format!("{ns}/{name}"))
            .map_or(0, Vec::len)
    };

    config_map(&env, "plain").await;
    wait_until("add reconciled", Duration::from_secs(20), || {
        count("plain") >= 1
    })
    .await;
    Clientset::new(env.client.clone())
        .core_v1()
        .config_maps(&ns)
        .patch(
            "plain",
            &PatchOptions::default(),
            &Patch::Merge(serde_json::json!({"data": {"k": "v"}})),
        )
        .await
        .unwrap();
    wait_until("update reconciled", Duration::from_secs(20), || {
        count("plain") >= 2
    })
    .await;

    config_map(&env, "flaky").await;
    wait_until("retried to success", Duration::from_secs(20), || {
        count("flaky") >= 3
    })
    .await;
    let times = calls.lock().unwrap()[&format!("{ns}/flaky")].clone();
    assert!(
        times[1] - times[0] >= base,
        "first retry after the base backoff"
    );
    assert!(
        times[2] - times[1] >= base * 2,
        "second retry backs off twice as long"
    );

    config_map(&env, "poll").await;
    wait_until("requeued after", Duration::from_secs(20), || {
        count("poll") >= 2
    })
    .await;
    let times = calls.lock().unwrap()[&format!("{ns}/poll")].clone();
    assert!(times[1] - times[0] >= Duration::from_millis(300));
    sleep(Duration::from_millis(600)).await;
    assert_eq!(count("poll"), 2, "done after the requeue");
    assert_eq!(count("flaky"), 3, "success forgets the key");

    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("workers stop")
        .unwrap()
        .unwrap();
    let before: usize = calls.lock().unwrap().values().map(Vec::len).sum();
    config_map(&env, "after-shutdown").await;
    sleep(Duration::from_millis(500)).await;
    let after: usize = calls.lock().unwrap().values().map(Vec::len).sum();
    assert_eq!(before, after, "no reconcile after shutdown");
    factory.shutdown().await;
    env.finish().await;
}

/// Servers without `events.k8s.io/v1` get `core/v1` Events: repeats become the first
/// object's `count` and `lastTimestamp` (forced here; the test server and real servers
/// serve both, and the choice by discovery is unit-tested).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_v1_events_count_repeats() {
    let env = TestEnv::start("ev-core").await;
    let cm = config_map(&env, "subject").await;
    let regarding = object_reference(&cm);
    let options = BroadcasterOptions {
        api: EventsApi::CoreV1,
        ..BroadcasterOptions::default()
    };
    let broadcaster = EventBroadcaster::new(env.client.clone(), options);
    broadcaster.start();
    let recorder = broadcaster.new_recorder("kubegen.dev/core-test", "instance-1");
    for i in 0..4 {
        recorder.eventf(
            &regarding,
            None,
            EventType::Warning,
            "Repeated",
            "Sync",
            format_args!("attempt {i}"),
        );
    }
    broadcaster.shutdown().await;
    assert_eq!(broadcaster.failed_events(), 0);

    let list = Clientset::new(env.client.clone())
        .core_v1()
        .events(&env.namespace)
        .list(&ListOptions::default())
        .await
        .unwrap();
    let ours: Vec<_> = list
        .items
        .iter()
        .filter(|e| e.reporting_component.as_deref() == Some("kubegen.dev/core-test"))
        .collect();
    assert_eq!(ours.len(), 1, "one object for the repeats: {ours:?}");
    let event = ours[0];
    assert_eq!(event.count, Some(4));
    assert_eq!(event.reason.as_deref(), Some("Repeated"));
    assert_eq!(event.type_.as_deref(), Some("Warning"));
    assert!(event.first_timestamp.is_some() && event.last_timestamp >= event.first_timestamp);
    assert_eq!(
        event
            .involved_object
            .as_ref()
            .and_then(|r| r.name.as_deref()),
        Some("subject")
    );
    assert_eq!(
        event.source.as_ref().and_then(|s| s.component.as_deref()),
        Some("kubegen.dev/core-test")
    );
    env.finish().await;
}
