//! LogLens web app entry point: mounts the root component.

mod api;
mod app;
mod format;
mod pages;
mod watcher;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
