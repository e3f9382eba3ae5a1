//! A battery of hostile input at every form and JSON endpoint: never a 500, nothing stored
//! is lost, and what is stored comes back escaped. Later areas add their forms here.

use entity::{report, unit};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::fixtures::{PASSWORD, small_city};
use crate::helpers::TestApp;
use crate::on_both_databases;

const SCRIPT: &str = "<script>alert(1)</script>";

fn payloads() -> Vec<String> {
    vec![
        SCRIPT.to_string(),
        "' OR 1=1; DROP TABLE users;--".to_string(),
        "\"><img src=x onerror=alert(1)>".to_string(),
        "a\u{200B}b\u{202E}c\u{2066}d".to_string(),
        "😀🚧👍🏽".to_string(),
        "\u{0000}\u{0007}控制字符".to_string(),
        "长".repeat(5000),
        String::new(),
        "   ".to_string(),
        "{{ 7*7 }}{% raw %}".to_string(),
    ]
}

/// Posts every payload into every field of a form, as the given client.
async fn batter(app: &TestApp, path: &str, fields: &[&str], base: &[(&str, &str)]) {
    batter_as(app, path, fields, base, false).await
}

async fn batter_as(app: &TestApp, path: &str, fields: &[&str], base: &[(&str, &str)], multipart: bool) {
    for payload in payloads() {
        for field in fields {
            let mut form: Vec<(&str, &str)> = base.iter().filter(|(k, _)| k != field).copied().collect();
            form.push((field, &payload));
            let response = if multipart { app.post_multipart(path, &form, &[]).await } else { app.post_form(path, &form).await };
            let status = response.status().as_u16();
            assert!(status < 500, "{path} {field}={:?}: {status}", payload.chars().take(20).collect::<String>());
            let body = response.text().await.unwrap();
            assert!(!body.contains(SCRIPT), "{path} reflects the payload unescaped");
        }
    }
}

fn app_files(files: &[(&'static str, &'static str, Vec<u8>)]) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    files.to_vec()
}

/// A raw body: bytes that are not UTF-8, and a body larger than any form needs.
async fn raw(app: &TestApp, path: &str) {
    let token = app.csrf().await;
    let invalid = [b"title=\xff\xfe\xfd&text=%FF%FE&csrf_token=".as_slice(), token.as_bytes()].concat();
    let response =
        app.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").body(invalid).send().await.unwrap();
    assert!(response.status().as_u16() < 500, "{path} invalid UTF-8: {}", response.status());

    let huge = format!("csrf_token={token}&text={}", "x".repeat(200 * 1024));
    let response =
        app.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").body(huge).send().await.unwrap();
    assert_eq!(response.status(), 413, "{path} huge body");
    assert!(response.text().await.unwrap().contains("内容太大"));
}

on_both_databases! {
    async fn hostile_input_at_every_form_is_refused_or_stored_inert(app) {
        let city = small_city(app.ctx()).await;
        // Log everyone in first: the login battery below uses up this address's login allowance.
        let admin = app.another_client();
        let office = app.another_client();
        let publicity = app.another_client();
        let unit_staff = app.another_client();
        for (client, user) in [(&admin, "admin1"), (&office, "office1"), (&publicity, "publicity1"), (&unit_staff, "unita")] {
            assert_eq!(client.login(user, PASSWORD).await.status(), 303);
        }
        let units_before = unit::Entity::find().count(&app.db).await.unwrap();
        batter(&admin, "/admin/units", &["code", "name", "kind", "region"], &[("code", "HX"), ("name", "单位"), ("kind", "other")]).await;
        batter(&admin, "/admin/users", &["username", "display_name", "role", "unit", "password"], &[("username", "hx"), ("display_name", "名"), ("role", "office"), ("password", PASSWORD)]).await;
        raw(&admin, "/admin/units").await;
        assert!(unit::Entity::find().count(&app.db).await.unwrap() >= units_before, "nothing stored is lost");
        for query in ["actor=%00", "action=%27%20OR%201=1--", "entity_id=%E2%80%AE", "page=-1", "page=99999999999999999999"] {
            let status = admin.get(&format!("/admin/audit?{query}")).await.status();
            assert!(status.as_u16() < 500, "audit filter {query}: {status}");
        }
        let listing = admin.get("/admin").await.text().await.unwrap();
        assert!(!listing.contains(SCRIPT));

        let base = [("consult", "2"), ("help", "10"), ("suggestion", "10"), ("complaint", "15"), ("report", "15"), ("praise", "10"), ("followup", "15")];
        batter(&office, "/office/settings/deadlines", &["consult", "followup"], &base).await;

        batter(&publicity, "/publicity/reports", &["title", "summary", "body_md"], &[("title", "标题"), ("summary", "摘要"), ("body_md", "正文")]).await;
        raw(&publicity, "/publicity/reports").await;
        let stored: Vec<String> = report::Entity::find().all(&app.db).await.unwrap().into_iter().map(|r| r.title).collect();
        assert!(stored.iter().any(|t| t == SCRIPT), "a script-looking title is stored as text");
        assert!(stored.iter().any(|t| t == "abcd"), "invisible and direction characters are removed");
        let desk = publicity.get("/publicity").await.text().await.unwrap();
        assert!(desk.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;") && !desk.contains(SCRIPT), "rendered escaped");

        let path = format!("/unit/rectifications/{}/progress", city.rect_a);
        batter_as(&unit_staff, &path, &["text", "percent"], &[("text", "进展"), ("percent", "10")], true).await;
        let huge_text = "x".repeat(100 * 1024);
        let response = unit_staff.post_multipart(&path, &[("text", &huge_text), ("percent", "10")], &[]).await;
        assert_eq!(response.status(), 413, "huge multipart text field");
        let huge_file = vec![b'%'; 6 * 1024 * 1024];
        let response = unit_staff.post_multipart(&path, &[("text", "大文件"), ("percent", "10")], &[("evidence", "big.pdf", huge_file)]).await;
        assert_eq!(response.status(), 400, "evidence over 5 MB is refused by name, the form kept");
        let page = response.text().await.unwrap();
        assert!(page.contains("“big.pdf”超过 5 MB") && page.contains("大文件"), "the message names the file; the text typed is kept");
        let not_utf8 = reqwest::multipart::Form::new()
            .text("csrf_token", unit_staff.csrf().await)
            .part("text", reqwest::multipart::Part::bytes(vec![0xff, 0xfe, 0xfd]))
            .text("percent", "10");
        let response = unit_staff.client.post(unit_staff.url(&path)).multipart(not_utf8).send().await.unwrap();
        assert!(response.status().as_u16() < 500, "invalid UTF-8 in a multipart field");
        let urlencoded = unit_staff.post_form(&path, &[("text", "x"), ("percent", "1")]).await;
        assert_eq!(urlencoded.status(), 400, "a plain form where a file form is expected");
        let plan = format!("/unit/rectifications/{}/plan", city.rect_a);
        let plan_base = [("measures", "措施"), ("plan", "计划"), ("target", "目标"), ("next_milestone", ""), ("next_update_due", "2099-01-01")];
        batter(&unit_staff, &plan, &["measures", "target", "next_update_due"], &plan_base).await;
        // Files that are not what they claim, and too many of them.
        let fake = app_files(&[("evidence", "photo.jpg", b"<script>alert(1)</script>".to_vec())]);
        let refused = unit_staff.post_multipart(&path, &[("text", "附件"), ("percent", "20")], &fake).await;
        assert_eq!(refused.status(), 400);
        assert!(refused.text().await.unwrap().contains("不是 JPEG"));
        let many: Vec<_> = (0..7).map(|i| ("evidence", "a.pdf", format!("%PDF-1.4 {i}").into_bytes())).collect();
        let refused = unit_staff.post_multipart(&path, &[("text", "附件"), ("percent", "20")], &app_files(&many)).await;
        assert_eq!(refused.status(), 400);
        assert_eq!(unit_staff.get("/unit").await.status(), 200);

        // Citizens' forms: submitting, tracking and rating.
        let citizen = app.another_client();
        let base = [("kind", "complaint"), ("title", "标题"), ("content", "内容"), ("category", ""), ("region", ""), ("name", ""), ("phone", ""), ("email", "")];
        batter(&citizen, "/opinions/new", &["kind", "title", "content", "category", "region", "name", "phone", "email"], &base).await;
        batter(&citizen, "/track", &["code"], &[("code", "ABCD-EFGH-JKMN")]).await;
        batter(&citizen, "/track/rate", &["code", "level", "what", "tags", "comment"], &[("code", "ABCD"), ("level", "5"), ("what", "handling")]).await;
        raw(&citizen, "/track").await;
        for body in [serde_json::json!({ "kind": SCRIPT, "title": "\u{202E}\u{200B}", "content": "长".repeat(5000) }), serde_json::json!([1, 2]), serde_json::json!({ "kind": 5, "consent_contact": "maybe" })] {
            let response = app.client.post(app.url("/api/v1/opinions")).json(&body).send().await.unwrap();
            assert!(response.status().as_u16() < 500, "{body}: {}", response.status());
            let json: serde_json::Value = response.json().await.unwrap();
            assert!(json["error"]["code"].is_string(), "{json}");
        }

        batter(&app, "/login", &["username", "password", "next"], &[("username", "x"), ("password", "y")]).await;
        raw(&app, "/login").await;
    }
}

on_both_databases! {
    async fn json_endpoints_answer_hostile_bodies_with_json_errors(app) {
        small_city(app.ctx()).await;
        // The opinion API, with bodies that are not JSON, too big, the wrong type, or hostile.
        for (content_type, body) in [
            ("application/json", "{not json".to_string()),
            ("application/json", format!("{{\"title\":\"{}\"}}", "x".repeat(100 * 1024))),
            ("text/plain", "hello".to_string()),
            ("application/json", "[1, 2, 3]".to_string()),
            ("application/json", "{\"kind\": {\"$gt\": \"\"}, \"title\": null}".to_string()),
            ("application/json", format!("{{\"kind\":\"complaint\",\"title\":\"{SCRIPT}\",\"content\":\"x\",\"region\":\"' OR 1=1--\"}}")),
            ("application/json", "{\"kind\":\"complaint\",\"title\":\"t\",\"content\":\"c\",\"consent_contact\":{}}".to_string()),
        ] {
            let response = app.client.post(app.url("/api/v1/opinions")).header("content-type", content_type).body(body.clone()).send().await.unwrap();
            let status = response.status().as_u16();
            assert!((400..500).contains(&status), "{}: {status}", body.chars().take(60).collect::<String>());
            let json: serde_json::Value = response.json().await.expect("a JSON error body");
            assert!(json["error"]["code"].is_string(), "{json}");
            assert!(!json.to_string().contains(SCRIPT));
        }
        // Every GET endpoint, with hostile parameters: an answer, never a 500.
        let hostile = ["%27%20OR%201%3D1--", "%00", "%E2%80%AE", &"9".repeat(40), "-1", "%3Cscript%3E", "AND%20(", "%22"];
        for value in hostile {
            for path in [
                format!("/api/v1/search?q={value}&page={value}&page_size={value}&type={value}&region={value}&from={value}&to={value}&sort={value}"),
                format!("/api/v1/similar?text={value}"),
                format!("/api/v1/problems?page={value}&page_size={value}&status={value}&region={value}&unit={value}&overdue={value}"),
                format!("/api/v1/problems/{value}"),
                format!("/api/v1/opinions/{value}"),
                format!("/api/v1/scores?level={value}&period={value}"),
            ] {
                let response = app.get(&path).await;
                let status = response.status().as_u16();
                assert!(status < 500, "{path}: {status}");
                let text = response.text().await.unwrap();
                let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path} answers JSON: {text}"));
                if status >= 400 {
                    assert!(json["error"]["code"].is_string(), "{path}: {json}");
                }
            }
        }
    }
}
