//! The intermediate model: everything the emitters need, decided once.
//!
//! Names, module paths, which fields are optional or boxed, which group a type lives in,
//! which resources exist with which verbs, which features depend on which: all of it is
//! computed here from a [`Spec`]. Emitters only print. Every collection is
//! ordered (`BTreeMap`, sorted `Vec`s) so the output is deterministic.

mod build;
mod clients;
mod error;
pub(crate) mod externs;
mod fixups;
mod layout;
pub mod naming;
mod resources;
mod types;
mod view;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

pub use clients::{ClientDef, SubClientDef};
pub use error::ModelError;
pub use resources::{OperationDef, ParamDef, ResourceDef, SubresourceDef};

use crate::spec::{Pointer, Spec};

/// Whether a schema is one of the apimachinery types `kubegen_runtime::meta` implements by
/// hand (such schemas may be referenced without being in the spec).
pub fn is_runtime_schema(name: &str) -> bool {
    externs::runtime_type(name).is_some()
}

/// How to treat schema shapes the generator does not understand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strictness {
    /// Fail with an error naming the place: right for the pinned Kubernetes specs, where an
    /// unknown shape means the model must learn something.
    #[default]
    Strict,
    /// Fall back to a JSON value and record a warning: right for user input such as CRDs.
    Lenient,
}

/// A group-version module, e.g. `core::v1` or `apps::v1`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModuleId {
    /// Module name of the group (`core`, `apps`, `rbac`).
    pub group: String,
    /// Version (`v1`, `v1beta1`).
    pub version: String,
}

impl ModuleId {
    /// The cargo feature that enables this module (`core-v1`).
    pub fn feature(&self) -> String {
        format!("{}-{}", self.group, self.version)
    }
}

impl fmt::Display for ModuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.group, self.version)
    }
}

/// A group-version module and what it needs.
#[derive(Clone, Debug)]
pub struct ModuleDef {
    /// `group::version`: the module's path and cargo feature.
    pub id: ModuleId,
    /// The API group (`""` for core, `apps`, `rbac.authorization.k8s.io`).
    pub api_group: String,
    /// Other modules whose types this module's types use.
    pub depends_on: BTreeSet<ModuleId>,
    /// Whether a type here holds arbitrary JSON (`serde_json::Value`): the module's feature
    /// turns on serde_json, which the other types build without.
    pub uses_json: bool,
    /// Ids of the types in this module, sorted by Rust name.
    pub types: Vec<TypeId>,
}

/// A type's identity: the schema's component name, or a synthesized name for inline schemas
/// (`<parent>.<property>`).
pub type TypeId = String;

/// Where in the spec a type came from, for error messages and doc comments.
#[derive(Clone, Debug)]
pub struct Source {
    /// The document.
    pub file: PathBuf,
    /// The schema's place in it.
    pub pointer: Pointer,
}

/// Group, version and kind of a top-level kind.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gvk {
    /// The API group (empty for the core group).
    pub group: String,
    /// The version (`v1`).
    pub version: String,
    /// The kind (`Deployment`).
    pub kind: String,
}

impl Gvk {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// A type to emit.
#[derive(Clone, Debug)]
pub struct TypeDef {
    /// The schema's name.
    pub id: TypeId,
    /// The Rust type's name (`Pod`, `PodSpec`).
    pub rust_name: String,
    /// The module it is emitted in.
    pub module: ModuleId,
    /// The schema's description, emitted as the type's docs.
    pub doc: Option<String>,
    /// What the type is: struct, list, alias, union, enum or one-of.
    pub body: TypeBody,
    /// Set for top-level kinds with exactly one group-version-kind.
    pub gvk: Option<Gvk>,
    /// The REST resource serving this kind, if any: (plural, namespaced).
    pub resource: Option<(String, bool)>,
    /// Where the schema is, for errors and the file header.
    pub source: Source,
}

impl TypeDef {
    /// Whether this kind has standard object metadata (`metadata: ObjectMeta`).
    pub fn has_object_meta(&self) -> bool {
        match &self.body {
            TypeBody::Struct { fields } => fields.iter().any(|f| {
                f.json_name == "metadata" && f.ty == TypeRef::Extern(externs::OBJECT_META.into())
            }),
            _ => false,
        }
    }
}

/// The shape of a [`TypeDef`].
#[derive(Clone, Debug)]
pub enum TypeBody {
    /// An object with declared properties.
    Struct {
        /// Its fields, in the order they are emitted.
        fields: Vec<Field>,
    },
    /// A `*List` kind: an alias of the runtime's generic list.
    List {
        /// The list's item type.
        item: TypeRef,
    },
    /// A schema that is just another type (`apiextensions.v1.JSON` is any JSON value).
    Alias(TypeRef),
    /// An untagged union: the first variant whose shape matches the JSON wins.
    Union {
        /// Its variants, tried in order.
        variants: Vec<Variant>,
    },
    /// A closed set of string values.
    Enum {
        /// The values, in the schema's order.
        values: Vec<EnumValue>,
    },
    /// The mutually exclusive members of a one-of struct (`Volume`'s volume sources), held by
    /// the struct's [`Field::one_of`] field. On the wire each member is a key of the struct's
    /// own object, so this type has no serde impls of its own.
    OneOf {
        /// The members.
        variants: Vec<OneOfVariant>,
    },
}

/// One member of a [`TypeBody::OneOf`].
#[derive(Clone, Debug)]
pub struct OneOfVariant {
    /// The member's key in the parent object (`configMap`).
    pub json_name: String,
    /// The enum variant (`ConfigMap`).
    pub rust_name: String,
    /// The member's description.
    pub doc: Option<String>,
    /// The member's type.
    pub ty: TypeRef,
    /// Stored behind a `Box` (the enum is as large as its largest inline variant).
    pub boxed: bool,
}

/// One variant of a [`TypeBody::Union`].
#[derive(Clone, Debug)]
pub struct Variant {
    /// The variant's name.
    pub name: String,
    /// Its type.
    pub ty: TypeRef,
    /// Stored behind a `Box` (large, or part of a cycle).
    pub boxed: bool,
}

/// The member of a generated string enum holding a value its schema does not list, as Go's
/// string types accept any value: a value added to a CRD later decodes and is written back
/// unchanged instead of failing the whole object.
pub const UNLISTED_VARIANT: &str = "Other";

/// One value of a [`TypeBody::Enum`].
#[derive(Clone, Debug)]
pub struct EnumValue {
    /// The value on the wire.
    pub value: String,
    /// The variant's name.
    pub rust_name: String,
}

/// A property of a [`TypeBody::Struct`].
#[derive(Clone, Debug)]
pub struct Field {
    /// The property's name on the wire.
    pub json_name: String,
    /// The Rust field's name (`type_`, `r#ref` escaped).
    pub rust_name: String,
    /// The property's description.
    pub doc: Option<String>,
    /// The property's type.
    pub ty: TypeRef,
    /// Whether the API requires the field. Required fields are still `Option`s in Rust (see
    /// [`Field::plain`]): only `None` can say "not set" to server-side apply, and only
    /// `Some(0)` can round-trip an explicit zero.
    pub required: bool,
    /// Stored as a plain value instead of an `Option`: only a kind's `metadata`, whose empty
    /// value is never meaningful and is skipped when serializing.
    pub plain: bool,
    /// Stored behind a `Box` (large and optional, or part of a cycle).
    pub boxed: bool,
    /// The server-side default the spec documents; informational, never applied locally.
    pub default: Option<serde_json::Value>,
    /// Holds the object's undeclared fields (`x-kubernetes-preserve-unknown-fields` beside
    /// declared ones): a map flattened into the object, with an empty `json_name`.
    pub flatten: bool,
    /// Holds a one-of group: an `Option` of the [`TypeBody::OneOf`] enum `ty` names, whose
    /// members are keys of this struct's object on the wire (empty `json_name`). A struct
    /// with such a field gets hand-written serde impls.
    pub one_of: bool,
}

/// A field's or variant's type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    /// `boolean`.
    Bool,
    /// `integer` with `format: int32`.
    I32,
    /// `integer` (`int64`, or no format).
    I64,
    /// `number`.
    F64,
    /// `string`.
    String,
    /// `format: byte`: base64 on the wire.
    Bytes,
    /// Any JSON value.
    Json,
    /// A hand-written type in `kubegen_runtime::meta`, by name.
    Extern(String),
    /// A generated type.
    Named(TypeId),
    /// A list of the inner type.
    Array(Box<TypeRef>),
    /// `additionalProperties`: a string-keyed map.
    Map(Box<TypeRef>),
}

/// A warning about something the generator could not model exactly (lenient mode).
#[derive(Clone, Debug)]
pub struct Warning {
    /// Where.
    pub source: Source,
    /// What was approximated, and how.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {}: {}",
            self.source.file.display(),
            self.source.pointer,
            self.message
        )
    }
}

/// Schemas that an already-generated crate (normally `kubegen-api`) provides: CRD-only
/// generation refers to them instead of generating them again.
#[derive(Clone, Debug, Default)]
pub struct Externals {
    /// Schema name → Rust path (`kubegen_api::autoscaling::v1::Scale`) and the hash of the
    /// schema the crate was generated from (see [`crate::manifest::schema_hash`]).
    pub schemas: BTreeMap<String, (String, String)>,
    /// Apimachinery schema name → hash of the copy that `kubegen-runtime`'s hand-written
    /// `meta` types were checked against (the spec the crate was generated from).
    pub runtime_schemas: BTreeMap<String, String>,
    /// What they come from, for skew warnings (`kubegen-api 0.1.0`).
    pub origin: String,
}

/// How to build a model.
#[derive(Clone, Debug, Default)]
pub struct ModelOptions {
    /// Fail on schemas it does not understand, or approximate them with warnings.
    pub strictness: Strictness,
    /// Schemas mapped to types of another crate (kubegen-api's, for CRDs).
    pub externals: Externals,
}

/// The whole model of a spec.
#[derive(Clone, Debug)]
pub struct Model {
    types: BTreeMap<TypeId, TypeDef>,
    modules: BTreeMap<ModuleId, ModuleDef>,
    resources: Vec<ResourceDef>,
    clients: Vec<ClientDef>,
    warnings: Vec<Warning>,
    /// Schema name → Rust path of the schemas taken from another crate and used here.
    externals: BTreeMap<String, String>,
}

impl Model {
    /// Builds the model of a spec, failing on any shape the generator does not understand.
    pub fn from_spec(spec: &Spec) -> Result<Model, ModelError> {
        Self::build(spec, Strictness::Strict)
    }

    /// Builds the model with the given strictness.
    pub fn build(spec: &Spec, strictness: Strictness) -> Result<Model, ModelError> {
        Self::build_with(
            spec,
            &ModelOptions {
                strictness,
                ..ModelOptions::default()
            },
        )
    }

    /// Builds the model with options (strictness, schemas an existing crate provides).
    pub fn build_with(spec: &Spec, options: &ModelOptions) -> Result<Model, ModelError> {
        build::build(spec, options)
    }

    /// Schemas of the spec that another crate provides (schema name → Rust path), e.g.
    /// `io.k8s.api.autoscaling.v1.Scale` → `kubegen_api::autoscaling::v1::Scale`.
    pub fn externals(&self) -> &BTreeMap<String, String> {
        &self.externals
    }

    /// Every type, by id.
    pub fn types(&self) -> &BTreeMap<TypeId, TypeDef> {
        &self.types
    }

    /// The type of `id`.
    pub fn type_def(&self, id: &str) -> Option<&TypeDef> {
        self.types.get(id)
    }

    /// Every module, by id.
    pub fn modules(&self) -> &BTreeMap<ModuleId, ModuleDef> {
        &self.modules
    }

    /// Every REST resource of the spec, sorted by group, version and plural.
    pub fn resources(&self) -> &[ResourceDef] {
        &self.resources
    }

    /// Only the REST resources of a spec (plural, scope, verbs, subresources, operations),
    /// without modelling the types: for servers and tools that need the resource table.
    pub fn resources_of(spec: &Spec) -> Vec<ResourceDef> {
        resources::collect(spec)
    }

    /// The typed clients to emit, sorted by group, version and plural.
    pub fn clients(&self) -> &[ClientDef] {
        &self.clients
    }

    /// What lenient mode replaced by JSON values.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}
