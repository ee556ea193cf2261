//! Hosted reports: `index.html?report=reports/NAME/` opens a bundle written
//! by `puffy report --bundle` read-only, and `reports/index.json` lists the
//! published bundles on the start page. URLs are relative to the page, so
//! the site works under any sub-path.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::app::{use_app, AppState, PageState};
use crate::format::{int, money, text};

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

/// The folder of a bundle, with a trailing slash; only paths on this site.
fn bundle_base(path: &str) -> Result<String, String> {
    if path.contains("://") || path.starts_with("//") || path.contains("..") {
        return Err(format!("{path:?} is not a report folder on this site."));
    }
    Ok(if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    })
}

/// Loads a published bundle and shows it read-only.
pub fn open_bundle(app: AppState, path: String) {
    app.bundle.set(Some(path.clone()));
    app.state.set(PageState::Processing);
    spawn_local(async move {
        let result = async {
            let base = bundle_base(&path)?;
            let text = fetch_text(&format!("{base}report.json")).await?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| format!("{base}report.json is not a valid report ({e})"))?;
            if value.pointer("/summary/revenue").is_none() {
                return Err(format!("{base}report.json is not a Puffy Analytics report"));
            }
            Ok(value)
        }
        .await;
        match result {
            Ok(value) => {
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
            if let Ok(v) = serde_json::from_str::<Value>(&text) {
                app.published
                    .set(v["reports"].as_array().cloned().unwrap_or_default());
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
                        let href = format!("?report={}", text(&r, "/path"));
                        let range = format!("{} – {}", text(&r, "/date_range/0"), text(&r, "/date_range/1"));
                        let detail = format!("{} revenue · {} orders", money(r["revenue"].as_f64().unwrap_or(0.0)), int(r["orders"].as_f64().unwrap_or(0.0)));
                        view! { <li><a href=href>{text(&r, "/name")}</a>" "<span class="muted">{range}" · "{detail}</span></li> }
                    }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}
