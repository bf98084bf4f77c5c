//! One module per page.

pub mod compare;
pub mod dashboard;
pub mod history;
pub mod latest;
pub mod timemachine;
pub mod upload;
