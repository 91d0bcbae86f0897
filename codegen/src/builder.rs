//! Generation from `build.rs`: CRD manifests (or fetched OpenAPI documents) committed beside
//! the crate become one Rust file in `OUT_DIR`, included with
//! `include!(concat!(env!("OUT_DIR"), "/crds.rs"))`.
//!
//! Builds stay offline and reproducible: the builder reads only files, tells cargo about
//! every one of them (`cargo:rerun-if-changed`) and about the environment variables it reads
//! (`cargo:rerun-if-env-changed`). Refreshing a snapshot from a live cluster is an explicit CLI
//! step, never a side effect of `cargo build`.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), kubegen::BuildError> {
//!     kubegen::Builder::new().crd_files("crds/").write_to_out_dir("crds.rs")?;
//!     Ok(())
//! }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use crate::emit::{self, CrateSettings};
use crate::generate::{render, GenerateError, Settings};
use crate::manifest::ApiManifest;
use crate::model::Strictness;
use crate::spec::crd::CrdSet;

/// Environment variable naming a `manifest.json` to use instead of the bundled `kubegen-api`
/// one (for a `kubegen-api` generated from another Kubernetes version).
pub const API_MANIFEST_ENV: &str = "KUBEGEN_API_MANIFEST";

/// Builds the types and clients of CRDs (and fetched documents) for `build.rs`.
#[derive(Clone, Debug, Default)]
pub struct Builder {
    crd_paths: Vec<PathBuf>,
    spec_dir: Option<PathBuf>,
    api_manifest: Option<PathBuf>,
    strict: bool,
    quiet: bool,
}

/// A build-script error: readable as is, since `main` returning it prints its `Debug`.
pub struct BuildError(Box<GenerateError>);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "kubegen: {}", self.0)?;
        let mut source = std::error::Error::source(&*self.0);
        while let Some(s) = source {
            write!(f, "\n  caused by: {s}")?;
            source = s.source();
        }
        Ok(())
    }
}

impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

impl<E: Into<GenerateError>> From<E> for BuildError {
    fn from(e: E) -> Self {
        BuildError(Box::new(e.into()))
    }
}

impl Builder {
    /// A builder generating from nothing yet: add CRDs or a spec.
    pub fn new() -> Self {
        Self::default()
    }

    /// A CRD manifest file, or a directory of them (`*.yaml`, `*.yml`, `*.json`); relative
    /// paths are relative to the crate (`CARGO_MANIFEST_DIR`). May be called several times.
    #[must_use]
    pub fn crd_files(mut self, path: impl AsRef<Path>) -> Self {
        self.crd_paths.push(path.as_ref().to_path_buf());
        self
    }

    /// A directory of OpenAPI v3 documents to generate too: a `kubegen fetch` output (the
    /// folder holding `v3/` and `fetch-lock.json`) or the `v3/` folder itself. Built-in
    /// schemas in it still map onto `kubegen-api`.
    #[must_use]
    pub fn spec_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.spec_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The `manifest.json` of the crate that provides built-in types (default: the
    /// `kubegen-api` released with this generator, or `$KUBEGEN_API_MANIFEST`).
    #[must_use]
    pub fn api_manifest(mut self, path: impl AsRef<Path>) -> Self {
        self.api_manifest = Some(path.as_ref().to_path_buf());
        self
    }

    /// Fail on schemas that cannot be typed instead of using JSON values with a warning.
    #[must_use]
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Print no `cargo:` lines (for use outside build scripts, e.g. tests).
    #[must_use]
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    fn resolve(&self, path: &Path) -> PathBuf {
        match std::env::var_os("CARGO_MANIFEST_DIR") {
            Some(dir) if path.is_relative() => PathBuf::from(dir).join(path),
            _ => path.to_path_buf(),
        }
    }

    fn cargo(&self, line: &str) {
        if !self.quiet {
            // Build scripts talk to cargo through stdout.
            #[allow(clippy::print_stdout)]
            {
                println!("cargo:{line}");
            }
        }
    }

    /// Generates and returns the single file's contents.
    pub fn generate(&self) -> Result<String, BuildError> {
        self.cargo(&format!("rerun-if-env-changed={API_MANIFEST_ENV}"));
        let crd_paths: Vec<PathBuf> = self.crd_paths.iter().map(|p| self.resolve(p)).collect();
        let manifest_path = self
            .api_manifest
            .as_ref()
            .map(|p| self.resolve(p))
            .or_else(|| std::env::var_os(API_MANIFEST_ENV).map(PathBuf::from));
        let manifest = match &manifest_path {
            Some(path) => {
                self.cargo(&format!("rerun-if-changed={}", path.display()));
                ApiManifest::load(path)?
            }
            None => ApiManifest::bundled()?,
        };
        // Tell cargo about every input, even when reading one fails below.
        for path in &crd_paths {
            self.cargo(&format!("rerun-if-changed={}", path.display()));
        }
        if !crd_paths.is_empty() {
            for file in CrdSet::load(&crd_paths)?.files {
                self.cargo(&format!("rerun-if-changed={}", file.display()));
            }
        }
        let spec_dir = self
            .spec_dir
            .as_ref()
            .map(|d| self.resolve(d))
            .map(|d| {
                let v3 = d.join(crate::fetch::layout::DOCUMENTS_DIR);
                if v3.is_dir() {
                    v3
                } else {
                    d
                }
            })
            .unwrap_or_default();
        if !spec_dir.as_os_str().is_empty() {
            self.cargo(&format!("rerun-if-changed={}", spec_dir.display()));
        }
        let settings = Settings {
            crd_paths,
            externals: Some(manifest),
            strictness: if self.strict {
                Strictness::Strict
            } else {
                Strictness::Lenient
            },
            emit_manifest: false,
            crate_settings: CrateSettings::default(),
            ..Settings::new(spec_dir, PathBuf::new())
        };
        let (model, output) = render(&settings)?;
        for warning in model.warnings() {
            self.cargo(&format!("warning={warning}"));
        }
        Ok(emit::single_file(&output)?)
    }

    /// Generates into `$OUT_DIR/{file_name}` (written only when it changed) and returns the
    /// path.
    pub fn write_to_out_dir(&self, file_name: &str) -> Result<PathBuf, BuildError> {
        let out_dir = std::env::var_os("OUT_DIR").ok_or_else(|| GenerateError::Write {
            path: PathBuf::from(file_name),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "OUT_DIR is not set: write_to_out_dir is for build scripts",
            ),
        })?;
        let path = PathBuf::from(out_dir).join(file_name);
        self.write_to(&path)?;
        Ok(path)
    }

    /// Generates into a file of your choice (written only when it changed).
    pub fn write_to(&self, path: &Path) -> Result<(), BuildError> {
        let contents = self.generate()?;
        if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
            return Ok(());
        }
        let write_err = |source| GenerateError::Write {
            path: path.to_path_buf(),
            source,
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(write_err)?;
        std::io::Write::write_all(&mut tmp, contents.as_bytes()).map_err(write_err)?;
        tmp.persist(path).map_err(|e| write_err(e.error))?;
        Ok(())
    }
}
