//! The `generated.proto` files of a Kubernetes version's built-in kinds, parsed with
//! `protox-parse`: each message's fields with their numbers, labels and types — what protobuf
//! codecs need and the OpenAPI documents do not say.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use protox_parse::parse;

/// Why the protobuf schemas could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProtoError {
    /// The bundled files could not be read.
    #[error(transparent)]
    Document(#[from] kubegen_openapi::Error),
    /// A `.proto` file that is not UTF-8.
    #[error("{}: not UTF-8", file.display())]
    NotText {
        /// The file.
        file: PathBuf,
    },
    /// A `.proto` file that does not parse.
    #[error("{}: {message}", file.display())]
    Parse {
        /// The file.
        file: PathBuf,
        /// The parser's message, with the line.
        message: String,
    },
}

/// Every message of a version's `.proto` files, by full name (`k8s.io.api.core.v1.Pod`).
#[derive(Clone, Debug, Default)]
pub struct ProtoSchema {
    messages: BTreeMap<String, ProtoMessage>,
    /// (message, field) pairs Go holds by value with `omitempty`.
    zero_is_unset: BTreeSet<(String, String)>,
}

/// One message of a `.proto` file.
#[derive(Clone, Debug, Default)]
pub struct ProtoMessage {
    /// In declaration order.
    pub fields: Vec<ProtoField>,
}

/// One field of a [`ProtoMessage`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtoField {
    /// The field's name (`containers`).
    pub name: String,
    /// The field number on the wire.
    pub number: u32,
    /// Whether it is `repeated`.
    pub repeated: bool,
    /// Its type.
    pub ty: ProtoType,
}

/// A field's type, names resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtoType {
    /// `string`, `int32`, ... by their .proto name.
    Scalar(String),
    /// A message, by full name.
    Message(String),
    /// `map<string, V>`: the value's type.
    Map(Box<ProtoType>),
}

impl ProtoSchema {
    /// The schemas a bundled version carries; `None` for a version imported without them.
    pub fn bundled(version: &kubegen_openapi::Version) -> Result<Option<ProtoSchema>, ProtoError> {
        let Some(zero_is_unset) = version.zero_is_unset() else {
            return Ok(None);
        };
        let mut schema = ProtoSchema::default();
        for doc in version.proto_files()? {
            let text = std::str::from_utf8(&doc.bytes).map_err(|_| ProtoError::NotText {
                file: doc.path.clone(),
            })?;
            schema
                .add_file(&doc.file, text)
                .map_err(|message| ProtoError::Parse {
                    file: doc.path.clone(),
                    message,
                })?;
        }
        for line in zero_is_unset.lines() {
            let mut words = line.split_whitespace();
            if let Some(message) = words.next() {
                for field in words {
                    schema
                        .zero_is_unset
                        .insert((message.to_owned(), field.to_owned()));
                }
            }
        }
        Ok(Some(schema))
    }

    /// Adds the messages of one `.proto` file.
    fn add_file(&mut self, name: &str, text: &str) -> Result<(), String> {
        let file = parse(name, text).map_err(|e| e.to_string())?;
        let package = file.package().to_owned();
        for message in &file.message_type {
            let full = format!("{package}.{}", message.name());
            // Map fields are declared as repeated fields of a nested `XEntry` type.
            let entries: BTreeMap<&str, &prost_types::DescriptorProto> = message
                .nested_type
                .iter()
                .filter(|n| n.options.as_ref().is_some_and(|o| o.map_entry()))
                .map(|n| (n.name(), n))
                .collect();
            let mut fields = Vec::new();
            for field in &message.field {
                let number = u32::try_from(field.number())
                    .map_err(|_| format!("{full}.{}: negative field number", field.name()))?;
                let repeated =
                    field.label() == prost_types::field_descriptor_proto::Label::Repeated;
                let ty = match entries.get(field.type_name()) {
                    Some(entry) => {
                        let value =
                            entry
                                .field
                                .iter()
                                .find(|f| f.number() == 2)
                                .ok_or_else(|| {
                                    format!("{full}.{}: a map without values", field.name())
                                })?;
                        ProtoType::Map(Box::new(resolve(&package, value)))
                    }
                    None => resolve(&package, field),
                };
                fields.push(ProtoField {
                    name: field.name().to_owned(),
                    number,
                    repeated: repeated && !matches!(ty, ProtoType::Map(_)),
                    ty,
                });
            }
            self.messages.insert(full, ProtoMessage { fields });
        }
        Ok(())
    }

    /// The message called `full_name`.
    pub fn message(&self, full_name: &str) -> Option<&ProtoMessage> {
        self.messages.get(full_name)
    }

    /// Whether Go holds `message.field` by value with `omitempty`: its zero value is on the
    /// wire but not in JSON.
    pub fn zero_is_unset(&self, message: &str, field: &str) -> bool {
        self.zero_is_unset
            .contains(&(message.to_owned(), field.to_owned()))
    }

    /// The message a schema of the OpenAPI documents is generated from:
    /// `io.k8s.api.core.v1.Pod` → `k8s.io.api.core.v1.Pod`,
    /// `io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService` →
    /// `k8s.io.kube_aggregator.pkg.apis.apiregistration.v1.APIService`.
    pub fn message_name(schema: &str) -> Option<String> {
        let rest = schema.strip_prefix("io.k8s.")?;
        Some(format!("k8s.io.{}", rest.replace('-', "_")))
    }
}

/// A field's type: a scalar by name, or a message resolved against the file's package
/// (Kubernetes files name other packages' messages fully, with a leading dot).
fn resolve(package: &str, field: &prost_types::FieldDescriptorProto) -> ProtoType {
    if field.r#type.is_some() && field.type_name.is_none() {
        return ProtoType::Scalar(scalar_name(field.r#type()).to_owned());
    }
    let name = field.type_name();
    match name.strip_prefix('.') {
        Some(full) => ProtoType::Message(full.to_owned()),
        None => ProtoType::Message(format!("{package}.{name}")),
    }
}

fn scalar_name(ty: prost_types::field_descriptor_proto::Type) -> &'static str {
    use prost_types::field_descriptor_proto::Type;
    match ty {
        Type::Double => "double",
        Type::Float => "float",
        Type::Int64 => "int64",
        Type::Uint64 => "uint64",
        Type::Int32 => "int32",
        Type::Fixed64 => "fixed64",
        Type::Fixed32 => "fixed32",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Group => "group",
        Type::Message => "message",
        Type::Bytes => "bytes",
        Type::Uint32 => "uint32",
        Type::Enum => "enum",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_pinned_versions_messages() {
        let schema = ProtoSchema::bundled(kubegen_openapi::pinned())
            .unwrap()
            .unwrap();
        let pod = schema.message("k8s.io.api.core.v1.Pod").unwrap();
        let numbers: Vec<(&str, u32)> = pod
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.number))
            .collect();
        assert_eq!(numbers, [("metadata", 1), ("spec", 2), ("status", 3)]);
        assert_eq!(
            pod.fields[0].ty,
            ProtoType::Message("k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta".into())
        );
        let spec = schema.message("k8s.io.api.core.v1.PodSpec").unwrap();
        let containers = spec.fields.iter().find(|f| f.name == "containers").unwrap();
        assert!(containers.repeated);
        assert_eq!(
            containers.ty,
            ProtoType::Message("k8s.io.api.core.v1.Container".into())
        );
        let selector = spec
            .fields
            .iter()
            .find(|f| f.name == "nodeSelector")
            .unwrap();
        assert_eq!(
            selector.ty,
            ProtoType::Map(Box::new(ProtoType::Scalar("string".into())))
        );
        assert!(!selector.repeated);
        assert!(schema.zero_is_unset("k8s.io.api.core.v1.PodSpec", "nodeName"));
        assert!(!schema.zero_is_unset("k8s.io.api.core.v1.PodSpec", "enableServiceLinks"));
        assert_eq!(
            ProtoSchema::message_name(
                "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON"
            )
            .as_deref(),
            Some("k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSON")
        );
    }
}
