//! Key coding: the dictionary of common keys and the literal key forms.

use super::KIND_EMPTY;

/// Literal key shapes: (prefix, suffix) around a stored middle. Key code = index + 1.
pub(super) const LITERAL_FORMS: [(&str, &str); 8] = [
    ("", ""),
    ("f:", ""),
    ("k:", ""),
    ("v:", ""),
    ("i:", ""),
    ("k:{\"name\":\"", "\"}"),
    ("k:{\"type\":\"", "\"}"),
    ("k:{\"uid\":\"", "\"}"),
];
pub(super) const KEY_DICT_EXTENDED: u8 = LITERAL_FORMS.len() as u8 + 1;
pub(super) const KEY_DICT_HOT: u8 = KEY_DICT_EXTENDED + 1;
/// Dictionary entries with a one-byte code; the rest take two bytes.
pub(super) const HOT_ENTRIES: usize = (63 - KEY_DICT_HOT as usize) + 1;

/// Keys common in managed-field sets of built-in kinds, most frequent first (the first
/// [`HOT_ENTRIES`] are coded in the header byte). Order only affects size, never meaning.
pub(super) const DICTIONARY: &[&str] = &[
    ".",
    "f:name",
    "f:type",
    "f:status",
    "f:lastTransitionTime",
    "f:lastProbeTime",
    "f:message",
    "f:reason",
    "f:metadata",
    "f:spec",
    "f:labels",
    "f:annotations",
    "f:containers",
    "f:image",
    "f:imagePullPolicy",
    "f:resources",
    "f:limits",
    "f:requests",
    "f:cpu",
    "f:memory",
    "f:ports",
    "f:containerPort",
    "f:protocol",
    "f:env",
    "f:value",
    "f:valueFrom",
    "f:volumeMounts",
    "f:mountPath",
    "f:readOnly",
    "f:terminationMessagePath",
    "f:terminationMessagePolicy",
    "f:dnsPolicy",
    "f:enableServiceLinks",
    "f:restartPolicy",
    "f:schedulerName",
    "f:securityContext",
    "f:serviceAccount",
    "f:serviceAccountName",
    "f:terminationGracePeriodSeconds",
    "f:volumes",
    "f:conditions",
    "f:containerStatuses",
    "f:ownerReferences",
    "f:generateName",
    "f:args",
    "f:command",
    "f:livenessProbe",
    "f:readinessProbe",
    "f:httpGet",
    "f:path",
    "f:port",
    "f:scheme",
    "f:failureThreshold",
    "f:periodSeconds",
    "f:successThreshold",
    "f:timeoutSeconds",
    // Two-byte codes from here on.
    "f:initialDelaySeconds",
    "f:startupProbe",
    "f:tcpSocket",
    "f:exec",
    "f:grpc",
    "f:configMap",
    "f:secret",
    "f:secretName",
    "f:defaultMode",
    "f:items",
    "f:key",
    "f:emptyDir",
    "f:sizeLimit",
    "f:medium",
    "f:hostPath",
    "f:persistentVolumeClaim",
    "f:claimName",
    "f:projected",
    "f:sources",
    "f:downwardAPI",
    "f:serviceAccountToken",
    "f:expirationSeconds",
    "f:secretKeyRef",
    "f:configMapKeyRef",
    "f:fieldRef",
    "f:fieldPath",
    "f:apiVersion",
    "f:resourceFieldRef",
    "f:resource",
    "f:divisor",
    "f:envFrom",
    "f:configMapRef",
    "f:secretRef",
    "f:optional",
    "f:prefix",
    "f:workingDir",
    "f:stdin",
    "f:tty",
    "f:lifecycle",
    "f:preStop",
    "f:postStart",
    "f:initContainers",
    "f:imagePullSecrets",
    "f:nodeSelector",
    "f:nodeName",
    "f:affinity",
    "f:nodeAffinity",
    "f:podAffinity",
    "f:podAntiAffinity",
    "f:requiredDuringSchedulingIgnoredDuringExecution",
    "f:preferredDuringSchedulingIgnoredDuringExecution",
    "f:podAffinityTerm",
    "f:labelSelector",
    "f:matchLabels",
    "f:matchExpressions",
    "f:nodeSelectorTerms",
    "f:topologyKey",
    "f:weight",
    "f:operator",
    "f:values",
    "f:tolerations",
    "f:effect",
    "f:tolerationSeconds",
    "f:topologySpreadConstraints",
    "f:maxSkew",
    "f:whenUnsatisfiable",
    "f:priority",
    "f:priorityClassName",
    "f:preemptionPolicy",
    "f:hostname",
    "f:subdomain",
    "f:hostNetwork",
    "f:automountServiceAccountToken",
    "f:runAsUser",
    "f:runAsGroup",
    "f:runAsNonRoot",
    "f:fsGroup",
    "f:supplementalGroups",
    "f:seccompProfile",
    "f:capabilities",
    "f:add",
    "f:drop",
    "f:allowPrivilegeEscalation",
    "f:privileged",
    "f:readOnlyRootFilesystem",
    "f:hostIP",
    "f:hostIPs",
    "f:podIP",
    "f:podIPs",
    "f:ip",
    "f:phase",
    "f:startTime",
    "f:qosClass",
    "f:initContainerStatuses",
    "f:observedGeneration",
    "f:replicas",
    "f:readyReplicas",
    "f:availableReplicas",
    "f:updatedReplicas",
    "f:unavailableReplicas",
    "f:fullyLabeledReplicas",
    "f:selector",
    "f:template",
    "f:strategy",
    "f:rollingUpdate",
    "f:maxSurge",
    "f:maxUnavailable",
    "f:revisionHistoryLimit",
    "f:progressDeadlineSeconds",
    "f:minReadySeconds",
    "f:paused",
    "f:lastUpdateTime",
    "f:finalizers",
    "f:data",
    "f:binaryData",
    "f:stringData",
    "f:immutable",
    "f:clusterIP",
    "f:clusterIPs",
    "f:externalTrafficPolicy",
    "f:internalTrafficPolicy",
    "f:ipFamilies",
    "f:ipFamilyPolicy",
    "f:sessionAffinity",
    "f:targetPort",
    "f:nodePort",
    "f:loadBalancer",
    "f:ingress",
    "f:rules",
    "f:host",
    "f:http",
    "f:paths",
    "f:pathType",
    "f:backend",
    "f:service",
    "f:number",
    "f:tls",
    "f:hosts",
    "f:subsets",
    "f:addresses",
    "f:endpoints",
    "f:ready",
    "f:serving",
    "f:terminating",
    "f:targetRef",
    "f:zone",
    "f:addressType",
    "f:schedule",
    "f:jobTemplate",
    "f:backoffLimit",
    "f:completions",
    "f:parallelism",
    "f:completionMode",
    "f:suspend",
    "f:active",
    "f:succeeded",
    "f:failed",
    "f:completionTime",
    "f:uncountedTerminatedPods",
    "f:storageClassName",
    "f:accessModes",
    "f:volumeName",
    "f:volumeMode",
    "f:capacity",
    "f:claimRef",
    "f:persistentVolumeReclaimPolicy",
    "f:csi",
    "f:driver",
    "f:volumeHandle",
    "f:fsType",
    "f:volumeAttributes",
    "f:serviceName",
    "f:podManagementPolicy",
    "f:updateStrategy",
    "f:volumeClaimTemplates",
    "f:currentReplicas",
    "f:currentRevision",
    "f:updateRevision",
    "f:collisionCount",
    "f:numberReady",
    "f:numberAvailable",
    "f:desiredNumberScheduled",
    "f:currentNumberScheduled",
    "f:numberMisscheduled",
    "f:updatedNumberScheduled",
    "f:allocatable",
    "f:nodeInfo",
    "f:daemonEndpoints",
    "f:images",
    "f:lastHeartbeatTime",
    "f:taints",
    "f:podCIDR",
    "f:podCIDRs",
    "f:providerID",
];

/// Dictionary lookup table: open addressing on [`KeyWords::slot`], slots hold `index + 1` (0: empty).
/// Decoding looks up every key of every field set, so this is on the hot path of list decodes;
/// it is built at compile time.
static LOOKUP: [u16; LOOKUP_SLOTS] = build_lookup();
const LOOKUP_SLOTS: usize = 1024;

const fn build_lookup() -> [u16; LOOKUP_SLOTS] {
    let mut table = [0u16; LOOKUP_SLOTS];
    let mut index = 0;
    while index < DICTIONARY.len() {
        let mut slot = KeyWords::of(DICTIONARY[index].as_bytes()).slot();
        while table[slot] != 0 {
            slot = (slot + 1) % LOOKUP_SLOTS;
        }
        table[slot] = index as u16 + 1;
        index += 1;
    }
    table
}

/// The dictionary's entries as [`KeyWords`], to compare keys of up to 16 bytes without memcmp.
static ENTRY_WORDS: [KeyWords; DICTIONARY.len()] = {
    let mut words = [KeyWords {
        head: 0,
        tail: 0,
        len: 0,
    }; DICTIONARY.len()];
    let mut index = 0;
    while index < DICTIONARY.len() {
        words[index] = KeyWords::of(DICTIONARY[index].as_bytes());
        index += 1;
    }
    words
};

/// A key's length and first and last eight bytes (zero-padded when shorter): together the
/// whole key when it is at most 16 bytes long.
#[derive(Clone, Copy, PartialEq)]
struct KeyWords {
    head: u64,
    tail: u64,
    len: usize,
}

impl KeyWords {
    const fn of(b: &[u8]) -> Self {
        let n = b.len();
        let mut head = [0u8; 8];
        let mut tail = [0u8; 8];
        let mut i = 0;
        while i < 8 && i < n {
            head[i] = b[i];
            if n >= 8 {
                tail[i] = b[n - 8 + i];
            }
            i += 1;
        }
        KeyWords {
            head: u64::from_le_bytes(head),
            tail: u64::from_le_bytes(tail),
            len: n,
        }
    }

    /// [`KeyWords::of`] for keys met at run time: two unaligned loads instead of a byte loop
    /// (the `const` form builds the tables).
    #[inline]
    fn of_key(b: &[u8]) -> Self {
        let n = b.len();
        let (head, tail) = match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
            (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
            _ => {
                let mut head = [0u8; 8];
                head[..n].copy_from_slice(b);
                (u64::from_le_bytes(head), 0)
            }
        };
        KeyWords { head, tail, len: n }
    }

    /// A cheap hash reduced to a slot of [`LOOKUP`].
    const fn slot(self) -> usize {
        let h = (self.head ^ self.tail.rotate_left(29) ^ self.len as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> (64 - LOOKUP_SLOTS.trailing_zeros())) as usize
    }
}

/// The dictionary index of `key`, if it is an entry.
pub(super) fn dictionary_index(key: &[u8]) -> Option<u8> {
    let words = KeyWords::of_key(key);
    let mut slot = words.slot();
    loop {
        let index = usize::from(LOOKUP[slot].checked_sub(1)?);
        if ENTRY_WORDS[index] == words && (key.len() <= 16 || DICTIONARY[index].as_bytes() == key) {
            return Some(index as u8);
        }
        slot = (slot + 1) % LOOKUP_SLOTS;
    }
}

/// Header byte of the `".": {}` leaf.
pub(super) const DOT_LEAF: u8 = KEY_DICT_HOT << 2 | KIND_EMPTY;

pub(super) fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Appends the key code and key bytes of `key`; returns the key code.
pub(super) fn push_key(out: &mut Vec<u8>, key: &[u8]) -> u8 {
    // List-map keys (`k:{...}`) are never in the dictionary.
    let maybe_entry = !key.starts_with(b"k:");
    if let Some(index) = maybe_entry.then(|| dictionary_index(key)).flatten() {
        if usize::from(index) < HOT_ENTRIES {
            return KEY_DICT_HOT + index;
        }
        out.push(index);
        return KEY_DICT_EXTENDED;
    }
    // The most specific literal form that fits (the forms after the plain prefixes).
    let mut form = 0;
    for (i, (prefix, suffix)) in LITERAL_FORMS.iter().enumerate().rev() {
        if key.len() >= prefix.len() + suffix.len()
            && key.starts_with(prefix.as_bytes())
            && key.ends_with(suffix.as_bytes())
        {
            form = i;
            break;
        }
    }
    let (prefix, suffix) = LITERAL_FORMS[form];
    let middle = &key[prefix.len()..key.len() - suffix.len()];
    push_varint(out, middle.len());
    out.extend_from_slice(middle);
    form as u8 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_time_key_words_match_the_const_form() {
        let text: Vec<u8> = (0..64u8).map(|i| b'a' + i % 26).collect();
        for len in 0..=40 {
            let key = &text[..len];
            assert!(KeyWords::of_key(key) == KeyWords::of(key), "length {len}");
        }
        for entry in DICTIONARY {
            assert!(KeyWords::of_key(entry.as_bytes()) == KeyWords::of(entry.as_bytes()));
            assert!(dictionary_index(entry.as_bytes()).is_some(), "{entry}");
        }
    }
}
