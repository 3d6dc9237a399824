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

/// The policy as the `serde_json::Value` that parsing [`to_json`]'s text gives, built directly:
/// the same members in the same order (a repeated key keeps its last value, as when parsing),
/// and each number read from its text as the parser reads it (a number it cannot read makes the
/// whole value `Null`, as a failed parse does).
pub(super) fn to_json_value(p: &Policy) -> serde_json::Value {
    use serde_json::{Map, Value};
    fn values(v: &Values) -> Value {
        match (v.scalar, v.items.as_slice()) {
            (true, [one]) => Value::String(one.to_string()),
            (_, items) => {
                Value::Array(items.iter().map(|s| Value::String(s.to_string())).collect())
            }
        }
    }
    fn condition_value(v: &ConditionValue) -> Option<Value> {
        Some(match v {
            ConditionValue::String(s) => Value::String(s.to_string()),
            ConditionValue::Number(n) => serde_json::from_str::<serde_json::Number>(n)
                .ok()
                .map(Value::Number)?,
            ConditionValue::Bool(b) => Value::Bool(*b),
        })
    }
    fn statement(s: &Statement) -> Option<Value> {
        let mut m = Map::new();
        if let Some(sid) = &s.sid {
            m.insert("Sid".into(), Value::String(sid.to_string()));
        }
        m.insert("Effect".into(), Value::String(s.effect.as_str().into()));
        if let Some(p) = &s.principal {
            let key = if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            let v = match &p.principal {
                Principal::Any => Value::String("*".into()),
                Principal::Map(entries) => {
                    let mut pm = Map::new();
                    for (kind, vs) in entries {
                        pm.insert(kind.as_str().into(), values(vs));
                    }
                    Value::Object(pm)
                }
            };
            m.insert(key.into(), v);
        }
        let key = if s.action.negated {
            "NotAction"
        } else {
            "Action"
        };
        m.insert(key.into(), values(&s.action.values));
        if let Some(r) = &s.resource {
            let key = if r.negated { "NotResource" } else { "Resource" };
            m.insert(key.into(), values(&r.values));
        }
        if s.has_condition || !s.condition.is_empty() {
            let mut cm = Map::new();
            for block in &s.condition {
                let mut bm = Map::new();
                for e in &block.entries {
                    let v = match (e.scalar, e.values.as_slice()) {
                        (true, [one]) => condition_value(one)?,
                        (_, vs) => Value::Array(
                            vs.iter()
                                .map(|v| condition_value(v))
                                .collect::<Option<Vec<Value>>>()?,
                        ),
                    };
                    bm.insert(e.key.to_string(), v);
                }
                cm.insert(block.operator.to_string(), Value::Object(bm));
            }
            m.insert("Condition".into(), Value::Object(cm));
        }
        Some(Value::Object(m))
    }
    let build = || -> Option<Value> {
        let mut m = Map::new();
        if let Some(v) = &p.version {
            m.insert("Version".into(), Value::String(v.as_str().into()));
        }
        if let Some(id) = &p.id {
            m.insert("Id".into(), Value::String(id.to_string()));
        }
        let st = match (p.statement_is_array, p.statements.as_slice()) {
            (false, [one]) => statement(one)?,
            (_, statements) => Value::Array(
                statements
                    .iter()
                    .map(statement)
                    .collect::<Option<Vec<Value>>>()?,
            ),
        };
        m.insert("Statement".into(), st);
        Some(Value::Object(m))
    };
    build().unwrap_or(Value::Null)
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

    /// The value built directly is the value of the text, for every policy of the real data set
    /// and for shapes it lacks (numbers of every form, escapes, `NotPrincipal`, a repeated
    /// operator, one statement not in an array).
    #[test]
    fn value_is_the_value_of_the_text() {
        let mut texts: Vec<String> = vec![
            r#"{"Id":"x"y\zé😀","Statement":{"Sid":"a","Effect":"Deny","NotPrincipal":{"AWS":["1","arn:aws:iam::1:root"],"Service":"s.amazonaws.com"},"NotAction":"s3:*","NotResource":["*"],"Condition":{"NumericLessThan":{"s3:max-keys":[10,1.5,-0,1e3,12345678901234567890123]},"Bool":{"aws:SecureTransport":false},"NumericLessThan ":{"k":"v"},"Null":{}}}}"#.into(),
            r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":[],"Condition":{}}]}"#.into(),
        ];
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/resource-policies");
        for e in std::fs::read_dir(dir).unwrap() {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(e.unwrap().path()).unwrap()).unwrap();
            for r in v.as_array().unwrap() {
                texts.push(r["policy"].to_string());
            }
        }
        let mut n = 0;
        for t in &texts {
            let Ok(p) = Policy::parse(t) else { continue };
            n += 1;
            let want: serde_json::Value =
                serde_json::from_str(&p.to_json()).unwrap_or(serde_json::Value::Null);
            assert_eq!(p.to_json_value(), want, "{t}");
            assert_eq!(
                serde_json::to_string(&p.to_json_value()).unwrap(),
                serde_json::to_string(&want).unwrap()
            );
        }
        assert!(n > 100, "{n} policies");
    }
}
