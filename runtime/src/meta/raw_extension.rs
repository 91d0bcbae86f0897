//! `RawExtension`: an embedded object of any kind, kept as JSON.

use serde::{Deserialize, Serialize};

/// Any embedded object (`runtime.RawExtension`), as a JSON value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawExtension(pub serde_json::Value);
