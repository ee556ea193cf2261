//! The report: tabs over the sections, all rendering the engine's report.

use leptos::prelude::*;

use super::alert_list::AlertList;
use super::channels::Channels;
use super::downloads::Downloads;
use super::funnel::Funnel;
use super::input_files::InputFiles;
use super::insight_list::InsightList;
use super::journeys::Journeys;
use super::kpi_cards::KpiCards;
use super::quality::Quality;
use super::settings::Settings;
use super::trends::Trends;

/// Section ids and their tab labels.
pub const TABS: [(&str, &str); 9] = [
    ("overview", "Overview"),
    ("quality", "Data quality"),
    ("channels", "Channels & attribution"),
    ("funnel", "Funnel"),
    ("trends", "Trends"),
    ("journeys", "Journeys"),
    ("monitoring", "Monitoring"),
    ("settings", "Settings"),
    ("downloads", "Downloads"),
];

/// Tabs and the selected section.
#[component]
pub fn ReportView() -> impl IntoView {
    let tab = RwSignal::new("overview");
    provide_context(tab);
    view! {
        <nav class="tabs" role="tablist">
            {TABS
                .iter()
                .map(|&(id, label)| {
                    view! {
                        <button
                            role="tab"
                            data-tab=id
                            class:active=move || tab.get() == id
                            on:click=move |_| tab.set(id)
                        >
                            {label}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
        <section class="panel" data-section=move || tab.get()>
            {move || match tab.get() {
                "quality" => view! { <Quality /> <InputFiles /> }.into_any(),
                "channels" => view! { <Channels /> }.into_any(),
                "funnel" => view! { <Funnel /> }.into_any(),
                "trends" => view! { <Trends /> }.into_any(),
                "journeys" => view! { <Journeys /> }.into_any(),
                "monitoring" => view! { <AlertList /> }.into_any(),
                "settings" => view! { <Settings /> }.into_any(),
                "downloads" => view! { <Downloads /> }.into_any(),
                _ => view! { <KpiCards /> <InsightList /> <InputFiles /> }.into_any(),
            }}
        </section>
    }
}
