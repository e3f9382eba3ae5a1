//! The findings of the outside security review, each tested as an attacker would try it, on both
//! databases: logins that cannot be locked by others, sessions that die everywhere, CSRF bound to
//! the session, no private number on any public surface, no secret in the audit trail, a chain
//! that notices truncation and rewriting, and the headers and settings around them.

use std::time::Duration;

use entity::{audit_log, opinion};
use lianxin::journal::{self, ChainCheck};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::fixtures::{PASSWORD, small_city};
use crate::helpers::{TestApp, spawn_beside};
use crate::on_both_databases;

const PHONE: &str = "13912345678";
const EMAIL: &str = "citizen.wang@example.com";

fn strip_tokens(html: &str) -> String {
    regex::Regex::new(r#"value="[A-Za-z0-9]{32}""#).unwrap().replace_all(html, "").into_owned()
}

async fn office_id_of(app: &TestApp, title: &str) -> i32 {
    opinion::Entity::find().filter(opinion::Column::Title.eq(title)).one(&app.db).await.unwrap().unwrap().id
}

async fn submit(app: &TestApp, kind: &str, title: &str) -> String {
    let body = json!({ "kind": kind, "title": title, "content": format!("请联系我 {PHONE} 或 {EMAIL}"), "region": "城关区", "phone": PHONE, "email": EMAIL, "consent_contact": true });
    let response = app.client.post(app.url("/api/v1/opinions")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["tracking_code"].as_str().unwrap().to_string()
}

on_both_databases! {
    async fn known_and_unknown_names_get_the_same_answer_and_the_same_work(app) {
        small_city(app.ctx()).await;
        let known = app.login("office1", "wrong-password-123").await;
        let known = (known.status(), strip_tokens(&known.text().await.unwrap()).replace("office1", "NAME"));
        let unknown = app.login("nobody9", "wrong-password-123").await;
        let unknown = (unknown.status(), strip_tokens(&unknown.text().await.unwrap()).replace("nobody9", "NAME"));
        assert_eq!(known, unknown, "the same status and page for a name that exists and one that does not");
        for name in ["office1", "nobody9"] {
            let counted = entity::login_throttle::Entity::find_by_id(app.secrets.login_key(name)).one(&app.db).await.unwrap();
            assert_eq!(counted.map(|c| c.failures), Some(1), "{name}: the failure is counted either way");
        }
        let failed = audit_log::Entity::find().filter(audit_log::Column::Action.eq("user.login_failed")).all(&app.db).await.unwrap();
        assert_eq!(failed.len(), 2, "failed logins are in the trail");
        assert!(failed.iter().all(|e| !e.after_json.clone().unwrap_or_default().contains("wrong-password")), "never the password tried");
    }
}

on_both_databases! {
    async fn a_copied_session_cookie_dies_with_its_session_everywhere(app) {
        small_city(app.ctx()).await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let stolen = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let second_server = spawn_beside(&app).await;
        assert_eq!(office.get("/office").await.status(), 200);
        // The copy: the same cookie, sent by another client, to this server and another.
        let cookie = office.cookie_header();
        let on_second = second_server.client.get(second_server.url("/office")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(on_second.status(), 200, "the session works on every server");

        assert_eq!(office.post_form("/logout", &[]).await.status(), 303);
        assert_eq!(stolen.get(app.url("/office")).header("cookie", &cookie).send().await.unwrap().status(), 303, "logged out: the copy is dead");
        let on_second = second_server.client.get(second_server.url("/office")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(on_second.status(), 303, "and dead on the other server too");

        // An admin's password reset and a disable end every session of the account.
        let admin = app.another_client();
        admin.login("admin1", PASSWORD).await;
        let unit_staff = app.another_client();
        unit_staff.login("unita", PASSWORD).await;
        let unita = entity::user::Entity::find().filter(entity::user::Column::Username.eq("unita")).one(&app.db).await.unwrap().unwrap();
        assert_eq!(unit_staff.get("/unit").await.status(), 200);
        admin.post_form(&format!("/admin/users/{}/password", unita.id), &[("password", "another-long-secret-9")]).await;
        assert_eq!(unit_staff.get("/unit").await.status(), 303, "a password reset ends the session");
        unit_staff.login("unita", "another-long-secret-9").await;
        assert_eq!(unit_staff.get("/unit").await.status(), 200);
        admin.post_form(&format!("/admin/users/{}/active", unita.id), &[("active", "false")]).await;
        admin.post_form(&format!("/admin/users/{}/active", unita.id), &[("active", "true")]).await;
        assert_eq!(unit_staff.get("/unit").await.status(), 303, "disable then enable: the old session stays dead");
    }
}

on_both_databases! {
    async fn a_user_sees_their_sessions_ends_one_and_changes_their_password(app) {
        small_city(app.ctx()).await;
        let laptop = app.another_client();
        let phone = app.another_client();
        laptop.login("office1", PASSWORD).await;
        phone.login("office1", PASSWORD).await;
        let response = laptop.get("/account").await;
        let status = response.status();
        let page = response.text().await.unwrap();
        assert_eq!(status, 200, "{page}");
        assert_eq!(page.matches("退出该设备").count(), 2, "both logins are listed");
        let other = regex::Regex::new(r#"/account/sessions/(\d+)/end"#).unwrap().captures_iter(&page).map(|c| c[1].to_string()).collect::<Vec<_>>();
        let sessions = entity::session::Entity::find().filter(entity::session::Column::EndedAt.is_null()).order_by_desc(entity::session::Column::Id).all(&app.db).await.unwrap();
        let phones = sessions[0].id.to_string();
        assert!(other.contains(&phones));
        assert_eq!(laptop.post_form(&format!("/account/sessions/{phones}/end"), &[]).await.status(), 303);
        assert_eq!(phone.get("/office").await.status(), 303, "the phone's session is ended from the laptop");

        let weak = laptop.post_form("/account/password", &[("current", PASSWORD), ("password", "password2026!"), ("repeated", "password2026!")]).await;
        assert_eq!(weak.status(), 400);
        assert!(weak.text().await.unwrap().contains("太常见"));
        let wrong = laptop.post_form("/account/password", &[("current", "not-it-at-all"), ("password", "a-much-better-passphrase"), ("repeated", "a-much-better-passphrase")]).await;
        assert!(wrong.text().await.unwrap().contains("当前密码不正确"));
        phone.login("office1", PASSWORD).await;
        let changed = laptop.post_form("/account/password", &[("current", PASSWORD), ("password", "a-much-better-passphrase"), ("repeated", "a-much-better-passphrase")]).await;
        assert_eq!(changed.status(), 200);
        assert_eq!(laptop.get("/office").await.status(), 200, "the device that changed it stays in");
        assert_eq!(phone.get("/office").await.status(), 303, "every other device is out");
        assert_eq!(app.another_client().login("office1", PASSWORD).await.status(), 401);
        assert_eq!(app.another_client().login("office1", "a-much-better-passphrase").await.status(), 303);
    }
}

on_both_databases! {
    async fn csrf_tokens_are_bound_rotated_and_cross_site_posts_refused(app) {
        small_city(app.ctx()).await;
        let before = app.csrf().await;
        app.login("office1", PASSWORD).await;
        let during = app.csrf().await;
        assert_ne!(before, during, "login rotates the token");
        app.post_form("/logout", &[]).await;
        let after = app.csrf().await;
        assert!(after != during && after != before, "logout rotates it again");

        // An attacker's own pair: a visitor cookie they chose and a matching field.
        let forged = app.client.post(app.url("/track")).header("cookie", "lianxin_visitor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").form(&[("code", "ABCD-EFGH-JKMN"), ("csrf_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]).send().await.unwrap();
        assert_eq!(forged.status(), 403);
        // A real token, but the request comes from another site.
        let token = app.csrf().await;
        for (header, value) in [("origin", "https://evil.example"), ("referer", "https://evil.example/page"), ("origin", "null")] {
            let cross = app.client.post(app.url("/track")).header(header, value).form(&[("code", "ABCD-EFGH-JKMN"), ("csrf_token", token.as_str())]).send().await.unwrap();
            assert_eq!(cross.status(), 403, "{header}: {value}");
        }
        let same = app.client.post(app.url("/track")).header("origin", app.address.as_str()).form(&[("code", "ABCD-EFGH-JKMN"), ("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(same.status(), 404, "the same origin passes (and the code is unknown)");
        let api = app.client.post(app.url("/api/v1/opinions")).header("origin", "https://evil.example").json(&json!({ "kind": "help", "title": "t", "content": "c" })).send().await.unwrap();
        assert_eq!(api.status(), 403, "the JSON API refuses other sites too");
    }
}

on_both_databases! {
    async fn no_public_surface_shows_a_number_the_citizen_typed(app) {
        small_city(app.ctx()).await;
        let title = format!("小区路灯不亮请回电{PHONE}");
        submit(&app, "complaint", &title).await;
        let id = office_id_of(&app, &title).await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let form = office.get(&format!("/office/problems/new?from_opinion={id}")).await.text().await.unwrap();
        assert!(!form.contains(PHONE), "the draft from an opinion is scrubbed");
        let created = office.post_form("/office/problems", &[
            ("title", &format!("路灯不亮 TEL{PHONE}")), ("description", &format!("描述 wx{PHONE}")), ("category", "城乡建设"), ("region", "城关区"),
            ("source", "opinion"), ("lead_unit", "UA"), ("cooperating", ""), ("responsible_post", &format!("科长 {PHONE}")),
            ("deadline", "2027-03-31"), ("kind", "deadline"), ("measures", "措施 １３９１２３４５６７８"), ("plan", "计划 139.1234.5678"),
            ("target", &format!("目标 {EMAIL}")), ("from_opinion", &id.to_string()),
        ]).await;
        assert_eq!(created.status(), 303);
        let code = created.headers()["location"].to_str().unwrap().trim_start_matches("/problems/").to_string();
        let unit_staff = app.another_client();
        unit_staff.login("unita", PASSWORD).await;
        let rect = entity::rectification::Entity::find().order_by_desc(entity::rectification::Column::Id).one(&app.db).await.unwrap().unwrap();
        unit_staff.post_form(&format!("/unit/rectifications/{}/plan", rect.id), &[("measures", "措施"), ("plan", "计划"), ("target", "目标"), ("next_milestone", &format!("下一步联系 name(at)host.com {PHONE}")), ("next_update_due", &(app.clock.today() + chrono::Duration::days(7)).to_string())]).await;
        unit_staff.post_form(&format!("/unit/rectifications/{}/report", rect.id), &[("note", "已完成"), ("confirmed", "1")]).await;
        office.post_form(&format!("/office/rectifications/{}/verify", rect.id), &[("decision", "fail"), ("reason", &format!("复查仍不亮，联系 {PHONE}"))]).await;

        let citizen = app.another_client();
        tokio::time::sleep(Duration::from_millis(800)).await;
        for path in [
            "/lists".to_string(),
            format!("/problems/{code}"),
            format!("/api/v1/problems/{code}"),
            "/api/v1/problems".to_string(),
            "/feed.atom".to_string(),
            format!("/problems/{code}/feed.atom"),
            "/lists/export.csv".to_string(),
            "/lists/export.csv?tab=responsibilities".to_string(),
            "/lists/export.csv?tab=rectifications".to_string(),
            format!("/search?q={}", url::form_urlencoded::byte_serialize("路灯".as_bytes()).collect::<String>()),
            format!("/api/v1/search?q={}", url::form_urlencoded::byte_serialize("路灯".as_bytes()).collect::<String>()),
            "/".to_string(),
        ] {
            let body = citizen.get(&path).await.text().await.unwrap();
            for secret in [PHONE, "１３９１２３４５６７８", "139.1234.5678", EMAIL, "name(at)host.com"] {
                assert!(!body.contains(secret), "{path} shows {secret}");
            }
        }
        let page = citizen.get(&format!("/problems/{code}")).await.text().await.unwrap();
        assert!(page.contains("[电话已隐藏]"), "the problem page says what was hidden");
        let xlsx = citizen.get("/lists/export.xlsx").await.bytes().await.unwrap().to_vec();
        let (rows, _) = lianxin::tabular::read_table("x.xlsx", &xlsx).unwrap();
        assert!(rows.iter().all(|r| r.cells.values().all(|v| !v.contains(PHONE))), "nor the workbook");
    }
}

on_both_databases! {
    async fn regions_come_from_the_list_and_the_office_sees_numbers_masked(app) {
        small_city(app.ctx()).await;
        let free = app.client.post(app.url("/api/v1/opinions")).json(&json!({ "kind": "help", "title": "积水", "content": "积水", "region": format!("幸福小区{PHONE}") })).send().await.unwrap();
        assert_eq!(free.status(), 422);
        let body: Value = free.json().await.unwrap();
        assert!(body["error"]["fields"].as_array().unwrap().iter().any(|f| f["field"] == "region"), "{body}");
        let noted = app.client.post(app.url("/api/v1/opinions")).json(&json!({ "kind": "help", "title": "积水", "content": "积水", "region": "城关区", "location_note": format!("幸福小区东门 {PHONE}") })).send().await.unwrap();
        assert_eq!(noted.status(), 201, "the exact place goes in the note");

        let title = format!("请回电{PHONE}");
        submit(&app, "complaint", &title).await;
        let id = office_id_of(&app, &title).await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        for path in ["/office/opinions".to_string(), format!("/office/opinions/{id}")] {
            let page = office.get(&path).await.text().await.unwrap();
            assert!(!page.contains(PHONE), "{path} shows the raw number");
            assert!(page.contains("139****5678"), "{path} shows it masked");
        }
        office.post_form(&format!("/office/opinions/{id}/route"), &[("unit", "UA"), ("note", "")]).await;
        let unit_staff = app.another_client();
        unit_staff.login("unita", PASSWORD).await;
        let page = unit_staff.get(&format!("/unit/opinions/{id}")).await.text().await.unwrap();
        assert!(page.contains(PHONE), "the handling unit sees it in full, to call back");
    }
}

on_both_databases! {
    async fn reports_of_wrongdoing_are_private_until_the_office_publishes_them(app) {
        small_city(app.ctx()).await;
        submit(&app, "report", "举报某餐馆夜间偷排油污").await;
        let id = office_id_of(&app, "举报某餐馆夜间偷排油污").await;
        let query = format!("/api/v1/search?q={}", url::form_urlencoded::byte_serialize("偷排油污".as_bytes()).collect::<String>());
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let staff_sees = crate::helpers::eventually(|| async { office.get(&query).await.json::<Value>().await.unwrap()["total"] == 1 }).await;
        assert!(staff_sees, "staff find it");
        let citizen = app.another_client();
        assert_eq!(citizen.get(&query).await.json::<Value>().await.unwrap()["total"], 0, "citizens do not");
        assert_eq!(office.post_form(&format!("/office/opinions/{id}/publish"), &[]).await.status(), 303);
        let public = crate::helpers::eventually(|| async { citizen.get(&query).await.json::<Value>().await.unwrap()["total"] == 1 }).await;
        assert!(public, "published by the office, it is public");
    }
}

on_both_databases! {
    async fn the_audit_trail_keeps_no_code_contact_or_pseudonym(app) {
        small_city(app.ctx()).await;
        let code = submit(&app, "complaint", "门口积水").await;
        let id = office_id_of(&app, "门口积水").await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        office.post_form(&format!("/office/opinions/{id}/route"), &[("unit", "UA"), ("note", "")]).await;
        let unit_staff = app.another_client();
        unit_staff.login("unita", PASSWORD).await;
        unit_staff.post_form(&format!("/unit/opinions/{id}/accept"), &[]).await;
        unit_staff.post_form(&format!("/unit/opinions/{id}/answer"), &[("reply", &format!("已于12月1日疏通，如有问题请拨打 {PHONE}")), ("outcome", "closed"), ("reason", "已电话告知详情")]).await;
        app.post_form("/track/rate", &[("code", &code), ("what", "handling"), ("level", "1"), ("comment", &format!("没修好 {PHONE}"))]).await;
        office.post_form(&format!("/office/opinions/{id}/link"), &[("problem", "WT-2026-0001")]).await;

        let stored = opinion::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        let raw_code = code.replace('-', "");
        assert_ne!(stored.code_digest, raw_code, "the database holds a digest, not the code");
        assert_eq!(stored.code_digest, app.secrets.code_digest(&lianxin::domain::tracking_code::TrackingCode::parse(&code).unwrap()));
        let unkeyed = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(PHONE.as_bytes()))
        };
        assert!(!stored.citizen_key.clone().unwrap().contains(&unkeyed[..20]), "the pseudonym is keyed");

        let rows = audit_log::Entity::find().all(&app.db).await.unwrap();
        assert!(rows.len() >= 8);
        for row in &rows {
            let text = format!("{} {} {} {}", row.entity_id, row.actor, row.before_json.clone().unwrap_or_default(), row.after_json.clone().unwrap_or_default());
            for secret in [code.as_str(), raw_code.as_str(), PHONE, EMAIL, stored.code_digest.as_str(), stored.citizen_key.as_deref().unwrap(), "argon2"] {
                assert!(!text.contains(secret), "audit {} ({}) holds {secret}", row.id, row.action);
            }
        }
    }
}

on_both_databases! {
    async fn the_chain_notices_a_missing_tail_an_empty_table_and_a_rewrite(app) {
        small_city(app.ctx()).await;
        for i in 0..60 {
            app.another_client().login(&format!("nobody{i}"), "guess-xxxxxxx").await;
        }
        let anchors = || journal::read_checkpoint(&app.secrets).into_iter().collect::<Vec<_>>();
        assert!(matches!(journal::verify(&app.db, &app.secrets, &anchors()).await.unwrap(), ChainCheck::Intact { .. }));
        let backup: Vec<audit_log::Model> = audit_log::Entity::find().order_by_asc(audit_log::Column::Id).all(&app.db).await.unwrap();
        let last = backup.last().unwrap().id;
        for cut in [1, 50] {
            app.db.execute_unprepared(&format!("DELETE FROM audit_log WHERE id > {}", last - cut)).await.unwrap();
            let check = journal::verify(&app.db, &app.secrets, &anchors()).await.unwrap();
            assert!(matches!(check, ChainCheck::Truncated { anchored_id, .. } if anchored_id == last), "newest {cut} deleted: {check:?}");
        }
        app.db.execute_unprepared("DELETE FROM audit_log").await.unwrap();
        assert!(matches!(journal::verify(&app.db, &app.secrets, &anchors()).await.unwrap(), ChainCheck::Truncated { found_entries: 0, .. }), "all deleted");

        // Rewritten: an entry changed and every hash after it recomputed, without the secret.
        for entry in &backup {
            let mut restored: audit_log::ActiveModel = entry.clone().into();
            restored.id = sea_orm::ActiveValue::Set(entry.id);
            sea_orm::ActiveModelTrait::insert(restored, &app.db).await.unwrap();
        }
        assert!(matches!(journal::verify(&app.db, &app.secrets, &anchors()).await.unwrap(), ChainCheck::Intact { .. }), "restored as it was");
        let mut prev = backup[2].prev_hash.clone();
        for entry in &backup[2..] {
            let mut forged = entry.clone();
            if entry.id == backup[2].id {
                forged.actor = "someone-else".into();
            }
            forged.prev_hash = prev.clone();
            forged.hash = journal::entry_hash(&forged);
            prev = forged.hash.clone();
            app.db.execute_unprepared(&format!("UPDATE audit_log SET actor = '{}', prev_hash = '{}', hash = '{}' WHERE id = {}", forged.actor, forged.prev_hash, forged.hash, forged.id)).await.unwrap();
        }
        let check = journal::verify(&app.db, &app.secrets, &anchors()).await.unwrap();
        assert!(matches!(check, ChainCheck::Broken { id, reason } if id == backup[2].id && reason.contains("封印")), "a rewrite without the key: {check:?}");
    }
}

on_both_databases! {
    async fn refused_actions_are_audited_and_staff_pages_never_cached(app) {
        small_city(app.ctx()).await;
        let unit_staff = app.another_client();
        unit_staff.login("unita", PASSWORD).await;
        let office_page = unit_staff.get("/office").await;
        assert_eq!(office_page.status(), 403);
        assert_eq!(office_page.headers()["cache-control"], "no-store");
        let refused = audit_log::Entity::find().filter(audit_log::Column::Action.eq("access.refused")).all(&app.db).await.unwrap();
        assert_eq!(refused.len(), 1);
        assert_eq!((refused[0].actor.as_str(), refused[0].entity_id.as_str()), ("unita", "GET /office"));
        assert_eq!(unit_staff.get("/unit").await.headers()["cache-control"], "no-store");
        let code = submit(&app, "help", "求助").await;
        let tracked = app.post_form("/track", &[("code", &code)]).await;
        assert_eq!(tracked.headers()["cache-control"], "no-store", "a tracking answer");
        assert_eq!(app.get(&format!("/api/v1/opinions/{code}")).await.headers()["cache-control"], "no-store");
        assert_eq!(app.get("/lists/export.csv").await.headers()["cache-control"], "no-store", "an export");
        let admin = app.another_client();
        admin.login("admin1", PASSWORD).await;
        let page = admin.get("/admin?notice=%3Cb%3E%E7%B3%BB%E7%BB%9F%E5%B7%B2%E8%A2%AB%E5%85%A5%E4%BE%B5%3C%2Fb%3E").await.text().await.unwrap();
        assert!(!page.contains("系统已被入侵"), "the admin page shows only its own notices");
        assert!(admin.get("/admin?notice=unit_saved").await.text().await.unwrap().contains("单位已保存"));
    }
}

on_both_databases! {
    async fn feed_links_come_from_the_public_address_not_the_request(app) {
        small_city(app.ctx()).await;
        let feed = app.client.get(app.url("/feed.atom")).header("host", "evil.example").header("x-forwarded-host", "evil.example").send().await.unwrap().text().await.unwrap();
        assert!(!feed.contains("evil.example"), "{feed}");
        assert!(feed.contains("http://127.0.0.1:0/problems/") || feed.contains("<link"), "{feed}");
    }
}

on_both_databases! {
    async fn a_deactivated_units_staff_are_logged_out_and_cannot_log_in(app) {
        small_city(app.ctx()).await;
        let unit_staff = app.another_client();
        unit_staff.login("unita", PASSWORD).await;
        let admin = app.another_client();
        admin.login("admin1", PASSWORD).await;
        let unit_a = entity::unit::Entity::find().filter(entity::unit::Column::Code.eq("UA")).one(&app.db).await.unwrap().unwrap();
        admin.post_form(&format!("/admin/units/{}", unit_a.id), &[("code", "UA"), ("name", "甲局"), ("kind", "department"), ("region", ""), ("active", "false")]).await;
        assert_eq!(unit_staff.get("/unit").await.status(), 303, "the unit's sessions end with it");
        assert_eq!(app.another_client().login("unita", PASSWORD).await.status(), 401, "and its accounts cannot log in");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idle_limit_counts_from_the_last_request_not_the_login() {
    for backend in [crate::helpers::Backend::Sqlite, crate::helpers::Backend::Postgres] {
        let at = chrono::Utc::now();
        let app = crate::helpers::spawn_app_configured(backend, Some(at), |c| c.session_idle_minutes = 1).await;
        small_city(app.ctx()).await;
        let office = app.another_client();
        assert_eq!(office.login("office1", PASSWORD).await.status(), 303);
        for _ in 0..4 {
            app.clock.advance(chrono::Duration::seconds(40));
            assert_eq!(office.get("/office").await.status(), 200, "{backend:?}: active every 40 s, never idle");
        }
        app.clock.advance(chrono::Duration::seconds(70));
        assert_eq!(office.get("/office").await.status(), 303, "{backend:?}: idle for 70 s, out");
    }
}
