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
    /// Exit non-zero with a unified diff when `--out` is not what `generate` would write.
    Check(GenerateArgs),
    /// What changed between two specs: group-versions, kinds, resources, verbs,
    /// subresources, fields, deprecations.
    Diff(DiffArgs),
    /// Save a live cluster's OpenAPI v3 spec (`/openapi/v3` and every group-version
    /// document, `/version`) into a directory with a lock file, for offline generation.
    #[cfg(feature = "live")]
    Fetch(FetchArgs),
}

#[cfg(feature = "live")]
#[derive(clap::Args)]
struct FetchArgs {
    /// The kubeconfig file. Default as kubectl: `KUBECONFIG`, in-cluster, `~/.kube/config`.
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// The kubeconfig context. Default: the current context.
    #[arg(long)]
    context: Option<String>,
    /// The output directory: `v3/*_openapi.json` and `fetch-lock.json`. Replaced whole; a
    /// second fetch downloads only the documents whose hash changed.
    #[arg(long)]
    out: PathBuf,
    /// Only these index paths and what is below them (`apis/example.com`, `api/v1`;
    /// repeatable). Default: every document.
    #[arg(long)]
    include: Vec<String>,
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The older spec directory (`v3/` or the folder holding it).
    #[arg(long)]
    from: PathBuf,
    /// The newer spec directory.
    #[arg(long)]
    to: PathBuf,
    /// `text` (one change per line) or `json`.
    #[arg(long, default_value = "text")]
    format: DiffFormat,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DiffFormat {
    Text,
    Json,
}

#[derive(clap::Args, Default)]
struct GenerateArgs {
    /// Spec directory: the `v3/` folder of documents, or a folder holding one.
    /// Default: the pinned spec at `../shared/openapi/v1.36`.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// A supported Kubernetes version from `openapi/versions.toml` (`v1.33`...), instead of
    /// `--spec`.
    #[arg(long, conflicts_with = "spec")]
    kube_version: Option<String>,
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
        dependencies: "kubegen-runtime = { path = \"../runtime\", version = \"0.1.0\", default-features = false }\nserde_core.workspace = true\nserde_json = { workspace = true, optional = true }\n".into(),
        package_extra: "edition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\nrepository.workspace = true\n".into(),
        source_description: description,
    }
}

/// What to do with the rendered crate.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Write,
    Check,
}

/// The spec directory `openapi/versions.toml` gives for a Kubernetes version.
fn version_spec(version: &str) -> Result<PathBuf, String> {
    let file = workspace_root().join("openapi").join("versions.toml");
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let versions = table
        .get("version")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    let mut known = Vec::new();
    for v in &versions {
        let name = v.get("name").and_then(|n| n.as_str()).unwrap_or_default();
        known.push(name.to_owned());
        if name == version {
            let spec = v.get("spec").and_then(|s| s.as_str()).unwrap_or_default();
            return Ok(workspace_root().join(spec));
        }
    }
    Err(format!(
        "{version} is not in {} (supported: {})",
        file.display(),
        known.join(", ")
    ))
}

fn run(mut args: GenerateArgs, mode: Mode) -> Result<bool, kubegen::GenerateError> {
    if let Some(version) = &args.kube_version {
        match version_spec(version) {
            Ok(dir) => args.spec = Some(dir),
            Err(message) => return Err(kubegen::GenerateError::UnknownVersion { message }),
        }
    }
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
    if mode == Mode::Check {
        return match kubegen::check::stale(&output, &out)? {
            None => {
                eprintln!("{} is up to date", out.display());
                Ok(true)
            }
            Some(report) => {
                print!("{report}");
                eprintln!(
                    "{} is stale: it differs from the generator's output (diff above); regenerate and commit",
                    out.display()
                );
                Ok(false)
            }
        };
    }
    kubegen::generate::write_atomically(&output, &out)?;
    tracing::info!(
        files = output.files.len(),
        out = %out.display(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "generated"
    );
    Ok(true)
}

fn run_diff(args: DiffArgs) -> Result<bool, kubegen::GenerateError> {
    let model = |dir: PathBuf| -> Result<kubegen::model::Model, kubegen::GenerateError> {
        let settings = Settings::new(documents_dir(dir), PathBuf::new());
        let spec = kubegen::generate::load_spec(&settings)?;
        Ok(kubegen::model::Model::build(&spec, Strictness::Lenient)?)
    };
    let changes = kubegen::diff::diff(&model(args.from)?, &model(args.to)?);
    match args.format {
        DiffFormat::Text => print!("{}", kubegen::diff::to_text(&changes)),
        DiffFormat::Json => print!("{}", kubegen::diff::to_json(&changes)),
    }
    Ok(true)
}

/// `kubegen fetch`: returns the error as text (it is printed like the generator's).
#[cfg(feature = "live")]
fn run_fetch(args: FetchArgs) -> Result<bool, kubegen::fetch::FetchError> {
    use kubegen::fetch::{load_config, Fetcher};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| kubegen::fetch::FetchError::Write {
            path: args.out.clone(),
            source,
        })?;
    let started = std::time::Instant::now();
    let config = load_config(args.kubeconfig.as_deref(), args.context.as_deref())?;
    let fetcher = Fetcher::from_config(config)?;
    let report = runtime.block_on(fetcher.fetch_into(&args.out, &args.include))?;
    tracing::info!(
        server = %report.server,
        version = %report.server_version,
        documents = report.documents,
        downloaded = report.downloaded.len(),
        reused = report.reused,
        removed = report.removed.len(),
        out = %args.out.display(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "fetched"
    );
    Ok(true)
}

/// Prints an error and its causes, skipping a cause whose text the lines above already say.
fn report_error(err: &dyn std::error::Error) {
    let mut said = err.to_string();
    eprintln!("error: {said}");
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !said.contains(&text) {
            eprintln!("  caused by: {text}");
            said.push('\n');
            said.push_str(&text);
        }
        source = s.source();
    }
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
    let result = match cli.command {
        #[cfg(feature = "live")]
        Some(Command::Fetch(args)) => {
            return match run_fetch(args) {
                Ok(_) => ExitCode::SUCCESS,
                Err(err) => {
                    report_error(&err);
                    ExitCode::FAILURE
                }
            };
        }
        Some(Command::Generate(args)) => run(args, Mode::Write),
        Some(Command::Check(args)) => run(args, Mode::Check),
        Some(Command::Diff(args)) => run_diff(args),
        None => run(GenerateArgs::default(), Mode::Write),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            report_error(&err);
            ExitCode::FAILURE
        }
    }
}
