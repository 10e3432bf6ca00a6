#include "ingest/ResultFiles.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QSet>

#include <algorithm>

namespace ckptlab {

namespace {

std::optional<ResultFile::Kind> kindOf(const QFileInfo& info)
{
    const QString suffix = info.suffix().toLower();
    if (suffix == QLatin1String("csv"))
        return ResultFile::Kind::Csv;
    if (suffix == QLatin1String("tsv"))
        return ResultFile::Kind::Tsv;
    if (suffix == QLatin1String("json"))
        return ResultFile::Kind::LmEvalJson;
    return std::nullopt;
}

} // namespace

Outcome<QVector<ResultFile>> collectResultFiles(const QStringList& filesOrDirs)
{
    using Out = Outcome<QVector<ResultFile>>;
    QVector<ResultFile> files;
    QSet<QString> seen;
    const auto add = [&](const QFileInfo& info, ResultFile::Kind kind, const QString& sourceName, bool scanned) {
        const QString canonical = info.canonicalFilePath();
        if (seen.contains(canonical))
            return;
        seen.insert(canonical);
        files << ResultFile{info.absoluteFilePath(), sourceName, kind, scanned};
    };

    if (filesOrDirs.isEmpty())
        return Out::failure(QStringLiteral("No results files were given."));
    for (const QString& entry : filesOrDirs) {
        const QFileInfo info(entry);
        if (!info.exists())
            return Out::failure(QStringLiteral("%1: no such file or folder.").arg(entry));
        if (info.isFile()) {
            const auto kind = kindOf(info);
            if (!kind)
                return Out::failure(QStringLiteral("%1: not a results file (expected .csv, .tsv or .json).").arg(entry));
            add(info, *kind, info.fileName(), false);
            continue;
        }
        const QDir root(info.absoluteFilePath());
        const QDir base = QFileInfo(root.absolutePath()).dir();
        QStringList found;
        QDirIterator it(root.absolutePath(), {QStringLiteral("*.csv"), QStringLiteral("*.tsv"), QStringLiteral("*.json")},
                        QDir::Files | QDir::Readable, QDirIterator::Subdirectories);
        while (it.hasNext())
            found << it.next();
        found.erase(std::remove_if(found.begin(), found.end(), [](const QString& p) { return !kindOf(QFileInfo(p)); }),
                    found.end());
        if (found.isEmpty())
            return Out::failure(QStringLiteral("%1: the folder holds no .csv, .tsv or .json files.").arg(entry));
        std::sort(found.begin(), found.end());
        for (const QString& path : found) {
            const QFileInfo file(path);
            add(file, *kindOf(file), base.relativeFilePath(file.absoluteFilePath()), true);
        }
    }
    return files;
}

} // namespace ckptlab
