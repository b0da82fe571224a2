//! Session and anti-CSRF tokens, and the limits that govern sessions and logins.
//!
//! A session token is 32 random bytes (hex) handed to the browser in a cookie; the
//! database keeps only its SHA-256, so that reading the database does not give a
//! working session. A new token is issued at every login (no session fixation).

use sha2::{Digest, Sha256};

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "ess_atlas_session";
/// A session lasts this long after login, then the user logs in again.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// Failed logins counted within this window…
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
/// …at most this many per user name…
pub const MAX_FAILURES_PER_USER: i64 = 5;
/// …and this many per client address.
pub const MAX_FAILURES_PER_IP: i64 = 30;

#[derive(Debug, thiserror::Error)]
#[error("no random source: {0}")]
pub struct RandomError(String);

/// A fresh random token: 32 bytes, lower-case hex.
pub fn new_token() -> Result<String, RandomError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    Ok(hex(&bytes))
}

/// What the database stores for a session token.
#[must_use]
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Constant-time comparison of two tokens (the CSRF check).
#[must_use]
pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Lower-case hex of `bytes`.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[test]
    fn token_comparison() {
        assert!(tokens_equal("abc", "abc"));
        assert!(!tokens_equal("abc", "abd"));
        assert!(!tokens_equal("abc", "ab"));
    }
}
