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
    /// A request with a query, so that an HMAC base string has parameters to sort.
    pub const SEARCH_URL: &str = "https://api.discogs.com/database/search?q=nirvana&type=release";
    /// A pinned nonce.
    pub const NONCE: &str = "k7Hn2pQx9vR4mW8tY1zA3bC5";
    /// A pinned timestamp.
    pub const TIMESTAMP: u64 = 1_700_000_000;

    /// One set of credentials: each bench runs on every shape in [`SHAPES`].
    #[derive(Clone, Copy, Debug)]
    pub struct Shape {
        /// The name criterion shows after the bench's own (`.../short`, `.../discogs`).
        pub name: &'static str,
        /// Consumer key.
        pub consumer_key: &'static str,
        /// Consumer secret.
        pub consumer_secret: &'static str,
        /// Access token.
        pub token: &'static str,
        /// Access token secret.
        pub token_secret: &'static str,
    }

    /// The RFC 5849 example's 16-character credentials (the first round's inputs).
    pub const SHORT: Shape = Shape {
        name: "short",
        consumer_key: CONSUMER_KEY,
        consumer_secret: CONSUMER_SECRET,
        token: TOKEN,
        token_secret: TOKEN_SECRET,
    };

    /// Credentials shaped like the ones Discogs issues: a 20-character consumer key, a
    /// 32-character consumer secret, a 40-character token and token secret. The PLAINTEXT
    /// signature is 75 bytes, and the HMAC key `cs&ts` (73 bytes) is longer than one SHA-1
    /// block, so it is hashed before keying.
    pub const DISCOGS: Shape = Shape {
        name: "discogs",
        consumer_key: "gQbKPYhXqTjzRNvWcsdA",
        consumer_secret: "hJrGmLzQxWvTnPkBcFdSaEyUoIiRtYwq",
        token: "VpXcNbMzLkJhGfDsAqWeRtYuIoPaSdFgHjKlZxCv",
        token_secret: "QwErTyUiOpAsDfGhJkLzXcVbNm1234567890abcd",
    };

    /// Every shape, the short one first.
    pub const SHAPES: [Shape; 2] = [SHORT, DISCOGS];
}
