//! Lists the widgets of a namespace on the cluster kubectl would use (`KUBECONFIG`...).
//! Usage: `cargo run -p kubegen-example-crd-build -- [namespace]`.

use kubegen_example_crd_build::crds::Clientset;
use kubegen_runtime::meta::Object;
use kubegen_runtime::rest::ListOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let namespace = std::env::args().nth(1).unwrap_or_else(|| "default".into());
    let clientset = Clientset::try_default()?;
    let widgets = clientset
        .example_v1()
        .widgets(&namespace)
        .list(&ListOptions::default())
        .await?;
    for w in &widgets.items {
        let size = w.spec.as_ref().and_then(|s| s.size);
        println!(
            "{}\tsize={size:?}",
            w.metadata().name.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
