//! The test databases themselves: a fresh PostgreSQL database per test, isolated from the
//! others, and a SQLite file shared by every connection of a pool.

use std::time::Instant;

use sqlx::Row;
use sqlx::any::AnyPoolOptions;

use crate::support::{self, Db, postgres};

#[tokio::test]
async fn a_fresh_postgres_database_answers_through_any_pool() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    eprintln!("cluster started in {:?}", cluster.startup());
    support::install_drivers();

    let began = Instant::now();
    let url = cluster.fresh_database().await;
    eprintln!("fresh database in {:?}: {url}", began.elapsed());

    let pool = sqlx::AnyPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("AnyPool connect to {url}: {e}"));
    let row = sqlx::query("SELECT 1")
        .fetch_one(&pool)
        .await
        .expect("SELECT 1");
    let one: i32 = row.try_get(0).expect("an int4 column");
    assert_eq!(one, 1);
    pool.close().await;
}

#[tokio::test]
async fn a_fresh_postgres_database_answers_through_pg_pool_options() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let Some(url) = support::database(Db::Postgres, &dir).await else {
        return;
    };
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .unwrap_or_else(|e| panic!("PgPool connect to {url}: {e}"));
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&pool)
        .await
        .expect("current_database()");
    assert!(url.contains(&format!("/{name}?")), "{url} names {name}");
    pool.close().await;
}

#[tokio::test]
async fn two_fresh_postgres_databases_are_distinct() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let Some(first) = support::database(Db::Postgres, &dir).await else {
        return;
    };
    let Some(second) = support::database(Db::Postgres, &dir).await else {
        return;
    };
    assert_ne!(first, second);

    let one = sqlx::AnyPool::connect(&first).await.expect("connect first");
    let two = sqlx::AnyPool::connect(&second)
        .await
        .expect("connect second");
    sqlx::query("CREATE TABLE marker (id BIGINT PRIMARY KEY)")
        .execute(&one)
        .await
        .expect("create table in the first database");

    let count = |pool: sqlx::AnyPool| async move {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'marker'",
        )
        .fetch_one(&pool)
        .await
        .expect("count tables")
    };
    assert_eq!(count(one.clone()).await, 1, "table exists where created");
    assert_eq!(
        count(two.clone()).await,
        0,
        "table absent from the other database"
    );
    one.close().await;
    two.close().await;
}

#[tokio::test]
async fn a_sqlite_file_is_shared_by_every_connection_of_a_pool() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = support::database(Db::Sqlite, &dir)
        .await
        .expect("SQLite is always available");
    let pool = AnyPoolOptions::new()
        .min_connections(4)
        .max_connections(4)
        .connect(&url)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));

    sqlx::query("CREATE TABLE marker (id INTEGER PRIMARY KEY)")
        .execute(&pool)
        .await
        .expect("create table");
    sqlx::query("INSERT INTO marker (id) VALUES (1)")
        .execute(&pool)
        .await
        .expect("insert");

    // Hold all four connections at once: each must see the same table and row.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(pool.acquire().await.expect("acquire"));
    }
    for conn in &mut held {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM marker")
            .fetch_one(&mut **conn)
            .await
            .expect("count rows");
        assert_eq!(n, 1);
    }
    drop(held);
    pool.close().await;
}

#[tokio::test]
async fn for_each_db_runs_the_body_against_every_available_database() {
    let seen = std::sync::Mutex::new(Vec::new());
    support::for_each_db(|url| {
        let seen = &seen;
        async move {
            let pool = sqlx::AnyPool::connect(&url).await.expect("connect");
            let n: i64 = sqlx::query_scalar("SELECT CAST(1 AS BIGINT)")
                .fetch_one(&pool)
                .await
                .expect("select");
            assert_eq!(n, 1);
            pool.close().await;
            let kind = url.split(':').next().unwrap_or_default().to_string();
            seen.lock().expect("not poisoned").push(kind);
        }
    })
    .await;

    let seen = seen.into_inner().expect("not poisoned");
    let expected: Vec<&str> = if postgres::cluster().is_some() {
        vec!["sqlite", "postgres"]
    } else {
        vec!["sqlite"]
    };
    assert_eq!(seen, expected);
}

#[tokio::test]
#[should_panic(expected = "test body failed against sqlite: deliberate")]
async fn for_each_db_names_the_database_a_body_failed_on() {
    support::for_each_db(|_url| async { panic!("deliberate") }).await;
}
