//! Staff accounts, roles, CSRF, sessions, limits and the audit trail.

use entity::{audit_log, progress_update, report, setting, unit, user};
use lianxin::journal::{self, ChainCheck};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

use crate::fixtures::{PASSWORD, small_city};
use crate::on_both_databases;

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

on_both_databases! {
    async fn staff_log_in_to_their_desk_and_out_again(app) {
        small_city(app.ctx()).await;
        let response = app.login("office1", PASSWORD).await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/office");
        let desk = app.get("/office").await;
        assert_eq!(desk.status(), 200);
        assert!(desk.text().await.unwrap().contains("绩效办工作台"));

        assert_eq!(app.post_form("/logout", &[]).await.status(), 303);
        let after = app.get("/office").await;
        assert_eq!(after.status(), 303);
        assert_eq!(location(&after), "/login?next=%2Foffice");
    }
}

on_both_databases! {
    async fn a_wrong_password_is_refused_in_chinese_and_keeps_the_username(app) {
        small_city(app.ctx()).await;
        let response = app.login("office1", "wrong-password-123").await;
        assert_eq!(response.status(), 401);
        let html = response.text().await.unwrap();
        assert!(html.contains("用户名或密码错误"));
        assert!(html.contains(r#"value="office1""#));
        let unknown = app.login("nobody", "wrong-password-123").await;
        assert_eq!(unknown.status(), 401, "an unknown name gets the same answer");
    }
}

on_both_databases! {
    async fn login_follows_next_only_within_the_site(app) {
        small_city(app.ctx()).await;
        let token = app.csrf().await;
        let fields = [("username", "admin1"), ("password", PASSWORD), ("next", "//evil.example/x"), ("csrf_token", &token)];
        let response = app.client.post(app.url("/login")).form(&fields).send().await.unwrap();
        assert_eq!(location(&response), "/admin");
    }
}

on_both_databases! {
    async fn repeated_failures_slow_the_name_down_but_never_lock_the_right_password_out(app) {
        small_city(app.ctx()).await;
        for _ in 0..6 {
            assert_eq!(app.login("unita", "wrong-password-123").await.status(), 401, "the same answer, never a lock");
        }
        let started = std::time::Instant::now();
        let right = app.login("unita", PASSWORD).await;
        assert_eq!(right.status(), 303, "the right password still gets in");
        assert!(started.elapsed() >= std::time::Duration::from_millis(450), "after six failures an attempt waits first");
        let counted = entity::login_throttle::Entity::find().all(&app.db).await.unwrap();
        assert!(counted.is_empty(), "a success clears the count");
    }
}

on_both_databases! {
    async fn one_address_is_rate_limited_on_login_with_retry_after(app) {
        let mut statuses = Vec::new();
        for i in 0..12 {
            let response = app.login(&format!("ghost{i}"), "wrong-password-123").await;
            statuses.push(response.status().as_u16());
            if response.status() == 429 {
                assert!(response.headers().contains_key("retry-after"));
                assert!(response.text().await.unwrap().contains("操作太频繁"));
            }
        }
        assert_eq!(&statuses[..10], &[401; 10]);
        assert_eq!(statuses[10], 429);
    }
}

/// (role's user, area page, area write, form fields) for the role matrix.
const AREAS: &[(&str, &str, &str)] = &[
    ("admin1", "/admin", "/admin/units"),
    ("office1", "/office", "/office/settings/deadlines"),
    ("publicity1", "/publicity", "/publicity/reports"),
    ("unita", "/unit", "/unit/rectifications/RECT/progress"),
];

fn fields_for(area: &str) -> Vec<(&'static str, &'static str)> {
    match area {
        "/admin" => vec![("code", "NEWU"), ("name", "新单位"), ("kind", "other")],
        "/office" => vec![
            ("consult", "3"),
            ("help", "10"),
            ("suggestion", "10"),
            ("complaint", "15"),
            ("report", "15"),
            ("praise", "10"),
            ("followup", "15"),
        ],
        "/publicity" => vec![("title", "报道"), ("summary", "摘要"), ("body_md", "正文")],
        _ => vec![("text", "已完成现场勘查"), ("percent", "20")],
    }
}

/// Progress updates carry evidence, so they are multipart; everything else is a plain form.
async fn post(client: &crate::helpers::TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    if path.ends_with("/progress") { client.post_multipart(path, fields, &[]).await } else { client.post_form(path, fields).await }
}

/// How many rows each area's write adds, so a refused write can be shown to add none.
async fn written(db: &sea_orm::DatabaseConnection) -> [u64; 4] {
    [
        unit::Entity::find().count(db).await.unwrap(),
        setting::Entity::find().count(db).await.unwrap(),
        report::Entity::find().count(db).await.unwrap(),
        progress_update::Entity::find().count(db).await.unwrap(),
    ]
}

on_both_databases! {
    async fn every_role_reaches_its_own_area_and_is_refused_elsewhere(app) {
        let city = small_city(app.ctx()).await;
        for (user, _, _) in AREAS {
            let client = app.another_client();
            assert_eq!(client.login(user, PASSWORD).await.status(), 303, "{user} logs in");
            for (index, (owner, page, write)) in AREAS.iter().enumerate() {
                let write = write.replace("RECT", &city.rect_a.to_string());
                let allowed = owner == user;
                let status = client.get(page).await.status();
                assert_eq!(status, if allowed { 200 } else { 403 }, "{user} GET {page}");

                let before = written(&app.db).await;
                let response = post(&client, &write, &fields_for(page)).await;
                let after = written(&app.db).await;
                if allowed {
                    assert_eq!(response.status(), 303, "{user} POST {write}");
                    assert_eq!(after[index], before[index] + 1, "{user} POST {write} takes effect");
                } else {
                    assert_eq!(response.status(), 403, "{user} POST {write}");
                    assert!(response.text().await.unwrap().contains("无权"), "a Chinese 403 page");
                    assert_eq!(after, before, "{user} POST {write} changes nothing");
                }
            }
        }
        // Not logged in: sent to the login page, nothing written.
        let anonymous = app.another_client();
        for (_, page, write) in AREAS {
            let write = write.replace("RECT", &city.rect_a.to_string());
            assert_eq!(anonymous.get(page).await.status(), 303);
            let before = written(&app.db).await;
            let response = post(&anonymous, &write, &fields_for(page)).await;
            assert_eq!(response.status(), 303);
            assert!(location(&response).starts_with("/login"));
            assert_eq!(written(&app.db).await, before);
        }
    }
}

on_both_databases! {
    async fn unit_staff_cannot_work_another_units_rectification(app) {
        let city = small_city(app.ctx()).await;
        app.login("unita", PASSWORD).await;
        let before = progress_update::Entity::find().count(&app.db).await.unwrap();
        let theirs = app.post_multipart(&format!("/unit/rectifications/{}/progress", city.rect_b), &[("text", "越权"), ("percent", "50")], &[]).await;
        assert_eq!(theirs.status(), 403);
        assert_eq!(app.get(&format!("/unit/rectifications/{}", city.rect_b)).await.status(), 403, "nor see its work page");
        let ours = app.post_multipart(&format!("/unit/rectifications/{}/progress", city.rect_a), &[("text", "正常"), ("percent", "50")], &[]).await;
        assert_eq!(ours.status(), 303);
        assert_eq!(progress_update::Entity::find().count(&app.db).await.unwrap(), before + 1);
        let desk = app.get("/unit").await.text().await.unwrap();
        assert!(desk.contains("WT-2026-0001") && !desk.contains("WT-2026-0002"), "a unit sees only its own items");
    }
}

on_both_databases! {
    async fn state_changing_forms_need_the_csrf_token(app) {
        small_city(app.ctx()).await;
        app.login("admin1", PASSWORD).await;
        let before = unit::Entity::find().count(&app.db).await.unwrap();
        let fields = [("code", "CSRF1"), ("name", "跨站"), ("kind", "other")];
        let missing = app.client.post(app.url("/admin/units")).form(&fields).send().await.unwrap();
        assert_eq!(missing.status(), 403);
        assert!(missing.text().await.unwrap().contains("页面已过期"));
        let mut wrong = fields.to_vec();
        wrong.push(("csrf_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assert_eq!(app.client.post(app.url("/admin/units")).form(&wrong).send().await.unwrap().status(), 403);
        assert_eq!(unit::Entity::find().count(&app.db).await.unwrap(), before);
        assert_eq!(app.post_form("/admin/units", &fields).await.status(), 303);
    }
}

on_both_databases! {
    async fn cookies_are_http_only_lax_and_the_session_is_opaque(app) {
        small_city(app.ctx()).await;
        let page = app.get("/login").await;
        let csrf_cookie = page.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>().join("\n");
        assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"), "{csrf_cookie}");
        assert!(!csrf_cookie.contains("Secure"), "plain HTTP on a laptop: no Secure flag");
        let login = app.login("admin1", PASSWORD).await;
        let session = login.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|c| c.starts_with("lianxin_session=")).unwrap();
        assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
        assert!(!session.contains("uid") && !session.contains("login_at"), "the session is encrypted: {session}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_and_host_prefixed_when_configured_for_tls() {
    let token_re = regex::Regex::new(r#"name="csrf_token" value="([A-Za-z0-9]+)""#).unwrap();
    for backend in [crate::helpers::Backend::Sqlite, crate::helpers::Backend::Postgres] {
        let app = crate::helpers::spawn_app_with(backend, |c| c.cookie_secure = true).await;
        small_city(app.ctx()).await;
        let page = app.get("/login").await;
        let visitor = page.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            visitor.starts_with("__Host-lianxin_visitor=") && visitor.contains("Secure") && visitor.contains("Path=/"),
            "{backend:?}: {visitor}"
        );
        // A browser sends Secure cookies only over https; this test plays one by hand.
        let pair = visitor.split(';').next().unwrap().to_string();
        let html = page.text().await.unwrap();
        let token = token_re.captures(&html).unwrap()[1].to_string();
        let login = app
            .client
            .post(app.url("/login"))
            .header("cookie", &pair)
            .form(&[("username", "admin1"), ("password", PASSWORD), ("csrf_token", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 303);
        let session = login
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("__Host-lianxin_session="))
            .unwrap();
        assert!(session.contains("Secure") && session.contains("HttpOnly") && session.contains("Path=/"), "{backend:?}: {session}");
        assert!(!session.contains("Domain"), "a __Host- cookie names no domain");
    }
}

on_both_databases! {
    async fn a_disabled_account_is_logged_out_and_cannot_log_in(app) {
        small_city(app.ctx()).await;
        let unit_staff = app.another_client();
        unit_staff.login("unitb", PASSWORD).await;
        assert_eq!(unit_staff.get("/unit").await.status(), 200);

        app.login("admin1", PASSWORD).await;
        let id = user::Entity::find().all(&app.db).await.unwrap().into_iter().find(|u| u.username == "unitb").unwrap().id;
        assert_eq!(app.post_form(&format!("/admin/users/{id}/active"), &[("active", "false")]).await.status(), 303);

        assert_eq!(unit_staff.get("/unit").await.status(), 303, "the open session ends at once");
        assert_eq!(unit_staff.login("unitb", PASSWORD).await.status(), 401);
    }
}

on_both_databases! {
    async fn admin_creates_accounts_with_chinese_field_errors(app) {
        small_city(app.ctx()).await;
        app.login("admin1", PASSWORD).await;
        let bad = app.post_form("/admin/users", &[("username", "x"), ("display_name", "新人"), ("role", "unit"), ("unit", ""), ("password", "short")]).await;
        assert_eq!(bad.status(), 400);
        let html = bad.text().await.unwrap();
        assert!(html.contains("用户名须为") && html.contains("密码至少 12 位") && html.contains("须选择所属单位"));
        assert!(html.contains(r#"value="新人""#), "what was typed is kept");

        let good = app.post_form("/admin/users", &[("username", "newunit"), ("display_name", "新人"), ("role", "unit"), ("unit", "UA"), ("password", PASSWORD)]).await;
        assert_eq!(good.status(), 303);
        let fresh = app.another_client();
        assert_eq!(fresh.login("newunit", PASSWORD).await.status(), 303);
        assert_eq!(fresh.get("/unit").await.status(), 200);
    }
}

on_both_databases! {
    async fn every_staff_write_is_in_the_audit_chain_and_tampering_is_found(app) {
        let city = small_city(app.ctx()).await;
        app.login("unita", PASSWORD).await;
        app.post_multipart(&format!("/unit/rectifications/{}/progress", city.rect_a), &[("text", "进展"), ("percent", "30")], &[]).await;
        let admin = app.another_client();
        admin.login("admin1", PASSWORD).await;
        admin.post_form("/admin/units", &[("code", "AUD"), ("name", "审计局"), ("kind", "department")]).await;

        let entries = audit_log::Entity::find().all(&app.db).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        for expected in ["user.create", "user.login", "rectification.progress", "unit.create"] {
            assert!(actions.contains(&expected), "{expected} in {actions:?}");
        }
        let progress = entries.iter().find(|e| e.action == "rectification.progress").unwrap();
        assert_eq!(progress.actor, "unita");
        assert!(progress.before_json.as_deref().unwrap().contains(r#""progress":0"#));
        assert!(progress.after_json.as_deref().unwrap().contains(r#""progress":30"#));
        assert!(entries.iter().all(|e| !e.after_json.clone().unwrap_or_default().contains("argon2")), "no password hash in the trail");
        let anchors: Vec<_> = journal::read_checkpoint(&app.secrets).into_iter().collect();
        assert_eq!(journal::verify(&app.db, &app.secrets, &anchors).await.unwrap(), ChainCheck::Intact { entries: entries.len() as u64, anchored_at: Some(entries.last().unwrap().id) });

        let page = admin.get("/admin/audit?action=unit.").await.text().await.unwrap();
        assert!(page.contains("unit.create") && !page.contains("rectification.progress"), "the trail filters");

        app.db.execute_unprepared(&format!("UPDATE audit_log SET actor = 'someone' WHERE id = {}", progress.id)).await.unwrap();
        assert_eq!(journal::verify(&app.db, &app.secrets, &[]).await.unwrap(), ChainCheck::Broken { id: progress.id, reason: "内容与哈希不符（记录被改动）" });
    }
}

on_both_databases! {
    async fn deleting_an_audit_entry_breaks_the_chain_at_the_next_one(app) {
        small_city(app.ctx()).await;
        let ids: Vec<i64> = audit_log::Entity::find().all(&app.db).await.unwrap().into_iter().map(|e| e.id).collect();
        assert!(ids.len() >= 3);
        app.db.execute_unprepared(&format!("DELETE FROM audit_log WHERE id = {}", ids[1])).await.unwrap();
        assert!(matches!(journal::verify(&app.db, &app.secrets, &[]).await.unwrap(), ChainCheck::Broken { id, .. } if id == ids[2]));
    }
}

on_both_databases! {
    async fn settings_changes_are_versioned(app) {
        small_city(app.ctx()).await;
        app.login("office1", PASSWORD).await;
        let fields = fields_for("/office");
        app.post_form("/office/settings/deadlines", &fields).await;
        app.post_form("/office/settings/deadlines", &fields).await;
        let versions: Vec<i32> = setting::Entity::find().all(&app.db).await.unwrap().into_iter().map(|s| s.version).collect();
        assert_eq!(versions, vec![1, 2]);
        let desk = app.get("/office").await.text().await.unwrap();
        assert!(desk.contains("第 2 版"));
        let bad = app.post_form("/office/settings/deadlines", &[("consult", "0"), ("help", "abc"), ("suggestion", "10"), ("complaint", "15"), ("report", "15"), ("praise", "10"), ("followup", "15")]).await;
        assert_eq!(bad.status(), 400);
        assert!(bad.text().await.unwrap().contains("须为 1 到 90 个工作日"));
        assert_eq!(setting::Entity::find().count(&app.db).await.unwrap(), 2, "a refused change stores nothing");
    }
}
