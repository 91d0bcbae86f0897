//! An `i64` in a `NonZeroU64`, so `Option` of a timestamp costs no extra word.

use std::num::NonZeroU64;

const SIGN: u64 = 1 << 63;

/// An `i64` other than `i64::MIN`, stored as its bits with the sign bit flipped. The map is
/// monotonic (`i64::MIN` → 0, `0` → 2⁶³, `i64::MAX` → `u64::MAX`), so the derived order is the
/// numeric one, and the one value given up, `i64::MIN`, is the zero that `NonZeroU64` excludes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Count(NonZeroU64);

impl Count {
    pub(super) const ZERO: Self = match Self::new(0) {
        Some(c) => c,
        None => panic!("0 is representable"),
    };

    /// `None` for `i64::MIN`, the one value without a representation.
    pub(super) const fn new(v: i64) -> Option<Self> {
        match NonZeroU64::new(v as u64 ^ SIGN) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    pub(super) const fn get(self) -> i64 {
        (self.0.get() ^ SIGN) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keeps_order() {
        let values = [i64::MIN + 1, -86_400, -1, 0, 1, 1_795_687_200, i64::MAX];
        for w in values.windows(2) {
            let (a, b) = (Count::new(w[0]).unwrap(), Count::new(w[1]).unwrap());
            assert_eq!((a.get(), b.get()), (w[0], w[1]));
            assert!(a < b, "{} < {}", w[0], w[1]);
        }
        assert!(Count::new(i64::MIN).is_none());
        assert_eq!(Count::ZERO.get(), 0);
    }
}
