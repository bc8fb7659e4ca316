//! The failure the connection cap is for, as it happened: a sender holding more stalled
//! connections than hookscope may open files kept every new webhook out. Here the binary
//! runs under a limit of 200 open files, so the flood cannot touch the tests' own.

mod common;

use std::time::Duration;

use common::{RunningBinary, hookscope_with_file_limit, raw_exchange, send_and_hold, status_of};

const STALLED: usize = 240;

#[test]
fn stalled_connections_past_the_file_limit_do_not_keep_webhooks_out() {
    let home = tempfile::tempdir().unwrap();
    let mut running = RunningBinary::start_command(
        hookscope_with_file_limit(home.path(), 200),
        &["--in-memory"],
    );
    let lines = running.stderr_lines();
    let addr = running.addr;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answer = runtime.block_on(async {
        let mut stalled = Vec::new();
        for _ in 0..STALLED {
            let head = b"POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789";
            stalled.push(send_and_hold(addr, head).await);
        }
        let webhook =
            b"POST /in HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        let answer =
            tokio::time::timeout(Duration::from_secs(5), raw_exchange(addr, webhook)).await;
        drop(stalled);
        tokio::time::sleep(Duration::from_millis(500)).await;
        answer
    });
    let answer = answer.expect("the webhook was kept out by the stalled connections");
    assert_eq!(status_of(&answer), 200);

    let (status, stdout) = running.terminate();
    assert!(status.success());
    assert!(stdout.contains("\"path\":\"/in\""), "{stdout}");
    let lines: Vec<String> = lines.iter().collect();
    let about_room: Vec<&String> = lines.iter().filter(|l| l.contains("idle")).collect();
    assert_eq!(about_room.len(), 2, "{about_room:#?}");
    // About the connections, not about a request refused.
    assert!(
        about_room.iter().all(|l| !l.contains("not captured")),
        "{about_room:#?}"
    );
    // 200 files, less what the store, the log and the terminal need.
    assert!(
        about_room[0].contains("136 connections open, its limit"),
        "{about_room:#?}"
    );
    assert!(
        about_room[1].contains("idle connections to stay under 136 open"),
        "{about_room:#?}"
    );
}
