//! Engine tests on real archives: the organizers' validation cases rebuilt by
//! `../shared/tools/gen_cases.py`, archives built here for each trap of the spec, and the
//! real light model for semantic matching.

mod cases_apart;
mod cli_inputs;
mod formats;
mod helpers;
mod multilingual;
mod parse_command;
mod rules;
mod safety;
mod semantic;
mod validation;
