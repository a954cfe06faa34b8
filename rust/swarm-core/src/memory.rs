//! A run's memory, watched while it grows.
//!
//! The feed, the agents' trust maps, collusion histories and the trace grow
//! with the run. Rust aborts the process when an ordinary `push` cannot get
//! memory, and on Linux an over-committed push is instead settled by the OOM
//! killer; either way the user's interpreter dies. So a long run measures
//! its own growth from time to time and stops with an error while there is
//! still room, instead of growing into the wall.
//!
//! The gauge reads Linux's `/proc` (available memory, this process's size
//! and its address-space limit); elsewhere it reports nothing and no check
//! is made.

use std::fs;

/// How much work (agents x steps) passes between two looks at memory: a
/// look costs a few microseconds, a million agent-steps several
/// milliseconds, so the checks cost well under 0.1%.
pub const WORK_BETWEEN_CHECKS: u64 = 1 << 20;
/// Never stop a run that has grown by less than this.
const SLACK: u64 = 64 << 20;

/// This process's memory as the kernel reports it, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gauge {
    /// Address space in use (what an `RLIMIT_AS` limits).
    pub vm: u64,
    /// Resident memory.
    pub rss: u64,
    /// Memory the machine can still hand out (`MemAvailable`).
    pub available: Option<u64>,
    /// The soft address-space limit, if any.
    pub as_limit: Option<u64>,
}

fn field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

impl Gauge {
    /// Read the gauge, or None where `/proc` is not available.
    pub fn read() -> Option<Gauge> {
        let status = fs::read_to_string("/proc/self/status").ok()?;
        let vm = field(&status, "VmSize:")? * 1024;
        let rss = field(&status, "VmRSS:")? * 1024;
        let available = fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| field(&m, "MemAvailable:"))
            .map(|kb| kb * 1024);
        let as_limit = fs::read_to_string("/proc/self/limits").ok().and_then(|l| {
            let line = l.lines().find(|l| l.starts_with("Max address space"))?;
            line["Max address space".len()..].split_whitespace().next()?.parse().ok()
        });
        Some(Gauge { vm, rss, available, as_limit })
    }

    /// Bytes this process can still grow by: the machine's available
    /// memory, and the room under its address-space limit.
    pub fn headroom(&self) -> u64 {
        let under_limit = self.as_limit.map(|l| l.saturating_sub(self.vm));
        match (self.available, under_limit) {
            (Some(a), Some(l)) => a.min(l),
            (Some(a), None) => a,
            (None, Some(l)) => l,
            (None, None) => u64::MAX,
        }
    }
}

/// Watches one run's growth.
#[derive(Debug, Default)]
pub struct Watch {
    /// Work done since the last look.
    work: u64,
    /// The gauge at the first look (None until then, or without `/proc`).
    start: Option<Gauge>,
    /// `/proc` could not be read: stop looking.
    blind: bool,
}

impl Watch {
    /// Count `work` agent-steps; every WORK_BETWEEN_CHECKS, look at memory.
    /// Returns `Some((grown, headroom))` when the run has grown so much that
    /// a further doubling of its largest structure may not fit.
    #[inline(always)]
    pub fn tick(&mut self, work: u64) -> Option<(u64, u64)> {
        self.work = self.work.saturating_add(work);
        if self.blind || self.work < WORK_BETWEEN_CHECKS {
            return None;
        }
        self.look()
    }

    /// The look itself, once per WORK_BETWEEN_CHECKS: out of the step loop.
    #[cold]
    #[inline(never)]
    fn look(&mut self) -> Option<(u64, u64)> {
        self.work = 0;
        let Some(now) = Gauge::read() else {
            self.blind = true;
            return None;
        };
        let start = *self.start.get_or_insert(now);
        let grown = now.vm.saturating_sub(start.vm).max(now.rss.saturating_sub(start.rss));
        Self::verdict(grown, now.headroom())
    }

    /// Whatever grew since the first look contains the largest growing
    /// buffer; growing it again (a doubling, with a copy) can take twice
    /// that. Stop while that still fits.
    pub fn verdict(grown: u64, headroom: u64) -> Option<(u64, u64)> {
        let need = grown.saturating_mul(2).saturating_add(SLACK);
        (grown > SLACK && need > headroom).then_some((grown, headroom))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gauge_reads_this_process() {
        if let Some(g) = Gauge::read() {
            assert!(g.vm >= g.rss && g.rss > 0);
            assert!(g.headroom() > 0);
        }
    }

    #[test]
    fn a_run_stops_before_a_doubling_cannot_fit() {
        let mib = 1u64 << 20;
        assert_eq!(Watch::verdict(10 * mib, 100 * mib), None); // small growth: never
        assert_eq!(Watch::verdict(500 * mib, 2000 * mib), None);
        assert_eq!(Watch::verdict(1000 * mib, 2000 * mib), Some((1000 * mib, 2000 * mib)));
    }

    #[test]
    fn looks_happen_only_after_enough_work() {
        let mut w = Watch::default();
        assert_eq!(w.tick(WORK_BETWEEN_CHECKS - 1), None);
        assert!(w.start.is_none());
        let _ = w.tick(1);
        assert!(w.start.is_some() || w.blind);
    }
}
