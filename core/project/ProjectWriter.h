#pragma once

#include "common/Outcome.h"
#include "project/ProjectTypes.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <memory>

namespace ckptlab {

// A result as an importer or an evaluation hands it over, before it has ids.
struct NewResult {
    RowId checkpointId = 0;
    RowId recipeId = kBaseRecipe;
    QString task;
    QString format = QStringLiteral("default");
    int shots = 0;
    QString metric;
    double value = 0.0;
    double stderr_ = kNoValue;
    int n = -1;
    QString modelRef;
    QString source;
};

enum class WriteOutcome { Inserted, Updated, Unchanged };

// One evaluated example behind a result: what the model was shown (by hash), what it said,
// and how that scored.
struct PredictionRow {
    int exampleIndex = 0;
    QString promptHash;
    QString output;
    double score = kNoValue;
};

struct ImportLogEntry {
    QString file;
    QString sha256;
    int inserted = 0;
    int updated = 0;
    int unchanged = 0;
    int skipped = 0;
};

// Typed writes inside one transaction: everything written through one writer lands together
// on commit(), or not at all (the destructor rolls back what was not committed).
// Find-or-create lookups are cached, so a large import costs one query per new name.
class ProjectWriter {
public:
    explicit ProjectWriter(QSqlDatabase db);
    ~ProjectWriter();
    ProjectWriter(const ProjectWriter&) = delete;
    ProjectWriter& operator=(const ProjectWriter&) = delete;

    Status begin();
    Status commit();
    void rollback();

    // Identity is (series, step) for numbered checkpoints and (series, final) for the final one.
    // Known facts fill in unknown ones (a step or token count learnt later); they never erase.
    Outcome<RowId> checkpoint(const CheckpointInfo& checkpoint);
    // A folder scan's findings replace the previous scan's (path, family, size, status), so a
    // rescan is idempotent and a moved or repaired checkpoint is updated, never duplicated.
    Outcome<RowId> scannedCheckpoint(const CheckpointInfo& checkpoint);
    Outcome<RowId> recipe(const RecipeInfo& recipe);       // identity: RecipeInfo::key()
    Outcome<RowId> model(RowId checkpointId, RowId recipeId);
    Outcome<RowId> task(const QString& name, const QString& metric = {}, const QString& kind = {});
    Outcome<RowId> format(RowId taskId, const QString& name);
    // Upsert on (model, task, format, shots, metric): same numbers -> Unchanged.
    Outcome<WriteOutcome> result(const NewResult& result);
    // The id of the result the last result() call wrote or found.
    RowId lastResultId() const { return m_lastResultId; }
    // Replaces the stored predictions behind a result (one row per evaluated example).
    Status predictions(RowId resultId, const QVector<PredictionRow>& rows);
    Status logImport(const ImportLogEntry& entry);

private:
    Outcome<RowId> insertReturningId(QSqlQuery& q, const QString& what);
    QString failure(const QSqlQuery& q, const QString& what) const;

    QSqlDatabase m_db;
    bool m_open = false;
    RowId m_lastResultId = 0;
    QHash<QString, RowId> m_checkpoints;
    QHash<QString, RowId> m_recipes;
    QHash<QPair<RowId, RowId>, RowId> m_models;
    QHash<QString, RowId> m_tasks;
    QHash<QPair<RowId, QString>, RowId> m_formats;
    std::unique_ptr<QSqlQuery> m_findResult;
    std::unique_ptr<QSqlQuery> m_insertResult;
    std::unique_ptr<QSqlQuery> m_updateResult;
};

// The identity string stored in checkpoint.identity.
QString checkpointIdentity(const CheckpointInfo& checkpoint);

} // namespace ckptlab
