//! Property: whatever the server does (changes, dropped watches, compactions forcing 410 and
//! relists, 429s and errors), the informer's store ends equal to the server's state and every
//! handler — added before start or while running — saw a final event for every object, in a
//! consistent order (add before update/delete, add again only after delete).

use std::collections::BTreeMap;
use std::time::Duration;

use proptest::prelude::*;

use super::fake_server::FakeServer;
use super::shared_informer::tests::{eventually, store_state, Recorder, Seen};
use super::{InformerOptions, ListWatchError, ReflectorConfig, SharedIndexInformer};

#[derive(Debug, Clone)]
enum Op {
    Apply { ns: u8, name: u8, data: u64 },
    Delete { ns: u8, name: u8 },
    DropWatches,
    ExpireWatches,
    Compact,
    TooManyRequests,
    FailNext,
    Bookmark,
    Sleep(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..2u8, 0..6u8, 0..1000u64).prop_map(|(ns, name, data)| Op::Apply { ns, name, data }),
        3 => (0..2u8, 0..6u8).prop_map(|(ns, name)| Op::Delete { ns, name }),
        1 => Just(Op::DropWatches),
        1 => Just(Op::ExpireWatches),
        1 => Just(Op::Compact),
        1 => Just(Op::TooManyRequests),
        1 => Just(Op::FailNext),
        1 => Just(Op::Bookmark),
        2 => (0..3000u64).prop_map(Op::Sleep),
    ]
}

/// Checks that a handler's events per key follow absent → add → (update)* → delete → absent.
fn check_order(rec: &Recorder) -> Result<(), String> {
    for (key, events) in rec.events.lock().unwrap().iter() {
        let mut present = false;
        for event in events {
            let ok = match event {
                Seen::Add { .. } => !present,
                Seen::Update { .. } | Seen::Delete { .. } => present,
            };
            if !ok {
                return Err(format!("{key}: inconsistent event order {events:?}"));
            }
            present = !matches!(event, Seen::Delete { .. });
        }
    }
    Ok(())
}

fn name(ns: u8, name: u8) -> (String, String) {
    (format!("ns{ns}"), format!("o{name}"))
}

async fn run_case(
    ops: Vec<Op>,
    watch_list_server: bool,
    use_watch_list: bool,
    page: u32,
    late_at: usize,
) -> Result<(), String> {
    let server = if watch_list_server {
        FakeServer::with_watch_list()
    } else {
        FakeServer::default()
    };
    // Some state before the informer starts.
    for (i, op) in ops.iter().take(3).enumerate() {
        if let Op::Apply { ns, name: n, data } = op {
            let (ns, n) = name(*ns, *n);
            server.apply(&ns, &n, *data + i as u64);
        }
    }
    let informer = SharedIndexInformer::new(
        server.clone(),
        InformerOptions {
            reflector: ReflectorConfig {
                use_watch_list,
                page_size: Some(page),
                ..ReflectorConfig::default()
            },
            transform: None,
        },
    );
    let early = Recorder::default();
    informer.add_event_handler(early.clone());
    let late = Recorder::default();
    let task = informer.start();
    for (i, op) in ops.into_iter().enumerate() {
        if i == late_at {
            informer.add_event_handler(late.clone());
        }
        match op {
            Op::Apply { ns, name: n, data } => {
                let (ns, n) = name(ns, n);
                server.apply(&ns, &n, data);
            }
            Op::Delete { ns, name: n } => {
                let (ns, n) = name(ns, n);
                server.delete(&ns, &n);
            }
            Op::DropWatches => server.drop_watches(),
            Op::ExpireWatches => server.expire_watches(),
            Op::Compact => server.compact(),
            Op::TooManyRequests => server.fail_next(ListWatchError::TooManyRequests {
                retry_after: Some(Duration::from_secs(1)),
                message: "throttled".into(),
            }),
            Op::FailNext => server.fail_next(ListWatchError::other("connection refused")),
            Op::Bookmark => server.bookmark(),
            Op::Sleep(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
        }
        tokio::task::yield_now().await;
    }
    // A handler added at the very end still has to catch up.
    let latest = Recorder::default();
    informer.add_event_handler(latest.clone());
    let want: BTreeMap<String, (String, u64)> = server.snapshot();
    let converged = eventually(600, || {
        store_state(&informer) == want
            && early.final_state() == want
            && latest.final_state() == want
            && (late.events.lock().unwrap().is_empty() || late.final_state() == want)
    })
    .await;
    let result = if converged {
        check_order(&early)
            .and(check_order(&late))
            .and(check_order(&latest))
    } else {
        Err(format!(
            "did not converge:\nserver {want:?}\nstore  {:?}\nearly  {:?}\nlatest {:?}",
            store_state(&informer),
            early.final_state(),
            latest.final_state()
        ))
    };
    informer.shutdown();
    let _ = task.await;
    result
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn store_and_handlers_converge_to_the_server_state(
        ops in prop::collection::vec(op(), 1..60),
        watch_list_server in any::<bool>(),
        use_watch_list in any::<bool>(),
        page in 1..4u32,
        late_at in 0..60usize,
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let outcome = runtime.block_on(run_case(ops, watch_list_server, use_watch_list, page, late_at));
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }
}
