//! The scripted processes the test server runs for `pods/exec` and `pods/attach`, standing
//! in for a kubelet and a container runtime. A command is not run on the host: it is a word
//! of this small language, so tests see the same behaviour everywhere.
//!
//! | command | does |
//! | --- | --- |
//! | `echo ARGS…` | writes `ARGS` joined by spaces and a newline to stdout |
//! | `stderr ARGS…` | the same on stderr (stdout with a terminal) |
//! | `cat` | copies stdin to stdout until stdin is closed |
//! | `exit N` | ends with exit code `N` |
//! | `wait-resize` | waits for a terminal resize and writes `WIDTHxHEIGHT` and a newline |
//! | `sleep SECONDS` | waits (fractions allowed) |
//! | `sh -c 'A; B; …'` | runs each `;`-separated command in turn (words split on spaces) |
//!
//! Anything else fails as a missing executable does (an `InternalError` `Status`).
//! `attach` runs the container's `command` and `args` the same way (`cat` without them).

use bytes::Bytes;
use tokio::sync::mpsc;

/// What a process reads: stdin chunks (the channel closes when stdin does) and resizes.
pub(crate) struct Input {
    pub stdin: Option<mpsc::Receiver<Bytes>>,
    pub resize: mpsc::Receiver<(u16, u16)>,
}

/// Where a process writes: stdout (1) or stderr (2), already merged for a terminal.
#[derive(Clone)]
pub(crate) struct Output {
    pub tx: mpsc::Sender<(u8, Bytes)>,
    pub tty: bool,
}

impl Output {
    async fn write(&self, stream: u8, text: String) {
        let stream = if self.tty { 1 } else { stream };
        let _ = self.tx.send((stream, Bytes::from(text))).await;
    }
}

/// How a process ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    Code(i32),
    /// It could not start: the runtime's message.
    NotFound(String),
}

/// Runs one command line (argv).
pub(crate) async fn run(argv: &[String], input: &mut Input, out: &Output) -> Exit {
    match argv {
        [sh, c, script] if sh == "sh" && c == "-c" => {
            for part in script.split(';') {
                let words: Vec<String> = part.split_whitespace().map(str::to_owned).collect();
                if words.is_empty() {
                    continue;
                }
                match Box::pin(run(&words, input, out)).await {
                    Exit::Code(0) if words[0] != "exit" => {}
                    other => return other,
                }
            }
            Exit::Code(0)
        }
        [cmd, args @ ..] => match cmd.as_str() {
            "echo" => {
                out.write(1, format!("{}\n", args.join(" "))).await;
                Exit::Code(0)
            }
            "stderr" => {
                out.write(2, format!("{}\n", args.join(" "))).await;
                Exit::Code(0)
            }
            "cat" => {
                if let Some(stdin) = input.stdin.as_mut() {
                    while let Some(chunk) = stdin.recv().await {
                        let _ = out.tx.send((1, chunk)).await;
                    }
                }
                Exit::Code(0)
            }
            "exit" => Exit::Code(args.first().and_then(|n| n.parse().ok()).unwrap_or(0)),
            "wait-resize" => match input.resize.recv().await {
                Some((w, h)) => {
                    out.write(1, format!("{w}x{h}\n")).await;
                    Exit::Code(0)
                }
                None => Exit::Code(1),
            },
            "sleep" => {
                let secs: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(0.0);
                tokio::time::sleep(std::time::Duration::from_secs_f64(secs.clamp(0.0, 3600.0)))
                    .await;
                Exit::Code(0)
            }
            other => Exit::NotFound(format!(
                "exec: \"{other}\": executable file not found in $PATH"
            )),
        },
        [] => Exit::NotFound("exec: no command".into()),
    }
}
