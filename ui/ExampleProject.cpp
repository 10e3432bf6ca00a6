#include "ExampleProject.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>

namespace ckptlab::example {

namespace {
QString dataFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/example");
}
} // namespace

QString projectPath()
{
    return dataFolder() + QStringLiteral("/amuro-char-example.ckptlab");
}

QStringList dataFiles(QString* error)
{
    const QString folder = dataFolder();
    if (!QDir().mkpath(folder)) {
        *error = QObject::tr("Cannot create %1 for the example project.").arg(folder);
        return {};
    }
    QStringList files;
    for (const char* name : {"all_perf_table.csv", "official_eval_table.csv"}) {
        const QString target = folder + QLatin1Char('/') + QLatin1String(name);
        if (!QFile::exists(target)) {
            const QString source = QStringLiteral(":/ckptlab/example/") + QLatin1String(name);
            if (!QFile::copy(source, target)) {
                *error = QObject::tr("Cannot copy the bundled %1 to %2.").arg(QLatin1String(name), target);
                return {};
            }
            QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
        }
        files << target;
    }
    return files;
}

} // namespace ckptlab::example
