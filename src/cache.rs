//! A bounded map for what depends only on its key (issue 14, reads): a decision's view at a
//! version on a day, a dashboard row, a rendered public page. The key names everything the value
//! depends on, so an entry is never stale — a new version is a new key — and nothing needs
//! invalidating across processes; old keys are dropped when the map is full — by count or by the
//! memory its values take (issue 14: peak memory under 256 clients) — or after `ttl` where a value
//! depends on something the key cannot name cheaply.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// About how many bytes of memory a value takes.
pub trait Weigh {
    /// The estimate.
    fn weight(&self) -> usize;
}

impl Weigh for Vec<u8> {
    fn weight(&self) -> usize {
        self.capacity() + 24
    }
}

impl Weigh for String {
    fn weight(&self) -> usize {
        self.capacity() + 24
    }
}

impl Weigh for serde_json::Value {
    fn weight(&self) -> usize {
        use serde_json::Value;
        // A node's own size, plus what its strings, arrays and maps hold.
        let node = std::mem::size_of::<Value>();
        node + match self {
            Value::String(s) => s.capacity(),
            Value::Array(a) => a.iter().map(Weigh::weight).sum(),
            Value::Object(m) => m.iter().map(|(k, v)| k.capacity() + 32 + v.weight()).sum(),
            _ => 0,
        }
    }
}

type Entries<K, V> = HashMap<K, (Arc<V>, Instant, usize)>;

/// At most `capacity` values taking at most `budget` bytes together, each for at most `ttl`.
pub struct Bounded<K, V> {
    map: Mutex<(Entries<K, V>, usize)>,
    capacity: usize,
    budget: usize,
    ttl: Duration,
}

impl<K: Eq + Hash, V: Weigh> Bounded<K, V> {
    /// An empty map.
    pub fn new(capacity: usize, budget: usize, ttl: Duration) -> Self {
        Bounded {
            map: Mutex::new((HashMap::new(), 0)),
            capacity: capacity.max(1),
            budget,
            ttl,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Entries<K, V>, usize)> {
        // A cache: what a panicking holder left is at worst one value too many.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value kept under `key`, unless older than the map's ttl.
    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        let map = self.lock();
        map.0
            .get(key)
            .filter(|(_, at, _)| at.elapsed() < self.ttl)
            .map(|(v, _, _)| v.clone())
    }

    /// Keep `value` under `key` (a value heavier than a quarter of the budget is not kept);
    /// when full, the expired values go first, and if that is not enough, the older half.
    pub fn put(&self, key: K, value: V) -> Arc<V> {
        let weight = value.weight();
        let value = Arc::new(value);
        if weight > self.budget / 4 {
            return value;
        }
        let mut guard = self.lock();
        let (map, used) = &mut *guard;
        if let Some((_, _, w)) = map.remove(&key) {
            *used -= w;
        }
        let full = |map: &Entries<K, V>, used: usize| {
            map.len() >= self.capacity || used + weight > self.budget
        };
        if full(map, *used) {
            map.retain(|_, (_, at, _)| at.elapsed() < self.ttl);
            *used = map.values().map(|(_, _, w)| w).sum();
        }
        while full(map, *used) && !map.is_empty() {
            let mut ages: Vec<Instant> = map.values().map(|(_, at, _)| *at).collect();
            ages.sort_unstable();
            let cut = ages.get(ages.len() / 2).copied();
            map.retain(|_, (_, at, _)| cut.is_some_and(|c| *at > c));
            *used = map.values().map(|(_, _, w)| w).sum();
        }
        map.insert(key, (value.clone(), Instant::now(), weight));
        *used += weight;
        value
    }

    /// How many values are kept.
    pub fn len(&self) -> usize {
        self.lock().0.len()
    }

    /// About how many bytes the values kept take.
    pub fn weight(&self) -> usize {
        self.lock().1
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A value with the database's change stamp read before it was read (`db::changes`): current
/// while the stamp has not moved.
#[derive(Debug)]
pub struct Stamped<V> {
    /// The stamp.
    pub stamp: i64,
    /// The value.
    pub value: V,
}

impl<V: Weigh> Weigh for Stamped<V> {
    fn weight(&self) -> usize {
        8 + self.value.weight()
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

/// One value kept with the change stamp read before it was made and a key of what else it
/// depends on (the day, the minute): the portal's home page, answered from memory without the
/// database while nothing was committed (issue 14; `pages::portal::home`).
#[derive(Debug)]
pub struct Latest<K, V> {
    kept: Mutex<Option<(i64, K, V)>>,
}

impl<K, V> Default for Latest<K, V> {
    fn default() -> Self {
        Latest {
            kept: Mutex::new(None),
        }
    }
}

impl<K: PartialEq, V: Clone> Latest<K, V> {
    /// The value, if it was made at `stamp` for `key`.
    pub fn get(&self, stamp: i64, key: &K) -> Option<V> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref()
            .filter(|(s, k, _)| *s == stamp && k == key)
            .map(|(_, _, v)| v.clone())
    }

    /// Keep `value`, made at `stamp` for `key`, instead of what was kept.
    pub fn put(&self, stamp: i64, key: K, value: V) {
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some((stamp, key, value));
    }
}
