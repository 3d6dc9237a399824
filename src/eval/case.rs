//! The case format: a request with the policies that govern it, as JSON.
//!
//! ```json
//! {"request": {"principal": "arn:aws:iam::111122223333:role/app", "action": "s3:GetObject",
//!              "resource": "arn:aws:s3:::bucket/key", "resourceAccount": "444455556666",
//!              "context": {"aws:SourceIp": "203.0.113.7"}},
//!  "identityPolicies": [{…}], "resourcePolicy": {…}, "permissionBoundary": {…},
//!  "sessionPolicy": {…}, "serviceControlPolicies": [[…root…], […OU…], […account…]],
//!  "resourceControlPolicies": [[…]]}
//! ```
//!
//! `principal` is a string accepted by [`Caller::parse`] or an object such as
//! `{"Service": "s3.amazonaws.com"}`. `sessionPolicy` may be one policy or an array. Policies are
//! JSON objects, JSON strings holding a policy, or the wrappers AWS CLIs print. `description`,
//! `name` and `expect` are allowed and ignored by evaluation; any other field is an error, so
//! that a misspelt field is never silently dropped. See `docs/cli.md` for the full contract.

use super::decision::{evaluate, Evaluation, PolicySet, ReasonKind};
use super::request::{Caller, ContextValue, Request};
use crate::error::{quote, Error, ErrorKind};
use crate::policy::{CompiledPolicy, Policy};
use serde_json::{json, Map, Value};
use std::sync::Arc;

const CASE_FIELDS: &[&str] = &[
    "request",
    "identityPolicies",
    "resourcePolicy",
    "permissionBoundary",
    "sessionPolicy",
    "serviceControlPolicies",
    "resourceControlPolicies",
    "description",
    "name",
    "expect",
];
const REQUEST_FIELDS: &[&str] = &[
    "principal",
    "action",
    "resource",
    "resourceAccount",
    "context",
];

/// A request with the policies that govern it, in JSON form.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The caller, as text accepted by [`Caller::parse`].
    pub principal: Caller,
    /// The action.
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// The resource's account, if given.
    pub resource_account: Option<String>,
    /// Context keys and values (strings, numbers, booleans or arrays of them).
    pub context: Map<String, Value>,
    /// Identity-based policies.
    pub identity_policies: Vec<Value>,
    /// The resource-based policy.
    pub resource_policy: Option<Value>,
    /// The permissions boundary.
    pub permission_boundary: Option<Value>,
    /// Session policies.
    pub session_policies: Vec<Value>,
    /// SCPs, one list per level, root first.
    pub service_control_policies: Vec<Vec<Value>>,
    /// RCPs, one list per level, root first.
    pub resource_control_policies: Vec<Vec<Value>>,
}

fn input(msg: String) -> Error {
    Error::new(ErrorKind::Input, msg)
}

fn policy_list(v: &Value, field: &str) -> Result<Vec<Value>, Error> {
    match v {
        Value::Array(items) => Ok(items.clone()),
        Value::Null => Ok(Vec::new()),
        _ => Err(input(format!(
            "case field `{field}` must be an array of policies"
        ))),
    }
}

fn one_policy(v: &Value, field: &str) -> Result<Option<Value>, Error> {
    match v {
        Value::Null => Ok(None),
        Value::Object(_) | Value::String(_) => Ok(Some(v.clone())),
        _ => Err(input(format!(
            "case field `{field}` must be a policy (an object or a json string)"
        ))),
    }
}

fn levels(v: &Value, field: &str) -> Result<Vec<Vec<Value>>, Error> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(levels) => levels
            .iter()
            .enumerate()
            .map(|(i, l)| match l {
                Value::Array(ps) => Ok(ps.clone()),
                _ => Err(input(format!(
                    "case field `{field}` level {i} must be an array of policies (one array per organization level, root first)"
                ))),
            })
            .collect(),
        _ => Err(input(format!(
            "case field `{field}` must be an array of levels, each an array of policies"
        ))),
    }
}

fn caller_of(v: &Value) -> Result<Caller, Error> {
    match v {
        Value::String(s) => Caller::parse(s),
        Value::Object(m) if m.len() == 1 => {
            let (k, v) = m.iter().next().ok_or_else(|| input("empty principal".into()))?;
            let s = v
                .as_str()
                .ok_or_else(|| input(format!("request principal `{k}` must be a string")))?;
            match k.as_str() {
                "AWS" => Caller::parse(s),
                "Service" => Ok(Caller::Service {
                    name: s.to_ascii_lowercase(),
                }),
                "Federated" => Ok(Caller::Federated { provider: s.into() }),
                "CanonicalUser" => Ok(Caller::CanonicalUser { id: s.into() }),
                other => Err(input(format!(
                    "unknown principal type {} in request (expected `AWS`, `Service`, `Federated` or `CanonicalUser`)",
                    quote(other)
                ))),
            }
        }
        _ => Err(input(
            "request `principal` must be a string or an object with one key such as `{\"Service\": …}`"
                .into(),
        )),
    }
}

/// A case of one request whose caller's own policies, when it has any, grant exactly that
/// request: what an analysis builds for a witness. It holds no JSON, so building one and
/// checking its request stay cheap; [`SimpleCase::to_case`] gives the full [`Case`], and
/// [`SimpleCase::request`] is the request that case gives ([`Case::request`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SimpleCase {
    /// The caller.
    pub(crate) principal: Caller,
    /// The action.
    pub(crate) action: String,
    /// The resource ARN (the grants follow it).
    pub(crate) resource: String,
    /// The resource's account, if given.
    pub(crate) resource_account: Option<String>,
    /// Context keys as spelled, each once, sorted as a JSON object keeps them.
    context: Vec<(String, ContextValue)>,
    /// Whether the caller's identity policy grants the request (an IAM identity's account).
    pub(crate) identity_grant: bool,
    /// Whether a session policy grants it (a federated user's session).
    pub(crate) session_grant: bool,
}

impl SimpleCase {
    /// A case without context.
    pub(crate) fn new(
        principal: Caller,
        action: String,
        resource: String,
        resource_account: Option<String>,
    ) -> SimpleCase {
        SimpleCase {
            principal,
            action,
            resource,
            resource_account,
            context: Vec::new(),
            identity_grant: false,
            session_grant: false,
        }
    }

    /// Set a context key (replacing the value of the same key, spelled the same, as a JSON
    /// object does).
    pub(crate) fn set(&mut self, key: &str, value: ContextValue) {
        match self.context.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
            Ok(i) => {
                if let Some(slot) = self.context.get_mut(i) {
                    slot.1 = value;
                }
            }
            Err(i) => self.context.insert(i, (key.to_string(), value)),
        }
    }

    /// Whether the context has a key, in any case.
    pub(crate) fn has_key(&self, key: &str) -> bool {
        self.context
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(key))
    }

    /// The request, as [`Case::request`] reads it from [`SimpleCase::to_case`]: the context
    /// keys in the same order, with the same values.
    pub(crate) fn request(&self) -> Request {
        let mut b = Request::builder(self.principal.clone(), &self.action, &self.resource);
        if let Some(a) = &self.resource_account {
            b = b.resource_account(a);
        }
        for (k, v) in &self.context {
            b = b.context_value(k, v.clone());
        }
        b.build()
    }

    /// The full case: its context as JSON, and a policy granting exactly its request for each
    /// grant it has.
    pub(crate) fn to_case(&self) -> Case {
        let grant = || {
            json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": self.action, "Resource": self.resource}]
            })
        };
        let context = self
            .context
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    ContextValue::One(s) => Value::String(s.clone()),
                    ContextValue::Many(vs) => {
                        Value::Array(vs.iter().cloned().map(Value::String).collect())
                    }
                };
                (k.clone(), v)
            })
            .collect();
        Case {
            principal: self.principal.clone(),
            action: self.action.clone(),
            resource: self.resource.clone(),
            resource_account: self.resource_account.clone(),
            context,
            identity_policies: if self.identity_grant {
                vec![grant()]
            } else {
                Vec::new()
            },
            resource_policy: None,
            permission_boundary: None,
            session_policies: if self.session_grant {
                vec![grant()]
            } else {
                Vec::new()
            },
            service_control_policies: Vec::new(),
            resource_control_policies: Vec::new(),
        }
    }
}

fn context_value(key: &str, v: &Value) -> Result<ContextValue, Error> {
    let scalar = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| scalar(i).ok_or(()))
            .collect::<Result<Vec<_>, _>>()
            .map(ContextValue::Many)
            .map_err(|()| {
                input(format!(
                    "context key {} must hold strings, numbers or booleans",
                    quote(key)
                ))
            }),
        other => scalar(other).map(ContextValue::One).ok_or_else(|| {
            input(format!(
                "context key {} must be a string, number, boolean or an array of them",
                quote(key)
            ))
        }),
    }
}

impl Case {
    /// Read a case from JSON.
    ///
    /// # Errors
    /// [`ErrorKind::Input`] naming the field that is missing, unknown or of the wrong type.
    pub fn from_json_value(v: &Value) -> Result<Case, Error> {
        let obj = v
            .as_object()
            .ok_or_else(|| input("a case must be a json object".into()))?;
        for k in obj.keys() {
            if !CASE_FIELDS.contains(&k.as_str()) {
                return Err(input(format!("unknown case field {}", quote(k))));
            }
        }
        let req = obj
            .get("request")
            .and_then(Value::as_object)
            .ok_or_else(|| input("a case needs a `request` object".into()))?;
        for k in req.keys() {
            if !REQUEST_FIELDS.contains(&k.as_str()) {
                return Err(input(format!("unknown request field {}", quote(k))));
            }
        }
        let s = |field: &str| -> Result<String, Error> {
            req.get(field)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| input(format!("request needs a string `{field}`")))
        };
        let principal = caller_of(
            req.get("principal")
                .ok_or_else(|| input("request needs a `principal`".into()))?,
        )?;
        let context = match req.get("context") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    context_value(k, v)?;
                }
                m.clone()
            }
            Some(_) => return Err(input("request `context` must be an object".into())),
        };
        let resource_account = match req.get("resourceAccount") {
            None | Some(Value::Null) => None,
            Some(Value::String(a)) => Some(a.clone()),
            Some(_) => return Err(input("request `resourceAccount` must be a string".into())),
        };
        let null = Value::Null;
        let get = |k: &str| obj.get(k).unwrap_or(&null);
        let session = match get("sessionPolicy") {
            Value::Array(items) => items.clone(),
            other => one_policy(other, "sessionPolicy")?.into_iter().collect(),
        };
        Ok(Case {
            principal,
            action: s("action")?,
            resource: s("resource")?,
            resource_account,
            context,
            identity_policies: policy_list(get("identityPolicies"), "identityPolicies")?,
            resource_policy: one_policy(get("resourcePolicy"), "resourcePolicy")?,
            permission_boundary: one_policy(get("permissionBoundary"), "permissionBoundary")?,
            session_policies: session,
            service_control_policies: levels(
                get("serviceControlPolicies"),
                "serviceControlPolicies",
            )?,
            resource_control_policies: levels(
                get("resourceControlPolicies"),
                "resourceControlPolicies",
            )?,
        })
    }

    /// The case as JSON (the input format of `perimeter eval`).
    pub fn to_json_value(&self) -> Value {
        self.clone().into_json_value()
    }

    /// [`Case::to_json_value`], moving the parts rather than copying them.
    pub(crate) fn into_json_value(self) -> Value {
        let mut request = Map::new();
        let principal = match &self.principal {
            Caller::Service { name } => json!({ "Service": name }),
            Caller::CanonicalUser { id } => json!({ "CanonicalUser": id }),
            other => Value::String(other.to_text()),
        };
        request.insert("principal".into(), principal);
        request.insert("action".into(), Value::String(self.action));
        request.insert("resource".into(), Value::String(self.resource));
        if let Some(a) = self.resource_account {
            request.insert("resourceAccount".into(), Value::String(a));
        }
        if !self.context.is_empty() {
            request.insert("context".into(), Value::Object(self.context));
        }
        let mut out = Map::new();
        out.insert("request".into(), Value::Object(request));
        if !self.identity_policies.is_empty() {
            out.insert(
                "identityPolicies".into(),
                Value::Array(self.identity_policies),
            );
        }
        if let Some(p) = self.resource_policy {
            out.insert("resourcePolicy".into(), p);
        }
        if let Some(p) = self.permission_boundary {
            out.insert("permissionBoundary".into(), p);
        }
        let mut session = self.session_policies;
        match session.len() {
            0 => {}
            1 => {
                if let Some(one) = session.pop() {
                    out.insert("sessionPolicy".into(), one);
                }
            }
            _ => {
                out.insert("sessionPolicy".into(), Value::Array(session));
            }
        }
        let lv = |l: Vec<Vec<Value>>| Value::Array(l.into_iter().map(Value::Array).collect());
        if !self.service_control_policies.is_empty() {
            out.insert(
                "serviceControlPolicies".into(),
                lv(self.service_control_policies),
            );
        }
        if !self.resource_control_policies.is_empty() {
            out.insert(
                "resourceControlPolicies".into(),
                lv(self.resource_control_policies),
            );
        }
        Value::Object(out)
    }

    /// The request of the case.
    ///
    /// # Errors
    /// [`ErrorKind::Input`] for a malformed context value.
    pub fn request(&self) -> Result<Request, Error> {
        let mut b = Request::builder(self.principal.clone(), &self.action, &self.resource);
        if let Some(a) = &self.resource_account {
            b = b.resource_account(a);
        }
        for (k, v) in &self.context {
            b = b.context_value(k, context_value(k, v)?);
        }
        Ok(b.build())
    }

    /// Compile the policies and evaluate (for one-off use; batches should share a
    /// [`CaseCompiler`]).
    ///
    /// # Errors
    /// A policy that does not parse, or a malformed request.
    pub fn evaluate(&self) -> Result<Evaluation, Error> {
        CaseCompiler::new().evaluate(self)
    }
}

/// Compiles the policies of many cases, each distinct policy once.
#[derive(Debug, Default)]
pub struct CaseCompiler {
    cache: ahash::AHashMap<String, Arc<CompiledPolicy>>,
}

impl CaseCompiler {
    /// A compiler with an empty cache.
    pub fn new() -> CaseCompiler {
        CaseCompiler::default()
    }

    /// Compile one policy value (cached by its canonical JSON text).
    ///
    /// # Errors
    /// The policy's parse error.
    pub fn compile(&mut self, v: &Value) -> Result<Arc<CompiledPolicy>, Error> {
        let key = serde_json::to_string(v).unwrap_or_default();
        if let Some(p) = self.cache.get(&key) {
            return Ok(p.clone());
        }
        let p = Arc::new(Policy::from_json_value(v)?.compile()?);
        self.cache.insert(key, p.clone());
        Ok(p)
    }

    /// Build the policy set of a case.
    ///
    /// # Errors
    /// The first policy that does not parse, with the field it came from.
    pub fn policy_set(&mut self, case: &Case) -> Result<PolicySet, Error> {
        let mut one = |v: &Value, field: String| {
            self.compile(v)
                .map_err(|e| e.context(&format!("{field}: ")))
        };
        let mut set = PolicySet::default();
        for (i, p) in case.identity_policies.iter().enumerate() {
            set.identity.push(one(p, format!("identityPolicies[{i}]"))?);
        }
        if let Some(p) = &case.resource_policy {
            set.resource = Some(one(p, "resourcePolicy".into())?);
        }
        if let Some(p) = &case.permission_boundary {
            set.permission_boundary = Some(one(p, "permissionBoundary".into())?);
        }
        for (i, p) in case.session_policies.iter().enumerate() {
            set.session.push(one(p, format!("sessionPolicy[{i}]"))?);
        }
        for (l, level) in case.service_control_policies.iter().enumerate() {
            let mut out = Vec::new();
            for (i, p) in level.iter().enumerate() {
                out.push(one(p, format!("serviceControlPolicies[{l}][{i}]"))?);
            }
            set.service_control.push(out);
        }
        for (l, level) in case.resource_control_policies.iter().enumerate() {
            let mut out = Vec::new();
            for (i, p) in level.iter().enumerate() {
                out.push(one(p, format!("resourceControlPolicies[{l}][{i}]"))?);
            }
            set.resource_control.push(out);
        }
        Ok(set)
    }

    /// Evaluate a case.
    ///
    /// # Errors
    /// A policy that does not parse, or a malformed request.
    pub fn evaluate(&mut self, case: &Case) -> Result<Evaluation, Error> {
        let set = self.policy_set(case)?;
        Ok(evaluate(&case.request()?, &set))
    }
}

impl Evaluation {
    /// The JSON form written by `perimeter eval`:
    /// `{"decision": "Allow", "reasons": [{"type": "allowed", "layer": "identity", …}]}`.
    pub fn to_json_value(&self) -> Value {
        let reasons: Vec<Value> = self
            .reasons
            .iter()
            .map(|r| {
                let mut m = Map::new();
                let kind = match r.kind {
                    ReasonKind::Allowed => "allowed",
                    ReasonKind::Denied => "denied",
                    ReasonKind::NoAllow => "noAllow",
                };
                m.insert("type".into(), kind.into());
                m.insert("layer".into(), r.layer.name().into());
                if let Some(l) = r.layer.level() {
                    m.insert("level".into(), l.into());
                }
                if let Some(p) = r.policy {
                    m.insert("policy".into(), p.into());
                }
                if let Some(n) = &r.policy_name {
                    m.insert("policyName".into(), n.to_string().into());
                }
                if let Some(s) = r.statement {
                    m.insert("statement".into(), s.into());
                }
                if let Some(s) = &r.sid {
                    m.insert("sid".into(), s.to_string().into());
                }
                Value::Object(m)
            })
            .collect();
        json!({ "decision": self.decision.as_str(), "reasons": reasons })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simple_case_asks_what_its_case_asks() {
        // The analysis checks a witness with `SimpleCase::request` and writes it with
        // `to_case`: the two must be one request, whatever the keys, values and caller.
        let mut c = SimpleCase::new(
            Caller::parse("arn:aws:sts::444455556666:assumed-role/r/s").unwrap(),
            "kms:Decrypt".into(),
            "arn:aws:kms:us-east-1:111122223333:key/k".into(),
            None,
        );
        c.identity_grant = true;
        c.set(
            "aws:PrincipalArn",
            ContextValue::One("arn:aws:iam::444455556666:role/p/r".into()),
        );
        c.set("aws:SourceVpce", ContextValue::One("vpce-1".into()));
        // Two spellings of one key: the one a JSON object sorts last is the one read.
        c.set("aws:sourcevpce", ContextValue::One("vpce-2".into()));
        c.set(
            "aws:TagKeys",
            ContextValue::Many(vec!["a".into(), "b".into()]),
        );
        c.set("aws:TagKeys", ContextValue::Many(vec!["c".into()]));
        let req = c.request();
        assert_eq!(req, c.to_case().request().unwrap());
        assert_eq!(
            req.context().get("aws:SourceVpce").and_then(|v| v.as_one()),
            Some("vpce-2")
        );
        assert_eq!(
            req.context().get("aws:TagKeys"),
            Some(&ContextValue::Many(vec!["c".into()]))
        );
        assert!(c.has_key("AWS:SOURCEVPCE") && !c.has_key("aws:SourceIp"));
        assert_eq!(c.to_case().identity_policies.len(), 1);
        assert!(c.to_case().session_policies.is_empty());
        let mut at = c.clone();
        at.resource = "arn:aws:kms:us-east-1:111122223333:key/other".into();
        assert_eq!(at.request(), at.to_case().request().unwrap());
        assert_eq!(
            at.to_case().identity_policies[0]["Statement"][0]["Resource"],
            "arn:aws:kms:us-east-1:111122223333:key/other"
        );
    }
}
