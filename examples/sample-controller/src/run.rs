//! One replica of the controller: campaign for the Lease, and while leading run the
//! informers and the Foo controller; record events throughout.

use std::time::Duration;

use kubegen_api::apps::v1::Deployment;
use kubegen_controller::controller::{controller_owner_key, Controller, ControllerError};
use kubegen_controller::events::{BroadcasterOptions, EventBroadcaster};
use kubegen_controller::leaderelection::{
    ConfigError, LeaderElectionConfig, LeaderElector, RunOutcome,
};
use kubegen_controller::CancellationToken;
use kubegen_runtime::cache::{FactoryOptions, SharedInformerFactory};
use kubegen_runtime::rest::Client;

use crate::controller::FooSync;
use crate::Foo;

/// The name events are reported under.
pub const CONTROLLER_NAME: &str = "sample-controller";

/// What one replica works on and how it campaigns.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The namespace of the Foos (and of the Lease).
    pub namespace: String,
    /// The Lease the replicas share.
    pub lease_name: String,
    /// This replica's identity, unique among the replicas.
    pub identity: String,
    /// How long a leader's Lease holds.
    pub lease_duration: Duration,
    /// How long the leader keeps trying to renew before it stops working.
    pub renew_deadline: Duration,
    /// Time between attempts to take or renew the Lease.
    pub retry_period: Duration,
    /// Foos reconciled at once.
    pub workers: usize,
}

impl Settings {
    /// client-go's usual timings (15 s lease, 10 s renew deadline, 2 s retry), two workers.
    pub fn new(namespace: impl Into<String>, identity: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            lease_name: CONTROLLER_NAME.into(),
            identity: identity.into(),
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
            workers: 2,
        }
    }
}

/// Why a replica stopped other than by being cancelled.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The leader-election timings do not fit together.
    #[error("leader election settings: {0}")]
    Config(#[from] ConfigError),
    /// The controller could not run.
    #[error(transparent)]
    Controller(#[from] ControllerError),
    /// The Lease could not be renewed in time: the work was stopped (client-go's sample
    /// exits then, and a supervisor restarts it).
    #[error("leadership lost")]
    LeadershipLost,
}

/// Runs one replica until `cancel` fires (then hands the Lease over) or leadership is lost.
pub async fn run(
    client: Client,
    settings: Settings,
    cancel: CancellationToken,
) -> Result<(), RunError> {
    let election = LeaderElectionConfig::new(
        settings.namespace.clone(),
        settings.lease_name.clone(),
        settings.identity.clone(),
    )
    .timings(
        settings.lease_duration,
        settings.renew_deadline,
        settings.retry_period,
    );
    let elector = LeaderElector::new(client.clone(), election)?;
    let broadcaster = EventBroadcaster::new(client.clone(), BroadcasterOptions::default());
    broadcaster.start();
    let recorder = broadcaster.new_recorder(CONTROLLER_NAME, settings.identity.clone());

    let outcome = elector
        .run(cancel, |guard| async move {
            tracing::info!(
                identity = guard.identity(),
                "leading: starting the controller"
            );
            let options = FactoryOptions::default().namespace(settings.namespace.clone());
            let factory = SharedInformerFactory::with_options(client.clone(), options);
            let foos = factory.informer::<Foo>();
            let deployments = factory.informer::<Deployment>();
            let controller = Controller::new("foos", &foos)
                .watches(&deployments, |d: &Deployment| {
                    controller_owner_key::<Foo>(d).into_iter().collect()
                })
                .workers(settings.workers);
            let sync = FooSync::new(client, foos.lister(), deployments.lister(), recorder);
            factory.start();
            let result = controller
                .run(guard.token(), move |key| {
                    let sync = sync.clone();
                    async move { sync.sync(key).await }
                })
                .await;
            factory.shutdown().await;
            result
        })
        .await;
    // Writes what is queued, even after a lost lease: the events are true either way.
    broadcaster.shutdown().await;
    match outcome {
        RunOutcome::Finished(result) => Ok(result?),
        RunOutcome::Cancelled => Ok(()),
        RunOutcome::Lost => Err(RunError::LeadershipLost),
    }
}
