//! The server: the planner behind its token check and message-size limits, the health
//! service, reflection (v1 and v1alpha, for grpcurl, grpcui and Postman; it also describes
//! health and the google.rpc error details), optional TLS,
//! and a graceful shutdown that stops accepting calls at once and lets running solves
//! finish within a grace period before cancelling them (they then return their best plan).

use super::auth::BearerAuth;
use super::PlannerService;
use crate::proto::planner_server::PlannerServer;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Identity, Server, ServerTlsConfig};

/// Default largest message: a national instance (some 45,000 requests) is about 25 MB of
/// protobuf; its plan is of the same order.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Solves at once.
    pub max_concurrent: usize,
    /// Solves waiting for a slot before calls are refused.
    pub queue: usize,
    /// HiGHS threads per solve.
    pub threads: Option<u32>,
    /// Bearer token the planner's calls must carry, if any.
    pub token: Option<String>,
    /// PEM certificate chain and private key, for TLS.
    pub tls: Option<(Vec<u8>, Vec<u8>)>,
    /// Largest message accepted or sent.
    pub max_message_bytes: usize,
    /// Time running solves get to finish after a shutdown signal.
    pub grace: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            max_concurrent: cores,
            queue: 4 * cores,
            threads: None,
            token: None,
            tls: None,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            grace: Duration::from_secs(30),
        }
    }
}

/// Descriptor sets that reflection serves: the planner's, the health service's, and
/// google.rpc's (Status and the BadRequest details of INVALID_ARGUMENT statuses, with the
/// google.protobuf files they import), so that grpcurl and the like decode every message
/// and error detail the server sends without a `.proto` at hand.
const DESCRIPTOR_SETS: [&[u8]; 3] = [
    crate::proto::FILE_DESCRIPTOR_SET,
    tonic_health::pb::FILE_DESCRIPTOR_SET,
    tonic_types::pb::FILE_DESCRIPTOR_SET,
];

/// A reflection builder holding [`DESCRIPTOR_SETS`].
fn reflection() -> tonic_reflection::server::Builder<'static> {
    DESCRIPTOR_SETS.iter().fold(
        tonic_reflection::server::Builder::configure(),
        |builder, set| builder.register_encoded_file_descriptor_set(set),
    )
}

/// Serves on `listener` until `shutdown` completes.
pub async fn serve(
    config: ServerConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let service = PlannerService::new(config.max_concurrent, config.queue, config.threads);
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_serving::<PlannerServer<PlannerService>>()
        .await;
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;
    let auth = BearerAuth::new(config.token.clone());
    let planner = PlannerServer::new(service.clone())
        .max_decoding_message_size(config.max_message_bytes)
        .max_encoding_message_size(config.max_message_bytes);
    let planner = InterceptedService::new(planner, move |r| auth.check(r));
    let mut builder = Server::builder();
    if let Some((cert, key)) = &config.tls {
        builder =
            builder.tls_config(ServerTlsConfig::new().identity(Identity::from_pem(cert, key)))?;
    }
    let grace = config.grace;
    let on_shutdown = async move {
        shutdown.await;
        tracing::info!(
            grace_seconds = grace.as_secs_f64(),
            "shutting down: no new calls"
        );
        reporter
            .set_not_serving::<PlannerServer<PlannerService>>()
            .await;
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            tracing::warn!("grace period over: cancelling the solves still running");
            service.cancel_all();
        });
    };
    let addr = listener.local_addr()?;
    tracing::info!(%addr, tls = config.tls.is_some(), auth = config.token.is_some(), "serving convoplan.v1.Planner");
    builder
        .add_service(health)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(planner)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), on_shutdown)
        .await?;
    Ok(())
}
