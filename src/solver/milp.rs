//! The base MILP, written with good_lp and handed to HiGHS: one binary per compatible
//! (request, vacation, mode), one binary per (vacation, room) a centre vacation may hold.
//! The constraint families live in their own files ([`super::capacity`],
//! [`super::rooms`]); the objectives of the lexicographic stages are set later, on the
//! HiGHS model itself ([`super::stages`]).

use super::compat::Compatibility;
use super::{capacity, rooms};
use crate::model::{Instance, Mode};
use good_lp::{variable, Constraint, Expression, ProblemVariables, SolverModel, Variable};

/// An assignment column: request `request` in vacation `vacation` with `mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XCol {
    /// Request index.
    pub request: usize,
    /// Vacation index.
    pub vacation: usize,
    /// Index of the option in `Compatibility::options[request]`.
    pub option: usize,
    /// Mode.
    pub mode: Mode,
    /// Minutes it takes in that vacation.
    pub minutes: u32,
}

/// A room column: vacation `vacation` holds room `room`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YCol {
    /// Vacation index.
    pub vacation: usize,
    /// Room index.
    pub room: usize,
}

/// A capacity pattern column: vacation `vacation` takes at most `count` appointments of
/// each length `(minutes, count)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZCol {
    /// Vacation index.
    pub vacation: usize,
    /// Appointments allowed per length.
    pub counts: Vec<(u32, u32)>,
}

/// The variables of the base model, while it is being built.
pub struct Builder<'a> {
    /// The instance.
    pub instance: &'a Instance,
    /// Its compatibility.
    pub compat: &'a Compatibility,
    /// good_lp variables.
    pub vars: ProblemVariables,
    /// Assignment columns and their variables.
    pub x: Vec<(XCol, Variable)>,
    /// Room columns and their variables.
    pub y: Vec<(YCol, Variable)>,
    /// Assignment columns per vacation (indexes into `x`).
    pub x_by_vacation: Vec<Vec<usize>>,
    /// Room columns per vacation (indexes into `y`).
    pub y_by_vacation: Vec<Vec<usize>>,
    /// Capacity pattern columns, created after the "scheduled" ones.
    pub z: Vec<(ZCol, Variable)>,
    /// Rows collected so far.
    pub constraints: Vec<Constraint>,
}

impl Builder<'_> {
    /// Sum of room variables of vacation `v` restricted to `rooms` (all when `None`).
    pub fn rooms_expr(&self, v: usize, rooms: Option<&[usize]>) -> Expression {
        let mut e = Expression::with_capacity(self.y_by_vacation[v].len());
        for &j in &self.y_by_vacation[v] {
            let (col, var) = self.y[j];
            if rooms.is_none_or(|r| r.contains(&col.room)) {
                e.add_mul(1.0, var);
            }
        }
        e
    }
}

/// The meaning of the base model's columns.
pub struct Milp {
    /// Assignment columns, at column indexes `0..x.len()`.
    pub x: Vec<XCol>,
    /// Room columns, at column indexes `x.len()..x.len() + y.len()`.
    pub y: Vec<YCol>,
    /// Assignment columns per request.
    pub x_by_request: Vec<Vec<usize>>,
    /// Column of the "scheduled" indicator `s[r] = Σ x[r, ·]` of each request with an
    /// option, after the room columns. Counts of classes and companies are written on
    /// these: a row over a class's `x` would hold every option of every request (tens of
    /// thousands of entries), which HiGHS's presolve handles in quadratic time.
    pub s_by_request: Vec<Option<usize>>,
    /// Capacity pattern columns, after the "scheduled" ones.
    pub z: Vec<ZCol>,
    /// Rows in the base model.
    pub rows: usize,
    /// Vacations whose capacity may bind but is a knapsack row, not patterns (too many):
    /// there the LP is weaker than the pattern LP the dive works on.
    pub knapsack_vacations: usize,
}

impl Milp {
    /// Column index of room column `j`.
    pub fn y_col(&self, j: usize) -> usize {
        self.x.len() + j
    }
    /// Column index of pattern column `j`.
    pub fn z_col(&self, j: usize) -> usize {
        self.x.len() + self.y.len() + self.s_by_request.iter().flatten().count() + j
    }
    /// Number of columns of the base model.
    pub fn cols(&self) -> usize {
        self.z_col(self.z.len())
    }
}

/// Builds the base model of H1-H7 over the compatible options.
pub fn build(instance: &Instance, compat: &Compatibility) -> Result<(highs::Model, Milp), String> {
    let nv = instance.vacations.len();
    let mut b = Builder {
        instance,
        compat,
        vars: ProblemVariables::new(),
        x: Vec::with_capacity(compat.pairs()),
        y: Vec::new(),
        x_by_vacation: vec![Vec::new(); nv],
        y_by_vacation: vec![Vec::new(); nv],
        z: Vec::new(),
        constraints: Vec::new(),
    };
    // x first so that column i of HiGHS is x[i]; y after.
    let mut x_by_request = vec![Vec::new(); instance.requests.len()];
    for (r, opts) in compat.options.iter().enumerate() {
        for (i, o) in opts.iter().enumerate() {
            let modes = [
                (!o.rooms.is_empty(), Mode::InPerson),
                (o.tele, Mode::Teleconsultation),
            ];
            for (ok, mode) in modes {
                if ok {
                    let var = b.vars.add(variable().binary());
                    x_by_request[r].push(b.x.len());
                    b.x_by_vacation[o.vacation].push(b.x.len());
                    b.x.push((
                        XCol {
                            request: r,
                            vacation: o.vacation,
                            option: i,
                            mode,
                            minutes: o.minutes,
                        },
                        var,
                    ));
                }
            }
        }
    }
    for v in 0..nv {
        if instance.vacations[v].needs_room() && !b.x_by_vacation[v].is_empty() {
            for &room in &compat.vacation_rooms[v] {
                let var = b.vars.add(variable().binary());
                b.y_by_vacation[v].push(b.y.len());
                b.y.push((YCol { vacation: v, room }, var));
            }
        }
    }
    // H1: at most one appointment per request, s[r] = Σ x[r, ·] <= 1.
    let first_s = b.x.len() + b.y.len();
    let mut s_by_request = vec![None; instance.requests.len()];
    let mut next = first_s;
    for (r, cols) in x_by_request.iter().enumerate() {
        if cols.is_empty() {
            continue;
        }
        let s = b.vars.add(variable().binary());
        s_by_request[r] = Some(next);
        next += 1;
        let mut e = Expression::with_capacity(cols.len() + 1);
        for &i in cols {
            e.add_mul(1.0, b.x[i].1);
        }
        e.add_mul(-1.0, s);
        b.constraints.push(e.eq(0.0));
    }
    let knapsack_vacations = capacity::add(&mut b);
    rooms::add(&mut b);

    let rows = b.constraints.len();
    let Builder {
        vars,
        x,
        y,
        z,
        constraints,
        ..
    } = b;
    let mut problem = vars
        .maximise(Expression::with_capacity(0))
        .using(good_lp::solvers::highs::highs);
    for c in constraints {
        problem.add_constraint(c);
    }
    let model = problem
        .try_into_inner()
        .map_err(|e| format!("building the HiGHS model: {e}"))?;
    Ok((
        model,
        Milp {
            x: x.into_iter().map(|(c, _)| c).collect(),
            y: y.into_iter().map(|(c, _)| c).collect(),
            x_by_request,
            s_by_request,
            z: z.into_iter().map(|(c, _)| c).collect(),
            rows,
            knapsack_vacations,
        },
    ))
}
