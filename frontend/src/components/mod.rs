//! Reusable pieces of the UI.

pub mod echart;
pub mod file_picker;
pub mod pager;
pub mod sign_in;
