//! 找回查询码: a citizen who lost their codes asks by the email or phone they left; the link that
//! arrives (real SMTP, the SMS gateway stub) issues new codes once, within a day, and the old
//! codes stop working. The form answers the same for an unknown address.

use std::sync::Arc;

use chrono::{Duration, Utc};

use crate::helpers::{Backend, TestApp};
use crate::mail::{SmtpServer, sms_gateway, until};

const SENT: &str = "如果这个联系方式登记过意见";

async fn file(app: &TestApp, title: &str, contact: serde_json::Value) -> String {
    let mut body = serde_json::json!({ "kind": "suggestion", "title": title, "content": "请有关部门关注" });
    body.as_object_mut().unwrap().extend(contact.as_object().unwrap().clone());
    let filed: serde_json::Value = app.client.post(app.url("/api/v1/opinions")).json(&body).send().await.unwrap().json().await.unwrap();
    filed["tracking_code"].as_str().unwrap_or_else(|| panic!("{filed}")).to_string()
}

async fn tracks(app: &TestApp, code: &str) -> Option<String> {
    let answer = app.post_form("/track", &[("code", code)]).await;
    (answer.status() == 200).then_some(answer.text().await.unwrap())
}

fn link_in(message: &str) -> String {
    regex::Regex::new(r"(/my/recover/\d+/\d+/[0-9a-f]{32})").unwrap().captures(message).unwrap_or_else(|| panic!("{message}"))[1]
        .to_string()
}

async fn a_lost_code_is_reissued_through_the_address_the_citizen_left(backend: Backend) {
    let mail = SmtpServer::start(0, Arc::default()).await;
    let (sms_url, texts) = sms_gateway().await;
    let smtp_url = format!("smtp://127.0.0.1:{}", mail.port);
    let app = crate::helpers::spawn_app_configured(backend, Some(Utc::now()), |c| {
        c.smtp_url = Some(smtp_url.clone());
        c.sms_url = Some(sms_url.clone());
        c.retry_seconds = 1;
        c.limits.submit.burst = 100;
    })
    .await;
    let first = file(&app, "公园路灯不亮", serde_json::json!({ "email": "Lost@Example.com", "consent_contact": true })).await;
    // No consent to progress messages: a recovery the citizen asks for still reaches them.
    let second = file(&app, "公交站台破损", serde_json::json!({ "email": "lost@example.com" })).await;
    let other = file(&app, "垃圾清运不及时", serde_json::json!({ "email": "other@example.com" })).await;
    let by_phone = file(&app, "菜市场噪音扰民", serde_json::json!({ "phone": "138 0013 8000" })).await;

    // The same answer whether the address is known or not; a malformed one is named.
    for contact in ["LOST@example.com", "nobody@example.com"] {
        let asked = app.post_form("/my/recover", &[("contact", contact)]).await;
        assert_eq!(asked.status(), 200);
        assert!(asked.text().await.unwrap().contains(SENT));
    }
    let bad = app.post_form("/my/recover", &[("contact", "找不到了")]).await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("请填写提交意见时留下的"));

    let inbox = mail.inbox.clone();
    until("the recovery email", || inbox.lock().unwrap().iter().any(|m| m.contains("/my/recover/"))).await;
    let message = inbox.lock().unwrap().iter().find(|m| m.contains("/my/recover/")).cloned().unwrap();
    assert!(message.contains("To: lost@example.com") && !message.contains(&first) && !message.contains(&second), "{message}");
    // Asked again at once: no second message (one per address per ten minutes).
    app.post_form("/my/recover", &[("contact", "lost@example.com")]).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(inbox.lock().unwrap().iter().filter(|m| m.contains("/my/recover/")).count(), 1, "nobody else was written to");

    // Opening the link changes nothing; the button issues new codes for both cases.
    let link = link_in(&message);
    let confirm = app.get(&link).await;
    assert_eq!(confirm.status(), 200);
    assert!(confirm.text().await.unwrap().contains("重新生成查询码"));
    assert!(tracks(&app, &first).await.is_some(), "the old code works until the citizen confirms");
    let issued = app.post_form(&link, &[]).await;
    assert_eq!(issued.status(), 200);
    let page = issued.text().await.unwrap();
    let codes: Vec<String> =
        regex::Regex::new(r#"data-remember-code="([A-Z0-9-]+)""#).unwrap().captures_iter(&page).map(|c| c[1].to_string()).collect();
    assert_eq!(codes.len(), 2, "{page}");
    assert!(page.contains("公园路灯不亮") && page.contains("公交站台破损") && !page.contains("垃圾清运不及时"));
    assert!(tracks(&app, &first).await.is_none() && tracks(&app, &second).await.is_none(), "the old codes stop working");
    assert!(tracks(&app, &other).await.is_some(), "someone else's code is untouched");
    for code in &codes {
        let tracked = tracks(&app, code).await.expect("the new code works");
        assert!(tracked.contains("申请找回查询码") || tracked.contains("查询码已按您的申请重新生成"), "{tracked}");
    }
    let again = app.post_form(&link, &[]).await;
    assert_eq!(again.status(), 409, "a link works once");
    let forged = regex::Regex::new(r"[0-9a-f]{32}$").unwrap().replace(&link, "0".repeat(32)).to_string();
    assert_eq!(app.get(&forged).await.status(), 404);

    // By phone, through the SMS gateway; a link older than a day has lapsed.
    app.post_form("/my/recover", &[("contact", "13800138000")]).await;
    until("the recovery SMS", || texts.lock().unwrap().iter().any(|t| t.contains("/my/recover/"))).await;
    let sms: serde_json::Value = serde_json::from_str(texts.lock().unwrap().iter().find(|t| t.contains("/my/recover/")).unwrap()).unwrap();
    assert_eq!(sms["phone"], "13800138000");
    let link = link_in(sms["text"].as_str().unwrap());
    app.clock.advance(Duration::hours(25));
    let lapsed = app.get(&link).await;
    assert_eq!(lapsed.status(), 409);
    assert!(lapsed.text().await.unwrap().contains("已过期"));
    assert!(tracks(&app, &by_phone).await.is_some(), "a lapsed link changes nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_code_is_reissued_through_the_address_the_citizen_left_sqlite() {
    a_lost_code_is_reissued_through_the_address_the_citizen_left(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_code_is_reissued_through_the_address_the_citizen_left_postgres() {
    a_lost_code_is_reissued_through_the_address_the_citizen_left(Backend::Postgres).await;
}
