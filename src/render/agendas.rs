//! Per professional, the agenda of the week: each vacation with its place and fill, then its
//! appointments (time, visit kind, company, in person or teleconsultation, priority class as
//! a colour and a label). Agendas are collapsed in `<details>` to keep a 100-professional
//! week scannable; the page script opens them all before printing.

use super::{count, day_label, esc, percent0, ratio, w, View};
use crate::model::{format_time, HalfDay, Role};
use std::collections::BTreeMap;

/// Column widths of an agenda table, so that every agenda lines up the same way (the first
/// row spans all columns, which would otherwise leave the widths to each table's content).
const COLUMNS: &str = "<colgroup><col style=\"width:7.5em\"><col style=\"width:13em\">\
    <col style=\"width:10em\"><col style=\"width:6em\"><col style=\"width:12em\"><col></colgroup>";

/// The legend of the priority-class colours.
pub(super) fn legend(v: &View) -> String {
    let mut out = String::from("<p class=\"legend\">");
    for c in 0..v.inst.classes.len() {
        w!(
            out,
            "<span class=\"k{c}\"><i class=\"sw\"></i>{}</span>",
            v.class_label(c)
        );
    }
    out.push_str("</p>");
    out
}

/// The agendas section.
pub(super) fn agendas(v: &View) -> String {
    let inst = v.inst;
    let mut out = String::with_capacity(512 * 1024);
    out.push_str(
        "<section id=\"agendas\"><h2>Professionals' agendas</h2>\
         <p class=\"note\">One line per appointment: time, visit kind, company, mode, priority \
         class (colour) and request id. Click a name to open its agenda.</p>\
         <div class=\"tools noprint\"><input id=\"p-search\" type=\"search\" \
         placeholder=\"Find a professional id\" aria-label=\"Find a professional\"> \
         <button type=\"button\" id=\"p-open\">Expand all</button> \
         <button type=\"button\" id=\"p-close\">Collapse all</button></div>",
    );
    out.push_str(&legend(v));
    let occupancy: BTreeMap<&str, &crate::proto::Occupancy> = v
        .kpis
        .professionals
        .iter()
        .map(|o| (o.id.as_str(), o))
        .collect();
    let mut vacations: Vec<Vec<usize>> = vec![Vec::new(); inst.professionals.len()];
    for (vac, x) in inst.vacations.iter().enumerate() {
        if let Some(list) = vacations.get_mut(x.professional) {
            list.push(vac);
        }
    }
    for (p, prof) in inst.professionals.iter().enumerate() {
        let list = &mut vacations[p];
        list.sort_by_key(|&vac| (inst.vacations[vac].day, inst.vacations[vac].start));
        let booked: usize = list.iter().map(|&vac| v.by_vacation[vac].len()).sum();
        let tele: usize = list
            .iter()
            .flat_map(|&vac| v.by_vacation[vac].iter())
            .filter(|&&i| v.apps[i].tele)
            .count();
        let role = match prof.role {
            Role::Doctor => "doctor",
            Role::Nurse => "nurse",
        };
        let occ = occupancy.get(prof.id.as_str()).map_or(0.0, |o| o.ratio);
        w!(
            out,
            "<details class=\"ag\" id=\"p{p}\" data-p=\"{}\"><summary><b>{}</b> {role} · \
             {} · {}",
            esc(&prof.id.to_lowercase()),
            esc(&prof.id),
            count(list.len(), "vacation"),
            count(booked, "appointment")
        );
        if tele > 0 {
            w!(out, " ({tele} tele)");
        }
        w!(
            out,
            " · {} booked</summary><table class=\"agenda\">{COLUMNS}<tbody>",
            percent0(occ)
        );
        for &vac in list.iter() {
            vacation(v, vac, &mut out);
        }
        out.push_str("</tbody></table></details>");
    }
    out.push_str("</section>");
    out
}

/// A vacation header row and its appointment rows.
fn vacation(v: &View, vac: usize, out: &mut String) {
    let inst = v.inst;
    let x = &inst.vacations[vac];
    let half = match x.half_day() {
        HalfDay::Morning => "AM",
        HalfDay::Afternoon => "PM",
    };
    let place = match v.room[vac] {
        Some(k) => {
            let room = &inst.rooms[k];
            let centre = &inst.centres[room.centre];
            let name = if centre.name.is_empty() {
                &centre.id
            } else {
                &centre.name
            };
            format!("{}, room {}", esc(name), esc(&room.id))
        }
        None if x.centres.is_empty() => "remote teleconsultation".to_string(),
        None => "no room".to_string(),
    };
    w!(
        out,
        "<tr class=\"vh\"><th colspan=\"6\">{} {half} · {}-{} · {place} · ",
        day_label(inst, x.day),
        format_time(x.start),
        format_time(x.end)
    );
    let apps = &v.by_vacation[vac];
    if x.cancelled {
        out.push_str("cancelled: absence</th></tr>");
        return;
    }
    if apps.is_empty() {
        out.push_str("no appointment</th></tr>");
        return;
    }
    w!(
        out,
        "{}/{} min ({})</th></tr>",
        v.booked[vac],
        x.minutes(),
        percent0(ratio(u64::from(v.booked[vac]), u64::from(x.minutes())))
    );
    for &i in apps {
        let a = &v.apps[i];
        let req = &inst.requests[a.request];
        let kind = inst.kinds.get(req.kind).map_or("?", |k| k.code.as_str());
        let company = inst
            .companies
            .get(req.company)
            .map_or("?", |c| c.id.as_str());
        // Optional end tags (</td>, </tr>) are left out of the thousands of appointment rows:
        // valid HTML that keeps a 4,000-appointment week well under a megabyte.
        let mode = if a.tele {
            "<td class=\"tele\">tele"
        } else {
            "<td>in person"
        };
        w!(
            out,
            "<tr class=\"k{}\"><td>{}-{}<td>{}<td>{}{mode}<td class=\"kl\">{}<td>{}",
            req.class_index,
            esc(&a.ap.start),
            esc(&a.ap.end),
            esc(kind),
            esc(company),
            v.class_label(req.class_index),
            esc(&req.id)
        );
    }
}
