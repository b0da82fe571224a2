//! SIREN and SIRET numbers: the Luhn key they carry.

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
    fn luhn_accepts_real_numbers_and_la_poste() {
        assert!(siret_key_ok("77958412700012"));
        assert!(siret_key_ok("779584127"));
        assert!(!siret_key_ok("77958412700013"));
        assert!(siret_key_ok("35600000000048"));
        assert_eq!(luhn_digit("7795841270001"), '2');
    }
}
