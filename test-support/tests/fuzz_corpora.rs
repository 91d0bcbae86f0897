//! The fuzz corpora (`fuzz/corpus/<target>/*`, with the crashes found and fixed) run through
//! their targets' entry points as a normal workspace test, so CI replays them with the build it
//! already has. The entry points are `fuzz/src/lib.rs` itself, included as a module: `fuzz/`
//! is a workspace of its own (for libFuzzer), whose `tests/replay.rs` does the same there.

#[path = "../../fuzz/src/lib.rs"]
pub mod kubegen_fuzz;

#[test]
fn every_corpus_file_passes_its_target() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    kubegen_fuzz::replay_corpora(&root);
}
