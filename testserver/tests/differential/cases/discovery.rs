//! Discovery documents: versions, group lists, resource lists, aggregated discovery.

use crate::run::{Req, Run};

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// The build fields name a Go toolchain and a commit the test server does not have; the
/// versions (major, minor) and the document's shape must agree.
pub(crate) async fn version(r: &mut Run) {
    let build = [
        "/gitVersion",
        "/gitCommit",
        "/buildDate",
        "/goVersion",
        "/compiler",
        "/platform",
    ];
    r.send_masking("version", Req::get("/version"), &build)
        .await;
}

pub(crate) async fn legacy(r: &mut Run) {
    // The address is the server's own (its port differs).
    let address = ["/serverAddressByClientCIDRs/0/serverAddress"];
    r.send_masking("api", Req::get("/api"), &address).await;
    r.send("apis", Req::get("/apis")).await;
    r.send("api v1", Req::get("/api/v1")).await;
    r.send("apps v1", Req::get("/apis/apps/v1")).await;
    r.send("apps group", Req::get("/apis/apps")).await;
    r.send("missing group", Req::get("/apis/nope.example.com"))
        .await;
    r.send("missing version", Req::get("/apis/apps/v9")).await;
}

pub(crate) async fn aggregated(r: &mut Run) {
    r.send("api", Req::get("/api").header("Accept", AGGREGATED))
        .await;
    r.send("apis", Req::get("/apis").header("Accept", AGGREGATED))
        .await;
}
