//! A bounded load mix against a running server (issue 18), driven by
//! `benches/load.sh`: what a busy Département does at once, then 58 fiches at once.
//!
//! Phase 1, `DURATION` seconds, closed loops: cached commune tiles (`CONNS` clients),
//! `/api/indicators` at commune level on the département (`CONNS` clients), with
//! `FRANCE=1` one client of the commune level's compact form (France's communes only
//! when the server runs on a national database, as `benches/national.sh` builds), EPCI
//! profiles, organisations pages (one
//! client each), one PDF fiche per second, one staff edit of a portrait every half
//! second (when `STAFF_USER`/`STAFF_PASSWORD` are given). Phase 2: 58 concurrent
//! requests of one PDF fiche, cold then again once cached. Phase 3, `DURATION / 2`
//! seconds each: cached tiles alone, then `/api/indicators` alone (`CONNS` clients),
//! as the reproduction measured them (wrk, 8 connections, nothing else
//! running): latency under the same machine's full attention, not behind the mix.
//!
//! Prints per endpoint: requests, errors, req/s, p50/p99 (ms), bytes; the ratio of
//! indicators to tiles req/s; and the server's RSS (`/proc/PID`, `SERVER_PID`) before,
//! after and at its peak. Not a test: nothing here is timed against a goal.
//!
//! `cargo run --release --example load_mix -- http://127.0.0.1:8098`

#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    reason = "a bench tool"
)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Stats {
    latencies: Vec<Duration>,
    errors: u64,
    bytes: u64,
}

type Shared = Arc<Mutex<BTreeMap<&'static str, Stats>>>;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The server's resident memory and its peak, in MiB.
fn rss() -> (u64, u64) {
    let Ok(pid) = std::env::var("SERVER_PID") else {
        return (0, 0);
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            / 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Web Mercator tile of a WGS84 point.
fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let r = lat.to_radians();
    let y = (1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x as u32, y as u32)
}

fn tile_paths() -> Vec<String> {
    let mut out = Vec::new();
    for z in 8..=11 {
        let (x0, y0) = tile_of(1.55, 51.05, z);
        let (x1, y1) = tile_of(3.2, 50.0, z);
        for x in x0..=x1 {
            for y in y0..=y1 {
                out.push(format!("/tiles/communes/{z}/{x}/{y}.mvt"));
            }
        }
    }
    out
}

async fn one(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    name: &'static str,
    stats: &Shared,
    gzip: bool,
) {
    let started = Instant::now();
    let mut request = http.get(format!("{base}{path}"));
    if gzip {
        request = request.header("accept-encoding", "gzip");
    }
    let result = match request.send().await {
        Ok(r) => {
            let ok = r.status().is_success() || r.status().as_u16() == 304;
            r.bytes().await.ok().filter(|_| ok).map(|b| b.len() as u64)
        }
        Err(_) => None,
    };
    let elapsed = started.elapsed();
    let mut s = stats.lock().unwrap();
    let e = s.entry(name).or_default();
    match result {
        Some(n) => {
            e.latencies.push(elapsed);
            e.bytes += n;
        }
        None => e.errors += 1,
    }
}

/// A closed loop over `paths` until `end`, optionally paced to one request per `pace`.
#[allow(clippy::too_many_arguments)] // one loop's settings
fn spawn_loop(
    http: &reqwest::Client,
    base: &str,
    name: &'static str,
    paths: Arc<Vec<String>>,
    stats: &Shared,
    end: Instant,
    pace: Option<Duration>,
    offset: usize,
) -> tokio::task::JoinHandle<()> {
    let (http, base, stats) = (http.clone(), base.to_owned(), Arc::clone(stats));
    tokio::spawn(async move {
        let mut i = offset;
        while Instant::now() < end {
            let started = Instant::now();
            one(&http, &base, &paths[i % paths.len()], name, &stats, true).await;
            i += 1;
            if let Some(p) = pace {
                tokio::time::sleep(p.saturating_sub(started.elapsed())).await;
            }
        }
    })
}

/// `CONNS` closed loops over `paths` alone for `duration`, reported under `name`.
async fn alone(
    http: &reqwest::Client,
    base: &str,
    name: &'static str,
    paths: &Arc<Vec<String>>,
    conns: usize,
    duration: Duration,
) {
    let stats: Shared = Arc::default();
    let end = Instant::now() + duration;
    let tasks: Vec<_> = (0..conns)
        .map(|i| {
            spawn_loop(
                http,
                base,
                name,
                Arc::clone(paths),
                &stats,
                end,
                None,
                i * 7,
            )
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    println!("== {name} alone, {} s, {conns} clients", duration.as_secs());
    report(&stats, duration.as_secs_f64());
}

/// Signs in and edits a portrait's first section every half second until `end`.
async fn staff_edits(http: reqwest::Client, base: String, stats: Shared, end: Instant) {
    let (Ok(user), Ok(password)) = (std::env::var("STAFF_USER"), std::env::var("STAFF_PASSWORD"))
    else {
        return;
    };
    let login = http
        .post(format!("{base}/api/login"))
        .header("origin", &base)
        .json(&serde_json::json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap();
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let body: serde_json::Value = login.json().await.unwrap_or_default();
    let csrf = body["csrf"].as_str().unwrap_or_default().to_owned();
    let edition = std::env::var("EDITION").unwrap_or_else(|_| "2025".into());
    let mut n = 0;
    while Instant::now() < end {
        let started = Instant::now();
        let r = http
            .put(format!("{base}/api/portraits/ARR/{edition}"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .header("origin", &base)
            .json(&serde_json::json!({"jeux_acteurs": format!("Version {n}")}))
            .send()
            .await;
        let ok = matches!(&r, Ok(r) if r.status().is_success() || r.status().as_u16() == 409);
        let elapsed = started.elapsed();
        {
            let mut s = stats.lock().unwrap();
            let e = s.entry("staff PUT portrait").or_default();
            if ok {
                e.latencies.push(elapsed);
            } else {
                e.errors += 1;
            }
        }
        n += 1;
        tokio::time::sleep(Duration::from_millis(500).saturating_sub(started.elapsed())).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(stats: &Shared, seconds: f64) -> BTreeMap<&'static str, f64> {
    let mut rates = BTreeMap::new();
    println!(
        "{:<28} {:>8} {:>6} {:>9} {:>9} {:>9} {:>12}",
        "endpoint", "requests", "errors", "req/s", "p50 ms", "p99 ms", "bytes/req"
    );
    for (name, s) in stats.lock().unwrap().iter_mut() {
        s.latencies.sort();
        let n = s.latencies.len();
        let rate = n as f64 / seconds;
        rates.insert(*name, rate);
        println!(
            "{:<28} {:>8} {:>6} {:>9.0} {:>9.2} {:>9.2} {:>12}",
            name,
            n,
            s.errors,
            rate,
            percentile(&s.latencies, 0.5),
            percentile(&s.latencies, 0.99),
            if n == 0 { 0 } else { s.bytes / n as u64 }
        );
    }
    rates
}

#[tokio::main]
#[allow(clippy::too_many_lines)] // the mix, then the burst, read top to bottom
async fn main() {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8098".into());
    let duration = Duration::from_secs(env("DURATION", 20));
    let conns = usize::try_from(env("CONNS", 8)).unwrap();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let stats: Shared = Arc::default();
    let epci = Arc::new(vec![
        "200033579".to_owned(),
        "246200364".to_owned(),
        "200090751".to_owned(),
        "246200299".to_owned(),
    ]);
    let tiles = Arc::new(tile_paths());
    let indicators = Arc::new(vec![
        "/api/indicators?level=commune&indicator=ess_jobs".to_owned(),
        "/api/indicators?level=commune&indicator=ess_share_jobs".to_owned(),
        "/api/indicators?level=epci&indicator=ess_jobs".to_owned(),
    ]);
    let profiles = Arc::new(
        epci.iter()
            .map(|e| format!("/api/zones/epci/{e}/profile"))
            .collect::<Vec<_>>(),
    );
    let pages = Arc::new(
        (1..=20)
            .map(|p| format!("/api/organisations?page={p}&per_page=50"))
            .collect::<Vec<_>>(),
    );
    let fiches = Arc::new(
        epci.iter()
            .map(|e| format!("/epci/{e}/fiche.pdf"))
            .collect::<Vec<_>>(),
    );

    // Warm the caches the mix relies on (tiles, indicators, profiles): every path once.
    let warm: Shared = Arc::default();
    for p in tiles.iter().chain(indicators.iter()).chain(profiles.iter()) {
        one(&http, &base, p, "warm", &warm, true).await;
    }
    let (rss_before, _) = rss();
    let end = Instant::now() + duration;
    let mut tasks = Vec::new();
    for i in 0..conns {
        tasks.push(spawn_loop(
            &http,
            &base,
            "tiles (cached)",
            Arc::clone(&tiles),
            &stats,
            end,
            None,
            i * 7,
        ));
        tasks.push(spawn_loop(
            &http,
            &base,
            "indicators département",
            Arc::clone(&indicators),
            &stats,
            end,
            None,
            i,
        ));
    }
    if env("FRANCE", 0) == 1 {
        let france = Arc::new(vec![
            "/api/indicators?level=commune&indicator=ess_jobs&form=compact".to_owned(),
        ]);
        tasks.push(spawn_loop(
            &http,
            &base,
            "indicators France communes",
            france,
            &stats,
            end,
            None,
            0,
        ));
    }
    tasks.push(spawn_loop(
        &http,
        &base,
        "profiles",
        Arc::clone(&profiles),
        &stats,
        end,
        None,
        0,
    ));
    tasks.push(spawn_loop(
        &http,
        &base,
        "organisations pages",
        pages,
        &stats,
        end,
        None,
        0,
    ));
    tasks.push(spawn_loop(
        &http,
        &base,
        "fiche.pdf (1/s)",
        Arc::clone(&fiches),
        &stats,
        end,
        Some(Duration::from_secs(1)),
        0,
    ));
    tasks.push(tokio::spawn(staff_edits(
        http.clone(),
        base.clone(),
        Arc::clone(&stats),
        end,
    )));
    for t in tasks {
        t.await.unwrap();
    }
    println!(
        "== mix, {} s, {conns} clients on tiles and on indicators",
        duration.as_secs()
    );
    let rates = report(&stats, duration.as_secs_f64());
    if let (Some(t), Some(i)) = (
        rates.get("tiles (cached)"),
        rates.get("indicators département"),
    ) {
        println!("indicators / tiles req/s: {:.2}", i / t);
    }
    let (rss_after, peak) = rss();
    println!("server RSS: {rss_before} MiB before, {rss_after} MiB after, peak {peak} MiB");

    // 58 fiches at once, cold (a fiche not asked for yet), then again.
    let cold = "/epci/246200729/fiche.pdf".to_owned();
    for round in ["cold", "cached"] {
        let (before, _) = rss();
        let burst: Shared = Arc::default();
        let started = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..58 {
            let (http, base, burst, path) =
                (http.clone(), base.clone(), Arc::clone(&burst), cold.clone());
            handles.push(tokio::spawn(async move {
                one(&http, &base, &path, "58 fiches at once", &burst, false).await;
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        let seconds = started.elapsed().as_secs_f64();
        let (after, peak) = rss();
        println!(
            "== 58 concurrent fiche.pdf, {round}: {seconds:.2} s in all; RSS {before} → {after} MiB (peak {peak})"
        );
        report(&burst, seconds);
    }

    // Each alone, as the reproduction measured them.
    let half = duration / 2;
    alone(&http, &base, "tiles (cached)", &tiles, conns, half).await;
    alone(
        &http,
        &base,
        "indicators département",
        &indicators,
        conns,
        half,
    )
    .await;
}
