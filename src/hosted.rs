//! Hosted reports: `index.html?report=reports/NAME/` opens a bundle written
//! by `puffy report --bundle` read-only, and `reports/index.json` lists the
//! published bundles on the start page. URLs are relative to the page, so
//! the site works under any sub-path.

use std::sync::Arc;

use engine::report::Report;
use leptos::prelude::*;
use leptos::task::spawn_local;
use puffy_report::published::Index;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::state::{use_app, AppState, PageState};
use puffy_report::format::{date_range, int, money};

/// The `report` query parameter, if any.
pub fn requested_bundle() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("report").filter(|p| !p.is_empty())
}

/// Fetches a URL relative to the page as text; errors say what failed.
async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("{url} could not be fetched"))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| "unexpected fetch result".to_string())?;
    if !response.ok() {
        return Err(format!("{url} answered HTTP {}", response.status()));
    }
    let text = response.text().map_err(|_| format!("{url}: no body"))?;
    JsFuture::from(text)
        .await
        .map_err(|_| format!("{url}: unreadable body"))?
        .as_string()
        .ok_or_else(|| format!("{url}: not text"))
}

/// The folder of a bundle, relative to the page and with a trailing slash:
/// only a folder under `reports/` of this site. The value is resolved the
/// way the browser would resolve it (the URL parser folds backslashes,
/// strips tabs and newlines, decodes dots and accepts schemes in any case),
/// and the result must have the page's origin and lie under the page's
/// `reports/` folder; everything else is refused before any request.
pub fn bundle_base(path: &str, page_href: &str) -> Result<String, String> {
    // The value is not repeated: a crafted link must not put its own words
    // on our page.
    let refuse = || {
        "the link does not name a report folder on this site: only folders under reports/ here can be opened."
            .to_string()
    };
    // Backslashes and control characters never appear in a bundle name;
    // browsers read them as slashes or drop them, so refuse them outright.
    if path.chars().any(|c| c == '\\' || c.is_control()) || path.trim() != path {
        return Err(refuse());
    }
    let page = web_sys::Url::new(page_href).map_err(|_| refuse())?;
    let reports = web_sys::Url::new_with_base("reports/", page_href)
        .map_err(|_| refuse())?
        .href();
    let url = web_sys::Url::new_with_base(path, page_href).map_err(|_| refuse())?;
    if url.origin() != page.origin()
        || !url.protocol().starts_with("http")
        || !url.search().is_empty()
        || !url.hash().is_empty()
        || !url.username().is_empty()
        || !url.password().is_empty()
    {
        return Err(refuse());
    }
    let mut resolved = format!("{}{}", url.origin(), url.pathname());
    if !resolved.ends_with('/') {
        resolved.push('/');
    }
    let rest = resolved.strip_prefix(&reports).ok_or_else(refuse)?;
    // A bundle name: letters, digits, `-`, `_`, `.` and folders; no
    // percent-escapes (a server may decode `%2e%2e` into `..`).
    let plain = rest.split('/').all(|seg| {
        seg != "."
            && seg != ".."
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    });
    if rest.is_empty() || !plain {
        return Err(refuse());
    }
    Ok(format!("reports/{rest}"))
}

/// Loads a published bundle and shows it read-only.
pub fn open_bundle(app: AppState, path: String) {
    // Read-only from the start; the folder is named once it is checked.
    app.bundle.set(Some(String::new()));
    app.state.set(PageState::Processing);
    spawn_local(async move {
        let result = async {
            let href = web_sys::window()
                .and_then(|w| w.location().href().ok())
                .ok_or("no page address")?;
            let base = bundle_base(&path, &href)?;
            let text = fetch_text(&format!("{base}report.json")).await?;
            let mut value: Report = serde_json::from_str(&text)
                .map_err(|e| format!("{base}report.json is not a valid report ({e})"))?;
            // Published before incidents existed: group its alerts here.
            if value.incidents.is_empty() && !value.alerts.is_empty() {
                value.incidents =
                    engine::monitor::incidents::incidents(&value.alerts, &value.metrics);
            }
            Ok::<_, String>((base, value))
        }
        .await;
        match result {
            Ok((base, value)) => {
                // Table links are built from the checked folder only.
                app.bundle.set(Some(base));
                app.report.set(Some(Arc::new(value)));
                app.state.set(PageState::Ready);
            }
            Err(e) => app.fail(format!("The published report could not be opened: {e}")),
        }
    });
}

/// Reads `reports/index.json` if the site has one (silently none otherwise).
pub fn list_published(app: AppState) {
    spawn_local(async move {
        if let Ok(text) = fetch_text("reports/index.json").await {
            if let Ok(index) = serde_json::from_str::<Index>(&text) {
                app.published.set(index.reports);
            }
        }
    });
}

/// The published reports, newest first.
#[component]
pub fn PublishedList() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || !app.published.with(Vec::is_empty)>
            <div class="card published">
                <h2>"Published reports"</h2>
                <ul>
                    {move || app.published.get().into_iter().rev().map(|r| {
                        let href = format!("?report={}", r.path);
                        let range = date_range(r.date_range);
                        let detail = format!("{} revenue · {} orders", money(r.revenue), int(r.orders as f64));
                        view! { <li><a href=href>{r.name.clone()}</a>" "<span class="muted">{range}" · "{detail}</span></li> }
                    }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}
