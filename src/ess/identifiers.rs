//! SIREN and SIRET numbers: the [`Siret`] type, SIREN keys, and the Luhn key they carry.

/// A SIRET held inline: 14 ASCII digits, no allocation. A national import holds
/// some 25 million of them at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Siret([u8; 14]);

impl Siret {
    /// `None` unless `s` is 14 ASCII digits.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let bytes: [u8; 14] = s.as_bytes().try_into().ok()?;
        bytes.iter().all(u8::is_ascii_digit).then_some(Self(bytes))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        // Digits only (see `parse`), so always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The SIREN: the SIRET's first nine digits.
    #[must_use]
    pub fn siren(&self) -> &str {
        &self.as_str()[..9]
    }

    /// The SIREN as a number (nine digits fit a `u32`): a compact map key.
    #[must_use]
    pub fn siren_key(self) -> u32 {
        digits_value(&self.0[..9])
    }
}

/// A SIREN as a number: `None` unless nine ASCII digits.
#[must_use]
pub fn siren_key(s: &str) -> Option<u32> {
    is_digits(s, 9).then(|| digits_value(s.as_bytes()))
}

/// The number written by ASCII digits (checked by the callers).
fn digits_value(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

/// Whether `s` is exactly `len` ASCII digits.
#[must_use]
pub fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a string of digits passes the Luhn check.
#[must_use]
pub fn luhn_ok(digits: &str) -> bool {
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && luhn_sum(digits).is_multiple_of(10)
}

fn luhn_sum(digits: &str) -> u32 {
    digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum()
}

/// The digit to append to `body` so that the result passes the Luhn check.
#[must_use]
pub fn luhn_digit(body: &str) -> char {
    let with_zero = format!("{body}0");
    let rest = luhn_sum(&with_zero) % 10;
    char::from(b'0' + ((10 - rest) % 10) as u8)
}

/// Whether a SIRET or SIREN passes the Luhn check, La Poste's establishments (SIREN
/// 356 000 000, numbered past what the key allows) excepted.
#[must_use]
pub fn siret_key_ok(number: &str) -> bool {
    luhn_ok(number) || number.starts_with("356000000")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sirets_are_fourteen_digits_and_carry_their_siren() {
        let s = Siret::parse("77567227200017").expect("valid");
        assert_eq!(s.as_str(), "77567227200017");
        assert_eq!(s.siren(), "775672272");
        assert_eq!(s.siren_key(), 775_672_272);
        assert_eq!(siren_key("775672272"), Some(775_672_272));
        assert_eq!(siren_key("000000001"), Some(1));
        for bad in [
            "7756722720001",
            "775672272000170",
            "7756722720001A",
            "７7567227200017",
        ] {
            assert_eq!(Siret::parse(bad), None, "{bad}");
        }
        assert_eq!(siren_key("77567227"), None);
        assert_eq!(siren_key("77567227X"), None);
    }

    #[test]
    fn luhn_accepts_real_numbers_and_la_poste() {
        assert!(siret_key_ok("77958412700012"));
        assert!(siret_key_ok("779584127"));
        assert!(!siret_key_ok("77958412700013"));
        assert!(siret_key_ok("35600000000048"));
        assert_eq!(luhn_digit("7795841270001"), '2');
    }
}
