//! A miniature controller through the public API only: informer → handler → rate-limited
//! work queue → workers reading the lister, against an in-memory lister-watcher.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use kubegen_runtime::cache::{
    object_key, EventHandlerFns, ListPage, ListRequest, ListWatchError, ListWatchOptions,
    ListWatchStream, ListerWatcher, ListerWatcherFor, SharedInformerFactory, WatchRequest,
};
use kubegen_runtime::meta::labels::Selector;
use kubegen_runtime::meta::{Kind, Object, ObjectMeta, Resource, Scope};
use kubegen_runtime::rest::WatchEvent;
use kubegen_runtime::workqueue::RateLimitingQueue;
use tokio::sync::mpsc;

#[derive(Clone, Debug, Default)]
struct Widget {
    metadata: ObjectMeta,
}

impl Kind for Widget {
    const GROUP: &'static str = "example.com";
    const VERSION: &'static str = "v1";
    const KIND: &'static str = "Widget";
    const API_VERSION: &'static str = "example.com/v1";
}

impl Resource for Widget {
    const PLURAL: &'static str = "widgets";
    const SCOPE: Scope = Scope::Namespaced;
    const LIST_KIND: &'static str = "WidgetList";
}

impl Object for Widget {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

fn widget(name: &str, rv: u32, app: &str) -> Widget {
    Widget {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("default".into()),
            resource_version: Some(rv.to_string().into()),
            labels: Some([("app", app.into())].into()),
            ..ObjectMeta::default()
        },
    }
}

/// Lists a fixed set, then streams whatever the test sends.
#[derive(Clone)]
struct Source {
    initial: Vec<Widget>,
    events: Arc<Mutex<Option<mpsc::UnboundedReceiver<WatchEvent<Widget>>>>>,
}

impl ListerWatcher<Widget> for Source {
    async fn list(&self, _request: &ListRequest) -> Result<ListPage<Widget>, ListWatchError> {
        Ok(ListPage {
            items: self.initial.clone(),
            resource_version: "10".into(),
            continue_token: None,
            skipped: Vec::new(),
        })
    }

    async fn watch(
        &self,
        request: &WatchRequest,
    ) -> Result<ListWatchStream<Widget>, ListWatchError> {
        if request.send_initial_events {
            return Err(ListWatchError::WatchListUnsupported {
                message: "this source only lists".into(),
            });
        }
        let rx = self.events.lock().unwrap().take();
        match rx {
            Some(rx) => Ok(futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|e| (Ok(e), rx))
            })
            .boxed()),
            None => Ok(futures_util::stream::pending().boxed()),
        }
    }
}

impl ListerWatcherFor<Widget> for Source {
    type ListerWatcher = Source;
    fn lister_watcher(&self, _options: &ListWatchOptions) -> Source {
        self.clone()
    }
}

#[tokio::test(start_paused = true)]
async fn controller_reconciles_every_key_with_retries() {
    let (tx, rx) = mpsc::unbounded_channel();
    let source = Source {
        initial: vec![widget("a", 1, "web"), widget("b", 2, "db")],
        events: Arc::new(Mutex::new(Some(rx))),
    };
    let factory = SharedInformerFactory::new(source);
    let informer = factory.informer::<Widget>();
    let queue: RateLimitingQueue<String> = RateLimitingQueue::with_default_rate_limiter();
    {
        let (q1, q2, q3) = (queue.clone(), queue.clone(), queue.clone());
        informer.add_event_handler(
            EventHandlerFns::new()
                .on_add(move |o: &Arc<Widget>, _| q1.add(object_key(&**o)))
                .on_update(move |_, o| q2.add(object_key(&**o)))
                .on_delete(move |d| q3.add(object_key(&**d.object()))),
        );
    }
    factory.start();
    assert!(factory.wait_for_cache_sync().await);

    let lister = informer.lister();
    let reconciled: Arc<Mutex<HashMap<String, Option<String>>>> = Arc::default();
    let worker = {
        let (queue, reconciled) = (queue.clone(), reconciled.clone());
        tokio::spawn(async move {
            while let Some(key) = queue.get().await {
                let (_, name) = kubegen_runtime::cache::split_key(&key);
                let current = lister.namespace("default").get(name);
                // Fail each key's first attempt to exercise the retry path.
                if queue.num_requeues(&key) == 0 {
                    queue.add_rate_limited(key.clone());
                } else {
                    queue.forget(&key);
                    reconciled.lock().unwrap().insert(
                        key.clone(),
                        current.and_then(|w| {
                            w.metadata.resource_version.as_deref().map(str::to_owned)
                        }),
                    );
                }
                queue.done(&key);
            }
        })
    };

    tx.send(WatchEvent::Modified(widget("a", 11, "web")))
        .unwrap();
    tx.send(WatchEvent::Added(widget("c", 12, "web"))).unwrap();
    tx.send(WatchEvent::Deleted(widget("b", 13, "db"))).unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;

    let web = Selector::parse("app=web").unwrap();
    assert_eq!(informer.lister().list(&web).len(), 2);
    let got = reconciled.lock().unwrap().clone();
    assert_eq!(got.get("default/a"), Some(&Some("11".to_string())));
    assert_eq!(got.get("default/c"), Some(&Some("12".to_string())));
    assert_eq!(
        got.get("default/b"),
        Some(&None),
        "deleted: gone from the lister"
    );
    assert_eq!(informer.last_sync_resource_version(), "13");

    queue.shut_down_with_drain().await;
    worker.await.unwrap();
    factory.shutdown().await;
}
