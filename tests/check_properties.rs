//! Properties of the custom policy checks over random policies.
//!
//! A small local generator builds policies from a vocabulary of actions, resources, principals
//! and conditions chosen so that statements overlap in every way (wildcards inside wildcards,
//! negated elements, conditions on keys that describe the caller, policy variables). Properties:
//! - a policy never grants new access compared to itself, to itself with a Deny added, or to
//!   itself reordered or with its statements split one action per statement;
//! - every `FAIL` carries a counterexample that `eval` allows under the new policy and does not
//!   allow under the existing one, read back from the JSON the check returns;
//! - every `PASS` is right on a grid of concrete requests: no request of the grid is allowed by
//!   the new policy and not by the existing one (the check decides over all requests, so a grid
//!   request that tells the policies apart would be a false `PASS`);
//! - the same two halves for `CheckAccessNotGranted`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: failing loudly is the point

use perimeter::check::{
    check_access_not_granted, check_no_new_access, Access, CheckResult, Outcome, PolicyType,
};
use perimeter::eval::{Case, CaseCompiler};
use perimeter::policy::Policy;
use perimeter::ErrorKind;
use proptest::prelude::*;
use serde_json::{json, Value};

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:Get*",
    "s3:*",
    "s3:List*",
    "sqs:SendMessage",
    "*",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b/x",
    "arn:aws:s3:::*",
    "arn:aws:s3:::b",
    "arn:aws:sqs:us-east-1:111122223333:q",
];

fn principals() -> Vec<Value> {
    vec![
        json!("*"),
        json!({"AWS": "111122223333"}),
        json!({"AWS": "arn:aws:iam::444455556666:role/r"}),
        json!({"AWS": "arn:aws:iam::444455556666:user/u"}),
        json!({"Service": "s3.amazonaws.com"}),
    ]
}

fn conditions(variables: bool) -> Vec<Value> {
    let mut v = vec![
        json!({"StringEquals": {"aws:PrincipalAccount": "111122223333"}}),
        json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        json!({"Bool": {"aws:SecureTransport": "true"}}),
        json!({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/r*"}}),
        json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
        json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),
        json!({"Null": {"aws:SourceIp": "true"}}),
    ];
    if variables {
        v.push(json!({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}));
    }
    v
}

/// One random statement (`resource`: with a principal element).
fn statement(resource: bool, variables: bool) -> impl Strategy<Value = Value> {
    let effect = prop_oneof![3 => Just("Allow"), 1 => Just("Deny")];
    let actions = proptest::collection::vec(0..ACTIONS.len(), 1..3);
    let mut resources_all: Vec<String> = RESOURCES.iter().map(|s| s.to_string()).collect();
    if variables {
        resources_all.push("arn:aws:s3:::b/${aws:username}/*".into());
    }
    let n_res = resources_all.len();
    let resources = proptest::collection::vec(0..n_res, 1..3);
    let principal = proptest::collection::vec(0..principals().len(), 1..3);
    let n_cond = conditions(variables).len();
    let conds = proptest::collection::vec(0..n_cond, 0..3);
    let negate = (0u8..10, 0u8..10, 0u8..10);
    (effect, actions, resources, principal, conds, negate).prop_map(
        move |(effect, acts, res, prin, conds, (na, nr, np))| {
            let mut s = serde_json::Map::new();
            s.insert("Effect".into(), json!(effect));
            let acts: Vec<&str> = acts.iter().map(|i| ACTIONS[*i]).collect();
            s.insert(
                if na == 0 { "NotAction" } else { "Action" }.into(),
                json!(acts),
            );
            let res: Vec<&str> = res.iter().map(|i| resources_all[*i].as_str()).collect();
            s.insert(
                if nr == 0 { "NotResource" } else { "Resource" }.into(),
                json!(res),
            );
            if resource {
                let ps = principals();
                let picked: Vec<&Value> = prin.iter().map(|i| &ps[*i]).collect();
                let value = if picked.iter().any(|p| *p == "*") {
                    json!("*")
                } else {
                    let mut m = serde_json::Map::new();
                    for p in picked {
                        for (k, v) in p.as_object().unwrap() {
                            let e = m.entry(k.clone()).or_insert_with(|| json!([]));
                            e.as_array_mut().unwrap().push(v.clone());
                        }
                    }
                    Value::Object(m)
                };
                let key = if np == 0 && value != "*" {
                    "NotPrincipal"
                } else {
                    "Principal"
                };
                s.insert(key.into(), value);
            }
            if !conds.is_empty() {
                let all = conditions(variables);
                let mut block = serde_json::Map::new();
                for i in conds {
                    for (op, kv) in all[i].as_object().unwrap() {
                        let e = block.entry(op.clone()).or_insert_with(|| json!({}));
                        for (k, v) in kv.as_object().unwrap() {
                            e.as_object_mut().unwrap().insert(k.clone(), v.clone());
                        }
                    }
                }
                s.insert("Condition".into(), Value::Object(block));
            }
            Value::Object(s)
        },
    )
}

fn policy(resource: bool, variables: bool) -> impl Strategy<Value = Value> {
    proptest::collection::vec(statement(resource, variables), 1..4)
        .prop_map(|st| json!({"Version": "2012-10-17", "Statement": st}))
}

fn parse(v: &Value) -> Policy {
    Policy::from_json_value(v).unwrap()
}

fn ty(resource: bool) -> PolicyType {
    if resource {
        PolicyType::Resource
    } else {
        PolicyType::Identity
    }
}

fn has_variables(v: &Value) -> bool {
    v.to_string().contains("${")
}

/// Run a check; `None` for an undecided answer, which only policy variables may cause.
fn run(
    r: Result<CheckResult, perimeter::Error>,
    variables: bool,
) -> Result<Option<CheckResult>, TestCaseError> {
    match r {
        Ok(r) => Ok(Some(r)),
        Err(e) if e.kind() == ErrorKind::Undecided && variables => Ok(None),
        Err(e) => Err(TestCaseError::fail(format!("check failed: {e}"))),
    }
}

fn assert_pass(r: Result<CheckResult, perimeter::Error>, what: &str) -> Result<(), TestCaseError> {
    let r = r.map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
    prop_assert_eq!(
        r.result,
        Outcome::Pass,
        "{}: {}",
        what,
        serde_json::to_string(&r.to_json_value()).unwrap()
    );
    prop_assert!(r.reasons.is_empty() && r.counterexample.is_none());
    Ok(())
}

/// The case as the checks build it, with `policy` in the checked policy's place.
fn evaluate_with(case: &Value, resource: bool, policy: &Value) -> bool {
    let mut c = Case::from_json_value(case).unwrap();
    if resource {
        c.resource_policy = Some(policy.clone());
    } else {
        c.identity_policies = vec![policy.clone()];
    }
    CaseCompiler::new()
        .evaluate(&c)
        .unwrap()
        .decision
        .is_allow()
}

/// Concrete requests for the grid, each as a case with the checks' conventions (identity
/// policies: same account, resource policy delegating to the account; resource policies: from
/// another account, the caller's own account allowing).
fn grid(resource: bool) -> Vec<Value> {
    let callers: Vec<&str> = if resource {
        vec![
            "anonymous",
            "111122223333",
            "arn:aws:iam::111122223333:user/u",
            "arn:aws:sts::444455556666:assumed-role/r/s",
            "arn:aws:sts::444455556666:assumed-role/other/s",
            "arn:aws:iam::444455556666:user/u",
            "s3.amazonaws.com",
        ]
    } else {
        vec![
            "arn:aws:iam::111122223333:user/u",
            "arn:aws:sts::444455556666:assumed-role/r/s",
            "arn:aws:iam::444455556666:user/alice",
        ]
    };
    let actions = [
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "sqs:SendMessage",
        "ec2:RunInstances",
    ];
    let resources = [
        "arn:aws:s3:::b/x",
        "arn:aws:s3:::b/home/alice/k",
        "arn:aws:s3:::c",
        "arn:aws:sqs:us-east-1:111122223333:q",
    ];
    let contexts = [
        json!({}),
        json!({"aws:SourceIp": "10.1.1.1", "aws:SecureTransport": "true"}),
        json!({"aws:SourceIp": "8.8.8.8", "aws:PrincipalOrgID": "o-abc", "s3:prefix": "home/alice/x"}),
        json!({"aws:SourceVpce": "vpce-1", "aws:SecureTransport": "false"}),
    ];
    let mut out = Vec::new();
    for caller in &callers {
        for action in actions {
            for r in resources {
                for ctx in &contexts {
                    let principal = if caller.ends_with(".amazonaws.com") {
                        json!({"Service": caller})
                    } else {
                        json!(caller)
                    };
                    let account = if caller.contains("444455556666") {
                        "444455556666"
                    } else {
                        "111122223333"
                    };
                    // Organization keys exist only for IAM callers (as in AWS, and in the
                    // request space of the checks).
                    let iam = *caller != "anonymous" && !caller.ends_with(".amazonaws.com");
                    let mut ctx = ctx.clone();
                    if !iam {
                        ctx.as_object_mut().unwrap().remove("aws:PrincipalOrgID");
                    }
                    let mut case = json!({"request": {"principal": principal, "action": action,
                        "resource": r, "context": ctx}});
                    if resource {
                        case["request"]["resourceAccount"] = json!("999988887777");
                        if iam {
                            case["identityPolicies"] = json!([{"Version": "2012-10-17",
                                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]);
                        }
                    } else {
                        case["request"]["resourceAccount"] = json!(account);
                        case["resourcePolicy"] = json!({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
                             "Action": "*", "Resource": "*"}]});
                    }
                    out.push(case);
                }
            }
        }
    }
    out
}

fn check_fail_counterexample(
    r: &CheckResult,
    resource: bool,
    new: &Value,
    existing: &Value,
) -> Result<(), TestCaseError> {
    let cx = r
        .counterexample
        .as_ref()
        .expect("a FAIL has a counterexample");
    prop_assert!(!r.reasons.is_empty(), "a FAIL names statements");
    // The counterexample holds the new policy and eval allows it as written.
    let case = Case::from_json_value(cx).unwrap();
    prop_assert!(CaseCompiler::new()
        .evaluate(&case)
        .unwrap()
        .decision
        .is_allow());
    prop_assert!(evaluate_with(cx, resource, new));
    prop_assert!(
        !evaluate_with(cx, resource, existing),
        "counterexample allowed by the existing policy: {}",
        cx
    );
    let statements = new["Statement"].as_array().unwrap();
    for reason in &r.reasons {
        let i = reason.statement_index.unwrap();
        prop_assert_eq!(statements[i]["Effect"].as_str(), Some("Allow"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_policy_never_grants_new_access_over_itself((resource, p) in any::<bool>().prop_flat_map(|r| (Just(r), policy(r, true)))) {
        let pol = parse(&p);
        assert_pass(check_no_new_access(&pol, &pol, ty(resource)), "itself")?;
    }

    #[test]
    fn adding_a_deny_never_grants_new_access(
        resource in any::<bool>(),
        p in policy(false, true),
        q in policy(true, true),
        deny in statement(true, true),
    ) {
        let base = if resource { q } else { p };
        let mut deny = deny;
        deny["Effect"] = json!("Deny");
        if !resource {
            deny.as_object_mut().unwrap().remove("Principal");
            deny.as_object_mut().unwrap().remove("NotPrincipal");
        }
        let mut with = base.clone();
        with["Statement"].as_array_mut().unwrap().push(deny);
        assert_pass(check_no_new_access(&parse(&with), &parse(&base), ty(resource)), "with a deny")?;
    }

    #[test]
    fn reordering_and_splitting_never_grant_new_access(resource in any::<bool>(), p in policy(false, true), q in policy(true, true), seed in any::<u64>()) {
        let base = if resource { q } else { p };
        let mut statements = base["Statement"].as_array().unwrap().clone();
        let n = statements.len();
        statements.rotate_left((seed as usize) % n);
        // Reorder (rotate by the seed), rename Sids, and spell actions in upper case (so that
        // no statement is textually the same as before and the solver decides every one).
        let reordered: Vec<Value> = statements.iter().enumerate().map(|(i, s)| {
            let mut s = s.clone();
            s["Sid"] = json!(format!("S{i}"));
            for key in ["Action", "NotAction"] {
                if let Some(list) = s.get_mut(key).and_then(Value::as_array_mut) {
                    for a in list.iter_mut() {
                        *a = json!(a.as_str().unwrap().to_uppercase());
                    }
                }
            }
            s
        }).collect();
        // Split: one action per statement.
        let mut split = Vec::new();
        for s in &reordered {
            let key = if s.get("Action").is_some() { "Action" } else { "NotAction" };
            if key == "NotAction" {
                split.push(s.clone());
                continue;
            }
            for a in s[key].as_array().unwrap() {
                let mut t = s.clone();
                t[key] = json!([a]);
                t.as_object_mut().unwrap().remove("Sid");
                split.push(t);
            }
        }
        let reordered = json!({"Version": "2012-10-17", "Statement": reordered});
        let split = json!({"Version": "2012-10-17", "Statement": split});
        let (b, r, s) = (parse(&base), parse(&reordered), parse(&split));
        assert_pass(check_no_new_access(&r, &b, ty(resource)), "reordered")?;
        assert_pass(check_no_new_access(&b, &r, ty(resource)), "reordered, other way")?;
        assert_pass(check_no_new_access(&s, &b, ty(resource)), "split")?;
        assert_pass(check_no_new_access(&b, &s, ty(resource)), "split, other way")?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// FAIL: the counterexample is real. PASS: no grid request tells the policies apart.
    #[test]
    fn counterexamples_are_real_and_passes_hold_on_a_grid(
        resource in any::<bool>(),
        a in policy(false, true), b in policy(false, true),
        c in policy(true, true), d in policy(true, true),
    ) {
        let (new, existing) = if resource { (c, d) } else { (a, b) };
        let variables = has_variables(&new) || has_variables(&existing);
        let r = run(check_no_new_access(&parse(&new), &parse(&existing), ty(resource)), variables)?;
        let Some(r) = r else { return Ok(()) };
        match r.result {
            Outcome::Fail => check_fail_counterexample(&r, resource, &new, &existing)?,
            Outcome::Pass => {
                for case in grid(resource) {
                    let allowed_new = evaluate_with(&case, resource, &new);
                    prop_assert!(
                        !allowed_new || evaluate_with(&case, resource, &existing),
                        "PASS, but the new policy allows {} and the existing one does not",
                        case
                    );
                }
            }
        }
    }

    /// The same two halves for CheckAccessNotGranted.
    #[test]
    fn access_not_granted_is_exact(
        resource in any::<bool>(),
        a in policy(false, true), c in policy(true, true),
        acts in proptest::collection::vec(0usize..5, 0..3),
        res in proptest::collection::vec(0usize..4, 0..3),
    ) {
        let p = if resource { c } else { a };
        let listed_actions = ["s3:GetObject", "s3:Put*", "sqs:*", "ec2:RunInstances", "s3:ListBucket"];
        let listed_resources = ["arn:aws:s3:::b/*", "arn:aws:s3:::c", "*", "arn:aws:sqs:*"];
        let mut access = Access::actions(acts.iter().map(|i| listed_actions[*i]))
            .on_resources(res.iter().map(|i| listed_resources[*i]));
        if access.actions.is_empty() && access.resources.is_empty() {
            access = Access::actions(["s3:GetObject"]);
        }
        let variables = has_variables(&p);
        let r = run(check_access_not_granted(&parse(&p), &access, ty(resource)), variables)?;
        let Some(r) = r else { return Ok(()) };
        let action_pats: Vec<perimeter::pattern::Pattern> = access.actions.iter()
            .map(|a| perimeter::pattern::Pattern::new(a, perimeter::pattern::Case::Insensitive)).collect();
        let resource_pats: Vec<perimeter::arn::ArnPattern> = access.resources.iter()
            .map(|r| perimeter::arn::ArnPattern::new(r)).collect();
        let listed = |case: &Value| {
            let action = case["request"]["action"].as_str().unwrap();
            let resource = case["request"]["resource"].as_str().unwrap();
            (action_pats.is_empty() || action_pats.iter().any(|p| p.matches(action)))
                && (resource_pats.is_empty() || resource_pats.iter().any(|p| p.is_any() || p.matches(resource)))
        };
        match r.result {
            Outcome::Fail => {
                let cx = r.counterexample.as_ref().unwrap();
                prop_assert!(listed(cx), "counterexample outside the listed access: {}", cx);
                prop_assert!(evaluate_with(cx, resource, &p));
                prop_assert!(!r.reasons.is_empty());
            }
            Outcome::Pass => {
                for case in grid(resource) {
                    prop_assert!(
                        !(listed(&case) && evaluate_with(&case, resource, &p)),
                        "PASS, but the policy allows listed access {}",
                        case
                    );
                }
            }
        }
    }
}

/// The generator exercises both answers (and undecided answers stay rare): otherwise the
/// properties above would hold vacuously.
#[test]
fn random_pairs_give_both_answers() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config::default());
    let (mut pass, mut fail, mut undecided) = (0, 0, 0);
    for i in 0..200 {
        let resource = i % 2 == 0;
        let a = policy(resource, true)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let b = policy(resource, true)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        match check_no_new_access(&parse(&a), &parse(&b), ty(resource)) {
            Ok(r) if r.result == Outcome::Pass => pass += 1,
            Ok(_) => fail += 1,
            Err(e) if e.kind() == ErrorKind::Undecided => {
                assert!(has_variables(&a) || has_variables(&b), "{e}");
                undecided += 1;
            }
            Err(e) => panic!("{e}: {a} / {b}"),
        }
    }
    eprintln!("pass {pass}, fail {fail}, undecided {undecided}");
    assert!(pass >= 20 && fail >= 20, "pass {pass}, fail {fail}");
    assert!(undecided <= 4, "undecided {undecided}");
}
