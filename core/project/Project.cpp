#include "project/Project.h"

#include "project/Schema.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QVariant>

namespace ckptlab {

Outcome<Project> Project::open(const QString& path, Mode mode)
{
    const QFileInfo info(path);
    if (mode == Mode::OpenExisting && !info.exists())
        return Outcome<Project>::failure(QStringLiteral("%1: no such file.").arg(path));
    if (info.exists() && !info.isFile())
        return Outcome<Project>::failure(QStringLiteral("%1 is not a file.").arg(path));
    if (!info.exists() && !QFileInfo(info.absolutePath()).isDir())
        return Outcome<Project>::failure(QStringLiteral("%1: the folder %2 does not exist.").arg(path, info.absolutePath()));

    Project project(info.absoluteFilePath());
    const Status prepared = [&]() -> Status {
        QSqlDatabase db = project.database();
        if (!db.isOpen())
            return Status::failure(QStringLiteral("%1: cannot open: %2").arg(path, db.lastError().text()));
        if (Status s = schema::migrate(db, path); !s)
            return s;
        return configure(db, path);
    }();
    if (!prepared) {
        project.closeThreadConnection();
        return Outcome<Project>::failure(prepared.error());
    }
    return project;
}

QString Project::connectionName() const
{
    const QByteArray pathHash = QCryptographicHash::hash(m_path.toUtf8(), QCryptographicHash::Sha1).toHex().left(12);
    return QStringLiteral("ckptlab-%1-%2")
        .arg(QString::fromLatin1(pathHash))
        .arg(quintptr(QThread::currentThreadId()), 0, 16);
}

QSqlDatabase Project::database() const
{
    const QString name = connectionName();
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (db.open()) {
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA foreign_keys = ON"));
        // Only an existing ckptlab project gets WAL here; a new file gets it after migration.
        if (q.exec(QStringLiteral("PRAGMA application_id")) && q.next() && q.value(0).toInt() == schema::kApplicationId)
            configure(db, m_path);
    }
    return db;
}

Status Project::configure(QSqlDatabase& db, const QString& path)
{
    QSqlQuery q(db);
    for (const char* pragma : {"PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"}) {
        if (!q.exec(QString::fromLatin1(pragma)))
            return Status::failure(QStringLiteral("%1: %2 failed: %3").arg(path, QLatin1String(pragma), q.lastError().text()));
    }
    return success();
}

void Project::closeThreadConnection() const
{
    const QString name = connectionName();
    if (!QSqlDatabase::contains(name))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

void Project::closeThreadConnections()
{
    const QString suffix = QStringLiteral("-%1").arg(quintptr(QThread::currentThreadId()), 0, 16);
    for (const QString& name : QSqlDatabase::connectionNames()) {
        if (!name.startsWith(QLatin1String("ckptlab-")) || !name.endsWith(suffix))
            continue;
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
}

bool Project::integrityOk() const
{
    QSqlQuery q(database());
    return q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next() && q.value(0).toString() == QLatin1String("ok");
}

} // namespace ckptlab
