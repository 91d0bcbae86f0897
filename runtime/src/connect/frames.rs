//! The channel framing of `*.channel.k8s.io`: every binary message starts with the number
//! of its channel; v5 adds a close message (channel 255 carrying the closed channel).

/// client-go's default since 1.30: v4 plus closing stdin.
pub(crate) const V5: &str = "v5.channel.k8s.io";
/// Exec/attach with a JSON `Status` on the error channel; also the port-forward framing.
pub(crate) const V4: &str = "v4.channel.k8s.io";

pub(crate) const STDIN: u8 = 0;
pub(crate) const STDOUT: u8 = 1;
pub(crate) const STDERR: u8 = 2;
pub(crate) const ERROR: u8 = 3;
pub(crate) const RESIZE: u8 = 4;
/// v5: "the channel named in the payload is closed".
pub(crate) const CLOSE: u8 = 255;

/// A message on `channel` carrying `data`.
pub(crate) fn frame(channel: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 1);
    out.push(channel);
    out.extend_from_slice(data);
    out
}

/// Splits a message into its channel and payload; `None` for an empty message.
pub(crate) fn split(message: &[u8]) -> Option<(u8, &[u8])> {
    let (&channel, data) = message.split_first()?;
    Some((channel, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let f = frame(STDERR, b"oops");
        assert_eq!(split(&f), Some((STDERR, b"oops".as_slice())));
        assert_eq!(split(&[]), None);
        assert_eq!(frame(CLOSE, &[STDIN]), vec![255, 0]);
    }
}
