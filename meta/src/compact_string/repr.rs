//! The 16-byte representation behind [`CompactString`](super::CompactString).
//!
//! Two words, a pointer and a `NonZeroU64`, so values travel in registers (a struct with a byte
//! array in it is returned through memory, which made decoding a third slower) and `Option`
//! has a niche (the second word is never zero). The top byte of the second word is the tag:
//! - 1..=16, inline: up to 15 bytes of text in place (bytes 0..15 of the value, little-endian),
//!   length `tag - 1`;
//! - static: a pointer to `'static` text, never freed;
//! - heap: a pointer to text owned by this value alone (exactly its length, no capacity);
//! - shared: a pointer to a reference-counted block (`[count: AtomicUsize][text]`) that
//!   several values hold — how a cache keeps one copy of a string that thousands of its
//!   objects repeat (see [`crate::sharing`]).
//!
//! Pointer forms keep the length in the low 7 bytes of the second word (up to 2^56 bytes;
//! longer ones are refused when built — no such string exists in practice).

use std::alloc::{self, Layout};
use std::num::NonZeroU64;
use std::ptr::{self, NonNull};
use std::sync::atomic::{self, AtomicUsize, Ordering};

const _: () = assert!(std::mem::size_of::<usize>() == 8, "64-bit targets only");
const _: () = assert!(cfg!(target_endian = "little"), "little-endian targets only");

/// Longest text stored inline.
pub(crate) const INLINE_CAPACITY: usize = 15;

const TAG_SHIFT: u32 = 56;
const LEN_MASK: u64 = (1 << TAG_SHIFT) - 1;
const STATIC: u8 = 17;
const HEAP: u8 = 18;
const SHARED: u8 = 19;

/// Header of a shared block; the text follows it.
type Count = AtomicUsize;
const HEADER: usize = std::mem::size_of::<Count>();

#[repr(C)]
pub(super) struct Repr {
    /// The pointer of the pointer forms; text bytes 0..8 of the inline form.
    head: *const u8,
    /// Tag in the top byte; below it the length (pointer forms) or text bytes 8..15.
    meta: NonZeroU64,
}

const _: () = assert!(std::mem::size_of::<Repr>() == 16);
const _: () = assert!(std::mem::size_of::<Option<Repr>>() == 16);

// SAFETY: heap text is owned uniquely and never mutated; shared blocks are immutable apart
// from their atomic count; static text is immutable. Nothing is tied to a thread.
unsafe impl Send for Repr {}
unsafe impl Sync for Repr {}

const fn pointer_meta(tag: u8, len: usize) -> NonZeroU64 {
    match NonZeroU64::new(((tag as u64) << TAG_SHIFT) | (len as u64 & LEN_MASK)) {
        Some(meta) => meta,
        None => panic!("the tag makes the word non-zero"),
    }
}

impl Repr {
    pub(super) const EMPTY: Repr = Repr {
        head: ptr::null(),
        meta: pointer_meta(1, 0),
    };

    /// Points at `text` without copying it.
    pub(super) const fn from_static(text: &'static str) -> Self {
        Repr {
            head: text.as_ptr(),
            meta: pointer_meta(STATIC, text.len()),
        }
    }

    /// Copies `text`: inline when short, otherwise into an allocation of exactly its length.
    #[inline]
    pub(super) fn copy(text: &str) -> Self {
        if text.len() <= INLINE_CAPACITY {
            Self::inline(text)
        } else {
            Self::from_box(Box::from(text))
        }
    }

    #[inline]
    fn inline(text: &str) -> Self {
        let b = text.as_bytes();
        let n = b.len();
        debug_assert!(n <= INLINE_CAPACITY);
        // The text as a little-endian 128-bit register from at most three fixed-size loads
        // (overlapping when the length is not a power of two), as byteyarn does: no buffer on
        // the stack, no `memcpy` call.
        let text_bits: u128 = if n > 8 {
            match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
                (Some(lo), Some(hi)) => {
                    u128::from(u64::from_le_bytes(*lo))
                        | u128::from(u64::from_le_bytes(*hi)) << ((n - 8) * 8)
                }
                _ => 0,
            }
        } else if n > 3 {
            match (b.first_chunk::<4>(), b.last_chunk::<4>()) {
                (Some(lo), Some(hi)) => {
                    u128::from(u32::from_le_bytes(*lo))
                        | u128::from(u32::from_le_bytes(*hi)) << ((n - 4) * 8)
                }
                _ => 0,
            }
        } else if n > 0 {
            u128::from(b[0])
                | u128::from(b[n / 2]) << (n / 2 * 8)
                | u128::from(b[n - 1]) << ((n - 1) * 8)
        } else {
            0
        };
        let bits = text_bits | (n as u128 + 1) << 120;
        Repr {
            // Text, not an address: never dereferenced in the inline form.
            head: ptr::without_provenance(bits as u64 as usize),
            // SAFETY: the top byte is `n + 1 >= 1`.
            meta: unsafe { NonZeroU64::new_unchecked((bits >> 64) as u64) },
        }
    }

    /// Takes ownership of boxed text (short text is moved inline and the box freed).
    pub(super) fn from_box(text: Box<str>) -> Self {
        if text.len() <= INLINE_CAPACITY {
            return Self::inline(&text);
        }
        let len = text.len();
        assert!(len as u64 <= LEN_MASK, "string of {len} bytes is too long");
        let head = Box::into_raw(text).cast::<u8>().cast_const();
        Repr {
            head,
            meta: pointer_meta(HEAP, len),
        }
    }

    /// A new shared block holding `text`, with one reference (this value's).
    pub(super) fn new_shared(text: &str) -> Self {
        let len = text.len();
        assert!(len as u64 <= LEN_MASK, "string of {len} bytes is too long");
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
            meta: pointer_meta(SHARED, len),
        }
    }

    #[inline]
    fn tag(&self) -> u8 {
        (self.meta.get() >> TAG_SHIFT) as u8
    }

    #[inline]
    fn len(&self) -> usize {
        match self.tag() {
            tag @ 1..=16 => usize::from(tag - 1),
            _ => (self.meta.get() & LEN_MASK) as usize,
        }
    }

    #[inline]
    pub(super) fn as_str(&self) -> &str {
        let len = self.len();
        let data = match self.tag() {
            STATIC | HEAP => self.head,
            // SAFETY: a shared block's text starts after its header.
            SHARED => unsafe { self.head.add(HEADER) },
            _ => (&raw const *self).cast::<u8>(),
        };
        // SAFETY: every form holds `len` bytes of UTF-8 at `data`, alive as long as `self`
        // (the inline form's bytes are the first 15 of `self`, little-endian).
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(data, len)) }
    }

    /// True for the heap and shared forms.
    pub(super) fn is_allocated(&self) -> bool {
        matches!(self.tag(), HEAP | SHARED)
    }

    pub(super) fn is_shared(&self) -> bool {
        self.tag() == SHARED
    }

    /// How many values hold this shared block (`None` for other forms).
    pub(super) fn share_count(&self) -> Option<usize> {
        self.is_shared()
            .then(|| self.count().load(Ordering::Acquire))
    }

    fn count(&self) -> &Count {
        debug_assert!(self.is_shared());
        // SAFETY: a shared block starts with its count and lives while a reference does.
        unsafe { &*self.head.cast::<Count>() }
    }

    /// Moves owned heap text out without copying; other forms copy.
    pub(super) fn into_string(self) -> String {
        if self.tag() == HEAP {
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
        match self.tag() {
            HEAP => Self::from_box(Box::from(self.as_str())),
            SHARED => {
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
    #[inline]
    fn drop(&mut self) {
        match self.tag() {
            HEAP => {
                // SAFETY: the heap form owns a `Box<str>` of `len` bytes at `head`.
                drop(unsafe {
                    Box::from_raw(
                        ptr::slice_from_raw_parts_mut(self.head.cast_mut(), self.len()) as *mut str,
                    )
                });
            }
            SHARED => {
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
