//! The satisfaction score: believable on the demo city, explained, versioned, the same on both engines.

use chrono::Utc;
use lianxin::score::{period::Period, snapshot};
use sea_orm::EntityTrait;

use crate::fixtures::PASSWORD;
use crate::on_both_databases;

fn this_quarter(app: &crate::helpers::TestApp) -> String {
    Period::quarter_of(app.clock.today()).name()
}

on_both_databases! {
    async fn the_demo_city_gets_scores_that_explain_themselves_and_are_versioned(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        app.scores_settled().await;
        let quarter = this_quarter(&app);
        let api: serde_json::Value = app.get(&format!("/api/v1/scores?level=unit&period={quarter}")).await.json().await.unwrap();
        let units = api["subjects"].as_array().unwrap();
        assert!(units.len() >= 10, "most units have scores this quarter");
        for u in units {
            let composite = u["composite"].as_f64().unwrap();
            assert!((0.0..=100.0).contains(&composite));
            let (lo, hi) = (u["interval"][0].as_f64().unwrap(), u["interval"][1].as_f64().unwrap());
            assert!(lo <= u["score"].as_f64().unwrap() && u["score"].as_f64().unwrap() <= hi);
            assert!(u["n"].is_u64() && u["components"].is_object());
        }
        // Ranked by the shrunk score, and only with enough ratings; the rest follow unranked.
        let min = api["min_ratings"].as_u64().unwrap();
        assert_eq!(min, 30, "the default minimum");
        let ranked: Vec<_> = units.iter().filter(|u| u["rank"].is_u64()).collect();
        assert!(ranked.iter().all(|u| u["n"].as_u64().unwrap() >= min), "no rank below the minimum");
        assert!(ranked.windows(2).all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64()), "ranked by score");
        assert!(units.iter().filter(|u| u["rank"].is_null()).all(|u| u["n"].as_u64().unwrap() < min));
        assert!(units.iter().position(|u| u["rank"].is_null()).is_none_or(|first| units[first..].iter().all(|u| u["rank"].is_null())), "unranked come last");
        let city: serde_json::Value = app.get(&format!("/api/v1/scores?level=city&period={quarter}")).await.json().await.unwrap();
        let c = &city["subjects"][0];
        assert!(c["satisfied_rate"].as_f64().unwrap() > 50.0, "the demo city is mostly satisfied");
        assert!(c["response_rate"].as_f64().unwrap() > 30.0);
        assert_eq!(app.get("/api/v1/scores?level=galaxy").await.status(), 400);
        assert_eq!(app.get("/api/v1/scores?period=2026-Q9").await.status(), 400);

        let public = app.get(&format!("/satisfaction?period={quarter}")).await.text().await.unwrap();
        assert!(public.contains("综合指数") && public.contains("市生态环境局") && public.contains("95%区间"));
        assert!(public.contains("更新于 "), "the page says when its numbers were computed");
        assert!(public.contains("样本不足") && public.contains("怎么看这两张表") && public.contains("默认评分规则"), "small samples are not ranked; columns explained");

        // Publish under version 0, change the weights, publish again: both stand side by side.
        lianxin::accounts::create_user(app.ctx(), &lianxin::service::Actor::system("test"), lianxin::accounts::NewUser {
            username: "office9", display_name: "绩效办", role: "office", unit_code: None, password: PASSWORD,
        }).await.unwrap();
        let office = app.another_client();
        office.login("office9", PASSWORD).await;
        assert_eq!(office.post_form("/office/scores/publish", &[("period", &quarter)]).await.status(), 303);
        let published = snapshot::load(&app.db, &Period::parse(&quarter).unwrap(), 0).await.unwrap();
        assert!(!published.is_empty());
        let bad = office.post_form("/office/scores/settings", &[("threshold", "basic"), ("level_points", "100,80,90,30,0"), ("prior_strength", "20"), ("weight_ratings", "1"), ("weight_rectification", "0"), ("weight_responsiveness", "0"), ("weight_themes", "0")]).await;
        assert_eq!(bad.status(), 400);
        assert!(bad.text().await.unwrap().contains("各级分值"));
        let saved = office.post_form("/office/scores/settings", &[("threshold", "satisfied"), ("level_points", "100,80,60,30,0"), ("prior_strength", "20"), ("weight_ratings", "1"), ("weight_rectification", "0"), ("weight_responsiveness", "0"), ("weight_themes", "0")]).await;
        assert_eq!(saved.status(), 303);
        app.scores_settled().await;
        let rules = app.get("/satisfaction/rules").await.text().await.unwrap();
        assert!(rules.contains("满意率口径：由“基本满意及以上”改为“满意及以上”") && rules.contains("起施行的版本"), "what the new version changed, dated");
        let again = snapshot::load(&app.db, &Period::parse(&quarter).unwrap(), 0).await.unwrap();
        assert_eq!(serde_json::to_string(&again).unwrap(), serde_json::to_string(&published).unwrap(), "published numbers never change");
        office.post_form("/office/scores/publish", &[("period", &quarter)]).await;
        assert!(app.get(&format!("/satisfaction?period={quarter}")).await.text().await.unwrap().contains("起施行的评分规则"), "the page names its rules by date");
        let desk = office.get(&format!("/office/scores?period={quarter}&level=unit")).await.text().await.unwrap();
        assert!(desk.contains("不同规则版本对照") && desk.contains("第 0 版") && desk.contains("第 1 版"));

        let subject = office.get(&format!("/office/scores/unit/STHJJ?period={quarter}")).await.text().await.unwrap();
        assert!(subject.contains("评价明细") && subject.contains("意见 #") && subject.contains("近12个月"), "every number leads down to its ratings");
        assert!(desk.contains(&format!("/office/scores/unit/STHJJ?period={quarter}")));
        assert_eq!(office.get("/office/scores/unit/NOPE").await.status(), 404);

        let xlsx = office.get(&format!("/office/scores/export.xlsx?period={quarter}")).await;
        assert_eq!(xlsx.status(), 200);
        let bytes = xlsx.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "a real xlsx (zip) file");
        let (rows, _) = lianxin::tabular::read_table("scores.xlsx", &bytes).unwrap();
        assert!(!rows.is_empty());
    }
}

/// The same inputs give the same numbers on SQLite and PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_compute_the_same_scores() {
    let now = Utc::now();
    let mut results = Vec::new();
    for backend in [crate::helpers::Backend::Sqlite, crate::helpers::Backend::Postgres] {
        // Both servers stand at the same instant: "this quarter" and every due date agree.
        let app = crate::helpers::spawn_app_at(backend, now).await;
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        let period = Period::quarter_of(app.clock.today());
        let settings = lianxin::score::formula::ScoreSettings::default();
        let mut scores = lianxin::score::compute(&app.db, &period, &settings, app.clock.today()).await.unwrap();
        scores.sort_by(|a, b| (&a.level, &a.subject).cmp(&(&b.level, &b.subject)));
        let rounded: Vec<(String, String, Option<i64>)> =
            scores.iter().map(|s| (s.level.clone(), s.subject.clone(), s.composite.map(|v| (v * 1000.0).round() as i64))).collect();
        results.push(rounded);
    }
    assert_eq!(results[0], results[1]);
}

async fn scores_job_runs(app: &crate::helpers::TestApp) -> u64 {
    let health: serde_json::Value = app.get("/healthz").await.json().await.unwrap();
    health["jobs"]["scores"]["runs"].as_u64().unwrap_or(0)
}

async fn city_rate(app: &crate::helpers::TestApp) -> Option<f64> {
    let city: serde_json::Value = app.get("/api/v1/scores?level=city").await.json().await.unwrap();
    city["subjects"][0]["satisfied_rate"].as_f64()
}

on_both_databases! {
    /// Pages read what the `scores` job wrote: it refreshes when something happened and the
    /// last refresh is old enough, and at once when the rules change.
    async fn the_scores_job_refreshes_when_due_and_at_once_after_a_rules_change(app) {
        let app = crate::helpers::spawn_app_configured(app.backend, Some(Utc::now()), |c| c.score_refresh_seconds = 3600).await;
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        // The job counted the empty city at start; the seeded one counts an hour on.
        app.clock.advance(chrono::Duration::seconds(3601));
        app.scores_settled().await;
        let before = city_rate(&app).await.expect("the city has a score");
        let mark = entity::job_mark::Entity::find_by_id("scores".to_string()).one(&app.db).await.unwrap().unwrap();

        // Something happens (a new opinion); within the hour the job looks but does not recount.
        let form = [("kind", "suggestion"), ("title", "建议增设公交站"), ("content", "小区门口没有公交站，出行不便。")];
        assert_eq!(app.post_form("/opinions/new", &form).await.status(), 303);
        let runs = scores_job_runs(&app).await;
        assert!(crate::helpers::eventually(|| async { scores_job_runs(&app).await >= runs + 2 }).await, "the job keeps looking");
        let still = entity::job_mark::Entity::find_by_id("scores".to_string()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(still.last_event_id, mark.last_event_id, "not due within the refresh interval");

        // An hour later it counts again.
        app.clock.advance(chrono::Duration::seconds(3601));
        app.scores_settled().await;

        // A rules change (a stricter threshold) shows at once, without waiting for the hour.
        lianxin::accounts::create_user(app.ctx(), &lianxin::service::Actor::system("test"), lianxin::accounts::NewUser {
            username: "office9", display_name: "绩效办", role: "office", unit_code: None, password: PASSWORD,
        }).await.unwrap();
        let office = app.another_client();
        office.login("office9", PASSWORD).await;
        let strict = [("threshold", "satisfied"), ("level_points", "100,80,60,30,0"), ("prior_strength", "20"), ("weight_ratings", "1"), ("weight_rectification", "0"), ("weight_responsiveness", "0"), ("weight_themes", "0")];
        assert_eq!(office.post_form("/office/scores/settings", &strict).await.status(), 303);
        app.scores_settled().await;
        let after = city_rate(&app).await.unwrap();
        assert!(after < before, "only 满意 and above count now: {after} < {before}");
    }
}

/// The job counts every covered period in one pass; each equals the period counted alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_pass_over_many_periods_equals_each_period_alone() {
    let app = crate::helpers::spawn_app_at(crate::helpers::Backend::Sqlite, Utc::now()).await;
    lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
    let settings = lianxin::score::formula::ScoreSettings::default();
    let today = app.clock.today();
    let periods = snapshot::live_periods(today);
    let many = lianxin::score::compute_many(&app.db, &periods, &settings, today).await.unwrap();
    assert_eq!(many.len(), periods.len());
    for (period, scores) in many {
        let alone = lianxin::score::compute(&app.db, &period, &settings, today).await.unwrap();
        assert_eq!(serde_json::to_string(&scores).unwrap(), serde_json::to_string(&alone).unwrap(), "{}", period.name());
    }
}
