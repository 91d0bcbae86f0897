//! Field selectors: `metadata.name` and `metadata.namespace` for every resource, plus the
//! few extra fields some built-in resources support (e.g. `spec.nodeName` for pods).

use serde_json::Value;

/// One `field=value` / `field!=value` term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRequirement {
    /// Dotted field path.
    pub field: String,
    /// Compared value.
    pub value: String,
    /// `!=`
    pub negated: bool,
}

/// A parsed field selector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector(pub Vec<FieldRequirement>);

/// Extra selectable fields of built-in resources, by (group, plural).
fn extra_fields(group: &str, plural: &str) -> &'static [&'static str] {
    match (group, plural) {
        ("", "pods") => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        ("", "events") | ("events.k8s.io", "events") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        ("", "secrets") => &["type"],
        ("", "namespaces") => &["status.phase"],
        ("", "nodes") => &["spec.unschedulable"],
        ("", "replicationcontrollers") => &["status.replicas"],
        ("batch", "jobs") => &["status.successful"],
        ("certificates.k8s.io", "certificatesigningrequests") => &["spec.signerName"],
        _ => &[],
    }
}

impl FieldSelector {
    /// Parses `a=b,c!=d` for resource (group, plural); the error is the 400 message.
    pub fn parse(s: &str, group: &str, plural: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        for term in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, value, negated) = if let Some((f, v)) = term.split_once("!=") {
                (f, v, true)
            } else if let Some((f, v)) = term.split_once("==") {
                (f, v, false)
            } else if let Some((f, v)) = term.split_once('=') {
                (f, v, false)
            } else {
                return Err(format!(
                    "invalid selector: '{s}'; can't understand '{term}'"
                ));
            };
            let field = field.trim();
            let extra = extra_fields(group, plural);
            if field != "metadata.name" && field != "metadata.namespace" && !extra.contains(&field)
            {
                let mut allowed = vec![
                    "\"metadata.name\"".to_string(),
                    "\"metadata.namespace\"".to_string(),
                ];
                allowed.extend(extra.iter().map(|f| format!("\"{f}\"")));
                return Err(format!(
                    "\"{field}\" is not a known field selector: only {}",
                    allowed.join(", ")
                ));
            }
            reqs.push(FieldRequirement {
                field: field.to_string(),
                value: value.trim().to_string(),
                negated,
            });
        }
        Ok(Self(reqs))
    }

    /// Whether it selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the object matches.
    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|r| {
            let mut cur = Some(obj);
            for part in r.field.split('.') {
                cur = cur.and_then(|c| c.get(part));
            }
            let actual = match cur {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            (actual == r.value) != r.negated
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_matches_and_rejects() {
        let s = FieldSelector::parse("metadata.name=l1", "", "configmaps").unwrap();
        assert!(s.matches(&json!({"metadata": {"name": "l1"}})));
        assert!(!s.matches(&json!({"metadata": {"name": "l2"}})));
        let s = FieldSelector::parse("metadata.namespace!=a", "", "configmaps").unwrap();
        assert!(s.matches(&json!({"metadata": {"namespace": "b"}})));
        assert_eq!(
            FieldSelector::parse("data.k=v", "", "configmaps").unwrap_err(),
            "\"data.k\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        );
        let s = FieldSelector::parse("spec.nodeName=n1", "", "pods").unwrap();
        assert!(s.matches(&json!({"spec": {"nodeName": "n1"}})));
        assert!(FieldSelector::parse("nonsense", "", "pods").is_err());
    }
}
