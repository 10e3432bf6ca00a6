#include "project/RunStore.h"

#include <QDateTime>
#include <QSysInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace ckptlab {

namespace {

const char* kColumns = "id, kind, IFNULL(model_id, 0), IFNULL(plan_id, 0), title, run_key, spec, state, queue_order, "
                       "device, progress, detail, created_at, IFNULL(started_at, ''), IFNULL(finished_at, ''), error, "
                       "loss_curve, stats, output_dir, owner";

// Qt binds a null QString as NULL; the text columns are NOT NULL.
QString text(const QString& s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

QString curveJson(const QVector<double>& curve)
{
    QJsonArray a;
    for (double v : curve)
        a.append(v);
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

QVector<double> curveFromJson(const QString& text)
{
    QVector<double> out;
    for (const QJsonValue& v : QJsonDocument::fromJson(text.toUtf8()).array())
        out.push_back(v.toDouble());
    return out;
}

RunRecord readRecord(const QSqlQuery& q)
{
    RunRecord r;
    r.id = q.value(0).toLongLong();
    r.kind = runKindFromStorageText(q.value(1).toString()).value_or(RunKind::Evaluate);
    r.modelId = q.value(2).toLongLong();
    r.planId = q.value(3).toLongLong();
    r.title = q.value(4).toString();
    r.key = q.value(5).toString();
    r.spec = q.value(6).toString();
    // A state this version does not know (a newer ckptlab wrote it) shows as failed, saying so.
    const auto state = runStateFromStorageText(q.value(7).toString());
    r.state = state.value_or(RunState::Failed);
    r.queueOrder = q.value(8).toInt();
    r.device = q.value(9).toString();
    r.progress = q.value(10).toDouble();
    r.detail = q.value(11).toString();
    r.createdAt = q.value(12).toString();
    r.startedAt = q.value(13).toString();
    r.finishedAt = q.value(14).toString();
    r.error = q.value(15).toString();
    r.lossCurve = curveFromJson(q.value(16).toString());
    r.stats = q.value(17).toString();
    r.outputDir = q.value(18).toString();
    r.owner = q.value(19).toString();
    if (!state)
        r.error = QStringLiteral("unknown run state \"%1\" in the project (written by a newer ckptlab?)")
                      .arg(q.value(7).toString());
    return r;
}

QString failure(const QSqlQuery& q, const QString& what)
{
    return QStringLiteral("%1 failed: %2").arg(what, q.lastError().text());
}

bool ownerAlive(const QString& owner)
{
    const int colon = owner.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    if (owner.left(colon) != QSysInfo::machineHostName())
        return true; // another machine's process: not ours to judge
    bool ok = false;
    const qint64 pid = owner.mid(colon + 1).toLongLong(&ok);
    if (!ok || pid <= 0)
        return false;
    if (pid == qint64(::getpid()))
        return true;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

QString idList(const QVector<RowId>& ids)
{
    QStringList parts;
    for (RowId id : ids)
        parts << QString::number(id);
    return parts.join(QLatin1Char(','));
}

} // namespace

QString currentRunOwner()
{
    return QStringLiteral("%1:%2").arg(QSysInfo::machineHostName()).arg(qint64(::getpid()));
}

RunStore::RunStore(QSqlDatabase db)
    : m_db(std::move(db))
{
}

Outcome<QVector<RunRecord>> RunStore::runs() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT %1 FROM run ORDER BY queue_order, id").arg(QLatin1String(kColumns))))
        return Outcome<QVector<RunRecord>>::failure(failure(q, QStringLiteral("reading the run queue")));
    QVector<RunRecord> out;
    while (q.next())
        out.push_back(readRecord(q));
    return out;
}

Outcome<std::optional<RunRecord>> RunStore::run(RowId id) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT %1 FROM run WHERE id = ?").arg(QLatin1String(kColumns)));
    q.addBindValue(id);
    if (!q.exec())
        return Outcome<std::optional<RunRecord>>::failure(failure(q, QStringLiteral("reading run %1").arg(id)));
    if (!q.next())
        return std::optional<RunRecord>();
    return std::optional<RunRecord>(readRecord(q));
}

Outcome<QSet<QString>> RunStore::activeKeys() const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT run_key FROM run WHERE state NOT IN ('failed', 'cancelled') AND run_key <> ''")))
        return Outcome<QSet<QString>>::failure(failure(q, QStringLiteral("reading planned runs")));
    QSet<QString> keys;
    while (q.next())
        keys.insert(q.value(0).toString());
    return keys;
}

Outcome<RowId> RunStore::addPlan(const QString& name, const QString& specJson, const QVector<NewRun>& runs)
{
    using Out = Outcome<RowId>;
    if (!m_db.transaction())
        return Out::failure(QStringLiteral("cannot start a transaction: %1").arg(m_db.lastError().text()));
    const auto fail = [&](const QSqlQuery& q, const QString& what) {
        const QString message = failure(q, what);
        m_db.rollback();
        return Out::failure(message);
    };
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO plan (name, spec, created_at) VALUES (?, ?, ?)"));
    q.addBindValue(name);
    q.addBindValue(text(specJson));
    q.addBindValue(now());
    if (!q.exec())
        return fail(q, QStringLiteral("saving the plan"));
    const RowId planId = q.lastInsertId().toLongLong();
    if (!q.exec(QStringLiteral("SELECT IFNULL(MAX(queue_order), 0) FROM run")) || !q.next())
        return fail(q, QStringLiteral("reading the queue"));
    int order = q.value(0).toInt();
    QSqlQuery insert(m_db);
    insert.prepare(QStringLiteral("INSERT INTO run (kind, model_id, spec, state, queue_order, device, created_at, plan_id, "
                                  "title, run_key) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)"));
    for (const NewRun& r : runs) {
        insert.addBindValue(toStorageText(r.kind));
        insert.addBindValue(r.modelId > 0 ? QVariant(r.modelId) : QVariant());
        insert.addBindValue(text(r.spec));
        insert.addBindValue(++order);
        insert.addBindValue(text(r.device));
        insert.addBindValue(now());
        insert.addBindValue(planId);
        insert.addBindValue(text(r.title));
        insert.addBindValue(text(r.key));
        if (!insert.exec())
            return fail(insert, QStringLiteral("queueing run \"%1\"").arg(r.title));
    }
    if (!m_db.commit())
        return Out::failure(QStringLiteral("cannot save the plan: %1").arg(m_db.lastError().text()));
    return planId;
}

Outcome<std::optional<RunRecord>> RunStore::claimNext(const QString& device, const QString& owner)
{
    using Out = Outcome<std::optional<RunRecord>>;
    for (int attempt = 0; attempt < 20; ++attempt) {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("SELECT id FROM run WHERE state = 'queued' AND (device = '' OR device = ?) "
                                 "ORDER BY queue_order, id LIMIT 1"));
        q.addBindValue(device);
        if (!q.exec())
            return Out::failure(failure(q, QStringLiteral("reading the queue")));
        if (!q.next())
            return std::optional<RunRecord>();
        const RowId id = q.value(0).toLongLong();
        // Conditional on the state: a run another process took in between is left alone.
        QSqlQuery take(m_db);
        take.prepare(QStringLiteral("UPDATE run SET state = 'running', owner = ?, device = ?, started_at = ?, "
                                    "finished_at = NULL, error = '', progress = 0, detail = '' "
                                    "WHERE id = ? AND state = 'queued'"));
        take.addBindValue(text(owner));
        take.addBindValue(text(device));
        take.addBindValue(now());
        take.addBindValue(id);
        if (!take.exec())
            return Out::failure(failure(take, QStringLiteral("claiming run %1").arg(id)));
        if (take.numRowsAffected() == 1)
            return run(id);
    }
    return std::optional<RunRecord>();
}

Status RunStore::updateProgress(RowId id, double progress, const QString& detail, const QVector<double>& lossCurve)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE run SET progress = ?, detail = ?, loss_curve = ? WHERE id = ?"));
    q.addBindValue(progress);
    q.addBindValue(text(detail));
    q.addBindValue(curveJson(lossCurve));
    q.addBindValue(id);
    if (!q.exec())
        return Status::failure(failure(q, QStringLiteral("saving the progress of run %1").arg(id)));
    return success();
}

Status RunStore::setOutputDir(RowId id, const QString& dir)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE run SET output_dir = ? WHERE id = ?"));
    q.addBindValue(text(dir));
    q.addBindValue(id);
    if (!q.exec())
        return Status::failure(failure(q, QStringLiteral("saving the folder of run %1").arg(id)));
    return success();
}

Status RunStore::finish(RowId id, RunState state, const QString& error, const QString& statsJson,
                        const QVector<double>& lossCurve)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE run SET state = ?, error = ?, stats = ?, loss_curve = ?, finished_at = ?, "
                             "progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END WHERE id = ?"));
    q.addBindValue(toStorageText(state));
    q.addBindValue(text(error));
    q.addBindValue(statsJson.isEmpty() ? QStringLiteral("{}") : statsJson);
    q.addBindValue(curveJson(lossCurve));
    q.addBindValue(now());
    q.addBindValue(toStorageText(state));
    q.addBindValue(id);
    if (!q.exec())
        return Status::failure(failure(q, QStringLiteral("finishing run %1").arg(id)));
    return success();
}

Status RunStore::markSubmitted(const QVector<QPair<RowId, QString>>& owners)
{
    if (!m_db.transaction())
        return Status::failure(QStringLiteral("marking runs submitted: %1").arg(m_db.lastError().text()));
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE run SET state = 'running', owner = ?, device = 'slurm', started_at = ?, "
                             "finished_at = NULL, progress = 0, detail = ?, error = '' WHERE id = ? AND state = 'queued'"));
    for (const auto& [id, owner] : owners) {
        q.addBindValue(owner);
        q.addBindValue(now());
        q.addBindValue(QStringLiteral("submitted to Slurm as %1").arg(owner.mid(owner.indexOf(QLatin1Char(':')) + 1)));
        q.addBindValue(id);
        if (!q.exec() || q.numRowsAffected() != 1) {
            const QString why = q.lastError().isValid() ? q.lastError().text() : QStringLiteral("it is no longer queued");
            m_db.rollback();
            return Status::failure(QStringLiteral("marking run %1 submitted: %2").arg(id).arg(why));
        }
    }
    if (!m_db.commit())
        return Status::failure(QStringLiteral("marking runs submitted: %1").arg(m_db.lastError().text()));
    return success();
}

Status RunStore::markInterrupted(RowId id, const QString& reason)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE run SET state = 'interrupted', error = ?, finished_at = ? WHERE id = ? AND state = 'running'"));
    q.addBindValue(reason);
    q.addBindValue(now());
    q.addBindValue(id);
    if (!q.exec())
        return Status::failure(failure(q, QStringLiteral("marking run %1 interrupted").arg(id)));
    return success();
}

Outcome<int> RunStore::markInterrupted()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT id, owner FROM run WHERE state = 'running'")))
        return Outcome<int>::failure(failure(q, QStringLiteral("reading running runs")));
    QVector<RowId> orphans;
    while (q.next())
        if (!ownerAlive(q.value(1).toString()))
            orphans.push_back(q.value(0).toLongLong());
    if (orphans.isEmpty())
        return 0;
    QSqlQuery mark(m_db);
    if (!mark.exec(QStringLiteral("UPDATE run SET state = 'interrupted', finished_at = '%1', "
                                  "error = 'the program stopped while this run was running' "
                                  "WHERE state = 'running' AND id IN (%2)")
                       .arg(now(), idList(orphans))))
        return Outcome<int>::failure(failure(mark, QStringLiteral("marking interrupted runs")));
    return int(orphans.size());
}

Status RunStore::requeue(const QVector<RowId>& ids)
{
    if (ids.isEmpty())
        return success();
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT IFNULL(MAX(queue_order), 0) FROM run")) || !q.next())
        return Status::failure(failure(q, QStringLiteral("reading the queue")));
    int order = q.value(0).toInt();
    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE run SET state = 'queued', queue_order = ?, error = '', progress = 0, "
                                  "detail = '', owner = '' WHERE id = ? AND state IN ('failed', 'cancelled', 'interrupted')"));
    for (RowId id : ids) {
        update.addBindValue(++order);
        update.addBindValue(id);
        if (!update.exec())
            return Status::failure(failure(update, QStringLiteral("queueing run %1 again").arg(id)));
    }
    return success();
}

Status RunStore::release(RowId id)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE run SET state = 'queued', owner = '', finished_at = NULL WHERE id = ? "
                             "AND state IN ('running', 'cancelled')"));
    q.addBindValue(id);
    if (!q.exec())
        return Status::failure(failure(q, QStringLiteral("putting run %1 back in the queue").arg(id)));
    return success();
}

Status RunStore::cancelQueued(const QVector<RowId>& ids)
{
    if (ids.isEmpty())
        return success();
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("UPDATE run SET state = 'cancelled', finished_at = '%1' WHERE state = 'queued' AND id IN (%2)")
                    .arg(now(), idList(ids))))
        return Status::failure(failure(q, QStringLiteral("cancelling runs")));
    return success();
}

Status RunStore::move(RowId id, int delta)
{
    if (delta == 0)
        return success();
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT id, queue_order FROM run WHERE state = 'queued' ORDER BY queue_order, id")))
        return Status::failure(failure(q, QStringLiteral("reading the queue")));
    QVector<QPair<RowId, int>> queued;
    while (q.next())
        queued.push_back({q.value(0).toLongLong(), q.value(1).toInt()});
    int at = -1;
    for (int i = 0; i < queued.size(); ++i)
        if (queued[i].first == id)
            at = i;
    if (at < 0)
        return Status::failure(QStringLiteral("run %1 is not queued, so it cannot be moved").arg(id));
    const int to = std::clamp(at + delta, 0, int(queued.size()) - 1);
    if (to == at)
        return success();
    // Keep the queue's order values, rotate which run holds them.
    QVector<int> orders;
    for (const auto& r : queued)
        orders.push_back(r.second);
    const auto moved = queued.takeAt(at);
    queued.insert(to, moved);
    if (!m_db.transaction())
        return Status::failure(QStringLiteral("cannot start a transaction: %1").arg(m_db.lastError().text()));
    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE run SET queue_order = ? WHERE id = ?"));
    for (int i = 0; i < queued.size(); ++i) {
        update.addBindValue(orders[i]);
        update.addBindValue(queued[i].first);
        if (!update.exec()) {
            const QString message = failure(update, QStringLiteral("reordering the queue"));
            m_db.rollback();
            return Status::failure(message);
        }
    }
    if (!m_db.commit())
        return Status::failure(QStringLiteral("cannot reorder the queue: %1").arg(m_db.lastError().text()));
    return success();
}

Status RunStore::remove(const QVector<RowId>& ids)
{
    if (ids.isEmpty())
        return success();
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("DELETE FROM run WHERE state <> 'running' AND id IN (%1)").arg(idList(ids))))
        return Status::failure(failure(q, QStringLiteral("removing runs")));
    return success();
}

Outcome<QVector<double>> RunStore::measuredParameterTokenRates(const QString& device, int latest) const
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT stats FROM run WHERE kind = 'finetune' AND state = 'done' AND device = ? "
                             "ORDER BY finished_at DESC LIMIT ?"));
    q.addBindValue(device);
    q.addBindValue(latest);
    if (!q.exec())
        return Outcome<QVector<double>>::failure(failure(q, QStringLiteral("reading finished runs")));
    QVector<double> rates;
    while (q.next()) {
        const QJsonObject stats = QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object();
        const double seconds = stats.value(QStringLiteral("train_seconds")).toDouble();
        const double tokens = stats.value(QStringLiteral("train_tokens")).toDouble();
        const double parameters = stats.value(QStringLiteral("parameters")).toDouble();
        if (seconds > 0 && tokens > 0 && parameters > 0)
            rates.push_back(parameters * tokens / seconds);
    }
    return rates;
}

} // namespace ckptlab
