//! Shared pieces of the countersign benches: a counting global allocator, so each bench can
//! report heap allocations per operation beside its time, and the common inputs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

/// The system allocator, counting every allocation (and reallocation).
pub struct CountingAlloc;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Heap allocations made by `f`, averaged over `runs` calls (the first call is a warm-up and is
/// not counted, so one-time buffers do not skew the figure).
pub fn allocations_per_call<R>(runs: u64, mut f: impl FnMut() -> R) -> f64 {
    std::hint::black_box(f());
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..runs {
        std::hint::black_box(f());
    }
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    let per_call = (after - before) as f64 / runs as f64;
    per_call
}

/// Prints one line of the allocation table that `benches/README.md` keeps.
pub fn report_allocations<R>(name: &str, f: impl FnMut() -> R) {
    let per_call = allocations_per_call(10_000, f);
    println!("allocations/op {name:<48} {per_call:>6.2}");
}

/// The credentials every signing bench uses.
pub mod inputs {
    /// Consumer key.
    pub const CONSUMER_KEY: &str = "dpf43f3p2l4k3l03";
    /// Consumer secret.
    pub const CONSUMER_SECRET: &str = "kd94hf93k423kf44";
    /// Access token.
    pub const TOKEN: &str = "nnch734d00sl2jdk";
    /// Access token secret.
    pub const TOKEN_SECRET: &str = "pfkkdhi9sl3r4s00";
    /// The request.
    pub const URL: &str = "https://api.discogs.com/oauth/identity";
    /// A pinned nonce.
    pub const NONCE: &str = "k7Hn2pQx9vR4mW8tY1zA3bC5";
    /// A pinned timestamp.
    pub const TIMESTAMP: u64 = 1_700_000_000;
}
