//! What the analysis engine says while it works. The engine emits [`EngineProgress`]; the
//! job layer turns it into numbered wire events, the CLI into a progress bar.

use serde::{Deserialize, Serialize};

use crate::Stage;

/// One progress update from inside an analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EngineProgress {
    pub stage: Stage,
    /// Overall percent 0–100, inside the stage's range (see [`Stage::percent`]).
    pub percent: u8,
    /// What is happening, for a person to read.
    pub message: String,
    /// Uncompressed bytes of log files read so far, and in all.
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Log lines read so far.
    pub lines_done: u64,
}
