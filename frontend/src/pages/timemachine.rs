//! The incident timeline on the logs' real time axis (days allowed) with the time machine under
//! it: a slider, play/pause and speed replay which incidents and links existed up to a moment,
//! and the chart shows only what had happened by then. Clicking a point opens that incident.

use leptos::prelude::*;
use loglens_shared::report::AnalysisReport;

use loglens_shared::IncidentKey;

use crate::charts;
use crate::components::echart::{EChart, TIME_CHART_EXTRA};
use crate::filter::{DashFilter, set_query};
use crate::locale::use_texts;
use crate::timeline::Replay;
use crate::viewport::use_layout;

/// A full replay at 1× takes this long, whatever the span of the logs.
const REPLAY_MS: f64 = 10_000.0;
const TICK_MS: u64 = 100;
/// The slider moves in whole seconds (log timestamps rarely need finer).
const SLIDER_STEP_MS: i64 = 1_000;

/// Writes the moment into the address (`?at=`; removed at the end of the logs), replacing
/// the entry and keeping the rest of it.
fn keep_moment(ms: Option<i64>) {
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let (Ok(path), Ok(search), Ok(hash)) = (loc.pathname(), loc.search(), loc.hash()) else {
        return;
    };
    let value = ms.map(|m| m.to_string());
    let url = format!("{path}{}{hash}", set_query(&search, "at", value.as_deref()));
    if let Ok(h) = w.history() {
        // The router's own state rides along, so Back and Forward stay its to handle.
        let _ = h.replace_state_with_url(
            &h.state().unwrap_or(wasm_bindgen::JsValue::NULL),
            "",
            Some(&url),
        );
    }
}

#[component]
pub fn TimeMachine(
    report: StoredValue<AnalysisReport>,
    open: Callback<IncidentKey>,
    filter: Memo<DashFilter>,
) -> impl IntoView {
    let t = use_texts();
    let layout = use_layout();
    let Some(replay) = report.with_value(Replay::new) else {
        return view! {
            <h3>{move || t.get().chart_timeline}</h3>
            <p class="muted" data-testid="tm-none">{move || t.get().tm_none}</p>
        }
        .into_any();
    };
    let (start, end) = (replay.start, replay.end);
    let marks = replay.error_moments();
    // The moment is kept in the address (`?at=<ms>`): a link opens the replay there.
    let asked = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| {
            q.trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("at=").and_then(|v| v.parse::<i64>().ok()))
        })
        .and_then(|ms| replay.moment(ms));
    let replay = StoredValue::new(replay);
    let at = RwSignal::new(asked.unwrap_or(end));
    let playing = RwSignal::new(false);
    Effect::new(move |first: Option<()>| {
        let (now, moving) = (at.get(), playing.get());
        // Written when it rests (not at every step of a replay), and not on the first run.
        if first.is_some() && !moving {
            keep_moment((now < end).then_some(now));
        }
    });
    let speed = RwSignal::new(1.0f64);
    let timer = set_interval_with_handle(
        move || {
            if !playing.get_untracked() {
                return;
            }
            let next = replay.with_value(|r| {
                r.advance(
                    at.get_untracked(),
                    speed.get_untracked(),
                    TICK_MS as f64,
                    REPLAY_MS,
                )
            });
            at.set(next);
            if next >= end {
                playing.set(false);
            }
        },
        std::time::Duration::from_millis(TICK_MS),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = timer {
            t.clear();
        }
    });
    let moment = Memo::new(move |_| replay.with_value(|r| r.at(at.get())));
    // The dashboard's filter: the chart draws the incidents and links it keeps (a copy made
    // when the filter changes, not at every step of the replay); the axis stays the logs'.
    let kept = Memo::new(move |_| {
        let f = filter.get();
        f.is_active().then(|| {
            report.with_value(|r| AnalysisReport {
                incidents: r
                    .incidents
                    .iter()
                    .filter(|i| f.keeps_incident(i))
                    .cloned()
                    .collect(),
                links: r
                    .links
                    .iter()
                    .filter(|l| f.keeps_link(l))
                    .cloned()
                    .collect(),
                ..r.clone()
            })
        })
    });
    let model = Memo::new(move |_| {
        let until = (at.get() < end).then(|| at.get());
        let (t, layout) = (t.get(), layout.get());
        kept.with(|k| match k {
            Some(r) => charts::incident_timeline(r, t, layout, until),
            None => report.with_value(|r| charts::incident_timeline(r, t, layout, until)),
        })
    });
    let rows = report.with_value(|r| r.incidents.len());
    let reset_zoom = RwSignal::new(0u32);
    let toggle = move |_| {
        if !playing.get_untracked() && at.get_untracked() >= end {
            at.set(start);
        }
        playing.update(|p| *p = !*p);
    };
    let on_row = Callback::new(move |row: usize| {
        if let Some(key) = model.with_untracked(|m| m.rows.get(row).copied()) {
            open.run(key);
        }
    });
    view! {
        <section class="panel wide">
            <p class="muted hint">{move || t.get().chart_timeline_hint}</p>
            <button class="link zoom-reset" data-testid="chart-reset-zoom" on:click=move |_| reset_zoom.update(|n| *n += 1)>
                {move || t.get().reset_zoom}
            </button>
            <EChart option=Signal::derive(move || model.with(|m| m.chart.clone()))
                label=Signal::derive(move || t.get().chart_timeline.to_string())
                testid="chart-timeline" height=charts::rows_height(rows) on_row reset_zoom extra=TIME_CHART_EXTRA/>
            <h3>{move || t.get().tm_title}</h3>
            <div class="timemachine" data-testid="timemachine">
                <button class="secondary" data-testid="tm-play" on:click=toggle>
                    {move || if playing.get() { t.get().tm_pause } else { t.get().tm_play }}
                </button>
                <select data-testid="tm-speed" aria-label=move || t.get().tm_speed on:change=move |ev| speed.set(event_target_value(&ev).parse().unwrap_or(1.0))>
                    <option value="1">"1×"</option><option value="2">"2×"</option><option value="4">"4×"</option>
                </select>
                // The moments incidents appeared, as marks on the scale.
                <datalist id="tm-errors" data-testid="tm-marks">
                    {marks.into_iter().map(|ms| view! { <option value=ms.to_string()></option> }).collect_view()}
                </datalist>
                <input type="range" data-testid="tm-slider" list="tm-errors" aria-label=move || t.get().tm_moment
                    aria-valuetext=move || { let t = t.get(); t.clock_at(at.get()) } min=start max=end step=SLIDER_STEP_MS prop:value=move || at.get()
                    on:input=move |ev| {
                        playing.set(false);
                        at.set(event_target_value(&ev).parse::<f64>().map_or(end, |v| v as i64));
                    }/>
                <p data-testid="tm-state">
                    {move || moment.with(|m| {
                        let t = t.get();
                        (t.tm_state)(&t.clock_at(at.get()), m.incidents.len(), m.links)
                    })}
                </p>
                <ul class="muted">{move || moment.with(|m| m.incidents.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view())}</ul>
                <p class="muted hint">{move || t.get().tm_errors_marked}</p>
            </div>
        </section>
    }
    .into_any()
}
