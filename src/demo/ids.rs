//! SIREN, NIC/SIRET and RNA identifiers that look like INSEE's: SIREN and SIRET pass the
//! Luhn check, NICs are numbered `0001x`, `0002x`… with a last digit that makes the
//! SIRET pass.

use std::collections::HashSet;

use super::rng::Rng;
pub(super) use crate::ess::identifiers::{luhn_digit, luhn_ok};

/// Hands out SIRENs once each.
#[derive(Debug, Default)]
pub(super) struct Sirens {
    used: HashSet<String>,
}

impl Sirens {
    /// Reserves a given SIREN (e.g. an EPCI's own); false when taken or not valid.
    pub(super) fn reserve(&mut self, siren: &str) -> bool {
        siren.len() == 9 && luhn_ok(siren) && self.used.insert(siren.to_owned())
    }

    /// A new SIREN starting with `prefix` (may be empty), random elsewhere.
    pub(super) fn draw(&mut self, rng: &mut Rng, prefix: &str) -> String {
        loop {
            let mut body = String::with_capacity(9);
            body.push_str(prefix);
            if body.is_empty() {
                // Private units mostly start with 3 to 9; 1 and 2 are people and
                // public bodies.
                body.push(char::from(b'3' + rng.below(7) as u8));
            }
            while body.len() < 8 {
                body.push(char::from(b'0' + rng.below(10) as u8));
            }
            body.push(luhn_digit(&body));
            if self.used.insert(body.clone()) {
                return body;
            }
        }
    }
}

/// The NIC of the `ordinal`-th establishment of `siren` (1-based): four digits of
/// sequence and one that completes the SIRET's Luhn check.
#[must_use]
pub(super) fn nic(siren: &str, ordinal: u32) -> String {
    let body = format!("{ordinal:04}");
    let d = luhn_digit(&format!("{siren}{body}"));
    format!("{body}{d}")
}

/// An RNA number `W62` + office digit + six digits.
#[must_use]
pub(super) fn rna(rng: &mut Rng, office: u8) -> String {
    format!("W62{}{:06}", office % 10, rng.below(1_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_the_format_doc_examples() {
        for s in [
            "779584127",
            "802413773",
            "492185368",
            "77958412700012",
            "80241377300010",
        ] {
            assert!(luhn_ok(s), "{s}");
        }
        assert!(!luhn_ok("779584128"));
        assert!(!luhn_ok(""));
        assert_eq!(nic("779584127", 1), "00012");
        assert_eq!(nic("779584127", 2), "00020");
        assert_eq!(nic("802413773", 1), "00010");
    }

    #[test]
    fn drawn_sirens_are_unique_and_valid() {
        let mut rng = Rng::new(1);
        let mut s = Sirens::default();
        for _ in 0..2000 {
            let siren = s.draw(&mut rng, "");
            assert_eq!(siren.len(), 9);
            assert!(luhn_ok(&siren));
            assert!(luhn_ok(&format!("{siren}{}", nic(&siren, 3))));
        }
        assert!(!s.reserve("779584128"));
    }
}
