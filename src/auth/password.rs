//! Password hashing with argon2id (PHC strings, salt from the OS generator).
//!
//! Verification reads the parameters from the stored hash, so hashes made with
//! [`Cost::Fast`] (tests only) and [`Cost::Standard`] are both checked correctly.
//! Both functions are CPU-heavy: call them from `spawn_blocking`.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Argon2 cost settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// The argon2 crate's defaults for argon2id (19 MiB, 2 passes, as OWASP recommends).
    Standard,
    /// Cheap parameters for tests, where hundreds of hashes must stay fast. Never use
    /// for real accounts.
    Fast,
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("no random source: {0}")]
    Random(String),
}

fn hasher(cost: Cost) -> Result<Argon2<'static>, PasswordError> {
    let params = match cost {
        Cost::Standard => Params::default(),
        Cost::Fast => {
            Params::new(256, 1, 1, None).map_err(|e| PasswordError::Hash(e.to_string()))?
        }
    };
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes `password` with a fresh random salt; returns the PHC string.
pub fn hash(password: &str, cost: Cost) -> Result<String, PasswordError> {
    let mut salt = [0_u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PasswordError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    hasher(cost)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Does `password` match the PHC string `stored`? A malformed hash never matches.
#[must_use]
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Spends the time of one standard verification, for unknown user names: the answer
/// time does not tell whether an account exists.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if let Some(h) = DUMMY.get_or_init(|| hash("not a password", Cost::Standard).ok()) {
        let _ = verify(password, h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse", Cost::Fast).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("correct hors", &h));
        assert!(!verify("correct horse", "not a hash"));
    }

    #[test]
    fn two_hashes_of_one_password_differ() {
        assert_ne!(
            hash("x", Cost::Fast).unwrap(),
            hash("x", Cost::Fast).unwrap()
        );
    }
}
