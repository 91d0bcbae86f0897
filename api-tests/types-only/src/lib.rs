//! Behaviour tests of `kubegen-api`'s types without the runtime's `client` and `json` features
//! (no serde_json in `meta`: `RawExtension` and odd managed-field values go through
//! `meta::json_text`, managed fields are decoded member by member). The tests are in `tests/`.
