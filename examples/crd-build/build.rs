//! Generates the Widget CRD's types and clients from the committed manifest in `crds/`.
//! Offline and reproducible: only that file (and `KUBEGEN_API_MANIFEST`) is read.

fn main() -> Result<(), kubegen::BuildError> {
    kubegen::Builder::new()
        .crd_files("crds/")
        .write_to_out_dir("crds.rs")?;
    Ok(())
}
