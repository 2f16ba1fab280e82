//! Links the core crate into a program without `std`, then signs the RFC 5849 section 2.1
//! request and prints the header, so CI can compare the bytes.

#![no_std]
#![no_main]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::fmt::Write;
use core::panic::PanicInfo;

use countersign::{ClientCredentials, Request, Signer, TokenResponse};

// The C library supplies the program's entry, its memory and its output; nothing from Rust's std.
#[link(name = "c")]
unsafe extern "C" {
    fn malloc(size: usize) -> *mut u8;
    fn free(ptr: *mut u8);
    fn write(fd: i32, buf: *const u8, count: usize) -> isize;
    fn abort() -> !;
}

struct Malloc;

// SAFETY: malloc returns memory aligned for any fundamental type (16 bytes on the targets CI
// uses); larger alignments are refused with a null pointer, which `alloc` reports as failure.
unsafe impl GlobalAlloc for Malloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > 16 {
            return core::ptr::null_mut();
        }
        // SAFETY: any size is valid for malloc.
        unsafe { malloc(layout.size()) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from malloc above.
        unsafe { free(ptr) }
    }
}

#[global_allocator]
static ALLOCATOR: Malloc = Malloc;

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    // SAFETY: abort never returns and has no preconditions.
    unsafe { abort() }
}

/// The precompiled `alloc` for this target was built for unwinding and refers to the personality
/// routine; with `panic = "abort"` nothing ever unwinds, so it is never called.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}

struct Stdout;

impl Write for Stdout {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        // SAFETY: the pointer and length come from a valid &str.
        let n = unsafe { write(1, s.as_ptr(), s.len()) };
        if n == s.len() as isize {
            Ok(())
        } else {
            Err(core::fmt::Error)
        }
    }
}

#[unsafe(no_mangle)]
extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    let client = ClientCredentials::new("jd83jd92dhsh93js", "ja893SD9");
    let request = Request::post("https://server.example.com/request_temp_credentials");
    let Ok(signed) = Signer::new(&client)
        .realm("Example")
        .callback("http://client.example.net/cb?x=1")
        .timestamp(137_131_200)
        .nonce("wIjqoS")
        .sign(&request)
    else {
        return 1;
    };
    let header = signed.to_authorization();
    let body =
        b"oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=true";
    let Ok(answer) = TokenResponse::parse_temporary(body) else {
        return 2;
    };
    let mut out = Stdout;
    if writeln!(out, "{}", header.as_str()).is_err() || writeln!(out, "{}", answer.token()).is_err()
    {
        return 3;
    }
    0
}
