//! Gathering a list's items before their count is known, into a vector of exactly that
//! length.
//!
//! Decoded objects live long in caches, so a list must not keep the slack of a growing
//! vector; gathering on the stack first costs one allocation of the right size. The storage
//! here is untyped (8-byte words, on the stack up to [`INLINE_BYTES`], then on the heap) and
//! its bookkeeping is not generic: each element type adds a push, a move-out and a drop of a
//! few lines, where a `SmallVec<[T; 8]>` per type added ≈ 800 lines of LLVM IR — for every
//! list type of the API, in every program that decodes.

use std::marker::PhantomData;
use std::mem::{align_of, size_of, MaybeUninit};
use std::ptr;

/// Bytes of items kept on the stack before spilling to the heap: eight containers, or
/// dozens of small items (ports, env vars, conditions).
const INLINE_BYTES: usize = 4096;
const INLINE_WORDS: usize = INLINE_BYTES / 8;

type Word = MaybeUninit<u64>;

/// Items of type `T` in gathering order.
pub(crate) struct Gather<T> {
    raw: RawGather,
    len: usize,
    _items: PhantomData<T>,
}

impl<T> Gather<T> {
    /// The storage is 8-byte aligned, so items may not need more (no API type does).
    const FITS: () = assert!(
        align_of::<T>() <= 8,
        "gathered items must align to 8 or less"
    );

    pub(crate) fn new() -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::FITS;
        Self {
            raw: RawGather::new(),
            len: 0,
            _items: PhantomData,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, item: T) {
        let slot = self.raw.next_slot(size_of::<T>()).cast::<T>();
        // SAFETY: `next_slot` returned room for one `T` past the items written so far,
        // aligned: the base is 8-aligned, `T` aligns to 8 or less, and every slot starts
        // at a multiple of `size_of::<T>()`, itself a multiple of `T`'s alignment.
        unsafe { slot.write(item) };
        self.len += 1;
    }

    /// Moves the items out into a vector whose capacity is its length, leaving `self`
    /// empty. Takes `&mut self`: moving the gatherer would copy its inline storage.
    pub(crate) fn take_vec(&mut self) -> Vec<T> {
        let len = self.len;
        let mut out = Vec::with_capacity(len);
        // SAFETY: the first `len` slots hold initialized items, which are moved (bitwise)
        // into `out`'s fresh allocation; `len` is reset so they are not dropped here too.
        unsafe {
            ptr::copy_nonoverlapping(self.raw.base().cast::<T>(), out.as_mut_ptr(), len);
            out.set_len(len);
        }
        self.len = 0;
        self.raw.clear();
        out
    }
}

impl<T> Drop for Gather<T> {
    fn drop(&mut self) {
        // Items left behind when decoding failed halfway.
        if std::mem::needs_drop::<T>() && self.len > 0 {
            // SAFETY: the first `len` slots hold initialized items not moved out.
            unsafe {
                ptr::drop_in_place(ptr::slice_from_raw_parts_mut(
                    self.raw.base().cast::<T>(),
                    self.len,
                ))
            };
        }
    }
}

/// Untyped, growable, 8-byte-aligned storage: inline words first, heap words after.
struct RawGather {
    inline: [Word; INLINE_WORDS],
    heap: Vec<Word>,
    /// Bytes in use.
    used: usize,
}

impl RawGather {
    fn new() -> Self {
        Self {
            inline: [MaybeUninit::uninit(); INLINE_WORDS],
            heap: Vec::new(),
            used: 0,
        }
    }

    fn capacity(&self) -> usize {
        if self.heap.capacity() > 0 {
            self.heap.capacity() * 8
        } else {
            INLINE_BYTES
        }
    }

    fn base(&mut self) -> *mut u8 {
        if self.heap.capacity() > 0 {
            self.heap.as_mut_ptr().cast()
        } else {
            self.inline.as_mut_ptr().cast()
        }
    }

    /// Room for `size` more bytes; returns where they start.
    fn next_slot(&mut self, size: usize) -> *mut u8 {
        let needed = self.used + size;
        if needed > self.capacity() {
            self.grow(needed);
        }
        // SAFETY: `used + size` fits the storage `base` points to.
        let slot = unsafe { self.base().add(self.used) };
        self.used = needed;
        slot
    }

    #[cold]
    fn grow(&mut self, needed: usize) {
        let words = needed.div_ceil(8).max(self.capacity() / 8 * 2);
        let mut heap: Vec<Word> = Vec::with_capacity(words);
        // SAFETY: the first `used` bytes move to the new storage, which is larger; the old
        // storage is then forgotten bytewise (`Word` has no drop).
        unsafe { ptr::copy_nonoverlapping(self.base(), heap.as_mut_ptr().cast::<u8>(), self.used) };
        self.heap = heap;
    }

    fn clear(&mut self) {
        self.used = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn keeps_order_and_gives_an_exact_vector() {
        for n in [0usize, 1, 7, 8, 9, 300, 5000] {
            let mut g = Gather::new();
            for i in 0..n {
                g.push(format!("item {i}"));
            }
            let v = g.take_vec();
            assert_eq!(v.len(), n);
            assert_eq!(v.capacity(), n);
            assert!(v.iter().enumerate().all(|(i, s)| *s == format!("item {i}")));
        }
    }

    #[test]
    fn items_of_odd_sizes_and_alignments() {
        let mut g = Gather::<(u8, u16)>::new();
        for i in 0..2000u16 {
            g.push((i as u8, i));
        }
        let v = g.take_vec();
        assert!(v
            .iter()
            .enumerate()
            .all(|(i, &(a, b))| a == i as u8 && b == i as u16));
        let mut g = Gather::<[u64; 100]>::new();
        for i in 0..50u64 {
            g.push([i; 100]);
        }
        let v = g.take_vec();
        assert!(v
            .iter()
            .enumerate()
            .all(|(i, a)| a.iter().all(|&x| x == i as u64)));
    }

    #[test]
    fn reusable_after_take() {
        let mut g = Gather::new();
        g.push(1u32);
        assert_eq!(g.take_vec(), vec![1]);
        g.push(2);
        g.push(3);
        assert_eq!(g.take_vec(), vec![2, 3]);
    }

    #[test]
    fn items_left_behind_are_dropped_once() {
        let counter = Rc::new(());
        {
            let mut g = Gather::new();
            for _ in 0..1000 {
                g.push(Rc::clone(&counter));
            }
            assert_eq!(Rc::strong_count(&counter), 1001);
        }
        assert_eq!(Rc::strong_count(&counter), 1);
        let mut g = Gather::new();
        g.push(Rc::clone(&counter));
        let v = g.take_vec();
        drop(g);
        assert_eq!(Rc::strong_count(&counter), 2);
        drop(v);
        assert_eq!(Rc::strong_count(&counter), 1);
    }

    #[test]
    fn zero_sized_items_are_counted() {
        let mut g = Gather::new();
        for _ in 0..10 {
            g.push(());
        }
        assert_eq!(g.take_vec().len(), 10);
    }
}
