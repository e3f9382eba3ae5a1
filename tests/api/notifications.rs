//! Citizens told of what moved: every citizen linked to a rectification hears of its progress,
//! completion and verification, and of a report about it, on the tracking page (new since the
//! last visit first) and in a private feed only the tracking code leads to.

use lianxin::service::Actor;
use sea_orm::EntityTrait;

use crate::fixtures::PASSWORD;
use crate::on_both_databases;

async fn staff(app: &crate::helpers::TestApp, username: &str) -> crate::helpers::TestApp {
    let client = app.another_client();
    client.login(username, PASSWORD).await;
    client
}

on_both_databases! {
    async fn a_linked_citizen_hears_of_progress_completion_and_a_report_on_the_tracking_page_and_a_private_feed(app) {
        let fixture = crate::fixtures::small_city(app.ctx()).await;
        let filed: serde_json::Value = app.client.post(app.url("/api/v1/opinions"))
            .json(&serde_json::json!({ "kind": "complaint", "title": "甲局门前路面坑洼", "content": "路面坑洼多日未修，联系电话13800138000" }))
            .send().await.unwrap().json().await.unwrap();
        let code = filed["tracking_code"].as_str().unwrap().to_string();
        let opinion = entity::opinion::Entity::find().all(&app.db).await.unwrap().into_iter().find(|o| o.title == "甲局门前路面坑洼").unwrap();
        let office = staff(&app, "office1").await;
        assert_eq!(office.post_form(&format!("/office/opinions/{}/link", opinion.id), &[("problem", "WT-2026-0001")]).await.status(), 303);

        let first = app.post_form("/track", &[("code", &code)]).await.text().await.unwrap();
        assert!(first.contains("自上次查看以来的新动态") && first.contains("已列入问题清单"), "the link is news on the first visit");
        let again = app.post_form("/track", &[("code", &code)]).await.text().await.unwrap();
        assert!(!again.contains("自上次查看以来的新动态") && again.contains("已列入问题清单"), "and an earlier message on the next");

        // The unit posts progress and reports completion; the notify job tells the citizen.
        let unit = staff(&app, "unita").await;
        let posted = unit.post_multipart(&format!("/unit/rectifications/{}/progress", fixture.rect_a), &[("text", "已完成路面铣刨"), ("percent", "60")], &[]).await;
        assert_eq!(posted.status(), 303);
        let told = crate::helpers::eventually(|| async {
            app.post_form("/track", &[("code", &code)]).await.text().await.unwrap().contains("有新的整改进展，当前进度 60%")
        }).await;
        assert!(told, "told of the progress");

        // A report about the problem, published by a colleague of its author.
        let author = staff(&app, "publicity1").await;
        let user = lianxin::accounts::NewUser { username: "publicity2", display_name: "审核", role: "publicity", unit_code: None, password: PASSWORD };
        lianxin::accounts::create_user(app.ctx(), &Actor::system("test"), user).await.unwrap();
        let reviewer = staff(&app, "publicity2").await;
        let created = author.post_form("/publicity/reports", &[("title", "甲局门前路面修复进展"), ("summary", "路面修复过半"), ("body_md", "已完成铣刨。"), ("problems", "WT-2026-0001")]).await;
        let editor = created.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
        author.post_form(&format!("{editor}/step"), &[("step", "submit")]).await;
        assert_eq!(reviewer.post_form(&format!("{editor}/step"), &[("step", "approve"), ("at", "")]).await.status(), 303);
        let page = crate::helpers::eventually(|| async {
            app.post_form("/track", &[("code", &code)]).await.text().await.unwrap().contains("跟踪报道《甲局门前路面修复进展》已发布")
        }).await;
        assert!(page, "told of the report");

        // The private feed: found from the tracking page, holding the messages and no code or phone.
        let tracked = app.post_form("/track", &[("code", &code)]).await.text().await.unwrap();
        let feed_url = regex::Regex::new(r#"href="(/track/feed/[0-9a-f]{32})""#).unwrap().captures(&tracked.replace("&#x2F;", "/")).expect("the feed's address")[1].to_string();
        let feed = app.get(&feed_url).await;
        assert_eq!(feed.status(), 200);
        assert_eq!(feed.headers()["cache-control"], "no-store");
        let feed = feed.text().await.unwrap();
        assert!(feed.contains("有新的整改进展，当前进度 60%") && feed.contains("已列入问题清单") && feed.contains("甲局门前路面修复进展"));
        assert!(!feed.contains(&code) && !feed.contains("13800138000"), "no tracking code or contact in the feed");
        assert_eq!(app.get("/track/feed/0123456789abcdef0123456789abcdef").await.status(), 404);
        assert_eq!(app.get("/track/feed/not-a-token").await.status(), 404);

        // Each message was written once, whatever the job's passes.
        let progress = entity::notification::Entity::find().all(&app.db).await.unwrap().into_iter()
            .filter(|n| n.opinion_id == opinion.id && n.kind == "rectification.progress").count();
        assert_eq!(progress, 1);
    }
}
