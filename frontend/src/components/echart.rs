//! One Apache ECharts instance bound to a reactive option: created when the element is in the
//! page, updated (merged, so the user's zoom survives) when the option changes, resized with
//! the window and disposed with the component. Clicks report the clicked point's category row.

use std::sync::atomic::{AtomicU32, Ordering};

use charming::theme::Theme;
use charming::{Chart, Echarts, WasmRenderer};
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The instance charming returns as `Echarts`, seen with the methods charming does not bind.
    type Instance;
    #[wasm_bindgen(method)]
    fn dispose(this: &Instance);
    #[wasm_bindgen(method)]
    fn on(this: &Instance, event: &str, handler: &js_sys::Function);
    #[wasm_bindgen(method, js_name = dispatchAction)]
    fn dispatch_action(this: &Instance, action: &JsValue);
    #[wasm_bindgen(method, js_name = setOption)]
    fn set_option(this: &Instance, option: &JsValue);
}

/// Options charming cannot say, merged into every option a chart is given (JSON).
fn merge_extra(e: &Echarts, extra: &str) {
    match js_sys::JSON::parse(extra) {
        Ok(v) => e.unchecked_ref::<Instance>().set_option(&v),
        Err(err) => leptos::logging::error!("chart option {extra}: {err:?}"),
    }
}

/// What time charts add: their row labels wrap onto several lines, which need their height;
/// time labels that would overlap on a narrow plot are left out.
pub const TIME_CHART_EXTRA: &str =
    r#"{"yAxis":{"axisLabel":{"lineHeight":14}},"xAxis":{"axisLabel":{"hideOverlap":true}}}"#;

/// The whole range again on every data zoom of a chart (slider and inside).
fn zoom_out(e: &Echarts) {
    let action = js_sys::Object::new();
    for (key, value) in [
        ("type", JsValue::from_str("dataZoom")),
        ("start", JsValue::from_f64(0.0)),
        ("end", JsValue::from_f64(100.0)),
    ] {
        let _ = js_sys::Reflect::set(&action, &key.into(), &value);
    }
    e.unchecked_ref::<Instance>().dispatch_action(&action);
}

/// Element ids for `echarts.init`, unique within the page.
static NEXT_ID: AtomicU32 = AtomicU32::new(0);

/// The category row (`value[1]`) of a clicked point, if the point has one.
fn clicked_row(params: &JsValue) -> Option<usize> {
    let value = js_sys::Reflect::get(params, &"value".into()).ok()?;
    let row = js_sys::Reflect::get(&value, &1.into()).ok()?.as_f64()?;
    (row >= 0.0).then_some(row as usize)
}

#[component]
pub fn EChart(
    /// The option to show; the chart follows it.
    #[prop(into)]
    option: Signal<Chart>,
    /// What the chart shows, for screen readers and tests.
    #[prop(into)]
    label: Signal<String>,
    testid: &'static str,
    #[prop(into)] height: Signal<u32>,
    /// Called with the clicked point's category row.
    #[prop(optional)]
    on_row: Option<Callback<usize>>,
    /// Each change zooms the chart out to its whole range (a "reset zoom" control's count).
    #[prop(optional, into)]
    reset_zoom: Option<Signal<u32>>,
    /// Options charming cannot say (JSON, e.g. [`TIME_CHART_EXTRA`]), merged after each update.
    #[prop(optional)]
    extra: Option<&'static str>,
) -> impl IntoView {
    let id = format!("echart-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let node: NodeRef<html::Div> = NodeRef::new();
    let instance = StoredValue::new_local(None::<Echarts>);
    // Kept alive as long as the chart: ECharts calls it on every click.
    let click = StoredValue::new_local(None::<Closure<dyn FnMut(JsValue)>>);
    let element_id = id.clone();
    Effect::new(move |_| {
        let chart = option.get();
        if node.get().is_none() {
            return;
        }
        instance.update_value(|inst| match inst {
            Some(e) => {
                WasmRenderer::update(e, &chart);
                if let Some(x) = extra {
                    merge_extra(e, x);
                }
            }
            None => match WasmRenderer::new_opt(None, None)
                .theme(Theme::Dark)
                .render(&element_id, &chart)
            {
                Ok(e) => {
                    if let Some(x) = extra {
                        merge_extra(&e, x);
                    }
                    if let Some(cb) = on_row {
                        let handler = Closure::<dyn FnMut(JsValue)>::new(move |p: JsValue| {
                            if let Some(row) = clicked_row(&p) {
                                cb.run(row);
                            }
                        });
                        e.unchecked_ref::<Instance>()
                            .on("click", handler.as_ref().unchecked_ref());
                        click.set_value(Some(handler));
                    }
                    *inst = Some(e);
                }
                Err(err) => leptos::logging::error!("chart {element_id}: {err:?}"),
            },
        });
    });
    if let Some(reset) = reset_zoom {
        Effect::new(move |previous: Option<u32>| {
            let n = reset.get();
            if previous.is_some_and(|p| p != n) {
                instance.with_value(|i| {
                    if let Some(e) = i {
                        zoom_out(e);
                    }
                });
            }
            n
        });
    }
    // A new height (more rows) or a new window size: let ECharts measure the element again.
    Effect::new(move |_| {
        height.track();
        instance.with_value(|i| {
            if let Some(e) = i {
                e.resize(JsValue::UNDEFINED);
            }
        });
    });
    let resize = window_event_listener(ev::resize, move |_| {
        instance.with_value(|i| {
            if let Some(e) = i {
                e.resize(JsValue::UNDEFINED);
            }
        });
    });
    on_cleanup(move || {
        resize.remove();
        if let Some(Some(e)) = instance.try_update_value(Option::take) {
            e.unchecked_ref::<Instance>().dispose();
        }
        click.try_set_value(None);
    });
    view! {
        <div class="chart" id=id node_ref=node data-testid=testid role="img"
            aria-label=move || label.get() style:height=move || format!("{}px", height.get())></div>
    }
}
