//! One module per page.

pub mod dashboard;
pub mod history;
pub mod upload;
