//! Per centre, a grid of rooms × half-days of the week: who holds each room and how full
//! each vacation is (booked minutes over vacation minutes). Vacations of the centre that hold
//! no room (unused, or cancelled by an absence) get a row of their own so that a manager
//! sees the capacity that went unused; remote teleconsultation vacations get a last grid with
//! one row per professional.

use super::{count, day_label, esc, percent0, ratio, w, width, View};
use crate::model::{format_time, HalfDay};
use std::collections::BTreeMap;

/// Column of a vacation in the week grid (two per day), if inside the horizon.
fn column(v: &View, vac: usize) -> Option<usize> {
    let x = &v.inst.vacations[vac];
    let day = usize::try_from(x.day).ok()?;
    (day < v.inst.days as usize)
        .then_some(day * 2 + usize::from(x.half_day() == HalfDay::Afternoon))
}

/// The header rows of a week grid.
fn head(v: &View, out: &mut String, first: &str) {
    w!(out, "<thead><tr><th rowspan=\"2\">{first}</th>");
    for day in 0..i64::from(v.inst.days) {
        w!(out, "<th colspan=\"2\">{}</th>", day_label(v.inst, day));
    }
    out.push_str("</tr><tr>");
    for _ in 0..v.inst.days {
        out.push_str("<th>AM</th><th>PM</th>");
    }
    out.push_str("</tr></thead>");
}

/// One vacation in a grid cell: professional, span, fill bar and counts.
fn vacation(v: &View, vac: usize, out: &mut String) {
    let x = &v.inst.vacations[vac];
    let minutes = x.minutes();
    let booked = v.booked[vac];
    let apps = &v.by_vacation[vac];
    let tele = apps.iter().filter(|&&i| v.apps[i].tele).count();
    let prof = &v.inst.professionals[x.professional];
    let state = if x.cancelled {
        " off"
    } else if apps.is_empty() {
        " idle"
    } else {
        ""
    };
    w!(
        out,
        "<div class=\"vac{state}\" data-vacation=\"{}\" data-booked=\"{booked}\" data-minutes=\"{minutes}\" \
         title=\"{}\"><a href=\"#p{}\">{}</a> <span class=\"t\">{}-{}</span>",
        esc(&x.id),
        esc(&x.id),
        x.professional,
        esc(&prof.id),
        format_time(x.start),
        format_time(x.end),
    );
    if x.cancelled {
        out.push_str("<span class=\"m\">cancelled: absence</span></div>");
        return;
    }
    if apps.is_empty() {
        w!(
            out,
            "<span class=\"m\">no appointment · {minutes} min free</span></div>"
        );
        return;
    }
    let fill = ratio(u64::from(booked), u64::from(minutes));
    w!(
        out,
        "<div class=\"gauge\" title=\"{}\"><span style=\"width:{}\"></span></div>\
         <span class=\"m\">{booked}/{minutes} min · {}",
        percent0(fill),
        width(fill),
        count(apps.len(), "visit")
    );
    if tele > 0 {
        w!(out, " ({tele} tele)");
    }
    out.push_str("</span></div>");
}

/// One grid row: a header cell and the vacations per half-day column.
fn row(v: &View, out: &mut String, class: &str, header: &str, vacations: &[usize]) {
    let cols = v.inst.days as usize * 2;
    let mut cells: Vec<Vec<usize>> = vec![Vec::new(); cols];
    for &vac in vacations {
        if let Some(c) = column(v, vac) {
            cells[c].push(vac);
        }
    }
    w!(out, "<tr{class}><th>{header}</th>");
    for cell in &mut cells {
        cell.sort_by_key(|&vac| v.inst.vacations[vac].start);
        out.push_str("<td>");
        for &vac in cell.iter() {
            vacation(v, vac, out);
        }
        out.push_str("</td>");
    }
    out.push_str("</tr>");
}

/// The centres section.
pub(super) fn centres(v: &View) -> String {
    let inst = v.inst;
    let mut out = String::with_capacity(256 * 1024);
    out.push_str(
        "<section id=\"centres\"><h2>Centres: rooms by half-day</h2><p class=\"note\">Each \
         cell shows the professional holding the room, the vacation's hours and how full it \
         is (booked minutes / vacation minutes, appointments). Greyed: a vacation with no \
         appointment; struck out: cancelled by an absence.</p>",
    );
    let occupancy: BTreeMap<&str, f64> = v
        .kpis
        .centres
        .iter()
        .map(|o| (o.id.as_str(), o.ratio))
        .collect();
    let room_occupancy: BTreeMap<&str, f64> = v
        .kpis
        .rooms
        .iter()
        .map(|o| (o.id.as_str(), o.ratio))
        .collect();
    let mut in_room: Vec<Vec<usize>> = vec![Vec::new(); inst.rooms.len()];
    for (vac, room) in v.room.iter().enumerate() {
        if let Some(k) = *room {
            in_room[k].push(vac);
        }
    }
    for (c, centre) in inst.centres.iter().enumerate() {
        let held: Vec<usize> = centre
            .rooms
            .iter()
            .flat_map(|&k| in_room[k].iter().copied())
            .collect();
        let appointments: usize = held.iter().map(|&vac| v.by_vacation[vac].len()).sum();
        let name = if centre.name.is_empty() {
            &centre.id
        } else {
            &centre.name
        };
        w!(
            out,
            "<section class=\"centre\" id=\"c{c}\"><h3>{} <small>{}</small></h3>\
             <p class=\"meta\">occupancy {} · {} in {} of {} rooms · {}</p>\
             <div class=\"scroll\"><table class=\"grid\">",
            esc(name),
            esc(&centre.id),
            percent0(occupancy.get(centre.id.as_str()).copied().unwrap_or(0.0)),
            count(held.len(), "vacation"),
            centre
                .rooms
                .iter()
                .filter(|&&k| !in_room[k].is_empty())
                .count(),
            centre.rooms.len(),
            count(appointments, "appointment")
        );
        head(v, &mut out, "Room");
        out.push_str("<tbody>");
        for &k in &centre.rooms {
            let room = &inst.rooms[k];
            let equipment: Vec<&str> = inst
                .equipment
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < 64 && room.equipment & (1u64 << i) != 0)
                .map(|(_, e)| e.as_str())
                .collect();
            let mut header = format!(
                "{}<small>{}",
                esc(&room.id),
                percent0(room_occupancy.get(room.id.as_str()).copied().unwrap_or(0.0))
            );
            if !equipment.is_empty() {
                w!(header, " · {}", esc(&equipment.join(", ")));
            }
            header.push_str("</small>");
            row(v, &mut out, "", &header, &in_room[k]);
        }
        let roomless: Vec<usize> = inst
            .vacations
            .iter()
            .enumerate()
            .filter(|(vac, x)| v.room[*vac].is_none() && x.centres.contains(&c))
            .map(|(vac, _)| vac)
            .collect();
        if !roomless.is_empty() {
            row(
                v,
                &mut out,
                " class=\"roomless\"",
                "No room<small>unused or cancelled</small>",
                &roomless,
            );
        }
        out.push_str("</tbody></table></div></section>");
    }
    remote(v, &mut out);
    out.push_str("</section>");
    out
}

/// Remote vacations (teleconsultation without a centre), one row per professional.
fn remote(v: &View, out: &mut String) {
    let mut by_prof: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (vac, x) in v.inst.vacations.iter().enumerate() {
        if x.centres.is_empty() {
            by_prof.entry(x.professional).or_default().push(vac);
        }
    }
    if by_prof.is_empty() {
        return;
    }
    w!(
        out,
        "<section class=\"centre\" id=\"remote\"><h3>Remote teleconsultation vacations</h3>\
         <p class=\"meta\">{} without a centre</p><div class=\"scroll\"><table class=\"grid\">",
        count(by_prof.values().map(Vec::len).sum::<usize>(), "vacation")
    );
    head(v, out, "Professional");
    out.push_str("<tbody>");
    for (p, list) in &by_prof {
        let header = esc(&v.inst.professionals[*p].id).into_owned();
        row(v, out, "", &header, list);
    }
    out.push_str("</tbody></table></div></section>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{parse_instance_json, Instance};
    use crate::proto;
    use serde_json::json;

    /// D1 at C1: V1 Monday (used), V2 Tuesday (unused), V3 Thursday (cancelled by an
    /// absence); V4 Wednesday afternoon remote.
    fn instance() -> Instance {
        let text = json!({
            "horizon": {"startDate": "2026-11-30", "days": 5},
            "centres": [{"id": "C1", "name": "One", "rooms": [{"id": "R1"}, {"id": "R2"}]}],
            "professionals": [{"id": "D1", "role": "ROLE_DOCTOR"}],
            "vacations": [
                {"id": "V1", "professionalId": "D1", "date": "2026-11-30", "start": "08:00", "end": "12:00", "centreIds": ["C1"]},
                {"id": "V2", "professionalId": "D1", "date": "2026-12-01", "start": "08:00", "end": "12:00", "centreIds": ["C1"]},
                {"id": "V3", "professionalId": "D1", "date": "2026-12-03", "start": "08:00", "end": "12:00", "centreIds": ["C1"]},
                {"id": "V4", "professionalId": "D1", "date": "2026-12-02", "start": "14:00", "end": "17:00",
                 "modes": ["MODE_TELECONSULTATION"]}
            ],
            "absences": [{"professionalId": "D1", "from": "2026-12-03", "to": "2026-12-03"}],
            "companies": [{"id": "A"}],
            "requests": [{"id": "r1", "workerId": "W1", "companyId": "A", "kind": "vip_initiale"}]
        })
        .to_string();
        Instance::from_proto(&parse_instance_json(&text).expect("parses")).expect("valid")
    }

    #[test]
    fn grids_show_fill_unused_cancelled_and_remote_vacations_in_their_half_day() {
        let inst = instance();
        let plan = proto::Plan {
            appointments: vec![proto::Appointment {
                request_id: "r1".into(),
                professional_id: "D1".into(),
                vacation_id: "V1".into(),
                date: "2026-11-30".into(),
                start: "08:00".into(),
                end: "08:25".into(),
                mode: proto::Mode::InPerson as i32,
                centre_id: "C1".into(),
                room_id: "R1".into(),
            }],
            room_allocations: vec![proto::RoomAllocation {
                vacation_id: "V1".into(),
                centre_id: "C1".into(),
                room_id: "R1".into(),
            }],
            ..Default::default()
        };
        let view = View::new(&inst, &plan);
        assert_eq!(column(&view, 0), Some(0));
        assert_eq!(column(&view, 3), Some(5), "Wednesday afternoon");
        let html = centres(&view);
        let r1 = html.find("<th>R1").expect("R1 row");
        let r2 = html.find("<th>R2").expect("R2 row");
        let roomless = html
            .find("No room")
            .expect("row of vacations without a room");
        let remote = html.find("id=\"remote\"").expect("remote grid");
        let v1 = html
            .find("<div class=\"vac\" data-vacation=\"V1\" data-booked=\"25\" data-minutes=\"240\"")
            .expect("V1 with its fill");
        assert!(r1 < v1 && v1 < r2);
        assert!(html[v1..].contains("25/240 min · 1 visit"));
        let v2 = html
            .find("class=\"vac idle\" data-vacation=\"V2\"")
            .expect("V2 unused");
        let v3 = html
            .find("class=\"vac off\" data-vacation=\"V3\"")
            .expect("V3 cancelled");
        assert!(roomless < v2 && v2 < v3 && v3 < remote);
        assert!(html[remote..].contains("data-vacation=\"V4\""));
        // V3 is on Thursday morning: six empty cells before it in its row.
        let row = &html[roomless..v3];
        assert_eq!(row.matches("<td>").count(), 7, "Mon..Wed, then Thursday AM");
    }
}
