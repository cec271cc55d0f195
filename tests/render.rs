//! The weekly HTML view: the figures it shows are the plan's score and KPIs, every
//! appointment and unscheduled request is on the page, input text is escaped, no worker id
//! leaks; and in a real headless browser (Debian's chromium) the ciamt-week page loads with
//! no console message, shows the plan's score, filters the unscheduled requests, and gives
//! the screenshot the README shows (`docs/plan.png`).
//!
//! The browser test is never skipped in CI: with `CI` set and no chromium it fails. Elsewhere
//! it skips with a loud message when chromium is absent.

use convoplan::generate::{generate, Preset};
use convoplan::model::{parse_instance_json, Instance};
use convoplan::plan;
use convoplan::proto;
use convoplan::render::{percent, render_html};
use convoplan::solver::SolveOptions;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// A minimal reader of the page's markup: start tags with their attributes, and text.
// Enough for the renderer's output and for chromium's serialised DOM; no HTML parser crate.
// ---------------------------------------------------------------------------------------

/// One start tag: name, attributes (entity-decoded), byte range of the tag.
#[derive(Debug, Clone)]
struct Tag {
    name: String,
    attrs: BTreeMap<String, String>,
    end: usize,
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Parses the start tag beginning at `start` (a `<`).
fn tag_at(html: &str, start: usize) -> Option<Tag> {
    let b = html.as_bytes();
    let mut i = start + 1;
    let name_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
        i += 1;
    }
    if i == name_start {
        return None;
    }
    let name = html[name_start..i].to_ascii_lowercase();
    let mut attrs = BTreeMap::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        if b[i] == b'>' {
            return Some(Tag {
                name,
                attrs,
                end: i + 1,
            });
        }
        if b[i] == b'/' {
            i += 1;
            continue;
        }
        let k = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
            i += 1;
        }
        let key = html[k..i].to_ascii_lowercase();
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let v = i + 1;
                i = v;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = decode(&html[v..i]);
                i += 1;
            } else {
                let v = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = decode(&html[v..i]);
            }
        }
        attrs.insert(key, value);
    }
}

/// Every start tag of the document, in order (text inside `<script>` and `<style>` skipped).
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let at = i + off;
        match tag_at(html, at) {
            Some(t) => {
                i = t.end;
                if t.name == "script" || t.name == "style" {
                    let close = format!("</{}", t.name);
                    i += html[i..].find(&close).unwrap_or(html.len() - i);
                }
                out.push(t);
            }
            None => i = at + 1,
        }
    }
    out
}

/// Text from byte `from` to the next `</name>`, tags replaced by spaces, whitespace collapsed.
fn text_until_close(html: &str, from: usize, name: &str) -> String {
    let end = html[from..]
        .find(&format!("</{name}>"))
        .map_or(html.len(), |e| from + e);
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[from..end].chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    decode(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The elements with `data-figure="{kind}"`: attributes and visible text.
fn figures(html: &str, kind: &str) -> Vec<(BTreeMap<String, String>, String)> {
    tags(html)
        .into_iter()
        .filter(|t| t.attrs.get("data-figure").map(String::as_str) == Some(kind))
        .map(|t| {
            let text = text_until_close(html, t.end, &t.name);
            (t.attrs, text)
        })
        .collect()
}

fn attr<T: std::str::FromStr>(attrs: &BTreeMap<String, String>, key: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    attrs
        .get(key)
        .unwrap_or_else(|| panic!("missing attribute {key} in {attrs:?}"))
        .parse()
        .unwrap_or_else(|e| panic!("attribute {key} of {attrs:?}: {e:?}"))
}

/// Rows of the unscheduled table: (attributes, hidden).
fn unscheduled_rows(html: &str) -> Vec<BTreeMap<String, String>> {
    let start = html
        .find("id=\"unsched\"")
        .expect("unscheduled table present");
    let end = start + html[start..].find("</table>").expect("table closed");
    tags(&html[start..end])
        .into_iter()
        .filter(|t| t.name == "tr" && t.attrs.contains_key("data-r"))
        .map(|t| t.attrs)
        .collect()
}

/// Appointment rows of the agendas (rows with a class colour inside `table.agenda`).
fn agenda_rows(html: &str) -> usize {
    let mut n = 0;
    let mut inside = false;
    for t in tags(html) {
        if t.name == "table" {
            inside = t.attrs.get("class").map(String::as_str) == Some("agenda");
        }
        if inside && t.name == "tr" && t.attrs.get("class").is_some_and(|c| c.starts_with('k')) {
            n += 1;
        }
    }
    n
}

// ---------------------------------------------------------------------------------------
// Checks shared by the unit-level and the browser tests.
// ---------------------------------------------------------------------------------------

/// The class bars and the summary tiles show exactly `plan`'s score and KPIs.
fn assert_figures_equal_plan(html: &str, plan: &proto::Plan) {
    let score = plan.score.as_ref().expect("plan has a score");
    let kpis = plan.kpis.as_ref().expect("plan has KPIs");
    let rows = figures(html, "class");
    assert_eq!(rows.len(), score.classes.len(), "one bar per class");
    for (i, ((a, text), c)) in rows.iter().zip(&score.classes).enumerate() {
        let urgency = proto::Urgency::try_from(c.urgency)
            .expect("urgency")
            .as_str_name();
        assert_eq!(attr::<u32>(a, "data-tier"), c.tier, "class {i}");
        assert_eq!(a["data-urgency"], urgency, "class {i}");
        assert_eq!(attr::<u32>(a, "data-scheduled"), c.scheduled, "class {i}");
        assert_eq!(attr::<u32>(a, "data-pending"), c.pending, "class {i}");
        assert_eq!(attr::<u32>(a, "data-companies"), c.companies, "class {i}");
        assert_eq!(
            attr::<f64>(a, "data-min-ratio"),
            c.min_company_ratio,
            "class {i}"
        );
        assert_eq!(
            attr::<f64>(a, "data-mean-ratio"),
            c.mean_company_ratio,
            "class {i}"
        );
        let shown = format!("T{} ", c.tier);
        assert!(text.starts_with(&shown), "class {i} label: {text}");
        let counts = format!(" {} / {} ", c.scheduled, c.pending);
        assert!(text.contains(&counts), "class {i} shows {counts}: {text}");
        assert!(
            text.contains(&percent(c.min_company_ratio)),
            "class {i} min ratio: {text}"
        );
    }

    let pending: u32 = score.classes.iter().map(|c| c.pending).sum();
    let done: u32 = score.classes.iter().map(|c| c.scheduled).sum();
    let total = figures(html, "total");
    assert_eq!(total.len(), 1);
    assert_eq!(attr::<u32>(&total[0].0, "data-scheduled"), done);
    assert_eq!(attr::<u32>(&total[0].0, "data-pending"), pending);
    assert!(
        total[0].1.starts_with(&format!("{done} / {pending} ")),
        "{}",
        total[0].1
    );

    let tele = figures(html, "tele");
    assert_eq!(tele.len(), 1);
    assert_eq!(
        attr::<f64>(&tele[0].0, "data-share"),
        kpis.teleconsultation_share
    );
    assert!(
        tele[0].1.starts_with(&percent(kpis.teleconsultation_share)),
        "{}",
        tele[0].1
    );

    let late = figures(html, "lateness");
    assert_eq!(attr::<u64>(&late[0].0, "data-days"), score.lateness_days);

    let centres = figures(html, "centre");
    assert_eq!(
        centres.len(),
        kpis.centres.len(),
        "one occupancy bar per centre"
    );
    for (a, text) in &centres {
        let o = kpis
            .centres
            .iter()
            .find(|o| o.id == a["data-centre"])
            .expect("a centre of the plan");
        assert_eq!(attr::<u64>(a, "data-booked"), o.booked_minutes, "{}", o.id);
        assert_eq!(
            attr::<u64>(a, "data-offered"),
            o.offered_minutes,
            "{}",
            o.id
        );
        assert_eq!(attr::<f64>(a, "data-ratio"), o.ratio, "{}", o.id);
        assert!(text.contains(&percent(o.ratio)), "{}: {text}", o.id);
    }

    let reasons = figures(html, "reason");
    let counted: usize = reasons
        .iter()
        .map(|(a, _)| attr::<usize>(a, "data-count"))
        .sum();
    assert_eq!(counted, plan.unscheduled.len());
}

/// The size-band figure equals a computation done here from scratch: per company, scheduled
/// over pending requests; bands < 10, 10-49, 50-299, 300+; bins 0, ]0, ¼[, ..., [¾, 1[, 1.
fn assert_bands_equal(html: &str, inst: &Instance, plan: &proto::Plan) {
    let scheduled: std::collections::BTreeSet<&str> = plan
        .appointments
        .iter()
        .map(|a| a.request_id.as_str())
        .collect();
    let mut per_company: BTreeMap<usize, (u32, u32)> = BTreeMap::new();
    for r in &inst.requests {
        let e = per_company.entry(r.company).or_default();
        e.0 += 1;
        e.1 += u32::from(scheduled.contains(r.id.as_str()));
    }
    let mut expected = vec![(0u32, 0.0f64, [0u32; 6]); 4];
    for (c, (p, s)) in per_company {
        let h = inst.companies[c].headcount;
        let band = [10, 50, 300].iter().filter(|&&t| h >= t).count();
        let r = f64::from(s) / f64::from(p);
        let bin = if s == 0 {
            0
        } else if s == p {
            5
        } else {
            1 + (r * 4.0).floor() as usize
        };
        expected[band].0 += 1;
        expected[band].1 += r;
        expected[band].2[bin] += 1;
    }
    let rows = figures(html, "band");
    assert_eq!(rows.len(), 4);
    for ((a, _), (n, sum, bins)) in rows.iter().zip(&expected) {
        assert_eq!(attr::<u32>(a, "data-companies"), *n, "{a:?}");
        let got: Vec<u32> = a["data-bins"]
            .split(' ')
            .map(|x| x.parse().expect("bin count"))
            .collect();
        assert_eq!(got, bins.to_vec(), "{a:?}");
        let mean = if *n == 0 { 0.0 } else { sum / f64::from(*n) };
        assert!((attr::<f64>(a, "data-mean") - mean).abs() < 1e-12, "{a:?}");
    }
}

/// Nothing on the page may come from the network.
fn assert_self_contained(html: &str) {
    for needle in ["http://", "https://", "<link", "@import", "url(", " src="] {
        assert!(
            !html.contains(needle),
            "page refers to an external resource: {needle}"
        );
    }
}

fn solve(inst: &Instance, seconds: Option<f64>) -> proto::Plan {
    let plan = plan::solve_plan(
        inst,
        &SolveOptions {
            time_limit_seconds: seconds,
            ..Default::default()
        },
    );
    assert!(plan::validate(inst, &plan).is_empty(), "invalid plan");
    plan
}

/// The committed small instance and its optimal plan, solved once for all the tests here.
fn small() -> (Instance, proto::Plan) {
    static SMALL: OnceLock<(Instance, proto::Plan)> = OnceLock::new();
    SMALL
        .get_or_init(|| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("instances/small.json");
            let text = std::fs::read_to_string(path).expect("instances/small.json");
            let inst =
                Instance::from_proto(&parse_instance_json(&text).expect("parses")).expect("valid");
            let plan = solve(&inst, None);
            (inst, plan)
        })
        .clone()
}

// ---------------------------------------------------------------------------------------
// Unit-level checks, no browser.
// ---------------------------------------------------------------------------------------

#[test]
fn figures_equal_the_score_of_a_small_plan() {
    let (inst, plan) = small();
    let html = render_html(&inst, &plan);
    // The plan's score is the one recomputed from its appointments, so the page shows both.
    assert_eq!(plan.score, Some(plan::score(&inst, &plan)));
    assert_figures_equal_plan(&html, &plan);
    assert_bands_equal(&html, &inst, &plan);
    let kpis = plan.kpis.as_ref().expect("KPIs");
    let total = figures(&html, "total");
    assert_eq!(attr::<u32>(&total[0].0, "data-scheduled"), kpis.scheduled);
    assert!(!html.contains("data-figure=\"score-mismatch\""));
    assert_self_contained(&html);
}

#[test]
fn every_appointment_and_unscheduled_request_is_on_the_page() {
    let (inst, plan) = small();
    assert!(
        !plan.unscheduled.is_empty(),
        "small has unscheduled requests"
    );
    let html = render_html(&inst, &plan);
    assert_eq!(agenda_rows(&html), plan.appointments.len());
    let rows = unscheduled_rows(&html);
    assert_eq!(rows.len(), plan.unscheduled.len());
    for a in &plan.appointments {
        assert!(
            html.contains(&format!("<td>{}", a.request_id)),
            "{}",
            a.request_id
        );
    }
    for u in &plan.unscheduled {
        assert!(
            html.contains(&format!("<td>{}", u.request_id)),
            "{}",
            u.request_id
        );
    }
    // Every vacation of the week is in a centre grid or in the remote grid.
    for v in &inst.vacations {
        assert!(
            html.contains(&format!("data-vacation=\"{}\"", v.id)),
            "{}",
            v.id
        );
    }
}

#[test]
fn shows_no_worker_id() {
    let (inst, plan) = small();
    let html = render_html(&inst, &plan);
    for r in &inst.requests {
        assert!(
            !html.contains(&format!(">{}<", r.worker_id))
                && !html.contains(&format!("\"{}\"", r.worker_id)),
            "worker id {} on the page",
            r.worker_id
        );
    }
}

#[test]
fn a_plan_without_score_is_rendered_from_its_appointments() {
    let (inst, mut plan) = small();
    let expected = plan.clone();
    plan.score = None;
    plan.kpis = None;
    let html = render_html(&inst, &plan);
    assert!(html.contains("The plan carries no score"));
    assert_figures_equal_plan(&html, &expected);
}

#[test]
fn a_plan_whose_score_was_tampered_with_is_flagged() {
    let (inst, mut plan) = small();
    if let Some(s) = plan.score.as_mut() {
        s.classes[0].scheduled += 1;
    }
    let html = render_html(&inst, &plan);
    assert!(html.contains("data-figure=\"score-mismatch\""));
    // The page still shows the plan's own score, as documented.
    assert_figures_equal_plan(&html, &plan);
}

/// Ids, names and details full of markup; a worker id that must never show.
fn hostile() -> (Instance, proto::Plan) {
    let text = json!({
        "name": "<b>hostile</b> & co",
        "horizon": {"startDate": "2026-11-30", "days": 5},
        "centres": [{"id": "C<1>", "name": "<script>alert('c')</script>",
                     "rooms": [{"id": "R&1\"'"}]}],
        "professionals": [{"id": "D\"1<", "role": "ROLE_DOCTOR"}],
        "vacations": [
            {"id": "V<1>", "professionalId": "D\"1<", "date": "2026-11-30", "start": "08:00",
             "end": "08:30", "centreIds": ["C<1>"]},
            {"id": "V</td>2", "professionalId": "D\"1<", "date": "2026-12-01", "start": "08:00",
             "end": "08:30", "modes": ["MODE_TELECONSULTATION"]}
        ],
        "companies": [{"id": "A<b>", "headcount": 12, "homeCentreId": "C<1>"}],
        "requests": [
            {"id": "r<i>1", "workerId": "W<secret>", "companyId": "A<b>", "kind": "vip_initiale",
             "modes": ["MODE_IN_PERSON"]},
            {"id": "r</table>2", "workerId": "W<secret>", "companyId": "A<b>",
             "kind": "vip_initiale", "modes": ["MODE_TELECONSULTATION"]},
            {"id": "r'3\"", "workerId": "W<secret>", "companyId": "A<b>", "kind": "vip_initiale",
             "modes": ["MODE_IN_PERSON"]}
        ]
    })
    .to_string();
    let inst = Instance::from_proto(&parse_instance_json(&text).expect("parses")).expect("valid");
    let mut plan = solve(&inst, None);
    assert_eq!(
        plan.appointments.len(),
        2,
        "one in person, one teleconsultation"
    );
    assert_eq!(plan.unscheduled.len(), 1, "the vacation holds one visit");
    plan.unscheduled[0].detail = "<img src=x onerror=alert(1)> & more".into();
    (inst, plan)
}

#[test]
fn escapes_every_text_from_the_input() {
    let (inst, plan) = hostile();
    let html = render_html(&inst, &plan);
    for raw in [
        "C<1>",
        "<script>alert",
        "R&1",
        "D\"1<",
        "V<1>",
        "V</td>2",
        "A<b>",
        "r<i>1",
        "r</table>2",
        "r'3\"",
        "<img",
        "<b>hostile",
    ] {
        assert!(!html.contains(raw), "raw {raw:?} in the page");
    }
    for escaped in [
        "C&lt;1&gt;",
        "&lt;script&gt;alert(&#39;c&#39;)&lt;/script&gt;",
        "R&amp;1&quot;&#39;",
        "D&quot;1&lt;",
        "A&lt;b&gt;",
        "r&lt;i&gt;1",
        "r&lt;/table&gt;2",
        "&lt;img src=x onerror=alert(1)&gt; &amp; more",
        "&lt;b&gt;hostile&lt;/b&gt; &amp; co",
    ] {
        assert!(html.contains(escaped), "{escaped:?} missing");
    }
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!html.contains("W&lt;secret") && !html.contains("W<secret"));
    // The markup is still well-formed enough to read back: every figure is found.
    assert_figures_equal_plan(&html, &plan);
}

// ---------------------------------------------------------------------------------------
// The browser test.
// ---------------------------------------------------------------------------------------

/// Debian's chromium, or `CONVOPLAN_CHROMIUM` when set.
fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CONVOPLAN_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")])
        .find(|p| p.is_file())
}

/// Output of one headless run.
struct Run {
    stdout: String,
    /// Console messages of the page (chromium logs them as `...:CONSOLE...` lines).
    console: Vec<String>,
}

/// Runs headless chromium on `url` with `extra` flags, in a fresh profile, killed after two
/// minutes so that a hung browser fails the test instead of hanging CI.
fn chromium(bin: &Path, extra: &[&str], url: &str) -> Run {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = tempfile::NamedTempFile::new().expect("stdout file");
    let err = tempfile::NamedTempFile::new().expect("stderr file");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(out.reopen().expect("stdout"))
        .stderr(err.reopen().expect("stderr"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait chromium") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within two minutes on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = std::fs::read_to_string(out.path()).expect("read stdout");
    let stderr = std::fs::read_to_string(err.path()).expect("read stderr");
    assert!(
        status.success(),
        "chromium failed ({status}) on {url}:\n{stderr}"
    );
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Run { stdout, console }
}

/// Loads `page` (with an optional `#fragment`) and returns the DOM after its script ran,
/// failing on any console message.
fn dom(bin: &Path, page: &Path, fragment: &str) -> String {
    let url = format!("file://{}{fragment}", page.display());
    let run = chromium(bin, &["--dump-dom"], &url);
    assert!(
        run.console.is_empty(),
        "console messages on {url}:\n{}",
        run.console.join("\n")
    );
    let html_tag = tags(&run.stdout)
        .into_iter()
        .find(|t| t.name == "html")
        .expect("an html element");
    assert_eq!(
        html_tag.attrs.get("data-ready").map(String::as_str),
        Some("1"),
        "the page script did not run to its end on {url}"
    );
    run.stdout
}

/// Width and height of a PNG file.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// The browser, or `None` (after a loud message) outside CI; in CI a missing browser fails.
fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("CI: chromium is required by {test} (scripts/setup.sh installs it)");
        }
        eprintln!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !! SKIPPED {test}: chromium not found; the HTML view was NOT checked in a\n\
             !! browser. Install it (./scripts/setup.sh, or apt-get install chromium).\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
    }
    found
}

/// Pages of a PDF written by chromium (its page objects are not compressed).
fn pdf_pages(bytes: &[u8]) -> usize {
    let needle = b"/Type /Page";
    bytes
        .windows(needle.len() + 1)
        .filter(|w| w.starts_with(needle) && w[needle.len()] != b's')
        .count()
}

/// Prints `html` to PDF and returns its page count.
fn print_pages(bin: &Path, dir: &Path, name: &str, html: &str) -> usize {
    let page = dir.join(format!("{name}.html"));
    let pdf = dir.join(format!("{name}.pdf"));
    std::fs::write(&page, html).expect("write page");
    let flag = format!("--print-to-pdf={}", pdf.display());
    let run = chromium(
        bin,
        &[&flag, "--no-pdf-header-footer"],
        &format!("file://{}", page.display()),
    );
    assert!(run.console.is_empty(), "{}", run.console.join("\n"));
    pdf_pages(&std::fs::read(&pdf).expect("pdf written"))
}

#[test]
fn printing_shows_every_agenda_though_they_are_collapsed_on_screen() {
    let Some(bin) = chromium_or_skip("the print test") else {
        return;
    };
    let (inst, plan) = small();
    let html = render_html(&inst, &plan);
    assert!(
        html.contains("<details class=\"ag\""),
        "agendas are collapsed on screen"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let printed = print_pages(&bin, dir.path(), "collapsed", &html);
    let open = print_pages(
        &bin,
        dir.path(),
        "open",
        &html.replace("<details class=\"ag\"", "<details open class=\"ag\""),
    );
    // Not vacuous: the agendas do fill pages of their own.
    let start = html.find("<details class=\"ag\"").expect("an agenda");
    let end = html.rfind("</details>").expect("agendas end") + "</details>".len();
    let without = print_pages(
        &bin,
        dir.path(),
        "without",
        &format!("{}{}", &html[..start], &html[end..]),
    );
    assert_eq!(
        printed, open,
        "a collapsed agenda is missing from the print"
    );
    assert!(without < open, "agendas take {without} of {open} pages?");
}

#[test]
fn ciamt_week_page_loads_in_chromium_and_shows_the_plans_score() {
    let Some(bin) = chromium_or_skip("the browser test") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");

    // The harness itself: a page that logs must be caught, or a silent chromium would make
    // the console check below vacuous.
    let probe = dir.path().join("probe.html");
    std::fs::write(
        &probe,
        "<!DOCTYPE html><script>console.error('probe')</script>",
    )
    .expect("write probe");
    let run = chromium(
        &bin,
        &["--dump-dom"],
        &format!("file://{}", probe.display()),
    );
    assert!(
        run.console.iter().any(|l| l.contains("probe")),
        "chromium does not report console messages on stderr"
    );

    // Hostile ids: rendered as text, no injected element, no console message.
    let (inst, plan) = hostile();
    let page = dir.path().join("hostile.html");
    std::fs::write(&page, render_html(&inst, &plan)).expect("write page");
    let hostile_dom = dom(&bin, &page, "");
    let t = tags(&hostile_dom);
    assert_eq!(t.iter().filter(|t| t.name == "script").count(), 1);
    assert!(t.iter().all(|t| t.name != "img"), "no injected element");
    assert!(
        hostile_dom.contains("alert('c')"),
        "the hostile name is shown as text"
    );

    // ciamt-week seed 1, time-limited: the plan is valid either way.
    let wire = generate(Preset::CiamtWeek, 1);
    let inst = Instance::from_proto(&wire).expect("valid instance");
    let started = Instant::now();
    let plan = solve(&inst, Some(20.0));
    eprintln!(
        "ciamt-week solved in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let html = render_html(&inst, &plan);
    eprintln!("ciamt-week page: {} bytes", html.len());
    assert!(
        html.len() < 2_000_000,
        "page of {} bytes: keep it under 2 MB",
        html.len()
    );
    assert_self_contained(&html);
    let page = dir.path().join("plan.html");
    std::fs::write(&page, &html).expect("write page");

    let loaded = dom(&bin, &page, "");
    assert_figures_equal_plan(&loaded, &plan);
    assert_bands_equal(&loaded, &inst, &plan);
    let rows = unscheduled_rows(&loaded);
    assert_eq!(rows.len(), plan.unscheduled.len());
    assert!(
        rows.iter().all(|r| !r.contains_key("hidden")),
        "no filter at first"
    );
    assert_eq!(agenda_rows(&loaded), plan.appointments.len());

    // The filter, set from the address: reason and class of the first unscheduled row (the
    // highest class left out), with its count computed from the plan.
    let first = &rows[0];
    let (reason, class) = (first["data-r"].clone(), first["data-k"].clone());
    let expected = plan
        .unscheduled
        .iter()
        .filter(|u| {
            let same_reason = proto::UnscheduledReason::try_from(u.reason)
                .is_ok_and(|r| r.as_str_name() == reason);
            let same_class = inst
                .index
                .requests
                .get(&u.request_id)
                .is_some_and(|&r| inst.requests[r].class_index.to_string() == class);
            same_reason && same_class
        })
        .count();
    assert!(expected > 0);
    let filtered = dom(&bin, &page, &format!("#reason={reason}&class={class}"));
    let rows = unscheduled_rows(&filtered);
    let shown = rows.iter().filter(|r| !r.contains_key("hidden")).count();
    assert_eq!(
        shown, expected,
        "rows left by the filter {reason} / class {class}"
    );
    assert!(
        filtered.contains(&format!("<b id=\"f-shown\">{expected}</b>")),
        "the count of shown rows"
    );

    // The screenshot: under target/ on every run (a test must not dirty the tree), and
    // the one the README shows (docs/plan.png) when CONVOPLAN_UPDATE_SCREENSHOT is set.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let png = if std::env::var_os("CONVOPLAN_UPDATE_SCREENSHOT").is_some() {
        root.join("docs/plan.png")
    } else {
        root.join("target/plan.png")
    };
    std::fs::create_dir_all(png.parent().expect("a parent dir")).expect("create the dir");
    let shot = format!("--screenshot={}", png.display());
    let run = chromium(
        &bin,
        &[&shot, "--window-size=1400,1000", "--hide-scrollbars"],
        &format!("file://{}", page.display()),
    );
    assert!(run.console.is_empty(), "{}", run.console.join("\n"));
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert_eq!(png_size(&bytes), (1400, 1000));
}
