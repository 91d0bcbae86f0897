//! Generates the CRDs' types, clients and informers from the committed fetch snapshot in
//! `snapshot/` (written by `kubegen fetch`; `tests/snapshot.rs` proves it is what a fresh fetch
//! gives). Offline: no cluster is contacted while building.

fn main() -> Result<(), kubegen::BuildError> {
    kubegen::Builder::new()
        .spec_dir("snapshot")
        .write_to_out_dir("crds.rs")?;
    Ok(())
}
