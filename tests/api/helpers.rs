//! Spawns the real application on a random port with a fresh database.

use std::time::Duration;

use lianxin::{
    config::Config,
    domain::clock::Clock,
    secrets::Secrets,
    startup::{self, Application},
    unit_of_work::Context,
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub db: DatabaseConnection,
    pub client: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub backend: Backend,
    pub database_url: String,
    /// The server's clock: the system clock unless the test pinned it.
    pub clock: Clock,
    /// The server's secrets (the same key file it loaded).
    pub secrets: Secrets,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    /// The server's data directory (SQLite file, search index, evidence).
    pub fn data_dir(&self) -> &std::path::Path {
        self._data_dir.path()
    }

    /// What use cases need, on this app's database and clock.
    pub fn ctx(&self) -> Context<'_> {
        Context { db: &self.db, clock: &self.clock, secrets: &self.secrets }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request reaches the test server")
    }

    /// The CSRF token the server gave this client (fetching a page first if needed).
    pub async fn csrf(&self) -> String {
        let html = self.get("/login").await.text().await.unwrap();
        let re = regex::Regex::new(r#"name="csrf_token" value="([A-Za-z0-9]+)""#).unwrap();
        re.captures(&html).expect("pages carry a CSRF token")[1].to_string()
    }

    /// Posts a form with this client's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.client.post(self.url(path)).form(&all).send().await.expect("request reaches the test server")
    }

    /// Posts a multipart form (text fields and files) with this client's CSRF token added.
    pub async fn post_multipart(&self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, Vec<u8>)]) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new().text("csrf_token", self.csrf().await);
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        for (name, file_name, bytes) in files {
            form = form.part(name.to_string(), reqwest::multipart::Part::bytes(bytes.clone()).file_name(file_name.to_string()));
        }
        self.client.post(self.url(path)).multipart(form).send().await.expect("request reaches the test server")
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_form("/login", &[("username", username), ("password", password)]).await
    }

    /// The `Cookie` header this client sends (to copy it, as a thief would).
    pub fn cookie_header(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url = url::Url::parse(&self.address).unwrap();
        self.jar.cookies(&url).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }

    /// Waits until the `scores` job has counted every event written so far (the pages read
    /// what it wrote); panics if it never does.
    pub async fn scores_settled(&self) {
        use sea_orm::{EntityTrait, QueryOrder};
        let newest = entity::event::Entity::find().order_by_desc(entity::event::Column::Id).one(&self.db).await.unwrap().map(|e| e.id);
        let settled = eventually(|| async {
            let mark = entity::job_mark::Entity::find_by_id("scores".to_string()).one(&self.db).await.unwrap();
            mark.is_some_and(|m| Some(m.last_event_id) >= newest)
        })
        .await;
        assert!(settled, "the scores job counted every event up to {newest:?}");
    }

    /// Waits until this server's index follower has applied every event written so far.
    pub async fn index_settled(&self) {
        let newest = lianxin::jobs::marks::newest_event(&self.db).await.unwrap();
        let settled = eventually(|| async {
            let health: serde_json::Value = self.get("/healthz").await.json().await.unwrap();
            health["index"]["events_behind"] == 0 && health["index"]["applied"].as_i64() >= Some(newest)
        })
        .await;
        assert!(settled, "the index applied every event up to {newest}");
    }

    /// A second client with its own cookies, against the same server.
    pub fn another_client(&self) -> TestApp {
        let (client, jar) = client();
        TestApp {
            address: self.address.clone(),
            db: self.db.clone(),
            client,
            jar,
            backend: self.backend,
            database_url: self.database_url.clone(),
            clock: self.clock.clone(),
            secrets: self.secrets.clone(),
            _data_dir: tempfile::tempdir().unwrap(),
        }
    }
}

fn client() -> (reqwest::Client, std::sync::Arc<reqwest::cookie::Jar>) {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a reqwest client");
    (client, jar)
}

/// Polls `done` (never asserting on time) until it holds or 20 s pass; returns whether it held.
pub async fn eventually<F, Fut>(done: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if done().await {
            return true;
        }
        if std::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The PostgreSQL server the tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh, empty database: a SQLite file in `dir`, or a new PostgreSQL database.
pub async fn fresh_database_url(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL is required for the postgres half of the suite and is not reachable at \
                     {admin_url} ({e}). Start it or set TEST_DATABASE_URL."
                )
            });
            let name = format!("lianxin_test_{}", uuid_like());
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("the test user may create databases");
            admin.close().await.ok();
            let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
            url.set_path(&name);
            url.to_string()
        }
    }
}

fn uuid_like() -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..16).map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.random_range(0..36)])).collect()
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// A second server on the first one's database, with its own data directory and index, and the
/// secret they must share (as servers behind one load balancer do).
pub async fn spawn_beside(first: &TestApp) -> TestApp {
    let secret = std::fs::read_to_string(first.data_dir().join("secret.key")).expect("the first server's secret");
    spawn(first.backend, Some(first.database_url.clone()), Clock::system(), |c| c.secret_key = Some(secret.trim().to_string())).await
}

/// Spawns the app with a changed configuration.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn(backend, None, Clock::system(), adjust).await
}

/// Spawns the app with its clock pinned (move it with `app.clock.advance`).
pub async fn spawn_app_at(backend: Backend, at: chrono::DateTime<chrono::Utc>) -> TestApp {
    spawn(backend, None, Clock::fixed(at), |_| {}).await
}

/// Spawns the app with a changed configuration and, if given, its clock pinned.
pub async fn spawn_app_configured(
    backend: Backend,
    at: Option<chrono::DateTime<chrono::Utc>>,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    spawn(backend, None, at.map(Clock::fixed).unwrap_or_default(), adjust).await
}

async fn spawn(backend: Backend, database_url: Option<String>, clock: Clock, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("a temporary directory");
    let database_url = match database_url {
        Some(url) => url,
        None => fresh_database_url(backend, data_dir.path()).await,
    };
    let mut config = Config {
        bind: "127.0.0.1:0".into(),
        data_dir: data_dir.path().to_path_buf(),
        database_url: Some(database_url.clone()),
        demo_seed: 7,
        // Tests run the deadline check themselves, when they mean to.
        deadline_check_minutes: 0,
        // Scores follow every change at once; `scores_settled` waits for them.
        score_refresh_seconds: 0,
        ..Config::default()
    };
    adjust(&mut config);
    let db = startup::open_database(&config).await.expect("the test database opens and migrates");
    let app = Application::build(config.clone(), db.clone(), clock.clone()).await.expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let secrets = startup::secrets(&config).expect("the app's secret loads");
    let (client, jar) = client();
    TestApp { address, db, client, jar, backend, database_url, clock, secrets, _data_dir: data_dir }
}

/// Declares one test body that runs once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await;
                $body
            }

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $app = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await;
                $body
            }
        }
    };
}
