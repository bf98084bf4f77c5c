//! One module per page.

pub mod dashboard;
pub mod history;
pub mod timemachine;
pub mod upload;
