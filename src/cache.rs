//! A bounded map for what depends only on its key (issue 14, reads): a decision's view at a
//! version on a day, a dashboard row, a rendered public page. The key names everything the value
//! depends on, so an entry is never stale — a new version is a new key — and nothing needs
//! invalidating across processes; old keys are dropped when the map is full, or after `ttl`
//! where a value depends on something the key cannot name cheaply.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// At most `capacity` values, each for at most `ttl`.
pub struct Bounded<K, V> {
    map: Mutex<HashMap<K, (Arc<V>, Instant)>>,
    capacity: usize,
    ttl: Duration,
}

impl<K: Eq + Hash, V> Bounded<K, V> {
    /// An empty map.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Bounded {
            map: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            ttl,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Arc<V>, Instant)>> {
        // A cache: what a panicking holder left is at worst one value too many.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value kept under `key`, unless older than the map's ttl.
    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        let map = self.lock();
        map.get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(v, _)| v.clone())
    }

    /// Keep `value` under `key`; when full, the expired values go first, and if none had
    /// expired, the older half.
    pub fn put(&self, key: K, value: V) -> Arc<V> {
        let value = Arc::new(value);
        let mut map = self.lock();
        if map.len() >= self.capacity && !map.contains_key(&key) {
            map.retain(|_, (_, at)| at.elapsed() < self.ttl);
            if map.len() >= self.capacity {
                let mut ages: Vec<Instant> = map.values().map(|(_, at)| *at).collect();
                ages.sort_unstable();
                if let Some(&cut) = ages.get(ages.len() / 2) {
                    map.retain(|_, (_, at)| *at > cut);
                }
            }
        }
        map.insert(key, (value.clone(), Instant::now()));
        value
    }

    /// How many values are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A decision at a version, on a day (China time), with the decisions that adjust it: what its
/// view depends on besides the pack and calendar a process loads once.
pub type DecisionKey = (String, i64, chrono::NaiveDate, Vec<String>);

/// A decision at a version, on a day (China time).
pub type VersionKey = (String, i64, chrono::NaiveDate);

/// The day, and the last change of any decision and of any catalog.
pub type HomeKey = (
    chrono::NaiveDate,
    Option<chrono::NaiveDateTime>,
    Option<chrono::NaiveDateTime>,
);
