//! Schema migrations, one list per backend, applied in order and recorded.

use sqlx::AnyPool;

use super::{Backend, StoreError, db_time};

const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/sqlite/0002_queue_indexes.sql"),
    ),
    (
        3,
        include_str!("../../migrations/sqlite/0003_cross_assignee.sql"),
    ),
    (
        4,
        include_str!("../../migrations/sqlite/0004_analysis_columns.sql"),
    ),
    (
        5,
        include_str!("../../migrations/sqlite/0005_search_words.sql"),
    ),
    (
        6,
        include_str!("../../migrations/sqlite/0006_due_by_class.sql"),
    ),
    (
        7,
        include_str!("../../migrations/sqlite/0007_pending_terms.sql"),
    ),
    (
        8,
        include_str!("../../migrations/sqlite/0008_record_counts.sql"),
    ),
    (
        9,
        include_str!("../../migrations/sqlite/0009_stage_indexes.sql"),
    ),
    (10, include_str!("../../migrations/sqlite/0010_at_risk.sql")),
    (
        11,
        include_str!("../../migrations/sqlite/0011_record_seen.sql"),
    ),
    (
        12,
        include_str!("../../migrations/sqlite/0012_handovers.sql"),
    ),
    (
        13,
        include_str!("../../migrations/sqlite/0013_reminders.sql"),
    ),
    (
        14,
        include_str!("../../migrations/sqlite/0014_record_links.sql"),
    ),
    (
        15,
        include_str!("../../migrations/sqlite/0015_person_index.sql"),
    ),
    (
        16,
        include_str!("../../migrations/sqlite/0016_person_identities.sql"),
    ),
    (
        17,
        include_str!("../../migrations/sqlite/0017_mentions_clustered.sql"),
    ),
    (
        18,
        include_str!("../../migrations/sqlite/0018_submissions.sql"),
    ),
    (
        19,
        include_str!("../../migrations/sqlite/0019_submission_batches.sql"),
    ),
    (
        20,
        include_str!("../../migrations/sqlite/0020_mention_digests.sql"),
    ),
    // 21 builds PostgreSQL's indexes for 20 in a transaction of its own; SQLite's 20
    // builds them.
    (
        22,
        include_str!("../../migrations/sqlite/0022_person_decisions_apart.sql"),
    ),
];
const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/postgres/0002_queue_indexes.sql"),
    ),
    (
        3,
        include_str!("../../migrations/postgres/0003_cross_assignee.sql"),
    ),
    (
        4,
        include_str!("../../migrations/postgres/0004_analysis_columns.sql"),
    ),
    (
        5,
        include_str!("../../migrations/postgres/0005_search_words.sql"),
    ),
    (
        6,
        include_str!("../../migrations/postgres/0006_due_by_class.sql"),
    ),
    (
        7,
        include_str!("../../migrations/postgres/0007_pending_terms.sql"),
    ),
    (
        8,
        include_str!("../../migrations/postgres/0008_record_counts.sql"),
    ),
    (
        9,
        include_str!("../../migrations/postgres/0009_stage_indexes.sql"),
    ),
    (
        10,
        include_str!("../../migrations/postgres/0010_at_risk.sql"),
    ),
    (
        11,
        include_str!("../../migrations/postgres/0011_record_seen.sql"),
    ),
    (
        12,
        include_str!("../../migrations/postgres/0012_handovers.sql"),
    ),
    (
        13,
        include_str!("../../migrations/postgres/0013_reminders.sql"),
    ),
    (
        14,
        include_str!("../../migrations/postgres/0014_record_links.sql"),
    ),
    (
        15,
        include_str!("../../migrations/postgres/0015_person_index.sql"),
    ),
    (
        16,
        include_str!("../../migrations/postgres/0016_person_identities.sql"),
    ),
    // 17 rebuilt a SQLite table PostgreSQL keeps as it is.
    (
        18,
        include_str!("../../migrations/postgres/0018_submissions.sql"),
    ),
    (
        19,
        include_str!("../../migrations/postgres/0019_submission_batches.sql"),
    ),
    (
        20,
        include_str!("../../migrations/postgres/0020_mention_digests.sql"),
    ),
    (
        21,
        include_str!("../../migrations/postgres/0021_mention_digest_indexes.sql"),
    ),
    (
        22,
        include_str!("../../migrations/postgres/0022_person_decisions_apart.sql"),
    ),
];

/// Key of the advisory lock that keeps two PostgreSQL replicas from migrating at once.
const MIGRATION_LOCK: i64 = 0x63_69_6d_73;

pub(super) async fn run(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    let result = apply(&mut conn, backend).await;
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    result
}

async fn apply(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Any>,
    backend: Backend,
) -> Result<(), StoreError> {
    let migrations = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    for (version, sql) in migrations {
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(version)
                .fetch_optional(&mut **conn)
                .await?;
        if done.is_some() {
            continue;
        }
        let mut tx = sqlx::Connection::begin(&mut **conn).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(version)
            .bind(db_time(chrono::Utc::now()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}
