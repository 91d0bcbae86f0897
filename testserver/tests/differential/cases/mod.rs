//! The cases, one module per area.

mod crud;
mod discovery;
mod list;
mod openapi;
mod patch;
mod subresources;
mod watch;

use crate::{cases, Case};

/// Every case, in the order they are reported.
pub(crate) fn all() -> Vec<Case> {
    let mut all = cases![
        crud::create_get,
        crud::empty_map,
        crud::update,
        crud::update_noop,
        crud::delete,
        crud::delete_collection,
        crud::finalizers,
        crud::dry_run,
        crud::invalid_objects,
        crud::unknown_fields,
        crud::unknown_fields_warn,
        crud::deployment_generation,
        crud::pod_defaults,
        crud::service_and_secret_defaults,
        patch::merge_and_json,
        patch::empty_patch,
        patch::strategic_lists,
        patch::apply,
        patch::apply_identical,
        patch::apply_deployment,
        list::paging,
        list::label_selectors,
        list::field_selectors,
        list::all_namespaces,
        list::resource_versions,
        list::other_forms,
        list::table,
        watch::events,
        watch::selector_transitions,
        watch::field_selector_single_object,
        watch::watch_list,
        watch::from_now_and_zero,
        watch::from_old_version,
        watch::metadata_only,
        // No `watch::bookmark_frequency`: when a real server sends bookmarks depends on more
        // than its one-minute timer (a watch's `timeoutSeconds` drawing near, other writes to
        // the resource), so a short transcript cannot be compared; the test server's interval
        // is tested in `testserver/tests/api.rs`.
        subresources::scale,
        subresources::status,
        subresources::binding,
        subresources::eviction,
        subresources::eviction_pdb_and_dry_run,
        subresources::serviceaccount_token,
        openapi::crd_document,
        openapi::crd_defaulting_and_pruning,
        openapi::crd_objects,
        openapi::builtin_document,
    ];
    // `watch::gone` is not run: a real server answers 410 only once its watch cache's window
    // has moved past the version asked for, which depends on how much was written to it before
    // (a fresh server serves version 1 from its cache). The 410 answers are compared through
    // the recorded fixtures 93-95 instead.
    all.extend(cases![
        alone: watch::from_future_version,
        // Alone: other cases' CRDs would show in the group lists.
        discovery::version,
        discovery::legacy,
        discovery::aggregated
    ]);
    all
}
