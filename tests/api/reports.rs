//! Follow-up reports: written and previewed by one publicity user, reviewed by another, published
//! now or at a set time, withdrawn without a 404, and found from the problem, the list, the feed,
//! the API and search; nothing an author pastes can run on a page.

use entity::vocab::ReportStatus;
use entity::{report, report_revision};
use lianxin::service::Actor;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::fixtures::PASSWORD;
use crate::on_both_databases;

async fn publicity(app: &crate::helpers::TestApp, username: &str) -> crate::helpers::TestApp {
    if username != "publicity1" {
        let user = lianxin::accounts::NewUser { username, display_name: username, role: "publicity", unit_code: None, password: PASSWORD };
        lianxin::accounts::create_user(app.ctx(), &Actor::system("test"), user).await.unwrap();
    }
    let client = app.another_client();
    client.login(username, PASSWORD).await;
    client
}

const HOSTILE: &str = "## 整改进展\n\n路面已修复。<script>alert(1)</script><img src=x onerror=alert(2)>\n\n[详情](javascript:alert(3)) \
    <a href=\"/problems/WT-2026-0001\" onclick=\"alert(4)\">问题</a>\n\n![现场](https://tracker.example/p.gif)\n\n<iframe src=\"https://evil.example\"></iframe>";

/// The editor's form for the report on WT-2026-0001, with `body`.
fn fields(body: &str) -> Vec<(&str, &str)> {
    vec![("title", "甲局路面修复跟踪"), ("summary", "路面修复见成效"), ("body_md", body), ("problems", "WT-2026-0001")]
}

fn step<'a>(name: &'a str, note: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("step", name), ("note", note)]
}

on_both_databases! {
    async fn a_report_goes_from_draft_through_a_colleagues_review_to_the_public_and_is_withdrawn_without_a_404(app) {
        crate::fixtures::small_city(app.ctx()).await;
        let author = publicity(&app, "publicity1").await;
        let reviewer = publicity(&app, "publicity2").await;

        let unknown = author.post_form("/publicity/reports", &[("title", "路面修复"), ("summary", "摘要"), ("body_md", "正文"), ("problems", "WT-2026-9999")]).await;
        assert_eq!(unknown.status(), 400);
        assert!(unknown.text().await.unwrap().contains("找不到这些问题编号：WT-2026-9999"));
        let created = author.post_form("/publicity/reports", &[("title", "甲局路面修复跟踪"), ("summary", "路面修复见成效"), ("body_md", "初稿"), ("problems", "WT-2026-0001")]).await;
        assert_eq!(created.status(), 303);
        let editor_url = created.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
        let id: i32 = editor_url.rsplit('/').next().unwrap().parse().unwrap();
        let r = report::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(r.status, ReportStatus::Draft);

        // Preview renders without saving; saving keeps a revision.
        let mut preview = fields(HOSTILE);
        preview.push(("action", "preview"));
        let page = author.post_form(&editor_url, &preview).await.text().await.unwrap();
        assert!(page.contains("预览（尚未保存）") && page.contains("<h2>整改进展</h2>"));
        assert_eq!(report::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().body_md, "初稿", "a preview saves nothing");
        let live = author.post_form("/publicity/preview", &[("body_md", HOSTILE)]).await;
        assert_eq!(live.status(), 200);
        let live = live.text().await.unwrap();
        assert!(live.starts_with("<h2>整改进展</h2>") && !live.contains("<script") && !live.contains("onerror"), "the live preview: {live}");
        assert!(page.contains(r#"<script src="/static/js/preview.js" defer></script>"#));
        assert_eq!(app.another_client().post_form("/publicity/preview", &[("body_md", "x")]).await.status(), 303, "staff only");
        let mut save = fields(HOSTILE);
        save.push(("action", "save"));
        assert_eq!(author.post_form(&editor_url, &save).await.status(), 303);
        let revisions = report_revision::Entity::find().filter(report_revision::Column::ReportId.eq(id)).count(&app.db).await.unwrap();
        assert_eq!(revisions, 2, "the first draft and the edit");

        // A picture is uploaded like evidence, checked by content, and public only with the report.
        let png = include_bytes!("browser/evidence.png").to_vec();
        let pdf = author.post_multipart(&format!("{editor_url}/images"), &[], &[("evidence", "a.pdf", b"%PDF-1.4 x".to_vec())]).await;
        assert_eq!(pdf.status(), 400);
        assert!(pdf.text().await.unwrap().contains("报道配图只能是 JPEG、PNG 或 WebP 图片"));
        assert_eq!(author.post_multipart(&format!("{editor_url}/images"), &[], &[("evidence", "现场.png", png)]).await.status(), 303);
        let editor = author.get(&editor_url).await.text().await.unwrap().replace("&#x2F;", "/");
        let picture = regex::Regex::new(r"!\[现场\]\((/reports/images/\d+)\)").unwrap().captures(&editor).expect("the picture's Markdown is offered")[1].to_string();
        assert_eq!(author.get(&picture).await.status(), 200);
        assert_eq!(app.get(&picture).await.status(), 404, "not public while a draft");
        let with_picture = format!("{HOSTILE}\n\n![现场]({picture})");
        let mut save = fields(&with_picture);
        save.push(("action", "save"));
        assert_eq!(author.post_form(&editor_url, &save).await.status(), 303);

        // The author submits; only a colleague may review.
        let step_url = format!("{editor_url}/step");
        assert_eq!(author.post_form(&step_url, &step("submit", "")).await.status(), 303);
        let own = author.post_form(&step_url, &step("approve", "")).await;
        assert_eq!(own.status(), 409);
        assert!(own.text().await.unwrap().contains("审核人不能是作者本人"));
        let again = author.post_form(&editor_url, &save).await;
        assert_eq!(again.status(), 409, "no edits while in review");
        assert_eq!(reviewer.post_form(&step_url, &step("send_back", "请补充整改前后的照片")).await.status(), 303);
        let back = author.get(&editor_url).await.text().await.unwrap();
        assert!(back.contains("审核意见：请补充整改前后的照片") && back.contains("退回修改：请补充整改前后的照片"));
        assert_eq!(app.get("/reports/").await.status(), 404);
        let slug = report::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().slug;
        assert_eq!(app.get(&format!("/reports/{slug}")).await.status(), 404, "a draft is not public");

        // 保存并提交审核 sends what is on the screen.
        let mut resubmit = fields(&with_picture);
        resubmit[1] = ("summary", "路面修复见成效，附现场照片");
        resubmit.push(("action", "submit"));
        let sent = author.post_form(&editor_url, &resubmit).await;
        assert_eq!(sent.headers()["location"], format!("{editor_url}?done=submitted").as_str());
        let reviewing = author.get(&format!("{editor_url}?done=submitted")).await.text().await.unwrap();
        assert!(reviewing.contains("已保存并提交审核") && reviewing.contains("路面修复见成效，附现场照片"), "the reviewer sees the summary too");
        assert_eq!(reviewer.post_form(&step_url, &[("step", "approve"), ("at", "")]).await.status(), 303);
        let published = report::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(published.summary, "路面修复见成效，附现场照片");
        assert_eq!(published.status, ReportStatus::Published);
        assert!(published.reviewer_id.is_some() && published.reviewer_id != published.author_id);

        // The public page: sanitised, with what it reports on and share-friendly meta.
        let public = app.get(&format!("/reports/{slug}")).await.text().await.unwrap();
        assert!(public.contains("<h2>整改进展</h2>") && public.contains("路面已修复"));
        assert!(public.contains(r#"<meta property="og:title" content="甲局路面修复跟踪">"#));
        assert!(public.contains("WT-2026-0001") && public.contains("报道涉及的问题（当前进展）"));
        assert!(public.contains(&format!(r#"<img src="{picture}" alt="现场">"#)) && public.contains(r#"<meta property="og:image""#));
        assert_eq!(app.get(&picture).await.status(), 200, "public with the report");
        let body = public.split("<div class=\"report-body\">").nth(1).unwrap().split("</div>").next().unwrap().to_lowercase();
        for bad in ["<script", "onerror", "onclick", "javascript:", "tracker.example", "<iframe"] {
            assert!(!body.contains(bad), "{bad} reached the page: {body}");
        }
        let list = app.get("/reports").await.text().await.unwrap();
        assert!(list.contains(&format!("/reports/{slug}")));
        let problem = app.get("/problems/WT-2026-0001").await.text().await.unwrap();
        assert!(problem.contains("跟踪报道") && problem.contains(&format!("/reports/{slug}")), "the problem's page lists it");
        let other = app.get("/problems/WT-2026-0002").await.text().await.unwrap();
        assert!(!other.contains(&format!("/reports/{slug}")));
        let feed = app.get("/reports/feed.atom").await.text().await.unwrap();
        assert!(feed.contains("<title>甲局路面修复跟踪</title>") && feed.contains(&format!("reports&#x2F;{slug}</id>")), "{feed}");
        let api: serde_json::Value = app.get("/api/v1/reports").await.json().await.unwrap();
        assert_eq!(api["total"], 1);
        assert_eq!(api["items"][0]["slug"], slug.as_str());
        let one: serde_json::Value = app.get(&format!("/api/v1/reports/{slug}")).await.json().await.unwrap();
        assert_eq!(one["problems"][0]["code"], "WT-2026-0001");
        assert!(!one["html"].as_str().unwrap().contains("<script"));
        let missing: serde_json::Value = app.get("/api/v1/reports/nope").await.json().await.unwrap();
        assert_eq!(missing["error"]["code"], "not_found", "{missing}");
        let by_unit: serde_json::Value = app.get("/api/v1/reports?unit=UB").await.json().await.unwrap();
        assert_eq!(by_unit["total"], 0, "filtered by the unit leading the problem");
        let by_lead: serde_json::Value = app.get("/api/v1/reports?unit=ua").await.json().await.unwrap();
        assert_eq!(by_lead["total"], 1);
        app.index_settled().await;
        let hits: serde_json::Value = app.get("/api/v1/search?q=%E8%B7%AF%E9%9D%A2%E5%B7%B2%E4%BF%AE%E5%A4%8D&type=report").await.json().await.unwrap();
        let hit = hits["hits"].as_array().unwrap().iter().find(|h| h["url"] == format!("/reports/{slug}").as_str()).expect("found by search");
        let shown = hit.to_string();
        assert!(!shown.contains("##") && !shown.contains("<script"), "search shows plain text: {shown}");

        // The revision page shows what the edit changed; the media kit holds the problem's facts.
        let diff = author.get(&format!("{editor_url}/revisions/2")).await.text().await.unwrap();
        assert!(diff.contains("<del>－ 初稿</del>") && diff.contains("<ins>＋ ## 整改进展</ins>"), "{diff}");
        let kit = app.get(&format!("/reports/{slug}/facts.xlsx")).await;
        assert_eq!(kit.status(), 200);
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(kit.bytes().await.unwrap().to_vec())).unwrap();
        assert_eq!(book.sheet_names(), ["涉及问题", "整改进展"]);
        let rows: Vec<Vec<String>> = book.worksheet_range("涉及问题").unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert!(rows.iter().any(|r| r[0] == "WT-2026-0001" && r[3] == "甲局"), "{rows:?}");

        // Withdrawn: the page stays, saying so; it leaves the list and the feed.
        let empty = author.post_form(&step_url, &step("withdraw", "")).await;
        assert_eq!(empty.status(), 400, "a reason is required");
        assert_eq!(author.post_form(&step_url, &step("withdraw", "数据有误，核实后重发")).await.status(), 303);
        let gone = app.get(&format!("/reports/{slug}")).await;
        assert_eq!(gone.status(), 200);
        let gone = gone.text().await.unwrap();
        assert!(gone.contains("本文已撤回") && gone.contains("数据有误，核实后重发"));
        assert!(!gone.contains("路面已修复"), "a withdrawn report shows its notice, not its text");
        assert_eq!(app.get(&picture).await.status(), 404, "nor its pictures");
        assert_eq!(app.get(&format!("/reports/{slug}/facts.xlsx")).await.status(), 404, "nor its media kit");
        let history = author.get(&editor_url).await.text().await.unwrap();
        assert!(history.contains("审核通过并发布") && history.contains("撤回：数据有误，核实后重发"), "approval and withdrawal are in the history");
        assert!(!app.get("/reports").await.text().await.unwrap().contains(&format!("/reports/{slug}")));
        let audit: Vec<String> = entity::audit_log::Entity::find()
            .filter(entity::audit_log::Column::EntityType.eq("report"))
            .all(&app.db).await.unwrap().into_iter().map(|a| a.action).collect();
        for action in ["report.create", "report.edit", "report.submit", "report.send_back", "report.publish", "report.withdraw"] {
            assert!(audit.iter().any(|a| a == action), "{action} audited: {audit:?}");
        }
    }
}

on_both_databases! {
    async fn a_scheduled_report_appears_when_its_time_comes(app) {
        crate::fixtures::small_city(app.ctx()).await;
        let author = publicity(&app, "publicity1").await;
        let reviewer = publicity(&app, "publicity2").await;
        let created = author.post_form("/publicity/reports", &[("title", "定时发布的报道"), ("summary", "摘要"), ("body_md", "正文"), ("problems", "")]).await;
        let editor_url = created.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
        // The colleague rewrites the draft: now they are an author too, and may not review it.
        let rewrite = [("title", "定时发布的报道"), ("summary", "摘要"), ("body_md", "另一位同事改写的正文"), ("problems", ""), ("action", "save")];
        assert_eq!(reviewer.post_form(&editor_url, &rewrite).await.status(), 303);
        author.post_form(&format!("{editor_url}/step"), &step("submit", "")).await;
        let own = reviewer.post_form(&format!("{editor_url}/step"), &[("step", "approve"), ("at", "")]).await;
        assert_eq!(own.status(), 409, "whoever wrote its text does not review it");
        let reviewer = publicity(&app, "publicity3").await;
        let past = reviewer.post_form(&format!("{editor_url}/step"), &[("step", "approve"), ("at", "2020-01-01T09:00")]).await;
        assert_eq!(past.status(), 409);
        assert!(past.text().await.unwrap().contains("发布时间已过"));
        // A minute from now, in Beijing time as the form's picker gives it.
        let at = (chrono::Utc::now() + chrono::Duration::seconds(62)).with_timezone(&lianxin::domain::time::beijing()).format("%Y-%m-%dT%H:%M").to_string();
        assert_eq!(reviewer.post_form(&format!("{editor_url}/step"), &[("step", "approve"), ("at", &at)]).await.status(), 303);
        let id: i32 = editor_url.rsplit('/').next().unwrap().parse().unwrap();
        let r = report::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(r.status, ReportStatus::Scheduled);
        assert_eq!(app.get(&format!("/reports/{}", r.slug)).await.status(), 404, "not before its time");
        let bad = reviewer.post_form(&format!("{editor_url}/step"), &[("step", "approve"), ("at", "明天早上")]).await;
        assert_eq!(bad.status(), 409, "a scheduled report is no longer in review");
        // Due now: the reports job publishes it within seconds.
        let mut model: report::ActiveModel = sea_orm::IntoActiveModel::into_active_model(r.clone());
        model.publish_at = sea_orm::ActiveValue::Set(Some(chrono::Utc::now() - chrono::Duration::seconds(1)));
        sea_orm::ActiveModelTrait::update(model, &app.db).await.unwrap();
        let appeared = crate::helpers::eventually(|| async { app.get(&format!("/reports/{}", r.slug)).await.status() == 200 }).await;
        assert!(appeared, "published by the job");
        let shown = report::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(shown.status, ReportStatus::Published);
    }
}

on_both_databases! {
    async fn a_theme_the_office_hands_over_becomes_a_report_its_citizens_find_on_their_tracking_page(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        let jieba = std::sync::Arc::new(lianxin::search::vocabulary::jieba(&app.db).await.unwrap());
        lianxin::themes::mining::rebuild(app.ctx(), &Actor::system("test"), jieba.clone(), |_, _| {}).await.unwrap();
        let user = lianxin::accounts::NewUser { username: "office9", display_name: "绩效办", role: "office", unit_code: None, password: PASSWORD };
        lianxin::accounts::create_user(app.ctx(), &Actor::system("test"), user).await.unwrap();
        let office = app.another_client();
        office.login("office9", PASSWORD).await;
        let top = entity::theme::Entity::find().filter(entity::theme::Column::Period.eq("all")).all(&app.db).await.unwrap()
            .into_iter().max_by(|a, b| a.heat.total_cmp(&b.heat)).unwrap();
        let handover = format!("/office/themes/{}/handover", top.id);
        assert_eq!(office.post_form(&handover, &[("note", "请跟踪报道整改成效")]).await.status(), 303);
        let twice = office.post_form(&handover, &[("note", "再交一次")]).await;
        assert_eq!(twice.status(), 409);
        assert!(twice.text().await.unwrap().contains("该主题已交宣传部，尚未成稿"));

        let author = publicity(&app, "pub-a").await;
        let reviewer = publicity(&app, "pub-b").await;
        let desk = author.get("/publicity").await.text().await.unwrap();
        assert!(desk.contains("待报道线索") && desk.contains("请跟踪报道整改成效") && desk.contains(&format!("/publicity?theme={}", top.id)));
        assert!(desk.contains("近 30 天核验通过的整改") && desk.contains("整改结果差评较多的事项"));
        assert_eq!(author.get(&format!("/office/themes/{}/report", top.id)).await.status(), 200, "publicity reads the theme's report");
        assert_eq!(author.get(&format!("/office/themes/{}", top.id)).await.status(), 403, "but not the office's desk");
        let begun = author.get(&format!("/publicity?theme={}", top.id)).await.text().await.unwrap();
        assert!(begun.contains(&format!(r#"<input type="hidden" name="themes" value="{}">"#, top.id)), "the draft form is filled from the lead");
        let created = author.post_form("/publicity/reports", &[
            ("title", "热点主题跟踪"), ("summary", "群众关切有回音"), ("body_md", "整改成效明显。"), ("problems", ""), ("themes", &top.id.to_string()),
        ]).await;
        assert_eq!(created.status(), 303);
        let editor_url = created.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
        let answered = entity::report_handover::Entity::find().filter(entity::report_handover::Column::ThemeId.eq(top.id)).one(&app.db).await.unwrap().unwrap();
        assert!(answered.report_id.is_some(), "the handover is answered by the draft");
        assert!(!author.get("/publicity").await.text().await.unwrap().contains("请跟踪报道整改成效"), "and leaves the queue");
        author.post_form(&format!("{editor_url}/step"), &step("submit", "")).await;
        assert_eq!(reviewer.post_form(&format!("{editor_url}/step"), &[("step", "approve"), ("at", "")]).await.status(), 303);
        let id: i32 = editor_url.rsplit('/').next().unwrap().parse().unwrap();
        let slug = report::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().slug;
        let theme_page = office.get(&format!("/office/themes/{}", top.id)).await.text().await.unwrap();
        assert!(theme_page.contains(&format!("/reports/{slug}")) && theme_page.contains("已成稿"));

        // A citizen whose opinion is in the theme finds the report on the tracking page.
        let filed: serde_json::Value = app.client.post(app.url("/api/v1/opinions"))
            .json(&serde_json::json!({ "kind": "complaint", "title": "还是很堵", "content": "早晚高峰依然拥堵" }))
            .send().await.unwrap().json().await.unwrap();
        let code = filed["tracking_code"].as_str().unwrap().to_string();
        let mine = entity::opinion::Entity::find().filter(entity::opinion::Column::Title.eq("还是很堵")).one(&app.db).await.unwrap().unwrap();
        let mut model: entity::opinion::ActiveModel = sea_orm::IntoActiveModel::into_active_model(mine);
        model.theme_id = sea_orm::ActiveValue::Set(Some(top.id));
        sea_orm::ActiveModelTrait::update(model, &app.db).await.unwrap();
        let tracked = app.post_form("/track", &[("code", &code)]).await.text().await.unwrap();
        assert!(tracked.contains("跟踪报道") && tracked.contains(&format!("/reports/{slug}")), "on the tracking page");

        // The theme survives a rebuild while a report names it.
        lianxin::themes::mining::rebuild(app.ctx(), &Actor::system("test"), jieba, |_, _| {}).await.unwrap();
        assert!(entity::theme::Entity::find_by_id(top.id).one(&app.db).await.unwrap().is_some());
    }
}
