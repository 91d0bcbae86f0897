//! Generates the CRDs' types, clients and informers from the committed fetch snapshot in
//! `snapshot/` (written by `kubegen fetch`; `tests/snapshot.rs` proves it is what a fresh fetch
//! from the test server gives). Offline: no cluster is contacted while building.
//!
//! `KUBEGEN_FETCHED_SPEC=DIR` builds from another fetch instead: CI fetches from a real
//! kube-apiserver with the CRDs installed and runs this crate's tests on what that gives.

fn main() -> Result<(), kubegen::BuildError> {
    println!("cargo:rerun-if-env-changed=KUBEGEN_FETCHED_SPEC");
    let spec = std::env::var("KUBEGEN_FETCHED_SPEC").unwrap_or_else(|_| "snapshot".into());
    kubegen::Builder::new()
        .spec_dir(spec)
        .write_to_out_dir("crds.rs")?;
    Ok(())
}
