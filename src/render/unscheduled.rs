//! The unscheduled requests with their reasons, filterable by reason, class and centre.
//!
//! Filtering is done by the page script on `data-` attributes that hold only enum names and
//! indexes (never input text): `data-r` the reason code, `data-k` the class index, `data-c`
//! the centre indexes surrounded by spaces. The filter can also be set from the address,
//! e.g. `plan.html#reason=SOLVER_STOPPED&class=0&centre=3`, which makes a filtered view
//! linkable (and testable in a headless browser).

use super::{esc, w, View};
use crate::proto::UnscheduledReason as Reason;
use std::collections::BTreeMap;

/// A reason a planner can read.
fn reason_label(r: Reason) -> &'static str {
    match r {
        Reason::Unspecified => "unspecified",
        Reason::NoQualifiedProfessional => "no qualified professional",
        Reason::OutsideWindow => "outside its window",
        Reason::WorkerUnavailable => "worker unavailable",
        Reason::NoEquippedRoom => "no equipped room",
        Reason::NoAllowedCentreOrMode => "no allowed centre or mode",
        Reason::TooLong => "too long for any vacation",
        Reason::CapacityTakenByHigherClasses => "capacity taken by higher classes",
        Reason::FairShareOfClass => "fair share within its class",
        Reason::SolverStopped => "solver stopped (time limit)",
    }
}

/// One row of the table.
struct Row<'a> {
    entry: &'a crate::proto::Unscheduled,
    reason: Reason,
    request: Option<usize>,
    class: Option<usize>,
    centres: Vec<usize>,
}

/// The centres a request is tied to, for the centre filter: its allowed centres, else its
/// preferred centre, else its company's home centre.
fn centres_of(v: &View, r: usize) -> Vec<usize> {
    let req = &v.inst.requests[r];
    if !req.allowed_centres.is_empty() {
        return req.allowed_centres.clone();
    }
    req.preferred_centre
        .or_else(|| {
            v.inst
                .companies
                .get(req.company)
                .and_then(|c| c.home_centre)
        })
        .into_iter()
        .collect()
}

fn centre_name<'a>(v: &View<'a>, c: usize) -> &'a str {
    v.inst
        .centres
        .get(c)
        .map_or("?", |x| if x.name.is_empty() { &x.id } else { &x.name })
}

/// The unscheduled section.
pub(super) fn unscheduled(v: &View) -> String {
    let mut rows: Vec<Row> = v
        .plan
        .unscheduled
        .iter()
        .map(|entry| {
            let request = v.inst.index.requests.get(&entry.request_id).copied();
            Row {
                entry,
                reason: Reason::try_from(entry.reason).unwrap_or(Reason::Unspecified),
                request,
                class: request.map(|r| v.inst.requests[r].class_index),
                centres: request.map(|r| centres_of(v, r)).unwrap_or_default(),
            }
        })
        .collect();
    // Highest classes first: those are the ones a manager acts on.
    rows.sort_by_key(|row| row.class.unwrap_or(usize::MAX));

    let mut by_reason: BTreeMap<i32, usize> = BTreeMap::new();
    let mut by_class: BTreeMap<usize, usize> = BTreeMap::new();
    let mut by_centre: BTreeMap<usize, usize> = BTreeMap::new();
    let mut details: BTreeMap<(i32, &str), usize> = BTreeMap::new();
    for row in &rows {
        *by_reason.entry(row.reason as i32).or_default() += 1;
        *details
            .entry((row.reason as i32, row.entry.detail.as_str()))
            .or_default() += 1;
        if let Some(k) = row.class {
            *by_class.entry(k).or_default() += 1;
        }
        for &c in &row.centres {
            *by_centre.entry(c).or_default() += 1;
        }
    }
    // A reason's detail shared by several requests (a fixed text for the reasons found before
    // solving, or for a stopped solver) is printed once in the summary table rather than on
    // each of hundreds of rows.
    let mut shared: BTreeMap<i32, (&str, usize)> = BTreeMap::new();
    for (&(code, detail), &n) in &details {
        let best = shared.entry(code).or_insert((detail, n));
        if n > best.1 {
            *best = (detail, n);
        }
    }
    shared.retain(|_, (_, n)| *n >= 2);

    let total = rows.len();
    let mut out = String::with_capacity(total * 300 + 4096);
    w!(
        out,
        "<section id=\"unscheduled\"><h2>Unscheduled requests ({total})</h2>\
         <table class=\"bars\" id=\"reasons\"><thead><tr><th>Reason</th><th class=\"n\">Requests</th>\
         <th>Common detail (left out of the rows below)</th></tr></thead><tbody>"
    );
    for (&code, &n) in &by_reason {
        let r = Reason::try_from(code).unwrap_or(Reason::Unspecified);
        let common = shared
            .get(&code)
            .map_or(String::new(), |(d, k)| format!("{} ({k} requests)", esc(d)));
        w!(
            out,
            "<tr data-figure=\"reason\" data-reason=\"{}\" data-count=\"{n}\"><td>{}</td>\
             <td class=\"n\">{n}</td><td class=\"d\">{common}</td></tr>",
            r.as_str_name(),
            reason_label(r)
        );
    }
    out.push_str(
        "</tbody></table><div class=\"filters noprint\"><label>Reason <select id=\"f-reason\">",
    );
    w!(out, "<option value=\"\">all reasons ({total})</option>");
    for (&code, &n) in &by_reason {
        let r = Reason::try_from(code).unwrap_or(Reason::Unspecified);
        w!(
            out,
            "<option value=\"{}\">{} ({n})</option>",
            r.as_str_name(),
            reason_label(r)
        );
    }
    out.push_str("</select></label> <label>Class <select id=\"f-class\">");
    w!(out, "<option value=\"\">all classes</option>");
    for (&k, &n) in &by_class {
        w!(
            out,
            "<option value=\"{k}\">{} ({n})</option>",
            v.class_label(k)
        );
    }
    out.push_str("</select></label> <label>Centre <select id=\"f-centre\">");
    w!(out, "<option value=\"\">all centres</option>");
    for (&c, &n) in &by_centre {
        w!(
            out,
            "<option value=\"{c}\">{} ({n})</option>",
            esc(centre_name(v, c))
        );
    }
    w!(
        out,
        "</select></label> <button type=\"button\" id=\"f-reset\">Show all</button></div>\
         <p class=\"note\">Showing <b id=\"f-shown\">{total}</b> of {total}<span id=\"f-active\"></span>. \
         A request's centres are its allowed centres, else its preferred centre, else its \
         company's home centre; an empty detail is its reason's common detail above.</p>\
         <table class=\"list\" id=\"unsched\"><thead><tr><th>Request</th><th>Class</th><th>Kind</th>\
         <th>Company</th><th>Centres</th><th>Reason</th><th>Detail</th></tr></thead><tbody>"
    );
    for row in &rows {
        let (class_attr, class_label) = match row.class {
            Some(k) => (k.to_string(), v.class_label(k)),
            None => (String::new(), "?".to_string()),
        };
        let req = row.request.map(|r| &v.inst.requests[r]);
        let kind = req
            .and_then(|q| v.inst.kinds.get(q.kind))
            .map_or("?", |k| k.code.as_str());
        let company = req
            .and_then(|q| v.inst.companies.get(q.company))
            .map_or("?", |c| c.id.as_str());
        let ids: Vec<String> = row.centres.iter().map(usize::to_string).collect();
        let names: Vec<&str> = row.centres.iter().map(|&c| centre_name(v, c)).collect();
        let detail = match shared.get(&(row.reason as i32)) {
            Some((d, _)) if *d == row.entry.detail => "",
            _ => row.entry.detail.as_str(),
        };
        // Optional end tags are left out of these rows to keep the page small.
        w!(
            out,
            "<tr class=\"k{}\" data-r=\"{}\" data-k=\"{class_attr}\" data-c=\" {} \"><td>{}\
             <td class=\"kl\">{class_label}<td>{}<td>{}<td>{}<td>{}<td class=\"d\">{}",
            row.class.map_or_else(|| "x".to_string(), |k| k.to_string()),
            row.reason.as_str_name(),
            ids.join(" "),
            esc(&row.entry.request_id),
            esc(kind),
            esc(company),
            esc(&names.join(", ")),
            reason_label(row.reason),
            esc(detail)
        );
    }
    out.push_str("</tbody></table></section>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{parse_instance_json, Instance};
    use crate::proto;
    use serde_json::json;

    /// C1 and C2; company A (home C2); r1 reprise allowed at C1 only, r2 and r3 vip_initiale
    /// with no allowed centre; nothing scheduled.
    fn instance() -> Instance {
        let text = json!({
            "horizon": {"startDate": "2026-11-30", "days": 5},
            "centres": [{"id": "C1", "name": "One", "rooms": [{"id": "R1"}]},
                        {"id": "C2", "name": "Two", "rooms": [{"id": "R2"}]}],
            "professionals": [{"id": "D1", "role": "ROLE_DOCTOR"}],
            "vacations": [{"id": "V1", "professionalId": "D1", "date": "2026-11-30",
                           "start": "08:00", "end": "08:10", "centreIds": ["C1"]}],
            "companies": [{"id": "A", "homeCentreId": "C2"}],
            "requests": [
                {"id": "r1", "workerId": "W1", "companyId": "A", "kind": "reprise", "allowedCentreIds": ["C1"]},
                {"id": "r2", "workerId": "W2", "companyId": "A", "kind": "vip_initiale"},
                {"id": "r3", "workerId": "W3", "companyId": "A", "kind": "vip_initiale"}
            ]
        })
        .to_string();
        Instance::from_proto(&parse_instance_json(&text).expect("parses")).expect("valid")
    }

    fn entry(id: &str, reason: Reason, detail: &str) -> proto::Unscheduled {
        proto::Unscheduled {
            request_id: id.into(),
            reason: reason as i32,
            detail: detail.into(),
        }
    }

    #[test]
    fn shared_details_are_printed_once_and_rows_sorted_by_class() {
        let inst = instance();
        let plan = proto::Plan {
            unscheduled: vec![
                entry("r3", Reason::TooLong, "same"),
                entry("r2", Reason::TooLong, "same"),
                entry("r1", Reason::TooLong, "its own"),
            ],
            ..Default::default()
        };
        let view = View::new(&inst, &plan);
        let html = unscheduled(&view);
        assert!(html.contains("data-reason=\"TOO_LONG\" data-count=\"3\""));
        assert!(html.contains("same (2 requests)"));
        // r1 (tier 1) comes first with its own detail and its allowed centre; r2 and r3
        // (tier 14) follow, tied to their company's home centre, detail left to the summary.
        let r1 = html.find("<td>r1").expect("r1 row");
        let r3 = html.find("<td>r3").expect("r3 row");
        assert!(r1 < r3);
        assert!(html.contains("data-c=\" 0 \"><td>r1"));
        assert!(html.contains("data-c=\" 1 \"><td>r3"));
        assert!(html[r1..].starts_with(
            "<td>r1<td class=\"kl\">T1 due later<td>reprise<td>A<td>One\
             <td>too long for any vacation<td class=\"d\">its own"
        ));
        // r3's detail cell is empty: r2's row starts right after it.
        assert!(html[r3..].starts_with(
            "<td>r3<td class=\"kl\">T14 due later<td>vip_initiale<td>A<td>Two\
             <td>too long for any vacation<td class=\"d\"><tr"
        ));
    }
}
