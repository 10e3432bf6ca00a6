#include "project/ProjectWriter.h"

#include <QDateTime>
#include <QSqlError>
#include <QVariant>

namespace ckptlab {

namespace {

QVariant optionalValue(const std::optional<qint64>& v) { return v ? QVariant(*v) : QVariant(); }
QVariant optionalValue(const std::optional<double>& v) { return v ? QVariant(*v) : QVariant(); }
QVariant optionalValue(const std::optional<int>& v) { return v ? QVariant(*v) : QVariant(); }
QVariant textOrNull(const QString& s) { return s.isEmpty() ? QVariant() : QVariant(s); }
// QString() binds as SQL NULL; NOT NULL text columns get an empty string instead.
QString text(const QString& s) { return s.isNull() ? QStringLiteral("") : s; }
QString now() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }

// The facts a checkpoint row may learn, in the column order every statement below uses:
// step, tokens, path, family, parameters, dtype, bytes.
void bindCheckpointFacts(QSqlQuery& q, const CheckpointInfo& c)
{
    q.addBindValue(optionalValue(c.step));
    q.addBindValue(optionalValue(c.tokens));
    q.addBindValue(textOrNull(c.path));
    q.addBindValue(textOrNull(c.family));
    q.addBindValue(optionalValue(c.parameters));
    q.addBindValue(textOrNull(c.dtype));
    q.addBindValue(optionalValue(c.bytes));
}

QString checkpointLabel(const CheckpointInfo& c)
{
    return c.label.isEmpty() && c.step ? QString::number(*c.step) : c.label;
}

bool sameNumber(const QVariant& stored, double value)
{
    if (std::isnan(value))
        return stored.isNull();
    return !stored.isNull() && stored.toDouble() == value;
}

} // namespace

QString checkpointIdentity(const CheckpointInfo& checkpoint)
{
    if (checkpoint.isFinal)
        return QStringLiteral("final");
    return QStringLiteral("step:%1").arg(checkpoint.step.value_or(-1));
}

ProjectWriter::ProjectWriter(QSqlDatabase db) : m_db(std::move(db)) {}

ProjectWriter::~ProjectWriter()
{
    if (m_open)
        rollback();
}

Status ProjectWriter::begin()
{
    if (!m_db.transaction())
        return Status::failure(QStringLiteral("Cannot start a transaction on %1: %2")
                                   .arg(m_db.databaseName(), m_db.lastError().text()));
    m_open = true;
    return success();
}

Status ProjectWriter::commit()
{
    m_findResult.reset();
    m_insertResult.reset();
    m_updateResult.reset();
    if (!m_db.commit()) {
        const QString why = m_db.lastError().text();
        rollback();
        return Status::failure(QStringLiteral("Cannot save to %1: %2").arg(m_db.databaseName(), why));
    }
    m_open = false;
    return success();
}

void ProjectWriter::rollback()
{
    m_findResult.reset();
    m_insertResult.reset();
    m_updateResult.reset();
    m_db.rollback();
    m_open = false;
    m_checkpoints.clear();
    m_recipes.clear();
    m_models.clear();
    m_tasks.clear();
    m_formats.clear();
}

QString ProjectWriter::failure(const QSqlQuery& q, const QString& what) const
{
    return QStringLiteral("%1: writing %2 failed: %3").arg(m_db.databaseName(), what, q.lastError().text());
}

Outcome<RowId> ProjectWriter::insertReturningId(QSqlQuery& q, const QString& what)
{
    if (!q.exec())
        return Outcome<RowId>::failure(failure(q, what));
    return q.lastInsertId().toLongLong();
}

Outcome<RowId> ProjectWriter::checkpoint(const CheckpointInfo& c)
{
    const QString identity = checkpointIdentity(c);
    const QString cacheKey = c.series + QLatin1Char('\n') + identity;
    RowId id = m_checkpoints.value(cacheKey, 0);
    QSqlQuery q(m_db);
    if (id == 0) {
        q.prepare(QStringLiteral("SELECT id FROM checkpoint WHERE series = ? AND identity = ?"));
        q.addBindValue(c.series);
        q.addBindValue(identity);
        if (!q.exec())
            return Outcome<RowId>::failure(failure(q, QStringLiteral("checkpoint %1").arg(c.label)));
        if (q.next())
            id = q.value(0).toLongLong();
    }
    if (id == 0) {
        q.prepare(QStringLiteral("INSERT INTO checkpoint (series, label, is_final, identity, step, tokens, path, family, "
                                 "parameters, dtype, bytes) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
        q.addBindValue(c.series);
        q.addBindValue(checkpointLabel(c));
        q.addBindValue(c.isFinal ? 1 : 0);
        q.addBindValue(identity);
        bindCheckpointFacts(q, c);
        auto inserted = insertReturningId(q, QStringLiteral("checkpoint %1/%2").arg(c.series, c.label));
        if (inserted)
            m_checkpoints.insert(cacheKey, inserted.value());
        return inserted;
    }
    // Fill in facts that were unknown so far; never erase known ones.
    q.prepare(QStringLiteral("UPDATE checkpoint SET step = COALESCE(step, ?), tokens = COALESCE(tokens, ?), "
                             "path = COALESCE(path, ?), family = COALESCE(family, ?), "
                             "parameters = COALESCE(parameters, ?), dtype = COALESCE(dtype, ?), "
                             "bytes = COALESCE(bytes, ?) WHERE id = ?"));
    bindCheckpointFacts(q, c);
    q.addBindValue(id);
    if (!q.exec())
        return Outcome<RowId>::failure(failure(q, QStringLiteral("checkpoint %1/%2").arg(c.series, c.label)));
    m_checkpoints.insert(cacheKey, id);
    return id;
}

Outcome<RowId> ProjectWriter::scannedCheckpoint(const CheckpointInfo& c)
{
    const auto id = checkpoint(c);
    if (!id)
        return id;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE checkpoint SET label = ?, step = COALESCE(?, step), tokens = COALESCE(?, tokens), "
                             "path = ?, family = ?, parameters = ?, dtype = ?, bytes = ?, status = ?, status_detail = ?, "
                             "has_tokenizer = ?, scanned_at = ? WHERE id = ?"));
    q.addBindValue(checkpointLabel(c));
    bindCheckpointFacts(q, c);
    q.addBindValue(text(c.status));
    q.addBindValue(text(c.statusDetail));
    q.addBindValue(c.hasTokenizer ? 1 : 0);
    q.addBindValue(now());
    q.addBindValue(id.value());
    if (!q.exec())
        return Outcome<RowId>::failure(failure(q, QStringLiteral("checkpoint %1/%2").arg(c.series, c.label)));
    return id;
}

Outcome<RowId> ProjectWriter::recipe(const RecipeInfo& r)
{
    const QString key = r.key();
    if (RowId cached = m_recipes.value(key, 0))
        return cached;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT id FROM recipe WHERE identity = ?"));
    q.addBindValue(key);
    if (!q.exec())
        return Outcome<RowId>::failure(failure(q, QStringLiteral("recipe %1").arg(r.label())));
    if (q.next()) {
        const RowId id = q.value(0).toLongLong();
        m_recipes.insert(key, id);
        return id;
    }
    q.prepare(QStringLiteral("INSERT INTO recipe (ft_task, epochs, learning_rate, batch_size, max_length, seed, extra, "
                             "identity) VALUES (?,?,?,?,?,?,?,?)"));
    q.addBindValue(r.ftTask);
    q.addBindValue(optionalValue(r.epochs));
    q.addBindValue(optionalValue(r.learningRate));
    q.addBindValue(optionalValue(r.batchSize));
    q.addBindValue(optionalValue(r.maxLength));
    q.addBindValue(optionalValue(r.seed));
    q.addBindValue(r.extraJson.isEmpty() ? QStringLiteral("{}") : r.extraJson);
    q.addBindValue(key);
    auto inserted = insertReturningId(q, QStringLiteral("recipe %1").arg(r.label()));
    if (inserted)
        m_recipes.insert(key, inserted.value());
    return inserted;
}

Outcome<RowId> ProjectWriter::model(RowId checkpointId, RowId recipeId)
{
    const auto key = qMakePair(checkpointId, recipeId);
    if (RowId cached = m_models.value(key, 0))
        return cached;
    const QVariant recipe = recipeId == kBaseRecipe ? QVariant() : QVariant(recipeId);
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT id FROM model WHERE checkpoint_id = ? AND IFNULL(recipe_id, 0) = ?"));
    q.addBindValue(checkpointId);
    q.addBindValue(recipeId);
    if (!q.exec())
        return Outcome<RowId>::failure(failure(q, QStringLiteral("model")));
    if (q.next()) {
        const RowId id = q.value(0).toLongLong();
        m_models.insert(key, id);
        return id;
    }
    q.prepare(QStringLiteral("INSERT INTO model (checkpoint_id, recipe_id) VALUES (?, ?)"));
    q.addBindValue(checkpointId);
    q.addBindValue(recipe);
    auto inserted = insertReturningId(q, QStringLiteral("model"));
    if (inserted)
        m_models.insert(key, inserted.value());
    return inserted;
}

Outcome<RowId> ProjectWriter::task(const QString& name, const QString& metric, const QString& kind)
{
    if (RowId cached = m_tasks.value(name, 0))
        return cached;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT id FROM task WHERE name = ?"));
    q.addBindValue(name);
    if (!q.exec())
        return Outcome<RowId>::failure(failure(q, QStringLiteral("task %1").arg(name)));
    if (q.next()) {
        const RowId id = q.value(0).toLongLong();
        // A task imported without a known metric learns it from a later source.
        QSqlQuery fill(m_db);
        fill.prepare(QStringLiteral("UPDATE task SET metric = CASE WHEN metric = '' THEN ? ELSE metric END, "
                                    "kind = CASE WHEN kind = '' THEN ? ELSE kind END WHERE id = ?"));
        fill.addBindValue(text(metric));
        fill.addBindValue(text(kind));
        fill.addBindValue(id);
        if (!fill.exec())
            return Outcome<RowId>::failure(failure(fill, QStringLiteral("task %1").arg(name)));
        m_tasks.insert(name, id);
        return id;
    }
    q.prepare(QStringLiteral("INSERT INTO task (name, kind, metric) VALUES (?, ?, ?)"));
    q.addBindValue(name);
    q.addBindValue(text(kind));
    q.addBindValue(text(metric));
    auto inserted = insertReturningId(q, QStringLiteral("task %1").arg(name));
    if (inserted)
        m_tasks.insert(name, inserted.value());
    return inserted;
}

Outcome<RowId> ProjectWriter::format(RowId taskId, const QString& name)
{
    const auto key = qMakePair(taskId, name);
    if (RowId cached = m_formats.value(key, 0))
        return cached;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT id FROM prompt_format WHERE task_id = ? AND name = ?"));
    q.addBindValue(taskId);
    q.addBindValue(name);
    if (!q.exec())
        return Outcome<RowId>::failure(failure(q, QStringLiteral("prompt format %1").arg(name)));
    if (q.next()) {
        const RowId id = q.value(0).toLongLong();
        m_formats.insert(key, id);
        return id;
    }
    q.prepare(QStringLiteral("INSERT INTO prompt_format (task_id, name) VALUES (?, ?)"));
    q.addBindValue(taskId);
    q.addBindValue(name);
    auto inserted = insertReturningId(q, QStringLiteral("prompt format %1").arg(name));
    if (inserted)
        m_formats.insert(key, inserted.value());
    return inserted;
}

Outcome<WriteOutcome> ProjectWriter::result(const NewResult& r)
{
    using Out = Outcome<WriteOutcome>;
    const auto modelId = model(r.checkpointId, r.recipeId);
    if (!modelId)
        return Out::failure(modelId.error());
    const auto taskId = task(r.task);
    if (!taskId)
        return Out::failure(taskId.error());
    const auto formatId = format(taskId.value(), r.format);
    if (!formatId)
        return Out::failure(formatId.error());

    if (!m_findResult) {
        m_findResult = std::make_unique<QSqlQuery>(m_db);
        m_findResult->prepare(QStringLiteral("SELECT id, value, stderr, n FROM result WHERE model_id = ? AND task_id = ? "
                                             "AND format_id = ? AND shots = ? AND metric = ?"));
        m_insertResult = std::make_unique<QSqlQuery>(m_db);
        m_insertResult->prepare(QStringLiteral("INSERT INTO result (model_id, task_id, format_id, shots, metric, value, "
                                               "stderr, n, source, model_ref, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
        m_updateResult = std::make_unique<QSqlQuery>(m_db);
        m_updateResult->prepare(QStringLiteral("UPDATE result SET value = ?, stderr = ?, n = ?, source = ?, model_ref = ?, "
                                               "created_at = ? WHERE id = ?"));
    }
    const QVariant stderrValue = std::isnan(r.stderr_) ? QVariant() : QVariant(r.stderr_);
    const QVariant nValue = r.n < 0 ? QVariant() : QVariant(r.n);
    const QString what = QStringLiteral("result %1 on %2").arg(r.modelRef, r.task);

    QSqlQuery& find = *m_findResult;
    find.bindValue(0, modelId.value());
    find.bindValue(1, taskId.value());
    find.bindValue(2, formatId.value());
    find.bindValue(3, r.shots);
    find.bindValue(4, text(r.metric));
    if (!find.exec())
        return Out::failure(failure(find, what));
    if (find.next()) {
        const RowId id = find.value(0).toLongLong();
        const bool same = find.value(1).toDouble() == r.value && sameNumber(find.value(2), r.stderr_)
            && (r.n < 0 ? find.value(3).isNull() : (!find.value(3).isNull() && find.value(3).toInt() == r.n));
        find.finish();
        m_lastResultId = id;
        if (same)
            return WriteOutcome::Unchanged;
        QSqlQuery& update = *m_updateResult;
        update.bindValue(0, r.value);
        update.bindValue(1, stderrValue);
        update.bindValue(2, nValue);
        update.bindValue(3, text(r.source));
        update.bindValue(4, text(r.modelRef));
        update.bindValue(5, now());
        update.bindValue(6, id);
        if (!update.exec())
            return Out::failure(failure(update, what));
        return WriteOutcome::Updated;
    }
    find.finish();
    QSqlQuery& insert = *m_insertResult;
    insert.bindValue(0, modelId.value());
    insert.bindValue(1, taskId.value());
    insert.bindValue(2, formatId.value());
    insert.bindValue(3, r.shots);
    insert.bindValue(4, text(r.metric));
    insert.bindValue(5, r.value);
    insert.bindValue(6, stderrValue);
    insert.bindValue(7, nValue);
    insert.bindValue(8, text(r.source));
    insert.bindValue(9, text(r.modelRef));
    insert.bindValue(10, now());
    if (!insert.exec())
        return Out::failure(failure(insert, what));
    m_lastResultId = insert.lastInsertId().toLongLong();
    return WriteOutcome::Inserted;
}

Status ProjectWriter::predictions(RowId resultId, const QVector<PredictionRow>& rows)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("DELETE FROM prediction WHERE result_id = ?"));
    q.addBindValue(resultId);
    if (!q.exec())
        return Status::failure(failure(q, QStringLiteral("predictions")));
    q.prepare(QStringLiteral("INSERT INTO prediction (result_id, example_index, prompt_hash, output, score) VALUES (?,?,?,?,?)"));
    for (const PredictionRow& p : rows) {
        q.bindValue(0, resultId);
        q.bindValue(1, p.exampleIndex);
        q.bindValue(2, text(p.promptHash));
        q.bindValue(3, text(p.output));
        q.bindValue(4, std::isnan(p.score) ? QVariant() : QVariant(p.score));
        if (!q.exec())
            return Status::failure(failure(q, QStringLiteral("prediction %1").arg(p.exampleIndex)));
    }
    return success();
}

Status ProjectWriter::logImport(const ImportLogEntry& e)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO import_log (file, sha256, imported_at, inserted, updated, unchanged, skipped) "
                             "VALUES (?,?,?,?,?,?,?)"));
    q.addBindValue(e.file);
    q.addBindValue(e.sha256);
    q.addBindValue(now());
    q.addBindValue(e.inserted);
    q.addBindValue(e.updated);
    q.addBindValue(e.unchanged);
    q.addBindValue(e.skipped);
    if (!q.exec())
        return Status::failure(failure(q, QStringLiteral("the import log")));
    return success();
}

} // namespace ckptlab
