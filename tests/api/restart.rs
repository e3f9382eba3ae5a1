//! Messages to citizens across a mail-server outage and a restart of the real binary: every
//! message arrives, exactly once, through a real SMTP conversation.

use std::sync::Arc;

use sea_orm::{Database, EntityTrait};

use crate::binary::{healthy, serve_with};
use crate::helpers::{Backend, fresh_database_url};
use crate::mail::{SmtpServer, until};

/// A browser-like client: cookies kept, redirects not followed.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn post_form(client: &reqwest::Client, base: &str, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let html = client.get(format!("{base}/my")).send().await.unwrap().text().await.unwrap();
    let token = regex::Regex::new(r#"name="csrf_token" value="([A-Za-z0-9]+)""#).unwrap().captures(&html).unwrap()[1].to_string();
    let mut all = fields.to_vec();
    all.push(("csrf_token", &token));
    client.post(format!("{base}{path}")).form(&all).send().await.unwrap()
}

async fn messages_survive_a_mail_outage_and_a_restart(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(backend, dir.path()).await;
    let mail = SmtpServer::start(0, Arc::default()).await;
    let smtp = format!("smtp://127.0.0.1:{}", mail.port);
    let vars = [("LIANXIN_SMTP_URL", smtp.as_str()), ("LIANXIN_DELIVERY_RETRY_SECONDS", "1")];
    let (mut first, base) = serve_with(dir.path(), &url, &vars);
    let client = browser();
    healthy(&client, &base).await;
    let filed: serde_json::Value = client
        .post(format!("{base}/api/v1/opinions"))
        .json(&serde_json::json!({ "kind": "complaint", "title": "楼下烧烤油烟", "content": "每晚烟味很重",
            "email": "restart@example.com", "consent_contact": true }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = filed["tracking_code"].as_str().unwrap().to_string();

    // A message while the mail server is up: the code recovery the citizen asks for.
    assert_eq!(post_form(&client, &base, "/my/recover", &[("contact", "restart@example.com")]).await.status(), 200);
    let inbox = mail.inbox.clone();
    until("the first email", || inbox.lock().unwrap().iter().any(|m| m.contains("/my/recover/"))).await;

    // The mail server goes down; the citizen withdraws; the portal tries, fails, and is killed.
    let (port, inbox) = mail.stop();
    let withdrawn = post_form(&client, &base, "/track/withdraw", &[("code", &code), ("confirm", "yes")]).await;
    assert_eq!(withdrawn.status(), 200);
    let db = Database::connect(&url).await.unwrap();
    let failed = crate::helpers::eventually(|| async {
        entity::delivery::Entity::find().all(&db).await.unwrap().iter().any(|d| d.state == "pending" && d.last_error.is_some())
    })
    .await;
    assert!(failed, "the second email failed and waits");
    first.kill().unwrap();

    // Mail is back and the portal restarts: the waiting email arrives; the first is not sent again.
    let _mail = SmtpServer::start(port, inbox.clone()).await;
    let (_second, base) = serve_with(dir.path(), &url, &vars);
    healthy(&client, &base).await;
    until("the delayed email", || inbox.lock().unwrap().iter().any(|m| m.contains("已撤回"))).await;
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let sent = inbox.lock().unwrap().clone();
    assert_eq!(sent.iter().filter(|m| m.contains("/my/recover/")).count(), 1, "{sent:?}");
    assert_eq!(sent.iter().filter(|m| m.contains("已撤回")).count(), 1, "{sent:?}");
    assert_eq!(sent.len(), 2, "{sent:?}");
    let rows = entity::delivery::Entity::find().all(&db).await.unwrap();
    assert!(rows.len() == 2 && rows.iter().all(|d| d.state == "sent"), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_survive_a_mail_outage_and_a_restart_on_sqlite() {
    messages_survive_a_mail_outage_and_a_restart(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_survive_a_mail_outage_and_a_restart_on_postgres() {
    messages_survive_a_mail_outage_and_a_restart(Backend::Postgres).await;
}
