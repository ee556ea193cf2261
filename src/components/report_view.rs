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

/// The sections of the report, one tab each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// KPIs, the executive summary, the files.
    Overview,
    /// Score, columns by day, duplicates, findings, quarantine.
    Quality,
    /// Revenue per channel under every model.
    Channels,
    /// Sessions to purchase.
    Funnel,
    /// Daily series with alert days marked.
    Trends,
    /// Sessions and days to convert, top paths.
    Journeys,
    /// Alerts.
    Monitoring,
    /// Settings.
    Settings,
    /// Tables and files to download.
    Downloads,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 9] = [
        Tab::Overview,
        Tab::Quality,
        Tab::Channels,
        Tab::Funnel,
        Tab::Trends,
        Tab::Journeys,
        Tab::Monitoring,
        Tab::Settings,
        Tab::Downloads,
    ];

    /// The tab of a report section (an insight's chart).
    pub fn of_section(section: engine::report::insights::Section) -> Tab {
        use engine::report::insights::Section;
        match section {
            Section::Channels => Tab::Channels,
            Section::Funnel => Tab::Funnel,
            Section::Quality => Tab::Quality,
            Section::Trends => Tab::Trends,
            Section::Monitoring => Tab::Monitoring,
            Section::Other => Tab::Overview,
        }
    }

    /// Its id (`data-tab`).
    pub fn id(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Quality => "quality",
            Tab::Channels => "channels",
            Tab::Funnel => "funnel",
            Tab::Trends => "trends",
            Tab::Journeys => "journeys",
            Tab::Monitoring => "monitoring",
            Tab::Settings => "settings",
            Tab::Downloads => "downloads",
        }
    }

    /// Its label.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Quality => "Data quality",
            Tab::Channels => "Channels & attribution",
            Tab::Funnel => "Funnel",
            Tab::Trends => "Trends",
            Tab::Journeys => "Journeys",
            Tab::Monitoring => "Monitoring",
            Tab::Settings => "Settings",
            Tab::Downloads => "Downloads",
        }
    }
}

/// Tabs and the selected section.
#[component]
pub fn ReportView() -> impl IntoView {
    let tab = RwSignal::new(Tab::Overview);
    provide_context(tab);
    view! {
        <nav class="tabs" role="tablist">
            {Tab::ALL
                .iter()
                .map(|&t| {
                    view! {
                        <button
                            role="tab"
                            data-tab=t.id()
                            class:active=move || tab.get() == t
                            on:click=move |_| tab.set(t)
                        >
                            {t.label()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
        <section class="panel" data-section=move || tab.get().id()>
            {move || match tab.get() {
                Tab::Quality => view! { <Quality /> <InputFiles /> }.into_any(),
                Tab::Channels => view! { <Channels /> }.into_any(),
                Tab::Funnel => view! { <Funnel /> }.into_any(),
                Tab::Trends => view! { <Trends /> }.into_any(),
                Tab::Journeys => view! { <Journeys /> }.into_any(),
                Tab::Monitoring => view! { <AlertList /> }.into_any(),
                Tab::Settings => view! { <Settings /> }.into_any(),
                Tab::Downloads => view! { <Downloads /> }.into_any(),
                Tab::Overview => view! { <KpiCards /> <InsightList /> <InputFiles /> }.into_any(),
            }}
        </section>
    }
}
