//! The 16-byte representation behind [`CompactString`](super::CompactString).
//!
//! Four forms, told apart by the last byte (an enum, so `Option` keeps a niche):
//! - inline: up to 15 bytes of text in place, the tag is the length;
//! - static: a pointer to `'static` text, never freed;
//! - heap: a pointer to text owned by this value alone (exactly its length, no capacity);
//! - shared: a pointer to a reference-counted block (`[count: AtomicUsize][text]`) that
//!   several values hold — how a cache keeps one copy of a string that thousands of its
//!   objects repeat (see [`crate::meta::sharing`]).
//!
//! Pointer forms keep the length in the 7 bytes after the pointer (little-endian), so texts
//! up to 2^56 bytes; longer ones are refused when built (no such string exists in practice).

use std::alloc::{self, Layout};
use std::ptr::{self, NonNull};
use std::sync::atomic::{self, AtomicUsize, Ordering};

const _: () = assert!(std::mem::size_of::<usize>() == 8, "64-bit targets only");

/// Longest text stored inline.
pub const INLINE_CAPACITY: usize = 15;

/// The form, and for inline text its length.
#[allow(dead_code)] // the inline variants are built by `Tag::inline`
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Tag {
    Inline0 = 0,
    Inline1,
    Inline2,
    Inline3,
    Inline4,
    Inline5,
    Inline6,
    Inline7,
    Inline8,
    Inline9,
    Inline10,
    Inline11,
    Inline12,
    Inline13,
    Inline14,
    Inline15,
    Static,
    Heap,
    Shared,
}

impl Tag {
    fn inline(len: usize) -> Self {
        debug_assert!(len <= INLINE_CAPACITY);
        // SAFETY: `Tag` is `repr(u8)` with the values 0..=15 meaning inline lengths.
        unsafe { std::mem::transmute::<u8, Tag>(len as u8) }
    }
}

/// Header of a shared block; the text follows it.
type Count = AtomicUsize;
const HEADER: usize = std::mem::size_of::<Count>();

#[repr(C)]
pub(super) struct Repr {
    /// The pointer of the pointer forms; the first 8 text bytes of the inline form.
    head: *const u8,
    /// The length (pointer forms) or text bytes 8..15 (inline form).
    tail: [u8; 7],
    tag: Tag,
}

const _: () = assert!(std::mem::size_of::<Repr>() == 16);
const _: () = assert!(std::mem::size_of::<Option<Repr>>() == 16);

// SAFETY: heap text is owned uniquely and never mutated; shared blocks are immutable apart
// from their atomic count; static text is immutable. Nothing is tied to a thread.
unsafe impl Send for Repr {}
unsafe impl Sync for Repr {}

const fn len_bytes(len: usize) -> [u8; 7] {
    let b = len.to_le_bytes();
    [b[0], b[1], b[2], b[3], b[4], b[5], b[6]]
}

impl Repr {
    pub(super) const EMPTY: Repr = Repr {
        head: ptr::null(),
        tail: [0; 7],
        tag: Tag::Inline0,
    };

    /// Points at `text` without copying it.
    pub(super) const fn from_static(text: &'static str) -> Self {
        Repr {
            head: text.as_ptr(),
            tail: len_bytes(text.len()),
            tag: Tag::Static,
        }
    }

    /// Copies `text`: inline when short, otherwise into an allocation of exactly its length.
    pub(super) fn copy(text: &str) -> Self {
        if text.len() <= INLINE_CAPACITY {
            Self::inline(text)
        } else {
            Self::from_box(Box::from(text))
        }
    }

    fn inline(text: &str) -> Self {
        let mut repr = Repr {
            head: ptr::null(),
            tail: [0; 7],
            tag: Tag::inline(text.len()),
        };
        // SAFETY: the first 15 bytes of `Repr` are `head` and `tail`, plain storage here;
        // `text.len() <= 15`.
        unsafe {
            ptr::copy_nonoverlapping(text.as_ptr(), (&raw mut repr).cast::<u8>(), text.len());
        }
        repr
    }

    /// Takes ownership of boxed text (short text is moved inline and the box freed).
    pub(super) fn from_box(text: Box<str>) -> Self {
        if text.len() <= INLINE_CAPACITY {
            return Self::inline(&text);
        }
        let len = text.len();
        assert!(len < 1 << 56, "string of {len} bytes is too long");
        let head = Box::into_raw(text).cast::<u8>().cast_const();
        Repr {
            head,
            tail: len_bytes(len),
            tag: Tag::Heap,
        }
    }

    /// A new shared block holding `text`, with one reference (this value's).
    pub(super) fn new_shared(text: &str) -> Self {
        let len = text.len();
        assert!(len < 1 << 56, "string of {len} bytes is too long");
        let layout = shared_layout(len);
        // SAFETY: the layout has a non-zero size (the header).
        let block = unsafe { alloc::alloc(layout) };
        let Some(block) = NonNull::new(block) else {
            alloc::handle_alloc_error(layout)
        };
        // SAFETY: the block is fresh, aligned for `Count`, and `HEADER + len` bytes long.
        unsafe {
            block.cast::<Count>().write(Count::new(1));
            ptr::copy_nonoverlapping(text.as_ptr(), block.as_ptr().add(HEADER), len);
        }
        Repr {
            head: block.as_ptr().cast_const(),
            tail: len_bytes(len),
            tag: Tag::Shared,
        }
    }

    fn len(&self) -> usize {
        match self.tag {
            Tag::Static | Tag::Heap | Tag::Shared => {
                let t = self.tail;
                usize::from_le_bytes([t[0], t[1], t[2], t[3], t[4], t[5], t[6], 0])
            }
            inline => inline as usize,
        }
    }

    pub(super) fn as_str(&self) -> &str {
        let len = self.len();
        let data = match self.tag {
            Tag::Static | Tag::Heap => self.head,
            // SAFETY: a shared block's text starts after its header.
            Tag::Shared => unsafe { self.head.add(HEADER) },
            _ => (&raw const *self).cast::<u8>(),
        };
        // SAFETY: every form holds `len` bytes of UTF-8 at `data`, alive as long as `self`.
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(data, len)) }
    }

    /// True for the heap and shared forms.
    pub(super) fn is_allocated(&self) -> bool {
        matches!(self.tag, Tag::Heap | Tag::Shared)
    }

    pub(super) fn is_shared(&self) -> bool {
        self.tag == Tag::Shared
    }

    /// How many values hold this shared block (`None` for other forms).
    pub(super) fn share_count(&self) -> Option<usize> {
        (self.tag == Tag::Shared).then(|| self.count().load(Ordering::Acquire))
    }

    fn count(&self) -> &Count {
        debug_assert!(self.tag == Tag::Shared);
        // SAFETY: a shared block starts with its count and lives while a reference does.
        unsafe { &*self.head.cast::<Count>() }
    }

    /// Moves owned heap text out without copying; other forms copy.
    pub(super) fn into_string(self) -> String {
        if self.tag == Tag::Heap {
            let this = std::mem::ManuallyDrop::new(self);
            // SAFETY: the heap form owns a `Box<str>` of `len` bytes at `head`; `this` is not
            // dropped, so ownership moves to the box.
            let boxed: Box<str> = unsafe {
                Box::from_raw(
                    ptr::slice_from_raw_parts_mut(this.head.cast_mut(), this.len()) as *mut str,
                )
            };
            return boxed.into_string();
        }
        self.as_str().to_owned()
    }
}

fn shared_layout(len: usize) -> Layout {
    // Cannot fail: `len < 2^56`, far below `isize::MAX` minus the header.
    Layout::from_size_align(HEADER + len, std::mem::align_of::<Count>())
        .unwrap_or_else(|_| unreachable!("shared string layout of {len} bytes"))
}

impl Clone for Repr {
    fn clone(&self) -> Self {
        match self.tag {
            Tag::Heap => Self::from_box(Box::from(self.as_str())),
            Tag::Shared => {
                // As `Arc`: a new reference is made from an existing one, so relaxed suffices.
                let old = self.count().fetch_add(1, Ordering::Relaxed);
                if old > isize::MAX as usize {
                    std::process::abort();
                }
                Repr { ..*self }
            }
            _ => Repr { ..*self },
        }
    }
}

impl Drop for Repr {
    fn drop(&mut self) {
        match self.tag {
            Tag::Heap => {
                // SAFETY: the heap form owns a `Box<str>` of `len` bytes at `head`.
                drop(unsafe {
                    Box::from_raw(
                        ptr::slice_from_raw_parts_mut(self.head.cast_mut(), self.len()) as *mut str,
                    )
                });
            }
            Tag::Shared => {
                if self.count().fetch_sub(1, Ordering::Release) != 1 {
                    return;
                }
                atomic::fence(Ordering::Acquire);
                // SAFETY: this was the last reference; the block was allocated with this layout.
                unsafe { alloc::dealloc(self.head.cast_mut(), shared_layout(self.len())) };
            }
            _ => {}
        }
    }
}
