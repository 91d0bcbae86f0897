#!/usr/bin/env bash
# Clean-build cost, dev profile, in one run (not part of CI):
#  1. kubegen-api versus a crate using k8s-openapi 0.29 (feature v1_36, types only): everything,
#     all group-versions' types only (target ratio <= 0.8), core-v1 + apps-v1 only (target <= 0.3);
#  2. a small consumer that lists, gets and watches 20 resource types, written with kubegen-api
#     versus with kube 5 + k8s-openapi (target <= 0.5), and its incremental rebuild after
#     touching main.rs.
# Reports wall time (what a user waits for; 2 cores build independent crates side by side) and
# CPU time (user+sys of all compiler processes, which other load on the machine disturbs far
# less), and the ratio of each against the peer.
# Usage: scripts/bench-build.sh [--only-types | --only-consumer]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
[ -n "${KEEP_BENCH_TMP:-}" ] && echo "keeping $tmp" >&2 || trap 'rm -rf "$tmp"' EXIT

# Our crates come in as path dependencies, which cargo builds incrementally; from crates.io,
# as a user gets them and as the peers' crates come in here, they are built without
# incremental compilation (≈ 10% less work for a clean build). The profile override gives our
# path dependencies the treatment a registry dependency gets.
as_registry_dependency='
[profile.dev.package.kubegen-api]
incremental = false
[profile.dev.package.kubegen-runtime]
incremental = false
[profile.dev.package.kubegen-meta]
incremental = false'

make_crate() { # name, dependency lines, main.rs source
  mkdir -p "$tmp/$1/src"
  local profile=""
  [[ $2 == *kubegen-api* ]] && profile=$as_registry_dependency
  printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2021"\n\n[workspace]\n\n[dependencies]\n%s\n%s\n' "$1" "$2" "$profile" > "$tmp/$1/Cargo.toml"
  local main='fn main() {}'
  [ $# -ge 3 ] && main=$3
  printf '%s\n' "$main" > "$tmp/$1/src/main.rs"
  (cd "$tmp/$1" && cargo fetch -q)
}

# Prints "wall cpu" seconds of a command run in a crate.
measure() { # name, command...
  local name=$1; shift
  (cd "$tmp/$name" && /usr/bin/time -o "$tmp/time.txt" -f '%e %U %S' "$@" >/dev/null 2>"$tmp/$name.log") \
    || { echo "build of $name failed:" >&2; tail -20 "$tmp/$name.log" >&2; exit 1; }
  awk '{printf "%.1f %.1f\n", $1, $2 + $3}' "$tmp/time.txt"
}

clean_build() { rm -rf "$tmp/$1/target"; measure "$1" cargo build -q; }

report() { # label, "wall cpu", peer "wall cpu", target
  read -r w c <<<"$2"; read -r pw pc <<<"$3"
  printf '%-58s wall %6.1f s  cpu %6.1f s  ratio: wall %.2f, cpu %.2f %s\n' "$1" "$w" "$c" \
    "$(echo "$w / $pw" | bc -l)" "$(echo "$c / $pc" | bc -l)" "$4"
}

api="$root/generated"
if [ "${1:-}" != "--only-consumer" ]; then
make_crate peer 'k8s-openapi = { version = "0.29", features = ["v1_36"] }'
make_crate ours-all "kubegen-api = { path = \"$api\" }"
make_crate ours-types "kubegen-api = { path = \"$api\", default-features = false, features = [\"all\"] }"
make_crate ours-two "kubegen-api = { path = \"$api\", default-features = false, features = [\"core-v1\", \"apps-v1\"] }"

peer=$(clean_build peer)
read -r pw pc <<<"$peer"
printf '%-58s wall %6.1f s  cpu %6.1f s\n' "k8s-openapi 0.29 (v1_36, types only)" "$pw" "$pc"
report "kubegen-api: everything (types, clients, informers, HTTP/TLS)" "$(clean_build ours-all)" "$peer" ""
report "kubegen-api: all group-versions, types only" "$(clean_build ours-types)" "$peer" "(target <= 0.8)"
report "kubegen-api: core-v1 + apps-v1 types" "$(clean_build ours-two)" "$peer" "(target <= 0.3)"

[ "${1:-}" = "--only-types" ] && exit 0
fi

# The consumer: list, get and watch 20 resource types.
resources=(
  "core_v1 pods Pod" "apps_v1 deployments Deployment" "core_v1 services Service"
  "core_v1 config_maps ConfigMap" "core_v1 secrets Secret" "core_v1 nodes Node"
  "core_v1 namespaces Namespace" "batch_v1 jobs Job" "batch_v1 cron_jobs CronJob"
  "apps_v1 stateful_sets StatefulSet" "apps_v1 daemon_sets DaemonSet" "apps_v1 replica_sets ReplicaSet"
  "networking_v1 ingresses Ingress" "networking_v1 network_policies NetworkPolicy"
  "rbac_v1 roles Role" "rbac_v1 role_bindings RoleBinding" "rbac_v1 cluster_roles ClusterRole"
  "core_v1 service_accounts ServiceAccount" "core_v1 persistent_volume_claims PersistentVolumeClaim"
  "apiextensions_v1 custom_resource_definitions CustomResourceDefinition"
)
cluster_scoped=" Node Namespace ClusterRole CustomResourceDefinition "
ours_body=""; kube_body=""
for r in "${resources[@]}"; do
  read -r gv acc kind <<<"$r"
  group=${gv%_v1}
  if [[ $cluster_scoped == *" $kind "* ]]; then scope="()"; kscope="all"; else scope="(\"default\")"; kscope="namespaced"; fi
  kpath="k8s_openapi::api::${group}::v1::${kind}"
  [ "$group" = core ] && kpath="k8s_openapi::api::core::v1::${kind}"
  [ "$group" = apiextensions ] && kpath="k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::${kind}"
  [ "$group" = networking ] && kpath="k8s_openapi::api::networking::v1::${kind}"
  [ "$group" = rbac ] && kpath="k8s_openapi::api::rbac::v1::${kind}"
  ours_body+="    { let c = cs.${gv}().${acc}${scope}; let l = c.list(&Default::default()).await?; println!(\"{}\", l.items.len()); let _ = c.get(\"x\", &Default::default()).await; let mut w = c.watch(&Default::default()).await?; let _ = w.next().await; }
"
  if [ "$kscope" = all ]; then api_ctor="Api::<${kpath}>::all(client.clone())"; else api_ctor="Api::<${kpath}>::namespaced(client.clone(), \"default\")"; fi
  kube_body+="    { let a = ${api_ctor}; let l = a.list(&Default::default()).await?; println!(\"{}\", l.items.len()); let _ = a.get(\"x\").await; let mut w = a.watch(&Default::default(), \"0\").await?.boxed(); let _ = w.next().await; }
"
done
ours_main="use futures_util::StreamExt;
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cs = kubegen_api::Clientset::try_default()?;
${ours_body}    Ok(())
}"
kube_main="use futures::StreamExt;
use kube::Api;
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = kube::Client::try_default().await?;
${kube_body}    Ok(())
}"
# Both sides speak HTTP/1.1 only: kube 5's `client` feature builds hyper with `http1` alone,
# and kubegen-api without its `http2` feature does the same.
make_crate consumer-ours "kubegen-api = { path = \"$api\", default-features = false, features = [\"core-v1\", \"apps-v1\", \"batch-v1\", \"networking-v1\", \"rbac-v1\", \"apiextensions-v1\", \"client\"] }
tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }
futures-util = \"0.3\"" "$ours_main"
make_crate consumer-kube 'kube = { version = "5", default-features = false, features = ["client", "rustls-tls", "ring"] }
k8s-openapi = { version = "0.29", features = ["v1_36"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
futures = "0.3"' "$kube_main"

kube=$(clean_build consumer-kube)
read -r kw kc <<<"$kube"
printf '%-58s wall %6.1f s  cpu %6.1f s\n' "consumer with kube 5 + k8s-openapi" "$kw" "$kc"
report "consumer with kubegen-api" "$(clean_build consumer-ours)" "$kube" "(target <= 0.5)"
touch "$tmp/consumer-kube/src/main.rs" "$tmp/consumer-ours/src/main.rs"
kinc=$(measure consumer-kube cargo build -q)
read -r kiw kic <<<"$kinc"
printf '%-58s wall %6.1f s  cpu %6.1f s\n' "incremental rebuild after touching main.rs, kube" "$kiw" "$kic"
report "incremental rebuild after touching main.rs, kubegen" "$(measure consumer-ours cargo build -q)" "$kinc" "(target <= 1.0)"
