//! Every committed corpus file (`corpus/<target>/*`, with the crashes found and fixed) run
//! through its target's entry point, as a normal test: a regression shows here without a
//! fuzzer.

use std::path::Path;

#[test]
fn every_corpus_file_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (name, target) in kubegen_fuzz::TARGETS {
        let dir = root.join(name);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus of {name} ({}): {e}", dir.display()));
        let mut count = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name} fails on {}", path.display());
            count += 1;
        }
        assert!(count > 0, "the corpus of {name} is empty");
    }
}
