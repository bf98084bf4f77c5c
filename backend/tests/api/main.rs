//! HTTP and WebSocket API tests against a real server on 127.0.0.1:0 (one binary, many
//! modules, as in zero2prod: shared start-up lives in `helpers`).

mod helpers;
mod isolation;
mod kb_versions;
mod marks;
mod operations;
mod pause;
#[path = "../support/pg_cluster.rs"]
mod pg_cluster;
mod postgres;
mod probes;
mod progress;
mod restart;
mod resumable;
#[path = "../support/s3_server.rs"]
mod s3_server;
mod uploads;
