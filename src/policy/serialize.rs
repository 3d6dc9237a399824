//! From the policy model back to JSON text.
//!
//! Elements are written in the conventional order (`Version`, `Id`, `Statement`; `Sid`, `Effect`,
//! principal, action, resource, `Condition`), and lists keep the scalar or array form they were
//! written in, so a parsed policy serializes to text that parses back to an equal model.

use super::{ConditionEntry, ConditionValue, Policy, Principal, Statement, Values};
use crate::json::write_string;

/// A JSON writer that tracks indentation and commas.
struct Writer {
    out: String,
    pretty: bool,
    depth: usize,
    /// Whether the current container already has an item (so the next needs a comma).
    has_item: Vec<bool>,
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

    fn open(&mut self, c: char) {
        self.out.push(c);
        self.depth += 1;
        self.has_item.push(false);
    }

    fn close(&mut self, c: char) {
        self.depth = self.depth.saturating_sub(1);
        if self.has_item.pop() == Some(true) {
            self.newline();
        }
        self.out.push(c);
    }

    /// Start the next item of the current container.
    fn item(&mut self) {
        if let Some(has) = self.has_item.last_mut() {
            if *has {
                self.out.push(',');
            }
            *has = true;
        }
        self.newline();
    }

    fn key(&mut self, key: &str) {
        self.item();
        write_string(&mut self.out, key);
        self.out.push(':');
        if self.pretty {
            self.out.push(' ');
        }
    }

    fn string(&mut self, s: &str) {
        write_string(&mut self.out, s);
    }

    fn values(&mut self, v: &Values) {
        match (v.scalar, v.items.as_slice()) {
            (true, [one]) => self.string(one),
            (_, items) => {
                self.open('[');
                for s in items {
                    self.item();
                    self.string(s);
                }
                self.close(']');
            }
        }
    }

    fn condition_value(&mut self, v: &ConditionValue) {
        match v {
            ConditionValue::String(s) => self.string(s),
            ConditionValue::Number(n) => self.out.push_str(n),
            ConditionValue::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
        }
    }

    fn condition_entry(&mut self, e: &ConditionEntry) {
        self.key(&e.key);
        match (e.scalar, e.values.as_slice()) {
            (true, [one]) => self.condition_value(one),
            (_, values) => {
                self.open('[');
                for v in values {
                    self.item();
                    self.condition_value(v);
                }
                self.close(']');
            }
        }
    }

    fn statement(&mut self, s: &Statement) {
        self.open('{');
        if let Some(sid) = &s.sid {
            self.key("Sid");
            self.string(sid);
        }
        self.key("Effect");
        self.string(s.effect.as_str());
        if let Some(p) = &s.principal {
            self.key(if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            });
            match &p.principal {
                Principal::Any => self.string("*"),
                Principal::Map(entries) => {
                    self.open('{');
                    for (kind, values) in entries {
                        self.key(kind.as_str());
                        self.values(values);
                    }
                    self.close('}');
                }
            }
        }
        self.key(if s.action.negated {
            "NotAction"
        } else {
            "Action"
        });
        self.values(&s.action.values);
        if let Some(r) = &s.resource {
            self.key(if r.negated { "NotResource" } else { "Resource" });
            self.values(&r.values);
        }
        if s.has_condition || !s.condition.is_empty() {
            self.key("Condition");
            self.open('{');
            for block in &s.condition {
                self.key(&block.operator.to_string());
                self.open('{');
                for e in &block.entries {
                    self.condition_entry(e);
                }
                self.close('}');
            }
            self.close('}');
        }
        self.close('}');
    }
}

pub(super) fn to_json(p: &Policy, pretty: bool) -> String {
    let mut w = Writer {
        out: String::new(),
        pretty,
        depth: 0,
        has_item: Vec::new(),
    };
    w.open('{');
    if let Some(v) = &p.version {
        w.key("Version");
        w.string(v.as_str());
    }
    if let Some(id) = &p.id {
        w.key("Id");
        w.string(id);
    }
    w.key("Statement");
    match (p.statement_is_array, p.statements.as_slice()) {
        (false, [one]) => w.statement(one),
        (_, statements) => {
            w.open('[');
            for s in statements {
                w.item();
                w.statement(s);
            }
            w.close(']');
        }
    }
    w.close('}');
    w.out
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;

    #[test]
    fn writes_conventional_order_and_keeps_forms() {
        let text = r#"{"Statement":{"Action":["s3:GetObject"],"Effect":"Allow","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":[true]}}},"Version":"2012-10-17"}"#;
        let p = Policy::parse(text).unwrap();
        assert_eq!(
            p.to_json(),
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":[true]}}}}"#
        );
        let pretty = p.to_json_pretty();
        assert!(
            pretty.contains("\n  \"Statement\": {\n    \"Effect\": \"Allow\","),
            "{pretty}"
        );
        assert_eq!(Policy::parse(&pretty).unwrap(), p);
    }
}
