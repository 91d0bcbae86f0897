//! `RawExtension`: an embedded object of any kind, kept as JSON.

use serde_core::{Deserialize, Deserializer, Serialize, Serializer};

/// Any embedded object (`runtime.RawExtension`), as a JSON value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawExtension(pub serde_json::Value);

impl Serialize for RawExtension {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawExtension {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer).map(Self)
    }
}
