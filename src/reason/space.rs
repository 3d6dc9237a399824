//! The space of IAM requests, and policies as formulas over it.
//!
//! Dimensions: the kind of caller; the principal ARN `P` (the value of `aws:PrincipalArn`: a
//! role session's is its role's ARN); the role session name; `aws:userid` of users and roles; the
//! service principal, identity provider or canonical user of those kinds of callers; the action
//! (one of a finite universe, or any text); the resource; and one dimension per condition key the
//! policies use. Keys that describe the caller are not dimensions of their own but predicates on
//! `P` (`aws:PrincipalAccount` is `P`'s account component, `aws:username` its last segment), so
//! that every model is a request the concrete evaluator reads the same way.
//!
//! The translation mirrors `eval` rule by rule: principal forms and the `NotPrincipal` rule
//! (account, role and session must all be listed to be exempt), missing keys, `IfExists`,
//! negated operators (NOR), set qualifiers, `Null`, unreadable values. Policy variables are not
//! interpreted: a value or resource entry that holds one becomes a free proposition, which keeps
//! every conclusion about access sound but may leave a finding without a witness (the finding
//! says so).

use super::formula::{
    refill, set_words, Arena, Cmp, Dim, DimId, DimType, ElemC, NodeId, Pred, FALSE, TRUE,
};
use super::lang::{Lang, Mask, Tok};
use super::search::Model;
use super::theory::Val;
use crate::eval::{Caller, Case, ContextValue, SimpleCase};
use crate::policy::compile::{
    CompiledCondition, CondValues, LikeValue, PrincipalMatcher, PrincipalValue, ResourceEntry,
    StrValue,
};
use crate::policy::{BaseOperator, CompiledPolicy, CompiledStatement, Effect, SetQualifier};

/// Kinds of caller, in the order of the kind dimension's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    Anonymous = 0,
    Root = 1,
    User = 2,
    Role = 3,
    FederatedUser = 4,
    Service = 5,
    Federated = 6,
    Canonical = 7,
}

pub(crate) const KINDS: [Kind; 8] = [
    Kind::Anonymous,
    Kind::Root,
    Kind::User,
    Kind::Role,
    Kind::FederatedUser,
    Kind::Service,
    Kind::Federated,
    Kind::Canonical,
];
pub(crate) const IAM_KINDS: &[Kind] = &[Kind::Root, Kind::User, Kind::Role, Kind::FederatedUser];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Anonymous => "anonymous",
            Kind::Root => "root",
            Kind::User => "user",
            Kind::Role => "role",
            Kind::FederatedUser => "federated-user",
            Kind::Service => "service",
            Kind::Federated => "federated",
            Kind::Canonical => "canonical",
        }
    }

    /// The value of `aws:PrincipalType` for this kind.
    fn principal_type(self) -> Option<&'static str> {
        match self {
            Kind::Anonymous => Some("Anonymous"),
            Kind::Root => Some("Account"),
            Kind::User => Some("User"),
            Kind::Role => Some("AssumedRole"),
            Kind::FederatedUser => Some("FederatedUser"),
            _ => None,
        }
    }

    fn from_name(s: &str) -> Option<Kind> {
        KINDS.iter().copied().find(|k| k.name() == s)
    }
}

/// The actions a request may name.
#[derive(Clone, Debug)]
pub(crate) enum Actions {
    /// One of these (canonical spelling).
    Finite(std::sync::Arc<[String]>),
    /// Any text.
    Open,
}

/// How a condition key appears in the space.
#[derive(Clone, Debug)]
enum KeyView {
    /// A dimension of its own.
    Dim { dim: DimId, multi: bool },
    /// A fact about the caller, read off the principal dimensions.
    Principal(PrincipalKey),
    /// A value fixed by the analysis (such as `aws:ResourceAccount`).
    Const(Option<String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PrincipalKey {
    Arn,
    Account,
    Username,
    UserId,
    Type,
    IsService,
    ServiceName,
}

/// A condition key dimension, as first seen.
#[derive(Clone, Debug)]
pub(crate) struct KeyDim {
    pub(crate) dim: DimId,
    /// The key as written in the policy, for findings (shared with the space's spellings).
    pub(crate) spelled: std::sync::Arc<str>,
    pub(crate) multi: bool,
}

/// The request space of one question.
#[derive(Clone, Debug)]
pub(crate) struct Space {
    pub(crate) arena: Arena,
    pub(crate) partition: String,
    pub(crate) kind: DimId,
    pub(crate) parn: DimId,
    pub(crate) sess: DimId,
    pub(crate) uid: DimId,
    pub(crate) svc: DimId,
    pub(crate) fed: DimId,
    pub(crate) canon: DimId,
    pub(crate) action: DimId,
    pub(crate) resource: DimId,
    pub(crate) actions: Actions,
    /// Condition keys with dimensions of their own, by lowercase name (the text shared with
    /// the dimension's name and the spellings: one allocation per key).
    pub(crate) keys: ahash::AHashMap<std::sync::Arc<str>, KeyDim>,
    /// Keys fixed for the question (lowercase name → value; `None`: missing).
    constants: ahash::AHashMap<String, Option<String>>,
    /// Keys that must be modelled as sets (lowercase).
    multi_keys: ahash::AHashSet<String>,
    /// Keys whose dimension only `Null` conditions have used so far: its type is still open
    /// (presence and the empty string mean the same for every type).
    null_only: ahash::AHashSet<String>,
    /// How each key was first spelled in a policy (lowercase → as written).
    spellings: ahash::AHashMap<std::sync::Arc<str>, std::sync::Arc<str>>,
    /// The well-formedness of requests: callers' shapes and which keys exist for which callers.
    pub(crate) base: NodeId,
    /// The dimension checks of the prototype this space was copied from.
    pub(crate) prototype: Option<super::search::PrototypeMemo>,
    /// Formulas already built for a policy text (a resource pattern, a principal), by a tag
    /// and the text: statements often repeat them (an Allow and a Deny on the same resources).
    texts: ahash::AHashMap<String, NodeId>,
    /// The key being looked up in `texts` (kept to look up without allocating).
    text_key: String,
    /// The prototype this space is a copy of (its number, see [`Space::new`]; 0 for none).
    origin: u64,
}

const D12: [Tok; 12] = [Tok::Digit; 12];

thread_local! {
    /// Spaces given back ([`Space::recycle`]), for the next questions on this thread.
    static SPARE: std::cell::RefCell<Vec<Space>> = const { std::cell::RefCell::new(Vec::new()) };
}
/// The largest space kept for reuse (formula nodes).
const SPARE_NODES: usize = 1 << 14;

fn lit(s: &str) -> Lang {
    Lang::literal(s, false)
}

impl Space {
    /// A new space for requests in `partition` naming actions from `actions` (a copy of a
    /// per-thread prototype when one exists for the same partition and action universe).
    pub(crate) fn new(partition: &str, actions: Actions) -> Space {
        thread_local! {
            static PROTOTYPES: std::cell::RefCell<Vec<(String, usize, Space)>> =
                const { std::cell::RefCell::new(Vec::new()) };
        }
        let tag = match &actions {
            Actions::Finite(names) => names.as_ptr() as usize,
            Actions::Open => 0,
        };
        let hit = PROTOTYPES.with(|p| {
            p.borrow()
                .iter()
                .find(|(part, t, _)| part == partition && *t == tag)
                .map(|(_, _, proto)| match super::take_spare(&SPARE) {
                    // A space given back: copied over in place, its buffers reused.
                    Some(mut s) => {
                        s.copy_from(proto);
                        s
                    }
                    None => proto.clone(),
                })
        });
        if let Some(s) = hit {
            return s;
        }
        let mut s = Space::build(partition, actions);
        s.prototype = Some(super::search::PrototypeMemo::new(&s.arena));
        // A number for the prototype, so that a copy can tell which prototype it came from.
        static PROTOTYPE_NUMBER: std::sync::atomic::AtomicU64 =
            std::sync::atomic::AtomicU64::new(1);
        s.origin = PROTOTYPE_NUMBER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Copies share the languages' tables and codes.
        for p in &s.arena.preds {
            if let Pred::Lang(l) = p {
                l.prepare();
            }
        }
        PROTOTYPES.with(|p| {
            let mut p = p.borrow_mut();
            if p.len() >= 32 {
                p.clear();
            }
            p.push((partition.to_string(), tag, s.clone()));
        });
        s
    }

    /// Make this space a copy of `other`, reusing its buffers. (Every field is named, so a new
    /// field cannot be forgotten here.) When this space is a copy of the same prototype, used
    /// for a question since, its arena only drops what the question added ([`Arena::restore`]):
    /// a question only appends to an arena, except that it may retype a condition key's
    /// dimension, so this holds for prototypes without key dimensions. Returns whether the
    /// arena was restored that way rather than copied.
    fn copy_from(&mut self, other: &Space) -> bool {
        let Space {
            arena,
            partition,
            kind,
            parn,
            sess,
            uid,
            svc,
            fed,
            canon,
            action,
            resource,
            actions,
            keys,
            constants,
            multi_keys,
            null_only,
            spellings,
            base,
            prototype,
            texts,
            text_key: _,
            origin,
        } = other;
        let restored =
            *origin != 0 && self.origin == *origin && keys.is_empty() && self.arena.restore(arena);
        if !restored {
            self.arena.copy_from(arena);
        }
        self.partition.clone_from(partition);
        self.kind = *kind;
        self.parn = *parn;
        self.sess = *sess;
        self.uid = *uid;
        self.svc = *svc;
        self.fed = *fed;
        self.canon = *canon;
        self.action = *action;
        self.resource = *resource;
        self.actions.clone_from(actions);
        refill(&mut self.keys, keys);
        refill(&mut self.constants, constants);
        self.multi_keys.clear();
        self.multi_keys.extend(multi_keys.iter().cloned());
        self.null_only.clear();
        self.null_only.extend(null_only.iter().cloned());
        refill(&mut self.spellings, spellings);
        refill(&mut self.texts, texts);
        self.base = *base;
        self.prototype.clone_from(prototype);
        self.origin = *origin;
        restored
    }

    /// Give the space back for the next question on this thread (its buffers are kept, unless
    /// they grew large).
    pub(crate) fn recycle(self) {
        if self.arena.nodes.capacity() > SPARE_NODES {
            return;
        }
        super::give_spare(&SPARE, self);
    }

    fn build(partition: &str, actions: Actions) -> Space {
        let mut a = Arena::new();
        let kind = a.dim(Dim {
            name: "kind".into(),
            ty: DimType::Finite(
                KINDS
                    .iter()
                    .map(|k| k.name().to_string())
                    .collect::<Vec<_>>()
                    .into(),
            ),
            multi: false,
            optional: false,
        });
        let mut s = |name: &str| {
            a.dim(Dim {
                name: name.into(),
                ty: DimType::Str,
                multi: false,
                optional: true,
            })
        };
        let parn = s("principalArn");
        let sess = s("sessionName");
        let uid = s("userId");
        let svc = s("service");
        let fed = s("provider");
        let canon = s("canonicalUser");
        let action = match &actions {
            Actions::Finite(names) => a.dim(Dim {
                name: "action".into(),
                ty: DimType::Finite(names.clone()),
                multi: false,
                optional: false,
            }),
            Actions::Open => a.dim(Dim {
                name: "action".into(),
                ty: DimType::Str,
                multi: false,
                optional: false,
            }),
        };
        let resource = a.dim(Dim {
            name: "resource".into(),
            ty: DimType::Str,
            multi: false,
            optional: false,
        });
        let mut space = Space {
            arena: a,
            partition: partition.to_string(),
            kind,
            parn,
            sess,
            uid,
            svc,
            fed,
            canon,
            action,
            resource,
            actions,
            keys: ahash::AHashMap::new(),
            constants: ahash::AHashMap::new(),
            multi_keys: ahash::AHashSet::new(),
            null_only: ahash::AHashSet::new(),
            spellings: ahash::AHashMap::new(),
            base: TRUE,
            prototype: None,
            texts: ahash::AHashMap::new(),
            text_key: String::new(),
            origin: 0,
        };
        space.base = space.well_formed();
        space
    }

    /// Fix the value of a key for this question (`None`: the key is missing).
    pub(crate) fn set_constant(&mut self, key: &str, value: Option<&str>) {
        self.constants
            .insert(key.to_lowercase(), value.map(str::to_string));
    }

    /// Declare that these keys are sets (policies use them with set qualifiers).
    pub(crate) fn declare_multi_from(&mut self, policies: &[&CompiledPolicy]) {
        for p in policies {
            for s in p.statements() {
                for c in &s.conditions {
                    // A set operator makes a key set-valued unless the catalog knows it as
                    // single-valued.
                    if c.op.qualifier.is_some() && multivalued_key(&c.key) != Some(false) {
                        self.multi_keys.insert(c.key.to_string());
                    }
                }
            }
        }
    }

    // ---- the caller -----------------------------------------------------------------------

    /// The caller is of one of these kinds.
    pub(crate) fn kind_in(&mut self, kinds: &[Kind]) -> NodeId {
        if kinds.is_empty() {
            return FALSE;
        }
        let mut bits = 0u64;
        for k in kinds {
            bits |= 1u64 << (*k as u32);
        }
        if kinds.len() == KINDS.len() {
            return TRUE;
        }
        let d = self.kind;
        self.arena.elem_finite(d, &[bits])
    }

    /// `P` is in the language.
    pub(crate) fn parn_in(&mut self, l: Lang) -> NodeId {
        let d = self.parn;
        self.arena.elem(d, Pred::Lang(l))
    }

    /// `arn:PARTITION:*::ACCOUNT:*`, with the account's wildcards kept within its field.
    fn account_lang(&self, account: &Lang) -> Lang {
        // Gathered on the stack, then copied once into the language's shared slice.
        let mut toks: smallvec::SmallVec<[Tok; 64]> = smallvec::SmallVec::new();
        toks.extend("arn:".chars().map(Tok::Char));
        toks.extend(self.partition.chars().map(Tok::Char));
        toks.push(Tok::Char(':'));
        toks.push(Tok::Run(Mask::COLON));
        toks.extend([Tok::Char(':'), Tok::Char(':')]);
        toks.extend(account.restricted_toks(Mask::COLON));
        toks.push(Tok::Char(':'));
        toks.push(Tok::Run(Mask::NONE));
        Lang::from(&toks[..])
    }

    /// The caller is an IAM identity whose account is in the language (no literal `:`).
    pub(crate) fn account_is(&mut self, account: &Lang) -> NodeId {
        if account.has_literal(':') {
            return FALSE;
        }
        let iam = self.kind_in(IAM_KINDS);
        let l = self.account_lang(account);
        let p = self.parn_in(l);
        self.arena.and2(iam, p)
    }

    /// The caller belongs to one of these accounts.
    pub(crate) fn account_in(&mut self, accounts: &[String]) -> NodeId {
        let parts: Vec<NodeId> = accounts.iter().map(|a| self.account_is(&lit(a))).collect();
        self.arena.or(parts)
    }

    fn role_lang(&self, account: &str, name: &str) -> [Lang; 2] {
        let head = format!("arn:{}:iam::{account}:role/", self.partition);
        [
            lit(&format!("{head}{name}")),
            // A path is one or more segments, each ending with `/`: never empty.
            lit(&head)
                .then_tok(Tok::One(Mask::NONE))
                .then_tok(Tok::Run(Mask::NONE))
                .then_str("/")
                .then_str(name),
        ]
    }

    /// The caller is a session of the role `name` of `account`.
    fn role_is(&mut self, account: &str, name: &str) -> NodeId {
        let k = self.kind_in(&[Kind::Role]);
        let [a, b] = self.role_lang(account, name);
        let pa = self.parn_in(a);
        let pb = self.parn_in(b);
        let p = self.arena.or2(pa, pb);
        self.arena.and2(k, p)
    }

    fn session_is(&mut self, session_arn: &str) -> NodeId {
        let Ok(arn) = crate::arn::Arn::parse(session_arn) else {
            return FALSE;
        };
        let mut parts = arn.resource().splitn(3, '/').skip(1);
        let (Some(role), Some(sess)) = (parts.next(), parts.next()) else {
            return FALSE;
        };
        if arn.partition() != self.partition {
            return FALSE;
        }
        let r = self.role_is(arn.account(), role);
        let d = self.sess;
        let s = self.arena.elem(d, Pred::Lang(lit(sess)));
        self.arena.and2(r, s)
    }

    /// The formula `build` makes for a policy text, built once per space: the same text (with
    /// the same tag) always makes the same formula, so a repeat reuses it.
    fn by_text(
        &mut self,
        tag: char,
        text: &str,
        build: impl FnOnce(&mut Space) -> NodeId,
    ) -> NodeId {
        let mut key = std::mem::take(&mut self.text_key);
        key.clear();
        key.push(tag);
        key.push_str(text);
        let n = match self.texts.get(key.as_str()) {
            Some(n) => *n,
            None => {
                let n = build(self);
                self.texts.insert(key.clone(), n);
                n
            }
        };
        self.text_key = key;
        n
    }

    /// The node for one principal value of a `Principal` element (built once per space for the
    /// values statements most often repeat: users and accounts).
    fn principal_value(&mut self, v: &PrincipalValue) -> NodeId {
        match v {
            PrincipalValue::User(arn) => self.by_text('u', arn, |s| s.build_principal_value(v)),
            PrincipalValue::Account(a) => self.by_text('a', a, |s| s.build_principal_value(v)),
            other => self.build_principal_value(other),
        }
    }

    fn build_principal_value(&mut self, v: &PrincipalValue) -> NodeId {
        match v {
            PrincipalValue::Any => TRUE,
            PrincipalValue::Account(a) => self.account_is(&lit(a)),
            PrincipalValue::User(arn) => {
                let k = self.kind_in(&[Kind::User]);
                let p = self.parn_in(lit(arn));
                self.arena.and2(k, p)
            }
            PrincipalValue::Role { account, name, .. } => self.role_is(account, name),
            PrincipalValue::Session(arn) => self.session_is(arn),
            PrincipalValue::FederatedUser(arn) => {
                let k = self.kind_in(&[Kind::FederatedUser]);
                let p = self.parn_in(lit(arn));
                self.arena.and2(k, p)
            }
            PrincipalValue::Service(s) => {
                let k = self.kind_in(&[Kind::Service]);
                let d = self.svc;
                let p = self.arena.elem(d, Pred::Lang(Lang::literal(s, true)));
                self.arena.and2(k, p)
            }
            PrincipalValue::Federated(p) => {
                let k = self.kind_in(&[Kind::Federated]);
                let d = self.fed;
                let e = self.arena.elem(d, Pred::Lang(Lang::literal(p, true)));
                self.arena.and2(k, e)
            }
            PrincipalValue::CanonicalUser(id) => {
                let k = self.kind_in(&[Kind::Canonical]);
                let d = self.canon;
                let e = self.arena.elem(d, Pred::Lang(lit(id)));
                self.arena.and2(k, e)
            }
            // Texts that name no principal never equal a caller's ARN.
            PrincipalValue::Other(_) => FALSE,
        }
    }

    /// The `Principal` / `NotPrincipal` element (a `Deny` + `NotPrincipal` applies to callers with
    /// a permissions boundary whatever it lists; the callers of this space have none).
    pub(crate) fn principal(&mut self, m: &PrincipalMatcher) -> NodeId {
        if !m.negated {
            let parts: smallvec::SmallVec<[NodeId; 8]> =
                m.values.iter().map(|v| self.principal_value(v)).collect();
            return self.arena.or(parts);
        }
        // Exempt when the account, and the user (or role and session) are all listed.
        let any = m.values.contains(&PrincipalValue::Any);
        if any {
            return FALSE;
        }
        let mut acct = Vec::new();
        let mut users = Vec::new();
        let mut roles = Vec::new();
        let mut sessions = Vec::new();
        let mut fed_users = Vec::new();
        let mut others = Vec::new();
        for v in &m.values {
            match v {
                PrincipalValue::Account(a) => acct.push(self.account_is(&lit(a))),
                PrincipalValue::User(_) => users.push(self.principal_value(v)),
                PrincipalValue::Role { account, name, .. } => {
                    roles.push(self.role_is(account, name))
                }
                PrincipalValue::Session(arn) => sessions.push(self.session_is(arn)),
                PrincipalValue::FederatedUser(_) => fed_users.push(self.principal_value(v)),
                other => others.push(self.principal_value(other)),
            }
        }
        let acct_listed = self.arena.or(acct);
        let root = {
            let k = self.kind_in(&[Kind::Root]);
            self.arena.and2(k, acct_listed)
        };
        let user = {
            let u = self.arena.or(users);
            self.arena.and2(acct_listed, u)
        };
        let role = {
            let r = self.arena.or(roles);
            let s = self.arena.or(sessions);
            self.arena.and([acct_listed, r, s])
        };
        let fed_user = {
            let f = self.arena.or(fed_users);
            self.arena.and2(acct_listed, f)
        };
        let other = self.arena.or(others);
        let exempt = self.arena.or([root, user, role, fed_user, other]);
        self.arena.not(exempt)
    }

    // ---- actions and resources ------------------------------------------------------------

    /// The action element (`Action` / `NotAction`).
    pub(crate) fn action(&mut self, s: &CompiledStatement) -> NodeId {
        let m = &s.actions;
        let hit = if m.any {
            TRUE
        } else {
            self.action_patterns(m.patterns.iter().map(|p| p.as_str()))
        };
        if m.negated {
            self.arena.not(hit)
        } else {
            hit
        }
    }

    /// The action matches one of these patterns (case-insensitive).
    pub(crate) fn action_patterns<'p>(
        &mut self,
        patterns: impl Iterator<Item = &'p str>,
    ) -> NodeId {
        let d = self.action;
        match &self.actions {
            Actions::Finite(names) => {
                let pats: smallvec::SmallVec<[&str; 8]> = patterns.collect();
                let bits = action_bits(names, &pats);
                if bits.iter().all(|w| *w == 0) {
                    return FALSE;
                }
                self.arena.elem(d, Pred::Finite(bits))
            }
            Actions::Open => {
                let parts: Vec<NodeId> = patterns
                    .map(|p| Lang::glob(p, true))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .map(|l| self.arena.elem(d, Pred::Lang(l)))
                    .collect();
                self.arena.or(parts)
            }
        }
    }

    /// The action is one of these (by index into the finite universe).
    pub(crate) fn action_in(&mut self, indices: &[usize]) -> NodeId {
        let Actions::Finite(names) = &self.actions else {
            return TRUE;
        };
        let mut bits: smallvec::SmallVec<[u64; 4]> =
            smallvec::smallvec![0u64; set_words(names.len())];
        for i in indices {
            if let Some(w) = bits.get_mut(i / 64) {
                *w |= 1u64 << (i % 64);
            }
        }
        if indices.is_empty() {
            return FALSE;
        }
        let d = self.action;
        self.arena.elem_finite(d, &bits)
    }

    /// The resource is in the language.
    pub(crate) fn resource_in(&mut self, l: Lang) -> NodeId {
        let d = self.resource;
        self.arena.elem(d, Pred::Lang(l))
    }

    fn resource(&mut self, s: &CompiledStatement) -> NodeId {
        let Some(m) = &s.resources else {
            return TRUE;
        };
        let mut parts = Vec::new();
        for e in &m.entries {
            parts.push(match e {
                ResourceEntry::Any => TRUE,
                ResourceEntry::Pattern(p) => {
                    self.by_text('r', p.as_str(), |s| s.resource_in(Lang::arn(p.as_str())))
                }
                ResourceEntry::Template { head, tail } => {
                    // The entry's truth is a function of the request: one proposition per
                    // entry text, implying the entry with each variable read as `*`.
                    let mut name = String::from("resource");
                    let mut toks = Vec::new();
                    for h in head {
                        name.push('\u{1f}');
                        name.push_str(h.as_str());
                        toks.extend(glob_toks(&h.tokens()));
                        toks.push(Tok::Char(':'));
                    }
                    name.push_str(&format!("\u{1f}{tail:?}"));
                    toks.extend(template_toks(tail, true, false));
                    let mut over = vec![self.resource_in(Lang::from(toks))];
                    for k in required_keys(tail) {
                        over.push(self.key_present(&k));
                    }
                    let over = self.arena.and(over);
                    self.opaque_fact(&name, over)
                }
            });
        }
        let hit = self.arena.or(parts);
        if m.negated {
            self.arena.not(hit)
        } else {
            hit
        }
    }

    // ---- condition keys -------------------------------------------------------------------

    fn view(&mut self, key: &str, ty: &DimType) -> Option<KeyView> {
        if let Some(c) = self.constants.get(key) {
            return Some(KeyView::Const(c.clone()));
        }
        let principal = match key {
            "aws:principalarn" => Some(PrincipalKey::Arn),
            "aws:principalaccount" | "kms:calleraccount" => Some(PrincipalKey::Account),
            "aws:username" => Some(PrincipalKey::Username),
            "aws:userid" => Some(PrincipalKey::UserId),
            "aws:principaltype" => Some(PrincipalKey::Type),
            "aws:principalisawsservice" => Some(PrincipalKey::IsService),
            "aws:principalservicename" => Some(PrincipalKey::ServiceName),
            _ => None,
        };
        if let Some(p) = principal {
            return Some(KeyView::Principal(p));
        }
        if let Some(k) = self.keys.get(key) {
            let dim_ty = self.arena.dims.get(k.dim as usize).map(|d| d.ty.clone());
            if dim_ty.as_ref() != Some(ty) {
                // A dimension only `Null` has used takes the type of the first other use.
                if !self.null_only.remove(key) {
                    return None;
                }
                if let Some(d) = self.arena.dims.get_mut(k.dim as usize) {
                    d.ty = ty.clone();
                }
            }
            return Some(KeyView::Dim {
                dim: k.dim,
                multi: k.multi,
            });
        }
        let multi = self.multi_keys.contains(key) || multivalued_key(key) == Some(true);
        let name: std::sync::Arc<str> = key.into();
        let dim = self.arena.dim(Dim {
            name: name.clone(),
            ty: ty.clone(),
            multi,
            optional: true,
        });
        self.keys.insert(
            name.clone(),
            KeyDim {
                dim,
                spelled: name,
                multi,
            },
        );
        // Keys that only exist for some callers.
        let only_for: Option<&[Kind]> =
            if key == "aws:principalorgid" || key == "aws:principalorgpaths" {
                Some(IAM_KINDS)
            } else if key.starts_with("aws:principaltag/") {
                Some(&[Kind::User, Kind::Role])
            } else {
                None
            };
        if let Some(kinds) = only_for {
            let p = self.arena.present(dim);
            let k = self.kind_in(kinds);
            let c = self.arena.implies(p, k);
            self.base = self.arena.and2(self.base, c);
        }
        Some(KeyView::Dim { dim, multi })
    }

    /// The view of a key for a `Null` condition: its dimension whatever its type, or a new one
    /// whose type the key's first other use decides.
    fn null_view(&mut self, key: &str) -> Option<KeyView> {
        if let Some(k) = self.keys.get(key) {
            if !self.constants.contains_key(key) {
                return Some(KeyView::Dim {
                    dim: k.dim,
                    multi: k.multi,
                });
            }
        }
        let fresh = !self.keys.contains_key(key);
        let view = self.view(key, &DimType::Str);
        if fresh && matches!(view, Some(KeyView::Dim { .. })) {
            self.null_only.insert(key.to_string());
        }
        view
    }

    /// The dimension of a string-valued key (created if needed; `multi` forces a set).
    pub(crate) fn key_dim(&mut self, key: &str, multi: bool) -> DimId {
        let key = key.to_lowercase();
        if multi && !self.keys.contains_key(key.as_str()) {
            self.multi_keys.insert(key.clone());
        }
        if let Some(k) = self.keys.get(key.as_str()) {
            return k.dim;
        }
        match self.view(&key, &DimType::Str) {
            Some(KeyView::Dim { dim, .. }) => dim,
            _ => {
                // A key with a fixed or derived value: give it a free dimension anyway.
                self.arena.dim(Dim {
                    name: key.as_str().into(),
                    ty: DimType::Str,
                    multi,
                    optional: true,
                })
            }
        }
    }

    /// "The key has a value satisfying `pred`" (for a set: some element does). `None` when the
    /// key's dimension has another type.
    pub(crate) fn key_label(&mut self, key: &str, pred: Pred) -> Option<NodeId> {
        let ty = match &pred {
            Pred::Lang(_) => DimType::Str,
            Pred::Num(..) => DimType::Num,
            Pred::Date(..) => DimType::Date,
            Pred::Ip(_) => DimType::Ip,
            Pred::Bin(_) => DimType::Bin,
            Pred::Finite(_) => return None,
        };
        Some(match self.view(key, &ty)? {
            KeyView::Const(v) => {
                if v.is_some_and(|v| super::theory::holds(&pred, &v)) {
                    TRUE
                } else {
                    FALSE
                }
            }
            KeyView::Principal(p) => match &pred {
                Pred::Lang(l) => self.principal_value_in(p, l),
                _ => return None,
            },
            KeyView::Dim { dim, multi: false } => self.arena.elem(dim, pred),
            KeyView::Dim { dim, multi: true } => {
                let id = self.arena.pred(pred);
                self.arena.any(dim, ElemC::Pos(vec![id]))
            }
        })
    }

    /// The node for a principal value (public for labels).
    pub(crate) fn principal_label(&mut self, v: &PrincipalValue) -> NodeId {
        self.principal_value(v)
    }

    /// Record how a key is spelled in the policy (first spelling wins).
    /// How a key was spelled in the policy (its lowercase form when never seen).
    pub(crate) fn spelling(&self, lower: &str) -> String {
        self.spellings
            .get(lower)
            .map_or_else(|| lower.to_string(), |s| s.to_string())
    }

    pub(crate) fn spell(&mut self, lower: &str, spelled: &str) {
        // The texts are shared: the key's own name when it has a dimension, and the spelling
        // made once for both maps.
        let mut made: Option<std::sync::Arc<str>> = None;
        if !self.spellings.contains_key(lower) {
            let key: std::sync::Arc<str> = match self.keys.get_key_value(lower) {
                Some((k, _)) => k.clone(),
                None => lower.into(),
            };
            let value = if spelled == lower {
                key.clone()
            } else {
                made.get_or_insert_with(|| spelled.into()).clone()
            };
            self.spellings.insert(key, value);
        }
        if let Some(k) = self.keys.get_mut(lower) {
            if &*k.spelled == lower && spelled != lower {
                k.spelled = made.get_or_insert_with(|| spelled.into()).clone();
            }
        }
    }

    /// The node "the principal-derived key has a value".
    fn principal_present(&mut self, p: PrincipalKey) -> NodeId {
        match p {
            PrincipalKey::Arn | PrincipalKey::Account => self.kind_in(IAM_KINDS),
            PrincipalKey::Username => self.kind_in(&[Kind::User]),
            PrincipalKey::UserId => self.kind_in(&[
                Kind::Anonymous,
                Kind::Root,
                Kind::User,
                Kind::Role,
                Kind::FederatedUser,
            ]),
            PrincipalKey::Type => self.kind_in(&[
                Kind::Anonymous,
                Kind::Root,
                Kind::User,
                Kind::Role,
                Kind::FederatedUser,
            ]),
            PrincipalKey::IsService => {
                let mut k = IAM_KINDS.to_vec();
                k.push(Kind::Service);
                self.kind_in(&k)
            }
            PrincipalKey::ServiceName => self.kind_in(&[Kind::Service]),
        }
    }

    /// The node "the principal-derived key's value is in `l`".
    fn principal_value_in(&mut self, p: PrincipalKey, l: &Lang) -> NodeId {
        match p {
            PrincipalKey::Arn => {
                let k = self.kind_in(IAM_KINDS);
                let e = self.parn_in(l.clone());
                self.arena.and2(k, e)
            }
            PrincipalKey::Account => self.account_is(l),
            PrincipalKey::Username => {
                if l.has_literal(':') || l.has_literal('/') {
                    return FALSE;
                }
                let name = l.restrict(Mask::COLON_SLASH);
                let head = lit(&format!("arn:{}:iam::", self.partition))
                    .then_tok(Tok::Run(Mask::COLON))
                    .then_str(":user/");
                let direct = head.clone().then(&name);
                let nested = head
                    .then_tok(Tok::Run(Mask::COLON))
                    .then_str("/")
                    .then(&name);
                let k = self.kind_in(&[Kind::User]);
                let a = self.parn_in(direct);
                let b = self.parn_in(nested);
                let e = self.arena.or2(a, b);
                self.arena.and2(k, e)
            }
            PrincipalKey::UserId => {
                let users = {
                    let k = self.kind_in(&[Kind::User, Kind::Role]);
                    let d = self.uid;
                    let e = self.arena.elem(d, Pred::Lang(l.clone()));
                    self.arena.and2(k, e)
                };
                let root = if l.has_literal(':') {
                    FALSE
                } else {
                    let k = self.kind_in(&[Kind::Root]);
                    let pl = lit(&format!("arn:{}:iam::", self.partition))
                        .then(&l.restrict(Mask::COLON))
                        .then_str(":root");
                    let e = self.parn_in(pl);
                    self.arena.and2(k, e)
                };
                let anon = if l.matches("anonymous") {
                    self.kind_in(&[Kind::Anonymous])
                } else {
                    FALSE
                };
                // A federated user's id is `account:name`, a relation this space does not
                // model: leave it free.
                let fed = {
                    let k = self.kind_in(&[Kind::FederatedUser]);
                    let o = self.opaque_fact(&format!("federated-userid\u{1f}{l:?}"), TRUE);
                    self.arena.and2(k, o)
                };
                self.arena.or([users, root, anon, fed])
            }
            PrincipalKey::Type => {
                let kinds: Vec<Kind> = KINDS
                    .iter()
                    .copied()
                    .filter(|k| k.principal_type().is_some_and(|t| l.matches(t)))
                    .collect();
                self.kind_in(&kinds)
            }
            PrincipalKey::IsService => {
                let mut kinds = Vec::new();
                if l.matches("true") {
                    kinds.push(Kind::Service);
                }
                if l.matches("false") {
                    kinds.extend_from_slice(IAM_KINDS);
                }
                self.kind_in(&kinds)
            }
            PrincipalKey::ServiceName => {
                let k = self.kind_in(&[Kind::Service]);
                let d = self.svc;
                let e = self.arena.elem(d, Pred::Lang(l.clone()));
                self.arena.and2(k, e)
            }
        }
    }

    /// One condition as a formula.
    pub(crate) fn condition(&mut self, c: &CompiledCondition) -> NodeId {
        let base = c.op.base;
        // A condition's truth is a function of the request: what the engine does not interpret
        // is one proposition per condition (or per value) text.
        let whole = || {
            format!(
                "condition\u{1f}{:?}\u{1f}{}\u{1f}{:?}",
                c.op, c.key, c.texts
            )
        };
        let (ty, preds) = match value_preds(&c.values, base) {
            Some(x) => x,
            None => return self.opaque_fact(&whole(), TRUE),
        };
        let view = if base == BaseOperator::Null {
            // `Null` asks about presence, whatever the key's type.
            self.null_view(&c.key)
        } else {
            self.view(&c.key, &ty)
        };
        let Some(view) = view else {
            // The key is used with operators of different types: not modelled exactly.
            return self.opaque_fact(&whole(), TRUE);
        };
        let value_name = |i: usize| {
            format!(
                "value\u{1f}{:?}\u{1f}{}\u{1f}{}",
                base.positive(),
                c.key,
                c.texts.get(i).map(String::as_str).unwrap_or("")
            )
        };
        self.spell(&c.key, &c.spelled);
        if base == BaseOperator::Null {
            return self.null_condition(c, &view, &preds);
        }
        let negated = base.is_negated();
        let if_exists = c.op.if_exists;
        match view {
            KeyView::Const(v) => {
                let r = const_condition(c, v.as_deref(), &preds);
                if r {
                    TRUE
                } else {
                    FALSE
                }
            }
            KeyView::Principal(p) => {
                let present = self.principal_present(p);
                let mut matches: smallvec::SmallVec<[NodeId; 8]> = smallvec::SmallVec::new();
                for (i, vp) in preds.iter().enumerate() {
                    matches.push(match vp {
                        VPred::Pred(Pred::Lang(l)) => self.principal_value_in(p, l),
                        VPred::Never => FALSE,
                        VPred::Pred(_) => self.opaque_fact(&value_name(i), TRUE),
                        VPred::Opaque(over, keys) => {
                            let mut over = vec![self.principal_value_in(p, over)];
                            over.extend(keys.iter().map(|k| self.key_present(k)));
                            let over = self.arena.and(over);
                            self.opaque_fact(&value_name(i), over)
                        }
                    });
                }
                let m_pos = self.arena.or(matches);
                let m = if negated {
                    self.arena.not(m_pos)
                } else {
                    m_pos
                };
                self.single(c.op.qualifier, if_exists, negated, present, m)
            }
            KeyView::Dim { dim, multi: false } => {
                let present = self.arena.present(dim);
                let mut matches: smallvec::SmallVec<[NodeId; 8]> = smallvec::SmallVec::new();
                for (i, vp) in preds.iter().enumerate() {
                    matches.push(match vp {
                        VPred::Pred(p) => self.arena.elem(dim, p.clone()),
                        VPred::Never => FALSE,
                        VPred::Opaque(over, keys) => {
                            let mut over = vec![self.arena.elem(dim, Pred::Lang(over.clone()))];
                            over.extend(keys.iter().map(|k| self.key_present(k)));
                            let over = self.arena.and(over);
                            self.opaque_fact(&value_name(i), over)
                        }
                    });
                }
                let m_pos = self.arena.or(matches);
                let m = if negated {
                    self.arena.not(m_pos)
                } else {
                    m_pos
                };
                self.single(c.op.qualifier, if_exists, negated, present, m)
            }
            KeyView::Dim { dim, multi: true } => {
                if preds.iter().any(|p| matches!(p, VPred::Opaque(..))) {
                    return self.opaque_fact(&whole(), TRUE);
                }
                let ids: Vec<u32> = preds
                    .iter()
                    .filter_map(|p| match p {
                        VPred::Pred(p) => Some(self.arena.pred(p.clone())),
                        _ => None,
                    })
                    .collect();
                let elem = if negated {
                    ElemC::Neg(ids)
                } else {
                    ElemC::Pos(ids)
                };
                let present = self.arena.present(dim);
                let absent = self.arena.not(present);
                match c.op.qualifier {
                    None => {
                        let any = self.arena.any(dim, elem);
                        if if_exists || negated {
                            self.arena.or2(absent, any)
                        } else {
                            any
                        }
                    }
                    Some(SetQualifier::ForAllValues) => self.arena.all(dim, elem),
                    Some(SetQualifier::ForAnyValue) => {
                        let any = self.arena.any(dim, elem);
                        if if_exists {
                            self.arena.or2(absent, any)
                        } else {
                            any
                        }
                    }
                }
            }
        }
    }

    /// Assemble a condition on a single value from "present" and "the operator matches".
    fn single(
        &mut self,
        qualifier: Option<SetQualifier>,
        if_exists: bool,
        negated: bool,
        present: NodeId,
        m: NodeId,
    ) -> NodeId {
        let absent_result = match qualifier {
            None => if_exists || negated,
            Some(SetQualifier::ForAllValues) => true,
            Some(SetQualifier::ForAnyValue) => if_exists,
        };
        let when_present = self.arena.and2(present, m);
        if absent_result {
            let absent = self.arena.not(present);
            self.arena.or2(absent, when_present)
        } else {
            when_present
        }
    }

    fn null_condition(
        &mut self,
        c: &CompiledCondition,
        view: &KeyView,
        _preds: &[VPred],
    ) -> NodeId {
        match c.op.qualifier {
            Some(SetQualifier::ForAllValues) => return TRUE,
            Some(SetQualifier::ForAnyValue) => return FALSE,
            None => {}
        }
        let CondValues::Null(vals) = &c.values else {
            return FALSE;
        };
        // "Null: true" holds when the key is missing or empty.
        let (missing, present_nonempty) = match view {
            KeyView::Const(v) => {
                let m = v.as_deref().is_none_or(str::is_empty);
                (if m { TRUE } else { FALSE }, if m { FALSE } else { TRUE })
            }
            KeyView::Principal(p) => {
                let present = self.principal_present(*p);
                (self.arena.not(present), present)
            }
            KeyView::Dim { dim, multi } => {
                let present = self.arena.present(*dim);
                if *multi {
                    (self.arena.not(present), present)
                } else {
                    let empty = self.arena.elem(*dim, Pred::Lang(lit("")));
                    let absent = self.arena.not(present);
                    let missing = self.arena.or2(absent, empty);
                    let nonempty = self.arena.not(missing);
                    (missing, nonempty)
                }
            }
        };
        let parts: Vec<NodeId> = vals
            .iter()
            .map(|v| match v {
                Some(true) => missing,
                Some(false) => present_nonempty,
                None => FALSE,
            })
            .collect();
        self.arena.or(parts)
    }

    /// "The request has the key" (a single-valued key of string type, or a key read off the
    /// caller).
    fn key_present(&mut self, key: &str) -> NodeId {
        match self.view(key, &DimType::Str) {
            Some(KeyView::Const(v)) => {
                if v.is_some() {
                    TRUE
                } else {
                    FALSE
                }
            }
            Some(KeyView::Principal(p)) => self.principal_present(p),
            Some(KeyView::Dim { dim, .. }) => self.arena.present(dim),
            None => TRUE,
        }
    }

    /// The proposition named `name` for a fact the engine does not interpret, implying `over`
    /// (what the fact entails that the engine can read), which joins the well-formedness.
    fn opaque_fact(&mut self, name: &str, over: NodeId) -> NodeId {
        let (o, fresh) = self.arena.opaque_named(name);
        if fresh && over != TRUE {
            let fact = self.arena.implies(o, over);
            self.base = self.arena.and2(self.base, fact);
        }
        o
    }

    // ---- statements and policies ----------------------------------------------------------

    /// Whether a statement applies to the request.
    pub(crate) fn statement(&mut self, s: &CompiledStatement) -> NodeId {
        let parts = self.statement_parts(s);
        parts.all
    }

    /// A statement's formula, with its parts: the principal element, the action and resource
    /// elements, and each condition with its (lowercase) key.
    pub(crate) fn statement_parts(&mut self, s: &CompiledStatement) -> StatementParts {
        let action = self.action(s);
        let resource = self.resource(s);
        let principal = match &s.principal {
            Some(p) => self.principal(p),
            None => TRUE,
        };
        let conditions: Vec<(std::sync::Arc<str>, NodeId)> = s
            .conditions
            .iter()
            .map(|c| (c.key.clone(), self.condition(c)))
            .collect();
        let all = [action, resource, principal]
            .into_iter()
            .chain(conditions.iter().map(|(_, n)| *n));
        let all = self.arena.and(all);
        StatementParts {
            effect: s.effect,
            principal,
            action,
            resource,
            conditions,
            all,
        }
    }

    /// (some Allow statement applies, some Deny statement applies) for a policy.
    pub(crate) fn policy(&mut self, p: &CompiledPolicy) -> (NodeId, NodeId) {
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        for s in p.statements() {
            let n = self.statement(s);
            match s.effect {
                Effect::Allow => allows.push(n),
                Effect::Deny => denies.push(n),
            }
        }
        (self.arena.or(allows), self.arena.or(denies))
    }

    /// "The policy allows": some Allow applies and no Deny does.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the building block of policy checks")
    )]
    pub(crate) fn allows(&mut self, p: &CompiledPolicy) -> NodeId {
        let (a, d) = self.policy(p);
        let nd = self.arena.not(d);
        self.arena.and2(a, nd)
    }

    // ---- well-formedness and models -------------------------------------------------------

    fn well_formed(&mut self) -> NodeId {
        let part = self.partition.clone();
        let acct = Lang::from(D12.to_vec());
        let shape = |head: &str, tail: Lang| lit(head).then(&acct).then(&tail);
        let name = Lang::from(vec![Tok::Run(Mask::COLON), Tok::One(Mask::COLON_SLASH)]);
        let plain = Lang::from(vec![
            Tok::One(Mask::COLON_SLASH),
            Tok::Run(Mask::COLON_SLASH),
        ]);
        let shapes = [
            (
                Kind::Root,
                shape(&format!("arn:{part}:iam::"), lit(":root")),
            ),
            (
                Kind::User,
                shape(&format!("arn:{part}:iam::"), lit(":user/").then(&name)),
            ),
            (
                Kind::Role,
                shape(&format!("arn:{part}:iam::"), lit(":role/").then(&name)),
            ),
            (
                Kind::FederatedUser,
                shape(
                    &format!("arn:{part}:sts::"),
                    lit(":federated-user/").then(&plain),
                ),
            ),
        ];
        let mut parts = Vec::new();
        for (k, l) in shapes {
            let kk = self.kind_in(&[k]);
            let p = self.parn_in(l);
            parts.push(self.arena.implies(kk, p));
        }
        let nonempty = Lang::from(vec![Tok::One(Mask::NONE), Tok::Run(Mask::NONE)]);
        let presence: [(DimId, &[Kind], Lang); 6] = [
            (self.parn, IAM_KINDS, Lang::from(vec![Tok::Run(Mask::NONE)])),
            (self.sess, &[Kind::Role], plain.clone()),
            (self.uid, &[Kind::User, Kind::Role], nonempty.clone()),
            (self.svc, &[Kind::Service], nonempty.clone()),
            (self.fed, &[Kind::Federated], nonempty.clone()),
            (self.canon, &[Kind::Canonical], nonempty),
        ];
        for (d, kinds, shape) in presence {
            let p = self.arena.present(d);
            let k = self.kind_in(kinds);
            let s = self.arena.elem(d, Pred::Lang(shape));
            // Present exactly for those kinds, and then of that shape.
            let kp = self.arena.implies(k, s);
            let pk = self.arena.implies(p, k);
            parts.push(kp);
            parts.push(pk);
        }
        self.arena.and(parts)
    }

    /// The caller of a model.
    pub(crate) fn caller(&self, m: &Model) -> Option<(Caller, Option<String>)> {
        let kind = match m.value(self.kind) {
            Val::One(k) => Kind::from_name(k)?,
            _ => return None,
        };
        let text = |d: DimId| match m.value(d) {
            Val::One(s) => Some(s.clone()),
            _ => None,
        };
        let parn = text(self.parn);
        Some(match kind {
            Kind::Anonymous => (Caller::Anonymous, None),
            Kind::Root | Kind::User | Kind::FederatedUser => (Caller::parse(&parn?).ok()?, None),
            Kind::Role => {
                let p = parn?;
                let arn = crate::arn::Arn::parse(&p).ok()?;
                let name = arn.resource().rsplit('/').next()?.to_string();
                let sess = text(self.sess)?;
                let session = format!(
                    "arn:{}:sts::{}:assumed-role/{name}/{sess}",
                    arn.partition(),
                    arn.account()
                );
                (Caller::parse(&session).ok()?, Some(p))
            }
            Kind::Service => (
                Caller::Service {
                    name: text(self.svc)?.to_ascii_lowercase(),
                },
                None,
            ),
            Kind::Federated => (
                Caller::Federated {
                    provider: text(self.fed)?,
                },
                None,
            ),
            Kind::Canonical => (
                Caller::CanonicalUser {
                    id: text(self.canon)?,
                },
                None,
            ),
        })
    }

    /// The request of a model, as a case of `perimeter eval` without a resource policy.
    pub(crate) fn case(&self, m: &Model, resource_account: Option<&str>) -> Option<Case> {
        self.simple_case(m, resource_account).map(|c| c.to_case())
    }

    /// [`Space::case`] before it is written as JSON.
    pub(crate) fn simple_case(
        &self,
        m: &Model,
        resource_account: Option<&str>,
    ) -> Option<SimpleCase> {
        let (principal, role_arn) = self.caller(m)?;
        let action = match m.value(self.action) {
            Val::One(a) => a.clone(),
            _ => return None,
        };
        let resource = match m.value(self.resource) {
            Val::One(r) => r.clone(),
            _ => return None,
        };
        // An IAM caller's own account must allow too: its administrator can grant exactly this
        // (Access Analyzer's premise: any principal of the account *could* be given access).
        // A federated user (GetFederationToken) always carries a session policy; its account can
        // issue one that grants exactly this.
        let identity_grant = principal.is_iam_identity();
        let session_grant = matches!(principal, Caller::FederatedUser { .. });
        let mut case = SimpleCase::new(
            principal,
            action,
            resource,
            resource_account.map(str::to_string),
        );
        case.identity_grant = identity_grant;
        case.session_grant = session_grant;
        if let Some(p) = role_arn {
            case.set("aws:PrincipalArn", ContextValue::One(p));
        }
        if let Val::One(u) = m.value(self.uid) {
            case.set("aws:userid", ContextValue::One(u.clone()));
        }
        let mut keys: Vec<&KeyDim> = self.keys.values().collect();
        keys.sort_by(|a, b| a.spelled.cmp(&b.spelled));
        for k in keys {
            match m.value(k.dim) {
                Val::Absent => {}
                Val::One(v) => case.set(&k.spelled, ContextValue::One(v.clone())),
                Val::Set(vs) => case.set(&k.spelled, ContextValue::Many(vs.to_vec())),
            }
        }
        Some(case)
    }
}

/// Whether the catalog says the condition key takes a set of values (`None`: a key it does not
/// know). Remembered per thread for the keys seen recently: every analysis declares its
/// policy's keys again.
fn multivalued_key(key: &str) -> Option<bool> {
    thread_local! {
        static KNOWN: std::cell::RefCell<ahash::AHashMap<String, Option<bool>>> =
            std::cell::RefCell::new(ahash::AHashMap::new());
    }
    if let Some(m) = KNOWN.with(|k| k.borrow().get(key).copied()) {
        return m;
    }
    let m = crate::catalog::Catalog::embedded()
        .condition_key(key)
        .map(|k| k.is_multivalued());
    KNOWN.with(|k| {
        let mut k = k.borrow_mut();
        if k.len() >= 1024 {
            k.clear();
        }
        k.insert(key.to_string(), m);
    });
    m
}

/// The actions of a finite universe that match one of the patterns (case-insensitive), as a bit
/// set. Remembered per thread for recent (universe, patterns) pairs: analyses of many resources
/// of one type match the same action elements against the same universe.
fn action_bits(names: &std::sync::Arc<[String]>, patterns: &[&str]) -> std::sync::Arc<[u64]> {
    /// (the universe, kept alive so that its address names it; the patterns; the bits).
    type Entry = (std::sync::Arc<[String]>, Vec<String>, std::sync::Arc<[u64]>);
    thread_local! {
        static RECENT: std::cell::RefCell<ahash::AHashMap<u64, Vec<Entry>>> =
            std::cell::RefCell::new(ahash::AHashMap::new());
    }
    let h = {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut st = ahash::RandomState::with_seeds(1, 2, 3, 4).build_hasher();
        (names.as_ptr() as usize).hash(&mut st);
        names.len().hash(&mut st);
        patterns.hash(&mut st);
        st.finish()
    };
    let same = |e: &Entry| {
        std::sync::Arc::ptr_eq(&e.0, names)
            && e.1.len() == patterns.len()
            && e.1.iter().zip(patterns).all(|(a, b)| a == b)
    };
    let hit = RECENT.with(|r| {
        r.borrow()
            .get(&h)
            .and_then(|b| b.iter().find(|e| same(e)).map(|e| e.2.clone()))
    });
    if let Some(bits) = hit {
        return bits;
    }
    let pats: Vec<crate::pattern::Pattern> = patterns
        .iter()
        .map(|p| crate::pattern::Pattern::new(p, crate::pattern::Case::Insensitive))
        .collect();
    let mut bits = vec![0u64; set_words(names.len())];
    for (i, n) in names.iter().enumerate() {
        if pats.iter().any(|p| p.matches(n)) {
            if let Some(w) = bits.get_mut(i / 64) {
                *w |= 1u64 << (i % 64);
            }
        }
    }
    let bits: std::sync::Arc<[u64]> = bits.into();
    RECENT.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() >= 4096 {
            r.clear();
        }
        r.entry(h).or_default().push((
            names.clone(),
            patterns.iter().map(|p| p.to_string()).collect(),
            bits.clone(),
        ));
    });
    bits
}

/// A statement as a formula, in parts.
#[derive(Clone, Debug)]
pub(crate) struct StatementParts {
    pub(crate) effect: Effect,
    pub(crate) principal: NodeId,
    #[expect(dead_code, reason = "parts kept for checks that look at one element")]
    pub(crate) action: NodeId,
    #[expect(dead_code, reason = "parts kept for checks that look at one element")]
    pub(crate) resource: NodeId,
    /// (lowercase key, condition).
    pub(crate) conditions: Vec<(std::sync::Arc<str>, NodeId)>,
    /// The whole statement.
    pub(crate) all: NodeId,
}

/// The value predicate of one policy value.
#[derive(Clone, Debug)]
enum VPred {
    Pred(Pred),
    /// The value matches nothing (it is not of the operator's type).
    Never,
    /// The value holds policy variables; the language holds every value it can match (each
    /// variable read as `*`); the keys are those of variables without a default, which the
    /// request must have for the value to match anything.
    Opaque(Lang, Vec<String>),
}

/// The dimension type and per-value predicates of a condition's values (with the positive form
/// of the operator). `None` when the condition cannot be modelled at all.
fn value_preds(values: &CondValues, base: BaseOperator) -> Option<(DimType, Vec<VPred>)> {
    let cmp = match base.positive() {
        BaseOperator::NumericEquals | BaseOperator::DateEquals => Cmp::Eq,
        BaseOperator::NumericLessThan | BaseOperator::DateLessThan => Cmp::Lt,
        BaseOperator::NumericLessThanEquals | BaseOperator::DateLessThanEquals => Cmp::Le,
        BaseOperator::NumericGreaterThan | BaseOperator::DateGreaterThan => Cmp::Gt,
        BaseOperator::NumericGreaterThanEquals | BaseOperator::DateGreaterThanEquals => Cmp::Ge,
        _ => Cmp::Eq,
    };
    let strs = |vs: &[StrValue], ci: bool| -> Vec<VPred> {
        vs.iter()
            .map(|v| match v {
                StrValue::Lit(s) => VPred::Pred(Pred::Lang(Lang::literal(s, ci))),
                StrValue::Tmpl(t) => {
                    VPred::Opaque(Lang::from(template_toks(t, false, ci)), required_keys(t))
                }
            })
            .collect()
    };
    let likes = |vs: &[LikeValue]| -> Vec<VPred> {
        vs.iter()
            .map(|v| match v {
                LikeValue::Pat(p) => VPred::Pred(Pred::Lang(Lang::from_tokens(&p.tokens(), false))),
                LikeValue::Arn(p) => VPred::Pred(Pred::Lang(Lang::arn(p.as_str()))),
                LikeValue::Tmpl(t) => {
                    VPred::Opaque(Lang::from(template_toks(t, true, false)), required_keys(t))
                }
            })
            .collect()
    };
    Some(match values {
        CondValues::Str(vs) => (DimType::Str, strs(vs, false)),
        CondValues::StrFold(vs) => (DimType::Str, strs(vs, true)),
        CondValues::Like(vs) | CondValues::Arn(vs) => (DimType::Str, likes(vs)),
        CondValues::Bool(vs) => (
            DimType::Str,
            vs.iter()
                .map(|v| match v {
                    Some(b) => VPred::Pred(Pred::Lang(Lang::literal(
                        if *b { "true" } else { "false" },
                        true,
                    ))),
                    None => VPred::Never,
                })
                .collect(),
        ),
        CondValues::Num(vs) => (
            DimType::Num,
            vs.iter()
                .map(|v| {
                    v.clone()
                        .map_or(VPred::Never, |d| VPred::Pred(Pred::Num(cmp, d)))
                })
                .collect(),
        ),
        CondValues::Date(vs) => (
            DimType::Date,
            vs.iter()
                .map(|v| v.map_or(VPred::Never, |d| VPred::Pred(Pred::Date(cmp, d))))
                .collect(),
        ),
        CondValues::Ip(vs) => (
            DimType::Ip,
            vs.iter()
                .map(|v| v.map_or(VPred::Never, |n| VPred::Pred(Pred::Ip(n))))
                .collect(),
        ),
        CondValues::Bin(vs) => (
            DimType::Bin,
            vs.iter()
                .map(|v| {
                    v.clone()
                        .map_or(VPred::Never, |b| VPred::Pred(Pred::Bin(b)))
                })
                .collect(),
        ),
        // `Null` only asks about presence; any type will do.
        CondValues::Null(_) => (DimType::Str, Vec::new()),
    })
}

/// Language tokens of pattern tokens, every wildcard crossing `:` and `/`.
fn glob_toks(tokens: &[crate::pattern::Token]) -> Vec<Tok> {
    Lang::from_tokens(tokens, false).toks.to_vec()
}

/// The tokens of a language holding every value a template can resolve to: each variable read
/// as any text (a value with `:` can shift ARN components, so wildcards cross `:` too).
fn template_toks(t: &crate::policy::Template, wildcards: bool, ci: bool) -> Vec<Tok> {
    use crate::policy::TemplatePart;
    let mut out = Vec::new();
    for part in t.parts() {
        match part {
            TemplatePart::Text(text) => out.extend(text.chars().map(|c| match c {
                '*' if wildcards => Tok::Run(Mask::NONE),
                '?' if wildcards => Tok::One(Mask::NONE),
                c if ci => Tok::CharCi(crate::pattern::fold(c)),
                c => Tok::Char(c),
            })),
            TemplatePart::Char(c) if ci => out.push(Tok::CharCi(crate::pattern::fold(*c))),
            TemplatePart::Char(c) => out.push(Tok::Char(*c)),
            TemplatePart::Variable { .. } => out.push(Tok::Run(Mask::NONE)),
        }
    }
    out
}

/// The keys of a template's variables that have no default (lowercase): without them the
/// template resolves to nothing and matches no value.
fn required_keys(t: &crate::policy::Template) -> Vec<String> {
    use crate::policy::TemplatePart;
    t.parts()
        .iter()
        .filter_map(|p| match p {
            TemplatePart::Variable {
                key_lower,
                default: None,
                ..
            } => Some(key_lower.clone()),
            _ => None,
        })
        .collect()
}

/// A condition on a key with a fixed value, decided now (mirrors `eval`).
fn const_condition(c: &CompiledCondition, v: Option<&str>, preds: &[VPred]) -> bool {
    let negated = c.op.base.is_negated();
    let Some(v) = v else {
        return match c.op.qualifier {
            None => c.op.if_exists || negated,
            Some(SetQualifier::ForAllValues) => true,
            Some(SetQualifier::ForAnyValue) => c.op.if_exists,
        };
    };
    let hit = preds.iter().any(|p| match p {
        VPred::Pred(p) => super::theory::holds(p, v),
        _ => false,
    });
    hit != negated
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::reason::search::{solve, Memo};

    /// Find a request the policy allows and check it with the evaluator.
    fn witness(policy: &str, extra: impl Fn(&mut Space) -> NodeId) -> Option<(Case, Model)> {
        let p = Policy::parse(policy).unwrap().compile().unwrap();
        let actions = Actions::Finite(
            vec![
                "s3:GetObject".to_string(),
                "s3:ListBucket".to_string(),
                "s3:PutObject".to_string(),
            ]
            .into(),
        );
        let mut sp = Space::new("aws", actions);
        sp.declare_multi_from(&[&p]);
        sp.set_constant("aws:ResourceAccount", Some("111122223333"));
        let allow = sp.allows(&p);
        let x = extra(&mut sp);
        let root = sp.arena.and([sp.base, allow, x]);
        let m = solve(&sp.arena, &mut Memo::default(), &mut 1_000_000, root).unwrap()?;
        let mut case = sp.case(&m, Some("111122223333")).unwrap();
        case.resource_policy = Some(serde_json::from_str(policy).unwrap());
        let ev = case.evaluate().unwrap();
        assert!(
            ev.decision.is_allow(),
            "witness not allowed: {} {ev:?}",
            case.to_json_value()
        );
        Some((case, m))
    }

    #[test]
    fn a_used_copy_is_restored_to_its_prototype() {
        // A question adds dimensions, predicates, atoms, nodes, key tables and facts to its copy
        // of the prototype (and may give a prototype atom its node); dropping them must give
        // the prototype back exactly, and the restored copy must answer as a fresh one does.
        let actions =
            Actions::Finite(vec!["s3:GetObject".to_string(), "s3:PutObject".to_string()].into());
        let policy = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{
            "StringEquals":{"aws:PrincipalOrgID":"o-1","s3:x-amz-acl":["a","b"]},
            "IpAddress":{"aws:SourceIp":"192.0.2.0/24"},"Null":{"aws:TokenIssueTime":"true"}}}]}"#,
        )
        .unwrap()
        .compile()
        .unwrap();
        let fresh = Space::new("aws", actions.clone());
        let proto = fresh.clone();
        let answer = |sp: &mut Space| {
            sp.declare_multi_from(&[&policy]);
            sp.set_constant("aws:ResourceAccount", Some("111122223333"));
            let allow = sp.allows(&policy);
            let ext = sp.account_in(&["444455556666".to_string()]);
            let root = sp.arena.and([sp.base, allow, ext]);
            let m = solve(&sp.arena, &mut Memo::default(), &mut 1_000_000, root).unwrap();
            m.and_then(|m| sp.case(&m, None)).map(|c| c.to_json_value())
        };
        let mut used = fresh;
        let first = answer(&mut used);
        assert!(first.is_some());
        assert!(used.arena.nodes.len() > proto.arena.nodes.len());
        assert!(!used.keys.is_empty() && !used.constants.is_empty());
        assert!(used.copy_from(&proto), "the arena is restored, not copied");
        assert!(used.arena.same_as(&proto.arena));
        assert!(used.keys.is_empty() && used.constants.is_empty() && used.spellings.is_empty());
        assert!(used.multi_keys.is_empty() && used.null_only.is_empty() && used.texts.is_empty());
        assert_eq!(used.base, proto.base);
        assert_eq!(answer(&mut used), first);
        // A copy of another prototype is copied over, not restored.
        let mut other = Space::new("aws-cn", actions);
        assert!(!other.copy_from(&proto));
        assert!(other.arena.same_as(&proto.arena));
    }

    #[test]
    fn witnesses_are_allowed_by_eval() {
        let (case, _) = witness(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/etl"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
            |_| TRUE,
        )
        .unwrap();
        assert!(case.principal.to_text().contains("assumed-role/etl/"));
        assert_eq!(case.action, "s3:GetObject");
    }

    #[test]
    fn derived_keys_follow_the_principal() {
        // Principal in account A but aws:PrincipalAccount must be B: impossible.
        let none = witness(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"777788889999"}}}]}"#,
            |_| TRUE,
        );
        assert!(none.is_none());
        let (case, _) = witness(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*bc"},"StringEquals":{"aws:username":"abc"}}}]}"#,
            |_| TRUE,
        )
        .unwrap();
        assert!(
            case.principal.to_text().ends_with("user/abc"),
            "{}",
            case.principal
        );
    }

    #[test]
    fn not_principal_needs_account_role_and_session() {
        let policy = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::444455556666:role/r","444455556666"]},"Action":"*","Resource":"*"}]}"#;
        // Sessions of role r are not exempt (their session is not listed): only the root user
        // of the account gets through.
        let (case, _) = witness(policy, |sp| sp.account_in(&["444455556666".to_string()])).unwrap();
        assert_eq!(case.principal.to_text(), "arn:aws:iam::444455556666:root");
    }

    #[test]
    fn sets_and_negated_operators() {
        let (case, _) = witness(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{
                "ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-1/r-1/ou-a/*"},
                "StringNotEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]},
                "NumericLessThan":{"s3:max-keys":"10"}}}]}"#,
            |_| TRUE,
        )
        .unwrap();
        let paths = case.context.get("aws:PrincipalOrgPaths").unwrap();
        assert!(paths.as_array().unwrap()[0]
            .as_str()
            .unwrap()
            .starts_with("o-1/r-1/ou-a/"));
    }
}
