//! The fuzz corpora (`fuzz/corpus/<target>/*`, with the crashes found and fixed) run through
//! their targets' entry points as a normal workspace test, so CI replays them with the build it
//! already has. The entry points are `fuzz/src/lib.rs` itself, included as a module: `fuzz/`
//! is a workspace of its own (for libFuzzer), whose `tests/replay.rs` does the same there.

#[path = "../../fuzz/src/lib.rs"]
pub mod kubegen_fuzz;

use std::path::Path;

#[test]
fn every_corpus_file_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
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
