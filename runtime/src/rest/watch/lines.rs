//! Line framing of a JSON watch body: which bytes hold the next event, without copying
//! whole lines out of their chunk.

use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::StreamExt;

use crate::rest::error::{Error, Result};
use crate::rest::request::ByteStream;

/// Splits a watch body into what is decoded next: a run of whole lines inside the current
/// chunk (decoded in place, the parser finding each event's end), or a line assembled
/// across chunks. Memory is bounded by the largest event, capped at `max`.
pub(super) struct LineFramer {
    body: Option<ByteStream>,
    /// The current body chunk; `chunk[pos..region_end]` holds whole lines not yet decoded
    /// and `chunk[tail..]` the start of a line that continues in the next chunk.
    chunk: Bytes,
    pos: usize,
    region_end: usize,
    tail: usize,
    /// A line assembled across chunks: complete when `line_ready`, else still growing.
    partial: Vec<u8>,
    line_ready: bool,
    max: usize,
    url: String,
}

impl LineFramer {
    /// The watch's URL, for errors.
    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// Whether the body may still bring more.
    pub(super) fn is_open(&self) -> bool {
        self.body.is_some()
    }

    pub(super) fn new(body: ByteStream, url: String, max: usize) -> Self {
        Self {
            body: Some(body),
            chunk: Bytes::new(),
            pos: 0,
            region_end: 0,
            tail: 0,
            partial: Vec::new(),
            line_ready: false,
            max,
            url,
        }
    }

    /// Waits for the next body chunk and takes it in: `Some(Ok(()))` when there may be
    /// more to decode, `None` once the body has ended and everything was handed out.
    pub(super) fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<()>>> {
        let Some(body) = self.body.as_mut() else {
            return Poll::Ready(None);
        };
        Poll::Ready(Some(match body.poll_next_unpin(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Some(Ok(chunk))) => self.feed(chunk),
            Poll::Ready(Some(Err(e))) => {
                self.body = None;
                self.partial = Vec::new();
                Err(e)
            }
            Poll::Ready(None) => {
                self.body = None;
                // A last event without its newline still counts; a cut-off one fails.
                self.line_ready = !self.partial.is_empty();
                Ok(())
            }
        }))
    }

    /// Takes in the next body chunk: completes a pending line if the chunk ends it, and
    /// marks the run of whole lines to decode in place. Only the bytes of a line that
    /// spans chunks are scanned for its newline or copied.
    fn feed(&mut self, chunk: Bytes) -> Result<()> {
        self.chunk = chunk;
        self.pos = 0;
        if !self.partial.is_empty() {
            match memchr::memchr(b'\n', &self.chunk) {
                None => {
                    self.pos = self.chunk.len();
                    self.region_end = self.pos;
                    self.tail = self.pos;
                    return self.keep(0);
                }
                Some(i) => {
                    if self.partial.len() + i > self.max {
                        return Err(self.too_large());
                    }
                    self.partial.extend_from_slice(&self.chunk[..i]);
                    self.line_ready = true;
                    self.pos = i + 1;
                }
            }
        }
        match memchr::memrchr(b'\n', &self.chunk[self.pos..]) {
            Some(j) => {
                self.region_end = self.pos + j;
                self.tail = self.region_end + 1;
            }
            None => {
                self.region_end = self.pos;
                self.tail = self.pos;
            }
        }
        Ok(())
    }

    /// The assembled line, when one is complete (hand it back with [`Self::recycle`]).
    pub(super) fn take_line(&mut self) -> Option<Vec<u8>> {
        if !self.line_ready {
            return None;
        }
        self.line_ready = false;
        Some(std::mem::take(&mut self.partial))
    }

    /// Returns a decoded line's buffer for the next line that spans chunks.
    pub(super) fn recycle(&mut self, mut line: Vec<u8>) {
        line.clear();
        self.partial = line;
    }

    /// Whole lines of the current chunk not yet decoded.
    pub(super) fn region(&self) -> Option<&[u8]> {
        (self.pos < self.region_end).then(|| &self.chunk[self.pos..self.region_end])
    }

    /// Nothing but blank space was left in the region.
    pub(super) fn end_region(&mut self) {
        self.pos = self.region_end;
    }

    /// Moves past an event of `used` bytes, within the bound.
    pub(super) fn advance(&mut self, used: usize) -> Result<()> {
        if used > self.max {
            return Err(self.too_large());
        }
        self.pos += used;
        Ok(())
    }

    /// The line that failed to decode (from the current position to its newline).
    pub(super) fn failed_line(&self) -> &[u8] {
        let region = self.chunk[self.pos..self.region_end].trim_ascii_start();
        match memchr::memchr(b'\n', region) {
            Some(i) => &region[..i],
            None => region,
        }
    }

    /// Resumes at the line after the one that failed to decode.
    pub(super) fn skip_failed_line(&mut self) {
        let region = &self.chunk[self.pos..self.region_end];
        let start = region
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(0);
        self.pos = match memchr::memchr(b'\n', &region[start..]) {
            Some(i) => self.pos + start + i + 1,
            None => self.region_end,
        };
    }

    /// Once the region is done, keeps the chunk's unterminated last line for the next one.
    pub(super) fn stash_tail(&mut self) -> Result<()> {
        if self.tail < self.chunk.len() {
            let tail = self.tail;
            self.tail = self.chunk.len();
            self.keep(tail)?;
        }
        Ok(())
    }

    /// Moves `chunk[from..]` (an unterminated line start) into `partial`, within the bound.
    fn keep(&mut self, from: usize) -> Result<()> {
        let rest = &self.chunk[from..];
        if self.partial.len() + rest.len() > self.max {
            return Err(self.too_large());
        }
        self.partial.extend_from_slice(rest);
        Ok(())
    }

    fn too_large(&mut self) -> Error {
        self.body = None;
        self.partial = Vec::new();
        self.line_ready = false;
        self.chunk = Bytes::new();
        self.pos = 0;
        self.region_end = 0;
        self.tail = 0;
        Error::EventTooLarge {
            url: self.url.clone(),
            limit: self.max,
        }
    }
}
