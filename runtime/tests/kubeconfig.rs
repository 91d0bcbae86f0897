//! Kubeconfig loading on fixture files: kubectl's merge rules, relative paths, `-data`
//! fields, overrides, errors that name the file and field, and the default chain.

use std::ffi::OsString;
use std::path::PathBuf;

use kubegen_runtime::config::{
    AuthConfig, Config, ConfigError, InClusterEnv, Kubeconfig, Loader, Overrides,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kubeconfig")
        .join(name)
}

fn nothing_else() -> Loader {
    Loader {
        home: None,
        in_cluster: InClusterEnv::default(),
        kubeconfig_env: None,
        ..Loader::default()
    }
}

fn with_kubeconfig_env(files: &[PathBuf]) -> Loader {
    Loader {
        kubeconfig_env: Some(std::env::join_paths(files).unwrap()),
        ..nothing_else()
    }
}

#[test]
fn kubeconfig_list_merges_first_wins() {
    let loader = with_kubeconfig_env(&[fixture("a.yaml"), fixture("nested/b.yaml")]);
    let config = loader.load().unwrap();
    // current-context from the first file that sets it; ctx-a from a.yaml wins over b's.
    assert_eq!(config.cluster_url.to_string(), "https://a.example:6443/");
    assert_eq!(config.default_namespace, "team-a");
    assert!(matches!(&config.auth, AuthConfig::Token(t) if t.expose() == "alice-token"));
    assert_eq!(config.tls.server_name.as_deref(), Some("api.a.example"));
    let imp = config.impersonate.as_ref().unwrap();
    assert_eq!(imp.user, "bob");
    assert_eq!(imp.groups, ["devs", "ops"]);
    assert_eq!(imp.extra["scopes"], ["view"]);
    // The token never shows in Debug output.
    assert!(!format!("{config:?}").contains("alice-token"));

    // Reversed: b.yaml's current context and its "shared" cluster win.
    let reversed = with_kubeconfig_env(&[fixture("nested/b.yaml"), fixture("a.yaml")]);
    let config = reversed.load().unwrap();
    assert_eq!(config.cluster_url.to_string(), "https://b-only.example/");
    let merged = Kubeconfig::merge([
        Kubeconfig::read(&fixture("nested/b.yaml")).unwrap(),
        Kubeconfig::read(&fixture("a.yaml")).unwrap(),
    ]);
    assert_eq!(
        merged.cluster("shared").unwrap().server.as_deref(),
        Some("https://b.example:6443")
    );
    assert_eq!(
        merged.context("ctx-a").unwrap().namespace.as_deref(),
        Some("from-b")
    );
    assert!(
        merged.cluster("proxied").is_some(),
        "entries only in later files are kept"
    );
    assert_eq!(merged.current_context.as_deref(), Some("ctx-b"));
}

#[test]
fn missing_files_in_kubeconfig_list_are_skipped() {
    let loader = with_kubeconfig_env(&[fixture("nope.yaml"), fixture("a.yaml")]);
    assert_eq!(loader.load().unwrap().default_namespace, "team-a");
}

#[test]
fn relative_paths_resolve_against_each_files_folder() {
    // a.yaml names nested/certs/ca.pem; b.yaml (in nested/) names certs/ca.pem: same file.
    let a = Config::from_kubeconfig_file(fixture("a.yaml"), Overrides::default()).unwrap();
    let b = Config::from_kubeconfig_file(fixture("nested/b.yaml"), Overrides::default()).unwrap();
    assert_eq!(a.tls.ca_pem, b.tls.ca_pem);
    assert!(String::from_utf8(b.tls.ca_pem.clone().unwrap())
        .unwrap()
        .contains("fixture CA"));
    assert!(b
        .tls
        .client_cert_pem
        .unwrap()
        .starts_with(b"-----BEGIN CERTIFICATE-----"));
    assert!(b.tls.client_key_pem.is_some());
    // Files, so read again as they rotate.
    let files = b.tls.client_cert_files.as_ref().unwrap();
    assert_eq!(files.cert, fixture("nested/certs/client.crt"));
    assert_eq!(files.key, fixture("nested/certs/client.key"));
    match &b.auth {
        AuthConfig::TokenFile(p) => assert_eq!(p, &fixture("nested/certs/token")),
        other => panic!("{other:?}"),
    }
    // Merged, the paths still point where their own file meant.
    let merged = with_kubeconfig_env(&[fixture("a.yaml"), fixture("nested/b.yaml")])
        .overrides(Overrides {
            context: Some("ctx-b".into()),
            ..Default::default()
        })
        .load()
        .unwrap();
    assert_eq!(merged.tls.ca_pem, b.tls.ca_pem);
}

#[test]
fn data_fields_are_decoded_and_win_over_files() {
    let c = Config::from_kubeconfig_file(fixture("data.yaml"), Overrides::default()).unwrap();
    assert_eq!(c.tls.ca_pem.as_deref(), Some(&b"CA-DATA-PEM"[..]));
    assert_eq!(c.tls.client_cert_pem.as_deref(), Some(&b"CERT-DATA"[..]));
    assert_eq!(c.tls.client_key_pem.as_ref().unwrap().expose(), b"KEY-DATA");
    assert_eq!(c.tls.client_cert_files, None, "inline data never changes");
    match &c.auth {
        AuthConfig::Basic { username, password } => {
            assert_eq!(username, "admin");
            assert_eq!(password.expose(), "s3cret-pass");
        }
        other => panic!("{other:?}"),
    }
    let debug = format!("{c:?}");
    assert!(
        !debug.contains("s3cret-pass") && !debug.contains("KEY-DATA"),
        "{debug}"
    );

    let e = Config::from_kubeconfig_file(
        fixture("data.yaml"),
        Overrides {
            context: Some("bad-data".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, ConfigError::Base64 { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("user \"bad\" client-certificate-data"),
        "{e}"
    );
}

#[test]
fn overrides_select_context_cluster_user_and_namespace() {
    let c = Config::from_kubeconfig_file(
        fixture("a.yaml"),
        Overrides {
            context: Some("ctx-proxied".into()),
            namespace: Some("override-ns".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(c.cluster_url.to_string(), "https://p.example/");
    assert!(c.tls.insecure_skip_verify);
    assert_eq!(
        c.proxy_url.as_ref().unwrap().to_string(),
        "http://proxy.example:3128/"
    );
    assert_eq!(c.default_namespace, "override-ns");
    let c = Config::from_kubeconfig_file(
        fixture("a.yaml"),
        Overrides {
            cluster: Some("proxied".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(c.cluster_url.host(), Some("p.example"));
    assert_eq!(c.default_namespace, "team-a");
    // No namespace anywhere: "default".
    let c = Config::from_kubeconfig_file(fixture("nested/b.yaml"), Overrides::default()).unwrap();
    assert_eq!(c.default_namespace, "default");
}

#[test]
fn unknown_context_lists_the_known_ones() {
    let e = Config::from_kubeconfig_file(
        fixture("a.yaml"),
        Overrides {
            context: Some("nope".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    match &e {
        ConfigError::UnknownContext { name, available } => {
            assert_eq!(name, "nope");
            assert_eq!(available, &["ctx-a", "ctx-proxied"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("\"nope\""));
    let e = Config::from_kubeconfig_file(
        fixture("a.yaml"),
        Overrides {
            user: Some("nobody".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, ConfigError::UnknownUser { .. }), "{e:?}");
}

#[test]
fn missing_explicit_file_names_the_path() {
    let e = nothing_else()
        .explicit_path(fixture("missing.yaml"))
        .load()
        .unwrap_err();
    assert!(matches!(e, ConfigError::ReadFile { .. }), "{e:?}");
    assert!(e.to_string().contains("missing.yaml"), "{e}");
}

#[test]
fn malformed_yaml_names_file_and_field() {
    let e =
        Config::from_kubeconfig_file(fixture("wrong-type.yaml"), Overrides::default()).unwrap_err();
    let msg = e.to_string();
    match &e {
        ConfigError::Parse { path, field, .. } => {
            assert!(path.ends_with("wrong-type.yaml"));
            assert_eq!(field, "users[1].user.as-groups");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        msg.contains("wrong-type.yaml") && msg.contains("users[1].user.as-groups"),
        "{msg}"
    );
    assert!(msg.contains("line 10"), "{msg}");
    // The token of another user in the same file is not in the message.
    assert!(!msg.contains(": t\n"));

    let e = Config::from_kubeconfig_file(fixture("broken-syntax.yaml"), Overrides::default())
        .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ConfigError::Parse { .. }), "{e:?}");
    assert!(
        msg.contains("broken-syntax.yaml") && msg.contains("line"),
        "{msg}"
    );
}

#[test]
fn exec_config_and_auth_conflicts() {
    let c = Config::from_kubeconfig_file(fixture("exec.yaml"), Overrides::default()).unwrap();
    match &c.auth {
        AuthConfig::Exec(exec) => {
            assert_eq!(
                exec.exec.api_version,
                "client.authentication.k8s.io/v1beta1"
            );
            // Relative command with a separator: against the kubeconfig's folder.
            assert_eq!(PathBuf::from(&exec.exec.command), fixture("bin/get-token"));
            assert_eq!(exec.exec.args.as_deref().unwrap(), ["--cluster", "c"]);
            assert!(exec.cluster_info.is_none());
        }
        other => panic!("{other:?}"),
    }
    let e = Config::from_kubeconfig_file(
        fixture("exec.yaml"),
        Overrides {
            context: Some("both".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("more than one authentication method"),
        "{e}"
    );
}

#[test]
fn default_chain_order_and_error() {
    // Nothing applies: the error lists every source.
    let dir = tempfile::tempdir().unwrap();
    let loader = Loader {
        home: Some(dir.path().to_owned()),
        kubeconfig_env: Some(OsString::from(dir.path().join("none.yaml"))),
        ..nothing_else()
    };
    let e = loader.load().unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ConfigError::NotFound { .. }));
    assert!(msg.contains("KUBECONFIG="), "{msg}");
    assert!(msg.contains("in-cluster"), "{msg}");
    assert!(msg.contains(".kube/config"), "{msg}");

    // In-cluster comes before ~/.kube/config.
    let sa = dir.path().join("sa");
    std::fs::create_dir(&sa).unwrap();
    std::fs::write(sa.join("token"), "t").unwrap();
    std::fs::write(sa.join("ca.crt"), "ca").unwrap();
    std::fs::write(sa.join("namespace"), "pod-ns").unwrap();
    std::fs::create_dir(dir.path().join(".kube")).unwrap();
    std::fs::copy(fixture("data.yaml"), dir.path().join(".kube/config")).unwrap();
    let in_cluster = InClusterEnv {
        host: Some("10.0.0.1".into()),
        port: Some("443".into()),
        service_account_dir: sa,
    };
    let loader = Loader {
        in_cluster: in_cluster.clone(),
        ..loader
    };
    let c = loader.load().unwrap();
    assert_eq!(c.cluster_url.to_string(), "https://10.0.0.1:443/");
    assert_eq!(c.default_namespace, "pod-ns");

    // Without in-cluster, the home kubeconfig.
    let home_only = Loader {
        in_cluster: InClusterEnv::default(),
        ..loader.clone()
    };
    assert_eq!(
        home_only.load().unwrap().cluster_url.to_string(),
        "https://data.example/"
    );

    // KUBECONFIG (when a listed file exists) comes before in-cluster.
    let env_first = Loader {
        kubeconfig_env: Some(OsString::from(fixture("a.yaml"))),
        ..loader.clone()
    };
    assert_eq!(env_first.load().unwrap().default_namespace, "team-a");
    // And an explicit path before everything.
    let explicit = env_first.explicit_path(fixture("nested/b.yaml"));
    assert_eq!(
        explicit.load().unwrap().cluster_url.to_string(),
        "https://b-only.example/"
    );
}

#[test]
fn full_kubeconfig_round_trips_as_the_derived_impls_wrote_it() {
    let text = std::fs::read_to_string(fixture("full.yaml")).unwrap();
    let parsed = Kubeconfig::parse(&text).unwrap();
    // Every optional field of the format is set in the fixture.
    let user = parsed.user("everything").unwrap();
    let exec = user.exec.as_ref().unwrap();
    assert!(user.impersonate_user_extra.as_ref().unwrap()["empty"].is_empty());
    assert_eq!(exec.env.as_ref().unwrap()[0].value, "1");
    assert_eq!(exec.interactive_mode.as_deref(), Some("Never"));
    assert_eq!(
        user.auth_provider
            .as_ref()
            .unwrap()
            .config
            .as_ref()
            .unwrap()
            .expose()["id-token"],
        "abc"
    );
    let cluster = parsed.cluster("full").unwrap();
    assert_eq!(cluster.disable_compression, Some(true));
    assert_eq!(cluster.insecure_skip_tls_verify, Some(false));
    assert!(parsed.preferences.is_some() && parsed.extensions.is_some());

    let written = serde_saphyr::to_string(&parsed).unwrap();
    // Field for field what `#[derive(Serialize)]` with its skip rules wrote (order, left-out
    // fields, the JSON maps of `extensions` and `preferences` with their keys sorted), in
    // serde-saphyr's quoting.
    let expected = std::fs::read_to_string(fixture("full-written.yaml")).unwrap();
    assert_eq!(written, expected);
    assert_eq!(Kubeconfig::parse(&written).unwrap(), parsed);
    // And as JSON (another serializer), the same tree.
    let json = serde_json::to_value(&parsed).unwrap();
    assert_eq!(json["users"][0]["user"]["tokenFile"], "/var/run/token");
    assert_eq!(json["users"][0]["user"]["exec"]["provideClusterInfo"], true);
    assert!(json["users"][1]["user"].as_object().unwrap().is_empty());
}

#[test]
fn small_kubeconfig_is_written_with_the_formats_names() {
    use kubegen_runtime::config::{
        AuthInfo, Cluster, Context, ExecConfig, NamedAuthInfo, NamedCluster, NamedContext,
    };
    let k = Kubeconfig {
        current_context: Some("c".into()),
        clusters: vec![NamedCluster {
            name: "c".into(),
            cluster: Cluster {
                server: Some("https://c.example".into()),
                insecure_skip_tls_verify: Some(true),
                ..Default::default()
            },
        }],
        users: vec![NamedAuthInfo {
            name: "u".into(),
            user: AuthInfo {
                token: Some("t".into()),
                impersonate_groups: Some(vec!["g".into()]),
                exec: Some(ExecConfig {
                    command: "p".into(),
                    api_version: "client.authentication.k8s.io/v1".into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        }],
        contexts: vec![NamedContext {
            name: "c".into(),
            context: Context {
                cluster: "c".into(),
                ..Default::default()
            },
        }],
        ..Default::default()
    };
    let expected = "\
clusters:
- name: c
  cluster:
    server: https://c.example
    insecure-skip-tls-verify: true
users:
- name: u
  user:
    token: t
    as-groups:
    - g
    exec:
      command: p
      apiVersion: client.authentication.k8s.io/v1
contexts:
- name: c
  context:
    cluster: c
    user: \"\"
current-context: c
";
    assert_eq!(serde_saphyr::to_string(&k).unwrap(), expected);
    assert_eq!(Kubeconfig::parse(expected).unwrap(), k);
}

/// `(field, message)` of a kubeconfig that does not parse.
fn parse_error(text: &str) -> (String, String) {
    let e = Kubeconfig::parse(text).unwrap_err();
    (e.field().to_owned(), e.to_string())
}

#[test]
fn wrong_types_name_the_nested_field_and_line() {
    let (field, msg) = parse_error(
        "users:\n- name: a\n- name: b\n  user:\n    exec:\n      command: x\n      args: [{k: v}]\n",
    );
    assert_eq!(field, "users[1].user.exec.args[0]");
    assert_eq!(
        msg,
        "users[1].user.exec.args[0]: invalid type: map, expected a string at line 7 column 14"
    );
    let cases = [
        ("clusters: {a: 1}\n", "clusters", "expected a sequence"),
        (
            "contexts:\n- context: [x]\n",
            "contexts[0].context",
            "expected struct Context",
        ),
        (
            "clusters:\n- cluster:\n    insecure-skip-tls-verify: 'yes'\n",
            "clusters[0].cluster.insecure-skip-tls-verify",
            "invalid type: string, expected a boolean at line 3 column 31",
        ),
        (
            "users:\n- user:\n    as-user-extra: {k: v}\n",
            "users[0].user.as-user-extra.k",
            "expected a sequence",
        ),
        (
            "users:\n- user:\n    as-user-extra: {[a]: [v]}\n",
            "users[0].user.as-user-extra.?",
            "expected a string at line 3 column 21",
        ),
        (
            "users:\n- user:\n    auth-provider: {config: [x]}\n",
            "users[0].user.auth-provider.config",
            "expected a map",
        ),
        ("- a\n", ".", "expected struct Kubeconfig"),
    ];
    for (text, want_field, want_msg) in cases {
        let (field, msg) = parse_error(text);
        assert_eq!(field, want_field, "{text}");
        assert!(msg.contains(want_msg), "{text}: {msg}");
    }
    // A secret in the wrong place is not echoed.
    let (_, msg) = parse_error("users:\n- user: sekret-token\n");
    assert!(!msg.contains("sekret"), "{msg}");
}

#[test]
fn null_and_empty_read_as_absent_or_empty() {
    let k = Kubeconfig::parse(
        "clusters: null\ncontexts:\nusers:\n- name: ~\n  user:\n    as-groups: null\n    exec:\n      command: c\n      args:\n      env: ~\n      apiVersion: null\n- name: n\n  user: null\ncurrent-context: ~\n",
    )
    .unwrap();
    assert!(k.clusters.is_empty() && k.contexts.is_empty());
    assert_eq!(k.users[0].name, "");
    let exec = k.users[0].user.exec.as_ref().unwrap();
    assert_eq!((exec.args.as_ref(), exec.env.as_ref()), (None, None));
    assert_eq!(exec.api_version, "");
    assert!(k.users[0].user.impersonate_groups.is_none());
    assert_eq!(k.users[1].user, Default::default());
    assert_eq!(k.current_context, None);
    // A document of only `null` (or only comments) is an empty kubeconfig.
    assert_eq!(Kubeconfig::parse("~\n").unwrap(), Kubeconfig::default());
    assert_eq!(
        Kubeconfig::parse("# none\n").unwrap(),
        Kubeconfig::default()
    );
}

#[test]
fn unknown_fields_are_ignored_and_scalars_read_as_written() {
    let k = Kubeconfig::parse(
        "future-field: {x: [1]}\n3: three\ncurrent-context: 0123\nclusters:\n- name: 12\n  extra: 1\n  cluster: {server: https://x, future: true, true: 1, insecure-skip-tls-verify: True}\nusers:\n- name: u\n  user:\n    token: 0x1F\n    as-groups: [1, true, null, 1.50, !custom tagged]\n    as-user-extra: {1: [x], true: [y], k: }\n    auth-provider: {name: p, config: {a: 1, 2: b, c: null}}\n",
    )
    .unwrap();
    assert_eq!(k.current_context.as_deref(), Some("0123"));
    assert_eq!(k.clusters[0].name, "12");
    assert_eq!(k.clusters[0].cluster.insecure_skip_tls_verify, Some(true));
    let user = &k.users[0].user;
    assert_eq!(user.token.as_ref().unwrap().expose(), "0x1F");
    assert_eq!(
        user.impersonate_groups.as_deref().unwrap(),
        ["1", "true", "null", "1.50", "tagged"]
    );
    let extra = user.impersonate_user_extra.as_ref().unwrap();
    assert_eq!(extra["1"], ["x"]);
    assert_eq!(extra["true"], ["y"]);
    assert!(extra["k"].is_empty());
    let config = user
        .auth_provider
        .as_ref()
        .unwrap()
        .config
        .as_ref()
        .unwrap();
    assert_eq!(config.expose()["a"], "1");
    assert_eq!(config.expose()["2"], "b");
    assert_eq!(config.expose()["c"], "null");
}

#[test]
fn syntax_and_duplicate_key_errors_give_the_line() {
    let (field, msg) = parse_error("users:\n- name: a\n  user:\n    token: x\n    token: y\n");
    assert_eq!(field, "users[0].user");
    assert_eq!(
        msg,
        "users[0].user: duplicate entry with key \"token\" at line 5 column 5"
    );
    // A syntax error: the document's path, the parser's message, line and column.
    // (An unclosed bracket: where it opens.)
    let e = Kubeconfig::parse("clusters:\n- name: a\n  cluster: {server: x\n").unwrap_err();
    assert_eq!(e.field(), ".");
    assert_eq!((e.line(), e.column()), (3, 12), "{e}");
    let e = Kubeconfig::parse("users:\n  - name: a\n   bad: indent\n").unwrap_err();
    assert_eq!((e.field(), e.line()), (".", 3), "{e}");
    assert!(
        e.to_string()
            .ends_with(&format!("at line 3 column {}", e.column())),
        "{e}"
    );
}

#[test]
fn a_type_error_names_path_line_and_column() {
    let e = Kubeconfig::parse(
        "clusters:\n- name: a\n  cluster:\n    server: https://a\n    disable-compression: [x]\n",
    )
    .unwrap_err();
    assert_eq!(e.field(), "clusters[0].cluster.disable-compression");
    assert_eq!((e.line(), e.column()), (5, 26));
    assert_eq!(e.message(), "invalid type: sequence, expected a boolean");
}

#[test]
fn anchors_and_aliases_are_resolved() {
    let k = Kubeconfig::parse(
        "clusters:\n- name: a\n  cluster: &shared\n    server: https://shared\n    insecure-skip-tls-verify: yes\n- name: b\n  cluster: *shared\nusers:\n- name: u\n  user:\n    as-groups: &groups [g1, g2]\n    exec: {command: c, args: *groups, apiVersion: v}\n",
    )
    .unwrap();
    assert_eq!(k.cluster("a"), k.cluster("b"));
    assert_eq!(
        k.cluster("b").unwrap().server.as_deref(),
        Some("https://shared")
    );
    let user = k.user("u").unwrap();
    assert_eq!(user.exec.as_ref().unwrap().args, user.impersonate_groups);
    // An error inside an aliased node names the path it was read at, and where the
    // anchored node was written.
    let e = Kubeconfig::parse("x: &bad {server: [1]}\nclusters:\n- cluster: *bad\n").unwrap_err();
    assert_eq!(e.field(), "clusters[0].cluster.server");
    assert_eq!((e.line(), e.column()), (1, 18));
    // Merge keys, as go-yaml reads them: the mapping's own entries win.
    let k = Kubeconfig::parse(
        "base: &base {server: https://base, insecure-skip-tls-verify: true}\nclusters:\n- name: a\n  cluster:\n    <<: *base\n    server: https://a\n",
    )
    .unwrap();
    let a = k.cluster("a").unwrap();
    assert_eq!(a.server.as_deref(), Some("https://a"));
    assert_eq!(a.insecure_skip_tls_verify, Some(true));
    // An alias to nothing is an error with its line.
    let e = Kubeconfig::parse("clusters:\n- cluster: *nope\n").unwrap_err();
    assert_eq!((e.field(), e.line()), (".", 2), "{e}");
}

#[test]
fn quoted_and_plain_scalars() {
    let k = Kubeconfig::parse(
        "current-context: '0123'\nclusters:\n- name: \"true\"\n  cluster:\n    server: ~\n    proxy-url: '~'\n    tls-server-name: \"null\"\n    disable-compression: 'false'\n",
    );
    // A quoted boolean is a string, which a boolean field refuses.
    let e = k.unwrap_err();
    assert_eq!(e.field(), "clusters[0].cluster.disable-compression");
    assert_eq!(e.message(), "invalid type: string, expected a boolean");
    let k = Kubeconfig::parse(
        "current-context: '0123'\nclusters:\n- name: \"true\"\n  cluster:\n    server: ~\n    proxy-url: '~'\n    tls-server-name: \"null\"\n    disable-compression: Off\ncontexts:\n- name: c\n  context: {cluster: 0x1F, user: !!str 12, namespace: null}\n",
    )
    .unwrap();
    assert_eq!(k.current_context.as_deref(), Some("0123"));
    let c = &k.clusters[0];
    assert_eq!(c.name, "true");
    // Plain `~` is null (absent); quoted, it is the text.
    assert_eq!(c.cluster.server, None);
    assert_eq!(c.cluster.proxy_url.as_deref(), Some("~"));
    assert_eq!(c.cluster.tls_server_name.as_deref(), Some("null"));
    assert_eq!(c.cluster.disable_compression, Some(false));
    let ctx = k.context("c").unwrap();
    assert_eq!((ctx.cluster.as_str(), ctx.user.as_str()), ("0x1F", "12"));
    assert_eq!(ctx.namespace, None);
}

#[test]
fn yaml_1_1_booleans_in_boolean_fields() {
    for (word, want) in [
        ("yes", true),
        ("Yes", true),
        ("YES", true),
        ("on", true),
        ("ON", true),
        ("y", true),
        ("True", true),
        ("no", false),
        ("No", false),
        ("off", false),
        ("Off", false),
        ("N", false),
        ("FALSE", false),
    ] {
        let k = Kubeconfig::parse(&format!(
            "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: {word}\n"
        ))
        .unwrap();
        assert_eq!(
            k.clusters[0].cluster.insecure_skip_tls_verify,
            Some(want),
            "{word}"
        );
    }
    for word in ["yEs", "'on'", "1", "enabled", "!!str yes"] {
        let text =
            format!("users:\n- user:\n    exec: {{command: c, provideClusterInfo: {word}}}\n");
        let e = Kubeconfig::parse(&text).unwrap_err();
        assert_eq!(e.field(), "users[0].user.exec.provideClusterInfo", "{word}");
    }
}

#[test]
fn preferences_and_extensions_round_trip_as_json() {
    let text = "preferences:\n  colors: true\n  n: 3\n  f: 1.5\n  s: 'yes'\n  y: yes\n  nothing: ~\n  list: [0x10, '0x10']\nextensions:\n- name: e\n  extension: {nested: {a: [1, {b: null}]}}\nclusters:\n- name: c\n  cluster:\n    extensions:\n    - name: client.authentication.k8s.io/exec\n      extension: {audience: x}\n";
    let k = Kubeconfig::parse(text).unwrap();
    assert_eq!(
        k.preferences,
        Some(serde_json::json!({
            "colors": true, "n": 3, "f": 1.5, "s": "yes", "y": "yes", "nothing": null,
            "list": [16, "0x10"]
        }))
    );
    assert_eq!(
        k.extensions,
        Some(serde_json::json!([{"name": "e", "extension": {"nested": {"a": [1, {"b": null}]}}}]))
    );
    // Written as YAML and read back: the same values.
    let written = serde_saphyr::to_string(&k).unwrap();
    assert_eq!(Kubeconfig::parse(&written).unwrap(), k);
    // And as JSON.
    let json = serde_json::to_string(&k).unwrap();
    assert_eq!(Kubeconfig::parse(&json).unwrap(), k);
    // A key given twice inside them is an error with its path and line.
    let e = Kubeconfig::parse("preferences: {a: 1, a: 2}\n").unwrap_err();
    assert_eq!((e.field(), e.line(), e.column()), ("preferences", 1, 21));
}

#[test]
fn a_kubeconfig_in_json_form() {
    let text = r#"{
  "apiVersion": "v1", "kind": "Config", "current-context": "c",
  "clusters": [{"name": "c", "cluster": {"server": "https://c.example", "insecure-skip-tls-verify": true}}],
  "users": [{"name": "u", "user": {"token": "t", "as-groups": ["a", "b"]}}],
  "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u", "namespace": "ns"}}],
  "preferences": {}
}"#;
    let k = Kubeconfig::parse(text).unwrap();
    assert_eq!(k.current_context.as_deref(), Some("c"));
    let c = k.cluster("c").unwrap();
    assert_eq!(c.server.as_deref(), Some("https://c.example"));
    assert_eq!(c.insecure_skip_tls_verify, Some(true));
    assert_eq!(k.user("u").unwrap().token.as_ref().unwrap().expose(), "t");
    assert_eq!(k.context("c").unwrap().namespace.as_deref(), Some("ns"));
    assert_eq!(k.preferences, Some(serde_json::json!({})));
    // A JSON type error: path, line and column.
    let e = Kubeconfig::parse(
        "{\n  \"users\": [\n    {\"name\": \"u\", \"user\": {\"as-groups\": \"g\"}}]}",
    )
    .unwrap_err();
    assert_eq!(e.field(), "users[0].user.as-groups");
    assert_eq!((e.line(), e.column()), (3, 41));
}

#[test]
fn only_the_first_document_is_read() {
    let k = Kubeconfig::parse("current-context: a\n---\ncurrent-context: b\n: broken [\n").unwrap();
    assert_eq!(k.current_context.as_deref(), Some("a"));
    assert_eq!(
        Kubeconfig::parse("---\n...\n").unwrap(),
        Kubeconfig::default()
    );
}

#[test]
fn malformed_input_never_panics() {
    let inputs = [
        "",
        "\0",
        "\u{feff}",
        "{",
        "}",
        "[",
        "]",
        "- - - -",
        ":",
        "? ? ?",
        "&",
        "*",
        "!",
        "!!",
        "%",
        "%YAML 1.1\n%YAML 1.1\n---",
        "'",
        "\"\\u12\"",
        "a: b: c",
        "clusters: [{name: [",
        "users:\n- user:\n    token: *x",
        "x: &a [*a]",
        "clusters: !!map []",
        "\t- a",
        "users: [{user: {as-user-extra: {[a]: b, {c: d}: e}}}]",
        "preferences: {[a]: 1}",
        "current-context: |\n bad\n  indent",
        "contexts:\n- context:\n    cluster: >-\n",
        "apiVersion: !!int v1",
        "users: [{user: {exec: {env: [{name: [x]}]}}}]",
    ];
    for text in inputs {
        // Any outcome but a panic; errors must carry a position.
        if let Err(e) = Kubeconfig::parse(text) {
            assert!(e.line() >= 1 || e.field() == ".", "{text:?}: {e}");
        }
    }
    // Every prefix of a real kubeconfig, cut anywhere.
    let full = std::fs::read_to_string(fixture("full.yaml")).unwrap();
    for (i, _) in full.char_indices() {
        let _ = Kubeconfig::parse(&full[..i]);
    }
}

#[test]
fn compression_is_on_unless_the_cluster_disables_it() {
    let text = |disable: &str| {
        format!(
            "clusters:\n- name: c\n  cluster:\n    server: https://c\n{disable}\
             users:\n- name: u\n  user: {{token: t}}\n\
             contexts:\n- name: x\n  context: {{cluster: c, user: u}}\ncurrent-context: x\n"
        )
    };
    let compression = |disable: &str| {
        let kc = Kubeconfig::parse(&text(disable)).unwrap();
        Config::from_kubeconfig(&kc, &Overrides::default())
            .unwrap()
            .compression
    };
    assert!(compression(""));
    assert!(compression("    disable-compression: false\n"));
    assert!(!compression("    disable-compression: true\n"));
}
