//! The one TLS crypto provider (ring) for both the server and the client.

use std::sync::Arc;

use tokio_rustls::rustls::crypto::{CryptoProvider, ring};

/// The ring provider: no C build of a second crypto library.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// Make ring the process-wide default, which the HTTP client's TLS needs before a client is
/// built. Idempotent: a provider already installed stays.
pub fn install_default_provider() {
    let _ = ring::default_provider().install_default();
}
