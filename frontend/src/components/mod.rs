//! Reusable pieces of the UI.

pub mod echart;
pub mod file_picker;
