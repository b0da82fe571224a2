//! Per-address rate limits on the public API and the documents (issue 21): a token
//! bucket per client address, two budgets, 429 with `Retry-After` when one is spent.
//!
//! What is counted, and why:
//! - **documents** ([`Class::Documents`]): the fiches of `/territoires/{code}/{file}`
//!   and `/epci/{siren}/{file}` (PDF, ODT, XLSX, CSV, HTML), the open data files of
//!   `/donnees/{edition}/{file}`, the compendium and the organisations exports
//!   (`/api/organisations.csv`, `.geojson`, `/api/recueils/…`, consultation exports):
//!   each may cost a render or a large body, so their budget is small;
//! - **API reads** ([`Class::Api`]): every other `/api/…` request;
//! - **not counted**: the vector tiles (a map session asks for dozens per second while
//!   panning, and they are served from a cache that costs a lookup; the router adds
//!   this layer before the tile routes, and [`crate::api::tiles::FastTiles`] answers
//!   cached tiles before the router), the pages, scripts and styles of `web/`.
//!
//! A budget of `N` per minute is a bucket of `N` tokens refilled at `N / 60` per
//! second: a burst of `N` requests passes, then one every `60 / N` seconds. `0` turns
//! a limit off (`--rate-limit-api 0`, used by `benches/load.sh`, which fires thousands
//! of requests from one address). Staff are not limited: when a request is over
//! budget and carries a session cookie, the session is checked (one database read,
//! only then) and a member of staff passes.
//!
//! The client address is the one [`super::session`] uses for login throttling (the
//! connection's, or the last `X-Forwarded-For` entry behind a trusted proxy). IPv6
//! addresses count per /64, the block one subscriber usually gets, so that a client
//! cannot get a fresh budget by changing the low bits of its address.
//!
//! Memory is bounded: the buckets live in two generations of at most `capacity / 2`
//! addresses each. When the current one is full it becomes the previous one and the
//! older is dropped; an address found in the previous generation moves back. So at
//! most `capacity` buckets exist, and an address not seen for a whole generation
//! starts again with a full bucket — which is also what it would have by then unless
//! more than `capacity / 2` addresses were active meanwhile (a flood of addresses can
//! thus reset others' buckets: the limiter fails open, never closed). The `governor`
//! crate was not used: its keyed limiter grows until `retain_recent` is called from a
//! timer and has no bound of its own, and the whole of this is a hundred lines.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;

/// Addresses whose buckets are kept at most (two generations of half this).
pub const DEFAULT_CAPACITY: usize = 65_536;

/// Which budget a request draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Api,
    Documents,
    /// Tiles, pages and static files.
    Free,
}

/// The budget `path` draws on.
#[must_use]
pub fn classify(path: &str) -> Class {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["territoires" | "epci" | "donnees", _, file] if !file.is_empty() => Class::Documents,
        ["api", "organisations.csv" | "organisations.geojson"]
        | ["api", "recueils", _, _]
        | ["api", "consultations", _, "export.csv" | "export.xlsx"] => Class::Documents,
        ["api", ..] => Class::Api,
        _ => Class::Free,
    }
}

/// The outcome of one request against a limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Over budget: the next token comes in this many seconds (at least 1).
    Limited {
        retry_after: u64,
    },
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

#[derive(Default)]
struct Generations {
    current: HashMap<IpAddr, Bucket>,
    previous: HashMap<IpAddr, Bucket>,
}

/// A token bucket per address, bounded in the number of addresses it remembers.
pub struct RateLimiter {
    per_minute: u32,
    generation: usize,
    buckets: Mutex<Generations>,
}

impl RateLimiter {
    /// `per_minute` requests per minute per address (0: no limit), remembering at
    /// most `capacity` addresses.
    #[must_use]
    pub fn new(per_minute: u32, capacity: usize) -> Self {
        Self {
            per_minute,
            generation: (capacity / 2).max(1),
            buckets: Mutex::default(),
        }
    }

    /// Counts one request from `addr` now.
    pub fn check(&self, addr: IpAddr) -> Decision {
        self.check_at(addr, Instant::now())
    }

    /// Counts one request from `addr` at `now`.
    pub fn check_at(&self, addr: IpAddr, now: Instant) -> Decision {
        if self.per_minute == 0 {
            return Decision::Allowed;
        }
        let burst = f64::from(self.per_minute);
        let per_second = burst / 60.0;
        let key = block(addr);
        let mut generations = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = generations
            .current
            .get(&key)
            .copied()
            .or_else(|| generations.previous.remove(&key));
        let mut bucket = found.unwrap_or(Bucket {
            tokens: burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(burst);
        bucket.updated = now;
        let decision = if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Decision::Allowed
        } else {
            let wait = ((1.0 - bucket.tokens) / per_second).ceil();
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a wait of at most 60 s, positive"
            )]
            let retry_after = (wait as u64).max(1);
            Decision::Limited { retry_after }
        };
        if !generations.current.contains_key(&key) && generations.current.len() >= self.generation {
            generations.previous = std::mem::take(&mut generations.current);
        }
        generations.current.insert(key, bucket);
        decision
    }

    /// Addresses remembered now (both generations).
    #[must_use]
    pub fn len(&self) -> usize {
        let generations = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        generations.current.len() + generations.previous.len()
    }

    /// Whether no address is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The key an address is counted under: itself for IPv4, its /64 for IPv6.
fn block(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

/// The two budgets of the server.
pub struct RateLimits {
    pub api: RateLimiter,
    pub documents: RateLimiter,
}

impl RateLimits {
    /// Budgets per minute and per address (0: no limit).
    #[must_use]
    pub fn new(api_per_minute: u32, documents_per_minute: u32) -> Self {
        Self {
            api: RateLimiter::new(api_per_minute, DEFAULT_CAPACITY),
            documents: RateLimiter::new(documents_per_minute, DEFAULT_CAPACITY),
        }
    }
}

/// The middleware: counts the request against its budget, answers 429 when spent.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limiter = match classify(request.uri().path()) {
        Class::Api => &state.rate_limits.api,
        Class::Documents => &state.rate_limits.documents,
        Class::Free => return next.run(request).await,
    };
    let Some(addr) =
        super::session::client_addr(request.headers(), request.extensions(), state.behind_proxy)
    else {
        return next.run(request).await;
    };
    if let Decision::Limited { retry_after } = limiter.check(addr) {
        let (mut parts, body) = request.into_parts();
        let staff = matches!(
            <super::session::Viewer as axum::extract::FromRequestParts<AppState>>::from_request_parts(
                &mut parts, &state,
            )
            .await,
            Ok(viewer) if viewer.is_staff()
        );
        if !staff {
            return ApiError::TooManyRequests {
                message: format!(
                    "trop de requêtes depuis votre adresse : réessayez dans {retry_after} s \
                     (voir l'en-tête Retry-After)"
                ),
                retry_after: i64::try_from(retry_after).unwrap_or(60),
            }
            .into_response();
        }
        return next.run(Request::from_parts(parts, body)).await;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn v4(n: u32) -> IpAddr {
        IpAddr::V4(n.into())
    }

    #[test]
    fn paths_draw_on_their_budget() {
        for (path, class) in [
            ("/territoires/ARR/fiche.pdf", Class::Documents),
            ("/epci/200033579/fiche.odt", Class::Documents),
            ("/donnees/2023/communes.csv", Class::Documents),
            ("/api/organisations.csv", Class::Documents),
            ("/api/recueils/3/recueil.pdf", Class::Documents),
            ("/api/communes/62041", Class::Api),
            ("/api/indicators", Class::Api),
            ("/tiles/communes/8/130/85", Class::Free),
            ("/territoires/ARR", Class::Free),
            ("/js/app.js", Class::Free),
            ("/", Class::Free),
        ] {
            assert_eq!(classify(path), class, "{path}");
        }
    }

    #[test]
    fn a_burst_passes_then_the_bucket_refills() {
        let limiter = RateLimiter::new(60, 16);
        let t0 = Instant::now();
        for _ in 0..60 {
            assert_eq!(limiter.check_at(v4(1), t0), Decision::Allowed);
        }
        assert_eq!(
            limiter.check_at(v4(1), t0),
            Decision::Limited { retry_after: 1 }
        );
        // Another address has its own bucket.
        assert_eq!(limiter.check_at(v4(2), t0), Decision::Allowed);
        // One token a second.
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(limiter.check_at(v4(1), t1), Decision::Allowed);
        assert!(matches!(
            limiter.check_at(v4(1), t1),
            Decision::Limited { .. }
        ));
    }

    #[test]
    fn retry_after_says_when_the_next_token_comes() {
        let limiter = RateLimiter::new(6, 16);
        let t0 = Instant::now();
        for _ in 0..6 {
            limiter.check_at(v4(1), t0);
        }
        assert_eq!(
            limiter.check_at(v4(1), t0),
            Decision::Limited { retry_after: 10 }
        );
    }

    #[test]
    fn zero_is_no_limit() {
        let limiter = RateLimiter::new(0, 16);
        let t0 = Instant::now();
        for _ in 0..10_000 {
            assert_eq!(limiter.check_at(v4(1), t0), Decision::Allowed);
        }
        assert!(limiter.is_empty());
    }

    #[test]
    fn memory_stays_bounded_under_many_addresses() {
        let limiter = RateLimiter::new(10, 1000);
        let t0 = Instant::now();
        for n in 0..200_000 {
            limiter.check_at(v4(n), t0);
            assert!(limiter.len() <= 1000, "{} addresses kept", limiter.len());
        }
        // A recent address is still counted.
        let recent = v4(199_999);
        for _ in 0..9 {
            assert_eq!(limiter.check_at(recent, t0), Decision::Allowed);
        }
        assert!(matches!(
            limiter.check_at(recent, t0),
            Decision::Limited { .. }
        ));
    }

    #[test]
    fn ipv6_counts_per_64_block() {
        let limiter = RateLimiter::new(2, 16);
        let t0 = Instant::now();
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(limiter.check_at(a, t0), Decision::Allowed);
        assert_eq!(limiter.check_at(b, t0), Decision::Allowed);
        assert!(matches!(limiter.check_at(a, t0), Decision::Limited { .. }));
        assert_eq!(limiter.check_at(other, t0), Decision::Allowed);
    }
}
