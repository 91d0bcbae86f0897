//! `core/v1` Events, for servers without `events.k8s.io/v1` (client-go's `tools/record`):
//! the same event with the older field names, a series written as `count` and
//! `lastTimestamp` on the first object instead of an `EventSeries`.

use kubegen_api::core::v1::{Event as CoreEvent, EventSource};
use kubegen_api::events::v1::Event;
use kubegen_runtime::meta::Time;
use kubegen_runtime::rest::{self, Client};

/// Which Events API the writer uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EventsApi {
    /// `events.k8s.io/v1` when the server serves it, `core/v1` otherwise (client-go's
    /// `NewEventBroadcasterAdapter`): asked once, before the first write.
    #[default]
    Discover,
    /// Always `events.k8s.io/v1`.
    EventsV1,
    /// Always `core/v1` (count and lastTimestamp aggregation).
    CoreV1,
}

/// The API actually written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    EventsV1,
    CoreV1,
}

/// Asks the server whether it serves `events.k8s.io/v1`.
pub(crate) async fn discover(client: &Client) -> Result<Api, rest::Error> {
    api_from_discovery(
        client
            .get()
            .abs_path("/apis/events.k8s.io/v1")
            .bytes()
            .await
            .map(drop),
    )
}

/// The API for a discovery answer: the group-version's document, or `404` when the server
/// does not serve it; other failures say nothing and are returned.
pub(crate) fn api_from_discovery(answer: Result<(), rest::Error>) -> Result<Api, rest::Error> {
    match answer {
        Ok(()) => Ok(Api::EventsV1),
        Err(e) if e.is_not_found() => Ok(Api::CoreV1),
        Err(e) => Err(e),
    }
}

/// The `core/v1` form of an event (with its series as count and times).
pub(crate) fn to_core(event: &Event) -> CoreEvent {
    let first: Option<Time> = event.event_time.map(Time::from);
    let last = event
        .series
        .as_ref()
        .and_then(|s| s.last_observed_time)
        .map(Time::from)
        .or(first);
    CoreEvent {
        metadata: event.metadata.clone(),
        involved_object: event.regarding.clone(),
        related: event.related.clone(),
        reason: event.reason.clone(),
        message: event.note.clone(),
        type_: event.type_.clone(),
        action: event.action.clone(),
        count: Some(event.series.as_ref().and_then(|s| s.count).unwrap_or(1)),
        first_timestamp: first,
        last_timestamp: last,
        reporting_component: event.reporting_controller.clone(),
        reporting_instance: event.reporting_instance.clone(),
        source: Some(EventSource {
            component: event.reporting_controller.clone(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The merge patch that records further occurrences (client-go's `EventLogger` patch).
pub(crate) fn series_patch(event: &Event) -> serde_json::Value {
    let core = to_core(event);
    serde_json::json!({
        "count": core.count,
        "lastTimestamp": core.last_timestamp,
        "message": core.message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubegen_api::events::v1::EventSeries;
    use kubegen_runtime::meta::{MicroTime, Status};
    use kubegen_runtime::rest::ApiError;

    #[test]
    fn a_missing_group_selects_core_v1() {
        assert_eq!(api_from_discovery(Ok(())).unwrap(), Api::EventsV1);
        let not_found = ApiError::from_status(
            "GET",
            "/apis/events.k8s.io/v1",
            Status::failure(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ),
        );
        let answer = Err(rest::Error::Api(Box::new(not_found)));
        assert_eq!(api_from_discovery(answer).unwrap(), Api::CoreV1);
        let unavailable = ApiError::from_status(
            "GET",
            "/apis/events.k8s.io/v1",
            Status::failure(503, "ServiceUnavailable", "try later"),
        );
        assert!(api_from_discovery(Err(rest::Error::Api(Box::new(unavailable)))).is_err());
    }

    #[test]
    fn a_series_becomes_count_and_last_timestamp() {
        let event = Event {
            note: Some("scaled".into()),
            event_time: MicroTime::from_unix_seconds(100),
            series: Some(EventSeries {
                count: Some(4),
                last_observed_time: MicroTime::from_unix_seconds(160),
            }),
            ..Default::default()
        };
        let core = to_core(&event);
        assert_eq!(core.count, Some(4));
        assert_eq!(core.first_timestamp, Time::from_unix_seconds(100));
        assert_eq!(core.last_timestamp, Time::from_unix_seconds(160));
        assert_eq!(core.message.as_deref(), Some("scaled"));
        let patch = series_patch(&event);
        assert_eq!(patch["count"], 4);
        assert_eq!(patch["lastTimestamp"], "1970-01-01T00:02:40Z");
    }
}
