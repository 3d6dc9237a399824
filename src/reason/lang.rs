//! String languages: IAM wildcard patterns (and the few extra shapes the request space needs) as
//! small NFAs, and the decision procedure for "is there a string in all of these languages and
//! none of those", with a shortest witness.
//!
//! A language is a sequence of tokens, with no alternation (unions are lists of languages). The
//! NFA state of a language is the set of token positions reached, a bit set. A conjunction of
//! languages is decided by a breadth-first search over tuples of those bit sets, on an alphabet
//! that holds every character the languages name plus one fresh character of each behaviour (a
//! letter no literal names, a digit no literal names, `:`, `/`): characters outside the alphabet
//! behave exactly like the fresh one, so the search is exact.

use crate::pattern::{fold, Token};
use smallvec::SmallVec;

/// One token of a language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Tok {
    /// This character.
    Char(char),
    /// This character up to case (stored folded).
    CharCi(char),
    /// Any one character except those in the mask.
    One(Mask),
    /// Any run of characters (possibly empty) without those in the mask.
    Run(Mask),
    /// One ASCII digit.
    Digit,
}

/// Characters a wildcard may not match: `:` and/or `/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub(crate) struct Mask {
    pub(crate) colon: bool,
    pub(crate) slash: bool,
}

impl Mask {
    pub(crate) const NONE: Mask = Mask {
        colon: false,
        slash: false,
    };
    pub(crate) const COLON: Mask = Mask {
        colon: true,
        slash: false,
    };
    pub(crate) const COLON_SLASH: Mask = Mask {
        colon: true,
        slash: true,
    };

    #[inline]
    fn allows(&self, c: char) -> bool {
        !((self.colon && c == ':') || (self.slash && c == '/'))
    }
}

impl Tok {
    #[inline]
    fn accepts(&self, c: char) -> bool {
        match *self {
            Tok::Char(p) => p == c,
            Tok::CharCi(p) => fold(c) == p,
            Tok::One(m) | Tok::Run(m) => m.allows(c),
            Tok::Digit => c.is_ascii_digit(),
        }
    }
}

/// A language: a token sequence, with its search-cache code (computed with the tokens) and a
/// matching table (built on first use). A clone shares the tokens and a table already built.
#[derive(Clone, Default)]
pub(crate) struct Lang {
    /// Shared by clones (a space's copy of its prototype copies no tokens).
    pub(crate) toks: std::sync::Arc<[Tok]>,
    table: std::sync::OnceLock<Option<std::sync::Arc<Table>>>,
    /// A hash of the tokens, the same in every thread (what the caches look up first, and what
    /// hashing a language hashes), computed with them.
    code: u64,
}

impl Tok {
    /// A number for the token, distinct for distinct tokens.
    fn code(self) -> u64 {
        let mask = |m: Mask| u64::from(m.colon) | (u64::from(m.slash) << 1);
        match self {
            Tok::Char(c) => u64::from(c as u32),
            Tok::CharCi(c) => (1 << 40) | u64::from(c as u32),
            Tok::One(m) => (2 << 40) | mask(m),
            Tok::Run(m) => (3 << 40) | mask(m),
            Tok::Digit => 4 << 40,
        }
    }
}

/// For languages under 127 tokens: the positions accepting each ASCII character, and the runs.
struct Table {
    ascii: [u128; 128],
    runs: u128,
}

impl Clone for Table {
    fn clone(&self) -> Table {
        Table {
            ascii: self.ascii,
            runs: self.runs,
        }
    }
}

impl PartialEq for Lang {
    fn eq(&self, other: &Lang) -> bool {
        self.toks == other.toks
    }
}
impl Eq for Lang {}
impl std::hash::Hash for Lang {
    /// The tokens' code (equal tokens, equal code): interning a language reads no token.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.code);
    }
}
impl std::fmt::Debug for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lang").field("toks", &self.toks).finish()
    }
}

impl From<Vec<Tok>> for Lang {
    fn from(toks: Vec<Tok>) -> Lang {
        Lang::of_shared(toks.into())
    }
}

impl From<&[Tok]> for Lang {
    /// One allocation, the tokens copied into it (for tokens gathered on the stack).
    fn from(toks: &[Tok]) -> Lang {
        Lang::of_shared(toks.into())
    }
}

/// The cache hash of tokens (from each token's number, so equal tokens hash alike; 0 for
/// none, as a default language has).
fn code_of(toks: &[Tok]) -> u64 {
    let mut h: u64 = toks.len() as u64;
    for t in toks {
        h = (h.rotate_left(5) ^ t.code()).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    h
}

/// The NFA state of one language: the token positions reached (position `len` = accepting).
type Bits = SmallVec<[u64; 2]>;

impl Lang {
    /// The language of these tokens (its code computed now, its table when first needed).
    fn of_shared(toks: std::sync::Arc<[Tok]>) -> Lang {
        Lang {
            code: code_of(&toks),
            toks,
            table: std::sync::OnceLock::new(),
        }
    }

    /// The language of an IAM wildcard pattern (`*`, `?`), case-sensitive or not.
    pub(crate) fn glob(text: &str, ci: bool) -> Lang {
        Lang::from_chars(text, |c| match c {
            '*' => Tok::Run(Mask::NONE),
            '?' => Tok::One(Mask::NONE),
            c if ci => Tok::CharCi(fold(c)),
            c => Tok::Char(c),
        })
    }

    /// One token per character of `text` (the list sized once: these are built per statement).
    fn from_chars(text: &str, tok: impl Fn(char) -> Tok) -> Lang {
        if text.is_ascii() {
            // A byte is a character, and the tokens are gathered straight into their shared
            // slice (an exact-size iterator: one allocation).
            return Lang::of_shared(text.bytes().map(|b| tok(char::from(b))).collect());
        }
        let mut toks = Vec::with_capacity(text.len());
        toks.extend(text.chars().map(tok));
        Lang::from(toks)
    }

    /// The language of pattern tokens (literal `*` from `${*}` stays literal).
    pub(crate) fn from_tokens(tokens: &[Token], ci: bool) -> Lang {
        // An exact-size iterator: gathered straight into the shared slice.
        Lang::of_shared(
            tokens
                .iter()
                .map(|t| match *t {
                    Token::AnyRun => Tok::Run(Mask::NONE),
                    Token::AnyChar => Tok::One(Mask::NONE),
                    Token::Char(c) if ci => Tok::CharCi(fold(c)),
                    Token::Char(c) => Tok::Char(c),
                })
                .collect(),
        )
    }

    /// Exactly this string.
    pub(crate) fn literal(text: &str, ci: bool) -> Lang {
        Lang::from_chars(text, |c| {
            if ci {
                Tok::CharCi(fold(c))
            } else {
                Tok::Char(c)
            }
        })
    }

    /// The language of an ARN pattern under IAM's component rule (see `crate::arn`): wildcards in
    /// the first components of the pattern cannot cross `:`, those in the last component can.
    pub(crate) fn arn(text: &str) -> Lang {
        if text.is_ascii() {
            // As below, byte by byte into the shared slice (one allocation): the first five
            // colons separate components, and only the last component's wildcards cross `:`.
            let n = (text.bytes().filter(|b| *b == b':').count() + 1).min(6);
            let mut comp = 0usize;
            let toks = text
                .bytes()
                .map(|b| {
                    if b == b':' && comp + 1 < n {
                        comp += 1;
                        return Tok::Char(':');
                    }
                    let mask = if comp + 1 == n {
                        Mask::NONE
                    } else {
                        Mask::COLON
                    };
                    match b {
                        b'*' => Tok::Run(mask),
                        b'?' => Tok::One(mask),
                        c => Tok::Char(char::from(c)),
                    }
                })
                .collect();
            return Lang::of_shared(toks);
        }
        Lang::arn_by_components(text)
    }

    /// [`Lang::arn`], split into components first (any text).
    fn arn_by_components(text: &str) -> Lang {
        let comps: SmallVec<[&str; 6]> = text.splitn(6, ':').collect();
        let n = comps.len();
        let mut toks = Vec::with_capacity(text.len());
        for (i, comp) in comps.iter().enumerate() {
            if i > 0 {
                toks.push(Tok::Char(':'));
            }
            let mask = if i + 1 == n { Mask::NONE } else { Mask::COLON };
            for c in comp.chars() {
                toks.push(match c {
                    '*' => Tok::Run(mask),
                    '?' => Tok::One(mask),
                    c => Tok::Char(c),
                });
            }
        }
        Lang::from(toks)
    }

    /// Concatenation.
    pub(crate) fn then(self, other: &Lang) -> Lang {
        self.extended(other.toks.iter().copied())
    }

    /// Append literal text.
    pub(crate) fn then_str(self, text: &str) -> Lang {
        self.extended(text.chars().map(Tok::Char))
    }

    /// Append one token.
    pub(crate) fn then_tok(self, t: Tok) -> Lang {
        self.extended([t])
    }

    /// The language's tokens followed by `more` (the tokens are shared, so a new list: hot
    /// paths that join many pieces build the list first).
    fn extended(self, more: impl IntoIterator<Item = Tok>) -> Lang {
        // Gathered on the stack, then copied once into the new language's shared slice.
        let mut toks: SmallVec<[Tok; 96]> = SmallVec::new();
        toks.extend(self.toks.iter().copied());
        toks.extend(more);
        Lang::from(&toks[..])
    }

    /// The same language with every wildcard also excluding the characters of `mask`.
    pub(crate) fn restrict(&self, mask: Mask) -> Lang {
        // An exact-size iterator: gathered straight into the shared slice.
        Lang::of_shared(self.restricted_toks(mask).collect())
    }

    /// The tokens of [`Lang::restrict`].
    pub(crate) fn restricted_toks(&self, mask: Mask) -> impl ExactSizeIterator<Item = Tok> + '_ {
        let widen = move |m: Mask| Mask {
            colon: m.colon || mask.colon,
            slash: m.slash || mask.slash,
        };
        self.toks.iter().map(move |t| match *t {
            Tok::Run(m) => Tok::Run(widen(m)),
            Tok::One(m) => Tok::One(widen(m)),
            t => t,
        })
    }

    /// Whether some literal token is one of the characters `mask` excludes (so the language,
    /// restricted to strings without them, is empty).
    pub(crate) fn has_literal(&self, c: char) -> bool {
        self.toks
            .iter()
            .any(|t| matches!(t, Tok::Char(x) | Tok::CharCi(x) if *x == c))
    }

    fn words(&self) -> usize {
        (self.toks.len() + 1).div_ceil(64)
    }

    fn set(bits: &mut Bits, i: usize) {
        if let Some(w) = bits.get_mut(i / 64) {
            *w |= 1u64 << (i % 64);
        }
    }

    fn get(bits: &Bits, i: usize) -> bool {
        bits.get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    /// Close a state set over runs (a run may match nothing).
    fn close(&self, bits: &mut Bits) {
        for (i, t) in self.toks.iter().enumerate() {
            if Self::get(bits, i) && matches!(t, Tok::Run(_)) {
                Self::set(bits, i + 1);
            }
        }
    }

    fn start(&self) -> Bits {
        let mut b: Bits = SmallVec::from_elem(0, self.words());
        Self::set(&mut b, 0);
        self.close(&mut b);
        b
    }

    fn step(&self, bits: &Bits, c: char) -> Bits {
        let mut next: Bits = SmallVec::from_elem(0, self.words());
        for (i, t) in self.toks.iter().enumerate() {
            if !Self::get(bits, i) || !t.accepts(c) {
                continue;
            }
            match t {
                Tok::Run(_) => Self::set(&mut next, i),
                _ => Self::set(&mut next, i + 1),
            }
        }
        self.close(&mut next);
        next
    }

    fn accepting(&self, bits: &Bits) -> bool {
        Self::get(bits, self.toks.len())
    }

    fn table(&self) -> Option<&Table> {
        self.table
            .get_or_init(|| {
                if self.toks.len() >= 127 {
                    return None;
                }
                // Analyses build the same languages again and again (resource and account
                // shapes): their tables are kept per thread and shared.
                let h = self.code();
                let kept = TABLES.with(|m| {
                    m.borrow()
                        .get(&h)?
                        .iter()
                        .find(|(toks, _)| **toks == *self.toks)
                        .map(|(_, t)| t.clone())
                });
                if kept.is_some() {
                    return kept;
                }
                let t = self.build_table();
                TABLES.with(|m| {
                    let mut m = m.borrow_mut();
                    if m.len() >= TABLES_LIMIT {
                        m.clear();
                    }
                    m.entry(h).or_default().push((self.toks.clone(), t.clone()));
                });
                Some(t)
            })
            .as_deref()
    }

    /// The matching table of the tokens (under 127 of them).
    fn build_table(&self) -> std::sync::Arc<Table> {
        let mut runs = 0u128;
        let mut ascii = [0u128; 128];
        for (i, t) in self.toks.iter().enumerate() {
            let bit = 1u128 << i;
            let mut set = |c: char| {
                if let Some(m) = ascii.get_mut(c as usize) {
                    *m |= bit;
                }
            };
            match *t {
                Tok::Char(c) => set(c),
                Tok::CharCi(c) => {
                    set(c);
                    set(c.to_ascii_uppercase());
                }
                Tok::Digit => ('0'..='9').for_each(set),
                Tok::One(m) | Tok::Run(m) => {
                    if matches!(t, Tok::Run(_)) {
                        runs |= bit;
                    }
                    // Every ASCII character the mask allows.
                    for a in ascii.iter_mut() {
                        *a |= bit;
                    }
                    for c in [':', '/'] {
                        if !m.allows(c) {
                            if let Some(a) = ascii.get_mut(c as usize) {
                                *a &= !bit;
                            }
                        }
                    }
                }
            }
        }
        std::sync::Arc::new(Table { ascii, runs })
    }

    /// Whether the language holds `s`.
    pub(crate) fn matches(&self, s: &str) -> bool {
        if !self.toks.iter().any(|t| matches!(t, Tok::Run(_))) {
            // Without runs, each token takes one character: no table is needed.
            let mut n = 0;
            for c in s.chars() {
                match self.toks.get(n) {
                    Some(t) if t.accepts(c) => n += 1,
                    _ => return false,
                }
            }
            return n == self.toks.len();
        }
        if let Some(t) = self.table() {
            let close = |mut x: u128| loop {
                let y = x | ((x & t.runs) << 1);
                if y == x {
                    return x;
                }
                x = y;
            };
            let mut x = close(1);
            for c in s.chars() {
                let accept = if c.is_ascii() {
                    t.ascii.get(c as usize).copied().unwrap_or(0)
                } else {
                    self.toks
                        .iter()
                        .enumerate()
                        .filter(|(_, tok)| tok.accepts(c))
                        .fold(0u128, |m, (i, _)| m | (1u128 << i))
                };
                let m = accept & x;
                x = close((m & t.runs) | ((m & !t.runs) << 1));
                if x == 0 {
                    return false;
                }
            }
            return x & (1u128 << self.toks.len()) != 0;
        }
        let mut b = self.start();
        for c in s.chars() {
            b = self.step(&b, c);
            if b.iter().all(|w| *w == 0) {
                return false;
            }
        }
        self.accepting(&b)
    }

    /// Build the matching table and the search-cache code now (so that clones share them).
    pub(crate) fn prepare(&self) {
        let _ = self.table();
        let _ = self.code();
    }

    /// The cache hash of the tokens.
    fn code(&self) -> u64 {
        self.code
    }

    fn chars_named(&self, out: &mut Vec<char>) {
        for t in self.toks.iter() {
            match *t {
                Tok::Char(c) => out.push(c),
                Tok::CharCi(c) => {
                    out.push(c);
                    out.extend(c.to_uppercase());
                }
                _ => {}
            }
        }
    }
}

/// The outcome of a search that ran out of budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OutOfBudget;

/// A language compiled against one query's alphabet: for each alphabet character, the positions
/// whose token accepts it, as a bit set (only for languages of fewer than 128 tokens).
struct Fast {
    /// Per alphabet index: accepting positions.
    masks: Vec<u128>,
    /// Positions holding a run (which stay put on a character and may be skipped).
    runs: u128,
    accept: u128,
}

impl Fast {
    fn new(l: &Lang, alphabet: &[char]) -> Option<Fast> {
        let table = l.table()?;
        let masks = alphabet
            .iter()
            .map(|&c| {
                if c.is_ascii() {
                    table.ascii.get(c as usize).copied().unwrap_or(0)
                } else {
                    l.toks
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| t.accepts(c))
                        .fold(0u128, |m, (i, _)| m | (1u128 << i))
                }
            })
            .collect();
        Some(Fast {
            masks,
            runs: table.runs,
            accept: 1u128 << l.toks.len(),
        })
    }

    /// Skip runs: a run position reached also reaches the next position.
    #[inline]
    fn close(&self, mut x: u128) -> u128 {
        loop {
            let y = x | ((x & self.runs) << 1);
            if y == x {
                return x;
            }
            x = y;
        }
    }

    #[inline]
    fn step(&self, x: u128, ci: usize) -> u128 {
        let m = self.masks.get(ci).copied().unwrap_or(0) & x;
        self.close((m & self.runs) | ((m & !self.runs) << 1))
    }
}

/// Tables by a hash of their tokens (the tokens kept to confirm a hit).
type TableCache = ahash::AHashMap<u64, Vec<(std::sync::Arc<[Tok]>, std::sync::Arc<Table>)>>;

thread_local! {
    /// Matching tables by the tokens they were built from (see [`Lang::table`]).
    static TABLES: std::cell::RefCell<TableCache> = std::cell::RefCell::new(TableCache::new());
}
/// Tables kept per thread, at most (2 KiB each; then the cache starts over).
const TABLES_LIMIT: usize = 512;

/// A search question: the unions of positive languages, and the negative languages (their
/// tokens, shared with the languages).
type CacheKey = (Vec<Vec<std::sync::Arc<[Tok]>>>, Vec<std::sync::Arc<[Tok]>>);
/// A cached question with its answer and the budget its search used.
type CacheEntry = (CacheKey, Option<String>, u64);

thread_local! {
    /// Results of recent searches, by a hash of the languages' tokens (with the tokens kept to
    /// confirm a hit): analyses of many resources ask the same questions about principals and
    /// shapes.
    static CACHE: std::cell::RefCell<ahash::AHashMap<u64, Vec<CacheEntry>>> =
        std::cell::RefCell::new(ahash::AHashMap::new());
}
const CACHE_LIMIT: usize = 8192;

fn question_hash(unions: &[&[&Lang]], negs: &[&Lang]) -> u64 {
    // A fixed multiply-rotate hash (FxHash's step): cheap, and the same in every thread.
    let mut h: u64 = 0;
    let mut mix = |x: u64| {
        h = (h.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    };
    mix(unions.len() as u64);
    for u in unions {
        mix(u.len() as u64 | (1 << 50));
        for l in *u {
            mix(l.code());
        }
    }
    mix(negs.len() as u64 | (3 << 50));
    for l in negs {
        mix(l.code());
    }
    h
}

/// Whether cached tokens are a language's (the same allocation, or equal tokens).
fn same_lang(k: &std::sync::Arc<[Tok]>, l: &Lang) -> bool {
    std::sync::Arc::ptr_eq(k, &l.toks) || **k == *l.toks
}

fn same_question(key: &CacheKey, unions: &[&[&Lang]], negs: &[&Lang]) -> bool {
    key.0.len() == unions.len()
        && key.1.len() == negs.len()
        && key.0.iter().zip(unions).all(|(ku, u)| {
            ku.len() == u.len() && ku.iter().zip(u.iter()).all(|(k, l)| same_lang(k, l))
        })
        && key.1.iter().zip(negs).all(|(k, l)| same_lang(k, l))
}

/// Take `cost` from the budget (all of it, and fail, when it does not cover the cost): what
/// running a remembered piece of work again would have done.
pub(crate) fn charge(budget: &mut u64, cost: u64) -> Result<(), OutOfBudget> {
    if *budget < cost {
        *budget = 0;
        return Err(OutOfBudget);
    }
    *budget -= cost;
    Ok(())
}

/// Is there a string that is in at least one language of each `unions` entry and in none of
/// `negs`? Returns a shortest such string.
///
/// `budget` bounds the product states explored and is decreased by the states used.
pub(crate) fn solve(
    unions: &[&[&Lang]],
    negs: &[&Lang],
    budget: &mut u64,
) -> Result<Option<String>, OutOfBudget> {
    let h = question_hash(unions, negs);
    let hit = CACHE.with(|c| {
        c.borrow().get(&h).and_then(|bucket| {
            bucket
                .iter()
                .find(|(k, _, _)| same_question(k, unions, negs))
                .map(|(_, v, cost)| (v.clone(), *cost))
        })
    });
    if let Some((hit, cost)) = hit {
        // A remembered answer costs what finding it cost, so that whether an analysis fits its
        // budget does not depend on what ran before on the thread.
        charge(budget, cost)?;
        return Ok(hit);
    }
    let before = *budget;
    let out = search(unions, negs, budget)?;
    let cost = before.saturating_sub(*budget);
    let key: CacheKey = (
        unions
            .iter()
            .map(|u| u.iter().map(|l| l.toks.clone()).collect())
            .collect(),
        negs.iter().map(|l| l.toks.clone()).collect(),
    );
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_LIMIT {
            c.clear();
        }
        c.entry(h).or_default().push((key, out.clone(), cost));
    });
    Ok(out)
}

fn search(
    unions: &[&[&Lang]],
    negs: &[&Lang],
    budget: &mut u64,
) -> Result<Option<String>, OutOfBudget> {
    // The languages in play, flattened.
    let langs: Vec<&Lang> = unions
        .iter()
        .flat_map(|u| u.iter().copied())
        .chain(negs.iter().copied())
        .collect();
    // The alphabet: named characters, plus one fresh character of each behaviour.
    let mut alphabet: Vec<char> = Vec::new();
    for l in &langs {
        l.chars_named(&mut alphabet);
    }
    alphabet.sort_unstable();
    alphabet.dedup();
    let fresh_letter = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
        .chars()
        .find(|c| !alphabet.contains(c) && !alphabet.contains(&fold(*c)))
        .unwrap_or('\u{e000}');
    let fresh_digit = "0123456789".chars().find(|c| !alphabet.contains(c));
    alphabet.push(fresh_letter);
    alphabet.extend(fresh_digit);
    for c in [':', '/'] {
        if !alphabet.contains(&c) {
            alphabet.push(c);
        }
    }
    // Readable witnesses: prefer letters and digits, then punctuation.
    alphabet.sort_by_key(|c| (!c.is_ascii_alphanumeric(), *c));

    let fast: Option<Vec<Fast>> = langs.iter().map(|l| Fast::new(l, &alphabet)).collect();
    match fast {
        Some(fast) => search_fast(unions, &fast, &alphabet, budget),
        None => search_general(unions, &langs, &alphabet, budget),
    }
}

/// The search with bit-parallel steps (every language under 128 tokens). States live in one
/// buffer; successors are computed into a scratch slice and stored only when new.
fn search_fast(
    unions: &[&[&Lang]],
    fast: &[Fast],
    alphabet: &[char],
    budget: &mut u64,
) -> Result<Option<String>, OutOfBudget> {
    let n_union: Vec<usize> = unions.iter().map(|u| u.len()).collect();
    let n_pos: usize = n_union.iter().sum();
    let k = fast.len();
    let accept = |state: &[u128]| -> bool {
        let mut i = 0;
        for n in &n_union {
            if !(i..i + n).any(|j| {
                fast.get(j)
                    .zip(state.get(j))
                    .is_some_and(|(f, b)| b & f.accept != 0)
            }) {
                return false;
            }
            i += n;
        }
        (n_pos..k).all(|j| {
            fast.get(j)
                .zip(state.get(j))
                .is_none_or(|(f, b)| b & f.accept == 0)
        })
    };
    let dead = |state: &[u128]| -> bool {
        let mut i = 0;
        for n in &n_union {
            if !(i..i + n).any(|j| state.get(j).is_some_and(|b| *b != 0)) {
                return true;
            }
            i += n;
        }
        false
    };
    let mut states: Vec<u128> = fast.iter().map(|f| f.close(1)).collect();
    if dead(&states) {
        return Ok(None);
    }
    let mut seen: ahash::AHashSet<Box<[u128]>> = ahash::AHashSet::new();
    seen.insert(states.clone().into_boxed_slice());
    // Per node: (parent node, alphabet index).
    let mut links: Vec<(usize, u32)> = vec![(usize::MAX, 0)];
    let mut next: Vec<u128> = vec![0; k];
    let mut head = 0;
    while head < links.len() {
        if *budget == 0 {
            return Err(OutOfBudget);
        }
        *budget -= 1;
        let base = head * k;
        let Some(state) = states.get(base..base + k) else {
            break;
        };
        if accept(state) {
            let mut out = Vec::new();
            let mut i = head;
            while let Some((parent, c)) = links.get(i) {
                if *parent == usize::MAX {
                    break;
                }
                out.push(alphabet.get(*c as usize).copied().unwrap_or('?'));
                i = *parent;
            }
            out.reverse();
            return Ok(Some(out.into_iter().collect()));
        }
        for ci in 0..alphabet.len() {
            for (j, slot) in next.iter_mut().enumerate() {
                let b = states.get(base + j).copied().unwrap_or(0);
                *slot = fast.get(j).map_or(0, |f| f.step(b, ci));
            }
            if dead(&next) || seen.contains(next.as_slice()) {
                continue;
            }
            seen.insert(next.clone().into_boxed_slice());
            states.extend_from_slice(&next);
            links.push((head, ci as u32));
        }
        head += 1;
    }
    Ok(None)
}

/// The search for long languages, stepping token by token.
fn search_general(
    unions: &[&[&Lang]],
    langs: &[&Lang],
    alphabet: &[char],
    budget: &mut u64,
) -> Result<Option<String>, OutOfBudget> {
    let n_union: Vec<usize> = unions.iter().map(|u| u.len()).collect();
    let accept = |state: &[Bits]| -> bool {
        let mut k = 0;
        for n in &n_union {
            let ok = (k..k + n).any(|i| {
                langs
                    .get(i)
                    .zip(state.get(i))
                    .is_some_and(|(l, b)| l.accepting(b))
            });
            if !ok {
                return false;
            }
            k += n;
        }
        (k..langs.len()).all(|i| {
            !langs
                .get(i)
                .zip(state.get(i))
                .is_some_and(|(l, b)| l.accepting(b))
        })
    };
    let dead = |state: &[Bits]| -> bool {
        let mut k = 0;
        for n in &n_union {
            let alive = (k..k + n).any(|i| state.get(i).is_some_and(|b| b.iter().any(|w| *w != 0)));
            if !alive {
                return true;
            }
            k += n;
        }
        false
    };
    let start: Vec<Bits> = langs.iter().map(|l| l.start()).collect();
    if dead(&start) {
        return Ok(None);
    }
    let mut seen: ahash::AHashMap<Vec<Bits>, usize> = ahash::AHashMap::new();
    let mut nodes: Vec<(Vec<Bits>, usize, char)> = vec![(start.clone(), usize::MAX, '\0')];
    seen.insert(start, 0);
    let mut head = 0;
    while head < nodes.len() {
        if *budget == 0 {
            return Err(OutOfBudget);
        }
        *budget -= 1;
        let state = match nodes.get(head) {
            Some((s, _, _)) => s.clone(),
            None => break,
        };
        if accept(&state) {
            let mut out = Vec::new();
            let mut i = head;
            while let Some((_, parent, c)) = nodes.get(i) {
                if *parent == usize::MAX {
                    break;
                }
                out.push(*c);
                i = *parent;
            }
            out.reverse();
            return Ok(Some(out.into_iter().collect()));
        }
        for &c in alphabet {
            let next: Vec<Bits> = langs
                .iter()
                .zip(&state)
                .map(|(l, b)| l.step(b, c))
                .collect();
            if dead(&next) || seen.contains_key(&next) {
                continue;
            }
            seen.insert(next.clone(), nodes.len());
            nodes.push((next, head, c));
        }
        head += 1;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::{Case, Pattern};
    use proptest::prelude::*;

    fn sat(pos: &[&Lang], neg: &[&Lang]) -> Option<String> {
        let unions: Vec<&[&Lang]> = pos.iter().map(std::slice::from_ref).collect();
        solve(&unions, neg, &mut 100_000).unwrap()
    }

    #[test]
    fn globs_and_witnesses() {
        let a = Lang::glob("arn:aws:iam::123456789012:user/*bc", false);
        let b = Lang::glob("arn:aws:iam::123456789012:user/a*", false);
        let w = sat(&[&a, &b], &[]).unwrap();
        assert!(a.matches(&w) && b.matches(&w), "{w}");
        assert_eq!(w, "arn:aws:iam::123456789012:user/abc");
        let c = Lang::literal("arn:aws:iam::123456789012:user/abc", false);
        assert_eq!(sat(&[&a, &b], &[&c]).map(|w| a.matches(&w)), Some(true));
        assert!(sat(&[&c], &[&a]).is_none());
    }

    #[test]
    fn arn_component_rule() {
        let p = Lang::arn("arn:aws:logs:*:log-group:x");
        assert!(!p.matches("arn:aws:logs:us-east-1:111122223333:log-group:x"));
        assert!(p.matches("arn:aws:logs:us-east-1:log-group:x"));
        let q = Lang::arn("arn:aws:s3:::b/*");
        assert!(q.matches("arn:aws:s3:::b/x:y/z"));
    }

    #[test]
    fn case_insensitive_and_fresh_characters() {
        let a = Lang::glob("S3:Get*", true);
        assert!(a.matches("s3:getobject"));
        let not_get = Lang::glob("s3:Get*", false);
        // Case matters for the second language only: `S3:Get…` is in `a` but not in `not_get`.
        let w = sat(&[&a], &[&not_get]).unwrap();
        assert!(a.matches(&w) && !not_get.matches(&w), "{w}");
        // A star must be able to match a character no literal names.
        let any = Lang::glob("a?c", false);
        let nb = Lang::literal("abc", false);
        let w = sat(&[&any], &[&nb]).unwrap();
        assert!(any.matches(&w) && w != "abc");
    }

    #[test]
    fn masks_and_digits() {
        let acct = Lang::literal("arn:aws:iam::", false)
            .then(&Lang::from(vec![Tok::Digit; 12]))
            .then_str(":root");
        let w = sat(&[&acct], &[]).unwrap();
        assert!(w.starts_with("arn:aws:iam::") && w.ends_with(":root") && w.len() == 30);
        let name = Lang::literal("user/", false).then_tok(Tok::Run(Mask::COLON_SLASH));
        assert!(!name.matches("user/a/b"));
        assert!(name.matches("user/ab"));
    }

    #[test]
    fn budget_is_enforced() {
        let langs: Vec<Lang> = "abcdefghijklmnop"
            .chars()
            .map(|c| Lang::glob(&format!("*{c}*"), false))
            .collect();
        let refs: Vec<&Lang> = langs.iter().collect();
        let negs: Vec<&Lang> = vec![];
        let unions: Vec<&[&Lang]> = refs.iter().map(std::slice::from_ref).collect();
        let mut budget = 10;
        assert_eq!(solve(&unions, &negs, &mut budget), Err(OutOfBudget));
    }

    fn arb_glob() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just('a'),
                Just('b'),
                Just('*'),
                Just('?'),
                Just(':'),
                Just('/')
            ],
            0..6,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]
        /// A language matches text as the pattern matcher does (globs without `*` take the path
        /// without a table; the others use one).
        #[test]
        fn matching_agrees_with_the_pattern_matcher(
            glob in arb_glob(),
            text in proptest::collection::vec(prop_oneof![Just('a'), Just('B'), Just('b'), Just(':'), Just('/'), Just('é')], 0..7),
            ci in any::<bool>(),
        ) {
            let text: String = text.into_iter().collect();
            let case = if ci { Case::Insensitive } else { Case::Sensitive };
            let want = Pattern::new(&glob, case).matches(&text);
            prop_assert_eq!(Lang::glob(&glob, ci).matches(&text), want, "{:?} on {:?}", glob, text);
        }

        /// The byte-by-byte constructions for ASCII text give the tokens of the general ones.
        #[test]
        fn ascii_languages_are_built_as_any_text_is(
            text in "[a:*?/xA-]{0,40}",
            ci in any::<bool>(),
        ) {
            prop_assert_eq!(Lang::arn(&text).toks, Lang::arn_by_components(&text).toks);
            let lit: Vec<Tok> = text
                .chars()
                .map(|c| if ci { Tok::CharCi(fold(c)) } else { Tok::Char(c) })
                .collect();
            let lit = Lang::from(lit);
            prop_assert_eq!(&Lang::literal(&text, ci).toks, &lit.toks);
            prop_assert_eq!(Lang::literal(&text, ci).code(), lit.code());
        }

        /// The decision procedure agrees with the pattern matcher: its witness is in every
        /// positive language and no negative one, and when it says "none", no short string over
        /// the relevant characters is.
        #[test]
        fn solve_is_exact(pos in proptest::collection::vec(arb_glob(), 1..3), neg in proptest::collection::vec(arb_glob(), 0..3)) {
            let pl: Vec<Lang> = pos.iter().map(|p| Lang::glob(p, false)).collect();
            let nl: Vec<Lang> = neg.iter().map(|p| Lang::glob(p, false)).collect();
            let pr: Vec<&Lang> = pl.iter().collect();
            let nr: Vec<&Lang> = nl.iter().collect();
            let got = sat(&pr, &nr);
            let pats_p: Vec<Pattern> = pos.iter().map(|p| Pattern::new(p, Case::Sensitive)).collect();
            let pats_n: Vec<Pattern> = neg.iter().map(|p| Pattern::new(p, Case::Sensitive)).collect();
            let ok = |s: &str| pats_p.iter().all(|p| p.matches(s)) && !pats_n.iter().any(|p| p.matches(s));
            match got {
                Some(w) => prop_assert!(ok(&w), "witness {w:?} for {pos:?} / {neg:?}"),
                None => {
                    // Exhaustive check over strings of length ≤ 6 on {a, b, c, :, /}.
                    let alpha = ['a', 'b', 'c', ':', '/'];
                    let mut words = vec![String::new()];
                    for _ in 0..6 {
                        let mut next = Vec::new();
                        for w in &words {
                            prop_assert!(!ok(w), "missed {w:?} for {pos:?} / {neg:?}");
                            for c in alpha {
                                next.push(format!("{w}{c}"));
                            }
                        }
                        words = next;
                    }
                }
            }
        }
    }
}
