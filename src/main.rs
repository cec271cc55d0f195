//! The `convoplan` command line: solve, validate, generate (and serve, bench, reoptimize as
//! they land), all over the same library.

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Optimal weekly convocation planner for occupational-health services (SPSTI).
#[derive(Parser)]
#[command(name = "convoplan", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Solves an instance and writes the plan.
    Solve(cli::solve::SolveArgs),
    /// Re-plans after a change from the plan already sent out, moving as few
    /// appointments as the priority order allows.
    Reoptimize(cli::reoptimize::ReoptimizeArgs),
    /// Checks a plan against the hard rules H1-H7 (exit 1 when one is broken).
    Validate(cli::validate::ValidateArgs),
    /// Generates a realistic instance.
    Generate(cli::generate::GenerateArgs),
    /// Writes a self-contained HTML view of a plan.
    Render(cli::render::RenderArgs),
    /// Serves the gRPC API (Solve, SolveStream, Validate, Reoptimize), with health and
    /// reflection.
    Serve(cli::serve::ServeArgs),
    /// Times the solver on generated or given instances, beside the greedy plan and the LP
    /// bounds (Markdown report).
    Bench(cli::bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server logs one line per call at info level (request id, size, time, status);
    // the other commands print their own summary and log only warnings.
    let default_filter = match cli.command {
        Command::Serve(_) => "warn,convoplan::service=info,highs=error",
        _ => "warn,highs=error",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Solve(a) => cli::solve::run(a),
        Command::Reoptimize(a) => cli::reoptimize::run(a),
        Command::Validate(a) => cli::validate::run(a),
        Command::Generate(a) => cli::generate::run(a),
        Command::Render(a) => cli::render::run(a),
        Command::Bench(a) => cli::bench::run(a),
        Command::Serve(a) => cli::serve::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
