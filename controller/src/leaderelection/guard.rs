//! What the work of a leader holds: a view of whether it still leads.

use tokio_util::sync::CancellationToken;

/// Handed to the leader's work; tells it when leadership ends.
///
/// Leadership ends when the lease could not be renewed in time (the work future is then
/// dropped right after the guard reports it), or when the elector was cancelled (the work is
/// then expected to wind down and return; the lease is kept renewed until it does). Work
/// that spawned tasks must stop them on [`LeadershipGuard::lost`]: dropping a future does not
/// stop tasks it spawned.
#[derive(Clone, Debug)]
pub struct LeadershipGuard {
    token: CancellationToken,
    identity: String,
}

impl LeadershipGuard {
    pub(crate) fn new(token: CancellationToken, identity: String) -> Self {
        Self { token, identity }
    }

    /// Whether this candidate still leads (and is not asked to stop).
    pub fn is_leading(&self) -> bool {
        !self.token.is_cancelled()
    }

    /// Completes once leadership is lost or stopping was requested.
    pub async fn lost(&self) {
        self.token.cancelled().await;
    }

    /// A token cancelled when leadership ends, to hand to a [`crate::controller::Controller`]
    /// or spawned tasks (a child token: cancelling it does not end leadership).
    pub fn token(&self) -> CancellationToken {
        self.token.child_token()
    }

    /// This candidate's identity.
    pub fn identity(&self) -> &str {
        &self.identity
    }
}
