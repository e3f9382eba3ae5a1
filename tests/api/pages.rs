//! The public shell: health, home page, assets, unknown paths and response headers.

use crate::on_both_databases;

on_both_databases! {
    async fn healthz_names_the_database_engine(app) {
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        let expected = match app.backend {
            crate::helpers::Backend::Sqlite => "sqlite",
            crate::helpers::Backend::Postgres => "postgres",
        };
        assert_eq!((&body["status"], &body["db"]), (&serde_json::json!("ok"), &serde_json::json!(expected)), "{body}");
    }
}

on_both_databases! {
    async fn home_page_renders_in_chinese_on_an_empty_database(app) {
        let response = app.get("/").await;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"<html lang="zh-CN">"#));
        assert!(html.contains("<main id=\"main\""), "main landmark");
        assert!(html.contains("跳到正文"), "skip link");
        assert!(html.contains("暂无整改进展"));
        assert!(!html.contains("http://") && !html.contains("https://"), "no external assets");
    }
}

on_both_databases! {
    async fn every_response_carries_the_security_headers(app) {
        for path in ["/", "/healthz", "/static/css/site.css", "/no-such-page"] {
            let response = app.get(path).await;
            let headers = response.headers();
            let csp = headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        }
    }
}

on_both_databases! {
    async fn unknown_pages_get_a_chinese_404_and_unknown_api_paths_a_json_error(app) {
        let page = app.get("/no-such-page").await;
        assert_eq!(page.status(), 404);
        assert!(page.text().await.unwrap().contains("页面不存在"));

        let api = app.get("/api/v1/no-such-thing").await;
        assert_eq!(api.status(), 404);
        let body: serde_json::Value = api.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        assert!(body["error"]["message"].as_str().unwrap().contains("不存在"));
    }
}

on_both_databases! {
    async fn static_assets_are_served_by_the_binary(app) {
        let css = app.get("/static/css/site.css").await;
        assert_eq!(css.status(), 200);
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
        assert!(css.text().await.unwrap().contains("--red"));

        let logo = app.get("/static/img/logo.svg").await;
        assert_eq!(logo.headers()["content-type"], "image/svg+xml");

        assert_eq!(app.get("/static/../Cargo.toml").await.status(), 404);
        assert_eq!(app.get("/static/css/nope.css").await.status(), 404);
    }
}

on_both_databases! {
    async fn hostile_paths_and_query_strings_never_cause_a_server_error(app) {
        for path in [
            "/?q=%27%20OR%201=1--",
            "/?%ff%fe=%00",
            "/static/%E2%80%AE%F0%9F%98%80",
            "/%3Cscript%3Ealert(1)%3C/script%3E",
            "/api/v1/%00",
        ] {
            let response = app.get(path).await;
            assert!(response.status().as_u16() < 500, "{path}: {}", response.status());
            let body = response.text().await.unwrap();
            assert!(!body.contains("<script>alert(1)"), "{path} reflected unescaped");
        }
    }
}

on_both_databases! {
    async fn public_pages_come_from_memory_until_something_changes_and_never_for_staff(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 5).await.unwrap();
        app.scores_settled().await;
        app.index_settled().await;
        let hit = |r: &reqwest::Response| r.headers().get("x-cache").is_some_and(|v| v == "hit");
        let first = app.get("/lists?tab=problems").await;
        assert!(!hit(&first));
        let first = first.text().await.unwrap();
        let second = app.get("/lists?tab=problems").await;
        assert!(hit(&second), "the same page again comes from memory");
        assert_eq!(second.text().await.unwrap(), first);
        assert!(first.contains("共 60 项"));

        // A refused write (no form token) wrote nothing, so it leaves the cache as it was.
        let refused = app.client.post(app.url("/opinions/new")).form(&[("title", "x")]).send().await.unwrap();
        assert!(refused.status().is_client_error(), "{}", refused.status());
        assert!(hit(&app.get("/lists?tab=problems").await), "a flood of refused posts cannot empty the cache");

        // A change made here shows at once.
        let office = app.another_client();
        office.login("jixiaoban", lianxin::demo::DEMO_PASSWORD).await;
        let desk = office.get("/lists?tab=problems").await;
        assert!(!hit(&desk), "staff pages are never shared");
        assert!(desk.text().await.unwrap().contains("退出"));
        let deadline = (chrono::Utc::now() + chrono::Duration::days(90)).format("%Y-%m-%d").to_string();
        let created = office
            .post_form(
                "/office/problems",
                &[
                    ("title", "青山县农贸市场周边占道经营"),
                    ("description", "早市摊贩占用车行道。"),
                    ("category", "城乡建设"),
                    ("region", "青山县"),
                    ("source", "inspection"),
                    ("lead_unit", "ZJJ"),
                    ("responsible_post", "市住建局分管副局长"),
                    ("deadline", &deadline),
                    ("kind", "deadline"),
                    ("measures", "划定临时摊位，错时经营。"),
                    ("plan", "一个月内完成。"),
                    ("target", "车行道畅通"),
                ],
            )
            .await;
        assert!(created.status().is_redirection(), "{}", created.status());
        let after = app.get("/lists?tab=problems").await;
        assert!(!hit(&after));
        assert!(after.text().await.unwrap().contains("共 61 项"), "the new item is listed at once");

        // Private pages are never kept.
        for path in ["/track", "/opinions/new", "/login"] {
            app.get(path).await;
            assert!(!hit(&app.get(path).await), "{path}");
        }
    }
}

on_both_databases! {
    async fn the_home_page_leads_to_its_lists_and_a_problem_names_related_ones_by_topic(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 20_261_128).await.unwrap();
        app.index_settled().await;
        // Each number on the home page opens the list it counts.
        let home = app.get("/").await.text().await.unwrap();
        let overdue = regex::Regex::new(r#"href="/lists\?tab=rectifications&amp;overdue=1"><span class="figure-value">(\d+)</span>"#).unwrap();
        let shown: u64 = overdue.captures(&home).expect("the overdue tile links to its list")[1].parse().unwrap();
        let list = app.get("/lists?tab=rectifications&overdue=1").await.text().await.unwrap();
        assert!(list.contains(&format!("共 {shown} 项")), "the tile's {shown} is the list's count");
        assert!(home.contains(r#"action="/search""#) && home.contains("12345"), "a search box and the hotline");
        assert!(home.contains("主办单位") && home.contains(r#"href="/accessibility""#) && home.contains(r#"href="/privacy""#));
        assert!(home.contains("跟踪报道</h2>") && home.contains(r#"href="/reports/"#), "the latest reports");

        // Related problems share the topic, not just the place.
        use sea_orm::EntityTrait;
        let problems = entity::problem::Entity::find().all(&app.db).await.unwrap();
        let mut looked = 0;
        for p in problems.iter().filter(|p| p.title.ends_with("物业服务不规范") || p.title.ends_with("办理环节多")) {
            let topic = if p.title.ends_with("物业服务不规范") { "物业服务不规范" } else { "办理环节多" };
            let page = app.get(&format!("/problems/{}", p.code)).await.text().await.unwrap();
            let Some(at) = page.find("<h3>相关问题</h3>") else { continue };
            let related = &page[at..at + page[at..].find("</ul>").unwrap()];
            for item in related.split("<li>").skip(1) {
                assert!(item.contains(topic), "{}: a related problem is about the same thing: {item}", p.title);
                looked += 1;
            }
        }
        assert!(looked > 0, "some related problems were shown");
    }
}
