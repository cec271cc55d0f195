//! The HTML shell: head with the inline style sheet (screen and print), the header with the
//! solver's status, the sections, and the inline script. Nothing is loaded from the network:
//! system fonts only, no external file, no image.

use super::{agendas, centres, esc, figures, unscheduled, w, View};
use crate::proto::SolveStatus;

/// Style sheet shared by every page. Class colours (`.kN`) are appended per instance.
const CSS: &str = r#"
:root{--fg:#1d2430;--mut:#5b6575;--line:#d8dde5;--bg:#f4f6f9;--acc:#2f6fb3;--occ:#2f8f5b;--k:#2f6fb3}
*{box-sizing:border-box}
body{margin:0;font:13px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1f3a5f;color:#fff;padding:10px 20px}
header h1{margin:0;font-size:19px;font-weight:600}
header p{margin:3px 0 0;color:#d6e2f0}
nav{margin-top:6px}nav a{color:#fff;margin-right:16px}
main{padding:4px 20px 40px}
h2{font-size:17px;margin:18px 0 6px;padding-bottom:2px;border-bottom:2px solid var(--line)}
h3{font-size:14px;margin:10px 0 3px}
h3 small{color:var(--mut);font-weight:400}
.note,.meta{color:var(--mut);margin:2px 0 6px;font-size:12px}
.warn{background:#fff4d6;border:1px solid #e0b84a;padding:6px 10px;border-radius:4px;margin:8px 0}
.tiles{display:flex;gap:10px;flex-wrap:wrap;margin:6px 0 10px}
.tile{background:#fff;border:1px solid var(--line);border-radius:6px;padding:7px 12px;min-width:180px}
.tile b{display:block;font-size:20px;font-variant-numeric:tabular-nums}
.tile span{color:var(--mut);font-size:12px}
.cols{display:grid;grid-template-columns:minmax(0,1.15fr) minmax(0,1fr);gap:14px;align-items:start}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:4px 12px 8px}
table{border-collapse:collapse}
.bars{width:100%}
.bars th,.bars td{padding:1px 6px;text-align:left;white-space:nowrap;font-size:12px}
.bars th{color:var(--mut);font-weight:600;border-bottom:1px solid var(--line)}
.bars tbody tr:hover{background:#f0f4fa}
.n{text-align:right!important;font-variant-numeric:tabular-nums}
td.bar{width:40%;padding:1px 0!important;background:linear-gradient(#e6ebf1,#e6ebf1) left center/100% 10px no-repeat}
.fill{display:block;height:10px;background:var(--k);border-radius:1px}
.fill.occ{background:var(--occ)}
.stack{display:flex;height:12px;width:100%;min-width:160px;background:#e6ebf1}
.stack span{display:block;height:100%}
.b0{background:#c0392b}.b1{background:#e67e22}.b2{background:#f1c40f}.b3{background:#9ccc65}.b4{background:#43a047}.b5{background:#1b5e20}
.legend{margin:4px 0;font-size:11px;color:var(--mut)}
.legend span{margin-right:10px;white-space:nowrap;display:inline-block}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:3px;vertical-align:-1px}
i.sw{display:inline-block;width:9px;height:9px;border-radius:2px;background:var(--k);margin-right:5px}
.scroll{overflow-x:auto}
.grid{width:100%;min-width:1000px;table-layout:fixed;background:#fff}
.grid th,.grid td{border:1px solid var(--line);padding:2px;vertical-align:top;font-size:11px}
.grid thead th{background:#eef2f7;text-align:center;font-weight:600}
.grid thead tr:first-child th:first-child{width:150px}
.grid tbody th{text-align:left;font-weight:600;overflow-wrap:anywhere}
.grid tbody th small{display:block;font-weight:400;color:var(--mut)}
.grid tbody tr:nth-child(2n) td{background:#fafbfd}
tr.roomless th{color:var(--mut);font-style:italic}
.vac{border-left:3px solid var(--acc);background:#f1f6fc;padding:1px 3px;margin:1px 0;border-radius:2px}
.vac a{color:var(--fg);font-weight:600;text-decoration:none}
.vac .t{color:var(--mut)}
.gauge{height:5px;background:#dfe5ec;margin:1px 0}
.gauge span{display:block;height:100%;background:var(--occ)}
.vac .m{display:block;color:var(--mut);font-size:10px}
.vac.idle{opacity:.6;border-left-color:#9aa3ae;background:#f6f6f6}
.vac.off{border-left-color:#c0392b;background:#fbeeee}
.vac.off .t,.vac.off a{text-decoration:line-through}
.tools{margin:6px 0}
.tools input,.tools button,.filters select,.filters button{font:inherit;padding:2px 6px}
details.ag{background:#fff;border:1px solid var(--line);border-radius:4px;margin:3px 0}
details.ag summary{cursor:pointer;padding:3px 8px}
details.ag[open] summary{border-bottom:1px solid var(--line)}
.agenda{width:100%;max-width:960px;table-layout:fixed;font-size:12px}
.agenda td{padding:1px 6px;border-bottom:1px solid #eef1f5;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.agenda tr.vh th{text-align:left;background:#eef2f7;padding:2px 6px;font-weight:600}
.agenda tr:not(.vh) td:first-child{border-left:4px solid var(--k);font-variant-numeric:tabular-nums}
td.tele{color:#7b3fa0;font-weight:600}
td.kl{color:var(--k);font-weight:600}
.filters{margin:8px 0}
.filters label{margin-right:8px}
.list{width:100%;background:#fff;font-size:12px}
.list th,.list td{border-bottom:1px solid var(--line);padding:2px 6px;text-align:left;vertical-align:top}
.list thead th{background:#eef2f7;position:sticky;top:0}
.list td:first-child{border-left:4px solid var(--k)}
.list td.d{color:var(--mut);font-size:11px}
#reasons{width:auto;margin-bottom:6px}
#reasons td.d{white-space:normal;color:var(--mut)}
.kx{--k:#9aa3ae}
@page{size:A4 landscape;margin:10mm}
@media print{
body{background:#fff;font-size:10px}
header{background:none;color:#000;padding:0}header p{color:#000}
nav,.noprint{display:none!important}
main{padding:0}
.cols{display:block}
.card,.tile{border-color:#bbb}
#centres,#agendas,#unscheduled,.centre+.centre{break-before:page}
.grid{min-width:0}
.grid tr,.vac,.agenda tr,.list tr,.bars tr{break-inside:avoid}
.scroll{overflow:visible}
.list thead th{position:static}
a{color:inherit;text-decoration:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"#;

/// Closed agendas must not vanish from paper: browsers that know `::details-content`
/// print them open from CSS alone. Kept in its own block because a browser that does not
/// know the pseudo-element drops the whole rule; the script covers those.
const PRINT_DETAILS_CSS: &str =
    "@media print{details::details-content{content-visibility:visible;display:contents}}\n";

/// The page script. It reads only `data-` attributes and ids written by the renderer, and
/// marks the document `data-ready="1"` when it has run to the end (the browser test checks
/// that mark, so a script error cannot go unnoticed).
const JS: &str = r#"
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var all = function (sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); };

  // Unscheduled requests: filters by reason, class and centre.
  var rows = all('#unsched tbody tr');
  var f = { reason: $('f-reason'), 'class': $('f-class'), centre: $('f-centre') };
  var keys = Object.keys(f);
  function apply() {
    var r = f.reason.value, k = f['class'].value, c = f.centre.value, n = 0;
    rows.forEach(function (tr) {
      var ok = (!r || tr.getAttribute('data-r') === r) &&
        (!k || tr.getAttribute('data-k') === k) &&
        (!c || tr.getAttribute('data-c').indexOf(' ' + c + ' ') >= 0);
      tr.hidden = !ok;
      if (ok) { n += 1; }
    });
    $('f-shown').textContent = String(n);
    var active = keys.filter(function (key) { return f[key].value !== ''; })
      .map(function (key) { var s = f[key]; return key + ': ' + s.options[s.selectedIndex].text; });
    $('f-active').textContent = active.length ? ' (filtered by ' + active.join('; ') + ')' : '';
  }
  keys.forEach(function (key) { f[key].addEventListener('change', apply); });
  $('f-reset').addEventListener('click', function () {
    keys.forEach(function (key) { f[key].value = ''; });
    apply();
  });
  // A filter can come from the address: #reason=CODE&class=INDEX&centre=INDEX.
  var hash = location.hash.slice(1);
  if (hash.indexOf('=') >= 0) {
    new URLSearchParams(hash).forEach(function (value, key) {
      var s = f[key];
      if (s && Array.prototype.some.call(s.options, function (o) { return o.value === value; })) {
        s.value = value;
      }
    });
  }
  apply();

  // Agendas: find, expand, collapse, open the one a link points to.
  var agendas = all('details.ag');
  $('p-search').addEventListener('input', function () {
    var q = this.value.trim().toLowerCase();
    agendas.forEach(function (d) { d.hidden = q !== '' && d.getAttribute('data-p').indexOf(q) < 0; });
  });
  $('p-open').addEventListener('click', function () { agendas.forEach(function (d) { d.open = true; }); });
  $('p-close').addEventListener('click', function () { agendas.forEach(function (d) { d.open = false; }); });
  function openTarget() {
    var id = location.hash.slice(1);
    var d = id.indexOf('=') < 0 && id !== '' ? $(id) : null;
    if (d && d.tagName === 'DETAILS') { d.open = true; }
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();

  // Print every agenda, then restore the reader's view.
  var reopened = [];
  window.addEventListener('beforeprint', function () {
    reopened = agendas.filter(function (d) { return !d.open; });
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });

  document.documentElement.setAttribute('data-ready', '1');
})();
"#;

/// One colour per priority class, from red (first class) to blue (last), so that the most
/// urgent visits stand out in agendas and tables.
fn class_colours(classes: usize) -> String {
    let mut out = String::new();
    for i in 0..classes {
        let hue = if classes > 1 {
            240.0 * i as f64 / (classes - 1) as f64
        } else {
            0.0
        };
        w!(out, ".k{i}{{--k:hsl({hue:.0} 70% 42%)}}");
    }
    out.push('\n');
    out
}

/// The whole page.
pub(super) fn page(v: &View) -> String {
    let inst = v.inst;
    let figures = figures::figures(v);
    let centres = centres::centres(v);
    let agendas = agendas::agendas(v);
    let unscheduled = unscheduled::unscheduled(v);
    let mut out = String::with_capacity(
        figures.len() + centres.len() + agendas.len() + unscheduled.len() + 16 * 1024,
    );
    let name = if v.plan.instance_name.is_empty() {
        &inst.name
    } else {
        &v.plan.instance_name
    };
    let week = inst.start_date.format("%a %-d %b %Y");
    w!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Plan {} · week of {week}</title><style>{CSS}{}{PRINT_DETAILS_CSS}</style></head><body>",
        esc(name),
        class_colours(inst.classes.len().max(v.score.classes.len()))
    );
    w!(
        out,
        "<header><h1>Convocation plan · week of {week}</h1><p>{} · {} days · {} centres · \
         {} professionals · {} requests</p>",
        esc(name),
        inst.days,
        inst.centres.len(),
        inst.professionals.len(),
        inst.requests.len()
    );
    if let Some(r) = &v.plan.solver_report {
        let status = SolveStatus::try_from(r.status).map_or("unknown", |s| match s {
            SolveStatus::Optimal => "optimal",
            SolveStatus::TimeLimit => "stopped at the time limit (valid plan, maybe not optimal)",
            SolveStatus::Trivial => "trivial",
            SolveStatus::Unspecified => "unspecified",
        });
        w!(
            out,
            "<p data-figure=\"solver\" data-status=\"{}\">Solver: {status}; priority counts {}; \
             {:.1} s</p>",
            SolveStatus::try_from(r.status).map_or("SOLVE_STATUS_UNSPECIFIED", |s| s.as_str_name()),
            if r.level1_optimal {
                "proven optimal"
            } else {
                "not proven optimal"
            },
            r.seconds
        );
    }
    out.push_str(
        "<nav class=\"noprint\"><a href=\"#figures\">Figures</a><a href=\"#centres\">Centres</a>\
         <a href=\"#agendas\">Agendas</a><a href=\"#unscheduled\">Unscheduled</a></nav></header><main>",
    );
    if v.score_recomputed {
        out.push_str(
            "<p class=\"warn\">The plan carries no score: the figures are recomputed from its \
             appointments.</p>",
        );
    } else if v.score_mismatch {
        out.push_str(
            "<p class=\"warn\" data-figure=\"score-mismatch\">The plan's score differs from the \
             one recomputed from its appointments: the figures show the plan's own score. \
             Run <code>convoplan validate</code> on this plan.</p>",
        );
    }
    if v.ignored > 0 {
        w!(
            out,
            "<p class=\"warn\">{} appointments refer to an unknown request or vacation, or \
             repeat a request, and are not shown.</p>",
            v.ignored
        );
    }
    for part in [&figures, &centres, &agendas, &unscheduled] {
        out.push_str(part);
    }
    w!(out, "</main><script>{JS}</script></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_class_is_red_and_last_blue() {
        let css = class_colours(3);
        assert!(css.starts_with(".k0{--k:hsl(0 70% 42%)}"));
        assert!(css.contains(".k2{--k:hsl(240 70% 42%)}"));
        assert_eq!(class_colours(1).trim(), ".k0{--k:hsl(0 70% 42%)}");
    }
}
