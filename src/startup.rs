//! Builds the application from a config: connect, migrate, load templates, bind.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::{App, HttpServer, dev::Server, middleware, web};
use sea_orm::DatabaseConnection;

use crate::{config::Config, db, state::AppState};

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
    pub async fn build(config: Config, db: DatabaseConnection) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(&config.bind).map_err(|e| StartupError::Bind {
            addr: config.bind.clone(),
            reason: describe_bind_error(&e),
        })?;
        let port = listener.local_addr().map_err(|e| StartupError::Bind {
            addr: config.bind.clone(),
            reason: e.to_string(),
        })?.port();
        let tera = crate::web::templates::load().map_err(|e| StartupError::Templates(e.to_string()))?;
        let state = AppState { db, tera: Arc::new(tera), config: Arc::new(config) };
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(state.clone()))
                .wrap(crate::web::security_headers())
                .wrap(middleware::Compress::default())
                .wrap(middleware::Logger::new("%a \"%r\" %s %Dms"))
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
