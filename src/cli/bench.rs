//! `convoplan bench`: solves generated (or given) instances and prints, per instance, the
//! size of the model, the time per level, the status, the peak memory, and beside the
//! optimum, measured in the same run, the greedy plan of an assistant and the LP bound of
//! every class count. The output is Markdown, ready for BENCHMARKS.md.

use convoplan::generate::{generate, Preset};
use convoplan::model::Instance;
use convoplan::plan;
use convoplan::proto;
use convoplan::solver::SolveOptions;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `bench`.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// Presets to generate (repeatable).
    #[arg(long, value_enum)]
    pub preset: Vec<Preset>,
    /// Seeds, `A..B` (inclusive) or a single `N`.
    #[arg(long, default_value = "1")]
    pub seeds: String,
    /// Instance files to bench besides the presets (repeatable).
    #[arg(long)]
    pub instance: Vec<PathBuf>,
    /// Wall-clock limit per solve, seconds (replaces the policy's `solver.timeLimitSeconds`).
    #[arg(long, value_parser = super::seconds)]
    pub time_limit: Option<f64>,
    /// HiGHS threads.
    #[arg(long)]
    pub threads: Option<u32>,
    /// Also write the report to this Markdown file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Parses `A..B` or `N`.
fn parse_seeds(text: &str) -> anyhow::Result<Vec<u64>> {
    let bad = || anyhow::anyhow!("--seeds: expected A..B or N, got {text:?}");
    match text.split_once("..") {
        Some((a, b)) => {
            let a: u64 = a.trim().parse().map_err(|_| bad())?;
            let b: u64 = b.trim().parse().map_err(|_| bad())?;
            if b < a {
                return Err(bad());
            }
            Ok((a..=b).collect())
        }
        None => Ok(vec![text.trim().parse().map_err(|_| bad())?]),
    }
}

/// Peak resident memory of this process in KiB, and a reset of it, from /proc (Linux);
/// `None` elsewhere.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak_rss() {
    // Writing 5 to clear_refs resets the peak RSS (Linux 4.0 and later).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Runs `bench`.
pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let seeds = parse_seeds(&args.seeds)?;
    let mut jobs: Vec<(String, proto::Instance)> = Vec::new();
    let presets = if args.preset.is_empty() && args.instance.is_empty() {
        vec![Preset::Small]
    } else {
        args.preset.clone()
    };
    for p in &presets {
        for &seed in &seeds {
            let name = format!(
                "{} seed {seed}",
                clap::ValueEnum::to_possible_value(p)
                    .map_or_else(|| format!("{p:?}"), |v| v.get_name().to_string())
            );
            jobs.push((name, generate(*p, seed)));
        }
    }
    for path in &args.instance {
        let (wire, _) = super::read_instance(path)?;
        jobs.push((path.display().to_string(), wire));
    }
    let mut report = String::new();
    let _ = writeln!(
        report,
        "| instance | requests | vacations | rooms | variables | constraints | components | L1 s | L2 s | L3 s | L4 s | total s | status | level 1 | gap | peak RSS MiB | greedy s |"
    );
    let _ = writeln!(report, "|{}", "---|".repeat(17));
    let mut details = String::new();
    for (name, wire) in &jobs {
        eprintln!("bench: {name}");
        let mut instance = Instance::from_proto(wire)?;
        super::set_time_limit(&mut instance, args.time_limit);
        let t0 = Instant::now();
        let greedy = plan::greedy_plan(&instance);
        let greedy_seconds = t0.elapsed().as_secs_f64();
        reset_peak_rss();
        let options = SolveOptions {
            threads: args.threads,
            ..SolveOptions::default()
        };
        let optimum = plan::solve_plan(&instance, &options);
        let peak =
            peak_rss_kib().map_or("n/a".to_string(), |k| format!("{:.0}", k as f64 / 1024.0));
        let r = optimum.solver_report.clone().unwrap_or_default();
        let level = |prefix: &str| -> f64 {
            r.stages
                .iter()
                .filter(|s| s.name.starts_with(prefix))
                .map(|s| s.seconds)
                .sum::<f64>()
                + 0.0 // an empty sum is -0.0
        };
        let status = proto::SolveStatus::try_from(r.status)
            .map(|s| {
                s.as_str_name()
                    .trim_start_matches("SOLVE_STATUS_")
                    .to_lowercase()
            })
            .unwrap_or_default();
        let rooms: usize = instance.rooms.len();
        let _ = writeln!(
            report,
            "| {name} | {} | {} | {rooms} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {status} | {} | {} | {peak} | {greedy_seconds:.3} |",
            instance.requests.len(),
            instance.vacations.len(),
            r.variables,
            r.constraints,
            r.components,
            level("L1"),
            level("L2"),
            level("L3"),
            level("L4"),
            r.seconds,
            if r.level1_optimal { "proven" } else { "not proven" },
            r.gap.map_or("unknown".to_string(), |g| format!("{g:.2e}")),
        );
        details.push_str(&class_table(name, &instance, &optimum, &greedy));
        details.push_str(&component_table(name, &r));
    }
    let text = format!("{report}\n{details}");
    print!("{text}");
    if let Some(out) = &args.out {
        std::fs::write(out, &text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A decomposed solve, component by component (in the order taken): its size, time, and
/// where its level 1 stopped, with that class's LP bound and the gap to it. The merged
/// class rows cannot say this: a class some component never reached has no bound there.
fn component_table(name: &str, r: &proto::SolverReport) -> String {
    let mut s = String::new();
    if r.component_reports.is_empty() {
        return s;
    }
    let _ = writeln!(s, "#### {name}: components\n");
    let _ = writeln!(
        s,
        "| component | service | requests | vacations | scheduled | budget s | done at s | level 1 | first class short | reached | LP bound | gap to LP |"
    );
    let _ = writeln!(s, "|{}", "---|".repeat(12));
    for (k, c) in r.component_reports.iter().enumerate() {
        let short = super::short_cells(c);
        let proven = short.is_none();
        let (class, reached, lp) = short.unwrap_or(("-".into(), "-".into(), "-".into()));
        let gap = match c.first_short_lp_bound.filter(|_| !proven) {
            Some(b) => format!(
                "{:.2} %",
                100.0 * (b - f64::from(c.first_short_reached)) / b.max(1.0)
            ),
            None => "-".to_string(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {:.1} | {:.1} | {} | {class} | {reached} | {lp} | {gap} |",
            k + 1,
            c.service,
            c.requests,
            c.vacations,
            c.scheduled,
            c.budget_seconds,
            c.done_at_seconds,
            if proven { "proven" } else { "not proven" },
        );
    }
    s.push('\n');
    s
}

/// Per class: pending, greedy and optimal counts, the LP bound, and the smallest company
/// ratios; then how many more requests of the first class where they differ the optimum
/// schedules.
fn class_table(
    name: &str,
    instance: &Instance,
    optimum: &proto::Plan,
    greedy: &proto::Plan,
) -> String {
    let mut s = String::new();
    let opt = optimum.score.clone().unwrap_or_default();
    let gre = greedy.score.clone().unwrap_or_default();
    let stages = optimum
        .solver_report
        .as_ref()
        .map(|r| r.stages.clone())
        .unwrap_or_default();
    let _ = writeln!(s, "#### {name}: optimum beside the greedy plan\n");
    let _ = writeln!(
        s,
        "| class | pending | greedy | optimum | LP bound | stage | greedy min ratio | optimum min ratio |"
    );
    let _ = writeln!(s, "|{}", "---|".repeat(8));
    let mut first_difference = None;
    for (c, (o, g)) in opt.classes.iter().zip(&gre.classes).enumerate() {
        let label = convoplan::solver::levels::class_name(instance, c);
        let stage = stages.iter().find(|st| st.name == format!("L1 {label}"));
        // A class closed by its count bound (requests that have an option) has an LP
        // bound no greater than that count, which is its optimum.
        let bound = match stage {
            Some(st) => match st.lp_bound {
                Some(b) => format!("{b:.1}"),
                None if st.status == "bound" => format!("≤ {}", o.scheduled),
                None => "-".to_string(),
            },
            None => "-".to_string(),
        };
        let how = stage.map_or("-", |st| st.status.as_str());
        if first_difference.is_none() && o.scheduled != g.scheduled {
            first_difference = Some((
                label.clone(),
                i64::from(o.scheduled) - i64::from(g.scheduled),
            ));
        }
        let _ = writeln!(
            s,
            "| {label} | {} | {} | {} | {bound} | {how} | {:.3} | {:.3} |",
            o.pending, g.scheduled, o.scheduled, g.min_company_ratio, o.min_company_ratio
        );
    }
    let total = |sc: &proto::Score| sc.classes.iter().map(|c| c.scheduled).sum::<u32>();
    match first_difference {
        Some((label, d)) => {
            let _ = writeln!(
                s,
                "\nFirst class where they differ: {label}, the optimum schedules {d:+} requests; in all {} (optimum) vs {} (greedy).\n",
                total(&opt),
                total(&gre)
            );
        }
        None => {
            let _ = writeln!(
                s,
                "\nThe greedy plan reaches the optimum's count in every class ({} requests).\n",
                total(&opt)
            );
        }
    }
    s
}
