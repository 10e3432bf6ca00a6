#include "project/Schema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

namespace ckptlab::schema {

namespace {

// Migration N brings user_version N-1 to N. Never edit a released migration; append one.

// 1: the data model of DESIGN.md
const char* const kDataModel = R"SQL(
CREATE TABLE checkpoint (
    id          INTEGER PRIMARY KEY,
    series      TEXT    NOT NULL,
    label       TEXT    NOT NULL,
    step        INTEGER,
    tokens      REAL,
    is_final    INTEGER NOT NULL DEFAULT 0 CHECK (is_final IN (0, 1)),
    path        TEXT,
    family      TEXT,
    parameters  INTEGER,
    dtype       TEXT,
    bytes       INTEGER,
    identity    TEXT    NOT NULL,
    UNIQUE (series, identity)
);
CREATE TABLE recipe (
    id            INTEGER PRIMARY KEY,
    ft_task       TEXT    NOT NULL,
    epochs        REAL,
    learning_rate REAL,
    batch_size    INTEGER,
    max_length    INTEGER,
    seed          INTEGER,
    extra         TEXT    NOT NULL DEFAULT '{}',
    identity      TEXT    NOT NULL UNIQUE
);
CREATE TABLE model (
    id            INTEGER PRIMARY KEY,
    checkpoint_id INTEGER NOT NULL REFERENCES checkpoint(id) ON DELETE CASCADE,
    recipe_id     INTEGER REFERENCES recipe(id) ON DELETE CASCADE,
    path          TEXT
);
CREATE UNIQUE INDEX model_identity ON model (checkpoint_id, IFNULL(recipe_id, 0));
CREATE TABLE task (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    kind    TEXT NOT NULL DEFAULT '',
    metric  TEXT NOT NULL DEFAULT '',
    source  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE prompt_format (
    id        INTEGER PRIMARY KEY,
    task_id   INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
    name      TEXT    NOT NULL,
    template  TEXT    NOT NULL DEFAULT '',
    UNIQUE (task_id, name)
);
CREATE TABLE result (
    id          INTEGER PRIMARY KEY,
    model_id    INTEGER NOT NULL REFERENCES model(id) ON DELETE CASCADE,
    task_id     INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
    format_id   INTEGER NOT NULL REFERENCES prompt_format(id) ON DELETE CASCADE,
    shots       INTEGER NOT NULL DEFAULT 0,
    metric      TEXT    NOT NULL,
    value       REAL    NOT NULL,
    stderr      REAL,
    n           INTEGER,
    source      TEXT    NOT NULL,
    model_ref   TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    UNIQUE (model_id, task_id, format_id, shots, metric)
);
CREATE INDEX result_by_task ON result (task_id, format_id, shots, metric);
CREATE TABLE prediction (
    id            INTEGER PRIMARY KEY,
    result_id     INTEGER NOT NULL REFERENCES result(id) ON DELETE CASCADE,
    example_index INTEGER NOT NULL,
    prompt_hash   TEXT    NOT NULL,
    output        TEXT    NOT NULL,
    score         REAL,
    UNIQUE (result_id, example_index)
);
CREATE TABLE run (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('finetune', 'evaluate')),
    model_id      INTEGER REFERENCES model(id) ON DELETE CASCADE,
    spec          TEXT    NOT NULL DEFAULT '{}',
    state         TEXT    NOT NULL DEFAULT 'planned'
                  CHECK (state IN ('planned', 'queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
    queue_order   INTEGER NOT NULL DEFAULT 0,
    device        TEXT    NOT NULL DEFAULT '',
    progress      REAL    NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL,
    started_at    TEXT,
    finished_at   TEXT,
    error         TEXT    NOT NULL DEFAULT '',
    loss_curve    TEXT    NOT NULL DEFAULT '[]'
);
CREATE TABLE import_log (
    id           INTEGER PRIMARY KEY,
    file         TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    imported_at  TEXT    NOT NULL,
    inserted     INTEGER NOT NULL,
    updated      INTEGER NOT NULL,
    unchanged    INTEGER NOT NULL,
    skipped      INTEGER NOT NULL
);
)SQL";

// 2: what a folder scan found out about a checkpoint
const char* const kScannedCheckpointFacts = R"SQL(
ALTER TABLE checkpoint ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE checkpoint ADD COLUMN status_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE checkpoint ADD COLUMN has_tokenizer INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checkpoint ADD COLUMN scanned_at TEXT
)SQL";

// 3: the fine-tuning queue: saved plans, and what a run needs to be listed, claimed by one
// process at a time, resumed and skipped when planned again
const char* const kFineTuningQueue = R"SQL(
CREATE TABLE plan (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    spec        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
ALTER TABLE run ADD COLUMN plan_id INTEGER REFERENCES plan(id) ON DELETE SET NULL;
ALTER TABLE run ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE run ADD COLUMN run_key TEXT NOT NULL DEFAULT '';
ALTER TABLE run ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE run ADD COLUMN detail TEXT NOT NULL DEFAULT '';
ALTER TABLE run ADD COLUMN stats TEXT NOT NULL DEFAULT '{}';
ALTER TABLE run ADD COLUMN output_dir TEXT NOT NULL DEFAULT '';
CREATE INDEX run_queue ON run (state, queue_order);
CREATE INDEX run_by_key ON run (run_key)
)SQL";

const QStringList& migrations()
{
    static const QStringList list = {QString::fromUtf8(kDataModel), QString::fromUtf8(kScannedCheckpointFacts),
                                     QString::fromUtf8(kFineTuningQueue)};
    return list;
}

Status exec(QSqlDatabase& db, const QString& sql, const QString& path)
{
    QSqlQuery q(db);
    if (!q.exec(sql))
        return Status::failure(QStringLiteral("%1: %2").arg(path, q.lastError().text()));
    return success();
}

std::optional<int> pragmaInt(QSqlDatabase& db, const char* name)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA %1").arg(QLatin1String(name))) || !q.next())
        return std::nullopt;
    return q.value(0).toInt();
}

} // namespace

int latestVersion()
{
    return migrations().size();
}

Status migrate(QSqlDatabase& db, const QString& path)
{
    const auto appId = pragmaInt(db, "application_id");
    const auto version = pragmaInt(db, "user_version");
    if (!appId || !version)
        return Status::failure(QStringLiteral("%1 is not a SQLite database (or it is damaged).").arg(path));

    QSqlQuery tables(db);
    tables.exec(QStringLiteral("SELECT count(*) FROM sqlite_master"));
    const int objectCount = tables.next() ? tables.value(0).toInt() : 0;

    if (*appId != kApplicationId) {
        if (*appId != 0 || objectCount != 0)
            return Status::failure(
                QStringLiteral("%1 is not a ckptlab project (it is a SQLite database of another program).").arg(path));
    }
    if (*version > latestVersion())
        return Status::failure(QStringLiteral("%1 was written by a newer ckptlab (schema version %2; this build reads up "
                                              "to %3). Update ckptlab to open it.")
                                   .arg(path)
                                   .arg(*version)
                                   .arg(latestVersion()));
    if (*version == latestVersion() && *appId == kApplicationId)
        return success();

    if (!db.transaction())
        return Status::failure(QStringLiteral("%1: cannot start a transaction: %2").arg(path, db.lastError().text()));
    for (int v = *version; v < latestVersion(); ++v) {
        // QSqlQuery runs one statement at a time, so split the migration script.
        const QStringList statements = migrations()[v].split(QLatin1Char(';'), Qt::SkipEmptyParts);
        for (const QString& statement : statements) {
            if (statement.trimmed().isEmpty())
                continue;
            if (Status s = exec(db, statement, path); !s) {
                db.rollback();
                return Status::failure(QStringLiteral("Upgrading %1 to schema version %2 failed: %3")
                                           .arg(path)
                                           .arg(v + 1)
                                           .arg(s.error()));
            }
        }
    }
    for (const QString& pragma : {QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId),
                                  QStringLiteral("PRAGMA user_version = %1").arg(latestVersion())}) {
        if (Status s = exec(db, pragma, path); !s) {
            db.rollback();
            return s;
        }
    }
    if (!db.commit())
        return Status::failure(QStringLiteral("%1: cannot commit the schema: %2").arg(path, db.lastError().text()));
    return success();
}

} // namespace ckptlab::schema
