//! The versions compiled into the crate (the table is written by `build.rs` from
//! `versions.toml`).

use std::path::PathBuf;

use crate::read::gunzip;
use crate::{Document, Error};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// A supported Kubernetes version and its documents.
#[derive(Debug)]
pub struct Version {
    name: &'static str,
    pinned: bool,
    source: &'static str,
    documents: &'static [Embedded],
}

/// One compressed document.
#[derive(Debug)]
struct Embedded {
    file: &'static str,
    gzip: &'static [u8],
}

impl Version {
    /// `v1.36`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether `kubegen-api` is generated from this version.
    pub fn is_pinned(&self) -> bool {
        self.pinned
    }

    /// Where the documents came from (`SOURCE.md`: server version, commit, import date).
    pub fn provenance(&self) -> &'static str {
        self.source
    }

    /// The documents' file names, sorted.
    pub fn files(&self) -> impl Iterator<Item = &'static str> {
        self.documents.iter().map(|d| d.file)
    }

    /// Every document, decompressed, sorted by file name.
    pub fn documents(&self) -> Result<Vec<Document>, Error> {
        self.documents
            .iter()
            .map(|d| {
                let path = PathBuf::from(format!("kubegen-openapi/{}/v3/{}.gz", self.name, d.file));
                Ok(Document {
                    file: d.file.to_owned(),
                    bytes: gunzip(d.gzip, &path)?,
                    path,
                })
            })
            .collect()
    }
}

/// Every version this build carries, oldest first (only the pinned one without the
/// `all-versions` feature).
pub fn versions() -> &'static [Version] {
    VERSIONS
}

/// The version `kubegen-api` is generated from.
pub fn pinned() -> &'static Version {
    // `build.rs` refuses a table without exactly one pinned version, and always embeds it.
    VERSIONS.iter().find(|v| v.pinned).unwrap_or(&VERSIONS[0])
}

/// The version called `name` (`v1.35`).
pub fn version(name: &str) -> Result<&'static Version, Error> {
    VERSIONS
        .iter()
        .find(|v| v.name == name)
        .ok_or_else(|| Error::UnknownVersion {
            name: name.to_owned(),
            supported: VERSIONS
                .iter()
                .map(|v| v.name)
                .collect::<Vec<_>>()
                .join(", "),
        })
}
