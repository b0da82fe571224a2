//! Spawning the application on a free port, and small request helpers.
//!
//! Backend: each test gets its own SQLite file, or, when `ESS_ATLAS_TEST_POSTGRES`
//! names a PostgreSQL server (`postgres://user@host:port/postgres`, a role that may
//! create databases), its own fresh database there, dropped when the test ends.
//! `./test.sh` runs the suite both ways.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use ess_atlas::config::Config;
use ess_atlas::db::Db;
use serde_json::Value;
use tempfile::TempDir;

pub struct TestApp {
    pub base: String,
    pub geography: std::sync::Arc<ess_atlas::geography::Geography>,
    pub database_url: String,
    pub http: reqwest::Client,
    pub db: Db,
    /// Where the app writes its e-mails (no SMTP in tests).
    pub outbox: std::path::PathBuf,
    /// A staff session, made on first use of [`TestApp::staff_json`].
    staff: tokio::sync::OnceCell<Session>,
    _dir: TempDir,
    /// The test's PostgreSQL database, when the suite runs on PostgreSQL.
    _postgres: Option<Arc<PgDatabase>>,
}

/// The PostgreSQL server the suite runs on, if any.
pub const TEST_POSTGRES: &str = "ESS_ATLAS_TEST_POSTGRES";

/// A database made for one test on the server of [`TEST_POSTGRES`], dropped with the
/// last app that uses it.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

/// Test databases by the SQLite URL they stand for, so that a test starting the app
/// twice with one configuration (a restart) finds its data again.
/// (An async mutex, held while a database is made: apps starting together must get
/// the same one.)
static PG_DATABASES: tokio::sync::Mutex<BTreeMap<String, Weak<PgDatabase>>> =
    tokio::sync::Mutex::const_new(BTreeMap::new());

impl PgDatabase {
    async fn create(admin_url: &str) -> Self {
        use sqlx::Connection;
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let name = format!("ess_atlas_test_{}_{n}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("the test PostgreSQL server answers");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("the test role may create databases");
        let mut url = reqwest::Url::parse(admin_url).expect("a postgres:// URL");
        url.set_path(&name);
        Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        }
    }
}

impl PgDatabase {
    /// A fresh, empty database on the suite's PostgreSQL server, dropped with the
    /// value (for tests that fill one themselves: restores, migrations).
    pub async fn fresh() -> Self {
        let admin_url = std::env::var(TEST_POSTGRES).expect("ESS_ATLAS_TEST_POSTGRES is set");
        Self::create(&admin_url).await
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        use sqlx::Connection;
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime: drop the database from a thread of
        // its own. FORCE ends the connections of the app's pool.
        let done = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(done, Ok(Some(_))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

/// On PostgreSQL, points `cfg` at the test database standing for its SQLite URL
/// (made on first use).
async fn use_postgres(cfg: &mut Config) -> Option<Arc<PgDatabase>> {
    let admin_url = std::env::var(TEST_POSTGRES)
        .ok()
        .filter(|u| !u.is_empty())?;
    if ess_atlas::db::is_postgres_url(&cfg.database_url) {
        return None;
    }
    let mut databases = PG_DATABASES.lock().await;
    let known = databases.get(&cfg.database_url).and_then(Weak::upgrade);
    let database = if let Some(d) = known {
        d
    } else {
        let d = Arc::new(PgDatabase::create(&admin_url).await);
        databases.insert(cfg.database_url.clone(), Arc::downgrade(&d));
        d
    };
    drop(databases);
    cfg.database_url.clone_from(&database.url);
    Some(database)
}

/// Starts the app on the shipped geodata, with a fresh database in a temporary directory.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// [`spawn_app`] with `tweak` applied to the test configuration.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::for_tests(dir.path());
    tweak(&mut cfg);
    spawn_with(cfg, dir).await
}

/// [`spawn_app_with`] for a configuration the app may refuse: its startup error.
pub async fn try_spawn_app_with(tweak: impl FnOnce(&mut Config)) -> anyhow::Result<TestApp> {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::for_tests(dir.path());
    tweak(&mut cfg);
    let postgres = use_postgres(&mut cfg).await;
    try_start(cfg, dir, postgres).await
}

/// Starts the app on exactly `database_url`, whatever backend the suite runs on.
pub async fn spawn_on(database_url: &str) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::for_tests(dir.path());
    cfg.database_url = database_url.to_owned();
    start(cfg, dir, None).await
}

/// Starts the app with `cfg`, keeping `dir` alive as long as the app.
pub async fn spawn_with(mut cfg: Config, dir: TempDir) -> TestApp {
    let postgres = use_postgres(&mut cfg).await;
    start(cfg, dir, postgres).await
}

async fn start(cfg: Config, dir: TempDir, postgres: Option<Arc<PgDatabase>>) -> TestApp {
    try_start(cfg, dir, postgres).await.expect("app starts")
}

async fn try_start(
    cfg: Config,
    dir: TempDir,
    postgres: Option<Arc<PgDatabase>>,
) -> anyhow::Result<TestApp> {
    ess_atlas::telemetry::init(std::io::sink);
    let database_url = cfg.database_url.clone();
    let outbox = cfg.mail.outbox_dir.clone();
    let app = ess_atlas::build_app(cfg).await?;
    let base = format!("http://{}", app.local_addr().unwrap());
    let db = app.db().clone();
    let geography = app.geography().clone();
    tokio::spawn(app.serve());
    Ok(TestApp {
        base,
        geography,
        database_url,
        http: reqwest::Client::new(),
        db,
        outbox,
        staff: tokio::sync::OnceCell::new(),
        _dir: dir,
        _postgres: postgres,
    })
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request sent")
    }

    /// GET `path`, asserting `status`, and parse the JSON body.
    pub async fn get_json(&self, path: &str, status: u16) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.json().await.expect("JSON body")
    }
}

impl TestApp {
    /// Another instance of the app on the same database, as behind a load balancer
    /// (its own caches, its own port); `tweak` adjusts its configuration.
    pub async fn sibling(&self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = Config::for_tests(dir.path());
        cfg.database_url = self.database_url();
        tweak(&mut cfg);
        spawn_with(cfg, dir).await
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone()
    }

    /// Imports SIRENE files into `year` through the real importer.
    pub async fn import_sirene(
        &self,
        year: i64,
        reference_date: &str,
        unites_legales: &Path,
        etablissements: &Path,
        geolocalisation: Option<&Path>,
    ) -> anyhow::Result<ess_atlas::import::ImportReport> {
        ess_atlas::operations::import_sirene(
            &self.db,
            self.geography.clone(),
            year,
            Some(reference_date.to_owned()),
            ess_atlas::import::sirene::SireneFiles {
                unites_legales: unites_legales.to_owned(),
                etablissements: etablissements.to_owned(),
                geolocalisation: geolocalisation.map(Path::to_owned),
            },
            false,
            false,
        )
        .await
    }

    /// Imports the sample rows of the SIRENE format document (tests/fixtures/sirene).
    pub async fn import_sample(
        &self,
        year: i64,
        reference_date: &str,
    ) -> ess_atlas::import::ImportReport {
        let dir = repo_path("tests/fixtures/sirene");
        self.import_sirene(
            year,
            reference_date,
            &dir.join("StockUniteLegale_sample.csv"),
            &dir.join("StockEtablissement_sample.csv"),
            Some(&dir.join("Geolocalisation_sample.csv")),
        )
        .await
        .expect("sample imports")
    }
}

pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A copy of the shipped geodata in `dir`, for tests that change it.
pub fn copy_geodata(dir: &Path) -> PathBuf {
    let target = dir.join("geodata");
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(repo_path("geodata")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
    }
    target
}

/// A logged-in session as a browser holds it: the cookie's token and the CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub csrf: String,
}

/// The password tests give to `username`.
pub fn password_of(username: &str) -> String {
    format!("mot-de-passe-{username}")
}

/// The session token in a response's `Set-Cookie`, if any.
pub fn session_token(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()?
                .trim()
                .strip_prefix(&format!("{}=", ess_atlas::auth::session::COOKIE_NAME))
                .map(str::to_owned)
        })
}

impl TestApp {
    /// Creates an account (cheap test hash) whose password is [`password_of`].
    pub async fn add_user(&self, username: &str, role: &str, territories: &[&str]) {
        let hash = ess_atlas::auth::password::hash(
            &password_of(username),
            ess_atlas::auth::password::Cost::Fast,
        )
        .unwrap();
        let territories: Vec<String> = territories.iter().map(|t| (*t).to_owned()).collect();
        self.db
            .create_user(username, username, role, &hash, &territories)
            .await
            .unwrap()
            .expect("new user");
    }

    /// Creates a partner account (role `partenaire`) of `organisation`, for
    /// `territories`, whose password is [`password_of`].
    pub async fn add_partner(&self, username: &str, organisation: &str, territories: &[&str]) {
        self.add_user(username, "partenaire", territories).await;
        assert!(
            self.db
                .set_user_organisation(username, Some(organisation))
                .await
                .unwrap()
        );
    }

    /// POST /api/login with `password`, sending `cookie` (a previous token) if given.
    pub async fn post_login(
        &self,
        username: &str,
        password: &str,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(format!("{}/api/login", self.base))
            .json(&serde_json::json!({"username": username, "password": password}));
        if let Some(token) = cookie {
            request = request.header(
                reqwest::header::COOKIE,
                format!("{}={token}", ess_atlas::auth::session::COOKIE_NAME),
            );
        }
        request.send().await.expect("request sent")
    }

    /// Logs `username` in and returns its session.
    pub async fn login(&self, username: &str) -> Session {
        let response = self
            .post_login(username, &password_of(username), None)
            .await;
        assert_eq!(response.status().as_u16(), 200, "login {username}");
        let token = session_token(&response).expect("session cookie");
        let body: Value = response.json().await.unwrap();
        Session {
            token,
            csrf: body["csrf"].as_str().expect("csrf token").to_owned(),
        }
    }

    /// A request with the session's cookie and CSRF token (when given).
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        session: Option<&Session>,
    ) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(s) = session {
            request = request
                .header(
                    reqwest::header::COOKIE,
                    format!("{}={}", ess_atlas::auth::session::COOKIE_NAME, s.token),
                )
                .header("x-csrf-token", &s.csrf);
        }
        request
    }

    /// Sends `method path` with an optional JSON body; returns status and JSON body
    /// (`Null` when the body is empty).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        session: Option<&Session>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.request(method, path, session);
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// GET `path` as staff (a `lecteur` account made on first use), asserting
    /// `status`, and parse the JSON body.
    pub async fn staff_json(&self, path: &str, status: u16) -> Value {
        let session = self
            .staff
            .get_or_init(|| async {
                self.add_user("lecteur-tests", "lecteur", &[]).await;
                self.login("lecteur-tests").await
            })
            .await;
        let response = self
            .request(reqwest::Method::GET, path, Some(session))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status().as_u16(), status, "GET {path} as staff");
        response.json().await.expect("JSON body")
    }

    /// Creates edition `year` (empty) if missing.
    pub async fn ensure_edition(&self, year: i64) {
        if self.db.edition(year).await.unwrap().is_none() {
            self.db
                .create_edition(year, &format!("{year}-12-31"), "")
                .await
                .unwrap();
        }
    }
}

/// Runs `futures` concurrently on this task and returns their outputs in order (what
/// `futures::future::join_all` does, without the dependency).
pub async fn join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut pending: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

impl TestApp {
    /// The e-mails in the outbox (`.eml` files, oldest first), as text (bodies
    /// decoded from quoted-printable).
    pub fn outbox_messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.outbox) else {
            return Vec::new();
        };
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| {
                ess_atlas::mail::decode_quoted_printable(
                    &std::fs::read_to_string(p).expect("an e-mail is text"),
                )
            })
            .collect()
    }

    /// The e-mails to `address` (its `To:` header), waiting up to 10 s until there
    /// are `count` of them (they are sent by a background task).
    pub async fn wait_for_mail(&self, address: &str, count: usize) -> Vec<String> {
        let to = format!("To: {address}");
        for _ in 0..200 {
            let found: Vec<String> = self
                .outbox_messages()
                .into_iter()
                .filter(|m| m.lines().any(|l| l.trim() == to))
                .collect();
            if found.len() >= count {
                return found;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "no {count} e-mail(s) to {address} in the outbox: {:?}",
            self.outbox_messages()
        );
    }
}
