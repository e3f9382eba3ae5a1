//! Static assets compiled into the binary: the portal works with no internet and from any folder.

use actix_web::{HttpResponse, get, http::header, web};

use crate::error::AppError;

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset { path: "css/site.css", content_type: "text/css; charset=utf-8", body: include_bytes!("../../static/css/site.css") },
    Asset { path: "js/chat.js", content_type: "text/javascript; charset=utf-8", body: include_bytes!("../../static/js/chat.js") },
    Asset { path: "js/similar.js", content_type: "text/javascript; charset=utf-8", body: include_bytes!("../../static/js/similar.js") },
    Asset {
        path: "js/my-opinions.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/js/my-opinions.js"),
    },
    Asset { path: "js/preview.js", content_type: "text/javascript; charset=utf-8", body: include_bytes!("../../static/js/preview.js") },
    Asset { path: "feed.xsl", content_type: "text/xsl; charset=utf-8", body: include_bytes!("../../static/feed.xsl") },
    Asset { path: "img/logo.svg", content_type: "image/svg+xml", body: include_bytes!("../../static/img/logo.svg") },
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(asset).service(favicon);
}

#[get("/static/{path:.*}")]
async fn asset(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let asset = ASSETS.iter().find(|a| a.path == path.as_str()).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, asset.content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(asset.body))
}

#[get("/favicon.ico")]
async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(include_bytes!("../../static/img/logo.svg").as_slice())
}
