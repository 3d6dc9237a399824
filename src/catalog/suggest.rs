//! "Did you mean" helpers: edit distance between names, without regard to ASCII case.

/// Names longer than this get no suggestions (keeps the work per comparison small).
const MAX_LEN: usize = 256;

/// Levenshtein distance between `a` and `b` (ASCII case ignored), or `None` when it exceeds
/// `limit` or a name is too long.
pub(crate) fn distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
    if a.len() > MAX_LEN || b.len() > MAX_LEN || a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        let mut row_min = i + 1;
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(usize::from(ca != cb));
            let del = prev
                .get(j + 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let ins = cur.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
            let v = sub.min(del).min(ins);
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = v;
            }
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().filter(|&d| d <= limit)
}

/// How many edits a suggestion for a name of `len` characters may need: about a third of the
/// name, between 1 and 4.
pub(crate) fn limit_for(len: usize) -> usize {
    (len / 3).clamp(1, 4)
}

/// The candidate closest to `name` within the limit for its length (ties: the first).
pub(crate) fn closest<'a, I>(name: &str, candidates: I) -> Option<(&'a str, usize)>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut limit = limit_for(name.len());
    let mut best: Option<(&'a str, usize)> = None;
    for c in candidates {
        if let Some(d) = distance(name, c, limit) {
            if best.is_none_or(|(_, bd)| d < bd) {
                best = Some((c, d));
                limit = d;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("GetObjet", "getobject", 4), Some(1));
        assert_eq!(distance("kitten", "sitting", 4), Some(3));
        assert_eq!(distance("kitten", "sitting", 2), None);
        assert_eq!(distance("", "abc", 3), Some(3));
        assert_eq!(distance("same", "SAME", 0), Some(0));
    }

    #[test]
    fn closest_prefers_the_nearest() {
        let c = closest(
            "ReceiveMessages",
            ["ReceiveMessage", "ReceiveMessageBatch", "SendMessage"],
        );
        assert_eq!(c, Some(("ReceiveMessage", 1)));
        assert_eq!(closest("Zzzzzzzz", ["GetObject"]), None);
    }
}
