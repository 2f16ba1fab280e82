//! `countersign login --callback loopback` against `countersign serve`, with a real browser:
//! Debian's headless chromium driven through chromedriver (WebDriver). The test opens the
//! authorize URL login prints, presses Approve (or Deny) on the consent page, and the browser
//! follows the provider's redirect to login's loopback listener. A screenshot of each page is
//! kept under `target/tmp/browser/`.
//!
//! Needs `chromium` and `chromedriver` (Debian: `sudo apt-get install chromium chromium-driver`;
//! `.ci/run` installs them). `COUNTERSIGN_CHROMEDRIVER` and `COUNTERSIGN_CHROMIUM` name other
//! programs.

mod common;

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{KEY, Login, SECRET, Sandbox, Serve};
use fantoccini::{Client, ClientBuilder, Locator};

/// chromedriver on a free loopback port; killed when dropped.
struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    fn start() -> Self {
        let program =
            std::env::var("COUNTERSIGN_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start {program} ({error}): this test needs a real browser. Install \
                     chromium and its driver (Debian, Ubuntu: `sudo apt-get install chromium \
                     chromium-driver`), or name the driver in COUNTERSIGN_CHROMEDRIVER"
                )
            });
        let started = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{program} did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }

    /// A headless chromium session.
    async fn browser(&self) -> Client {
        let mut options = serde_json::json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=480,900"],
        });
        if let Ok(binary) = std::env::var("COUNTERSIGN_CHROMIUM") {
            options["binary"] = binary.into();
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| panic!("chromium does not start through chromedriver: {e}"))
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the screenshots go: `target/tmp/browser/`.
fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Logs in with the loopback callback, presses `decision` in chromium; the run and the text of
/// the page the browser ended on.
async fn login_in_the_browser(name: &str, decision: &str) -> (common::Run, String) {
    let sandbox = Sandbox::new(name);
    let serve = Serve::with(&sandbox, &[]);
    let credentials = sandbox.credentials();
    let args = [
        "--provider",
        "local",
        "--base-url",
        serve.base_url.as_str(),
        "--consumer-key",
        KEY,
        "--consumer-secret",
        SECRET,
        "--callback",
        "loopback",
        "--callback-timeout",
        "60",
        "--credentials-file",
        credentials.to_str().unwrap(),
    ];
    let mut login = Login::start(&sandbox, &args, &[]);
    let url = login.authorize_url();

    let driver = ChromeDriver::start();
    let browser = driver.browser().await;
    browser.goto(&url).await.unwrap();
    let heading = browser
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(heading.starts_with("Authorize "), "{heading}");
    let shots = screenshot_dir();
    std::fs::write(
        shots.join(format!("{name}-consent.png")),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();
    browser
        .find(Locator::Css(&format!("button[value={decision}]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The provider redirects the browser to login's loopback listener.
    let started = Instant::now();
    loop {
        let current = browser.current_url().await.unwrap();
        if current.path() == "/callback" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "still at {current}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = browser
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    std::fs::write(
        shots.join(format!("{name}-callback.png")),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();
    browser.close().await.unwrap();
    let run = tokio::task::spawn_blocking(move || login.finish())
        .await
        .unwrap();
    (run, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_in_a_real_browser() {
    let (run, page) = login_in_the_browser("browser-approve", "approve").await;
    assert!(page.contains("You can close this tab."), "{page}");
    assert!(page.starts_with("Approved"), "{page}");
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("Logged in as \"example\""), "{run:?}");
    run.assert_no_secret(&[SECRET]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deny_in_a_real_browser() {
    let (run, page) = login_in_the_browser("browser-deny", "deny").await;
    assert!(page.starts_with("Access denied"), "{page}");
    assert_ne!(run.code, Some(0), "{run:?}");
    assert!(
        run.stderr.contains("access was denied at the provider"),
        "{run:?}"
    );
}

/// Out of band: Approve in the browser shows the code page; the code read from it and typed
/// into login finishes the login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_code_page_in_a_real_browser() {
    let sandbox = Sandbox::new("browser-code");
    let serve = Serve::with(&sandbox, &[]);
    let credentials = sandbox.credentials();
    let args = [
        "--provider",
        "local",
        "--base-url",
        serve.base_url.as_str(),
        "--consumer-key",
        KEY,
        "--consumer-secret",
        SECRET,
        "--credentials-file",
        credentials.to_str().unwrap(),
    ];
    let mut login = Login::start(&sandbox, &args, &[]);
    let url = login.authorize_url();
    let driver = ChromeDriver::start();
    let browser = driver.browser().await;
    browser.goto(&url).await.unwrap();
    browser
        .find(Locator::Css("button[value=approve]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let code = browser
        .wait()
        .for_element(Locator::Id("verifier"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    std::fs::write(
        screenshot_dir().join("browser-code-page.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();
    browser.close().await.unwrap();
    assert_eq!(code.len(), 24, "{code:?}");
    login.type_in(&format!("{code}\n"));
    let run = tokio::task::spawn_blocking(move || login.finish())
        .await
        .unwrap();
    assert_eq!(run.code, Some(0), "{run:?}");
    run.assert_no_secret(&[SECRET, code.as_str()]);
}
