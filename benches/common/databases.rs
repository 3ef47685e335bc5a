//! The databases a benchmark runs on, as its flags ask: a SQLite file in a throw-away
//! directory, and a fresh database in the throw-away PostgreSQL cluster the tests use.

/// `run(label, url)` on SQLite (a file named `file`), then on PostgreSQL, skipped with a
/// line saying so when its binaries are missing.
pub async fn on_each(sqlite: bool, postgres: bool, file: &str, run: impl AsyncFn(&str, &str)) {
    if sqlite {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/{file}?mode=rwc", dir.path().display());
        run("SQLite", &url).await;
    }
    if postgres {
        match super::postgres::cluster() {
            Some(cluster) => {
                let url = cluster.fresh_database().await;
                run("PostgreSQL", &url).await;
            }
            None => println!("PostgreSQL: skipped (no PostgreSQL binaries found)"),
        }
    }
}
