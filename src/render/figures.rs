//! The header figures: summary tiles, per-class scheduled / pending bars (the plan's score),
//! the distribution of company service ratios by company size band, occupancy by centre.
//!
//! Each figure is an element with `data-figure` and its exact values as `data-` attributes
//! next to the rounded text a reader sees.

use super::{esc, percent, ratio, w, width, wire_urgency_label, View};
use crate::proto;
use std::collections::BTreeMap;

/// Company size bands used in reporting (domain.md §5, 002:622-625): label, smallest
/// headcount, largest headcount + 1.
pub(crate) const SIZE_BANDS: &[(&str, u32, u32)] = &[
    ("< 10", 0, 10),
    ("10-49", 10, 50),
    ("50-299", 50, 300),
    ("300 +", 300, u32::MAX),
];

/// Index in [`SIZE_BANDS`] of a headcount.
pub(crate) fn size_band(headcount: u32) -> usize {
    SIZE_BANDS
        .iter()
        .position(|&(_, lo, hi)| headcount >= lo && headcount < hi)
        .unwrap_or(SIZE_BANDS.len() - 1)
}

/// Bins of the service-ratio distribution: nobody seen, four quarters, everybody seen.
const RATIO_BINS: [&str; 6] = ["0 %", "1-24 %", "25-49 %", "50-74 %", "75-99 %", "100 %"];

/// Bin of a service ratio in [`RATIO_BINS`]: 0 and 1 get bins of their own because "no
/// worker of this company seen" and "all seen" are what a fairness review looks for.
fn ratio_bin(r: f64) -> usize {
    if r <= 0.0 {
        0
    } else if r >= 1.0 {
        5
    } else {
        1 + ((r * 4.0) as usize).min(3)
    }
}

/// Service ratios of the companies of one size band.
#[derive(Debug, Clone, Default, PartialEq)]
struct Band {
    /// Companies with at least one pending request.
    companies: u32,
    /// Sum of their ratios (scheduled / pending over all classes).
    sum: f64,
    /// Companies per bin of [`RATIO_BINS`].
    bins: [u32; 6],
}

/// Per size band, the service ratio (scheduled / pending requests, every class together) of
/// each company with pending requests.
fn bands(v: &View) -> Vec<Band> {
    let mut per_company: BTreeMap<usize, (u32, u32)> = BTreeMap::new();
    for (r, req) in v.inst.requests.iter().enumerate() {
        let e = per_company.entry(req.company).or_default();
        e.0 += 1;
        e.1 += u32::from(v.scheduled[r]);
    }
    let mut out = vec![Band::default(); SIZE_BANDS.len()];
    for (c, (pending, done)) in per_company {
        let Some(company) = v.inst.companies.get(c) else {
            continue;
        };
        let r = ratio(u64::from(done), u64::from(pending));
        let b = &mut out[size_band(company.headcount)];
        b.companies += 1;
        b.sum += r;
        b.bins[ratio_bin(r)] += 1;
    }
    out
}

/// The figures section.
pub(super) fn figures(v: &View) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<section id=\"figures\"><h2>Week at a glance</h2>");
    tiles(v, &mut out);
    out.push_str("<div class=\"cols\"><div class=\"card\">");
    classes(v, &mut out);
    out.push_str("</div><div class=\"card\">");
    size_bands(v, &mut out);
    centre_occupancy(v, &mut out);
    out.push_str("</div></div></section>");
    out
}

fn tiles(v: &View, out: &mut String) {
    let pending: u64 = v.score.classes.iter().map(|c| u64::from(c.pending)).sum();
    let done: u64 = v.score.classes.iter().map(|c| u64::from(c.scheduled)).sum();
    let (booked, offered) = v.kpis.professionals.iter().fold((0, 0), |(b, o), x| {
        (b + x.booked_minutes, o + x.offered_minutes)
    });
    let k = &v.kpis;
    out.push_str("<div class=\"tiles\">");
    w!(
        out,
        "<div class=\"tile\" data-figure=\"total\" data-scheduled=\"{done}\" data-pending=\"{pending}\">\
         <b>{done} / {pending}</b><span>requests scheduled ({})</span></div>",
        percent(ratio(done, pending))
    );
    w!(
        out,
        "<div class=\"tile\" data-figure=\"tele\" data-share=\"{}\"><b>{}</b>\
         <span>of appointments by teleconsultation</span></div>",
        k.teleconsultation_share,
        percent(k.teleconsultation_share)
    );
    w!(
        out,
        "<div class=\"tile\" data-figure=\"occupancy\" data-booked=\"{booked}\" data-offered=\"{offered}\">\
         <b>{}</b><span>of professionals' vacation time booked</span></div>",
        percent(ratio(booked, offered))
    );
    w!(
        out,
        "<div class=\"tile\" data-figure=\"referent\" data-share=\"{}\"><b>{}</b>\
         <span>seen by their company's referent</span></div>",
        k.referent_share,
        percent(k.referent_share)
    );
    w!(
        out,
        "<div class=\"tile\" data-figure=\"lateness\" data-days=\"{}\"><b>{}</b>\
         <span>days late in total</span></div>",
        v.score.lateness_days,
        v.score.lateness_days
    );
    out.push_str("</div>");
}

fn classes(v: &View, out: &mut String) {
    out.push_str(
        "<h3>Priority classes: scheduled / pending</h3>\
         <p class=\"note\">Tier 1 first; within a tier, overdue, then due this week, then \
         due later. Company ratios are scheduled / pending per company within the class.</p>\
         <table class=\"bars\" id=\"classes\"><thead><tr><th>Class</th><th>Scheduled</th>\
         <th class=\"n\">Done / pending</th><th class=\"n\">Companies</th>\
         <th class=\"n\">Min ratio</th><th class=\"n\">Mean ratio</th></tr></thead><tbody>",
    );
    for (i, c) in v.score.classes.iter().enumerate() {
        let urgency =
            proto::Urgency::try_from(c.urgency).map_or("URGENCY_UNSPECIFIED", |u| u.as_str_name());
        let share = ratio(u64::from(c.scheduled), u64::from(c.pending));
        w!(
            out,
            "<tr class=\"k{i}\" data-figure=\"class\" data-tier=\"{}\" data-urgency=\"{urgency}\" \
             data-scheduled=\"{}\" data-pending=\"{}\" data-companies=\"{}\" \
             data-min-ratio=\"{}\" data-mean-ratio=\"{}\">\
             <td><i class=\"sw\"></i>T{} {}</td>\
             <td class=\"bar\"><span class=\"fill\" style=\"width:{}\"></span></td>\
             <td class=\"n v\">{} / {}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            c.tier,
            c.scheduled,
            c.pending,
            c.companies,
            c.min_company_ratio,
            c.mean_company_ratio,
            c.tier,
            wire_urgency_label(c.urgency),
            width(share),
            c.scheduled,
            c.pending,
            c.companies,
            percent(c.min_company_ratio),
            percent(c.mean_company_ratio),
        );
    }
    out.push_str("</tbody></table>");
}

fn size_bands(v: &View, out: &mut String) {
    out.push_str(
        "<h3>Company service ratios by size</h3>\
         <p class=\"note\">Companies with pending requests, by headcount band: share of each \
         band whose scheduled / pending ratio (all classes) falls in each bin.</p>\
         <table class=\"bars\" id=\"bands\"><thead><tr><th>Workers</th>\
         <th class=\"n\">Companies</th><th>Distribution</th><th class=\"n\">Mean</th></tr>\
         </thead><tbody>",
    );
    for (b, band) in bands(v).iter().enumerate() {
        let mean = if band.companies == 0 {
            0.0
        } else {
            band.sum / f64::from(band.companies)
        };
        let bins: Vec<String> = band.bins.iter().map(u32::to_string).collect();
        w!(
            out,
            "<tr data-figure=\"band\" data-band=\"{}\" data-companies=\"{}\" data-mean=\"{mean}\" \
             data-bins=\"{}\"><td>{}</td><td class=\"n\">{}</td><td><div class=\"stack\">",
            esc(SIZE_BANDS[b].0),
            band.companies,
            bins.join(" "),
            esc(SIZE_BANDS[b].0),
            band.companies,
        );
        for (i, &n) in band.bins.iter().enumerate() {
            if n > 0 {
                w!(
                    out,
                    "<span class=\"b{i}\" style=\"width:{}\" title=\"{}: {n} companies\"></span>",
                    width(ratio(u64::from(n), u64::from(band.companies))),
                    RATIO_BINS[i]
                );
            }
        }
        w!(
            out,
            "</div></td><td class=\"n\">{}</td></tr>",
            percent(mean)
        );
    }
    out.push_str("</tbody></table><p class=\"legend\">");
    for (i, label) in RATIO_BINS.iter().enumerate() {
        w!(out, "<span><i class=\"b{i}\"></i>{label}</span>");
    }
    out.push_str("</p>");
}

fn centre_occupancy(v: &View, out: &mut String) {
    out.push_str(
        "<h3>Occupancy by centre</h3><p class=\"note\">Booked minutes over the minutes of \
         the vacations held in the centre's rooms.</p><table class=\"bars\" id=\"occupancy\">\
         <thead><tr><th>Centre</th><th>Booked</th><th class=\"n\">Occupancy</th>\
         <th class=\"n\">Minutes</th></tr></thead><tbody>",
    );
    let by_id: BTreeMap<&str, &proto::Occupancy> =
        v.kpis.centres.iter().map(|o| (o.id.as_str(), o)).collect();
    for (c, centre) in v.inst.centres.iter().enumerate() {
        let Some(o) = by_id.get(centre.id.as_str()) else {
            continue;
        };
        let name = if centre.name.is_empty() {
            &centre.id
        } else {
            &centre.name
        };
        w!(
            out,
            "<tr data-figure=\"centre\" data-centre=\"{}\" data-booked=\"{}\" data-offered=\"{}\" \
             data-ratio=\"{}\"><td><a href=\"#c{c}\">{}</a></td>\
             <td class=\"bar\"><span class=\"fill occ\" style=\"width:{}\"></span></td>\
             <td class=\"n v\">{}</td><td class=\"n\">{} / {}</td></tr>",
            esc(&centre.id),
            o.booked_minutes,
            o.offered_minutes,
            o.ratio,
            esc(name),
            width(o.ratio),
            percent(o.ratio),
            o.booked_minutes,
            o.offered_minutes
        );
    }
    out.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_bands_follow_the_reporting_bands() {
        assert_eq!(size_band(0), 0);
        assert_eq!(size_band(9), 0);
        assert_eq!(size_band(10), 1);
        assert_eq!(size_band(299), 2);
        assert_eq!(size_band(300), 3);
        assert_eq!(size_band(u32::MAX), 3);
    }

    #[test]
    fn nobody_and_everybody_seen_have_bins_of_their_own() {
        assert_eq!(ratio_bin(0.0), 0);
        assert_eq!(ratio_bin(0.01), 1);
        assert_eq!(ratio_bin(0.25), 2);
        assert_eq!(ratio_bin(0.74), 3);
        assert_eq!(ratio_bin(0.99), 4);
        assert_eq!(ratio_bin(1.0), 5);
    }
}
