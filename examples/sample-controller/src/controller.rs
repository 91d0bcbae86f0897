//! The reconciliation of one Foo (client-go sample-controller's `syncHandler`).

use kubegen_api::apps::v1::{Deployment, DeploymentSpec};
use kubegen_api::core::v1::{Container, PodSpec, PodTemplateSpec};
use kubegen_api::Clientset as CoreClientset;
use kubegen_controller::controller::Action;
use kubegen_controller::events::{object_reference, EventType, Recorder};
use kubegen_runtime::cache::{split_key, Lister};
use kubegen_runtime::meta::{
    CompactString, Kind, LabelSelector, Object, ObjectMeta, OwnerReference, Shared,
};
use kubegen_runtime::rest::{Client, CreateOptions, UpdateOptions};

use crate::crds::Clientset;
use crate::{Foo, FooStatus};

/// Why a Foo could not be brought to its desired state (retried with backoff).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// A work-queue key that is not `namespace/name`.
    #[error("malformed key {0:?}")]
    BadKey(String),
    /// A Deployment of that name exists and another object controls it.
    #[error("resource {0:?} already exists and is not managed by Foo")]
    NotOwned(String),
    /// A request to the API server failed.
    #[error("{what} {name}: {source}")]
    Api {
        /// What was asked for (`creating deployment`).
        what: &'static str,
        /// The object's name.
        name: String,
        /// The request's error.
        #[source]
        source: kubegen_runtime::rest::Error,
    },
}

/// Reconciles Foos against their Deployments.
#[derive(Clone)]
pub struct FooSync {
    foos: Lister<Foo>,
    deployments: Lister<Deployment>,
    clientset: Clientset,
    core: CoreClientset,
    recorder: Recorder,
}

impl FooSync {
    /// A reconciler reading from the listers and writing through `client`, recording events with `recorder`.
    pub fn new(
        client: Client,
        foos: Lister<Foo>,
        deployments: Lister<Deployment>,
        recorder: Recorder,
    ) -> Self {
        Self {
            foos,
            deployments,
            clientset: Clientset::new(client.clone()),
            core: CoreClientset::new(client),
            recorder,
        }
    }

    /// One pass for the Foo at `key`: create or scale its Deployment, then its status.
    pub async fn sync(&self, key: String) -> Result<Action, SyncError> {
        let (Some(namespace), name) = split_key(&key) else {
            return Err(SyncError::BadKey(key));
        };
        // Deleted: its Deployment goes with it (garbage collection follows the owner
        // reference).
        let Some(subject) = self.foos.store().get_by_key(&key) else {
            return Ok(Action::done());
        };
        let Some(deployment_name) = subject
            .spec
            .as_ref()
            .and_then(|s| s.deployment_name.as_deref())
            .filter(|n| !n.is_empty())
        else {
            tracing::warn!(%key, "deployment name must be specified");
            return Ok(Action::done());
        };
        let deployments = self.core.apps_v1().deployments(namespace);
        let replicas = desired_replicas(&subject);
        let deployment_key = format!("{namespace}/{deployment_name}");
        let deployment = match self.deployments.store().get_by_key(&deployment_key) {
            Some(d) => (*d).clone(),
            None => deployments
                .create(
                    &CreateOptions::default(),
                    &new_deployment(&subject, deployment_name, replicas),
                )
                .await
                .map_err(|source| api("creating deployment", deployment_name, source))?,
        };
        if !is_controlled_by(&deployment, &subject) {
            let e = SyncError::NotOwned(deployment_name.to_owned());
            self.record(
                &subject,
                EventType::Warning,
                "ErrResourceExists",
                &e.to_string(),
            );
            return Err(e);
        }
        let deployment = match deployment.spec.as_ref().and_then(|s| s.replicas) {
            Some(current) if current == replicas => deployment,
            current => {
                tracing::info!(%key, ?current, desired = replicas, "scaling deployment");
                let mut scaled = deployment.clone();
                scaled
                    .spec
                    .get_or_insert_with(DeploymentSpec::default)
                    .replicas = Some(replicas);
                deployments
                    .update(&UpdateOptions::default(), &scaled)
                    .await
                    .map_err(|source| api("updating deployment", deployment_name, source))?
            }
        };
        self.update_status(&subject, &deployment, namespace, name)
            .await?;
        self.record(
            &subject,
            EventType::Normal,
            "Synced",
            "Foo synced successfully",
        );
        Ok(Action::done())
    }

    /// `status.availableReplicas` from the Deployment's status (0 while it has none).
    async fn update_status(
        &self,
        subject: &Foo,
        deployment: &Deployment,
        namespace: &str,
        name: &str,
    ) -> Result<(), SyncError> {
        let available = deployment
            .status
            .as_ref()
            .and_then(|s| s.available_replicas)
            .unwrap_or(0);
        let current = subject.status.as_ref().and_then(|s| s.available_replicas);
        if current == Some(i64::from(available)) {
            return Ok(());
        }
        let mut updated = subject.clone();
        updated.status = Some(FooStatus {
            available_replicas: Some(i64::from(available)),
        });
        self.clientset
            .samplecontroller_v1alpha1()
            .foos(namespace)
            .update_status(&UpdateOptions::default(), &updated)
            .await
            .map_err(|source| api("updating status of foo", name, source))?;
        Ok(())
    }

    fn record(&self, subject: &Foo, kind: EventType, reason: &str, note: &str) {
        self.recorder
            .eventf(&object_reference(subject), None, kind, reason, "Sync", note);
    }
}

fn api(what: &'static str, name: &str, source: kubegen_runtime::rest::Error) -> SyncError {
    SyncError::Api {
        what,
        name: name.to_owned(),
        source,
    }
}

fn desired_replicas(subject: &Foo) -> i32 {
    subject
        .spec
        .as_ref()
        .and_then(|s| s.replicas)
        .and_then(|r| i32::try_from(r).ok())
        .unwrap_or(1)
}

/// Whether `subject` is the controlling owner of `deployment`.
fn is_controlled_by(deployment: &Deployment, subject: &Foo) -> bool {
    deployment
        .metadata
        .owner_references
        .iter()
        .flatten()
        .any(|r| {
            r.controller == Some(true)
                && r.kind == Foo::KIND
                && r.api_version == Foo::API_VERSION
                && Some(r.uid.as_str()) == subject.metadata().uid.as_deref()
        })
}

/// The Deployment of a Foo: nginx pods labelled for it, owned by it.
fn new_deployment(subject: &Foo, name: &str, replicas: i32) -> Deployment {
    let foo_name = subject.metadata.name.clone().unwrap_or_default();
    let labels: [(&str, CompactString); 2] =
        [("app", "nginx".into()), ("controller", foo_name.clone())];
    Deployment {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: subject.metadata.namespace.clone(),
            owner_references: Some(vec![OwnerReference {
                api_version: Foo::API_VERSION.into(),
                kind: Foo::KIND.into(),
                name: foo_name,
                uid: subject.metadata.uid.clone().unwrap_or_default(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(replicas),
            selector: Some(LabelSelector {
                match_labels: Some(labels.clone().into()),
                ..Default::default()
            }),
            template: Some(PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels.into()),
                    ..Default::default()
                }),
                spec: Some(Shared::new(PodSpec {
                    containers: Some(vec![Container {
                        name: Some("nginx".into()),
                        image: Some("nginx:latest".into()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                })),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}
