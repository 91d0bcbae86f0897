//! The `kubegen` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kubegen::emit::CrateSettings;
use kubegen::model::Strictness;
use kubegen::Settings;

/// The Kubernetes version this release pins and generates `kubegen-api` from.
const PINNED_VERSION: &str = "v1.36";

#[derive(Parser)]
#[command(
    name = "kubegen",
    version,
    about = "Generate typed Kubernetes clients from OpenAPI v3 specs"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a crate from a directory of OpenAPI v3 documents.
    Generate(GenerateArgs),
}

#[derive(clap::Args, Default)]
struct GenerateArgs {
    /// Spec directory: the `v3/` folder of documents, or a folder holding one.
    /// Default: the pinned spec at `../shared/openapi/v1.36`.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Output crate directory. Default: the workspace's `generated/`.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Emit a crate for this workspace (dependencies and package fields from the workspace).
    /// On by default when no `--out` is given.
    #[arg(long)]
    workspace: bool,
    /// Replace schemas the generator does not understand by JSON values with a warning,
    /// instead of failing (for specs with custom resources).
    #[arg(long)]
    lenient: bool,
    /// Name of the generated package.
    #[arg(long)]
    crate_name: Option<String>,
    /// Depend on `kubegen-runtime` at this path instead of the crates.io release.
    #[arg(long)]
    runtime_path: Option<PathBuf>,
    /// CRD manifests to generate (files or directories; repeatable). Without `--spec`, only
    /// the CRDs' group-versions are generated and built-in types come from `kubegen-api`.
    #[arg(long = "crd")]
    crds: Vec<PathBuf>,
    /// The `manifest.json` of the crate that provides built-in types for CRD-only generation.
    /// Default: the `kubegen-api` released with this generator.
    #[arg(long)]
    api_manifest: Option<PathBuf>,
}

/// The workspace root, for the defaults (this binary is built inside it).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn default_spec_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KUBEGEN_SPEC_DIR") {
        return PathBuf::from(dir);
    }
    workspace_root()
        .join("..")
        .join("shared")
        .join("openapi")
        .join(PINNED_VERSION)
}

/// Accepts either the `v3/` folder or the version folder around it.
fn documents_dir(dir: PathBuf) -> PathBuf {
    let v3 = dir.join("v3");
    if v3.is_dir() {
        v3
    } else {
        dir
    }
}

/// `Kubernetes v1.36` when the spec sits in a `v1.NN` folder, else the folder's name.
fn describe(spec_dir: &Path) -> String {
    let named = |p: &Path| p.file_name().and_then(|n| n.to_str()).map(str::to_owned);
    let folder = if spec_dir.ends_with("v3") {
        spec_dir.parent().and_then(named)
    } else {
        named(spec_dir)
    };
    match folder {
        Some(f) if f.starts_with("v1.") => format!("the OpenAPI v3 spec of Kubernetes {f}"),
        Some(f) => format!("the OpenAPI v3 spec in `{f}`"),
        None => "an OpenAPI v3 spec".into(),
    }
}

fn workspace_crate_settings(description: String) -> CrateSettings {
    CrateSettings {
        crate_name: "kubegen-api".into(),
        crate_version: "0.1.0".into(),
        dependencies: "kubegen-runtime = { path = \"../runtime\", version = \"0.1.0\", default-features = false }\nserde.workspace = true\nserde_json.workspace = true\n".into(),
        package_extra: "edition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\n".into(),
        source_description: description,
    }
}

fn run(args: GenerateArgs) -> Result<(), kubegen::GenerateError> {
    let crd_only = args.spec.is_none() && !args.crds.is_empty();
    let spec_dir = if crd_only {
        PathBuf::new()
    } else {
        documents_dir(args.spec.unwrap_or_else(default_spec_dir))
    };
    let workspace = args.workspace || args.out.is_none();
    let out = args
        .out
        .unwrap_or_else(|| workspace_root().join("generated"));
    let description = if crd_only {
        "CustomResourceDefinition manifests".to_owned()
    } else {
        describe(&spec_dir)
    };
    let mut crate_settings = if workspace {
        workspace_crate_settings(description)
    } else {
        CrateSettings {
            source_description: description,
            ..CrateSettings::default()
        }
    };
    if let Some(name) = args.crate_name {
        crate_settings.crate_name = name;
    }
    if let Some(path) = args.runtime_path {
        crate_settings.dependencies = crate_settings.dependencies.replace(
            "kubegen-runtime = { version = \"0.1\", default-features = false }",
            &format!(
                "kubegen-runtime = {{ path = {:?}, default-features = false }}",
                path.display().to_string()
            ),
        );
    }
    let externals = match (&args.api_manifest, crd_only) {
        (Some(path), _) => Some(kubegen::manifest::ApiManifest::load(path)?),
        (None, true) => Some(kubegen::manifest::ApiManifest::bundled()?),
        (None, false) => None,
    };
    let settings = Settings::new(&spec_dir, &out)
        .strictness(if args.lenient || !args.crds.is_empty() {
            Strictness::Lenient
        } else {
            Strictness::Strict
        })
        .crate_settings(crate_settings)
        .crd_paths(args.crds)
        .externals(externals);
    let started = std::time::Instant::now();
    let (model, output) = kubegen::render(&settings)?;
    for warning in model.warnings() {
        eprintln!("warning: {warning}");
    }
    kubegen::generate::write_atomically(&output, &out)?;
    tracing::info!(
        files = output.files.len(),
        out = %out.display(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "generated"
    );
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Generate(args)) => args,
        None => GenerateArgs::default(),
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}
