#include "jobs/CheckpointScanner.h"

#include "jobs/CheckpointFolder.h"
#include "ingest/ModelIdParser.h"
#include "project/ProjectWriter.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <limits>

namespace ckptlab {

namespace {

constexpr int kMaxDepth = 2; // a dropped folder, its children and grandchildren

QStringList subfolders(const QString& path)
{
    QDir dir(path);
    QStringList names = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    // Step order (step2000 before step10000), then names; QCollator's numeric mode needs ICU.
    auto stepOf = [](const QString& name) {
        const auto revision = parseRevision(name);
        return revision && revision->step ? *revision->step : std::numeric_limits<qint64>::max();
    };
    std::stable_sort(names.begin(), names.end(), [&](const QString& a, const QString& b) { return stepOf(a) < stepOf(b); });
    QStringList paths;
    for (const QString& n : names)
        paths << dir.filePath(n);
    return paths;
}

QString rejectionReason(const QString& path)
{
    return QStringLiteral("%1: not a checkpoint (no config.json with model.safetensors, shards, or pytorch_model.bin, and "
                          "no config.yaml with model.pt)")
        .arg(QDir::toNativeSeparators(path));
}

// Collects checkpoint folders at or under path; returns true when any was found.
bool collect(const QString& path, int depth, QStringList& found, QVector<RejectedFolder>& rejected)
{
    if (detectCheckpointLayout(path) != CheckpointLayout::None) {
        found << path;
        return true;
    }
    if (depth >= kMaxDepth)
        return false;
    bool any = false;
    QVector<RejectedFolder> rejectedHere;
    for (const QString& child : subfolders(path)) {
        if (collect(child, depth + 1, found, rejected))
            any = true;
        else if (depth == 0)
            rejectedHere.push_back({child, rejectionReason(child)});
    }
    // Sibling folders of checkpoints that are not checkpoints (logs/, eval/) are worth a line;
    // deeper ones are noise.
    if (any)
        rejected += rejectedHere;
    return any;
}

} // namespace

bool looksLikeCheckpointFolder(const QString& path)
{
    return detectCheckpointLayout(path) != CheckpointLayout::None;
}

bool containsCheckpointFolders(const QString& path)
{
    if (!QFileInfo(path).isDir())
        return false;
    if (looksLikeCheckpointFolder(path))
        return true;
    for (const QString& child : subfolders(path))
        if (looksLikeCheckpointFolder(child))
            return true;
    return false;
}

CheckpointScan scanCheckpointFolders(const QStringList& paths, const std::function<bool(int, int)>& progress)
{
    CheckpointScan scan;
    QStringList folders;
    for (const QString& path : paths) {
        const QFileInfo info(path);
        if (!info.exists()) {
            scan.rejected.push_back({path, QStringLiteral("%1: no such folder").arg(path)});
        } else if (!info.isDir()) {
            scan.rejected.push_back({path, QStringLiteral("%1: a file, not a checkpoint folder").arg(path)});
        } else if (!collect(info.absoluteFilePath(), 0, folders, scan.rejected)) {
            scan.rejected.push_back({path, rejectionReason(path)});
        }
    }
    folders.removeDuplicates();
    for (int i = 0; i < folders.size(); ++i) {
        if (progress && !progress(i, folders.size()))
            break;
        scan.checkpoints.push_back(readCheckpointFolder(folders[i], detectCheckpointLayout(folders[i])));
    }
    if (progress)
        progress(folders.size(), folders.size());
    return scan;
}

QString CheckpointScanReport::summary() const
{
    QString text = QStringLiteral("%1 checkpoint(s): %2 ok, %3 need conversion, %4 broken.")
                       .arg(recorded)
                       .arg(ok)
                       .arg(needsConversion)
                       .arg(broken);
    if (!rejected.isEmpty())
        text += QStringLiteral(" %1 folder(s) rejected.").arg(rejected.size());
    return text;
}

Outcome<CheckpointScanReport> recordCheckpointScan(const Project& project, const CheckpointScan& scan)
{
    CheckpointScanReport report;
    report.rejected = scan.rejected;
    ProjectWriter writer(project.database());
    if (Status s = writer.begin(); !s)
        return Outcome<CheckpointScanReport>::failure(s.error());
    for (const CheckpointInfo& c : scan.checkpoints) {
        if (auto id = writer.scannedCheckpoint(c); !id)
            return Outcome<CheckpointScanReport>::failure(id.error());
        ++report.recorded;
        if (c.status == checkpoint_status::ok())
            ++report.ok;
        else if (c.status == checkpoint_status::needsConversion())
            ++report.needsConversion;
        else
            ++report.broken;
    }
    if (Status s = writer.commit(); !s)
        return Outcome<CheckpointScanReport>::failure(s.error());
    return report;
}

} // namespace ckptlab
