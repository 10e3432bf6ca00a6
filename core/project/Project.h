#pragma once

#include "common/Outcome.h"

#include <QSqlDatabase>
#include <QString>

namespace ckptlab {

// One project = one SQLite file. A Project value is cheap to copy and safe to hand to another
// thread: each thread that calls database() gets its own connection to the same file.
class Project {
public:
    enum class Mode { OpenExisting, CreateIfMissing };

    // Opens (and if needed creates and migrates) the project file. A file that is not a
    // ckptlab project, or one from a newer schema, is refused and left untouched.
    static Outcome<Project> open(const QString& path, Mode mode = Mode::CreateIfMissing);

    QString path() const { return m_path; }

    // This thread's connection, opened with WAL and foreign keys on first use.
    QSqlDatabase database() const;
    // Closes this thread's connection; worker threads call it before they finish.
    void closeThreadConnection() const;
    // Closes every project connection the calling thread opened (jobs/JobTracker calls it
    // when a job ends, so pooled threads never keep a file open).
    static void closeThreadConnections();

    // PRAGMA integrity_check == "ok"
    bool integrityOk() const;

private:
    explicit Project(QString path) : m_path(std::move(path)) {}
    QString connectionName() const;
    static Status configure(QSqlDatabase& db, const QString& path);

    QString m_path;
};

} // namespace ckptlab
