//! Versioned schema of the SQLite job store: numbered SQL files (`backend/migrations/sqlite/`,
//! named as `sqlx::migrate!` names them, `NNNN_what.sql`), applied in order, each in its own
//! transaction with `PRAGMA user_version` set to its number. A database keeps its rows across
//! upgrades; one written by a newer LogLens is refused rather than misread.
//!
//! Databases written before the schema was versioned (`user_version` 0 with a `jobs` table)
//! are dated by the columns they have — each later migration added some — and continue from
//! there.

use rusqlite::Connection;

/// The migrations, in order: (version, name, SQL).
pub const MIGRATIONS: [(u32, &str, &str); 9] = [
    (
        1,
        "initial",
        include_str!("../../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "message_en",
        include_str!("../../migrations/sqlite/0002_message_en.sql"),
    ),
    (
        3,
        "notices",
        include_str!("../../migrations/sqlite/0003_notices.sql"),
    ),
    (
        4,
        "attempts",
        include_str!("../../migrations/sqlite/0004_attempts.sql"),
    ),
    (
        5,
        "formats",
        include_str!("../../migrations/sqlite/0005_formats.sql"),
    ),
    (
        6,
        "glossary",
        include_str!("../../migrations/sqlite/0006_glossary.sql"),
    ),
    (
        7,
        "run_figures",
        include_str!("../../migrations/sqlite/0007_run_figures.sql"),
    ),
    (
        8,
        "not_relevant",
        include_str!("../../migrations/sqlite/0008_not_relevant.sql"),
    ),
    (
        9,
        "kb_for_all",
        include_str!("../../migrations/sqlite/0009_kb_for_all.sql"),
    ),
];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// For databases from before versioning: a column each migration added, newest first.
const DATED_BY: [(u32, &str); 7] = [
    (9, "kb_for_all"),
    (7, "incidents"),
    (6, "glossary_name"),
    (5, "formats_name"),
    (4, "attempts"),
    (3, "notices"),
    (2, "message_en"),
];

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "the database has schema version {found}, newer than this LogLens knows ({LATEST}): \
         run the newer LogLens, or point LOGLENS_DATA_DIR elsewhere"
    )]
    Newer { found: u32 },
    #[error("schema migration {version} ({name}) failed: {source}")]
    Step {
        version: u32,
        name: &'static str,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

/// Brings `conn`'s schema to [`LATEST`]; returns the version it found.
pub fn migrate(conn: &mut Connection) -> Result<u32, MigrationError> {
    let found = current_version(conn)?;
    if found > LATEST {
        return Err(MigrationError::Newer { found });
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > found) {
        let step = |source| MigrationError::Step {
            version: *version,
            name,
            source,
        };
        let tx = conn.transaction().map_err(step)?;
        tx.execute_batch(sql).map_err(step)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(step)?;
        tx.commit().map_err(step)?;
    }
    Ok(found)
}

/// The version `conn` is at: its `user_version`, or for an unversioned database with jobs,
/// the newest migration whose column it has.
fn current_version(conn: &Connection) -> rusqlite::Result<u32> {
    let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > 0 {
        return Ok(version);
    }
    let mut q = conn.prepare("SELECT name FROM pragma_table_info('jobs')")?;
    let columns: Vec<String> = q
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if columns.is_empty() {
        return Ok(0); // a new database
    }
    Ok(DATED_BY
        .iter()
        .find(|(_, column)| columns.iter().any(|c| c == column))
        .map_or(1, |(v, _)| *v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(conn: &Connection) -> Vec<String> {
        let mut q = conn
            .prepare("SELECT name FROM pragma_table_info('jobs')")
            .expect("prepare");
        q.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }

    fn version(conn: &Connection) -> u32 {
        conn.pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("user_version")
    }

    #[test]
    fn migrations_are_numbered_one_by_one_and_date_their_columns() {
        for (i, (v, _, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*v as usize, i + 1);
        }
        // Each dating column is added by the migration of its number.
        for (v, column) in DATED_BY {
            let sql = MIGRATIONS[v as usize - 1].2;
            assert!(
                sql.contains(&format!("ADD COLUMN {column} ")),
                "{v}: {column}"
            );
        }
    }

    #[test]
    fn a_new_database_gets_every_migration_and_a_second_open_changes_nothing() {
        let mut conn = Connection::open_in_memory().expect("open");
        assert_eq!(migrate(&mut conn).expect("migrate"), 0);
        assert_eq!(version(&conn), LATEST);
        assert!(columns(&conn).contains(&"glossary_path".to_owned()));
        assert!(columns(&conn).contains(&"kb_used".to_owned()));
        assert_eq!(migrate(&mut conn).expect("again"), LATEST);
    }

    #[test]
    fn a_database_from_before_versioning_keeps_its_rows_and_gains_the_later_columns() {
        let mut conn = Connection::open_in_memory().expect("open");
        // As a release with `message_en`, `notices` and `attempts` but no formats left it.
        for (_, _, sql) in &MIGRATIONS[..4] {
            conn.execute_batch(sql).expect("old schema");
        }
        conn.execute(
            "INSERT INTO jobs (id, state, model, semantic, upload_name, upload_path, upload_bytes, created_at, attempts)
             VALUES ('a', 'succeeded', 'light', 1, 'vc.zip', '/x/vc.zip', 10, '2026-01-01T00:00:00Z', 1)",
            [],
        )
        .expect("old row");
        assert_eq!(version(&conn), 0, "unversioned");
        assert_eq!(
            migrate(&mut conn).expect("migrate"),
            4,
            "dated by its columns"
        );
        assert_eq!(version(&conn), LATEST);
        let row: (String, u32, Option<String>) = conn
            .query_row(
                "SELECT upload_name, attempts, glossary_name FROM jobs WHERE id='a'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("row kept");
        assert_eq!(row, ("vc.zip".to_owned(), 1, None));
        // A finished run of then has no figures: unknown, not zero.
        let figures: (Option<i64>, Option<i64>, Option<String>) = conn
            .query_row(
                "SELECT incidents, links, kb_used FROM jobs WHERE id='a'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("figures");
        assert_eq!(figures, (None, None, None));
    }

    #[test]
    fn a_database_of_a_newer_loglens_is_refused() {
        let mut conn = Connection::open_in_memory().expect("open");
        migrate(&mut conn).expect("migrate");
        conn.pragma_update(None, "user_version", LATEST + 1)
            .expect("bump");
        let err = migrate(&mut conn).expect_err("refused");
        assert!(matches!(err, MigrationError::Newer { found } if found == LATEST + 1));
        assert!(err.to_string().contains("newer than this LogLens knows"));
    }

    #[test]
    fn a_failing_step_leaves_the_database_at_the_last_good_version() {
        let mut conn = Connection::open_in_memory().expect("open");
        for (_, _, sql) in &MIGRATIONS[..5] {
            conn.execute_batch(sql).expect("schema up to 5");
        }
        conn.pragma_update(None, "user_version", 4).expect("at 4");
        // Migration 5 adds `formats_name`, which this database already has: it fails whole
        // (its transaction is rolled back) and the version stays 4.
        let err = migrate(&mut conn).expect_err("step 5 fails");
        assert!(
            matches!(err, MigrationError::Step { version: 5, .. }),
            "{err}"
        );
        assert_eq!(version(&conn), 4);
    }
}
