//! Every committed corpus file (`corpus/<target>/*`, with the crashes found and fixed) run
//! through its target's entry point, as a normal test: a regression shows here without a
//! fuzzer.

#[test]
fn every_corpus_file_passes_its_target() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    kubegen_fuzz::replay_corpora(&root);
}
