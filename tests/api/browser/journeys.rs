//! The journeys people make, in a real browser: a citizen on a phone, the unit and the office at
//! their desks. Screenshots of each step go to `target/browser-shots/`.

use entity::opinion;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{Browser, DESKTOP, PHONE};
use crate::on_both_databases;

const TITLE: &str = "幸福路路灯坏了三天";

async fn clean(browser: &Browser, step: &str) {
    let found = browser.axe().await;
    assert!(found.is_empty(), "{step}: axe finds {found:?}");
    browser.shot(step).await;
}

on_both_databases! {
    async fn a_citizen_files_keeps_the_code_tracks_and_rates_on_a_phone(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 20_261_128).await.unwrap();
        let citizen = Browser::open(&app.address, &format!("citizen-{:?}", app.backend), PHONE).await;

        // Sent empty: one summary names every field, and focus is on it.
        citizen.goto("/opinions/new").await;
        citizen.press("main button[type=submit]").await;
        let summary = citizen.text("#error-summary").await;
        for field in ["请选择类型", "标题不能为空", "具体内容不能为空"] {
            assert!(summary.contains(field), "the summary names {field}: {summary}");
        }
        assert_eq!(citizen.eval("return document.activeElement.id").await, "error-summary", "focus moves to the summary");
        clean(&citizen, "01-form-errors").await;

        // A phone without the consent box ticked is asked about, by name.
        citizen.click("input[name=kind][value=complaint]").await;
        citizen.fill("#title", TITLE).await;
        citizen.fill("#content", "幸福路和建设路路口的路灯坏了三天，晚上很黑，老人出门不方便。").await;
        citizen.fill("#phone", "13800138000").await;
        citizen.press("main button[type=submit]").await;
        assert!(citizen.text("#error-summary").await.contains("同意联系"), "the unticked consent is named");
        assert!(citizen.find("#title").await.prop("value").await.unwrap().as_deref() == Some(TITLE), "nothing typed is lost");
        citizen.click("#consent_contact").await;
        citizen.find("#photos").await.send_keys(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/browser/evidence.png")).await.expect("a photo is chosen");
        citizen.press("main button[type=submit]").await;
        let code = citizen.text(".tracking-code").await;
        assert!(code.len() >= 12, "a code to keep: {code}");
        clean(&citizen, "02-code").await;

        // The office routes it to the housing bureau, which answers and closes it.
        let id = opinion::Entity::find().filter(opinion::Column::Title.eq(TITLE)).one(&app.db).await.unwrap().expect("stored").id;
        let office = Browser::open(&app.address, &format!("office-{:?}", app.backend), DESKTOP).await;
        office.login("jixiaoban").await;
        office.goto(&format!("/office/opinions/{id}")).await;
        assert!(office.find("main img[src^='/photos/']").await.attr("alt").await.unwrap().is_some(), "the office sees the citizen's photo");
        office.find("#unit").await.select_by_value("ZJJ").await.unwrap();
        office.press_text("转办").await;
        let routed = office.body().await;
        assert!(routed.contains("已转办，承办单位会在待办中看到") && routed.contains("市住房和城乡建设局"), "routed, and told so: {routed}");
        office.shot("01-routed").await;

        let unit = Browser::open(&app.address, &format!("unit-{:?}", app.backend), DESKTOP).await;
        unit.login("zjj").await;
        unit.goto(&format!("/unit/opinions/{id}")).await;
        unit.press_text("签收办理").await;
        unit.fill("#reply", "您反映的幸福路与建设路路口路灯不亮的问题，我局已于12月8日安排维修人员更换灯具，路灯已恢复照明。如仍有问题，请拨打市住建局电话 0731-88886666。").await;
        unit.press_text("检查并提交答复").await;
        if unit.client.find(fantoccini::Locator::Css("#reason")).await.is_ok() {
            unit.fill("#reason", "答复已写明时间、措施和联系电话。").await;
            unit.press("main form[action$='/answer'] button[type=submit]").await;
        }
        unit.shot("01-answered").await;

        // Back on the phone, in the 长辈版: track, rate (a contradicting tag is refused), add a 追评.
        citizen.goto("/").await;
        citizen.switch_version().await;
        assert!(citizen.find(".care-tasks").await.text().await.unwrap().contains("查询进度"), "the three tasks lead");
        citizen.press(".care-tasks a[href='/track']").await;
        citizen.fill("#code", &code).await;
        citizen.press("main form[action='/track'] button[type=submit]").await;
        let page = citizen.body().await;
        assert!(page.contains("路灯已恢复照明"), "the unit's answer is shown: {page}");
        clean(&citizen, "03-track-care").await;

        // The 回访 question rates the handling; a 追评 may follow, once, and its tags must fit its level.
        citizen.click("input[name=answer][value=resolved]").await;
        citizen.click("form[action='/track/revisit'] input[name=level][value='4']").await;
        citizen.press_text("提交回访答复").await;
        assert!(citizen.body().await.contains("谢谢您的答复"), "the 回访 is answered");
        citizen.click("#rate-followup ~ form input[name=level][value='2']").await;
        citizen.click("#rate-followup ~ form input[name=tags][value='态度热情']").await;
        citizen.press("#rate-followup ~ form button[type=submit]").await;
        assert!(citizen.text(".notice").await.contains("不一致"), "不满意 with 态度热情 is refused");
        citizen.click("#rate-followup ~ form input[name=level][value='5']").await;
        citizen.click("#rate-followup ~ form input[name=tags][value='办理及时']").await;
        citizen.fill("#comment-followup", "路灯一直亮着，谢谢。").await;
        citizen.press("#rate-followup ~ form button[type=submit]").await;
        let page = citizen.body().await;
        assert!(page.contains("感谢您的评价") && !page.contains("追评（可追加一次）"), "the 追评 is taken once: {page}");
        clean(&citizen, "04-rated-care").await;

        citizen.close().await;
        office.close().await;
        unit.close().await;
    }
}

/// Opens the unit's first item that still takes progress, from its desk.
async fn open_item_in_progress(unit: &Browser) -> String {
    unit.goto("/unit").await;
    let links = unit.client.find_all(fantoccini::Locator::Css("main a[href^='/unit/rectifications/']")).await.unwrap();
    let mut hrefs = Vec::new();
    for link in links {
        hrefs.push(link.attr("href").await.unwrap().expect("a link"));
    }
    for href in hrefs {
        unit.goto(&href).await;
        if unit.client.find(fantoccini::Locator::Css("#text")).await.is_ok() {
            return href;
        }
    }
    panic!("the unit has an item in progress");
}

async fn report_done(unit: &Browser, item: &str, note: &str) {
    unit.goto(item).await;
    unit.fill("#note", note).await;
    unit.press_text("报结…").await;
    assert!(unit.body().await.contains("确定报结吗"), "报结 asks first");
    unit.press_text("确定报结").await;
    assert!(unit.text(".notice").await.contains("已报结，等待绩效办核验"));
}

on_both_databases! {
    async fn the_unit_reports_with_a_photo_and_the_office_verifies_links_and_promotes(app) {
        lianxin::demo::seed_if_empty(app.ctx(), 20_261_128).await.unwrap();
        let jieba = std::sync::Arc::new(lianxin::search::vocabulary::jieba(&app.db).await.unwrap());
        lianxin::themes::mining::rebuild(app.ctx(), &lianxin::service::Actor::system("test"), jieba, |_, _| {}).await.unwrap();
        let unit = Browser::open(&app.address, &format!("unit-{:?}", app.backend), DESKTOP).await;
        unit.login("zjj").await;

        // Progress with a photo, then 报结 through its confirmation.
        let item = open_item_in_progress(&unit).await;
        unit.fill("#text", "已完成主体施工，现场照片附后。").await;
        unit.fill("#percent", "90").await;
        let photo = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/browser/evidence.png");
        unit.find("#evidence").await.send_keys(photo).await.expect("the photo is chosen");
        unit.press_text("发布进展").await;
        assert!(unit.text(".notice").await.contains("进展已发布"), "posting progress is confirmed");
        assert!(unit.find("main img[src^='/evidence/']").await.attr("alt").await.unwrap().is_some(), "the photo shows, described");
        clean(&unit, "02-progress").await;
        report_done(&unit, &item, "主体工程全部完成，已通过验收。").await;
        unit.shot("03-reported").await;
        let code = unit.text("main .problem .code").await;

        // The office reads the report and sends it back; without a reason the form says why.
        let office = Browser::open(&app.address, &format!("office-{:?}", app.backend), DESKTOP).await;
        office.login("jixiaoban").await;
        office.goto(&format!("/office/verify/{code}")).await;
        let page = office.body().await;
        assert!(page.contains("单位报结：主体工程全部完成") && page.contains("已完成主体施工"), "the completion note and the timeline");
        office.find("main img[src^='/evidence/']").await;
        clean(&office, "02-verify").await;
        office.click("input[name=decision][value=fail]").await;
        office.press_text("提交核验").await;
        assert!(office.text("#error-summary").await.contains("不通过的理由不能为空"), "the missing reason is named");
        assert!(office.source_has("退出（绩效办值班员）").await, "still logged in");
        assert_eq!(office.eval("return document.activeElement.id").await, "error-summary");
        office.fill("#reason", "现场仍有一处未完成，请补充整改。").await;
        office.press_text("提交核验").await;
        assert!(office.text(".notice").await.contains(&format!("已退回整改：{code}")));

        // The unit finishes; the office passes it.
        report_done(&unit, &item, "补充整改完成。").await;
        office.goto(&format!("/office/verify/{code}")).await;
        office.click("input[name=decision][value=pass]").await;
        office.press_text("提交核验").await;
        assert!(office.text(".notice").await.contains(&format!("已核验通过：{code}")));

        // Linking an opinion to a problem is confirmed on its page.
        let open = opinion::Entity::find().filter(opinion::Column::Status.is_in([entity::vocab::OpinionStatus::Received, entity::vocab::OpinionStatus::Routed])).one(&app.db).await.unwrap().expect("an opinion waiting");
        office.goto(&format!("/office/opinions/{}", open.id)).await;
        office.fill("#problem", &code).await;
        office.press_text("关联").await;
        assert!(office.text(".notice").await.contains("已关联到问题清单"));
        assert!(office.body().await.contains(&code), "the linked problem is shown");
        clean(&office, "03-linked").await;

        // A hot theme becomes a problem on the list.
        office.goto("/office/themes").await;
        let theme = office.find("main a[href^='/office/themes/']").await.attr("href").await.unwrap().unwrap();
        office.goto(&theme).await;
        office.press_text("转为问题清单").await;
        office.find("#lead_unit").await.select_by_value("ZJJ").await.unwrap();
        office.fill("#responsible_post", "分管副局长").await;
        office.eval("document.getElementById('deadline').value = '2027-06-30'; return 0;").await;
        office.fill("#measures", "集中整治，建立长效机制").await;
        office.fill("#plan", "一个月内完成排查，三个月内完成整治").await;
        office.fill("#target", "群众反映明显减少").await;
        office.press("main form button[type=submit]").await;
        assert!(office.path().await.starts_with("/problems/WT-"), "the new problem's public page: {}", office.path().await);
        clean(&office, "04-promoted").await;

        unit.close().await;
        office.close().await;
    }
}
