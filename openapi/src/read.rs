//! Reading documents from files, compressed or not.

use std::io::Read;
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::{Document, Error};

/// The most a single document may hold once decompressed (the largest Kubernetes document,
/// `api/v1`, is about 1.5 MB): a bound against corrupt or hostile archives.
pub const MAX_DOCUMENT_BYTES: u64 = 256 * 1024 * 1024;

/// The bytes of `path`, decompressed when its name ends in `.gz`.
pub fn read_document(path: &Path) -> Result<Vec<u8>, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if is_gzip_name(path) {
        gunzip(&bytes, path)
    } else {
        Ok(bytes)
    }
}

/// Every `*.json` and `*.json.gz` of `dir`, decompressed, sorted by file name (without `.gz`).
pub fn read_dir(dir: &Path) -> Result<Vec<Document>, Error> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if let Some(file) = document_name(&path) {
            paths.push((file, path));
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(Error::NoDocuments {
            dir: dir.to_path_buf(),
        });
    }
    if let Some(pair) = paths.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(Error::Duplicate {
            dir: dir.to_path_buf(),
            file: pair[0].0.clone(),
        });
    }
    paths
        .into_iter()
        .map(|(file, path)| {
            Ok(Document {
                file,
                bytes: read_document(&path)?,
                path,
            })
        })
        .collect()
}

/// `x.json` for `x.json` and `x.json.gz`; `None` for anything else.
fn document_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let plain = name.strip_suffix(".gz").unwrap_or(name);
    plain.ends_with(".json").then(|| plain.to_owned())
}

fn is_gzip_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "gz")
}

/// Decompresses a gzip stream, refusing more than [`MAX_DOCUMENT_BYTES`].
pub(crate) fn gunzip(gzip: &[u8], path: &Path) -> Result<Vec<u8>, Error> {
    gunzip_at_most(gzip, path, MAX_DOCUMENT_BYTES)
}

fn gunzip_at_most(gzip: &[u8], path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(gzip.len() * 10);
    MultiGzDecoder::new(gzip)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|source| Error::Corrupt {
            path: path.to_path_buf(),
            source,
        })?;
    if out.len() as u64 > limit {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
