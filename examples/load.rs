//! A bounded load run against a running `convoplan serve`: N clients each send M Solve
//! calls of one instance, for several rounds; prints per round the throughput, the p50 and
//! p99 latency, and the server's resident memory after the round (from /proc, given its
//! pid), to show that memory does not grow from one round to the next.
//!
//! cargo run --release --example load -- --addr 127.0.0.1:50051 --pid PID \
//!     --instance instances/small.json --clients 4 --solves 8 --rounds 3

use convoplan::model::parse_instance_json;
use convoplan::proto::planner_client::PlannerClient;
use convoplan::proto::SolveRequest;
use std::time::{Duration, Instant};

struct Args {
    addr: String,
    pid: Option<u32>,
    instance: String,
    clients: usize,
    solves: usize,
    rounds: usize,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        addr: "127.0.0.1:50051".into(),
        pid: None,
        instance: "instances/small.json".into(),
        clients: 4,
        solves: 8,
        rounds: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => a.addr = value,
            "--pid" => a.pid = Some(value.parse()?),
            "--instance" => a.instance = value,
            "--clients" => a.clients = value.parse()?,
            "--solves" => a.solves = value.parse()?,
            "--rounds" => a.rounds = value.parse()?,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    Ok(a)
}

fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    let instance = parse_instance_json(&std::fs::read_to_string(&a.instance)?)?;
    println!(
        "| round | calls | seconds | calls/s | p50 s | p99 s | server RSS MiB |\n|---|---|---|---|---|---|---|"
    );
    for round in 1..=a.rounds {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..a.clients {
            let addr = format!("http://{}", a.addr);
            let inst = instance.clone();
            let solves = a.solves;
            tasks.push(tokio::spawn(async move {
                let mut client = PlannerClient::connect(addr).await?;
                let mut latencies = Vec::with_capacity(solves);
                for _ in 0..solves {
                    let t = Instant::now();
                    client
                        .solve(SolveRequest {
                            instance: Some(inst.clone()),
                            label: String::new(),
                            validate_only: false,
                        })
                        .await?;
                    latencies.push(t.elapsed());
                }
                anyhow::Ok(latencies)
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await??);
        }
        let seconds = started.elapsed().as_secs_f64();
        all.sort();
        let rss = a
            .pid
            .and_then(rss_mib)
            .map_or("n/a".to_string(), |m| format!("{m:.1}"));
        println!(
            "| {round} | {} | {seconds:.2} | {:.2} | {:.3} | {:.3} | {rss} |",
            all.len(),
            all.len() as f64 / seconds,
            percentile(&all, 0.50).as_secs_f64(),
            percentile(&all, 0.99).as_secs_f64()
        );
    }
    Ok(())
}
