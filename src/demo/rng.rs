//! The generator's own pseudo-random numbers: `SplitMix64` (Steele, Lea and Flood, 2014).
//!
//! Hand-written on purpose: the demo files must stay byte-identical for a given seed
//! across crate upgrades, so the sequence may not depend on an external crate's
//! algorithm choices. Do not change the constants or the derivations below without
//! accepting that every seed produces new files.

/// A `SplitMix64` stream.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

/// The `SplitMix64` output function, also used to derive independent values from keys.
#[must_use]
pub(super) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A value derived from a key and a salt, the same every time (per-edition details of
/// an establishment are drawn this way, so that editions agree with each other).
#[must_use]
pub(super) fn derive(key: u64, salt: u64) -> u64 {
    mix(key ^ mix(salt.wrapping_add(0x9E37_79B9_7F4A_7C15)))
}

/// A value in `[0, 1)` derived from a key and a salt.
#[must_use]
pub(super) fn derive_unit(key: u64, salt: u64) -> f64 {
    (derive(key, salt) >> 11) as f64 / (1u64 << 53) as f64
}

impl Rng {
    #[cfg(test)]
    #[must_use]
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// An independent stream for one part of the generation, so that adding draws to
    /// one part does not shift the others.
    #[must_use]
    pub(super) fn fork(seed: u64, stream: &str) -> Self {
        let salt = stream.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
        });
        Self(derive(seed, salt))
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `[0, n)`; `n` must be positive.
    pub(super) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a slice of length `n > 0`.
    pub(super) fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in `[lo, hi]`.
    pub(super) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    pub(super) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Approximately normal (sum of four uniforms), mean 0, standard deviation 1.
    pub(super) fn normal(&mut self) -> f64 {
        let s: f64 = (0..4).map(|_| self.unit()).sum();
        (s - 2.0) * 3.0_f64.sqrt()
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    pub(super) fn pick_copied<T: Copy>(&mut self, items: &[T]) -> T {
        *self.pick(items)
    }

    pub(super) fn weighted_copied<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        *self.weighted(items)
    }

    /// An item drawn with probability proportional to its weight.
    pub(super) fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut r = self.below(total.max(1));
        for (item, w) in items {
            let w = u64::from(*w);
            if r < w {
                return item;
            }
            r -= w;
        }
        &items[items.len() - 1].0
    }

    /// Fisher–Yates.
    pub(super) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs of SplitMix64 seeded with 1234567 (reference C implementation).
        let mut r = Rng::new(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(r.next_u64(), 9_817_491_932_198_370_423);
    }

    #[test]
    fn draws_stay_in_their_ranges() {
        let mut r = Rng::new(7);
        for _ in 0..1000 {
            assert!(r.below(10) < 10);
            let b = r.between(3, 5);
            assert!((3..=5).contains(&b));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
