//! Shared test infrastructure: databases to run the store and the server against.
//!
//! A test that should hold for both databases runs its body through [`for_each_db`]:
//!
//! ```ignore
//! #[tokio::test]
//! async fn something_holds() {
//!     support::for_each_db(|url| async move {
//!         let pool = sqlx::AnyPool::connect(&url).await.expect("connect");
//!         // ...
//!     })
//!     .await;
//! }
//! ```

pub mod postgres;
pub mod serve;

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

/// A database the suite runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

impl Db {
    pub const ALL: [Db; 2] = [Db::Sqlite, Db::Postgres];

    pub fn name(self) -> &'static str {
        match self {
            Db::Sqlite => "sqlite",
            Db::Postgres => "postgres",
        }
    }
}

/// Registers sqlx's `Any` drivers; needed before any `sqlx::AnyPool` use. Idempotent.
pub fn install_drivers() {
    // sqlx guards this with its own `Once`: repeated calls are no-ops.
    sqlx::any::install_default_drivers();
}

/// A URL for an empty database of kind `db`: for SQLite a file in `dir` (an in-memory SQLite
/// would give each pooled connection its own database), for PostgreSQL a fresh database in the
/// test cluster. `None` when PostgreSQL is unavailable (and not required); a warning has then
/// been printed. Also installs the `Any` drivers.
pub async fn database(db: Db, dir: &tempfile::TempDir) -> Option<String> {
    install_drivers();
    match db {
        Db::Sqlite => Some(format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("cims.db").display()
        )),
        Db::Postgres => Some(postgres::cluster()?.fresh_database().await),
    }
}

/// Runs `body` against SQLite, then against PostgreSQL (skipped with a warning when
/// unavailable), each time with the URL of a fresh, empty database. A panic in the body is
/// re-raised with the name of the database it happened on.
pub async fn for_each_db<F, Fut>(body: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = ()>,
{
    for db in Db::ALL {
        let dir = tempfile::tempdir().expect("temporary directory for the test database");
        let Some(url) = database(db, &dir).await else {
            continue;
        };
        eprintln!("running against {}", db.name());
        let outcome = AssertUnwindSafe(body(url.clone())).catch_unwind().await;
        if db == Db::Postgres
            && let Some(cluster) = postgres::cluster()
        {
            // A suite's worth of databases would otherwise stay on disk until it ends.
            cluster.drop_database(&url).await;
        }
        if let Err(payload) = outcome {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(non-text panic payload)");
            panic!("test body failed against {}: {message}", db.name());
        }
    }
}
