//! Lambda functions: the function policy, with `lambda:InvokeFunctionUrl` read through each
//! function URL's authorization type (AWS Lambda Developer Guide, "Control access to Lambda
//! function URLs": a request to a URL carries `lambda:FunctionUrlAuthType` = the URL's
//! `AuthType`; with `NONE` the function policy alone decides, with `AWS_IAM` callers sign).

use super::config::LambdaFunction;
use super::finding::Finding;
use super::resource::policy_units;
use super::{analyze_compiled, error_finding, run_units, Options, Unit, ZoneOfTrust};
use crate::reason::lang::Lang;

const INVOKE_URL: &str = "lambda:InvokeFunctionUrl";

pub(crate) fn analyze(f: &LambdaFunction, zone: &ZoneOfTrust, options: &Options) -> Vec<Finding> {
    let r = &f.resource;
    let Some(policy) = &f.policy else {
        return Vec::new();
    };
    let compiled = match policy.compile() {
        Ok(c) => c,
        Err(e) => return vec![error_finding(r, &e.to_string(), options)],
    };
    if f.urls.is_empty() {
        // No URL known: the authorization type is whatever the request says.
        return analyze_compiled(&compiled, r, zone, options);
    }
    let mut units = policy_units(&compiled, r);
    let Some(mut all) = units.pop() else {
        return Vec::new();
    };
    let Some(url_index) = all.actions.iter().position(|a| a == INVOKE_URL) else {
        return run_units(&[all], r, zone, options);
    };
    // Every action but InvokeFunctionUrl, as usual.
    all.actions = all
        .actions
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != url_index)
        .map(|(_, a)| a.clone())
        .collect::<Vec<_>>()
        .into();
    for (idx, _) in &mut all.shapes {
        idx.retain(|i| *i != url_index);
        for i in idx.iter_mut() {
            if *i > url_index {
                *i -= 1;
            }
        }
    }
    all.shapes.retain(|(idx, _)| !idx.is_empty());
    let mut units: Vec<Unit<'_>> = Vec::new();
    // InvokeFunctionUrl through each URL: the request names the URL's function (or alias) and
    // carries its authorization type.
    for url in &f.urls {
        let target = url.function_arn.clone().unwrap_or_else(|| r.arn.clone());
        let mut constants = all.constants.clone();
        constants.push((
            "lambda:FunctionUrlAuthType".into(),
            Some(url.auth_type.as_str().into()),
        ));
        units.push(Unit {
            source: all.source.clone(),
            policy: &compiled,
            policy_name: all.policy_name.clone(),
            resource: r,
            actions: vec![INVOKE_URL.to_string()].into(),
            shapes: vec![(vec![0], Lang::literal(&target, false))],
            constants,
            also: Vec::new(),
            require: None,
        });
    }
    units.insert(0, all);
    run_units(&units, r, zone, options)
}
