//! The pages in headless Chromium, driven over WebDriver (chromedriver + fantoccini), against
//! the app served on a real port from inside the test. Skipped with a notice when Chromium is
//! not installed, unless `JUECE_BROWSER_TESTS=1` (CI installs it and sets that). With
//! `JUECE_SCREENSHOTS=1` the tests save the README's screenshots under `docs/screenshots/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::Duration;

use actix_web::HttpServer;
use fantoccini::{Client, ClientBuilder, Locator};
use juece::app::AppState;

use super::*;
use crate::api::{walk_until, TestApp, Tokens};

const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver, stopped with the test.
pub(super) struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// A browser session, or `None` (with a notice) when there is no browser and none is required.
pub(super) async fn browser() -> Option<(Driver, Client)> {
    let driver = match (Path::new(CHROMIUM).exists(), chromedriver()) {
        (true, Some(d)) => d,
        _ => {
            if std::env::var("JUECE_BROWSER_TESTS").as_deref() == Ok("1") {
                panic!("JUECE_BROWSER_TESTS=1 but chromium or chromedriver is not installed");
            }
            eprintln!(
                "NOTICE: browser test skipped: install chromium and chromium-driver (apt-get) \
                 or set JUECE_BROWSER_TESTS=1 to make it mandatory"
            );
            return None;
        }
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Process::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--lang=zh-CN"]
        }
    }))
    .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(c) = ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            return Some((driver, c));
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer on {url}");
}

/// Serve the same app as `juece serve` on a free port; its base URL.
pub(super) fn serve(state: AppState) -> String {
    let server = HttpServer::new(move || juece::server::app(state.clone()))
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    format!("http://{addr}")
}

/// Save a screenshot for the README when `JUECE_SCREENSHOTS=1`.
pub(super) async fn screenshot(c: &Client, name: &str) {
    if std::env::var("JUECE_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

pub(super) async fn text(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// The node's `data-status` once it is `want` (or the last seen, after 10 seconds): the page
/// may be reloading while it is read.
async fn status_becomes(c: &Client, css: &str, want: &str) -> String {
    let mut seen = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            if let Ok(Some(s)) = e.attr("data-status").await {
                seen = s;
                if seen == want {
                    break;
                }
            }
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    seen
}

#[actix_web::test]
async fn in_a_browser_a_comment_through_the_portal_form_is_counted() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, until_comments).await;
    let base = serve(t.state.clone());

    c.goto(&format!("{base}/consultations/{id}")).await.unwrap();
    assert_eq!(text(&c, "#received").await, "0");
    c.find(Locator::Css("#body"))
        .await
        .unwrap()
        .send_keys("建议在居民区增设分类回收点。<script>alert(1)</script>")
        .await
        .unwrap();
    c.find(Locator::Css("#name"))
        .await
        .unwrap()
        .send_keys("张三")
        .await
        .unwrap();
    c.find(Locator::Css("#submit-comment"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let number = text(&c, "#comment-number").await;
    assert_eq!(number.len(), 36, "a comment number: {number}");
    assert_eq!(text(&c, "#received").await, "1");

    c.goto(&format!("{base}/consultations/{id}")).await.unwrap();
    assert_eq!(text(&c, "#received").await, "1");
    let shown = text(&c, ".comment-body").await;
    assert!(
        shown.contains("<script>alert(1)</script>"),
        "shown as text: {shown}"
    );

    c.goto(&format!("{base}/")).await.unwrap();
    screenshot(&c, "portal-home").await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{base}/consultations/{id}")).await.unwrap();
    screenshot(&c, "consultation-phone").await;
    c.close().await.unwrap();
}

#[actix_web::test]
async fn in_a_browser_the_console_shows_a_blocked_rule_and_a_command_changes_the_graph() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let t = TestApp::new();
    let app = t.service().await;
    let tokens = Tokens::get(&app).await;
    let (id, _, _) = walk_until(&app, &t.state, &tokens, |c| {
        matches!(c, juece::procedure::state::Command::StartStage { stage } if stage.as_str() == "hearing")
    })
    .await;
    let base = serve(t.state.clone());

    c.goto(&format!("{base}/console/")).await.unwrap();
    // Not signed in: to the sign-in form.
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#username"))
        .await
        .unwrap()
        .send_keys("unit")
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys("secret")
        .await
        .unwrap();
    c.find(Locator::Css("#sign-in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let table = text(&c, "table.decisions").await;
    assert!(table.contains("participation.period_not_ended"), "{table}");
    assert!(table.contains("第十五条"), "{table}");
    c.set_window_size(1280, 1000).await.unwrap();
    screenshot(&c, "dashboard").await;

    c.goto(&format!("{base}/console/decisions/{id}"))
        .await
        .unwrap();
    assert_eq!(
        status_becomes(&c, "#stage-hearing", "not_required").await,
        "not_required"
    );
    c.find(Locator::Css("#step-start-hearing"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The form posts, the page comes back: the node is drawn in progress.
    assert_eq!(
        status_becomes(&c, "#stage-hearing", "in_progress").await,
        "in_progress"
    );
    // Wide enough for the whole graph.
    c.set_window_size(1920, 1000).await.unwrap();
    screenshot(&c, "decision-graph").await;
    c.close().await.unwrap();
}
