//! Names that cannot collide between tests or runs on a shared cluster.

/// A random id for one test's run, carried by [`crate::TEST_LABEL`].
pub(crate) fn run_id() -> String {
    format!("{:08x}", fastrand::u32(..))
}

/// `t-<test>-<run id>`, within the 63 characters of a DNS label.
pub(crate) fn namespace_name(test: &str, run_id: &str) -> String {
    let mut base: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    base.truncate(63 - 3 - run_id.len() - 1);
    let base = base.trim_matches('-');
    format!("t-{base}-{run_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_names_are_dns_labels() {
        let n = namespace_name(
            "Pods_list::All namespaces! and a very long test name that goes on",
            "0badcafe",
        );
        assert!(n.len() <= 63, "{n}");
        assert!(n.starts_with("t-pods-list"));
        assert!(n.ends_with("-0badcafe"));
        assert!(n
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
    }

    #[test]
    fn run_ids_differ() {
        assert_ne!(run_id(), run_id());
    }
}
