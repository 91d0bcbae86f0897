//! The election loop: acquire, then renew while the work runs, then stop or release.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use kubegen_api::coordination::v1::CoordinationV1Client;
use kubegen_runtime::meta::MicroTime;
use kubegen_runtime::rest::Client;
use tokio::time::{sleep, sleep_until, timeout, timeout_at, Instant};
use tokio_util::sync::CancellationToken;

use super::config::{ConfigError, LeaderElectionConfig, JITTER};
use super::decision::{decide, leading_until, next_record, released_record, Decision, Observation};
use super::guard::LeadershipGuard;
use super::lease_lock::LeaseLock;
use super::record::LeaderElectionRecord;

/// How [`LeaderElector::run`] ended.
#[derive(Debug, PartialEq, Eq)]
pub enum RunOutcome<T> {
    /// The work returned this value (on its own, or after cancellation asked it to stop).
    Finished(T),
    /// The lease could not be renewed in time or another holder was seen; the work future
    /// was dropped.
    Lost,
    /// Cancelled before this candidate became leader; the work never started.
    Cancelled,
}

#[derive(Debug, Default)]
struct Counters {
    conflicts: AtomicU64,
    renewals: AtomicU64,
}

/// One candidate for one Lease.
#[derive(Debug)]
pub struct LeaderElector {
    config: LeaderElectionConfig,
    client: CoordinationV1Client,
    counters: Arc<Counters>,
}

/// The result of one attempt to acquire or renew.
enum Attempt {
    /// We hold the lease; the successful write was sent no earlier than `sent`.
    Held { sent: Instant },
    /// Another candidate holds a valid lease.
    HeldByOther,
    /// The server could not be read or written; try again.
    Failed,
}

impl LeaderElector {
    /// A candidate using `client`, once `config` is validated.
    pub fn new(client: Client, config: LeaderElectionConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            config,
            client: CoordinationV1Client::new(client),
            counters: Arc::default(),
        })
    }

    /// The settings.
    pub fn config(&self) -> &LeaderElectionConfig {
        &self.config
    }

    /// How many writes failed with 409 Conflict (each was retried after reading the Lease).
    pub fn conflicts(&self) -> u64 {
        self.counters.conflicts.load(Ordering::Relaxed)
    }

    /// How many times this candidate wrote the Lease as its holder (acquisitions and renewals).
    pub fn renewals(&self) -> u64 {
        self.counters.renewals.load(Ordering::Relaxed)
    }

    /// Campaigns until this candidate leads, runs `work` while it does, and returns when the
    /// work returns, leadership is lost, or `cancel` fires before leadership was gained.
    ///
    /// Cancellation while leading cancels the guard's token and keeps renewing until the work
    /// returns; then the lease is released if [`LeaderElectionConfig::release_on_cancel`].
    /// Losing the lease reports it through the guard and drops the work future at once.
    pub async fn run<F, Fut, T>(&self, cancel: CancellationToken, work: F) -> RunOutcome<T>
    where
        F: FnOnce(LeadershipGuard) -> Fut,
        Fut: Future<Output = T>,
    {
        let mut candidate = Candidate::new(self);
        let Some(deadline) = candidate.acquire(&cancel).await else {
            return RunOutcome::Cancelled;
        };
        let token = CancellationToken::new();
        tracing::info!(identity = %self.config.identity, lease = %self.config.name, "started leading");
        if let Some(f) = &self.config.callbacks.on_started_leading {
            f();
        }
        let guard = LeadershipGuard::new(token.clone(), self.config.identity.clone());
        let stop_leading = || {
            if !token.is_cancelled() {
                token.cancel();
                tracing::info!(identity = %self.config.identity, lease = %self.config.name, "stopped leading");
                if let Some(f) = &self.config.callbacks.on_stopped_leading {
                    f();
                }
            }
        };

        let outcome = {
            let mut work = pin!(work(guard));
            let mut renewer = pin!(candidate.keep_renewing(deadline));
            let mut stopping = false;
            loop {
                tokio::select! {
                    out = &mut work => {
                        stop_leading();
                        break RunOutcome::Finished(out);
                    }
                    () = &mut renewer => {
                        // Report the loss before the work is dropped (it still runs until then).
                        stop_leading();
                        break RunOutcome::Lost;
                    }
                    () = cancel.cancelled(), if !stopping => {
                        stopping = true;
                        stop_leading();
                    }
                }
            }
        };
        if matches!(outcome, RunOutcome::Finished(_)) && self.config.release_on_cancel {
            candidate.release().await;
        }
        outcome
    }
}

/// The state of one [`LeaderElector::run`].
struct Candidate<'a> {
    elector: &'a LeaderElector,
    lock: LeaseLock,
    observation: Option<Observation>,
    reported_leader: Option<String>,
}

impl<'a> Candidate<'a> {
    fn new(elector: &'a LeaderElector) -> Self {
        let leases = elector.client.leases(&elector.config.namespace);
        Self {
            elector,
            lock: LeaseLock::new(leases, elector.config.name.clone()),
            observation: None,
            reported_leader: None,
        }
    }

    fn config(&self) -> &LeaderElectionConfig {
        &self.elector.config
    }

    /// Polls until this candidate holds the lease (`Some(deadline)` of its first term) or
    /// `cancel` fires (`None`). An attempt in flight is not interrupted by cancellation: a
    /// write that succeeded unseen would hold the lease for nothing.
    async fn acquire(&mut self, cancel: &CancellationToken) -> Option<Instant> {
        loop {
            if cancel.is_cancelled() {
                return None;
            }
            let attempt = timeout(
                self.config().renew_deadline,
                self.try_acquire_or_renew(false),
            )
            .await;
            if let Ok(Attempt::Held { sent }) = attempt {
                let deadline = leading_until(sent, self.config().renew_deadline);
                // A write slower than the renew deadline holds the lease but leaves no safe
                // time to act; the next attempt renews it.
                if Instant::now() < deadline {
                    return Some(deadline);
                }
            }
            let retry = self.config().retry_period;
            let wait = retry + retry.mul_f64(JITTER * fastrand::f64());
            tokio::select! {
                () = cancel.cancelled() => return None,
                () = sleep(wait) => {}
            }
        }
    }

    /// Renews every retry period; returns when leadership is lost: at the deadline (renew
    /// deadline after the last successful renewal was sent) or on seeing another holder.
    async fn keep_renewing(&mut self, mut deadline: Instant) {
        let retry = self.config().retry_period;
        let renew_deadline = self.config().renew_deadline;
        let mut next_attempt = Instant::now() + retry;
        loop {
            sleep_until(next_attempt.min(deadline)).await;
            if Instant::now() >= deadline {
                tracing::warn!(lease = %self.config().name, "could not renew the lease before the renew deadline");
                return;
            }
            match timeout_at(deadline, self.try_acquire_or_renew(true)).await {
                Ok(Attempt::Held { sent }) => {
                    deadline = deadline.max(leading_until(sent, renew_deadline));
                }
                Ok(Attempt::HeldByOther) => return,
                Ok(Attempt::Failed) => {}
                Err(_elapsed) => {
                    tracing::warn!(lease = %self.config().name, "renewing the lease did not finish before the renew deadline");
                    return;
                }
            }
            next_attempt = Instant::now() + retry;
        }
    }

    /// One round of client-go's `tryAcquireOrRenew`: a leader first updates the version it
    /// last wrote (fast path); otherwise, or on conflict, it reads the Lease, decides, and
    /// writes conditionally on the version read.
    async fn try_acquire_or_renew(&mut self, leading: bool) -> Attempt {
        let sent = Instant::now();
        let identity = self.config().identity.clone();
        let lease_duration = self.config().lease_duration;
        if let Some(obs) = self
            .observation
            .as_ref()
            .filter(|o| leading && o.record.holder_identity == identity)
        {
            let record = next_record(
                &identity,
                &obs.record,
                true,
                lease_duration,
                MicroTime::now(),
            );
            match self.lock.update(&record).await {
                Ok(()) => return self.held(record, sent),
                Err(e) => {
                    self.count_conflict(&e);
                    tracing::debug!(error = %e, "optimistic renewal failed, reading the lease");
                }
            }
        }

        let current = match self.lock.get().await {
            Ok(Some(record)) => record,
            Ok(None) => {
                let mut record = next_record(
                    &identity,
                    &LeaderElectionRecord::default(),
                    false,
                    lease_duration,
                    MicroTime::now(),
                );
                record.leader_transitions = 0;
                return match self.lock.create(&record).await {
                    Ok(()) => self.held(record, sent),
                    Err(e) => {
                        tracing::debug!(error = %e, "creating the lease failed");
                        Attempt::Failed
                    }
                };
            }
            Err(e) => {
                tracing::warn!(error = %e, lease = %self.config().name, "reading the lease failed");
                return Attempt::Failed;
            }
        };
        let observation = Observation::update(self.observation.take(), current, Instant::now());
        self.report_leader(&observation.record.holder_identity);
        let decision = decide(&identity, &observation, Instant::now());
        let old = observation.record.clone();
        self.observation = Some(observation);
        let renewing = match decision {
            Decision::Wait { holder, remaining } => {
                tracing::debug!(%holder, ?remaining, "lease held by another candidate");
                return Attempt::HeldByOther;
            }
            Decision::Acquire => false,
            Decision::Renew => true,
        };
        let record = next_record(&identity, &old, renewing, lease_duration, MicroTime::now());
        match self.lock.update(&record).await {
            Ok(()) => self.held(record, sent),
            Err(e) => {
                self.count_conflict(&e);
                tracing::debug!(error = %e, "writing the lease failed");
                Attempt::Failed
            }
        }
    }

    /// Counts a write that lost to another writer (409), for [`LeaderElector::conflicts`].
    fn count_conflict(&self, e: &super::lease_lock::LockError) {
        if e.is_conflict() {
            self.elector
                .counters
                .conflicts
                .fetch_add(1, Ordering::Relaxed);
        }
    }

    fn held(&mut self, record: LeaderElectionRecord, sent: Instant) -> Attempt {
        self.elector
            .counters
            .renewals
            .fetch_add(1, Ordering::Relaxed);
        self.report_leader(&record.holder_identity);
        self.observation = Some(Observation {
            record,
            observed_at: Instant::now(),
        });
        Attempt::Held { sent }
    }

    /// Calls `on_new_leader` the first time a holder is observed.
    fn report_leader(&mut self, holder: &str) {
        if holder.is_empty() || self.reported_leader.as_deref() == Some(holder) {
            return;
        }
        self.reported_leader = Some(holder.to_string());
        tracing::info!(leader = %holder, lease = %self.config().name, "new leader");
        if let Some(f) = &self.config().callbacks.on_new_leader {
            f(holder);
        }
    }

    /// Gives the lease up if this candidate still holds it (client-go's `release`), within
    /// the renew deadline. A renewal dropped in flight when the work ended may still land
    /// after our read, so a conflict re-reads and tries again rather than leaving the lease
    /// held for its full duration.
    async fn release(&mut self) {
        let identity = self.config().identity.clone();
        let result = timeout(self.config().renew_deadline, async {
            loop {
                let Some(current) = self.lock.get().await? else {
                    return Ok(false);
                };
                if current.holder_identity != identity {
                    return Ok(false);
                }
                match self
                    .lock
                    .update(&released_record(&current, MicroTime::now()))
                    .await
                {
                    Ok(()) => return Ok(true),
                    Err(e) if e.is_conflict() => {
                        self.count_conflict(&e);
                        tracing::debug!("the lease changed while releasing it, reading it again");
                    }
                    Err(e) => return Err(e),
                }
            }
        })
        .await;
        match result {
            Ok(Ok(true)) => tracing::info!(lease = %self.config().name, "released the lease"),
            Ok(Ok(false)) => {}
            Ok(Err::<_, super::lease_lock::LockError>(e)) => {
                tracing::warn!(error = %e, "releasing the lease failed")
            }
            Err(_) => tracing::warn!("releasing the lease timed out"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn run_is_send_so_it_can_be_spawned() {
        let config = kubegen_runtime::config::Config::new("http://127.0.0.1:1".parse().unwrap());
        let client = Client::new(config).unwrap();
        let elector =
            LeaderElector::new(client, LeaderElectionConfig::new("ns", "l", "me")).unwrap();
        let fut = elector.run(CancellationToken::new(), |_guard| async {});
        assert_send(&fut);
    }
}
