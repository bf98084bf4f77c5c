//! LogLens web app entry point: mounts the root component.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(loglens_frontend::app::App);
}
