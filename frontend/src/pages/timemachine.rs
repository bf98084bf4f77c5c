//! The time machine: a slider over the analysis' real time span (days allowed) that replays
//! which incidents and links existed up to a moment, with play/pause and speed.

use leptos::prelude::*;
use loglens_shared::report::AnalysisReport;

/// A full replay at 1× takes this long, whatever the span of the logs.
const REPLAY_MS: f64 = 10_000.0;
const TICK_MS: u64 = 100;

/// Milliseconds of a log timestamp on the browser's clock (`T` or space, fraction allowed).
fn millis(ts: &str) -> Option<f64> {
    let t = js_sys::Date::parse(&ts.replacen(' ', "T", 1));
    t.is_finite().then_some(t)
}

fn label(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

#[component]
pub fn TimeMachine(report: AnalysisReport) -> impl IntoView {
    // (moment, what): an incident appears at its first line; a link when both its lines exist.
    let incidents: Vec<(f64, String)> = report
        .incidents
        .iter()
        .filter_map(|i| {
            Some((
                millis(i.first_seen.as_deref()?)?,
                format!("{} · {}", i.scenario_id, i.problem),
            ))
        })
        .collect();
    let links: Vec<f64> = report
        .links
        .iter()
        .filter_map(|l| {
            Some(
                millis(l.error.timestamp.as_deref()?)?
                    .max(millis(l.warning.timestamp.as_deref()?)?),
            )
        })
        .collect();
    let all: Vec<f64> = incidents
        .iter()
        .map(|(t, _)| *t)
        .chain(links.iter().copied())
        .collect();
    let (Some(start), Some(end)) = (
        all.iter().copied().reduce(f64::min),
        all.iter().copied().reduce(f64::max),
    ) else {
        return view! { <p class="muted">"Нет событий со временем для воспроизведения."</p> }
            .into_any();
    };
    let incidents = StoredValue::new(incidents);
    let links = StoredValue::new(links);
    let at = RwSignal::new(end);
    let playing = RwSignal::new(false);
    let speed = RwSignal::new(1.0f64);
    let span = (end - start).max(1.0);
    let timer = set_interval_with_handle(
        move || {
            if !playing.get_untracked() {
                return;
            }
            let step = span * (TICK_MS as f64 / REPLAY_MS) * speed.get_untracked();
            let next = (at.get_untracked() + step).min(end);
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
    let active = move || {
        incidents.with_value(|v| {
            v.iter()
                .filter(|(t, _)| *t <= at.get())
                .map(|(_, s)| s.clone())
                .collect::<Vec<_>>()
        })
    };
    let linked = move || links.with_value(|v| v.iter().filter(|t| **t <= at.get()).count());
    let toggle = move |_| {
        if !playing.get_untracked() && at.get_untracked() >= end {
            at.set(start);
        }
        playing.update(|p| *p = !*p);
    };
    view! {
        <h3>"Машина времени"</h3>
        <div class="timemachine" data-testid="timemachine">
            <button class="secondary" data-testid="tm-play" on:click=toggle>{move || if playing.get() { "Пауза" } else { "▶ Воспроизвести" }}</button>
            <select data-testid="tm-speed" on:change=move |ev| speed.set(event_target_value(&ev).parse().unwrap_or(1.0))>
                <option value="1">"1×"</option><option value="2">"2×"</option><option value="4">"4×"</option>
            </select>
            <input type="range" data-testid="tm-slider" min=start max=end step=1000.0 prop:value=move || at.get()
                on:input=move |ev| { playing.set(false); at.set(event_target_value(&ev).parse().unwrap_or(end)); }/>
            <p data-testid="tm-state">
                {move || format!("{} — инцидентов: {}, связей: {}", label(at.get()), active().len(), linked())}
            </p>
            <ul class="muted">{move || active().into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
        </div>
    }
    .into_any()
}
