//! The `convoplan.v1.Planner` service. Each call validates its input on a blocking thread
//! (a national instance takes a moment to convert), waits for an admission slot, then
//! solves (or, for Validate, checks the plan) on a blocking thread with a cancellation flag that the call's end raises: a
//! client that goes away stops its solve. Every response, and every error status of a
//! call, carries an `x-request-id`: the client's own when it sent one, else one made here.
//! Logs carry it beside the server's call number, sizes, times and statuses, never a
//! worker id.

use super::admission::Admission;
use super::{deadline, errors};
use crate::model::Instance;
use crate::plan;
use crate::proto::planner_server::Planner;
use crate::proto::{
    solve_event, Progress, ReoptimizeRequest, ReoptimizeResponse, SolveEvent, SolveRequest,
    SolveResponse, ValidateRequest, ValidateResponse, Violation,
};
use crate::solver::{ProgressEvent, SolveOptions};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::metadata::{AsciiMetadataValue, MetadataMap};
use tonic::{Request, Response, Status};

/// Metadata key of the id a client may give a call, echoed back with the response.
pub const REQUEST_ID_KEY: &str = "x-request-id";

/// Longest client request id taken as is: a longer one is replaced by one made here, so
/// that a client cannot flood the logs through it.
const MAX_REQUEST_ID_LEN: usize = 128;

/// Raises its flag when dropped: when the call ends, however it ends, its solve stops.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The planner service.
#[derive(Clone)]
pub struct PlannerService {
    admission: Admission,
    threads: Option<u32>,
    next_id: Arc<AtomicU64>,
    /// Random prefix of the request ids made here: call numbers restart with the server,
    /// the ids it hands out should not repeat.
    id_prefix: Arc<str>,
    /// Cancellation flags of the solves under way, for shutdown.
    running: Arc<Mutex<Vec<Weak<AtomicBool>>>>,
}

impl PlannerService {
    /// `max_concurrent` solves at once, `queue` more waiting; HiGHS threads per solve.
    pub fn new(max_concurrent: usize, queue: usize, threads: Option<u32>) -> Self {
        Self {
            admission: Admission::new(max_concurrent, queue),
            threads,
            next_id: Arc::new(AtomicU64::new(1)),
            id_prefix: format!("{:016x}", rand::random::<u64>()).into(),
            running: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Stops every solve under way: each returns its best plan so far.
    pub fn cancel_all(&self) {
        if let Ok(mut list) = self.running.lock() {
            for flag in list.drain(..) {
                if let Some(f) = flag.upgrade() {
                    f.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    fn cancel_flag(&self) -> (Arc<AtomicBool>, CancelOnDrop) {
        let flag = Arc::new(AtomicBool::new(false));
        if let Ok(mut list) = self.running.lock() {
            list.retain(|w| w.strong_count() > 0);
            list.push(Arc::downgrade(&flag));
        }
        (Arc::clone(&flag), CancelOnDrop(flag))
    }

    /// Starts a call: numbers it, takes the client's request id (or makes one) and reads
    /// its deadline.
    fn begin(&self, metadata: &MetadataMap) -> Call {
        let started = Instant::now();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let given = metadata
            .get(REQUEST_ID_KEY)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= MAX_REQUEST_ID_LEN);
        let request_id = match given {
            Some(v) => v.to_string(),
            None => format!("{}-{id}", self.id_prefix),
        };
        Call {
            id,
            request_id,
            started,
            timeout: deadline::client_timeout(metadata),
        }
    }

    /// Converts the call's instance, then logs its arrival with the instance's size (and
    /// the previous plan's, for a re-optimisation).
    async fn receive(
        &self,
        call: &Call,
        what: &'static str,
        wire: Option<crate::proto::Instance>,
        previous_appointments: Option<usize>,
    ) -> Result<Arc<Instance>, Status> {
        let instance = instance_of(call.id, wire).await?;
        tracing::info!(
            request_id = call.id,
            x_request_id = %call.request_id,
            requests = instance.requests.len(),
            vacations = instance.vacations.len(),
            previous_appointments,
            "{what} received"
        );
        Ok(instance)
    }

    /// Waits for an admission slot, then runs `solve` on a blocking thread with the call's
    /// options: the time left before the client's deadline (queueing included) and a
    /// cancellation flag raised when the call ends, however it ends. The slot is held until
    /// `solve` returns.
    async fn solve_admitted<T: Send + 'static>(
        &self,
        call: &Call,
        solve: impl FnOnce(SolveOptions) -> T + Send + 'static,
    ) -> Result<T, Status> {
        let permit = self.admission.enter().await?;
        let (cancel, _guard) = self.cancel_flag();
        let options = self.options(remaining(call.timeout, call.started), cancel);
        blocking(call.id, move || {
            let _slot = permit;
            solve(options)
        })
        .await
    }

    fn options(&self, limit: Option<f64>, cancel: Arc<AtomicBool>) -> SolveOptions {
        SolveOptions {
            time_limit_seconds: limit,
            threads: self.threads,
            progress: None,
            cancel: Some(cancel),
            ..Default::default()
        }
    }
}

/// A call under way.
#[derive(Clone)]
struct Call {
    /// The server's number of the call (in logs and INTERNAL statuses).
    id: u64,
    /// The `x-request-id` echoed back: the client's, or made here.
    request_id: String,
    started: Instant,
    /// The client's deadline, if any.
    timeout: Option<Duration>,
}

impl Call {
    /// Echoes the request id with the response, or with the status of a failed call (where a
    /// client most needs it to find the call in the server's log).
    fn reply<T>(&self, result: Result<Response<T>, Status>) -> Result<Response<T>, Status> {
        // Always a valid value: read from metadata as visible ASCII, or hex digits and a
        // number; should that ever fail, the reply goes without it.
        let Ok(value) = AsciiMetadataValue::try_from(self.request_id.as_str()) else {
            return result;
        };
        match result {
            Ok(mut response) => {
                response.metadata_mut().insert(REQUEST_ID_KEY, value);
                Ok(response)
            }
            Err(mut status) => {
                status.metadata_mut().insert(REQUEST_ID_KEY, value);
                Err(status)
            }
        }
    }
}

/// Runs `f` on a blocking thread; a panic becomes a generic INTERNAL status.
async fn blocking<T: Send + 'static>(
    id: u64,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Status> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(request_id = id, error = %e, "solve task failed");
        errors::internal(id)
    })
}

/// Converts and validates the instance of a call.
async fn instance_of(
    id: u64,
    wire: Option<crate::proto::Instance>,
) -> Result<Arc<Instance>, Status> {
    let wire = wire.ok_or_else(|| errors::invalid_field("instance", "required"))?;
    let converted = blocking(id, move || Instance::from_proto(&wire)).await?;
    converted
        .map(Arc::new)
        .map_err(|e| errors::invalid_instance(&e, "instance."))
}

/// The remaining time limit of a call that started at `started`.
fn remaining(timeout: Option<Duration>, started: Instant) -> Option<f64> {
    timeout.map(|t| {
        t.saturating_sub(deadline::margin(t))
            .saturating_sub(started.elapsed())
            .as_secs_f64()
    })
}

fn status_name(plan: &crate::proto::Plan) -> &'static str {
    plan.solver_report
        .as_ref()
        .and_then(|r| crate::proto::SolveStatus::try_from(r.status).ok())
        .map_or("unknown", |s| s.as_str_name())
}

fn progress_of(e: &ProgressEvent) -> Progress {
    let finite = |x: f64| Some(x).filter(|x| x.is_finite());
    Progress {
        stage: e.stage.clone(),
        phase: if e.finished { "finished" } else { "started" }.to_string(),
        incumbent: finite(e.incumbent),
        bound: finite(e.bound),
        gap: finite(e.gap),
        elapsed_seconds: e.elapsed_seconds,
        stage_index: u32::try_from(e.index).unwrap_or(u32::MAX),
        stage_count: u32::try_from(e.count).unwrap_or(u32::MAX),
    }
}

/// The server-streaming response of SolveStream.
type EventStream = ReceiverStream<Result<SolveEvent, Status>>;

/// The calls' work; the trait's methods wrap each in [`PlannerService::begin`] and
/// [`Call::reply`].
impl PlannerService {
    /// Solve: convert, log, then solve in an admission slot (validate-only stops after the conversion).
    async fn solve_call(
        &self,
        call: &Call,
        req: SolveRequest,
    ) -> Result<Response<SolveResponse>, Status> {
        let instance = self.receive(call, "solve", req.instance, None).await?;
        if req.validate_only {
            return Ok(Response::new(SolveResponse {
                plan: None,
                label: req.label,
            }));
        }
        let plan = self
            .solve_admitted(call, move |options| plan::solve_plan(&instance, &options))
            .await?;
        tracing::info!(
            request_id = call.id,
            x_request_id = %call.request_id,
            seconds = call.started.elapsed().as_secs_f64(),
            status = status_name(&plan),
            scheduled = plan.appointments.len(),
            "solve done"
        );
        Ok(Response::new(SolveResponse {
            plan: Some(plan),
            label: req.label,
        }))
    }

    /// SolveStream: convert and log, then solve in a task that streams progress and the plan.
    async fn solve_stream_call(
        &self,
        call: &Call,
        req: SolveRequest,
    ) -> Result<Response<EventStream>, Status> {
        let instance = self
            .receive(call, "solve stream", req.instance, None)
            .await?;
        let Call {
            id,
            request_id,
            started,
            timeout,
        } = call.clone();
        let (tx, rx) = mpsc::channel(64);
        let service = self.clone();
        let label = req.label;
        let validate_only = req.validate_only;
        tokio::spawn(async move {
            if validate_only {
                let _ = tx
                    .send(Ok(SolveEvent {
                        event: Some(solve_event::Event::Result(SolveResponse {
                            plan: None,
                            label,
                        })),
                    }))
                    .await;
                return;
            }
            let permit = match service.admission.enter().await {
                Ok(p) => p,
                Err(status) => {
                    let _ = tx.send(Err(status)).await;
                    return;
                }
            };
            let (cancel, guard) = service.cancel_flag();
            // The client going away stops the solve; the watcher ends with the solve, so
            // that its sender does not keep the stream open.
            let watch = tx.clone();
            let watch_cancel = Arc::clone(&cancel);
            let (done, solved) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(async move {
                tokio::select! {
                    _ = watch.closed() => watch_cancel.store(true, Ordering::Relaxed),
                    _ = solved => {}
                }
            });
            let mut options = service.options(remaining(timeout, started), cancel);
            let sink = tx.clone();
            // Progress is best effort: a full channel drops an event, never blocks the solve.
            options.progress = Some(Arc::new(move |e: &ProgressEvent| {
                let _ = sink.try_send(Ok(SolveEvent {
                    event: Some(solve_event::Event::Progress(progress_of(e))),
                }));
            }));
            let inst = Arc::clone(&instance);
            let result = blocking(id, move || {
                let _slot = permit;
                plan::solve_plan(&inst, &options)
            })
            .await;
            let _ = done.send(());
            drop(guard);
            let event = result.map(|plan| {
                tracing::info!(
                    request_id = id,
                    x_request_id = %request_id,
                    seconds = started.elapsed().as_secs_f64(),
                    status = status_name(&plan),
                    scheduled = plan.appointments.len(),
                    "solve stream done"
                );
                SolveEvent {
                    event: Some(solve_event::Event::Result(SolveResponse {
                        plan: Some(plan),
                        label,
                    })),
                }
            });
            let _ = tx.send(event).await;
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    /// Validate: convert, then check the plan and compute its score and KPIs in an admission
    /// slot (on a national instance that takes seconds of CPU, like a small solve).
    async fn validate_call(
        &self,
        call: &Call,
        req: ValidateRequest,
    ) -> Result<Response<ValidateResponse>, Status> {
        let id = call.id;
        let instance = instance_of(id, req.instance).await?;
        let plan = req
            .plan
            .ok_or_else(|| errors::invalid_field("plan", "required"))?;
        let permit = self.admission.enter().await?;
        let response = blocking(id, move || {
            let _slot = permit;
            let violations = plan::validate(&instance, &plan);
            ValidateResponse {
                valid: violations.is_empty(),
                violations: violations
                    .into_iter()
                    .map(|v| Violation {
                        rule: format!("{:?}", v.rule),
                        request_id: v.request_id,
                        vacation_id: v.vacation_id,
                        message: v.message,
                    })
                    .collect(),
                score: Some(plan::score(&instance, &plan)),
                kpis: Some(plan::kpis(&instance, &plan)),
            }
        })
        .await?;
        tracing::info!(
            request_id = id,
            x_request_id = %call.request_id,
            valid = response.valid,
            violations = response.violations.len(),
            "validate done"
        );
        Ok(Response::new(response))
    }

    /// Reoptimize: read the freeze limit and previous plan, convert, then re-optimise in an
    /// admission slot.
    async fn reoptimize_call(
        &self,
        call: &Call,
        req: ReoptimizeRequest,
    ) -> Result<Response<ReoptimizeResponse>, Status> {
        let freeze = plan::reoptimize::parse_freeze_until(&req.freeze_until)
            .map_err(|e| errors::invalid_field("freezeUntil", e.to_string()))?;
        let previous = req
            .previous_plan
            .ok_or_else(|| errors::invalid_field("previousPlan", "required"))?;
        let instance = self
            .receive(
                call,
                "reoptimize",
                req.instance,
                Some(previous.appointments.len()),
            )
            .await?;
        let (plan, diff) = self
            .solve_admitted(call, move |options| {
                plan::reoptimize_plan(&instance, &previous, freeze, &options)
            })
            .await?;
        tracing::info!(
            request_id = call.id,
            x_request_id = %call.request_id,
            seconds = call.started.elapsed().as_secs_f64(),
            status = status_name(&plan),
            kept = diff.kept.len(),
            moved = diff.moved.len(),
            cancelled = diff.cancelled.len(),
            added = diff.added.len(),
            "reoptimize done"
        );
        Ok(Response::new(ReoptimizeResponse {
            plan: Some(plan),
            diff: Some(diff),
            label: req.label,
        }))
    }
}

#[tonic::async_trait]
impl Planner for PlannerService {
    async fn solve(
        &self,
        request: Request<SolveRequest>,
    ) -> Result<Response<SolveResponse>, Status> {
        let call = self.begin(request.metadata());
        call.reply(self.solve_call(&call, request.into_inner()).await)
    }

    type SolveStreamStream = EventStream;

    async fn solve_stream(
        &self,
        request: Request<SolveRequest>,
    ) -> Result<Response<Self::SolveStreamStream>, Status> {
        let call = self.begin(request.metadata());
        call.reply(self.solve_stream_call(&call, request.into_inner()).await)
    }

    async fn validate(
        &self,
        request: Request<ValidateRequest>,
    ) -> Result<Response<ValidateResponse>, Status> {
        let call = self.begin(request.metadata());
        call.reply(self.validate_call(&call, request.into_inner()).await)
    }

    async fn reoptimize(
        &self,
        request: Request<ReoptimizeRequest>,
    ) -> Result<Response<ReoptimizeResponse>, Status> {
        let call = self.begin(request.metadata());
        call.reply(self.reoptimize_call(&call, request.into_inner()).await)
    }
}
