//! Thin binary: parse the command line, hand over to the library.

use std::process::ExitCode;

use clap::Parser;
use loglens::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    // A missing .env is normal; a malformed one is worth saying.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("loglens: ignoring .env: {e}");
    }
    let cli = Cli::parse();
    loglens::telemetry::init();
    let result = match cli.command {
        Command::Serve(config) => serve(*config).await,
        // The engine is blocking (rayon, ONNX Runtime): keep it off the async workers.
        Command::Analyze(args) => tokio::task::spawn_blocking(move || loglens::cli::analyze(args))
            .await
            .unwrap_or_else(|e| Err(anyhow::anyhow!("analysis thread failed: {e}"))),
        Command::Parse(args) => loglens::inspect::run(&args).map_err(anyhow::Error::from),
        Command::Worker(args) => tokio::task::spawn_blocking(move || {
            loglens::jobs::worker::run(&args.order, args.models)
        })
        .await
        .unwrap_or_else(|e| Err(anyhow::anyhow!("worker thread failed: {e}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loglens: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: loglens::config::ServeConfig) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr()?;
    // Scripts and the e2e suite read this line to find the port.
    println!("LogLens listening on http://{addr}");
    loglens::launch(listener, config, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutdown requested");
}
