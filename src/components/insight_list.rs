//! The executive summary: the engine's plain-language findings, each
//! linking to the section whose chart supports it.

use leptos::prelude::*;

use crate::state::use_app;

/// The executive summary.
#[component]
pub fn InsightList() -> impl IntoView {
    let app = use_app();
    let tab = expect_context::<RwSignal<super::report_view::Tab>>();
    let items = move || {
        app.report
            .get()
            .map(|r| r.insights.clone())
            .unwrap_or_default()
    };
    view! {
        <div class="card">
            <h2>"Executive summary"</h2>
            <ul class="insights">
                {move || {
                    items()
                        .into_iter()
                        .map(|i| {
                            let target = super::report_view::Tab::of_section(i.section);
                            view! {
                                <li>
                                    <span>{i.text.clone()}</span>
                                    " "
                                    <a href="#" class="see" on:click=move |ev| { ev.prevent_default(); tab.set(target); }>"See chart →"</a>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
