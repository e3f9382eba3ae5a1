//! Builds the application from a config: connect, migrate, load templates, bind.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::{App, HttpServer, cookie::Key, dev::Server, middleware, web};
use sea_orm::DatabaseConnection;

use crate::{config::Config, db, domain::clock::Clock, secrets::Secrets, state::AppState};

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
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretsError),
    #[error("数据升级失败：{0}")]
    Upgrade(sea_orm::DbErr),
    #[error("搜索索引无法打开：{0}")]
    Search(#[from] crate::search::SearchError),
    #[error("语言模型接口无法使用：{0}")]
    Llm(String),
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
    let secrets = secrets(config)?;
    crate::upgrade::run(&conn, &secrets, &Clock::system()).await.map_err(StartupError::Upgrade)?;
    Ok(conn)
}

/// The server's secrets, from the environment or the data directory.
pub fn secrets(config: &Config) -> Result<Secrets, StartupError> {
    Ok(Secrets::load(config.secret_key.as_deref(), &config.data_dir)?)
}

impl Application {
    pub async fn build(config: Config, db: DatabaseConnection, clock: Clock) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| StartupError::Bind { addr: config.bind.clone(), reason: describe_bind_error(&e) })?;
        let port = listener.local_addr().map_err(|e| StartupError::Bind { addr: config.bind.clone(), reason: e.to_string() })?.port();
        let tera = crate::web::templates::load().map_err(|e| StartupError::Templates(crate::error::AppError::from(e).to_string()))?;
        let secrets = secrets(&config)?;
        let search = open_search(&config, &db).await?;
        let routing: crate::background::RoutingSlot = Arc::default();
        let limiter = Arc::new(crate::limits::RateLimiter::new(&config.limits));
        let jobs = crate::background::start(&config, &db, &clock, &secrets, &search, &routing, &limiter);
        let intake = crate::opinions::intake::Intake::start(db.clone(), clock.clone(), secrets.clone());
        let llm = config.llm.as_ref().map(crate::chat::llm::Llm::new).transpose().map_err(|e| StartupError::Llm(e.to_string()))?;
        let chat = Arc::new(crate::chat::Bot::new(search.jieba(), llm));
        let state = AppState {
            db,
            clock,
            cookie_key: Key::from(&secrets.cookie_key()),
            secrets,
            tera: Arc::new(tera),
            config: Arc::new(config),
            limiter,
            search: search.clone(),
            routing,
            jobs,
            page_cache: Default::default(),
            intake,
            chat,
        };
        let server = HttpServer::new(move || {
            // The last wrapped runs first: the origin check, then who is logged in, then the
            // CSRF token bound to that, then the public page cache (anonymous visitors only), then
            // error pages drawn with all of that.
            App::new()
                .app_data(web::Data::new(state.clone()))
                .wrap(middleware::from_fn(crate::web::error_page::in_context))
                .wrap(middleware::from_fn(crate::web::page_cache::serve))
                .wrap(middleware::from_fn(crate::web::csrf::issue))
                .wrap(middleware::from_fn(crate::web::session::identify))
                .wrap(middleware::from_fn(crate::web::csrf::same_origin))
                .wrap(middleware::from_fn(crate::web::refuse_nul))
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
    let vocabulary = crate::search::vocabulary::current(db).await.map_err(crate::search::SearchError::from)?;
    let jieba = Arc::new(vocabulary.jieba().await.map_err(crate::search::SearchError::from)?);
    let (engine, fresh) = crate::search::SearchEngine::open(&config.data_dir.join("index"), jieba, &vocabulary.version)?;
    let engine = Arc::new(engine);
    if fresh {
        let n = crate::search::indexer::rebuild(&engine, db, |_, _| {}).await?;
        tracing::info!(documents = n, "search index built");
    }
    Ok(engine)
}

/// The request line as logged: tracking codes are bearer secrets, so they never reach a log.
fn loggable_request(req: &actix_web::dev::ServiceRequest) -> String {
    let path = req.path();
    let shown = match path.strip_prefix("/api/v1/opinions/") {
        Some(_) => "/api/v1/opinions/[查询码]",
        None => path,
    };
    format!("{} {shown}", req.method())
}
