//! Running a plugin to completion without tokio's `process` feature (its signal handling
//! and reaper are a lot of compiled code for one short-lived child per token refresh).
//!
//! The child is started with `std::process`; its two outputs are read to the end on
//! blocking threads (both at once, so a plugin that writes much to stderr cannot stall on a
//! full pipe while we wait on stdout); its exit is then polled. Dropping the future (a
//! caller's timeout, a cancelled request) kills the child, as `kill_on_drop` did.
//!
//! stdout is kept up to a bound (a credential is small; a runaway plugin must not fill
//! memory). stderr reaches the user as it arrives, as client-go lets it (plugins print
//! login instructions there), and its start is kept for the error of a failed run.

use std::io::{self, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

/// At most this much of stderr is kept (the rest is still shown); messages show less.
const STDERR_KEPT: u64 = 64 * 1024;

/// At most this much of stdout is kept; a longer answer is an error (see
/// [`Output::stdout_truncated`]).
pub(super) const STDOUT_MAX: u64 = 1 << 20;

/// What a plugin left when it exited.
pub(super) struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    /// stdout was longer than [`STDOUT_MAX`]; `stdout` holds its start.
    pub stdout_truncated: bool,
    pub stderr: Vec<u8>,
}

/// Why a started plugin gave no [`Output`].
#[derive(Debug)]
pub(super) enum RunError {
    /// It could not be started (not found, not executable, ...).
    Spawn(io::Error),
    /// Reading its output or waiting for it failed.
    Io(io::Error),
}

/// Runs `cmd` with stdin closed and both outputs captured, and waits for it to exit.
pub(super) async fn output(mut cmd: Command) -> Result<Output, RunError> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(RunError::Spawn)?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let mut child = KillOnDrop(Some(child));
    let stdout = tokio::task::spawn_blocking(move || read_to_end(stdout, STDOUT_MAX + 1));
    let stderr =
        tokio::task::spawn_blocking(move || show_and_keep(stderr, STDERR_KEPT, io::stderr()));
    let (stdout, stderr) = tokio::join!(stdout, stderr);
    let stdout = stdout.map_err(io::Error::other).and_then(|r| r);
    let stderr = stderr.map_err(io::Error::other).and_then(|r| r);
    let (mut stdout, stderr) = (stdout.map_err(RunError::Io)?, stderr.map_err(RunError::Io)?);
    let stdout_truncated = stdout.len() as u64 > STDOUT_MAX;
    stdout.truncate(STDOUT_MAX as usize);
    // Both outputs are closed, so the plugin is exiting: poll briefly rather than tie up a
    // thread in `wait`, which could not be interrupted if the caller gives up.
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(RunError::Io)? {
            break status;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    Ok(Output {
        status,
        stdout,
        stdout_truncated,
        stderr,
    })
}

/// Reads a pipe to its end, keeping the first `keep` bytes.
fn read_to_end(pipe: Option<impl Read>, keep: u64) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    if let Some(mut pipe) = pipe {
        (&mut pipe).take(keep).read_to_end(&mut out)?;
        io::copy(&mut pipe, &mut io::sink())?;
    }
    Ok(out)
}

/// Copies a pipe to `show` (this process's stderr) as it arrives, keeping the first
/// `keep` bytes.
fn show_and_keep(pipe: Option<impl Read>, keep: u64, mut show: impl Write) -> io::Result<Vec<u8>> {
    let mut kept = Vec::new();
    let Some(mut pipe) = pipe else {
        return Ok(kept);
    };
    let mut buf = [0u8; 8192];
    loop {
        let n = match pipe.read(&mut buf) {
            Ok(0) => return Ok(kept),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let room = (keep as usize).saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
        // The user's terminal may be gone; the plugin's run goes on regardless.
        let _ = show.write_all(&buf[..n]).and_then(|()| show.flush());
    }
}

/// Owns the running child; kills it (and reaps it off this thread) when dropped before
/// it was seen to exit.
struct KillOnDrop(Option<Child>);

impl KillOnDrop {
    /// The exit status once the child has exited (after which the guard is empty).
    fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        let Some(child) = &mut self.0 else {
            return Err(io::Error::other("exec plugin already waited for"));
        };
        let status = child.try_wait()?;
        if status.is_some() {
            self.0 = None;
        }
        Ok(status)
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let Some(mut child) = self.0.take() else {
            return;
        };
        if !matches!(child.try_wait(), Ok(None)) {
            return;
        }
        let pid = child.id();
        tracing::debug!(pid, "killing an exec plugin that was given up on");
        let _ = child.kill();
        // A killed process still has to be waited for, or it stays a zombie.
        let mut reap = move || {
            if let Err(e) = child.wait() {
                tracing::debug!(pid, error = %e, "reaping a killed exec plugin failed");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => drop(rt.spawn_blocking(reap)),
            Err(_) => reap(),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        cmd
    }

    #[tokio::test]
    async fn captures_both_outputs_and_the_status() {
        // More than a pipe buffer on stderr before anything on stdout: needs both read at once.
        let out = output(sh("head -c 200000 /dev/zero >&2; printf out; exit 3"))
            .await
            .unwrap();
        assert_eq!(out.stdout, b"out");
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stderr.len() as u64, STDERR_KEPT);
    }

    #[test]
    fn stderr_is_shown_whole_and_its_start_kept() {
        let text = b"open https://login.example/device and enter ABCD-EFGH\n".repeat(100);
        let mut shown = Vec::new();
        let kept = show_and_keep(Some(&text[..]), 16, &mut shown).unwrap();
        assert_eq!(shown, text);
        assert_eq!(kept, &text[..16]);
    }

    #[tokio::test]
    async fn stdout_is_bounded() {
        let out = output(sh("head -c 3000000 /dev/zero; exit 0"))
            .await
            .unwrap();
        assert!(out.stdout_truncated);
        assert_eq!(out.stdout.len() as u64, STDOUT_MAX);
        let out = output(sh("printf small")).await.unwrap();
        assert!(!out.stdout_truncated);
    }

    #[tokio::test]
    async fn stdin_is_closed() {
        let out = output(sh("read x && echo got-input; echo done"))
            .await
            .unwrap();
        assert_eq!(out.stdout, b"done\n");
        assert!(out.status.success());
    }

    #[tokio::test]
    async fn a_missing_program_is_a_spawn_error() {
        let e = output(Command::new("/nonexistent/kubegen-plugin"))
            .await
            .err()
            .unwrap();
        assert!(matches!(e, RunError::Spawn(ref io) if io.kind() == io::ErrorKind::NotFound));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn dropping_the_future_kills_the_plugin() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("pid");
        let script = format!("echo $$ > {}; exec sleep 30", marker.display());
        let mut run = Box::pin(output(sh(&script)));
        // Give up once the plugin is surely running (it wrote its pid).
        let pid = loop {
            tokio::select! {
                _ = &mut run => panic!("sleep 30 finished"),
                _ = tokio::time::sleep(Duration::from_millis(10)) => {}
            }
            match std::fs::read_to_string(&marker) {
                Ok(pid) if pid.ends_with('\n') => break pid.trim().to_owned(),
                _ => continue,
            }
        };
        drop(run);
        // The kill is sent from the drop; the reap follows on a blocking thread.
        for _ in 0..250 {
            let running = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|stat| !stat.contains(") Z "));
            if !running {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("plugin {pid} still running after its future was dropped");
    }
}
