//! Generates the Foo CRD's types and clients from the committed manifest in `crds/`.

fn main() -> Result<(), kubegen::BuildError> {
    kubegen::Builder::new()
        .crd_files("crds/")
        .write_to_out_dir("crds.rs")?;
    Ok(())
}
