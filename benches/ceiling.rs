//! The ceiling the HTTP benchmarks compare with: a bare actix-web handler rendering a tera page
//! of a given size from memory (no database, no middleware). The whole-system script starts it
//! beside `lianxin serve`: `cargo bench --bench ceiling -- 127.0.0.1:8099 11600` serves pages of
//! about 11,600 bytes at `/` until killed.

use actix_web::{App, HttpResponse, HttpServer, web};

struct Page {
    tera: tera::Tera,
    items: Vec<serde_json::Value>,
}

async fn page(state: web::Data<Page>) -> HttpResponse {
    let mut context = tera::Context::new();
    context.insert("items", &state.items);
    match state.tera.render("page.html", &context) {
        Ok(body) => HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let bind = args.first().cloned().unwrap_or_else(|| "127.0.0.1:8099".into());
    let bytes: usize = args.get(1).and_then(|b| b.parse().ok()).unwrap_or(11_600);
    let mut tera = tera::Tera::default();
    tera.add_raw_template(
        "page.html",
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>连心桥</title></head><body><main><ul>{% for i in items %}<li><a href="/problems/{{ i.code }}">{{ i.title }}</a> <span>{{ i.status }}</span></li>{% endfor %}</ul></main></body></html>"#,
    )
    .expect("the template parses");
    // Each item renders to about 100 bytes: enough of them for a page of `bytes`.
    let items = (0..bytes / 100)
        .map(|n| serde_json::json!({ "code": format!("WT-2026-{n:04}"), "title": "江南区医院周边停车难问题整改", "status": "整改中" }))
        .collect();
    let state = web::Data::new(Page { tera, items });
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || App::new().app_data(state.clone()).route("/", web::get().to(page))).workers(workers).bind(bind)?.run().await
    })
}
