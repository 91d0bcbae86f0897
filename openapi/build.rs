//! Writes the table of embedded specs (`$OUT_DIR/embedded.rs`) from `versions.toml`: one
//! `include_bytes!` per gzip-compressed document, so the crate carries its specs wherever
//! it is built from (the repository or a registry download).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    if let Err(message) = run() {
        eprintln!("kubegen-openapi build: {message}");
        std::process::exit(1);
    }
}

struct Entry {
    name: String,
    dir: PathBuf,
    pinned: bool,
}

fn run() -> Result<(), String> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let all = std::env::var_os("CARGO_FEATURE_ALL_VERSIONS").is_some();
    let table = root.join("versions.toml");
    println!("cargo:rerun-if-changed={}", table.display());
    let entries = read_versions(&table)?;
    let pinned: Vec<&Entry> = entries.iter().filter(|e| e.pinned).collect();
    let [pinned] = pinned.as_slice() else {
        return Err(format!(
            "{}: exactly one version must be `pinned = true`",
            table.display()
        ));
    };
    let mut code = String::new();
    let _ = writeln!(code, "/// The version `kubegen-api` is generated from.");
    let _ = writeln!(code, "pub const PINNED: &str = {:?};", pinned.name);
    let _ = writeln!(code, "static VERSIONS: &[Version] = &[");
    for entry in entries.iter().filter(|e| all || e.pinned) {
        write_version(&mut code, entry)?;
    }
    let _ = writeln!(code, "];");
    std::fs::write(out.join("embedded.rs"), code).map_err(|e| format!("writing embedded.rs: {e}"))
}

fn read_versions(path: &Path) -> Result<Vec<Entry>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let versions = table
        .get("version")
        .and_then(toml::Value::as_array)
        .ok_or_else(|| format!("{}: no [[version]] entries", path.display()))?;
    versions
        .iter()
        .map(|v| {
            let field = |key: &str| {
                v.get(key)
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| format!("{}: a [[version]] without `{key}`", path.display()))
            };
            Ok(Entry {
                name: field("name")?.to_owned(),
                dir: base.join(field("spec")?),
                pinned: v.get("pinned").and_then(toml::Value::as_bool) == Some(true),
            })
        })
        .collect()
}

fn write_version(code: &mut String, entry: &Entry) -> Result<(), String> {
    let docs = entry.dir.join("v3");
    println!("cargo:rerun-if-changed={}", docs.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&docs)
        .map_err(|e| format!("{}: {e}", docs.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with("_openapi.json.gz"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "{}: no *_openapi.json.gz documents",
            docs.display()
        ));
    }
    let source = entry.dir.join("SOURCE.md");
    println!("cargo:rerun-if-changed={}", source.display());
    let _ = writeln!(
        code,
        "    Version {{ name: {:?}, pinned: {}, source: include_str!({:?}), documents: &[",
        entry.name,
        entry.pinned,
        source.display().to_string()
    );
    for file in files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".gz"))
            .ok_or_else(|| format!("{}: file name is not UTF-8", file.display()))?;
        let _ = writeln!(
            code,
            "        Embedded {{ file: {name:?}, gzip: include_bytes!({:?}) }},",
            file.display().to_string()
        );
    }
    let _ = writeln!(code, "    ],");
    write_protos(code, &entry.dir.join("proto"))?;
    let _ = writeln!(code, "    }},");
    Ok(())
}

/// The version's protobuf schemas (`proto/**/*.proto.gz` and `proto/zero-is-unset.txt`), if
/// it has them.
fn write_protos(code: &mut String, dir: &Path) -> Result<(), String> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let unset = dir.join("zero-is-unset.txt");
    if !unset.is_file() {
        let _ = writeln!(code, "        protos: &[], zero_is_unset: None,");
        return Ok(());
    }
    let mut files = Vec::new();
    collect_protos(dir, &mut files)?;
    files.sort();
    let _ = writeln!(code, "        protos: &[");
    for file in files {
        let name = file
            .strip_prefix(dir)
            .ok()
            .and_then(|p| p.to_str())
            .and_then(|n| n.strip_suffix(".gz"))
            .ok_or_else(|| format!("{}: file name is not UTF-8", file.display()))?
            .replace('\\', "/");
        let _ = writeln!(
            code,
            "            Embedded {{ file: {name:?}, gzip: include_bytes!({:?}) }},",
            file.display().to_string()
        );
    }
    let _ = writeln!(
        code,
        "        ], zero_is_unset: Some(include_str!({:?})),",
        unset.display().to_string()
    );
    Ok(())
}

fn collect_protos(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            collect_protos(&path, files)?;
        } else if path.to_string_lossy().ends_with(".proto.gz") {
            files.push(path);
        }
    }
    Ok(())
}
