//! The three lists: public pages, the unit/office workflow, overdue rules, exports, import, API.

use chrono::{Duration, Utc};
use entity::vocab::{RectificationStatus, Verification};
use entity::{audit_log, event, problem, rectification, responsibility};
use lianxin::lists::deadlines;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter};

use crate::fixtures::{PASSWORD, small_city};
use crate::helpers::TestApp;
use crate::on_both_databases;

/// A real 96×64 picture: evidence is decoded and drawn again before it is stored.
const PNG: &[u8] = include_bytes!("browser/evidence.png");

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

async fn count_status(app: &TestApp, status: RectificationStatus) -> u64 {
    rectification::Entity::find().filter(rectification::Column::Status.eq(status)).count(&app.db).await.unwrap()
}

on_both_databases! {
    async fn the_public_lists_filter_count_sort_and_page_with_stable_urls(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 5).await.unwrap();
        let html = app.get("/lists").await.text().await.unwrap();
        assert!(html.contains("共 60 项"));
        assert!(html.contains("第 1 / 3 页") && html.contains(r#"href="/lists?tab=problems&amp;page=2""#), "stable page links");

        let overdue = count_status(&app, RectificationStatus::Overdue).await;
        let filtered = app.get("/lists?tab=rectifications&status=overdue").await.text().await.unwrap();
        assert!(filtered.contains(&format!("共 {overdue} 项")), "status filter");
        assert!(filtered.contains(&format!(r#"<option value="overdue" selected>逾期（{overdue}）</option>"#)), "facet count");
        assert!(filtered.contains("逾期未更新") || overdue == 0 || filtered.contains("逾期"));

        let by_unit = app.get("/lists?tab=responsibilities&unit=STHJJ").await.text().await.unwrap();
        assert!(by_unit.contains("牵头") && by_unit.contains("责任岗位"));

        // Hostile and odd parameters are ignored, never an error.
        for query in ["status=nope&page=abc", "page=999", "page_size=100000", "sort=%27;--", "region=%00", "tab=x&overdue=yes"] {
            assert_eq!(app.get(&format!("/lists?{query}")).await.status(), 200, "{query}");
        }
        let last = app.get("/lists?page=999").await.text().await.unwrap();
        assert!(last.contains("第 3 / 3 页"), "a page past the end shows the last one");
    }
}

on_both_databases! {
    async fn a_unit_works_an_item_end_to_end_and_the_office_verifies_it(app) {
        small_city(app.ctx()).await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let deadline = (Utc::now() + Duration::days(90)).format("%Y-%m-%d").to_string();
        let created = office.post_form("/office/problems", &[
            ("title", "人民路路灯不亮"), ("description", "夜间人民路一段路灯全部不亮，联系人13812345678"), ("category", "城乡建设"),
            ("region", "城关区"), ("source", "opinion"), ("lead_unit", "UA"), ("cooperating", "UB"),
            ("responsible_post", "分管副局长"), ("deadline", &deadline), ("kind", "deadline"),
            ("measures", "排查线路，更换灯具"), ("plan", "两周内完成"), ("target", "路灯全部亮起"),
        ]).await;
        assert_eq!(created.status(), 303);
        let url = location(&created);
        let year = app.clock.today().format("%Y").to_string();
        let seq = if year == "2026" { "0003" } else { "0001" };
        assert_eq!(url, format!("/problems/WT-{year}-{seq}"), "numbered after the year's last code (the fixture holds WT-2026-0001 and -0002)");
        let code = url.trim_start_matches("/problems/").to_string();
        let public = app.get(&url).await.text().await.unwrap();
        assert!(public.contains("人民路路灯不亮") && public.contains("甲局") && public.contains("乙局") && public.contains("未启动"));
        assert!(public.contains("[电话已隐藏]") && !public.contains("13812345678"), "public text is scrubbed");

        let p = problem::Entity::find().filter(problem::Column::Code.eq(&code)).one(&app.db).await.unwrap().unwrap();
        let rect = rectification::Entity::find().filter(rectification::Column::ProblemId.eq(p.id)).one(&app.db).await.unwrap().unwrap();

        let unit = app.another_client();
        unit.login("unita", PASSWORD).await;
        let posted = unit.post_multipart(&format!("/unit/rectifications/{}/progress", rect.id), &[("text", "已更换 12 盏灯具"), ("percent", "60")], &[("evidence", "现场.png", PNG.to_vec())]).await;
        assert_eq!(posted.status(), 303);
        let public = app.get(&url).await.text().await.unwrap();
        assert!(public.contains("已更换 12 盏灯具") && public.contains("整改中") && public.contains("整改进度 60%"));
        let evidence_id: i32 = regex::Regex::new(r#"/evidence/(\d+)"#).unwrap().captures(&public).expect("evidence linked")[1].parse().unwrap();
        let file = app.get(&format!("/evidence/{evidence_id}")).await;
        assert_eq!(file.status(), 200);
        assert_eq!(file.headers()["content-type"], "image/png");
        assert!(file.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
        assert_eq!(file.headers()["x-content-type-options"], "nosniff");
        let stored = image::load_from_memory(&file.bytes().await.unwrap()).expect("a picture comes back");
        assert_eq!((stored.width(), stored.height()), (96, 64), "the same picture, redrawn");

        let due = (Utc::now() + Duration::days(20)).format("%Y-%m-%d").to_string();
        let revised = unit.post_form(&format!("/unit/rectifications/{}/plan", rect.id), &[("measures", "更换灯具并改造线路"), ("plan", "分两批实施"), ("target", "全部亮灯"), ("next_milestone", "完成第二批"), ("next_update_due", &due)]).await;
        assert_eq!(revised.status(), 303);
        assert!(app.get(&url).await.text().await.unwrap().contains("完成第二批"));

        let asked = unit.post_form(&format!("/unit/rectifications/{}/report", rect.id), &[("note", "全部完成")]).await;
        assert!(asked.status() == 200 && asked.text().await.unwrap().contains("确定报结"), "报结 asks first");
        assert_eq!(count_status(&app, RectificationStatus::Reported).await, 0, "asking reports nothing");
        let reported = unit.post_form(&format!("/unit/rectifications/{}/report", rect.id), &[("note", "全部完成"), ("confirmed", "1")]).await;
        assert_eq!(reported.status(), 303);
        assert!(unit.get(reported.headers()["location"].to_str().unwrap()).await.text().await.unwrap().contains("已报结，等待绩效办核验"), "报结 is confirmed with a notice");
        let no_reason = office.post_form(&format!("/office/rectifications/{}/verify", rect.id), &[("decision", "fail"), ("reason", " ")]).await;
        assert_eq!(no_reason.status(), 400, "a failed verification needs a reason");
        let again = no_reason.text().await.unwrap();
        assert!(again.contains("不通过的理由不能为空") && again.contains("提交核验") && again.contains("退出"), "the form comes back with its message, still logged in");
        let neither = office.post_form(&format!("/office/rectifications/{}/verify", rect.id), &[("reason", "")]).await;
        assert_eq!(neither.status(), 400);
        assert!(neither.text().await.unwrap().contains("核验结论：请选择"), "a missing decision is named");
        let item = office.get(&format!("/office/verify/{}", code)).await.text().await.unwrap();
        assert!(item.contains("单位报结：全部完成") && item.contains("/evidence/"), "the verify page shows the completion note and the evidence");
        assert_eq!(count_status(&app, RectificationStatus::Reported).await, 1);
        let failed = office.post_form(&format!("/office/rectifications/{}/verify", rect.id), &[("decision", "fail"), ("reason", "仍有两盏不亮")]).await;
        assert_eq!(failed.status(), 303);
        let after_fail = rectification::Entity::find_by_id(rect.id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(after_fail.status, RectificationStatus::InProgress);
        assert_eq!(after_fail.verification, Some(Verification::Failed));
        assert_eq!(after_fail.reopened_count, 1);
        assert!(app.get(&url).await.text().await.unwrap().contains("仍有两盏不亮"));

        unit.post_form(&format!("/unit/rectifications/{}/report", rect.id), &[("note", "已全部修复"), ("confirmed", "1")]).await;
        let queue = office.get("/office/verify").await.text().await.unwrap();
        assert!(queue.contains("人民路路灯不亮"));
        assert_eq!(office.post_form(&format!("/office/rectifications/{}/verify", rect.id), &[("decision", "pass")]).await.status(), 303);
        let done = rectification::Entity::find_by_id(rect.id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(done.status, RectificationStatus::Rectified);
        assert_eq!(done.verification, Some(Verification::Passed));

        let actions: Vec<String> = audit_log::Entity::find().all(&app.db).await.unwrap().into_iter().map(|e| e.action).collect();
        for expected in ["problem.create", "rectification.progress", "rectification.plan", "rectification.report", "rectification.verify_fail", "rectification.verify_pass"] {
            assert!(actions.iter().any(|a| a == expected), "{expected} audited");
        }
        let changes = event::Entity::find().filter(event::Column::Topic.eq("document")).filter(event::Column::EntityType.eq("rectification")).filter(event::Column::EntityId.eq(rect.id)).count(&app.db).await.unwrap();
        assert!(changes >= 6, "every change is in the change log ({changes})");

        let feed = app.get(&format!("{url}/feed.atom")).await;
        assert_eq!(feed.headers()["content-type"], "application/atom+xml; charset=utf-8");
        let xml = feed.text().await.unwrap();
        assert!(xml.starts_with("<?xml") && xml.contains("<feed") && xml.contains("核验通过") && xml.contains("整改进展（60%）"));
        assert!(xml.contains(r#"<?xml-stylesheet type="text/xsl" href="/static/feed.xsl"?>"#), "a browser shows the feed as a page");
        let xsl = app.get("/static/feed.xsl").await;
        assert_eq!(xsl.headers()["content-type"], "text/xsl; charset=utf-8");
        assert!(xsl.text().await.unwrap().contains("这是一个订阅源"));
        assert!(app.get("/feed.atom").await.text().await.unwrap().contains("列入问题清单：人民路路灯不亮"));
    }
}

on_both_databases! {
    async fn deadlines_and_missed_updates_show_on_every_list(app) {
        let city = small_city(app.ctx()).await;
        let rect = rectification::Entity::find_by_id(city.rect_a).one(&app.db).await.unwrap().unwrap();
        let resp = responsibility::Entity::find_by_id(rect.responsibility_id).one(&app.db).await.unwrap().unwrap();
        let mut r = resp.into_active_model();
        r.deadline = Set(app.clock.today() - Duration::days(1));
        r.update(&app.db).await.unwrap();
        let mut late = rectification::Entity::find_by_id(city.rect_b).one(&app.db).await.unwrap().unwrap().into_active_model();
        late.status = Set(RectificationStatus::InProgress);
        late.next_update_due = Set(Some(app.clock.today() - Duration::days(3)));
        late.update(&app.db).await.unwrap();

        assert_eq!(deadlines::mark_overdue(app.ctx(), app.clock.today()).await.unwrap(), 1);
        assert_eq!(deadlines::mark_overdue(app.ctx(), app.clock.today()).await.unwrap(), 0, "idempotent");
        assert_eq!(count_status(&app, RectificationStatus::Overdue).await, 1);

        let overdue_only = app.get("/lists?overdue=1").await.text().await.unwrap();
        assert!(overdue_only.contains("共 2 项"), "overdue and missed-update items both count as 逾期");
        for page in ["/lists", "/lists?tab=rectifications", "/units/UB", "/problems/WT-2026-0002"] {
            let html = app.get(page).await.text().await.unwrap();
            assert!(html.contains("逾期未更新"), "{page} shows the missed-update badge");
        }
        let ledger = app.get("/units/UA").await.text().await.unwrap();
        assert!(ledger.contains("按期完成率（0/1）"), "an overdue lead item counts against the on-time rate");
    }
}

on_both_databases! {
    async fn exports_are_real_spreadsheets_with_chinese_headers_and_the_current_filters(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 5).await.unwrap();
        let rectified = count_status(&app, RectificationStatus::Rectified).await as usize;
        let xlsx = app.get("/lists/export.xlsx?tab=rectifications&status=rectified").await;
        assert_eq!(xlsx.status(), 200);
        assert!(xlsx.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''"));
        let bytes = xlsx.bytes().await.unwrap().to_vec();
        let (rows, _) = lianxin::tabular::read_table("export.xlsx", &bytes).expect("the export is a workbook a spreadsheet reader opens");
        assert_eq!(rows.len(), rectified);
        assert!(rows.iter().all(|r| r.cells["整改状态"] == "已整改" && r.cells["问题编号"].starts_with("WT-")));

        let csv = app.get("/lists/export.csv?tab=responsibilities").await.bytes().await.unwrap().to_vec();
        assert!(csv.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for spreadsheet programs");
        let text = String::from_utf8(csv).unwrap();
        assert!(text.lines().next().unwrap().contains("牵头单位,配合单位,责任岗位,完成时限"));
        assert_eq!(text.lines().count(), 61, "all 60 items, not one page");
        assert_eq!(app.get("/lists/export.pdf").await.status(), 404);
    }
}

on_both_databases! {
    async fn importing_problems_reports_each_bad_row_and_is_idempotent(app) {
        small_city(app.ctx()).await;
        let office = app.another_client();
        office.login("office1", PASSWORD).await;
        let csv = "问题编号,问题标题,问题描述,问题类别,区域,问题来源,牵头单位,配合单位,责任岗位,完成时限,整改类型,整改措施,整改计划,整改目标\n\
            WT-2025-0100,河道垃圾清理,河道垃圾堆积,环境保护,江北区,督查发现,UA,乙局,副局长,2026-12-31,限期整改,清理,每周巡查,河道清洁\n\
            WT-2025-0101,无牵头单位,描述,环境保护,江北区,督查发现,不存在的局,,副局长,2026-12-31,限期整改,清理,计划,目标\n\
            WT-2025-0102,日期不对,描述,环境保护,江北区,督查发现,UA,,副局长,明年,限期整改,清理,计划,目标\n\
            ,没有编号的问题,描述,交通运输,城关区,媒体曝光,乙局,,科长,2026/12/01,立行立改,处理,计划,目标\n";
        let problems_before = problem::Entity::find().count(&app.db).await.unwrap();
        let response = office.post_multipart("/office/import", &[], &[("file", "清单.csv", csv.as_bytes().to_vec())]).await;
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert!(html.contains("新增 2 项，更新 0 项，未变化 0 项，拒绝 2 行"), "{}", &html[html.find("导入结果").unwrap_or(0)..].chars().take(300).collect::<String>());
        assert!(html.contains("<td>3</td><td>牵头单位：请选择牵头单位</td>"));
        assert!(html.contains("<td>4</td><td>完成时限"));
        assert_eq!(problem::Entity::find().count(&app.db).await.unwrap(), problems_before + 2, "rejected rows leave nothing behind");
        assert_eq!(responsibility::Entity::find().count(&app.db).await.unwrap(), problems_before + 2);
        assert!(app.get("/problems/WT-2025-0100").await.text().await.unwrap().contains("乙局"), "units by name or code");

        let again = office.post_multipart("/office/import", &[], &[("file", "清单.csv", csv.as_bytes().to_vec())]).await.text().await.unwrap();
        assert!(again.contains("新增 1 项，更新 0 项，未变化 1 项"), "the coded row is recognised; the uncoded one is new again");

        let changed = csv.replace("河道垃圾清理", "河道垃圾清理（扩大范围）");
        let third = office.post_multipart("/office/import", &[], &[("file", "清单.csv", changed.into_bytes())]).await.text().await.unwrap();
        assert!(third.contains("更新 1 项"));

        let garbage = office.post_multipart("/office/import", &[], &[("file", "清单.xlsx", b"not a workbook".to_vec())]).await;
        assert_eq!(garbage.status(), 400);
        assert!(garbage.text().await.unwrap().contains("无法读取表格文件"));
        let wrong = office.post_multipart("/office/import", &[], &[("file", "清单.exe", b"MZ".to_vec())]).await;
        assert_eq!(wrong.status(), 400);
    }
}

on_both_databases! {
    async fn the_open_data_api_speaks_open311_with_offsets(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 5).await.unwrap();
        let list: serde_json::Value = app.get("/api/v1/problems?status=rectified&page_size=5").await.json().await.unwrap();
        assert_eq!(list["page_size"], 5);
        assert_eq!(list["total"].as_u64().unwrap(), count_status(&app, RectificationStatus::Rectified).await);
        let item = &list["items"][0];
        for field in ["service_request_id", "agency_responsible", "expected_datetime", "updated_datetime", "requested_datetime"] {
            assert!(!item[field].is_null(), "{field}");
        }
        assert!(item["updated_datetime"].as_str().unwrap().ends_with("+08:00"));
        assert!(item["expected_datetime"].as_str().unwrap().ends_with("T23:59:59+08:00"));

        let code = item["code"].as_str().unwrap();
        let one: serde_json::Value = app.get(&format!("/api/v1/problems/{code}")).await.json().await.unwrap();
        assert!(!one["timeline"].as_array().unwrap().is_empty());
        assert!(one["rectification"]["measures"].is_string());
        assert!(!one["status_notes"].is_null());
        assert!(one["timeline"][0]["datetime"].as_str().unwrap().ends_with("+08:00"));

        let missing = app.get("/api/v1/problems/WT-0000-0000").await;
        assert_eq!(missing.status(), 404);
        let body: serde_json::Value = missing.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        assert_eq!(app.get("/api/v1/problems?page=abc&page_size=-3&status=%00").await.status(), 200);

        let everything = app.get("/api/v1/problems?page_size=100").await.text().await.unwrap();
        assert!(!regex::Regex::new(r"1[3-9]\d{9}").unwrap().is_match(&everything), "no phone numbers in open data");
    }
}

on_both_databases! {
    async fn every_facet_count_is_the_total_under_that_filter_and_pages_partition_the_items(app) {
        use lianxin::lists::catalog::{Filter, Sort};
        use lianxin::lists::listing;
        lianxin::demo::seed_if_empty(app.ctx(), 5).await.unwrap();
        let today = app.clock.today();
        let everything = listing::list(&app.db, today, &Filter { page: 1, page_size: 7, ..Filter::default() }).await.unwrap();
        assert_eq!(everything.total as u64, problem::Entity::find().count(&app.db).await.unwrap());
        let facets = &everything.facets;
        let mut checked = 0;
        let chosen: Vec<(Filter, usize)> = facets
            .region
            .iter()
            .map(|v| (Filter { region: Some(v.value.clone()), ..Filter::default() }, v.count))
            .chain(facets.unit.iter().map(|v| (Filter { unit: Some(v.value.clone()), ..Filter::default() }, v.count)))
            .chain(facets.category.iter().map(|v| (Filter { category: Some(v.value.clone()), ..Filter::default() }, v.count)))
            .chain(facets.status.iter().map(|v| (Filter { status: RectificationStatus::parse(&v.value), ..Filter::default() }, v.count)))
            .chain(std::iter::once((Filter { overdue: true, ..Filter::default() }, facets.overdue)))
            .collect();
        for (filter, count) in chosen {
            let filter = Filter { page: 1, page_size: 100, ..filter };
            let got = listing::list(&app.db, today, &filter).await.unwrap();
            assert_eq!(got.total, count, "{filter:?}");
            assert_eq!(got.rows.len(), count.min(100), "{filter:?}");
            if let Some(unit) = &filter.unit {
                assert!(got.rows.iter().all(|r| r.involves(unit)), "{unit}");
            }
            if filter.overdue {
                assert!(got.rows.iter().all(|r| r.is_overdue()));
            }
            checked += 1;
        }
        assert!(checked > 20, "the demo city has many facet values ({checked})");

        // Pages of every sort hold each item exactly once, in order.
        for sort in [Sort::Updated, Sort::Created, Sort::Deadline, Sort::Progress, Sort::Code] {
            let mut codes = Vec::new();
            for page in 1..=everything.pages {
                let got = listing::list(&app.db, today, &Filter { sort, page, page_size: 7, ..Filter::default() }).await.unwrap();
                codes.extend(got.rows.into_iter().map(|r| (r.code, r.deadline, r.progress)));
            }
            assert_eq!(codes.len(), everything.total, "{sort:?}");
            let mut unique: Vec<_> = codes.iter().map(|c| c.0.clone()).collect();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), everything.total, "{sort:?}: no item twice");
            match sort {
                Sort::Deadline => assert!(codes.windows(2).all(|w| w[0].1 <= w[1].1)),
                Sort::Progress => assert!(codes.windows(2).all(|w| w[0].2 <= w[1].2)),
                Sort::Code => assert!(codes.windows(2).all(|w| w[0].0 < w[1].0)),
                _ => {}
            }
        }
    }
}
