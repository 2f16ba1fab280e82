//! `countersign demo`, run as a process: the whole flow, each step in plain words, the identity
//! last, exit code 0, and no secret printed.

mod common;

use common::Sandbox;
use countersign_provider::DEFAULT_CONSUMER_SECRET;

#[test]
fn walks_the_flow_and_ends_with_the_identity() {
    let sandbox = Sandbox::new("demo");
    let run = sandbox.run(&["demo"], &[], b"");
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");

    // Every step, in order.
    let steps = [
        "1. Request token obtained: \"",
        "2. Authorize URL: http://127.0.0.1:",
        "3. Approval: the provider approved and sent the browser back to http://127.0.0.1:",
        "4. Verifier received",
        "5. Access token obtained: \"",
        "6. Identity: username \"example\", id 1, consumer \"countersign local app\".",
    ];
    let mut from = 0;
    for step in steps {
        let at = run.stdout[from..]
            .find(step)
            .unwrap_or_else(|| panic!("no {step:?} after byte {from}:\n{}", run.stdout));
        from += at + step.len();
    }
    let last_step = run
        .stdout
        .lines()
        .rfind(|line| line.starts_with(char::is_numeric))
        .unwrap();
    assert!(last_step.starts_with("6. Identity: "), "{last_step}");

    // The authorize URL carries the request token the first step showed.
    let token = run
        .stdout
        .split("Request token obtained: \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert_eq!(token.len(), 32, "{token}");
    assert!(
        run.stdout
            .contains(&format!("/oauth/authorize?oauth_token={token}\n")),
        "{}",
        run.stdout
    );

    run.assert_no_secret(&[DEFAULT_CONSUMER_SECRET]);
    // Nothing after the verifier's step names its value.
    assert!(!run.stdout.contains("verifier="), "{}", run.stdout);
}

#[test]
fn help_says_what_it_prints() {
    let sandbox = Sandbox::new("demo-help");
    let run = sandbox.run(&["demo", "--help"], &[], b"");
    assert_eq!(run.code, Some(0), "{run:?}");
    for needle in [
        "Walk the whole three-legged flow",
        "Nothing leaves",
        "0  the flow ran to the end",
        "3  the provider refused",
    ] {
        assert!(
            run.stdout.contains(needle),
            "lacks {needle:?}:\n{}",
            run.stdout
        );
    }
}
