#include "project/SnapshotLoader.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace ckptlab {

namespace {

template <typename T>
std::optional<T> optional(const QVariant& v)
{
    if (v.isNull())
        return std::nullopt;
    return v.value<T>();
}

bool run(QSqlQuery& q, const QString& sql, QString* error)
{
    q.setForwardOnly(true);
    if (q.exec(sql))
        return true;
    *error = q.lastError().text();
    return false;
}

CheckpointInfo readCheckpoint(const QSqlQuery& q)
{
    CheckpointInfo c;
    c.id = q.value(0).toLongLong();
    c.series = q.value(1).toString();
    c.label = q.value(2).toString();
    c.step = optional<qint64>(q.value(3));
    c.tokens = optional<double>(q.value(4));
    c.isFinal = q.value(5).toInt() != 0;
    c.path = q.value(6).toString();
    c.family = q.value(7).toString();
    c.parameters = optional<qint64>(q.value(8));
    c.dtype = q.value(9).toString();
    c.bytes = optional<qint64>(q.value(10));
    c.status = q.value(11).toString();
    c.statusDetail = q.value(12).toString();
    c.hasTokenizer = q.value(13).toInt() != 0;
    if (!c.path.isEmpty() && !c.status.isEmpty() && !QFileInfo::exists(c.path)) {
        c.status = QStringLiteral("missing");
        c.statusDetail = QStringLiteral("the folder %1 is gone").arg(c.path);
    }
    return c;
}

RecipeInfo readRecipe(const QSqlQuery& q)
{
    RecipeInfo r;
    r.id = q.value(0).toLongLong();
    r.ftTask = q.value(1).toString();
    r.epochs = optional<double>(q.value(2));
    r.learningRate = optional<double>(q.value(3));
    r.batchSize = optional<int>(q.value(4));
    r.maxLength = optional<int>(q.value(5));
    r.seed = optional<int>(q.value(6));
    r.extraJson = q.value(7).toString();
    return r;
}

// Metric and source strings repeat across rows: rows share one copy of each.
class StringPool {
public:
    QString intern(const QString& v)
    {
        auto it = m_strings.constFind(v);
        if (it != m_strings.constEnd())
            return *it;
        m_strings.insert(v, v);
        return v;
    }

private:
    QHash<QString, QString> m_strings;
};

ResultRow readResult(const QSqlQuery& q, StringPool& pool)
{
    ResultRow r;
    r.id = q.value(0).toLongLong();
    r.checkpointId = q.value(1).toLongLong();
    r.recipeId = q.value(2).toLongLong();
    r.taskId = q.value(3).toLongLong();
    r.formatId = q.value(4).toLongLong();
    r.shots = q.value(5).toInt();
    r.metric = pool.intern(q.value(6).toString());
    r.value = q.value(7).toDouble();
    r.stderr_ = q.value(8).isNull() ? kNoValue : q.value(8).toDouble();
    r.n = q.value(9).toInt();
    r.modelRef = q.value(10).toString();
    r.source = pool.intern(q.value(11).toString());
    return r;
}

// Each table in turn; the name of the first that fails, else nullptr.
const char* readTables(QSqlDatabase& db, ResultSnapshot& s, QString* error)
{
    QSqlQuery q(db);
    if (!run(q, QStringLiteral("SELECT id, series, label, step, tokens, is_final, path, family, parameters, dtype, bytes, "
                               "status, status_detail, has_tokenizer FROM checkpoint"), error))
        return "checkpoints";
    while (q.next())
        s.checkpoints.push_back(readCheckpoint(q));
    std::sort(s.checkpoints.begin(), s.checkpoints.end(), checkpointBefore);
    if (!run(q, QStringLiteral("SELECT id, ft_task, epochs, learning_rate, batch_size, max_length, seed, extra FROM recipe "
                               "ORDER BY ft_task, id"), error))
        return "recipes";
    while (q.next())
        s.recipes.push_back(readRecipe(q));
    if (!run(q, QStringLiteral("SELECT id, name, kind, metric FROM task ORDER BY name"), error))
        return "tasks";
    while (q.next())
        s.tasks.push_back({q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString()});
    if (!run(q, QStringLiteral("SELECT id, task_id, name FROM prompt_format ORDER BY task_id, name"), error))
        return "prompt formats";
    while (q.next())
        s.formats.push_back({q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString()});
    if (!run(q, QStringLiteral("SELECT r.id, m.checkpoint_id, IFNULL(m.recipe_id, 0), r.task_id, r.format_id, r.shots, "
                               "r.metric, r.value, r.stderr, IFNULL(r.n, -1), r.model_ref, r.source "
                               "FROM result r JOIN model m ON m.id = r.model_id ORDER BY r.id"), error))
        return "results";
    StringPool pool;
    while (q.next())
        s.results.push_back(readResult(q, pool));
    return nullptr;
}

} // namespace

Outcome<ResultSnapshot> loadSnapshot(const Project& project)
{
    QSqlDatabase db = project.database();
    ResultSnapshot s;
    QString error;
    // One read transaction, so a concurrent import is seen whole or not at all.
    db.transaction();
    if (const char* failed = readTables(db, s, &error)) {
        db.rollback();
        return Outcome<ResultSnapshot>::failure(
            QStringLiteral("%1: reading %2 failed: %3").arg(project.path(), QLatin1String(failed), error));
    }
    db.commit();
    s.rebuildIndexes();
    return s;
}

} // namespace ckptlab
