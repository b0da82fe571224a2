//! Several instances on one database, as behind a load balancer: what one of them (or
//! an import) writes, the others serve, and no state kept in one process lets a
//! client see a mix. Runs on both backends like the rest of the suite; PostgreSQL is
//! the one a multi-instance deployment uses.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, password_of, spawn_app, spawn_app_with};
use crate::registry::big_files;
use crate::tiles::organisations_at;

const ESTABLISHMENTS: &str =
    "/api/indicators?level=department&indicator=ess_establishments&edition=2023";

/// The version token in the organisations TileJSON of `app`.
async fn organisations_token(app: &TestApp) -> String {
    let tj = app.get_json("/tiles/organisations.json", 200).await;
    let template = tj["tiles"][0].as_str().unwrap();
    let query = template.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("v="))
        .expect("a version token")
        .to_owned()
}

/// Whether the organisations token of `app` satisfies `wanted` within 5 seconds.
async fn token_changes(app: &TestApp, wanted: impl Fn(&str) -> bool) -> bool {
    for _ in 0..50 {
        if wanted(&organisations_token(app).await) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn department_value(app: &TestApp) -> Value {
    app.get_json(ESTABLISHMENTS, 200).await["department"]["value"].clone()
}

/// The département's value `app` serves once it is `wanted`, or its last one after 5
/// seconds. On PostgreSQL an instance learns of another's import by a notification:
/// once it is delivered, not at once.
async fn department_value_becomes(app: &TestApp, wanted: &Value) -> Value {
    let mut value = department_value(app).await;
    for _ in 0..50 {
        if value == *wanted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        value = department_value(app).await;
    }
    value
}

/// Imports edition 2023 with `count` establishments through `app`, from files written
/// in a folder of `dir` of their own.
async fn import_2023(app: &TestApp, dir: &tempfile::TempDir, count: usize) {
    let (ul, et) = big_files(&dir.path().join(count.to_string()).tap_dir(), count);
    app.import_sirene(2023, "2023-12-31", &ul, &et, None)
        .await
        .unwrap();
}

/// A second instance on `app`'s database that does not poll the editions during the
/// test: what it serves must follow the database by itself, not by the poll.
async fn sibling_not_polling(app: &TestApp) -> TestApp {
    app.sibling(|cfg| cfg.editions_poll = Duration::from_hours(1))
        .await
}

/// The server processes of the test's PostgreSQL database that hear the editions'
/// notifications (each instance opens one such connection when it starts).
async fn listeners(pool: &sqlx::PgPool) -> Vec<i32> {
    sqlx::query_scalar(
        "SELECT pid FROM pg_stat_activity \
         WHERE datname = current_database() AND query = 'LISTEN \"ess_atlas_editions\"'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Waits (at most 10 s) until `count` connections other than `gone` hear the
/// editions' notifications (PostgreSQL; nothing to wait for on SQLite).
async fn wait_for_listeners(app: &TestApp, count: usize, gone: &[i32]) {
    let ess_atlas::db::Pool::Postgres(pool) = app.db.pool() else {
        return;
    };
    let mut heard = 0;
    for _ in 0..100 {
        heard = listeners(pool)
            .await
            .iter()
            .filter(|pid| !gone.contains(pid))
            .count();
        if heard >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{heard} of {count} instances hear the editions' notifications");
}

#[tokio::test]
async fn an_import_through_one_instance_is_served_within_moments_by_another() {
    let a = spawn_app().await;
    let b = sibling_not_polling(&a).await;
    let dir = tempfile::tempdir().unwrap();
    import_2023(&a, &dir, 30).await;

    // An edition `b` had never seen: listed, computed, tiled.
    let editions = b.get_json("/api/editions", 200).await;
    assert!(
        editions.to_string().contains("2023"),
        "edition unknown to b: {editions}"
    );
    assert_eq!(
        department_value_becomes(&b, &json!(30.0)).await,
        json!(30.0)
    );
    assert_eq!(organisations_at(&b, 6, "").await.1, 30);
    let token_before = organisations_token(&b).await;
    // `a` learns of the import by its own poll (every second here).
    assert!(
        token_changes(&a, |t| t == token_before).await,
        "a never noticed the import"
    );

    // The edition imported again, with more establishments, through `a`'s database,
    // while `b` keeps its answer (on PostgreSQL, with the editions' stamp in memory:
    // only the notification of the import can tell it).
    wait_for_listeners(&a, 2, &[]).await;
    assert_eq!(department_value(&b).await, json!(30.0));
    import_2023(&a, &dir, 45).await;

    // Indicators: `b`'s cube of 2023 is stale and rebuilt on the next request.
    assert_eq!(
        department_value_becomes(&b, &json!(45.0)).await,
        json!(45.0)
    );
    assert_eq!(
        b.get_json("/api/organisations?edition=2023&per_page=1", 200)
            .await["total"],
        45
    );

    // Tiles: `a` notices the import within its poll and hands out a new token; a
    // client sent to `b` with that token gets the new data at once, although `b`
    // has not polled since.
    assert!(
        token_changes(&a, |t| t != token_before).await,
        "a never noticed the second import"
    );
    let token = organisations_token(&a).await;
    let (_, total) = organisations_at(&b, 6, &format!("?v={token}&edition=2023")).await;
    assert_eq!(total, 45);
    assert_eq!(organisations_token(&b).await, token);
}

/// PostgreSQL: an instance whose notifications' connection is cut (the database
/// restarted, a proxy's idle timeout) listens again, and follows the imports made
/// elsewhere meanwhile and after.
#[tokio::test]
async fn an_instance_that_loses_the_editions_notifications_listens_again() {
    let a = spawn_app().await;
    let ess_atlas::db::Pool::Postgres(pool) = a.db.pool() else {
        return; // SQLite has no notifications: its stamp is read per request.
    };
    let b = sibling_not_polling(&a).await;
    let dir = tempfile::tempdir().unwrap();
    import_2023(&a, &dir, 30).await;
    wait_for_listeners(&a, 2, &[]).await;
    assert_eq!(
        department_value_becomes(&b, &json!(30.0)).await,
        json!(30.0)
    );

    let cut = listeners(pool).await;
    for pid in &cut {
        let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
            .bind(pid)
            .fetch_one(pool)
            .await
            .unwrap();
        assert!(ended, "cannot end the listener {pid}");
    }
    import_2023(&a, &dir, 40).await;
    assert_eq!(
        department_value_becomes(&b, &json!(40.0)).await,
        json!(40.0)
    );

    // Both listen again, on new connections, and `b` keeps following.
    wait_for_listeners(&a, 2, &cut).await;
    assert_eq!(department_value(&b).await, json!(40.0));
    import_2023(&a, &dir, 45).await;
    assert_eq!(
        department_value_becomes(&b, &json!(45.0)).await,
        json!(45.0)
    );
}

#[tokio::test]
async fn sessions_and_login_throttling_span_the_instances() {
    let a = spawn_app().await;
    let b = a.sibling(|_| {}).await;
    a.ensure_edition(2023).await;
    a.add_user("rita", "referent", &["ARR"]).await;

    // A session opened on `a` works on `b`, CSRF token included.
    let session = a.login("rita").await;
    let (status, me) = b
        .call(Method::GET, "/api/session", Some(&session), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(me["authenticated"], true);
    assert_eq!(me["user"]["username"], "rita");
    let (status, _) = b
        .call(
            Method::PUT,
            "/api/portraits/ARR/2023",
            Some(&session),
            Some(json!({"jeux_acteurs": "Écrit sur la seconde instance"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, portrait) = a
        .call(Method::GET, "/api/portraits/ARR/2023", Some(&session), None)
        .await;
    assert_eq!(status, 200);
    assert!(
        portrait
            .to_string()
            .contains("Écrit sur la seconde instance"),
        "{portrait}"
    );

    // Logging out on `a` ends the session on `b`.
    let (status, _) = a
        .call(Method::POST, "/api/logout", Some(&session), None)
        .await;
    assert!(status < 300, "logout: {status}");
    let (_, me) = b
        .call(Method::GET, "/api/session", Some(&session), None)
        .await;
    assert_eq!(me["authenticated"], false);
    let (status, _) = b
        .call(
            Method::PUT,
            "/api/portraits/ARR/2023",
            Some(&session),
            Some(json!({"jeux_acteurs": "x"})),
        )
        .await;
    assert_eq!(status, 401);

    // Failed logins spread over both instances add up: a load balancer does not
    // multiply the attempts an attacker gets.
    for i in 0..5 {
        let app = if i % 2 == 0 { &a } else { &b };
        let r = app.post_login("rita", "devine", None).await;
        assert_eq!(r.status().as_u16(), 401);
    }
    for app in [&a, &b] {
        let r = app.post_login("rita", &password_of("rita"), None).await;
        assert_eq!(r.status().as_u16(), 429);
    }
}

#[tokio::test]
async fn two_instances_importing_one_edition_at_once_leave_one_of_the_two() {
    let a = spawn_app().await;
    let b = a.sibling(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    // 40 and 45 rows: whichever lands second stays within the plausibility checks'
    // allowed fall (with 30, the 45-row import landing first made the other a refusal).
    let (ul40, et40) = big_files(&dir.path().join("40").tap_dir(), 40);
    let (ul45, et45) = big_files(&dir.path().join("45").tap_dir(), 45);
    let (first, second) = tokio::join!(
        a.import_sirene(2023, "2023-12-31", &ul40, &et40, None),
        b.import_sirene(2023, "2023-12-31", &ul45, &et45, None),
    );
    first.unwrap();
    second.unwrap();
    // One import replaced the other whole: never a mix, never both.
    let count = a.db.establishment_count(2023).await.unwrap();
    assert!(count == 40 || count == 45, "{count} establishments");
    assert_eq!(a.db.import_reports(2023).await.unwrap().len(), 2);
    for app in [&a, &b] {
        assert_eq!(department_value(app).await, json!(count as f64));
    }
}

/// POST /api/login as a client the proxy saw at `forwarded_for` (its
/// `X-Forwarded-For`); returns the status.
async fn login_via_proxy(
    app: &TestApp,
    forwarded_for: &str,
    username: &str,
    password: &str,
) -> u16 {
    app.http
        .post(format!("{}/api/login", app.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_load_balancer_throttling_counts_clients_not_the_proxy() {
    let a = spawn_app_with(|cfg| cfg.behind_proxy = true).await;
    let b = a.sibling(|cfg| cfg.behind_proxy = true).await;
    a.add_user("rita", "lecteur", &[]).await;
    // 30 failures from one client, over many user names and both instances; the
    // client forges a first address, the proxy appends the one it saw.
    for i in 0..30 {
        let app = if i % 2 == 0 { &a } else { &b };
        let status = login_via_proxy(
            app,
            "198.51.100.4, 203.0.113.7",
            &format!("inconnu-{i}"),
            "x",
        )
        .await;
        assert_eq!(status, 401);
    }
    for app in [&a, &b] {
        assert_eq!(
            login_via_proxy(app, "203.0.113.7", "rita", &password_of("rita")).await,
            429,
            "the throttled client"
        );
        assert_eq!(
            login_via_proxy(app, "198.51.100.4", "rita", &password_of("rita")).await,
            200,
            "another client behind the same proxy"
        );
    }

    // Reached directly (no --behind-proxy), the header is the client's own word and
    // is ignored: the connection's address is counted.
    let direct = a.sibling(|_| {}).await;
    for i in 0..30 {
        let forged = format!("192.0.2.{i}");
        assert_eq!(
            login_via_proxy(&direct, &forged, &format!("autre-{i}"), "x").await,
            401
        );
    }
    assert_eq!(
        login_via_proxy(&direct, "192.0.2.200", "rita", &password_of("rita")).await,
        429
    );
}

trait TapDir {
    fn tap_dir(self) -> Self;
}

impl TapDir for std::path::PathBuf {
    fn tap_dir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}
