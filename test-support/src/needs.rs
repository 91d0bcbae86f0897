//! What a test may need beyond a plain API server.

use std::fmt;

/// Something only the in-process test server offers; a test that needs one is skipped (with
/// the reason printed) against a real cluster or a test server reached through a kubeconfig.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Fault injection (dropped watches, 429s, latency): a real server cannot be told to fail.
    Faults,
    /// Forcing history compaction (410 on reconnect): etcd compacts on its own schedule.
    Compaction,
    /// Setting a container's log text: real logs need a running container.
    PodLogs,
    /// Restarting the server: a shared cluster must not be restarted by a test.
    Restart,
    /// Its own server: a particular TLS and authentication setup (wrong tokens, other CAs,
    /// client-certificate identities), or a cluster no other test uses. A real cluster's
    /// credentials are what they are, and it is shared.
    OwnServer,
}

impl Needs {
    /// Why a real cluster cannot provide this.
    pub fn reason(self) -> &'static str {
        match self {
            Needs::Faults => "fault injection",
            Needs::Compaction => "forced history compaction",
            Needs::PodLogs => "injected pod logs",
            Needs::Restart => "a server restart",
            Needs::OwnServer => "its own server (a specific TLS/auth setup, or no other users)",
        }
    }
}

impl fmt::Display for Needs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

/// "needs fault injection, a server restart".
pub(crate) fn describe(needs: &[Needs]) -> String {
    let parts: Vec<&str> = needs.iter().map(|n| n.reason()).collect();
    format!("needs {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_every_need() {
        assert_eq!(
            describe(&[Needs::Faults, Needs::Restart]),
            "needs fault injection, a server restart"
        );
    }
}
