//! Hot themes: mined from the demo city, shown to the office, promoted to the problem list.

use std::collections::HashMap;

use entity::vocab::ThemeStatus;
use entity::{notification, opinion, theme};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::fixtures::PASSWORD;
use crate::on_both_databases;

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

on_both_databases! {
    async fn the_demo_citys_recurring_concerns_come_out_as_themes_and_one_is_promoted(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        let jieba = std::sync::Arc::new(lianxin::search::vocabulary::jieba(&app.db).await.unwrap());
        let rebuilt = lianxin::themes::mining::rebuild(app.ctx(), &lianxin::service::Actor::system("test"), jieba.clone(), |_, _| {}).await.unwrap();
        assert!(rebuilt.themes >= 12, "{} themes", rebuilt.themes);

        // Each of the twelve recurring concerns (the opinions linked to problems 1–12) should
        // mostly land in one theme.
        let opinions = opinion::Entity::find().filter(opinion::Column::ProblemId.is_not_null()).all(&app.db).await.unwrap();
        let mut whole = 0;
        for concern in 1..=12 {
            let members: Vec<&opinion::Model> = opinions.iter().filter(|o| o.problem_id == Some(concern)).collect();
            let mut by_theme: HashMap<Option<i32>, usize> = HashMap::new();
            for o in &members {
                *by_theme.entry(o.theme_id).or_default() += 1;
            }
            let best = by_theme.iter().filter(|(t, _)| t.is_some()).map(|(_, n)| *n).max().unwrap_or(0);
            if best * 10 >= members.len() * 7 {
                whole += 1;
            }
        }
        assert!(whole >= 10, "only {whole} of 12 concerns came out as one near-complete theme");

        let office = app.another_client();
        let admin_like = lianxin::accounts::NewUser { username: "office9", display_name: "绩效办", role: "office", unit_code: None, password: PASSWORD };
        lianxin::accounts::create_user(app.ctx(), &lianxin::service::Actor::system("test"), admin_like).await.unwrap();
        office.login("office9", PASSWORD).await;
        let list = office.get("/office/themes").await.text().await.unwrap();
        assert!(list.contains("热度如何计算") && list.contains("ln(1 + 反映群众数)"), "the formula is on the page");
        assert!(list.contains("数量不等于民意"), "the reading guide is on the page");
        let stages = ["新出现", "上升", "持平", "回落", "沉寂"];
        let staged = list.matches("<span class=\"badge").count();
        assert!(staged > 0 && stages.iter().any(|s| list.contains(&format!(">{s}</span>"))), "each theme shows its stage");
        let quarter = lianxin::score::period::Period::quarter_of(app.clock.today()).name();
        let by_period = office.get(&format!("/office/themes?period={quarter}&region=%E6%B1%9F%E5%8C%97%E5%8C%BA")).await.text().await.unwrap();
        assert!(by_period.contains("本期") && by_period.contains("江北区"), "themes for a period and a region");
        let top = theme::Entity::find().all(&app.db).await.unwrap().into_iter().max_by(|a, b| a.heat.total_cmp(&b.heat)).unwrap();
        let detail = office.get(&format!("/office/themes/{}", top.id)).await.text().await.unwrap();
        assert!(detail.contains("<svg") && detail.contains("近12个月趋势") && detail.contains("群众满意度"));
        assert!(detail.contains("热度构成") && detail.contains(&format!("<dd>{} 人（同一人只计一人）", top.distinct_citizens)), "the heat in its parts");

        let form = office.get(&format!("/office/problems/new?from_theme={}", top.id)).await.text().await.unwrap();
        assert!(form.contains(&format!(r#"name="from_theme" value="{}""#, top.id)));
        let created = crate::fixtures::promote_theme(&office, &top).await;
        assert_eq!(created.status(), 303);
        let code = location(&created).trim_start_matches("/problems/").to_string();
        let promoted = theme::Entity::find_by_id(top.id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(promoted.status, ThemeStatus::Promoted);
        let problem = entity::problem::Entity::find().filter(entity::problem::Column::Code.eq(&code)).one(&app.db).await.unwrap().unwrap();
        assert_eq!(problem.theme_id, Some(top.id));
        let members = opinion::Entity::find().filter(opinion::Column::ThemeId.eq(top.id)).all(&app.db).await.unwrap();
        assert!(members.iter().all(|o| o.problem_id == Some(problem.id)), "every member is linked");
        let told = notification::Entity::find().filter(notification::Column::Kind.eq("linked_to_problem")).count(&app.db).await.unwrap();
        assert!(told as usize >= members.len(), "their citizens are told on their tracking pages");

        // The office's button queues a rebuild for the themes job (mining reads every opinion,
        // so it never runs in the request); the rebuild keeps the promoted theme and its members.
        let before = office.get("/office/themes").await.text().await.unwrap();
        assert!(before.contains("主题挖掘于") && before.contains("重新挖掘主题"), "when the themes were mined");
        let asked = office.post_form("/office/themes/rebuild", &[]).await;
        assert_eq!(asked.status(), 303);
        let queued = office.get("/office/themes").await.text().await.unwrap();
        assert!(queued.contains("已排队，后台完成后") && !queued.contains("重新挖掘主题</button>"), "asked once, shown as queued");
        let answered = crate::helpers::eventually(|| async { !office.get("/office/themes").await.text().await.unwrap().contains("已排队，后台完成后") }).await;
        assert!(answered, "the themes job answered the request");
        assert!(theme::Entity::find_by_id(top.id).one(&app.db).await.unwrap().is_some());
        assert!(theme::Entity::find().count(&app.db).await.unwrap() >= 12);
    }
}

on_both_databases! {
    async fn new_opinions_get_a_routing_suggestion_that_staff_can_correct(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 42).await.unwrap();
        lianxin::themes::mining::rebuild(app.ctx(), &lianxin::service::Actor::system("test"), std::sync::Arc::new(lianxin::search::vocabulary::jieba(&app.db).await.unwrap()), |_, _| {}).await.unwrap();
        // The new opinion finds its neighbours through the search index.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while app.get("/api/v1/search?q=").await.json::<serde_json::Value>().await.unwrap()["total"].as_u64().unwrap() < 2000 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        lianxin::accounts::create_user(app.ctx(), &lianxin::service::Actor::system("test"), lianxin::accounts::NewUser {
            username: "office9", display_name: "绩效办", role: "office", unit_code: None, password: PASSWORD,
        }).await.unwrap();
        let office = app.another_client();
        office.login("office9", PASSWORD).await;
        assert_eq!(office.post_form("/office/routing/retrain", &[]).await.status(), 303);

        let before: HashMap<i32, theme::Model> = theme::Entity::find().all(&app.db).await.unwrap().into_iter().map(|t| (t.id, t)).collect();
        let created = app.client.post(app.url("/api/v1/opinions")).json(&serde_json::json!({
            "kind": "complaint", "title": "滨江路工地晚上还在打桩", "content": "滨江花园旁边的工地半夜施工，噪音太大睡不着"
        })).send().await.unwrap();
        assert_eq!(created.status(), 201);
        // The triage job takes the new opinion up right after it is stored.
        let find = || async { opinion::Entity::find().filter(opinion::Column::Title.eq("滨江路工地晚上还在打桩")).one(&app.db).await.unwrap().unwrap() };
        assert!(crate::helpers::eventually(|| async { find().await.suggested_category.is_some() && find().await.theme_id.is_some() }).await, "triaged");
        let o = find().await;
        assert_eq!(o.suggested_category.as_deref(), Some("环境保护"));
        let theme_of_concern = opinion::Entity::find().filter(opinion::Column::ProblemId.eq(1)).all(&app.db).await.unwrap()
            .into_iter().filter_map(|x| x.theme_id).fold(HashMap::<i32, usize>::new(), |mut m, t| { *m.entry(t).or_default() += 1; m })
            .into_iter().max_by_key(|(_, n)| *n).map(|(t, _)| t);
        assert_eq!(o.theme_id, theme_of_concern, "a new opinion joins its theme as soon as the triage job sees it");
        let (was, now) = (&before[&o.theme_id.unwrap()], theme::Entity::find_by_id(o.theme_id.unwrap()).one(&app.db).await.unwrap().unwrap());
        assert_eq!((now.size, now.distinct_citizens), (was.size + 1, was.distinct_citizens + 1), "size and citizens follow a join");
        assert!(now.heat > was.heat, "so does the heat: {} then {}", was.heat, now.heat);
        let sthjj = entity::unit::Entity::find().filter(entity::unit::Column::Code.eq("STHJJ")).one(&app.db).await.unwrap().unwrap();
        assert_eq!(o.suggested_unit_id, Some(sthjj.id), "the unit that handled such cases before");
        assert!(o.suggestion_confidence.unwrap() > 0.0);
        let reindexed = entity::event::Entity::find()
            .filter(entity::event::Column::Topic.eq(lianxin::dependencies::DOCUMENT))
            .filter(entity::event::Column::EntityType.eq("opinion"))
            .filter(entity::event::Column::EntityId.eq(o.id))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(reindexed, 1, "indexed when filed; the staff-side theme and suggestion change no search document");
        let page = office.get(&format!("/office/opinions/{}", o.id)).await.text().await.unwrap();
        assert!(page.contains("智能分办建议：环境保护 → 市生态环境局"));
        assert!(page.contains(r#"<option value="STHJJ" selected>"#), "the suggestion is preselected");

        // Staff correct it; the correction is what the next training learns.
        assert_eq!(office.post_form(&format!("/office/opinions/{}/route", o.id), &[("unit", "JBQ"), ("category", "城乡建设"), ("note", "")]).await.status(), 303);
        let (categories, units) = lianxin::themes::routing::training_set(&app.db).await.unwrap();
        let text = format!("{}\n{}", o.title, o.content);
        assert!(categories.iter().any(|e| e.text == text && e.label == "城乡建设"));
        let jbq = entity::unit::Entity::find().filter(entity::unit::Column::Code.eq("JBQ")).one(&app.db).await.unwrap().unwrap();
        assert!(units.iter().any(|e| e.text == text && e.label == jbq.id.to_string()));
    }
}
