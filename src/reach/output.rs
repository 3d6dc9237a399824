//! What the analysis answers with: principals and nodes, hops with their requests, and
//! `TransitiveAccess` findings; rendered as JSON, a tree for the terminal, and Graphviz DOT.

use super::decide::Witness;
use super::graph::HopKind;
use crate::analyze::Status;
use crate::error::{quote, Error, ErrorKind};
use crate::eval::{Caller, Case, ContextValue, Layer, ReasonKind};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Who holds a node of the graph.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
#[non_exhaustive]
pub enum Principal {
    /// Anyone outside the zone of trust (`{"AWS": "*"}`).
    Anyone,
    /// Any principal of an account outside the zone (`{"AWS": "444455556666"}`).
    Account {
        /// The account id.
        id: String,
    },
    /// Whoever an identity provider vouches for (`{"Federated": …}`): a SAML or OIDC provider
    /// ARN, or a web identity provider such as `accounts.google.com`.
    Federated {
        /// The provider.
        provider: String,
    },
    /// An IAM user of the account (its credentials).
    User {
        /// The user ARN.
        arn: String,
    },
    /// A session of an IAM role of the account.
    Role {
        /// The role ARN.
        arn: String,
        /// The session name.
        session: String,
    },
}

impl Principal {
    /// Read a principal: `*` or `anyone`, an account id, a provider (ARN or host), a user ARN,
    /// or a role ARN (optionally `ROLE_ARN@SESSION`).
    ///
    /// # Errors
    /// [`ErrorKind::Input`] for text that names none of these.
    ///
    /// ```
    /// use perimeter::reach::Principal;
    /// assert_eq!(Principal::parse("444455556666")?, Principal::Account { id: "444455556666".into() });
    /// assert_eq!(Principal::parse("*")?, Principal::Anyone);
    /// # Ok::<(), perimeter::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Principal, Error> {
        let t = text.trim();
        if t == "*" || t.eq_ignore_ascii_case("anyone") {
            return Ok(Principal::Anyone);
        }
        if crate::arn::is_account_id(t) {
            return Ok(Principal::Account { id: t.into() });
        }
        if t.contains(":saml-provider/") || t.contains(":oidc-provider/") {
            return Ok(Principal::Federated { provider: t.into() });
        }
        if t.contains(":user/") {
            return Ok(Principal::User { arn: t.into() });
        }
        if t.contains(":role/") {
            let (arn, session) = match t.split_once('@') {
                Some((a, s)) => (a, s),
                None => (t, super::account::DEFAULT_SESSION),
            };
            return Ok(Principal::Role {
                arn: arn.into(),
                session: session.into(),
            });
        }
        if !t.starts_with("arn:") && t.contains('.') && !t.contains(char::is_whitespace) {
            return Ok(Principal::Federated { provider: t.into() });
        }
        Err(Error::new(
            ErrorKind::Input,
            format!(
                "{} names no principal: expected `*`, an account id, an identity provider, or a user or role arn",
                quote(text)
            ),
        ))
    }

    /// Whether the principal is outside the zone (the analysis only creates external
    /// principals for accounts outside it).
    pub fn is_external(&self) -> bool {
        matches!(
            self,
            Principal::Anyone | Principal::Account { .. } | Principal::Federated { .. }
        )
    }

    /// The principal as Access Analyzer writes it in findings: `{"AWS": "*"}`,
    /// `{"AWS": "444455556666"}`, `{"Federated": …}`, or the user or role ARN.
    pub fn to_finding_principal(&self) -> BTreeMap<String, String> {
        let (k, v) = match self {
            Principal::Anyone => ("AWS", "*".to_string()),
            Principal::Account { id } => ("AWS", id.clone()),
            Principal::Federated { provider } => ("Federated", provider.clone()),
            Principal::User { arn } => ("AWS", arn.clone()),
            Principal::Role { arn, .. } => ("AWS", arn.clone()),
        };
        BTreeMap::from([(k.to_string(), v)])
    }

    /// A one-line label: `anyone`, `account 444455556666`, the provider, the user ARN, or the
    /// role ARN with its session.
    pub fn label(&self) -> String {
        match self {
            Principal::Anyone => "anyone".into(),
            Principal::Account { id } => format!("account {id}"),
            Principal::Federated { provider } => format!("federated {provider}"),
            Principal::User { arn } => arn.clone(),
            Principal::Role { arn, session } if session == super::account::DEFAULT_SESSION => {
                arn.clone()
            }
            Principal::Role { arn, session } => format!("{arn} (session {session})"),
        }
    }

    /// The ARN of the user or role, if it is one.
    pub fn arn(&self) -> Option<&str> {
        match self {
            Principal::User { arn } | Principal::Role { arn, .. } => Some(arn),
            _ => None,
        }
    }
}

/// A policy a path added to a user or role.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
#[non_exhaustive]
pub enum AddedPolicy {
    /// A policy of the path's choosing (an inline policy, a new policy version, or
    /// `AdministratorAccess`).
    Any,
    /// A managed policy of the account.
    Managed {
        /// The policy ARN.
        arn: String,
    },
    /// Membership of a group.
    Group {
        /// The group name.
        name: String,
    },
}

/// A node of the graph: a principal, and the policy the path added to it, if any.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// Who.
    pub principal: Principal,
    /// The policy the path added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_policy: Option<AddedPolicy>,
}

impl Node {
    /// A one-line label.
    pub fn label(&self) -> String {
        match &self.added_policy {
            None => self.principal.label(),
            Some(AddedPolicy::Any) => format!("{} + any policy", self.principal.label()),
            Some(AddedPolicy::Managed { arn }) => format!("{} + {arn}", self.principal.label()),
            Some(AddedPolicy::Group { name }) => {
                format!("{} + group {name}", self.principal.label())
            }
        }
    }
}

/// A statement that allowed a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantingStatement {
    /// `identity`, `resource`, `permissionBoundary`, `serviceControl`, ….
    pub layer: String,
    /// The policy: a managed policy ARN, `trust policy`, `resource policy`, an inline policy's
    /// label.
    pub policy: String,
    /// The statement's index in its policy.
    pub index: usize,
    /// The statement's `Sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// One request of a hop: a request `eval` allows, with the statements that allow it and the
/// condition values it needs.
#[derive(Clone, Debug)]
pub struct HopRequest {
    pub(crate) witness: Witness,
}

fn context_json(v: &ContextValue) -> Value {
    match v {
        ContextValue::One(s) => Value::String(s.clone()),
        ContextValue::Many(vs) => Value::Array(vs.iter().cloned().map(Value::String).collect()),
    }
}

impl HopRequest {
    /// The action.
    pub fn action(&self) -> &str {
        &self.witness.action
    }

    /// The resource ARN.
    pub fn resource(&self) -> &str {
        &self.witness.resource
    }

    /// The caller.
    pub fn caller(&self) -> &Caller {
        &self.witness.caller
    }

    /// The request with every policy that governs it, in `perimeter eval`'s case format.
    pub fn case(&self) -> Case {
        let w = &self.witness;
        let policy_json = |p: &super::account::Shared| p.policy().to_json_value();
        let mut context = Map::new();
        for (k, v) in w.context_all() {
            context.insert(k.clone(), context_json(v));
        }
        Case {
            principal: (*w.caller).clone(),
            action: w.action.to_string(),
            resource: w.resource.to_string(),
            resource_account: Some(w.resource_account.to_string()),
            context,
            identity_policies: w.identity.iter().map(policy_json).collect(),
            resource_policy: w.resource_policy.as_ref().map(policy_json),
            permission_boundary: w.boundary.as_ref().map(policy_json),
            session_policies: Vec::new(),
            service_control_policies: w
                .scp
                .iter()
                .map(|l| l.iter().map(policy_json).collect())
                .collect(),
            resource_control_policies: w
                .rcp
                .iter()
                .map(|l| l.iter().map(policy_json).collect())
                .collect(),
        }
    }

    /// The statements that allowed the request.
    pub fn statements(&self) -> Vec<GrantingStatement> {
        self.witness
            .evaluate()
            .reasons
            .iter()
            .filter(|r| r.kind == ReasonKind::Allowed)
            .map(|r| {
                let policy =
                    r.policy_name
                        .as_deref()
                        .map(str::to_string)
                        .unwrap_or_else(|| match r.layer {
                            Layer::Resource => "resource policy".into(),
                            other => other.name().into(),
                        });
                GrantingStatement {
                    layer: r.layer.name().into(),
                    policy,
                    index: r.statement.unwrap_or(0),
                    sid: r.sid.as_deref().map(str::to_string),
                }
            })
            .collect()
    }

    /// The condition values the request needs: the keys whose values the analysis chose, and
    /// the values a hop fixes that some policy's condition reads (`sts:ExternalId`,
    /// `aws:MultiFactorAuthPresent`, `sts:RoleSessionName`, `iam:PassedToService`, …).
    pub fn condition(&self) -> BTreeMap<String, String> {
        let w = &self.witness;
        let mentioned = |key: &str| -> bool {
            let k = key.to_ascii_lowercase();
            let in_policy = |p: &super::account::Shared| {
                p.statements()
                    .iter()
                    .any(|s| s.conditions.iter().any(|c| *c.key == *k))
            };
            w.policies().any(in_policy)
        };
        let derived = |k: &str| {
            let k = k.to_ascii_lowercase();
            k == "aws:principalarn"
                || k == "aws:userid"
                || k.starts_with("aws:principaltag/")
                || k.starts_with("aws:resourcetag/")
                || k.starts_with("iam:resourcetag/")
                || k == "aws:principalorgid"
                || k == "aws:principalorgpaths"
        };
        let mut out = BTreeMap::new();
        // Who the caller outside the zone must be, when a condition says.
        if w.external {
            let req = w.request();
            for key in super::decide::PRINCIPAL_KEYS
                .iter()
                .chain(["aws:principalorgid", "aws:principalorgpaths"].iter())
            {
                if !mentioned(key) {
                    continue;
                }
                if let Some(v) = req.context().get(key) {
                    let text = match v {
                        ContextValue::One(s) => s.clone(),
                        ContextValue::Many(vs) => vs.join(","),
                    };
                    out.insert(spelled(w, key), text);
                }
            }
        }
        for (k, v) in w.context_all() {
            let chosen = w.chosen.iter().any(|c| c.eq_ignore_ascii_case(k));
            // A session name other than the default is a choice the path makes.
            let named_session = k.eq_ignore_ascii_case("sts:RoleSessionName")
                && matches!(v, ContextValue::One(s) if s != super::account::DEFAULT_SESSION);
            if chosen || named_session || (!derived(k) && mentioned(k)) {
                let text = match v {
                    ContextValue::One(s) => s.clone(),
                    ContextValue::Many(vs) => vs.join(","),
                };
                out.insert(k.clone(), text);
            }
        }
        out
    }

    /// The JSON form: `{"action", "resource", "statements", "condition", "witness"}`.
    pub fn to_json_value(&self) -> Value {
        json!({
            "action": self.action(),
            "resource": self.resource(),
            "statements": self.statements(),
            "condition": self.condition(),
            "witness": self.case().to_json_value(),
        })
    }
}

/// A key as some policy of the witness spells it (lowercase when none does).
fn spelled(w: &Witness, lower: &str) -> String {
    w.policies()
        .flat_map(|p| p.statements())
        .flat_map(|s| s.conditions.iter())
        .find(|c| *c.key == *lower)
        .map(|c| c.spelled.to_string())
        .unwrap_or_else(|| lower.to_string())
}

/// One hop of a path: the held node that acts (`from`), for hops that add a policy the node it
/// is added to (`with`, held too), and the node gained (`to`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Hop {
    /// The kind of hop.
    pub kind: HopKind,
    /// The node whose credentials make the requests.
    pub from: Node,
    /// For hops that add a policy: the held node the policy is added to.
    pub with: Option<Node>,
    /// The node gained.
    pub to: Node,
    /// The requests, in order, each allowed by `eval`.
    pub requests: Vec<HopRequest>,
}

impl Hop {
    /// The JSON form.
    pub fn to_json_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("kind".into(), self.kind.as_str().into());
        m.insert(
            "from".into(),
            serde_json::to_value(&self.from).unwrap_or(Value::Null),
        );
        if let Some(w) = &self.with {
            m.insert(
                "with".into(),
                serde_json::to_value(w).unwrap_or(Value::Null),
            );
        }
        m.insert(
            "to".into(),
            serde_json::to_value(&self.to).unwrap_or(Value::Null),
        );
        m.insert(
            "requests".into(),
            Value::Array(
                self.requests
                    .iter()
                    .map(HopRequest::to_json_value)
                    .collect(),
            ),
        );
        Value::Object(m)
    }
}

/// The finding type of transitive access.
pub const FINDING_TYPE: &str = "TransitiveAccess";

/// Access from outside the zone of trust that goes through the account's own principals: a
/// finding in Access Analyzer's shape (`principal`, `action`, `resource`, `resourceType`,
/// `resourceOwnerAccount`, `condition`, `isPublic`, `status`) with `findingType`
/// `TransitiveAccess` and the path that proves it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TransitiveAccess {
    /// A stable id derived from the content.
    pub id: String,
    /// Who outside the zone (`{"AWS": "*"}`, `{"AWS": "444455556666"}`, `{"Federated": …}`).
    pub principal: BTreeMap<String, String>,
    /// The external principal.
    pub source: Principal,
    /// The actions on the resource, sorted.
    pub action: Vec<String>,
    /// The resource ARN.
    pub resource: String,
    /// `AWS::IAM::Role`, `AWS::IAM::User`, `AWS::S3::Bucket`, ….
    pub resource_type: String,
    /// The resource's account.
    pub resource_owner_account: String,
    /// The condition values the path needs, from every request of every hop.
    pub condition: BTreeMap<String, String>,
    /// Whether anyone outside the zone has the access.
    pub is_public: bool,
    /// `ACTIVE`.
    pub status: Status,
    /// The node that holds the access at the end of the path.
    pub holder: Node,
    /// The hops, in an order in which they can be taken.
    pub path: Vec<Hop>,
}

impl TransitiveAccess {
    pub(crate) fn compute_id(&mut self) {
        let principal: Vec<String> = self
            .principal
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let kinds: Vec<&str> = self.path.iter().map(|h| h.kind.as_str()).collect();
        self.id = crate::analyze::content_id(&[
            FINDING_TYPE,
            &self.resource,
            &principal.join(","),
            &self.action.join(","),
            &self.holder.label(),
            &kinds.join(","),
        ]);
    }

    /// The JSON form.
    pub fn to_json_value(&self) -> Value {
        json!({
            "id": self.id,
            "findingType": FINDING_TYPE,
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "resourceType": self.resource_type,
            "resourceOwnerAccount": self.resource_owner_account,
            "condition": self.condition,
            "isPublic": self.is_public,
            "status": self.status,
            "holder": self.holder,
            "path": self.path.iter().map(Hop::to_json_value).collect::<Vec<_>>(),
        })
    }
}

/// A readable tree of findings for a terminal: per external principal, per resource, the hops.
pub fn render_tree(findings: &[TransitiveAccess]) -> String {
    let mut out = String::new();
    let mut by_source: BTreeMap<&Principal, Vec<&TransitiveAccess>> = BTreeMap::new();
    for f in findings {
        by_source.entry(&f.source).or_default().push(f);
    }
    for (source, fs) in by_source {
        let distinct: std::collections::BTreeSet<&str> =
            fs.iter().map(|f| f.resource.as_str()).collect();
        let _ = writeln!(
            out,
            "{} can reach {} resource(s) ({} finding(s))",
            source.label(),
            distinct.len(),
            fs.len()
        );
        let n = fs.len();
        for (i, f) in fs.iter().enumerate() {
            let last = i + 1 == n;
            let (branch, stem) = if last {
                ("└─", "   ")
            } else {
                ("├─", "│  ")
            };
            let _ = writeln!(
                out,
                "{branch} {} ({}) — {}",
                f.resource,
                f.resource_type,
                f.action.join(", ")
            );
            if !f.condition.is_empty() {
                let c: Vec<String> = f
                    .condition
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                let _ = writeln!(out, "{stem}   needs {}", c.join(", "));
            }
            let m = f.path.len();
            for (j, h) in f.path.iter().enumerate() {
                let hb = if j + 1 == m { "└─" } else { "├─" };
                let actions: Vec<&str> = h.requests.iter().map(HopRequest::action).collect();
                let with = h
                    .with
                    .as_ref()
                    .map(|w| format!(" on {}", w.label()))
                    .unwrap_or_default();
                // The last hop of access to a resource of the list leads to the resource.
                let to = if h.kind == HopKind::Access {
                    f.resource.clone()
                } else {
                    h.to.label()
                };
                let _ = writeln!(
                    out,
                    "{stem}{hb} {} → {}{with} [{}: {}]",
                    h.from.label(),
                    to,
                    h.kind.as_str(),
                    actions.join(", ")
                );
            }
        }
    }
    out
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The graph of findings in Graphviz DOT: nodes for principals and resources, an edge per hop,
/// external principals drawn as boxes.
pub fn render_dot(findings: &[TransitiveAccess]) -> String {
    let mut nodes: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut edges: std::collections::BTreeSet<(String, String, String)> = Default::default();
    for f in findings {
        for h in f.path.iter().filter(|h| h.kind != HopKind::Access) {
            let from = h.from.label();
            let to = h.to.label();
            nodes.insert(
                from.clone(),
                if h.from.principal.is_external() {
                    "box"
                } else {
                    "ellipse"
                },
            );
            nodes.entry(to.clone()).or_insert("ellipse");
            if let Some(w) = &h.with {
                nodes.entry(w.label()).or_insert("ellipse");
                edges.insert((w.label(), to.clone(), "changed".into()));
            }
            edges.insert((from, to, h.kind.as_str().into()));
        }
        let holder = f.holder.label();
        nodes
            .entry(holder.clone())
            .or_insert(if f.holder.principal.is_external() {
                "box"
            } else {
                "ellipse"
            });
        if f.holder.principal.arn() != Some(f.resource.as_str()) {
            nodes.insert(f.resource.clone(), "note");
            edges.insert((holder, f.resource.clone(), f.action.join("\\n")));
        }
    }
    let mut out = String::from("digraph reach {\n  rankdir=LR;\n  node [fontsize=10];\n");
    for (n, shape) in &nodes {
        let _ = writeln!(out, "  \"{}\" [shape={shape}];", dot_escape(n));
    }
    for (a, b, l) in &edges {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\"];",
            dot_escape(a),
            dot_escape(b),
            dot_escape(l).replace("\\\\n", "\\n")
        );
    }
    out.push_str("}\n");
    out
}
