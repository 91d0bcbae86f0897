//! Rust names for schema names, properties, groups and enum values.
//!
//! Kubernetes JSON names are camelCase with acronyms (`podCIDRs`, `clientCIDR`, `hostIPC`);
//! a naive converter turns `podCIDRs` into `pod_cid_rs`. Acronym runs followed by a plural
//! `s` are kept as one word here (`pod_cidrs`), as k8s-openapi does.

/// Rust keywords (strict and reserved) that cannot be field names.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type names the generated code uses unqualified; a schema with one of these names is renamed.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Box",
    "Vec",
    "String",
    "Result",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Serialize",
    "Deserialize",
    "BTreeMap",
    "Self",
];

/// Whether `s` is a Rust keyword (so a field named it is written `r#s` or `s_`).
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Splits a JSON name into lower-case words: `podCIDRs` → `pod`, `cidrs`.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            i += 1;
            continue;
        }
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            // `CIDRs`: an acronym ending in a plural `s` at a word end stays one word.
            let plural_s = next_lower
                && chars.get(i + 1) == Some(&'s')
                && chars.get(i + 2).is_none_or(|n| !n.is_ascii_lowercase())
                && prev_upper;
            if !current.is_empty() && (prev_lower || (prev_upper && next_lower && !plural_s)) {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c.to_ascii_lowercase());
        i += 1;
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `podCIDRs` → `pod_cidrs`; keywords get a trailing underscore (`type_`); names that
/// start with a digit get a leading underscore.
pub fn field_name(json: &str) -> String {
    let mut name = words(json).join("_");
    if name.is_empty() {
        name.push_str("field");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if is_keyword(&name) {
        name.push('_');
    }
    name
}

/// `IPv4` → `IPv4`, `restartPolicy` → `RestartPolicy`, `cluster-ip` → `ClusterIp`.
pub fn type_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper_next = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if upper_next {
                out.push(c.to_ascii_uppercase());
                upper_next = false;
            } else {
                out.push(c);
            }
        } else {
            upper_next = true;
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if RESERVED_TYPE_NAMES.contains(&out.as_str()) {
        out.push_str("Type");
    }
    out
}

/// The module name of an API group: its first DNS label (`rbac.authorization.k8s.io` →
/// `rbac`), `core` for the legacy group.
pub fn group_module(group: &str) -> String {
    if group.is_empty() {
        return "core".into();
    }
    let first = group.split('.').next().unwrap_or(group);
    sanitize_module(first)
}

/// The module name used when two groups share a first label: the whole group.
pub fn group_module_full(group: &str) -> String {
    sanitize_module(group)
}

fn sanitize_module(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, '_');
    }
    if is_keyword(&out) {
        out.push('_');
    }
    out
}

/// The file (module) name of a type: `PodSpec` → `pod_spec`, `APIService` → `api_service`.
pub fn file_name(type_name: &str) -> String {
    let name = words(type_name).join("_");
    if is_keyword(&name) {
        format!("{name}_")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names() {
        assert_eq!(field_name("podCIDRs"), "pod_cidrs");
        assert_eq!(field_name("podCIDR"), "pod_cidr");
        assert_eq!(field_name("clientCIDR"), "client_cidr");
        assert_eq!(
            field_name("serverAddressByClientCIDRs"),
            "server_address_by_client_cidrs"
        );
        assert_eq!(field_name("hostIPC"), "host_ipc");
        assert_eq!(field_name("hostIPs"), "host_ips");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("$ref"), "ref_");
        assert_eq!(field_name("$schema"), "schema");
        assert_eq!(
            field_name("x-kubernetes-list-map-keys"),
            "x_kubernetes_list_map_keys"
        );
        assert_eq!(field_name("apiVersion"), "api_version");
        assert_eq!(field_name("externalIPs"), "external_ips");
        assert_eq!(
            field_name("targetCPUUtilizationPercentage"),
            "target_cpu_utilization_percentage"
        );
        assert_eq!(field_name("URLs"), "urls");
        assert_eq!(field_name("fsGroup"), "fs_group");
        assert_eq!(field_name("continue"), "continue_");
        assert_eq!(field_name("3d"), "_3d");
    }

    #[test]
    fn type_and_file_names() {
        assert_eq!(type_name("restartPolicy"), "RestartPolicy");
        assert_eq!(type_name("cluster-ip"), "ClusterIp");
        assert_eq!(type_name(""), "Empty");
        assert_eq!(type_name("String"), "StringType");
        assert_eq!(file_name("PodSpec"), "pod_spec");
        assert_eq!(file_name("APIService"), "api_service");
        assert_eq!(file_name("CSIDriver"), "csi_driver");
    }

    #[test]
    fn group_modules() {
        assert_eq!(group_module(""), "core");
        assert_eq!(group_module("rbac.authorization.k8s.io"), "rbac");
        assert_eq!(
            group_module_full("resource.example.com"),
            "resource_example_com"
        );
    }
}
