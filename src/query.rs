//! The view in the page's URL: `?from=YYYY-MM-DD&to=YYYY-MM-DD&compare=
//! previous&segment=device=mobile&segment=visitor=new`, so that reloading
//! or sending the link opens the same period, comparison and segments.
//! Other parameters (`report=`) are left as they are. The values are only
//! text here: the engine reads them against the batch, and the page falls
//! back to the whole batch with a notice when they do not fit it.

use engine::report::compare::ViewQuery;

/// Longest value read from the URL (a day, a baseline, a segment).
const MAX_VALUE: usize = 240;

/// Most segment values read from the URL.
const MAX_SEGMENTS: usize = 8;

fn params() -> Option<web_sys::UrlSearchParams> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()
}

/// The view the URL asks for.
pub fn read() -> ViewQuery {
    let Some(p) = params() else {
        return ViewQuery::default();
    };
    let one = |key: &str| {
        p.get(key)
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.chars().take(MAX_VALUE).collect::<String>())
    };
    let segment = p
        .get_all("segment")
        .iter()
        .filter_map(|v| v.as_string())
        .filter(|v| !v.trim().is_empty())
        .take(MAX_SEGMENTS)
        .map(|v| v.chars().take(MAX_VALUE).collect())
        .collect();
    ViewQuery {
        from: one("from"),
        to: one("to"),
        segment,
        compare: one("compare"),
    }
}

/// Puts the view into the URL without reloading (the whole batch: none of
/// its parameters).
pub fn write(q: &ViewQuery) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(p) = params() else { return };
    for key in ["from", "to", "compare", "segment"] {
        p.delete(key);
    }
    let put = |key: &str, v: &Option<String>| {
        if let Some(v) = v {
            p.append(key, v);
        }
    };
    put("from", &q.from);
    put("to", &q.to);
    put("compare", &q.compare);
    for s in &q.segment {
        p.append("segment", s);
    }
    let search = String::from(p.to_string());
    let path = window.location().pathname().unwrap_or_default();
    let url = if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    };
    if let Ok(h) = window.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
