#pragma once

// Helpers shared by the ingest tests: fixture paths and direct reads of a project's tables, so a
// test checks what landed in the file rather than what the importer says it wrote.

#include "project/Project.h"
#include "project/ProjectTypes.h"

#include <QDir>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <optional>

namespace ingest_test {

inline QString sharedData(const QString& relative)
{
    return QDir(QStringLiteral(CKPTLAB_SHARED_DATA)).filePath(relative);
}

inline QString fixture(const QString& relative)
{
    return QDir(QStringLiteral(CKPTLAB_TEST_DATA "/ingest")).filePath(relative);
}

inline int rowCount(const ckptlab::Project& project, const QString& table)
{
    QSqlQuery q(project.database());
    if (!q.exec(QStringLiteral("SELECT count(*) FROM %1").arg(table)) || !q.next())
        return -1;
    return q.value(0).toInt();
}

// Row counts of every table an import writes, to compare a project before and after.
inline QString tableCounts(const ckptlab::Project& project)
{
    QStringList parts;
    for (const char* table : {"checkpoint", "recipe", "model", "task", "prompt_format", "result", "import_log"})
        parts << QStringLiteral("%1=%2").arg(QLatin1String(table)).arg(rowCount(project, QLatin1String(table)));
    return parts.join(QLatin1Char(' '));
}

struct StoredResult {
    double value = 0;
    QVariant stderr_;
    QVariant n;
    QString modelRef;
    QString source;
};

// The result for a model named by series, checkpoint identity ("step:342000" or "final") and
// recipe identity (RecipeInfo::key(), empty for the base model).
inline std::optional<StoredResult> storedResult(const ckptlab::Project& project, const QString& series,
                                                const QString& checkpointIdentity, const QString& recipeIdentity,
                                                const QString& task, const QString& format, int shots,
                                                const QString& metric)
{
    QSqlQuery q(project.database());
    q.prepare(QStringLiteral(
        "SELECT r.value, r.stderr, r.n, r.model_ref, r.source FROM result r "
        "JOIN model m ON r.model_id = m.id JOIN checkpoint c ON m.checkpoint_id = c.id "
        "LEFT JOIN recipe re ON m.recipe_id = re.id JOIN task t ON r.task_id = t.id "
        "JOIN prompt_format f ON r.format_id = f.id "
        "WHERE c.series = ? AND c.identity = ? AND IFNULL(re.identity, '') = IFNULL(?, '') AND t.name = ? AND f.name = ? "
        "AND r.shots = ? AND r.metric = ?"));
    for (const QVariant& v : {QVariant(series), QVariant(checkpointIdentity), QVariant(recipeIdentity), QVariant(task),
                              QVariant(format), QVariant(shots), QVariant(metric)})
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        return std::nullopt;
    StoredResult r{q.value(0).toDouble(), q.value(1), q.value(2), q.value(3).toString(), q.value(4).toString()};
    if (q.next())
        return std::nullopt; // the key is unique; two rows would be a bug
    return r;
}

inline QString recipeKey(const QString& ftTask, double epochs, double lr)
{
    ckptlab::RecipeInfo r;
    r.ftTask = ftTask;
    r.epochs = epochs;
    r.learningRate = lr;
    return r.key();
}

inline QVariant scalar(const ckptlab::Project& project, const QString& sql)
{
    QSqlQuery q(project.database());
    if (!q.exec(sql) || !q.next())
        return {};
    return q.value(0);
}

} // namespace ingest_test
