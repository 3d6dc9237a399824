//! Reading the compact data file (format: `tools/catalog-gen/src/generate.rs`).
//!
//! Nothing here panics or fails loudly: a header that does not parse gives an empty catalog, a
//! service block that does not parse gives a service with no actions, resource types or keys.
//! The embedded file is checked by the tests, so these paths only matter for a corrupt build.

use std::sync::OnceLock;

use super::global::{Scope, CROSS_SERVICE_KEYS, GLOBAL_KEYS};
use super::name::{cmp_ignore_case, Template};
use super::types::{AccessLevel, ConditionKeyType};

/// The first line the data file must have.
const HEADER: &str = "perimeter-catalog 1";

/// A range in one of a service's pools.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

impl Span {
    pub(crate) fn of<T>(self, pool: &[T]) -> &[T] {
        let start = self.start as usize;
        pool.get(start..start.saturating_add(self.len as usize))
            .unwrap_or(&[])
    }
}

pub(crate) struct KeyRow {
    pub(crate) name: &'static str,
    pub(crate) ty: ConditionKeyType,
}

pub(crate) struct ResourceRow {
    pub(crate) name: &'static str,
    /// Into `ServiceData::arns`.
    pub(crate) arns: Span,
    /// Into `ServiceData::pool` (indexes of `ServiceData::keys`).
    pub(crate) keys: Span,
}

pub(crate) struct ActionResourceRow {
    /// Index into `ServiceData::resources`.
    pub(crate) resource: u16,
    pub(crate) required: bool,
    pub(crate) keys: Span,
}

pub(crate) struct ActionRow {
    pub(crate) name: &'static str,
    pub(crate) level: AccessLevel,
    pub(crate) keys: Span,
    /// Into `ServiceData::action_resources`.
    pub(crate) resources: Span,
}

/// One service's tables, parsed on first use.
#[derive(Default)]
pub(crate) struct ServiceData {
    pub(crate) keys: Vec<KeyRow>,
    pub(crate) resources: Vec<ResourceRow>,
    // INVARIANT (sorted-actions): sorted by `cmp_ignore_case` of the name, so that lookups can
    // binary-search. Restored by `parse_block` whatever the file's order.
    pub(crate) actions: Vec<ActionRow>,
    pub(crate) action_resources: Vec<ActionResourceRow>,
    pub(crate) arns: Vec<&'static str>,
    /// Key indexes, shared by all spans of this service.
    pub(crate) pool: Vec<u16>,
}

pub(crate) struct ServiceEntry {
    pub(crate) prefix: &'static str,
    pub(crate) name: &'static str,
    block: &'static str,
    data: OnceLock<ServiceData>,
}

impl ServiceEntry {
    /// The service's tables, parsing them on first use.
    pub(crate) fn data(&self) -> &ServiceData {
        self.data
            .get_or_init(|| parse_block(self.block).unwrap_or_default())
    }
}

/// One entry of a key directory.
pub(crate) struct DirKey {
    pub(crate) name: &'static str,
    pub(crate) ty: ConditionKeyType,
    pub(crate) kind: DirKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DirKind {
    /// From the global keys table.
    Global(Scope),
    /// A service key that every action supports (see `CROSS_SERVICE_KEYS`).
    CrossService,
    /// A service key.
    Service,
}

/// Condition key definitions, for resolving a concrete key name.
#[derive(Default)]
pub(crate) struct KeyDirectory {
    // INVARIANT (sorted-exact): sorted by `cmp_ignore_case` of the name.
    exact: Vec<DirKey>,
    templated: Vec<(DirKey, Template)>,
}

impl KeyDirectory {
    fn build(mut keys: Vec<DirKey>) -> KeyDirectory {
        let mut exact = Vec::new();
        let mut templated = Vec::new();
        for k in keys.drain(..) {
            match Template::new(k.name) {
                Some(t) => templated.push((k, t)),
                None => exact.push(k),
            }
        }
        exact.sort_by(|a, b| cmp_ignore_case(a.name, b.name));
        // The most specific template first (most literal text), so that
        // `events:Metadata/x/Matcher` resolves to `events:Metadata/${MetadataKey}/Matcher`, not to
        // `events:Metadata/${MetadataKey}`; ties by name, for a stable order.
        templated.sort_by(|a, b| {
            b.1.literal_len
                .cmp(&a.1.literal_len)
                .then_with(|| cmp_ignore_case(a.0.name, b.0.name))
        });
        KeyDirectory { exact, templated }
    }

    /// The definition `name` is (exactly, or as an instance of a template).
    pub(crate) fn resolve(&self, name: &str) -> Option<&DirKey> {
        if let Ok(i) = self
            .exact
            .binary_search_by(|k| cmp_ignore_case(k.name, name))
        {
            return self.exact.get(i);
        }
        self.templated
            .iter()
            .find(|(_, t)| t.matches(name))
            .map(|(k, _)| k)
    }

    pub(crate) fn all(&self) -> impl Iterator<Item = &DirKey> {
        self.exact
            .iter()
            .chain(self.templated.iter().map(|(k, _)| k))
    }
}

/// The whole catalog: the service index is read eagerly (a few hundred short lines), each
/// service's tables and the key directories on first use.
pub(crate) struct Store {
    pub(crate) source: &'static str,
    // INVARIANT (sorted-services): sorted by `cmp_ignore_case` of the prefix.
    pub(crate) services: Vec<ServiceEntry>,
    keys_text: &'static str,
    keys: OnceLock<KeyDirectory>,
}

/// The global keys table as a directory (shared by every catalog).
pub(crate) fn global_directory() -> &'static KeyDirectory {
    static GLOBAL: OnceLock<KeyDirectory> = OnceLock::new();
    GLOBAL.get_or_init(|| {
        KeyDirectory::build(
            GLOBAL_KEYS
                .iter()
                .map(|k| DirKey {
                    name: k.name,
                    ty: k.ty,
                    kind: DirKind::Global(k.scope),
                })
                .collect(),
        )
    })
}

impl Store {
    pub(crate) fn empty() -> Store {
        Store {
            source: "",
            services: Vec::new(),
            keys_text: "",
            keys: OnceLock::new(),
        }
    }

    /// Read the header and service index of `text`; an empty store if they do not parse.
    pub(crate) fn parse(text: &'static str) -> Store {
        parse_header(text).unwrap_or_else(Store::empty)
    }

    /// The service keys of every service (one definition per distinct name).
    pub(crate) fn key_directory(&self) -> &KeyDirectory {
        self.keys
            .get_or_init(|| KeyDirectory::build(parse_keys(self.keys_text)))
    }

    /// The definition of the condition key `name`: global keys from the global table first
    /// (`aws:` names), then service keys; exact names before templates.
    pub(crate) fn resolve_key(&self, name: &str) -> Option<&DirKey> {
        let global = name
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("aws:"));
        if global {
            if let Some(k) = global_directory().resolve(name) {
                return Some(k);
            }
        }
        self.key_directory().resolve(name)
    }

    pub(crate) fn service(&self, prefix: &str) -> Option<&ServiceEntry> {
        let i = self
            .services
            .binary_search_by(|s| cmp_ignore_case(s.prefix, prefix))
            .ok()?;
        self.services.get(i)
    }
}

/// Split off the first line (without its `\n`); `None` at the end of the text.
fn next_line(rest: &mut &'static str) -> Option<&'static str> {
    if rest.is_empty() {
        return None;
    }
    let (line, tail) = rest.split_once('\n').unwrap_or((rest, ""));
    *rest = tail;
    Some(line)
}

/// `word count bytes`.
fn section_line(line: &str, word: &str) -> Option<(usize, usize)> {
    let mut it = line.split(' ');
    if it.next()? != word {
        return None;
    }
    let count = it.next()?.parse().ok()?;
    let bytes = it.next()?.parse().ok()?;
    Some((count, bytes))
}

fn parse_header(text: &'static str) -> Option<Store> {
    let mut rest = text;
    if next_line(&mut rest)? != HEADER {
        return None;
    }
    let mut source = "";
    let mut line = next_line(&mut rest)?;
    while let Some(comment) = line.strip_prefix('#') {
        if let Some(s) = comment.trim().strip_prefix("Source:") {
            source = s.trim();
        }
        line = next_line(&mut rest)?;
    }
    let (service_count, service_bytes) = section_line(line, "services")?;
    let (_, key_bytes) = section_line(next_line(&mut rest)?, "keys")?;
    let services_text = rest.get(..service_bytes)?;
    let keys_text = rest.get(service_bytes..service_bytes.checked_add(key_bytes)?)?;
    let blocks = rest.get(service_bytes + key_bytes..)?;

    let mut services = Vec::with_capacity(service_count.min(4096));
    for line in services_text.lines() {
        let mut f = line.split('\t');
        let (Some(prefix), Some(name), Some(offset), Some(len)) =
            (f.next(), f.next(), f.next(), f.next())
        else {
            continue;
        };
        let (Ok(offset), Ok(len)) = (offset.parse::<usize>(), len.parse::<usize>()) else {
            continue;
        };
        let block = offset
            .checked_add(len)
            .and_then(|end| blocks.get(offset..end))
            .unwrap_or("");
        if prefix.is_empty() {
            continue;
        }
        services.push(ServiceEntry {
            prefix,
            name,
            block,
            data: OnceLock::new(),
        });
    }
    // Restores INVARIANT (sorted-services).
    if !services
        .windows(2)
        .all(|w| matches!(w, [a, b] if cmp_ignore_case(a.prefix, b.prefix).is_le()))
    {
        services.sort_by(|a, b| cmp_ignore_case(a.prefix, b.prefix));
    }
    Some(Store {
        source,
        services,
        keys_text,
        keys: OnceLock::new(),
    })
}

fn parse_keys(text: &'static str) -> Vec<DirKey> {
    text.lines()
        .filter_map(|line| {
            let (name, ty) = line.split_once('\t')?;
            let ty = ConditionKeyType::from_reference_name(ty)?;
            if name.is_empty() {
                return None;
            }
            let kind = if CROSS_SERVICE_KEYS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(name))
            {
                DirKind::CrossService
            } else {
                DirKind::Service
            };
            Some(DirKey { name, ty, kind })
        })
        .collect()
}

/// Indexes `a,b,c` (empty field = none), each below `limit`, appended to `pool`.
fn parse_indexes(field: &str, limit: usize, pool: &mut Vec<u16>) -> Option<Span> {
    let start = u32::try_from(pool.len()).ok()?;
    if !field.is_empty() {
        for n in field.split(',') {
            let i: u16 = n.parse().ok()?;
            if usize::from(i) >= limit {
                return None;
            }
            pool.push(i);
        }
    }
    let len = u32::try_from(pool.len()).ok()?.checked_sub(start)?;
    Some(Span { start, len })
}

fn span_from(start: usize, end: usize) -> Option<Span> {
    Some(Span {
        start: u32::try_from(start).ok()?,
        len: u32::try_from(end.checked_sub(start)?).ok()?,
    })
}

pub(crate) fn parse_block(block: &'static str) -> Option<ServiceData> {
    let mut rest = block;
    let mut counts = next_line(&mut rest)?.split(' ');
    let nk: usize = counts.next()?.parse().ok()?;
    let nr: usize = counts.next()?.parse().ok()?;
    let na: usize = counts.next()?.parse().ok()?;
    // Indexes are u16, and every row takes at least one byte: bound the allocations before
    // reading rows (a block claiming more rows than it has lines fails below anyway).
    let limit = block.len().min(usize::from(u16::MAX));
    if nk > limit || nr > limit || na > block.len() {
        return None;
    }
    let mut d = ServiceData {
        keys: Vec::with_capacity(nk),
        resources: Vec::with_capacity(nr),
        actions: Vec::with_capacity(na),
        ..ServiceData::default()
    };

    for _ in 0..nk {
        let (name, ty) = next_line(&mut rest)?.split_once('\t')?;
        d.keys.push(KeyRow {
            name,
            ty: ConditionKeyType::from_reference_name(ty)?,
        });
    }

    for _ in 0..nr {
        let mut f = next_line(&mut rest)?.split('\t');
        let name = f.next()?;
        let arn_start = d.arns.len();
        d.arns
            .extend(f.next()?.split(' ').filter(|a| !a.is_empty()));
        let arns = span_from(arn_start, d.arns.len())?;
        let keys = parse_indexes(f.next()?, nk, &mut d.pool)?;
        d.resources.push(ResourceRow { name, arns, keys });
    }

    for _ in 0..na {
        let mut f = next_line(&mut rest)?.split('\t');
        let name = f.next()?;
        let level = AccessLevel::from_code(f.next()?)?;
        let keys = parse_indexes(f.next()?, nk, &mut d.pool)?;
        let res_start = d.action_resources.len();
        let res_field = f.next()?;
        if !res_field.is_empty() {
            for item in res_field.split(';') {
                let (head, key_list) = item.split_once(':').unwrap_or((item, ""));
                let (index, required) = match head.strip_suffix('!') {
                    Some(i) => (i, true),
                    None => (head, false),
                };
                let resource: u16 = index.parse().ok()?;
                if usize::from(resource) >= nr {
                    return None;
                }
                let keys = parse_indexes(key_list, nk, &mut d.pool)?;
                d.action_resources.push(ActionResourceRow {
                    resource,
                    required,
                    keys,
                });
            }
        }
        let resources = span_from(res_start, d.action_resources.len())?;
        d.actions.push(ActionRow {
            name,
            level,
            keys,
            resources,
        });
    }

    // Restores INVARIANT (sorted-actions).
    if !d
        .actions
        .windows(2)
        .all(|w| matches!(w, [a, b] if cmp_ignore_case(a.name, b.name).is_le()))
    {
        d.actions.sort_by(|a, b| cmp_ignore_case(a.name, b.name));
    }
    Some(d)
}
