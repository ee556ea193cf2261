//! The headline numbers, each with `data-kpi` and its raw `data-value`.

use leptos::prelude::*;

use crate::state::use_app;

/// KPI cards from `summary`.
#[component]
pub fn KpiCards() -> impl IntoView {
    let app = use_app();
    let cards = move || {
        app.report
            .get()
            .map(|r| puffy_report::report_data::kpis(&r))
            .unwrap_or_default()
    };
    view! {
        <div class="kpis">
            {move || {
                cards()
                    .into_iter()
                    .map(|(key, label, value, shown)| {
                        view! {
                            <div class="kpi">
                                <span class="kpi-label">{label}</span>
                                <span class="kpi-value" data-kpi=key data-value=value.to_string()>{shown}</span>
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}
