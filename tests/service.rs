//! The gRPC service end to end, on an ephemeral loopback port: Solve gives the library's
//! score, Validate, health, reflection, field-pathed INVALID_ARGUMENT, client deadlines
//! turned into time limits, admission (concurrency and queue), bearer tokens, TLS, the
//! progress stream and Reoptimize.

use convoplan::generate::{generate, Preset};
use convoplan::model::{parse_instance_json, Instance};
use convoplan::plan;
use convoplan::proto::planner_client::PlannerClient;
use convoplan::proto::{self, solve_event, ReoptimizeRequest, SolveRequest, ValidateRequest};
use convoplan::service::{serve, ServerConfig};
use convoplan::solver::SolveOptions;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tokio::sync::oneshot;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};
use tonic::{Code, Request};
use tonic_types::StatusExt;

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Server {
    async fn start(config: ServerConfig) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(config, listener, async {
            let _ = stopped.await;
        }));
        Server {
            addr,
            stop: Some(stop),
            task,
        }
    }

    async fn channel(&self) -> Channel {
        Endpoint::from_shared(format!("http://{}", self.addr))
            .expect("uri")
            .connect()
            .await
            .expect("connect")
    }

    async fn client(&self) -> PlannerClient<Channel> {
        PlannerClient::new(self.channel().await)
            .max_decoding_message_size(usize::MAX)
            .max_encoding_message_size(usize::MAX)
    }

    async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.task.await.expect("joined").expect("served");
    }
}

fn committed(name: &str) -> proto::Instance {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("instances")
        .join(format!("{name}.json"));
    parse_instance_json(&std::fs::read_to_string(path).expect("instance file")).expect("parse")
}

fn counts(plan: &proto::Plan) -> Vec<u32> {
    plan.score
        .as_ref()
        .map(|s| s.classes.iter().map(|c| c.scheduled).collect())
        .unwrap_or_default()
}

fn solve_request(instance: proto::Instance) -> SolveRequest {
    SolveRequest {
        instance: Some(instance),
        label: "test".into(),
        validate_only: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn solve_validate_health_and_reflection() {
    let server = Server::start(ServerConfig::default()).await;
    let mut client = server.client().await;
    for name in ["tiny", "small"] {
        let wire = committed(name);
        let local = plan::solve_plan(
            &Instance::from_proto(&wire).expect("valid"),
            &SolveOptions::default(),
        );
        let response = client
            .solve(solve_request(wire.clone()))
            .await
            .expect("solve")
            .into_inner();
        assert_eq!(response.label, "test");
        let remote = response.plan.expect("a plan");
        assert_eq!(
            counts(&remote),
            counts(&local),
            "{name}: same score as the CLI"
        );
        let validated = client
            .validate(ValidateRequest {
                instance: Some(wire),
                plan: Some(remote),
            })
            .await
            .expect("validate")
            .into_inner();
        assert!(validated.valid, "{name}: {:?}", validated.violations);
        assert!(validated.score.is_some() && validated.kpis.is_some());
    }
    // Health.
    let mut health = tonic_health::pb::health_client::HealthClient::new(server.channel().await);
    let status = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "convoplan.v1.Planner".into(),
        })
        .await
        .expect("health")
        .into_inner();
    assert_eq!(
        status.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
    // Reflection lists the planner.
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    let mut reflection = ServerReflectionClient::new(server.channel().await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut stream = reflection
        .server_reflection_info(tokio_stream::iter(vec![request]))
        .await
        .expect("reflection")
        .into_inner();
    let reply = stream.message().await.expect("reply").expect("one reply");
    let Some(MessageResponse::ListServicesResponse(list)) = reply.message_response else {
        panic!("unexpected reflection reply");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.iter().any(|n| n == "convoplan.v1.Planner"),
        "{names:?}"
    );
    server.stop().await;
}

/// The `x-request-id` of a response or status.
fn request_id(metadata: &tonic::metadata::MetadataMap) -> Option<String> {
    metadata
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A request carrying `x-request-id: id`.
fn with_request_id<T>(message: T, id: &str) -> Request<T> {
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("x-request-id", id.parse().expect("ascii"));
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_are_echoed_or_made_for_every_call() {
    let server = Server::start(ServerConfig::default()).await;
    let mut client = server.client().await;
    let wire = committed("tiny");
    let check_only = SolveRequest {
        validate_only: true,
        ..solve_request(wire.clone())
    };
    // The client's id comes back with the response, the stream's headers and an error.
    let response = client
        .solve(with_request_id(check_only.clone(), "batch-7/a"))
        .await
        .expect("solve");
    assert_eq!(
        request_id(response.metadata()).as_deref(),
        Some("batch-7/a")
    );
    let stream = client
        .solve_stream(with_request_id(check_only.clone(), "batch-7/b"))
        .await
        .expect("stream");
    assert_eq!(request_id(stream.metadata()).as_deref(), Some("batch-7/b"));
    let refused = client
        .solve(with_request_id(SolveRequest::default(), "batch-7/c"))
        .await
        .expect_err("no instance");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(request_id(refused.metadata()).as_deref(), Some("batch-7/c"));
    // Without one (or with an unreasonably long one), each call gets its own.
    let plan = plan::solve_plan(
        &Instance::from_proto(&wire).expect("valid"),
        &SolveOptions::default(),
    );
    let validate = ValidateRequest {
        instance: Some(wire),
        plan: Some(plan),
    };
    let mut made = Vec::new();
    for request in [
        Request::new(validate.clone()),
        Request::new(validate.clone()),
        with_request_id(validate, &"x".repeat(500)),
    ] {
        let response = client.validate(request).await.expect("validate");
        assert!(response.get_ref().valid);
        made.push(request_id(response.metadata()).expect("an id made by the server"));
    }
    assert!(
        made.iter().all(|id| !id.is_empty() && id.len() < 100),
        "{made:?}"
    );
    made.sort();
    made.dedup();
    assert_eq!(made.len(), 3, "distinct ids: {made:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reflection_describes_health_and_the_error_details() {
    use prost::Message;
    use std::collections::BTreeMap;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    let server = Server::start(ServerConfig::default()).await;
    let mut reflection = ServerReflectionClient::new(server.channel().await);
    // As grpcurl does: the file defining each symbol, then every file it imports, by name.
    let mut pending: Vec<MessageRequest> = [
        "grpc.health.v1.Health",
        "google.rpc.Status",
        "google.rpc.BadRequest",
    ]
    .into_iter()
    .map(|s| MessageRequest::FileContainingSymbol(s.into()))
    .collect();
    let mut files: BTreeMap<String, prost_types::FileDescriptorProto> = BTreeMap::new();
    while !pending.is_empty() {
        let requests: Vec<ServerReflectionRequest> = pending
            .drain(..)
            .map(|m| ServerReflectionRequest {
                host: String::new(),
                message_request: Some(m),
            })
            .collect();
        let mut replies = reflection
            .server_reflection_info(tokio_stream::iter(requests))
            .await
            .expect("reflection")
            .into_inner();
        while let Some(reply) = replies.message().await.expect("reply") {
            let files_reply = match reply.message_response {
                Some(MessageResponse::FileDescriptorResponse(f)) => f,
                other => panic!("not a file: {other:?}"),
            };
            for bytes in files_reply.file_descriptor_proto {
                let file = prost_types::FileDescriptorProto::decode(bytes.as_slice())
                    .expect("a file descriptor");
                for dependency in &file.dependency {
                    if !files.contains_key(dependency) {
                        pending.push(MessageRequest::FileByFilename(dependency.clone()));
                    }
                }
                files.insert(file.name().to_string(), file);
            }
        }
        pending.retain(|m| match m {
            MessageRequest::FileByFilename(name) => !files.contains_key(name),
            _ => true,
        });
    }
    let defines = |package: &str, name: &str| {
        files.values().any(|f| {
            f.package() == package
                && (f.message_type.iter().any(|m| m.name() == name)
                    || f.service.iter().any(|s| s.name() == name))
        })
    };
    assert!(defines("grpc.health.v1", "Health"), "{:?}", files.keys());
    assert!(defines("google.rpc", "Status"), "{:?}", files.keys());
    assert!(defines("google.rpc", "BadRequest"), "{:?}", files.keys());
    assert!(defines("google.protobuf", "Any"), "{:?}", files.keys());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_instances_get_invalid_argument_naming_the_field() {
    let server = Server::start(ServerConfig::default()).await;
    let mut client = server.client().await;
    let mut wire = committed("tiny");
    wire.requests[1].release_date = "2027-03-01".into();
    wire.requests[1].due_date = "2027-01-01".into();
    let expected = Instance::from_proto(&wire).expect_err("invalid");
    let path = &expected.errors[0].path;
    let status = client
        .solve(solve_request(wire))
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::InvalidArgument);
    let details = status
        .get_details_bad_request()
        .expect("BadRequest details");
    assert!(
        details
            .field_violations
            .iter()
            .any(|v| v.field == format!("instance.{path}")),
        "{details:?}"
    );
    assert!(
        status.message().contains("requests[1]"),
        "{}",
        status.message()
    );
    let missing = client
        .solve(SolveRequest::default())
        .await
        .expect_err("no instance");
    assert_eq!(missing.code(), Code::InvalidArgument);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_deadline_returns_a_valid_plan_with_time_limit_status() {
    let server = Server::start(ServerConfig::default()).await;
    let mut client = server.client().await;
    let wire = generate(Preset::AmiEureWeek, 1);
    let mut request = Request::new(solve_request(wire.clone()));
    request.set_timeout(Duration::from_secs(4));
    let plan = client
        .solve(request)
        .await
        .expect("a plan, not DEADLINE_EXCEEDED")
        .into_inner()
        .plan
        .expect("plan");
    let report = plan.solver_report.clone().expect("report");
    assert_eq!(report.status, proto::SolveStatus::TimeLimit as i32);
    let inst = Instance::from_proto(&wire).expect("valid");
    assert!(plan::validate(&inst, &plan).is_empty());
    assert!(!plan.appointments.is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_beyond_the_message_limit_is_refused_with_out_of_range() {
    use prost::Message;
    // A limit between the sizes of the tiny and the small instance's requests.
    let check_only = |name| SolveRequest {
        validate_only: true,
        ..solve_request(committed(name))
    };
    let (small, large) = (check_only("tiny"), check_only("small"));
    let limit = (small.encoded_len() + large.encoded_len()) / 2;
    assert!(small.encoded_len() < limit && limit < large.encoded_len());
    let server = Server::start(ServerConfig {
        max_message_bytes: limit,
        ..ServerConfig::default()
    })
    .await;
    let mut client = server.client().await;
    client.solve(small).await.expect("under the limit");
    let refused = client.solve(large).await.expect_err("over the limit");
    // tonic refuses a message it will not decode with OUT_OF_RANGE, naming the limit.
    assert_eq!(refused.code(), Code::OutOfRange, "{refused:?}");
    assert!(
        refused.message().contains(&limit.to_string()),
        "{}",
        refused.message()
    );
    server.stop().await;
}

/// Starts a solve of about 6 s (ami-eure-week under a 6 s deadline) and gives it 1.5 s to
/// take the server's only slot.
async fn hold_the_only_slot(
    server: &Server,
) -> tokio::task::JoinHandle<Result<tonic::Response<proto::SolveResponse>, tonic::Status>> {
    let mut client = server.client().await;
    let mut first = Request::new(solve_request(generate(Preset::AmiEureWeek, 1)));
    first.set_timeout(Duration::from_secs(6));
    let first = tokio::spawn(async move { client.solve(first).await });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    first
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_solves_are_admitted_or_refused() {
    // 16 solves with 2 at a time all succeed.
    let config = ServerConfig {
        max_concurrent: 2,
        queue: 16,
        ..ServerConfig::default()
    };
    let server = Server::start(config).await;
    let wire = generate(Preset::Tiny, 3);
    let mut calls = Vec::new();
    for _ in 0..16 {
        let mut client = server.client().await;
        let w = wire.clone();
        calls.push(tokio::spawn(
            async move { client.solve(solve_request(w)).await },
        ));
    }
    for call in calls {
        let plan = call
            .await
            .expect("joined")
            .expect("admitted")
            .into_inner()
            .plan;
        assert!(plan.is_some());
    }
    server.stop().await;
    // One slot, no queue: a second call while the first solves is refused.
    let config = ServerConfig {
        max_concurrent: 1,
        queue: 0,
        ..ServerConfig::default()
    };
    let server = Server::start(config).await;
    let first = hold_the_only_slot(&server).await;
    let mut client = server.client().await;
    let refused = client
        .solve(solve_request(wire.clone()))
        .await
        .expect_err("queue full");
    assert_eq!(refused.code(), Code::ResourceExhausted);
    assert!(first.await.expect("joined").is_ok());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_waits_for_a_slot_like_solves() {
    // One slot, no queue: while a solve holds the slot, Validate is refused; once the solve
    // is over, it is served.
    let config = ServerConfig {
        max_concurrent: 1,
        queue: 0,
        ..ServerConfig::default()
    };
    let server = Server::start(config).await;
    let wire = generate(Preset::Tiny, 3);
    let plan = plan::solve_plan(
        &Instance::from_proto(&wire).expect("valid"),
        &SolveOptions::default(),
    );
    let validate = ValidateRequest {
        instance: Some(wire),
        plan: Some(plan),
    };
    let first = hold_the_only_slot(&server).await;
    let mut client = server.client().await;
    let refused = client
        .validate(validate.clone())
        .await
        .expect_err("the only slot is taken");
    assert_eq!(refused.code(), Code::ResourceExhausted);
    assert!(first.await.expect("joined").is_ok());
    let served = client
        .validate(validate)
        .await
        .expect("the slot is free again")
        .into_inner();
    assert!(served.valid, "{:?}", served.violations);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_guard_the_planner_but_not_health() {
    let config = ServerConfig {
        token: Some("s3cret".into()),
        ..ServerConfig::default()
    };
    let server = Server::start(config).await;
    let wire = generate(Preset::Tiny, 1);
    let mut client = server.client().await;
    let missing = client
        .solve(solve_request(wire.clone()))
        .await
        .expect_err("no token");
    assert_eq!(missing.code(), Code::Unauthenticated);
    let mut wrong = Request::new(solve_request(wire.clone()));
    wrong
        .metadata_mut()
        .insert("authorization", "Bearer guess".parse().expect("ascii"));
    assert_eq!(
        client.solve(wrong).await.expect_err("wrong").code(),
        Code::Unauthenticated
    );
    let mut right = Request::new(solve_request(wire));
    right
        .metadata_mut()
        .insert("authorization", "Bearer s3cret".parse().expect("ascii"));
    assert!(client.solve(right).await.is_ok());
    let mut health = tonic_health::pb::health_client::HealthClient::new(server.channel().await);
    assert!(health
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new()
        })
        .await
        .is_ok());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_round_trip() {
    let generated =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    let cert = generated.cert.pem();
    let key = generated.signing_key.serialize_pem();
    let config = ServerConfig {
        tls: Some((cert.clone().into_bytes(), key.into_bytes())),
        ..ServerConfig::default()
    };
    let server = Server::start(config).await;
    let channel = Endpoint::from_shared(format!("https://localhost:{}", server.addr.port()))
        .expect("uri")
        .tls_config(
            ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(cert))
                .domain_name("localhost"),
        )
        .expect("tls config")
        .connect()
        .await
        .expect("TLS connect");
    let mut client = PlannerClient::new(channel);
    let plan = client
        .solve(solve_request(generate(Preset::Tiny, 2)))
        .await
        .expect("solve over TLS")
        .into_inner()
        .plan;
    assert!(plan.is_some());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_then_reoptimize() {
    let server = Server::start(ServerConfig::default()).await;
    let mut client = server.client().await;
    let wire = generate(Preset::Small, 1);
    let mut stream = client
        .solve_stream(solve_request(wire.clone()))
        .await
        .expect("stream")
        .into_inner();
    let mut progress = 0;
    let mut plan = None;
    while let Some(event) = stream.message().await.expect("event") {
        match event.event {
            Some(solve_event::Event::Progress(p)) => {
                assert!(p.stage_count >= 1 && !p.stage.is_empty());
                progress += 1;
            }
            Some(solve_event::Event::Result(r)) => plan = r.plan,
            None => panic!("empty event"),
        }
    }
    let plan = plan.expect("the final plan");
    assert!(progress > 0, "progress events before the plan");
    let response = client
        .reoptimize(ReoptimizeRequest {
            instance: Some(wire.clone()),
            previous_plan: Some(plan.clone()),
            freeze_until: String::new(),
            label: "again".into(),
        })
        .await
        .expect("reoptimize")
        .into_inner();
    let diff = response.diff.expect("diff");
    assert_eq!(diff.kept.len(), plan.appointments.len());
    assert!(diff.moved.is_empty() && diff.cancelled.is_empty() && diff.added.is_empty());
    // The response says what was solved again: the neighbourhood of the change (none here).
    let scope = response
        .plan
        .as_ref()
        .and_then(|p| p.solver_report.as_ref())
        .and_then(|r| r.reopt_scope)
        .expect("reoptScope in the response");
    assert!(!scope.whole_week && scope.free_requests == 0);
    let bad = client
        .reoptimize(ReoptimizeRequest {
            instance: Some(wire),
            previous_plan: Some(plan),
            freeze_until: "tomorrow".into(),
            label: String::new(),
        })
        .await
        .expect_err("bad freeze limit");
    assert_eq!(bad.code(), Code::InvalidArgument);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_running_solves_end_within_the_grace_period() {
    let config = ServerConfig {
        grace: Duration::from_secs(1),
        ..ServerConfig::default()
    };
    let server = Server::start(config).await;
    let mut client = server.client().await;
    let wire = generate(Preset::AmiEureWeek, 1);
    let call = tokio::spawn(async move { client.solve(solve_request(wire)).await });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let started = std::time::Instant::now();
    server.stop().await;
    // The solve was cancelled after the grace period and returned its best plan.
    let plan = call
        .await
        .expect("joined")
        .expect("a plan despite the shutdown")
        .into_inner()
        .plan
        .expect("plan");
    assert_eq!(
        plan.solver_report.expect("report").status,
        proto::SolveStatus::TimeLimit as i32
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}
