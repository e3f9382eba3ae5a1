//! Builds the application from a config: connect, migrate, load templates, bind.

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::{SessionMiddleware, config::CookieContentSecurity, storage::CookieSessionStore};
use actix_web::{
    App, HttpServer,
    cookie::{Key, SameSite},
    dev::Server,
    middleware, web,
};
use sea_orm::DatabaseConnection;

use crate::{config::Config, db, domain::clock::Clock, state::AppState};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Db(#[from] db::DbSetupError),
    #[error("无法监听 {addr}：{reason}")]
    Bind { addr: String, reason: String },
    #[error("模板加载失败：{0}")]
    Templates(String),
    #[error("演示数据生成失败：{0}")]
    Demo(String),
    #[error("会话密钥无效：{0}")]
    SessionKey(String),
    #[error("搜索索引无法打开：{0}")]
    Search(#[from] crate::search::SearchError),
}

pub struct Application {
    port: u16,
    server: Server,
}

/// Connects and migrates: the first step of every command that touches the database.
pub async fn open_database(config: &Config) -> Result<DatabaseConnection, StartupError> {
    db::ensure_data_dir(&config.data_dir)?;
    let conn = db::connect(&config.database_url()).await?;
    db::migrate(&conn).await?;
    Ok(conn)
}

impl Application {
    pub async fn build(config: Config, db: DatabaseConnection, clock: Clock) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| StartupError::Bind { addr: config.bind.clone(), reason: describe_bind_error(&e) })?;
        let port = listener.local_addr().map_err(|e| StartupError::Bind { addr: config.bind.clone(), reason: e.to_string() })?.port();
        let tera = crate::web::templates::load().map_err(|e| StartupError::Templates(crate::error::AppError::from(e).to_string()))?;
        let key = session_key(&config)?;
        let search = open_search(&config, &db).await?;
        let cookie_secure = config.cookie_secure;
        let routing: crate::background::RoutingSlot = Arc::default();
        let jobs = crate::background::start(&config, &db, &clock, &search, &routing);
        let state = AppState {
            db,
            clock,
            cookie_key: key.clone(),
            tera: Arc::new(tera),
            config: Arc::new(config),
            limiter: Arc::default(),
            search,
            routing,
            jobs,
        };
        let server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                .cookie_name("lianxin_session".into())
                .cookie_secure(cookie_secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_content_security(CookieContentSecurity::Private)
                .build();
            App::new()
                .app_data(web::Data::new(state.clone()))
                .wrap(middleware::from_fn(crate::web::session::identify))
                .wrap(middleware::from_fn(crate::web::csrf::issue))
                .wrap(sessions)
                .wrap(crate::web::security_headers())
                .wrap(middleware::Compress::default())
                .wrap(middleware::Logger::new("%a \"%{request}xi\" %s %Dms").custom_request_replace("request", loggable_request))
                .configure(crate::web::configure)
        })
        .listen(listener)
        .map_err(|e| StartupError::Bind { addr: String::new(), reason: e.to_string() })?
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn describe_bind_error(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::AddrInUse => "端口已被占用，请换一个端口（--bind 127.0.0.1:8081）".into(),
        std::io::ErrorKind::PermissionDenied => "没有权限使用该端口".into(),
        std::io::ErrorKind::AddrNotAvailable => "本机没有这个地址".into(),
        _ => err.to_string(),
    }
}

/// Opens the search index under the data directory, building it from the database when it is
/// missing or unreadable.
pub async fn open_search(config: &Config, db: &DatabaseConnection) -> Result<Arc<crate::search::SearchEngine>, StartupError> {
    let jieba = Arc::new(crate::search::vocabulary::jieba(db).await.map_err(crate::search::SearchError::from)?);
    let (engine, fresh) = crate::search::SearchEngine::open(&config.data_dir.join("index"), jieba)?;
    let engine = Arc::new(engine);
    if fresh {
        let n = crate::search::indexer::rebuild(&engine, db, |_, _| {}).await?;
        tracing::info!(documents = n, "search index built");
    }
    Ok(engine)
}

/// The key that signs and encrypts session cookies: from `LIANXIN_SESSION_KEY`, or kept in
/// the data directory so restarts do not log everyone out.
fn session_key(config: &Config) -> Result<Key, StartupError> {
    let invalid = |why: &str| StartupError::SessionKey(why.to_string());
    let hex_key = match &config.session_key {
        Some(key) => key.trim().to_string(),
        None => {
            let path = config.data_dir.join("session.key");
            match std::fs::read_to_string(&path) {
                Ok(existing) => existing.trim().to_string(),
                Err(_) => {
                    let fresh = hex::encode(Key::generate().master());
                    std::fs::write(&path, &fresh).map_err(|e| invalid(&format!("无法写入 {}：{e}", path.display())))?;
                    restrict_to_owner(&path);
                    fresh
                }
            }
        }
    };
    let bytes = hex::decode(&hex_key).map_err(|_| invalid("须为十六进制"))?;
    Key::try_from(bytes.as_slice()).map_err(|_| invalid("至少 64 字节（128 个十六进制字符）"))
}

#[cfg(unix)]
fn restrict_to_owner(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn restrict_to_owner(_: &std::path::Path) {}

/// The request line as logged: tracking codes are bearer secrets, so they never reach a log.
fn loggable_request(req: &actix_web::dev::ServiceRequest) -> String {
    let path = req.path();
    let shown = match path.strip_prefix("/api/v1/opinions/") {
        Some(_) => "/api/v1/opinions/[查询码]",
        None => path,
    };
    format!("{} {shown}", req.method())
}
