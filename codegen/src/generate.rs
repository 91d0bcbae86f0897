//! The whole job: spec directory in, crate directory out, written whole or not at all.

use std::path::{Path, PathBuf};

use crate::emit::{self, CrateSettings, EmitError, Output};
use crate::manifest::{ApiManifest, ManifestError};
use crate::model::{is_runtime_schema, Model, ModelError, ModelOptions, Strictness};
use crate::spec::crd::CrdSet;
use crate::spec::proto::{ProtoError, ProtoSchema};
use crate::spec::{self, RawDocument, Spec, SpecError};

/// Where the OpenAPI v3 documents come from.
#[derive(Clone, Debug, Default)]
pub enum SpecSource {
    /// None: CRDs only.
    #[default]
    None,
    /// A directory of `*.json` / `*.json.gz` documents (a `/openapi/v3` dump).
    Dir(PathBuf),
    /// A Kubernetes version this generator carries (`kubegen_openapi::version("v1.35")`).
    Bundled(&'static kubegen_openapi::Version),
}

impl SpecSource {
    /// A directory; an empty path means none.
    pub fn dir(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        if dir.as_os_str().is_empty() {
            SpecSource::None
        } else {
            SpecSource::Dir(dir)
        }
    }

    /// The documents, parsed.
    fn read(&self) -> Result<Vec<RawDocument>, SpecError> {
        match self {
            SpecSource::None => Ok(Vec::new()),
            SpecSource::Dir(dir) => spec::read_dir(dir),
            SpecSource::Bundled(version) => spec::bundled(version),
        }
    }
}

/// What to generate from where. Shared by the CLI and `build.rs` users.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The OpenAPI documents (besides any CRDs).
    pub spec: SpecSource,
    /// The crate directory to write.
    pub out_dir: PathBuf,
    /// Fail on schemas the generator does not understand, or approximate them with warnings.
    pub strictness: Strictness,
    /// The generated crate's name, version, dependencies and lints.
    pub crate_settings: CrateSettings,
    /// CRD manifests (files or directories) to generate too.
    pub crd_paths: Vec<PathBuf>,
    /// A crate whose types are referred to instead of generated (CRD-only generation maps
    /// `Scale`, `Condition`... onto `kubegen-api` this way).
    pub externals: Option<ApiManifest>,
    /// Whether the output carries a `manifest.json` of its own types.
    pub emit_manifest: bool,
}

impl Settings {
    /// Generates the documents of `spec_dir` (an empty path: none) into `out_dir`.
    pub fn new(spec_dir: impl Into<PathBuf>, out_dir: impl Into<PathBuf>) -> Self {
        Self::from_source(SpecSource::dir(spec_dir), out_dir)
    }

    /// Generates a Kubernetes version this generator carries into `out_dir`.
    pub fn bundled(
        version: &'static kubegen_openapi::Version,
        out_dir: impl Into<PathBuf>,
    ) -> Self {
        Self::from_source(SpecSource::Bundled(version), out_dir)
    }

    fn from_source(spec: SpecSource, out_dir: impl Into<PathBuf>) -> Self {
        Self {
            spec,
            out_dir: out_dir.into(),
            strictness: Strictness::Strict,
            crate_settings: CrateSettings::default(),
            crd_paths: Vec::new(),
            externals: None,
            emit_manifest: true,
        }
    }

    /// CRD-only generation: the CRDs' group-versions, referring to the bundled
    /// `kubegen-api` for every built-in type, lenient about schemas it cannot type.
    pub fn crds(
        crd_paths: Vec<PathBuf>,
        out_dir: impl Into<PathBuf>,
    ) -> Result<Self, GenerateError> {
        Ok(Self {
            crd_paths,
            externals: Some(ApiManifest::bundled()?),
            strictness: Strictness::Lenient,
            ..Self::new(PathBuf::new(), out_dir)
        })
    }

    /// CRD manifests (files or directories) to generate too.
    #[must_use]
    pub fn crd_paths(mut self, paths: Vec<PathBuf>) -> Self {
        self.crd_paths = paths;
        self
    }

    /// The manifest of a crate whose types the generated code uses instead of generating them
    /// (kubegen-api's, for CRDs that embed built-in types).
    #[must_use]
    pub fn externals(mut self, manifest: Option<ApiManifest>) -> Self {
        self.externals = manifest;
        self
    }

    /// Whether to write `manifest.json` (what other crates generated against this one read).
    #[must_use]
    pub fn emit_manifest(mut self, yes: bool) -> Self {
        self.emit_manifest = yes;
        self
    }

    /// Fail on schemas the generator does not understand, or approximate them with warnings.
    #[must_use]
    pub fn strictness(mut self, strictness: Strictness) -> Self {
        self.strictness = strictness;
        self
    }

    /// The generated crate's name, version, dependencies and lints.
    #[must_use]
    pub fn crate_settings(mut self, crate_settings: CrateSettings) -> Self {
        self.crate_settings = crate_settings;
        self
    }
}

/// Why a crate could not be generated: each step's error, or the output's.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The spec or CRDs could not be read.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The schemas do not make a model.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Printing the model failed.
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// A manifest of another generated crate could not be read.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The protobuf schemas could not be read.
    #[error("protobuf schemas: {0}")]
    Proto(#[from] ProtoError),
    /// The output directory holds something kubegen did not generate.
    #[error(
        "refusing to replace {}: it is not a crate kubegen generated (its Cargo.toml does not start with `{}`); remove it or choose another output directory",
        path.display(),
        emit::GENERATED_MARK
    )]
    NotGenerated {
        /// The output directory.
        path: PathBuf,
    },
    /// Writing the output failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The write's error.
        #[source]
        source: std::io::Error,
    },
}

/// Reads the inputs of `settings` into one spec.
pub fn load_spec(settings: &Settings) -> Result<Spec, GenerateError> {
    let crds = if settings.crd_paths.is_empty() {
        CrdSet::default()
    } else {
        CrdSet::load(&settings.crd_paths)?
    };
    let mut raw = settings.spec.read()?;
    raw.extend(spec::crd::documents(&crds.crds));
    let externals = settings.externals.as_ref();
    let known = |name: &str| {
        is_runtime_schema(name) || externals.is_some_and(|m| m.schemas.contains_key(name))
    };
    Ok(Spec::from_raw(raw, &known)?)
}

/// Loads, models and emits, returning the files without writing them.
pub fn render(settings: &Settings) -> Result<(Model, Output), GenerateError> {
    let spec = load_spec(settings)?;
    let options = ModelOptions {
        strictness: settings.strictness,
        externals: settings
            .externals
            .as_ref()
            .map(ApiManifest::externals)
            .unwrap_or_default(),
    };
    let model = Model::build_with(&spec, &options)?;
    let mut crate_settings = settings.crate_settings.clone();
    if let Some(manifest) = &settings.externals {
        add_external_dependency(&mut crate_settings, manifest, &model);
    }
    let proto = match &settings.spec {
        SpecSource::Bundled(version) => ProtoSchema::bundled(version)?,
        SpecSource::None | SpecSource::Dir(_) => None,
    };
    let mut output = emit::emit_with_protobuf(&model, &crate_settings, proto.as_ref())?;
    if settings.emit_manifest {
        let manifest = ApiManifest::from_model(
            &spec,
            &model,
            &crate_settings.crate_name,
            &crate_settings.crate_version,
            &crate_settings.source_description,
        );
        output
            .files
            .insert(PathBuf::from("manifest.json"), manifest.to_json());
    }
    Ok((model, output))
}

/// A crate that refers to another crate's types depends on it, with the features they need.
fn add_external_dependency(settings: &mut CrateSettings, manifest: &ApiManifest, model: &Model) {
    if model.externals().is_empty() {
        return;
    }
    let name = &manifest.crate_name;
    if settings
        .dependencies
        .lines()
        .any(|l| l.starts_with(&format!("{name} ")) || l.starts_with(&format!("{name}.")))
    {
        return;
    }
    let features = manifest.features_for(model.externals().values());
    let features: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
    settings.dependencies.push_str(&format!(
        "{name} = {{ version = {:?}, default-features = false, features = [{}] }}\n",
        manifest.crate_version,
        features.join(", ")
    ));
}

/// Generates the crate into `settings.out_dir`.
pub fn generate(settings: &Settings) -> Result<Output, GenerateError> {
    let (_, output) = render(settings)?;
    write_atomically(&output, &settings.out_dir)?;
    Ok(output)
}

/// Refuses to replace anything but a missing or empty directory or a crate kubegen made: a
/// mistyped `--out` must never delete a user's files.
fn ensure_replaceable(out_dir: &Path) -> Result<(), GenerateError> {
    let not_generated = || GenerateError::NotGenerated {
        path: out_dir.to_path_buf(),
    };
    let mut entries = match std::fs::read_dir(out_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) if out_dir.exists() => return Err(not_generated()),
        Err(source) => {
            return Err(GenerateError::Write {
                path: out_dir.to_path_buf(),
                source,
            })
        }
    };
    if entries.next().is_none() {
        return Ok(());
    }
    let manifest = std::fs::read_to_string(out_dir.join("Cargo.toml")).unwrap_or_default();
    if manifest.starts_with(emit::GENERATED_MARK) {
        Ok(())
    } else {
        Err(not_generated())
    }
}

/// Writes every file into a temporary directory beside `out_dir`, then swaps it in, so a
/// failed run never leaves a half-written crate.
pub fn write_atomically(output: &Output, out_dir: &Path) -> Result<(), GenerateError> {
    ensure_replaceable(out_dir)?;
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| GenerateError::Write { path, source }
    };
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(write_err(&parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".kubegen-staging-")
        .tempdir_in(&parent)
        .map_err(write_err(&parent))?;
    for (rel, contents) in &output.files {
        let path = staging.path().join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(write_err(dir))?;
        }
        std::fs::write(&path, contents).map_err(write_err(&path))?;
    }
    let staged = staging.keep();
    if out_dir.exists() {
        let old = tempfile::Builder::new()
            .prefix(".kubegen-old-")
            .tempdir_in(&parent)
            .map_err(write_err(&parent))?;
        let old_path = old.path().join("previous");
        std::fs::rename(out_dir, &old_path).map_err(write_err(out_dir))?;
        if let Err(source) = std::fs::rename(&staged, out_dir) {
            // Put the previous output back before failing.
            let _ = std::fs::rename(&old_path, out_dir);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(GenerateError::Write {
                path: out_dir.to_path_buf(),
                source,
            });
        }
        drop(old); // removes the previous output
    } else {
        std::fs::rename(&staged, out_dir).map_err(write_err(out_dir))?;
    }
    Ok(())
}
