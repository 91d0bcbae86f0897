//! Pod container logs that tests set, served by `pods/{name}/log`.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::watch;

/// One log line with the time it was added.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    /// RFC 3339 with nanoseconds, as kubelet prints with `timestamps=true`.
    pub time: jiff::Timestamp,
    /// The text without the newline.
    pub text: String,
}

type Key = (String, String, String);

/// All logs of a server.
#[derive(Default)]
pub(crate) struct PodLogs {
    logs: Mutex<HashMap<Key, Vec<Line>>>,
    changed: Mutex<HashMap<Key, watch::Sender<usize>>>,
}

impl PodLogs {
    fn sender(&self, key: &Key) -> watch::Sender<usize> {
        let mut m = self.changed.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(key.clone())
            .or_insert_with(|| watch::channel(0).0)
            .clone()
    }

    /// Replaces the log of a container.
    pub(crate) fn set(&self, ns: &str, pod: &str, container: &str, text: &str) {
        let key = (ns.to_string(), pod.to_string(), container.to_string());
        let lines = to_lines(text);
        let n = lines.len();
        self.logs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.clone(), lines);
        self.sender(&key).send_replace(n);
    }

    /// Appends to the log of a container (followers see the new lines).
    pub(crate) fn append(&self, ns: &str, pod: &str, container: &str, text: &str) {
        let key = (ns.to_string(), pod.to_string(), container.to_string());
        let n = {
            let mut logs = self.logs.lock().unwrap_or_else(|p| p.into_inner());
            let v = logs.entry(key.clone()).or_default();
            v.extend(to_lines(text));
            v.len()
        };
        self.sender(&key).send_replace(n);
    }

    /// The lines from index `from` on.
    pub(crate) fn lines(&self, ns: &str, pod: &str, container: &str, from: usize) -> Vec<Line> {
        let key = (ns.to_string(), pod.to_string(), container.to_string());
        self.logs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .map(|v| v.get(from..).map(<[Line]>::to_vec).unwrap_or_default())
            .unwrap_or_default()
    }

    /// A receiver notified when the container's log changes.
    pub(crate) fn subscribe(&self, ns: &str, pod: &str, container: &str) -> watch::Receiver<usize> {
        self.sender(&(ns.to_string(), pod.to_string(), container.to_string()))
            .subscribe()
    }
}

fn to_lines(text: &str) -> Vec<Line> {
    let now = jiff::Timestamp::now();
    text.lines()
        .map(|l| Line {
            time: now,
            text: l.to_string(),
        })
        .collect()
}
