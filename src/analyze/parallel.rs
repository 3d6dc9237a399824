//! Analysing many resources on several threads, with results in input order and bounded memory.

use super::config::ResourceConfig;
use super::dispatch::analyze_resource;
use super::finding::Finding;
use super::{Options, ZoneOfTrust};
use crate::error::Error;
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::Mutex;

/// Analyse resources on `threads` threads (at least one) and hand each resource's findings, or
/// its read error, to `sink` with its index, in input order.
///
/// `zone` is the zone of trust for every resource; `None` trusts each resource's owner account
/// only. The calling thread reads `resources` and calls `sink`; at most a few dozen resources
/// per thread are in flight at once, so memory stays bounded however many resources there are.
///
/// ```
/// use perimeter::analyze::{analyze_all, Options, PolicyResource, Resource, ResourceConfig, ResourceType};
/// use perimeter::policy::Policy;
///
/// let policy = Policy::parse(r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
///     "Principal": "*", "Action": "sns:Publish", "Resource": "*"}]}"#)?;
/// let topics = (0..10).map(|i| {
///     let arn = format!("arn:aws:sns:us-east-1:111122223333:topic-{i}");
///     let r = Resource::new(&arn, ResourceType::SnsTopic, "111122223333");
///     Ok(ResourceConfig::Policy(PolicyResource::new(r, Some(policy.clone()))))
/// });
/// let mut seen = Vec::new();
/// analyze_all(topics, None, &Options::default(), 2, |i, findings| {
///     seen.push((i, findings.map(|f| f.len()).unwrap_or(0)));
/// });
/// assert_eq!(seen, (0..10).map(|i| (i, 1)).collect::<Vec<_>>());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn analyze_all<I, F>(
    resources: I,
    zone: Option<&ZoneOfTrust>,
    options: &Options,
    threads: usize,
    mut sink: F,
) where
    I: IntoIterator<Item = Result<ResourceConfig, Error>>,
    F: FnMut(usize, Result<Vec<Finding>, Error>),
{
    let threads = threads.max(1);
    // Resources travel in batches, so that threads meet rarely; at most `window` batches are
    // between reading and writing.
    const BATCH: usize = 16;
    let window = threads * 2;
    let analyse = |c: &ResourceConfig| match zone {
        Some(z) => analyze_resource(c, z, options),
        None => analyze_resource(
            c,
            &ZoneOfTrust::account(&c.resource().owner_account),
            options,
        ),
    };
    type Batch = Vec<(usize, Result<ResourceConfig, Error>)>;
    type Done = Vec<(usize, Result<Vec<Finding>, Error>)>;
    let (work_tx, work_rx) = mpsc::sync_channel::<(usize, Batch)>(window);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Done)>();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let rx = &work_rx;
            let tx = done_tx.clone();
            let analyse = &analyse;
            s.spawn(move || loop {
                let job = match rx.lock() {
                    Ok(guard) => guard.recv(),
                    Err(_) => break,
                };
                let Ok((b, batch)) = job else { break };
                let done: Done = batch
                    .into_iter()
                    .map(|(i, item)| (i, item.map(|config| analyse(&config))))
                    .collect();
                if tx.send((b, done)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        let mut pending: BTreeMap<usize, Done> = BTreeMap::new();
        let mut next = 0usize;
        let mut sent = 0usize;
        let mut flush = |pending: &mut BTreeMap<usize, Done>, next: &mut usize| {
            while let Some(done) = pending.remove(next) {
                for (i, r) in done {
                    sink(i, r);
                }
                *next += 1;
            }
        };
        let mut items = resources.into_iter().enumerate();
        loop {
            let batch: Batch = items.by_ref().take(BATCH).collect();
            if batch.is_empty() {
                break;
            }
            if work_tx.send((sent, batch)).is_err() {
                break;
            }
            sent += 1;
            while let Ok((b, d)) = done_rx.try_recv() {
                pending.insert(b, d);
            }
            flush(&mut pending, &mut next);
            while sent - next >= window {
                match done_rx.recv() {
                    Ok((b, d)) => {
                        pending.insert(b, d);
                        flush(&mut pending, &mut next);
                    }
                    Err(_) => break,
                }
            }
        }
        drop(work_tx);
        for (b, d) in done_rx.iter() {
            pending.insert(b, d);
            flush(&mut pending, &mut next);
        }
        flush(&mut pending, &mut next);
    });
}
