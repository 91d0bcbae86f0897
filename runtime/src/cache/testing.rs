//! Test helpers shared by the cache's unit tests: a tiny object kind.

use crate::meta::{Kind, Map, Object, ObjectMeta, Resource, Scope};

/// A minimal namespaced kind for tests.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct TestObj {
    pub metadata: ObjectMeta,
    pub data: u64,
}

impl Kind for TestObj {
    const GROUP: &'static str = "test.kubegen.io";
    const VERSION: &'static str = "v1";
    const KIND: &'static str = "TestObj";
    const API_VERSION: &'static str = "test.kubegen.io/v1";
}

impl Resource for TestObj {
    const PLURAL: &'static str = "testobjs";
    const SCOPE: Scope = Scope::Namespaced;
    const LIST_KIND: &'static str = "TestObjList";
}

impl Object for TestObj {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

/// An object `ns/name` at resource version `rv` (empty `ns`: cluster-scoped key).
pub(crate) fn obj(ns: &str, name: &str, rv: &str) -> TestObj {
    TestObj {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: (!ns.is_empty()).then(|| ns.into()),
            resource_version: Some(rv.into()),
            ..ObjectMeta::default()
        },
        data: 0,
    }
}

impl TestObj {
    pub(crate) fn with_label(mut self, key: &str, value: &str) -> Self {
        self.metadata
            .labels
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }
}

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use futures_util::stream::{self, StreamExt};

use super::list_watch::{
    ListPage, ListRequest, ListWatchError, ListWatchStream, ListerWatcher, WatchRequest,
};
use super::reflector::ReflectorStore;
use super::store::object_key;
use crate::rest::WatchEvent;

/// A scripted watch response.
pub(crate) enum ScriptedWatch {
    /// Opening the watch fails.
    Fail(ListWatchError),
    /// The stream yields these, then ends (or hangs when `hang` is set).
    Events(Vec<Result<WatchEvent<TestObj>, ListWatchError>>, bool),
    /// Answers as the inner script after a while.
    After(std::time::Duration, Box<ScriptedWatch>),
}

/// One call the reflector made.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Call {
    List(ListRequest),
    Watch(WatchRequest),
}

/// A ListerWatcher answering from scripts; once a script runs out its calls hang forever.
#[derive(Default)]
pub(crate) struct ScriptedLw {
    pub lists: Mutex<VecDeque<Result<ListPage<TestObj>, ListWatchError>>>,
    pub watches: Mutex<VecDeque<ScriptedWatch>>,
    pub calls: Arc<Mutex<Vec<Call>>>,
}

impl ScriptedLw {
    pub(crate) fn list(self, page: Result<ListPage<TestObj>, ListWatchError>) -> Self {
        self.lists.lock().unwrap().push_back(page);
        self
    }

    pub(crate) fn watch(self, watch: ScriptedWatch) -> Self {
        self.watches.lock().unwrap().push_back(watch);
        self
    }
}

/// A list page.
pub(crate) fn page(items: Vec<TestObj>, rv: &str, next: Option<&str>) -> ListPage<TestObj> {
    ListPage {
        items,
        resource_version: rv.to_string(),
        continue_token: next.map(str::to_string),
        skipped: Vec::new(),
    }
}

impl ListerWatcher<TestObj> for ScriptedLw {
    async fn list(&self, request: &ListRequest) -> Result<ListPage<TestObj>, ListWatchError> {
        self.calls.lock().unwrap().push(Call::List(request.clone()));
        let next = self.lists.lock().unwrap().pop_front();
        match next {
            Some(result) => result,
            None => std::future::pending().await,
        }
    }

    async fn watch(
        &self,
        request: &WatchRequest,
    ) -> Result<ListWatchStream<TestObj>, ListWatchError> {
        self.calls
            .lock()
            .unwrap()
            .push(Call::Watch(request.clone()));
        let mut next = self.watches.lock().unwrap().pop_front();
        while let Some(ScriptedWatch::After(wait, then)) = next {
            tokio::time::sleep(wait).await;
            next = Some(*then);
        }
        match next {
            Some(ScriptedWatch::After(..)) => unreachable!("unwrapped above"),
            Some(ScriptedWatch::Fail(err)) => Err(err),
            Some(ScriptedWatch::Events(events, hang)) => {
                let s = stream::iter(events);
                if hang {
                    Ok(s.chain(stream::pending()).boxed())
                } else {
                    Ok(s.boxed())
                }
            }
            None => std::future::pending().await,
        }
    }
}

/// A ReflectorStore that records what it was told, as short strings.
#[derive(Default)]
pub(crate) struct RecordingStore {
    pub ops: Mutex<Vec<String>>,
}

fn describe(o: &TestObj) -> String {
    format!(
        "{}@{}",
        object_key(o),
        o.metadata.resource_version.as_deref().unwrap_or("")
    )
}

impl ReflectorStore<TestObj> for RecordingStore {
    fn add(&self, obj: Arc<TestObj>) {
        self.ops
            .lock()
            .unwrap()
            .push(format!("add {}", describe(&obj)));
    }
    fn update(&self, obj: Arc<TestObj>) {
        self.ops
            .lock()
            .unwrap()
            .push(format!("update {}", describe(&obj)));
    }
    fn delete(&self, obj: Arc<TestObj>) {
        self.ops
            .lock()
            .unwrap()
            .push(format!("delete {}", describe(&obj)));
    }
    fn replace(&self, objects: Vec<Arc<TestObj>>, rv: &str) {
        let mut names: Vec<String> = objects.iter().map(|o| describe(o)).collect();
        names.sort();
        self.ops
            .lock()
            .unwrap()
            .push(format!("replace [{}] rv={rv}", names.join(",")));
    }
    fn resync(&self) {
        self.ops.lock().unwrap().push("resync".into());
    }
}
