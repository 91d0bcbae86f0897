//! The `kubegen` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kubegen::emit::CrateSettings;
use kubegen::model::Strictness;
use kubegen::spec::SpecError;
use kubegen::{Settings, SpecSource};

#[derive(Parser)]
#[command(
    name = "kubegen",
    version,
    about = "Generate typed Kubernetes clients from OpenAPI v3 specs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a crate from a supported Kubernetes version, a directory of OpenAPI v3
    /// documents, or CRD manifests.
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
    /// The older spec: a directory (`v3/` or the folder holding it) or a version this
    /// kubegen carries (`v1.35`).
    #[arg(long)]
    from: PathBuf,
    /// The newer spec, as `--from`.
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

#[derive(clap::Args)]
struct GenerateArgs {
    /// A directory of OpenAPI v3 documents (`*.json` or `*.json.gz`): the `v3/` folder of a
    /// `/openapi/v3` dump, or a folder holding one (what `kubegen fetch` writes).
    #[arg(long, conflicts_with = "kube_version")]
    spec: Option<PathBuf>,
    /// A Kubernetes version this kubegen carries (`v1.33` ... `v1.36`). Default: the pinned
    /// version, unless `--spec` is given or only `--crd`s are.
    #[arg(long)]
    kube_version: Option<String>,
    /// The crate directory to write. Replaced whole, and only if it is missing, empty, or a
    /// crate kubegen generated.
    #[arg(long)]
    out: PathBuf,
    /// Package fields, lints and dependencies of the generated crate from a TOML file (`name`,
    /// `version`, `package`, `lints`, `dependencies`): how a workspace adopts the crate.
    #[arg(long)]
    crate_settings: Option<PathBuf>,
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
    /// CRD manifests to generate (files or directories; repeatable). Without `--spec` and
    /// `--kube-version`, only the CRDs' group-versions are generated and built-in types come
    /// from `kubegen-api`.
    #[arg(long = "crd")]
    crds: Vec<PathBuf>,
    /// The `manifest.json` of the crate that provides built-in types for CRD-only generation.
    /// Default: the `kubegen-api` released with this generator.
    #[arg(long)]
    api_manifest: Option<PathBuf>,
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

/// What to do with the rendered crate.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Write,
    Check,
}

/// The documents the arguments select: `--spec`, `--kube-version`, nothing (CRDs only) or
/// the pinned version.
fn spec_source(args: &GenerateArgs) -> Result<SpecSource, kubegen::GenerateError> {
    if let Some(dir) = &args.spec {
        return Ok(SpecSource::Dir(documents_dir(dir.clone())));
    }
    match &args.kube_version {
        Some(name) => Ok(SpecSource::Bundled(
            kubegen_openapi::version(name).map_err(SpecError::from)?,
        )),
        None if !args.crds.is_empty() => Ok(SpecSource::None),
        None => Ok(SpecSource::Bundled(kubegen_openapi::pinned())),
    }
}

/// The command line that makes this crate, for its files' headers: the arguments that shape
/// the output, as the user gave them.
fn generate_command(args: &GenerateArgs, source: &SpecSource) -> String {
    let mut cmd = String::from("kubegen generate");
    let mut arg = |flag: &str, value: &dyn std::fmt::Display| {
        cmd.push_str(&format!(" --{flag} {value}"));
    };
    match source {
        SpecSource::Dir(_) => {
            if let Some(spec) = &args.spec {
                arg("spec", &spec.display());
            }
        }
        SpecSource::Bundled(version) => arg("kube-version", &version.name()),
        SpecSource::None => {}
    }
    for crd in &args.crds {
        arg("crd", &crd.display());
    }
    if let Some(name) = &args.crate_name {
        arg("crate-name", name);
    }
    if let Some(path) = &args.crate_settings {
        arg("crate-settings", &path.display());
    }
    arg("out", &args.out.display());
    if args.lenient {
        cmd.push_str(" --lenient");
    }
    cmd
}

fn run(args: GenerateArgs, mode: Mode) -> Result<bool, kubegen::GenerateError> {
    let source = spec_source(&args)?;
    let description = match &source {
        SpecSource::None => "CustomResourceDefinition manifests".to_owned(),
        SpecSource::Dir(dir) => describe(dir),
        SpecSource::Bundled(v) => format!("the OpenAPI v3 spec of Kubernetes {}", v.name()),
    };
    let mut crate_settings = match &args.crate_settings {
        Some(path) => CrateSettings::load(path)?,
        None => CrateSettings::default(),
    };
    crate_settings.source_description = description;
    crate_settings.generated_by = generate_command(&args, &source);
    if let Some(name) = &args.crate_name {
        crate_settings.crate_name = name.clone();
    }
    if let Some(path) = &args.runtime_path {
        crate_settings.dependencies = crate_settings.dependencies.replace(
            "kubegen-runtime = { version = \"0.1\", default-features = false }",
            &format!(
                "kubegen-runtime = {{ path = {:?}, default-features = false }}",
                path.display().to_string()
            ),
        );
    }
    let crd_only = matches!(source, SpecSource::None);
    let externals = match (&args.api_manifest, crd_only) {
        (Some(path), _) => Some(kubegen::manifest::ApiManifest::load(path)?),
        (None, true) => Some(kubegen::manifest::ApiManifest::bundled()?),
        (None, false) => None,
    };
    let out = args.out;
    let mut settings = Settings::new(PathBuf::new(), &out)
        .strictness(if args.lenient || !args.crds.is_empty() {
            Strictness::Lenient
        } else {
            Strictness::Strict
        })
        .crate_settings(crate_settings)
        .crd_paths(args.crds)
        .externals(externals);
    settings.spec = source;
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
    let model = |arg: PathBuf| -> Result<kubegen::model::Model, kubegen::GenerateError> {
        let mut settings = Settings::new(PathBuf::new(), PathBuf::new());
        settings.spec = diff_source(arg)?;
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

/// A `diff` side: an existing directory, else a bundled version's name.
fn diff_source(arg: PathBuf) -> Result<SpecSource, kubegen::GenerateError> {
    if arg.exists() {
        return Ok(SpecSource::Dir(documents_dir(arg)));
    }
    let name = arg.to_string_lossy();
    if name.starts_with("v1.") {
        return Ok(SpecSource::Bundled(
            kubegen_openapi::version(&name).map_err(SpecError::from)?,
        ));
    }
    Err(SpecError::Io {
        path: arg,
        source: std::io::Error::from(std::io::ErrorKind::NotFound),
    }
    .into())
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
        Command::Fetch(args) => {
            return match run_fetch(args) {
                Ok(_) => ExitCode::SUCCESS,
                Err(err) => {
                    report_error(&err);
                    ExitCode::FAILURE
                }
            };
        }
        Command::Generate(args) => run(args, Mode::Write),
        Command::Check(args) => run(args, Mode::Check),
        Command::Diff(args) => run_diff(args),
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
