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
    /// The `generated.proto` files (`k8s.io/api/core/v1/generated.proto`), empty for versions
    /// imported without them.
    protos: &'static [Embedded],
    /// `zero-is-unset.txt` (see [`Version::zero_is_unset`]).
    zero_is_unset: Option<&'static str>,
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

impl Version {
    /// The protobuf schemas of the version's built-in kinds, decompressed, sorted by import
    /// path (`k8s.io/api/core/v1/generated.proto`); empty when the version has none. They
    /// give each field's protobuf number and type, which the OpenAPI documents do not.
    pub fn proto_files(&self) -> Result<Vec<Document>, Error> {
        self.protos
            .iter()
            .map(|d| {
                let path =
                    PathBuf::from(format!("kubegen-openapi/{}/proto/{}.gz", self.name, d.file));
                Ok(Document {
                    file: d.file.to_owned(),
                    bytes: gunzip(d.gzip, &path)?,
                    path,
                })
            })
            .collect()
    }

    /// The scalar fields Go holds as plain values with `omitempty`, one message a line
    /// (`k8s.io.api.core.v1.ContainerPort name hostPort protocol hostIP`): always on the
    /// protobuf wire, their zero value is what the JSON form leaves out. `None` when the
    /// version has no protobuf schemas.
    pub fn zero_is_unset(&self) -> Option<&'static str> {
        self.zero_is_unset
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
