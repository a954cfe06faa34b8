//! The memory allocator swarm_fast runs with: mimalloc for small blocks,
//! the system allocator for large ones. The core registers nothing itself;
//! the Python extension, the examples and the benches make this their
//! `#[global_allocator]`.
//!
//! Why both: a run makes many small, short-lived allocations (per-agent
//! records, per-pair lists, per-epoch scratch). With glibc's malloc those
//! calls were ~10% of a paper run; mimalloc makes the runs 3-10% faster.
//! But the few vectors that grow with a run (the feed's posts, the trace's
//! columns) double in place under glibc, which moves large blocks with
//! `mremap`; mimalloc copies them, so a 100,000-epoch run peaked at three
//! times the memory. Blocks of [`LARGE`] bytes and more therefore stay
//! with the system allocator.
//!
//! mimalloc is built without transparent huge pages (`no_thp`): with them,
//! after a large run had churned memory, every run on a fresh worker
//! thread stalled ~14 ms in the kernel's page compaction (a 267-epoch
//! baseline run took 15 ms instead of 1.3). The feature only stops
//! mimalloc asking for huge pages; the host process is left alone.

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// Blocks from this size on go to the system allocator.
pub const LARGE: usize = 1 << 18;

pub struct SwarmAlloc;

fn large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: every block is freed (or resized) by the allocator that made it:
// Rust passes `dealloc` and `realloc` the layout the block was allocated
// (or last resized) with, and the size alone decides which allocator that
// was. A resize across the threshold allocates from the other allocator,
// copies and frees the old block.
unsafe impl GlobalAlloc for SwarmAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if large(layout.size()) {
            System.alloc(layout)
        } else {
            MiMalloc.alloc(layout)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if large(layout.size()) {
            System.alloc_zeroed(layout)
        } else {
            MiMalloc.alloc_zeroed(layout)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if large(layout.size()) {
            System.dealloc(ptr, layout)
        } else {
            MiMalloc.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match (large(layout.size()), large(new_size)) {
            (true, true) => System.realloc(ptr, layout, new_size),
            (false, false) => MiMalloc.realloc(ptr, layout, new_size),
            _ => {
                // SAFETY: the caller guarantees new_size, rounded up to the
                // alignment, does not overflow isize (GlobalAlloc::realloc).
                let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks grow and shrink across the threshold with their contents
    /// kept, and each is freed by the allocator that holds it (a mismatch
    /// would corrupt the heap or crash).
    #[test]
    fn resizes_across_the_threshold_keep_contents() {
        let a = SwarmAlloc;
        for align in [1usize, 8, 64] {
            let small = Layout::from_size_align(1000, align).unwrap();
            // SAFETY: layouts are non-zero; each pointer is used with the
            // layout it was allocated or last resized with.
            unsafe {
                let p = a.alloc(small);
                assert!(!p.is_null());
                for i in 0..1000 {
                    *p.add(i) = (i % 251) as u8;
                }
                let sizes = [LARGE + 4096, 3 * LARGE, LARGE - 1, 500, LARGE, 2000];
                let (mut p, mut size, mut kept) = (p, 1000, 1000);
                for &n in &sizes {
                    p = a.realloc(p, Layout::from_size_align(size, align).unwrap(), n);
                    assert!(!p.is_null() && (p as usize).is_multiple_of(align));
                    kept = kept.min(n);
                    for i in 0..kept {
                        assert_eq!(*p.add(i), (i % 251) as u8, "byte {i} after resizing to {n}");
                    }
                    size = n;
                }
                a.dealloc(p, Layout::from_size_align(size, align).unwrap());
                let z = a.alloc_zeroed(Layout::from_size_align(2 * LARGE, align).unwrap());
                assert!((0..2 * LARGE).step_by(4093).all(|i| *z.add(i) == 0));
                a.dealloc(z, Layout::from_size_align(2 * LARGE, align).unwrap());
            }
        }
    }
}
