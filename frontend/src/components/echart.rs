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
            Some(e) => WasmRenderer::update(e, &chart),
            None => match WasmRenderer::new_opt(None, None)
                .theme(Theme::Dark)
                .render(&element_id, &chart)
            {
                Ok(e) => {
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
