//! From the policy model back to JSON text.
//!
//! Elements are written in the conventional order (`Version`, `Id`, `Statement`; `Sid`, `Effect`,
//! principal, action, resource, `Condition`), and lists keep the scalar or array form they were
//! written in, so a parsed policy serializes to text that parses back to an equal model.

use super::{ConditionValue, ListElement, Policy, Principal, PrincipalElement, Statement, Values};
use crate::json::write_string;

struct Writer {
    out: String,
    pretty: bool,
    depth: usize,
}

impl Writer {
    fn newline(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("  ");
            }
        }
    }

    fn key(&mut self, key: &str) {
        write_string(&mut self.out, key);
        self.out.push(':');
        if self.pretty {
            self.out.push(' ');
        }
    }

    /// Write an object from a list of members, each written by a closure.
    fn object(&mut self, members: Vec<(&str, Box<dyn FnOnce(&mut Writer) + '_>)>) {
        self.out.push('{');
        self.depth += 1;
        let n = members.len();
        for (i, (k, f)) in members.into_iter().enumerate() {
            self.newline();
            self.key(k);
            f(self);
            if i + 1 < n {
                self.out.push(',');
            }
        }
        self.depth -= 1;
        if n > 0 {
            self.newline();
        }
        self.out.push('}');
    }

    fn array<T>(&mut self, items: &[T], mut f: impl FnMut(&mut Writer, &T)) {
        self.out.push('[');
        self.depth += 1;
        for (i, item) in items.iter().enumerate() {
            self.newline();
            f(self, item);
            if i + 1 < items.len() {
                self.out.push(',');
            }
        }
        self.depth -= 1;
        if !items.is_empty() {
            self.newline();
        }
        self.out.push(']');
    }

    fn values(&mut self, v: &Values) {
        match (v.scalar, v.items.first()) {
            (true, Some(one)) if v.items.len() == 1 => write_string(&mut self.out, one),
            _ => self.array(&v.items, |w, s| write_string(&mut w.out, s)),
        }
    }
}

fn principal(w: &mut Writer, p: &PrincipalElement) {
    match &p.principal {
        Principal::Any => write_string(&mut w.out, "*"),
        Principal::Map(entries) => w.object(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        k.value.as_str(),
                        Box::new(move |w: &mut Writer| w.values(v)) as Box<dyn FnOnce(&mut Writer)>,
                    )
                })
                .collect(),
        ),
    }
}

fn condition_value(w: &mut Writer, v: &ConditionValue) {
    match v {
        ConditionValue::String(s) => write_string(&mut w.out, s),
        ConditionValue::Number(n) => w.out.push_str(n),
        ConditionValue::Bool(b) => w.out.push_str(if *b { "true" } else { "false" }),
    }
}

fn statement(w: &mut Writer, s: &Statement) {
    let mut members: Vec<(&str, Box<dyn FnOnce(&mut Writer) + '_>)> = Vec::new();
    if let Some(sid) = &s.sid {
        members.push(("Sid", Box::new(move |w| write_string(&mut w.out, sid))));
    }
    members.push((
        "Effect",
        Box::new(move |w| write_string(&mut w.out, s.effect.as_str())),
    ));
    if let Some(p) = &s.principal {
        let k = if p.negated {
            "NotPrincipal"
        } else {
            "Principal"
        };
        members.push((k, Box::new(move |w| principal(w, p))));
    }
    let list = |e: &ListElement, pos: &'static str, neg: &'static str| -> (&'static str, Values) {
        (if e.negated { neg } else { pos }, e.values.clone())
    };
    let (ak, av) = list(&s.action, "Action", "NotAction");
    members.push((ak, Box::new(move |w| w.values(&av))));
    if let Some(r) = &s.resource {
        let (rk, rv) = list(r, "Resource", "NotResource");
        members.push((rk, Box::new(move |w| w.values(&rv))));
    }
    if s.has_condition || !s.condition.is_empty() {
        members.push((
            "Condition",
            Box::new(move |w| {
                let ops: Vec<(String, &super::ConditionBlock)> = s
                    .condition
                    .iter()
                    .map(|b| (b.operator.to_string(), b))
                    .collect();
                w.object(
                    ops.iter()
                        .map(|(name, b)| {
                            (
                                name.as_str(),
                                Box::new(move |w: &mut Writer| {
                                    w.object(
                                        b.entries
                                            .iter()
                                            .map(|e| {
                                                (
                                                    e.key.value.as_str(),
                                                    Box::new(move |w: &mut Writer| {
                                                        match (e.scalar, e.values.first()) {
                                                            (true, Some(v))
                                                                if e.values.len() == 1 =>
                                                            {
                                                                condition_value(w, v)
                                                            }
                                                            _ => w.array(&e.values, |w, v| {
                                                                condition_value(w, v)
                                                            }),
                                                        }
                                                    })
                                                        as Box<dyn FnOnce(&mut Writer)>,
                                                )
                                            })
                                            .collect(),
                                    )
                                }) as Box<dyn FnOnce(&mut Writer)>,
                            )
                        })
                        .collect(),
                )
            }),
        ));
    }
    w.object(members);
}

pub(super) fn to_json(p: &Policy, pretty: bool) -> String {
    let mut w = Writer {
        out: String::new(),
        pretty,
        depth: 0,
    };
    let mut members: Vec<(&str, Box<dyn FnOnce(&mut Writer) + '_>)> = Vec::new();
    if let Some(v) = &p.version {
        members.push((
            "Version",
            Box::new(move |w| write_string(&mut w.out, v.as_str())),
        ));
    }
    if let Some(id) = &p.id {
        members.push(("Id", Box::new(move |w| write_string(&mut w.out, id))));
    }
    members.push((
        "Statement",
        Box::new(
            move |w| match (p.statement_is_array, p.statements.first()) {
                (false, Some(s)) if p.statements.len() == 1 => statement(w, s),
                _ => w.array(&p.statements, statement),
            },
        ),
    ));
    w.object(members);
    w.out
}
