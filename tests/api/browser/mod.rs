//! Real-browser tests: Debian's Chromium driven over WebDriver (chromedriver) against the real
//! server on loopback, with axe-core injected into every page looked at. A missing browser,
//! driver or axe-core fails the run: `.ci/run` installs all three.

mod journeys;
mod pages;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::{Value, json};

const PHONE: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1280, 900);

fn tool(var: &str, default: &str, what: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| default.into());
    assert!(path.exists(), "{what} not found at {} (set {var}, or run .ci/run, which installs it)", path.display());
    path
}

/// axe-core's source, from `npm install` into `target/npm` (what `.ci/run` does) or `AXE_CORE`.
fn axe_source() -> String {
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/target/npm/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(tool("AXE_CORE", default, "axe-core (npm)")).expect("axe-core reads")
}

/// Where screenshots go, kept by CI as artifacts.
pub fn shots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-shots");
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    dir
}

/// One browser window with its own chromedriver; both end when it is dropped.
pub struct Browser {
    pub client: Client,
    pub base: String,
    name: String,
    axe: String,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A violation axe counts as critical or serious, as `rule × nodes first-target`.
pub type Violation = String;

impl Browser {
    /// A fresh browser (no cookies) at `size`, named for its screenshots.
    pub async fn open(base: &str, name: &str, (width, height): (u32, u32)) -> Self {
        let driver_path = tool("CHROMEDRIVER", "/usr/bin/chromedriver", "chromedriver (Debian package chromium-driver)");
        let chromium = tool("CHROMIUM", "/usr/bin/chromium", "Chromium (Debian package chromium)");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut options = json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
                     format!("--window-size={width},{height}"), "--lang=zh-CN"],
        });
        if width < 600 {
            options["mobileEmulation"] = json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2, "touch": true } });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let mut client = None;
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{port}")).await {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let client = client.expect("chromedriver answers and opens Chromium");
        Self { client, base: base.to_string(), name: name.to_string(), axe: axe_source(), driver }
    }

    pub async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.expect("the page opens");
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clears");
        field.send_keys(text).await.expect("types");
    }

    /// Clicks something that stays on the page (a radio, a checkbox).
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks a link or a submit button and waits for the next page to load.
    pub async fn press(&self, css: &str) {
        let target = self.find(css).await;
        self.leaving(target, css).await;
    }

    /// Presses the visible link or button with this text.
    pub async fn press_text(&self, text: &str) {
        let xpath = format!("//main//*[self::a or self::button][normalize-space(.)='{text}']");
        let found = self.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(&xpath)).await;
        self.leaving(found.unwrap_or_else(|e| panic!("no link or button {text}: {e}")), text).await;
    }

    /// Marks the page, clicks, and waits until another page has loaded in its place.
    async fn leaving(&self, target: Element, what: &str) {
        self.eval("document.documentElement.dataset.leaving = '1'; return 0;").await;
        target.click().await.unwrap_or_else(|e| panic!("click {what}: {e}"));
        for _ in 0..200 {
            let arrived = self
                .client
                .execute("return document.documentElement.dataset.leaving === undefined && document.readyState === 'complete';", vec![])
                .await;
            if arrived.is_ok_and(|v| v == Value::Bool(true)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{what} led to no new page");
    }

    /// Whether the page, hidden parts included (a closed menu), holds `text`.
    pub async fn source_has(&self, text: &str) -> bool {
        self.client.source().await.expect("the page source").contains(text)
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("reads")
    }

    pub async fn body(&self) -> String {
        self.text("body").await
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.expect("a URL").path().to_string()
    }

    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Saves a screenshot as `target/browser-shots/{browser}-{step}.png`.
    pub async fn shot(&self, step: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        let path = shots_dir().join(format!("{}-{step}.png", self.name));
        std::fs::write(&path, png).expect("the screenshot is saved");
        path
    }

    /// axe-core's critical and serious findings on the page as it is now (Chromium's own banner
    /// over a page drawn by XSLT is the browser's, not ours).
    pub async fn axe(&self) -> Vec<Violation> {
        self.eval(&self.axe).await;
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run({ exclude: [['xslt-warning-banner']] }).then(r => done(r.violations
                   .filter(v => v.impact === 'critical' || v.impact === 'serious')
                   .map(v => v.id + ' × ' + v.nodes.length + ' ' + v.nodes[0].target.join(' '))));",
                vec![],
            )
            .await
            .expect("axe runs");
        serde_json::from_value(found).expect("a list of findings")
    }

    /// How many pixels the page is wider than the window (0: no sideways scrolling).
    pub async fn overflow(&self) -> i64 {
        self.eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth;").await.as_i64().unwrap_or(0)
    }

    /// Visible text set smaller than `min` px, as `tag:size:text`.
    pub async fn small_text(&self, min: f64) -> Vec<String> {
        let script = format!(
            "const out = [];
             for (const el of document.querySelectorAll('body *')) {{
               const st = getComputedStyle(el), r = el.getBoundingClientRect();
               if (st.visibility === 'hidden' || r.width <= 1 || r.height <= 1) continue;
               if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
               if (parseFloat(st.fontSize) < {min}) out.push(el.tagName + ':' + st.fontSize + ':' + el.textContent.trim().slice(0, 16));
             }}
             return out.slice(0, 5);"
        );
        serde_json::from_value(self.eval(&script).await).unwrap_or_default()
    }

    /// Controls (not links inside sentences) shorter than `min` px, as `tag:height:text`.
    pub async fn small_targets(&self, min: f64) -> Vec<String> {
        let script = format!(
            "return [...document.querySelectorAll('button, select, textarea, summary, .button, nav a, .tabs a, .footer-links a, input:not([type=hidden]):not([type=radio]):not([type=checkbox])')]
               .filter(e => {{ const r = e.getBoundingClientRect(); return r.width > 0 && r.height < {min} - 0.5; }})
               .slice(0, 5).map(e => e.tagName + ':' + Math.round(e.getBoundingClientRect().height) + ':' + (e.textContent || e.name || '').trim().slice(0, 12));"
        );
        serde_json::from_value(self.eval(&script).await).unwrap_or_default()
    }

    pub async fn login(&self, username: &str) {
        self.goto("/login").await;
        self.fill("#username", username).await;
        self.fill("#password", lianxin::demo::DEMO_PASSWORD).await;
        self.press("main button[type=submit]").await;
    }

    /// Switches between the standard version and the 长辈版 with the header's link, as a visitor does.
    pub async fn switch_version(&self) {
        self.press(".mode-switch").await;
    }

    pub async fn close(self) {
        self.client.clone().close().await.expect("the browser closes");
    }
}
