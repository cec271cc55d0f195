//! `convoplan serve`: the gRPC service.

use anyhow::Context;
use convoplan::service::{serve, ServerConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:50051")]
    pub addr: SocketAddr,
    /// Solves at once (default: the number of cores).
    #[arg(long)]
    pub max_concurrent: Option<usize>,
    /// Solves waiting for a slot before calls get RESOURCE_EXHAUSTED (default: 4 per core).
    #[arg(long)]
    pub queue: Option<usize>,
    /// HiGHS threads per solve.
    #[arg(long)]
    pub threads: Option<u32>,
    /// PEM certificate chain for TLS (with --tls-key).
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for TLS (with --tls-cert).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// File holding the bearer token calls must carry; the CONVOPLAN_TOKEN environment
    /// variable is read when no file is given. Health and reflection stay open.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Largest message accepted or sent, bytes.
    #[arg(long, default_value_t = convoplan::service::server::DEFAULT_MAX_MESSAGE_BYTES)]
    pub max_message_bytes: usize,
    /// Seconds running solves get to finish after SIGTERM or SIGINT.
    #[arg(long, default_value_t = 30.0)]
    pub grace_seconds: f64,
}

/// Runs `serve` until SIGTERM or SIGINT.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = ServerConfig::default();
    if let Some(n) = args.max_concurrent {
        config.max_concurrent = n.max(1);
    }
    if let Some(n) = args.queue {
        config.queue = n;
    }
    config.threads = args.threads;
    config.max_message_bytes = args.max_message_bytes;
    config.grace = Duration::from_secs_f64(args.grace_seconds.max(0.0));
    config.token = match &args.token_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading token file {}", path.display()))?
                .trim()
                .to_string(),
        ),
        None => std::env::var("CONVOPLAN_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty()),
    };
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        config.tls = Some((
            std::fs::read(cert).with_context(|| format!("reading {}", cert.display()))?,
            std::fs::read(key).with_context(|| format!("reading {}", key.display()))?,
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        eprintln!("convoplan serving on {}", listener.local_addr()?);
        serve(config, listener, shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
