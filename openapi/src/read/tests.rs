use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;

use super::*;

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn reads_plain_and_compressed_documents_alike() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b_openapi.json"), b"{\"b\":1}").unwrap();
    std::fs::write(dir.path().join("a_openapi.json.gz"), gz(b"{\"a\":1}")).unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"ignored").unwrap();
    let docs = read_dir(dir.path()).unwrap();
    let files: Vec<&str> = docs.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(files, ["a_openapi.json", "b_openapi.json"]);
    assert_eq!(docs[0].bytes, b"{\"a\":1}");
}

#[test]
fn a_corrupt_archive_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut truncated = gz(&[b'x'; 10_000]);
    truncated.truncate(truncated.len() / 2);
    std::fs::write(dir.path().join("t_openapi.json.gz"), truncated).unwrap();
    let err = read_dir(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("t_openapi.json.gz"), "{err}");

    std::fs::write(
        dir.path().join("t_openapi.json.gz"),
        b"plain text, not gzip",
    )
    .unwrap();
    let err = read_dir(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
}

#[test]
fn the_same_document_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a_openapi.json"), b"{}").unwrap();
    std::fs::write(dir.path().join("a_openapi.json.gz"), gz(b"{}")).unwrap();
    let err = read_dir(dir.path()).unwrap_err();
    assert!(
        matches!(err, Error::Duplicate { ref file, .. } if file == "a_openapi.json"),
        "{err:?}"
    );
}

#[test]
fn empty_and_missing_directories_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        read_dir(dir.path()),
        Err(Error::NoDocuments { .. })
    ));
    let missing = dir.path().join("nope");
    let err = read_dir(&missing).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn decompression_is_bounded() {
    // 1 MiB of zeros compresses to about 1 KiB: a small archive may expand past any limit.
    let big = gz(&vec![0u8; 1 << 20]);
    assert_eq!(gunzip(&big, Path::new("zeros.gz")).unwrap().len(), 1 << 20);
    let err = gunzip_at_most(&big, Path::new("zeros.gz"), 1 << 19).unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("zeros.gz"), "{err}");
    assert_eq!(
        gunzip_at_most(&big, Path::new("z"), 1 << 20).unwrap().len(),
        1 << 20
    );
}
