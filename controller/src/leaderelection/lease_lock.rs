//! Reads and writes the Lease, remembering the last version seen so every write is
//! conditional on it (optimistic concurrency: a concurrent writer makes ours fail with 409).

use kubegen_api::coordination::v1::{Lease, LeaseClient};
use kubegen_runtime::rest::{self, CreateOptions, GetOptions, UpdateOptions};

use super::record::LeaderElectionRecord;

/// Why a lock operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The API server refused or could not be reached.
    #[error(transparent)]
    Api(#[from] rest::Error),
    /// An update needs a version of the Lease read or written before.
    #[error("the lease was not read before updating it")]
    NotRead,
}

impl LockError {
    /// Whether another writer changed the Lease since we last saw it.
    pub fn is_conflict(&self) -> bool {
        matches!(self, LockError::Api(e) if e.is_conflict())
    }
}

/// One Lease, and the version of it last read or written.
pub(crate) struct LeaseLock {
    client: LeaseClient,
    name: String,
    current: Option<Lease>,
}

impl LeaseLock {
    pub(crate) fn new(client: LeaseClient, name: String) -> Self {
        Self {
            client,
            name,
            current: None,
        }
    }

    /// The record on the server; `None` when the Lease does not exist.
    pub(crate) async fn get(&mut self) -> Result<Option<LeaderElectionRecord>, LockError> {
        match self.client.get(&self.name, &GetOptions::default()).await {
            Ok(lease) => {
                let record = LeaderElectionRecord::from_spec(lease.spec.as_ref());
                self.current = Some(lease);
                Ok(Some(record))
            }
            Err(e) if e.is_not_found() => {
                self.current = None;
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Creates the Lease holding `record`.
    pub(crate) async fn create(&mut self, record: &LeaderElectionRecord) -> Result<(), LockError> {
        let mut lease = Lease::default();
        lease.metadata.name = Some(self.name.as_str().into());
        record.apply_to(lease.spec.get_or_insert_with(Default::default));
        let created = self
            .client
            .create(&CreateOptions::default(), &lease)
            .await?;
        self.current = Some(created);
        Ok(())
    }

    /// Replaces the record of the version last seen (409 if the Lease changed since).
    pub(crate) async fn update(&mut self, record: &LeaderElectionRecord) -> Result<(), LockError> {
        let mut lease = self.current.clone().ok_or(LockError::NotRead)?;
        record.apply_to(lease.spec.get_or_insert_with(Default::default));
        let updated = self
            .client
            .update(&UpdateOptions::default(), &lease)
            .await?;
        self.current = Some(updated);
        Ok(())
    }
}
