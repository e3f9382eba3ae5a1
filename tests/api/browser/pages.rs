//! Every page a visitor or clerk opens, on a phone, in the standard version and the 长辈版:
//! axe-core finds nothing critical or serious, nothing scrolls sideways at 390 or 320 px, no
//! text is under 16 px (18 px in the 长辈版), and the 长辈版's controls are 60 px high. The
//! findings per page go to `target/browser-shots/axe-report.txt`.

use super::{Browser, PHONE};
use crate::helpers::{Backend, spawn_app};

const PUBLIC: &[&str] = &[
    "/",
    "/lists",
    "/lists?tab=responsibilities",
    "/lists?tab=rectifications",
    "/problems/WT-2026-0001",
    "/problems/WT-2025-0001",
    "/satisfaction",
    "/satisfaction/rules",
    "/reports",
    "/search?q=%E5%99%AA%E9%9F%B3",
    "/opinions/new",
    "/track",
    "/chat",
    "/my",
    "/help",
    "/privacy",
    "/accessibility",
    "/subscribe",
    "/feed.atom",
    "/units/STHJJ",
    "/login",
    "/no-such-page",
];

/// Each role's pages; `first:` entries open the first link under that prefix on the page before.
const STAFF: &[(&str, &[&str])] = &[
    (
        "jixiaoban",
        &[
            "/office",
            "/office/opinions",
            "first:/office/opinions/",
            "/office/verify",
            "/office/themes",
            "first:/office/themes/",
            "/office/scores",
            "/office/followups",
            "/office/supervision",
            "/office/chat",
            "/office/words",
            "/office/import",
            "/office/problems/new",
            "/office/map",
            "/account",
            "/",
        ],
    ),
    ("zjj", &["/unit", "first:/unit/rectifications/", "/unit/opinions", "first:/unit/opinions/"]),
    ("xuanchuanbu", &["/publicity", "first:/publicity/reports/", "/reports", "first:/reports/"]),
    ("admin", &["/admin", "/admin/audit"]),
];

struct Finding {
    version: &'static str,
    who: String,
    page: String,
    problems: Vec<String>,
}

async fn look(browser: &Browser, care: bool, problems: &mut Vec<String>) {
    for v in browser.axe().await {
        problems.push(format!("axe {v}"));
    }
    let over = browser.overflow().await;
    if over > 0 {
        problems.push(format!("scrolls sideways by {over} px at 390 px"));
    }
    for t in browser.small_text(if care { 18.0 } else { 16.0 }).await {
        problems.push(format!("small text {t}"));
    }
    if care {
        for t in browser.small_targets(60.0).await {
            problems.push(format!("small target {t}"));
        }
    }
}

/// Opens `entry` (a path, or `first:` a link prefix on the current page) and returns the path.
async fn open(browser: &Browser, entry: &str) -> String {
    match entry.strip_prefix("first:") {
        Some(prefix) => {
            let href = browser.find(&format!("main a[href^='{prefix}']")).await.attr("href").await.unwrap().expect("a link");
            browser.goto(&href).await;
            href
        }
        None => {
            browser.goto(entry).await;
            entry.to_string()
        }
    }
}

async fn sweep(base: &str, care: bool) -> Vec<Finding> {
    let version = if care { "长辈版" } else { "标准版" };
    let mut findings = Vec::new();
    let mut visits: Vec<(String, Vec<&str>)> = vec![(String::new(), PUBLIC.to_vec())];
    visits.extend(STAFF.iter().map(|(who, pages)| (who.to_string(), pages.to_vec())));
    for (who, pages) in visits {
        let browser = Browser::open(base, &format!("sweep-{who}"), PHONE).await;
        // A narrow phone (and a desktop at 400 % zoom) is 320 px wide.
        let narrow = Browser::open(base, &format!("sweep-{who}-320"), (320, 700)).await;
        for b in [&browser, &narrow] {
            if !who.is_empty() {
                b.login(&who).await;
            }
            if care {
                b.goto("/").await;
                b.switch_version().await;
            }
        }
        for entry in pages {
            let page = open(&browser, entry).await;
            let mut problems = Vec::new();
            look(&browser, care, &mut problems).await;
            narrow.goto(&page).await;
            let over = narrow.overflow().await;
            if over > 0 {
                problems.push(format!("scrolls sideways by {over} px at 320 px"));
            }
            findings.push(Finding { version, who: if who.is_empty() { "访客".into() } else { who.clone() }, page, problems });
        }
        browser.close().await;
        narrow.close().await;
    }
    findings
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_in_both_versions_on_a_phone() {
    let app = spawn_app(Backend::Sqlite).await;
    lianxin::demo::seed_if_empty(app.ctx(), 20_261_128).await.unwrap();
    let jieba = std::sync::Arc::new(lianxin::search::vocabulary::jieba(&app.db).await.unwrap());
    lianxin::themes::mining::rebuild(app.ctx(), &lianxin::service::Actor::system("test"), jieba, |_, _| {}).await.unwrap();
    app.scores_settled().await;
    let mut findings = sweep(&app.address, false).await;
    findings.extend(sweep(&app.address, true).await);

    let report: String = findings
        .iter()
        .map(|f| format!("{}\t{}\t{}\t{}\t{}\n", f.version, f.who, f.page, f.problems.len(), f.problems.join("; ")))
        .collect();
    std::fs::write(super::shots_dir().join("axe-report.txt"), format!("version\twho\tpage\tproblems\tdetail\n{report}")).unwrap();
    assert!(findings.len() > 60, "every page was looked at: {}", findings.len());
    let bad: Vec<_> = findings
        .iter()
        .filter(|f| !f.problems.is_empty())
        .map(|f| format!("{} {} {}: {}", f.version, f.who, f.page, f.problems.join("; ")))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
