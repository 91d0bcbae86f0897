//! The whole job: spec directory in, crate directory out, written whole or not at all.

use std::path::{Path, PathBuf};

use crate::emit::{self, CrateSettings, EmitError, Output};
use crate::model::{Model, ModelError, Strictness};
use crate::spec::{Spec, SpecError};

/// What to generate from where. Shared by the CLI and `build.rs` users.
#[derive(Clone, Debug)]
pub struct Settings {
    pub spec_dir: PathBuf,
    pub out_dir: PathBuf,
    pub strictness: Strictness,
    pub crate_settings: CrateSettings,
}

impl Settings {
    pub fn new(spec_dir: impl Into<PathBuf>, out_dir: impl Into<PathBuf>) -> Self {
        Self {
            spec_dir: spec_dir.into(),
            out_dir: out_dir.into(),
            strictness: Strictness::Strict,
            crate_settings: CrateSettings::default(),
        }
    }

    #[must_use]
    pub fn strictness(mut self, strictness: Strictness) -> Self {
        self.strictness = strictness;
        self
    }

    #[must_use]
    pub fn crate_settings(mut self, crate_settings: CrateSettings) -> Self {
        self.crate_settings = crate_settings;
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Emit(#[from] EmitError),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Loads, models and emits, returning the files without writing them.
pub fn render(settings: &Settings) -> Result<(Model, Output), GenerateError> {
    let spec = Spec::load_dir(&settings.spec_dir)?;
    let model = Model::build(&spec, settings.strictness)?;
    let output = emit::emit(&model, &settings.crate_settings)?;
    Ok((model, output))
}

/// Generates the crate into `settings.out_dir`.
pub fn generate(settings: &Settings) -> Result<Output, GenerateError> {
    let (_, output) = render(settings)?;
    write_atomically(&output, &settings.out_dir)?;
    Ok(output)
}

/// Writes every file into a temporary directory beside `out_dir`, then swaps it in, so a
/// failed run never leaves a half-written crate.
pub fn write_atomically(output: &Output, out_dir: &Path) -> Result<(), GenerateError> {
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
