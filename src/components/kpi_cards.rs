//! The headline numbers, each with `data-kpi` and its raw `data-value`.

use leptos::prelude::*;

use crate::state::use_app;
use puffy_report::format::{int, money, money_cents, pct};

/// KPI cards from `summary`.
#[component]
pub fn KpiCards() -> impl IntoView {
    let app = use_app();
    let cards = move || {
        let Some(r) = app.report.get() else {
            return Vec::new();
        };
        let s = &r.summary;
        let (orders, sessions, visitors) = (s.orders as f64, s.sessions as f64, s.visitors as f64);
        vec![
            ("revenue", "Revenue", s.revenue, money(s.revenue)),
            ("orders", "Orders", orders, int(orders)),
            ("aov", "Average order", s.aov, money_cents(s.aov)),
            ("sessions", "Sessions", sessions, int(sessions)),
            ("visitors", "Visitors", visitors, int(visitors)),
            (
                "conversion_rate",
                "Conversion rate",
                s.conversion_rate,
                pct(s.conversion_rate),
            ),
            ("bot_share", "Bot share", s.bot_share, pct(s.bot_share)),
            (
                "quality_score",
                "Data quality",
                s.quality_score,
                format!("{:.1} / 100", s.quality_score),
            ),
        ]
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
