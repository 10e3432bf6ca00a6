#pragma once

// Recognises checkpoint folders on disk from their files and headers alone (no weights are
// read): Hugging Face folders (config.json + model.safetensors, or sharded shards with
// model.safetensors.index.json), pickled pytorch_model.bin (listed, never unpickled), and OLMo
// native folders (config.yaml + model.pt). A dropped folder is one checkpoint or the parent of
// many (pythia-160m/step1000, .../step2000, OLMo step738000-tokens3095B, Trainer checkpoint-1500).

#include "common/Outcome.h"
#include "project/Project.h"
#include "project/ProjectTypes.h"

#include <QStringList>
#include <QVector>

#include <functional>

namespace ckptlab {

namespace checkpoint_status {
inline QString ok() { return QStringLiteral("ok"); }
inline QString needsConversion() { return QStringLiteral("needs conversion"); }
inline QString broken() { return QStringLiteral("broken"); }
inline QString missing() { return QStringLiteral("missing"); }
} // namespace checkpoint_status

struct RejectedFolder {
    QString path;
    QString reason;
};

struct CheckpointScan {
    QVector<CheckpointInfo> checkpoints;   // status, statusDetail and the header facts filled in
    QVector<RejectedFolder> rejected;      // folders looked at that hold no checkpoint
};

// progress(done, total) per folder examined; returning false stops the scan.
CheckpointScan scanCheckpointFolders(const QStringList& paths, const std::function<bool(int, int)>& progress = {});

// True when the folder itself looks like a checkpoint (has a config and weights).
bool looksLikeCheckpointFolder(const QString& path);
// True when the path or one of its immediate subfolders looks like a checkpoint: what a drop
// of a folder of checkpoints (rather than of results files) looks like.
bool containsCheckpointFolders(const QString& path);

struct CheckpointScanReport {
    int recorded = 0;
    int ok = 0;
    int needsConversion = 0;
    int broken = 0;
    QVector<RejectedFolder> rejected;
    QString summary() const;
};

// Records the scanned checkpoints in the project, in one transaction. Idempotent.
Outcome<CheckpointScanReport> recordCheckpointScan(const Project& project, const CheckpointScan& scan);

} // namespace ckptlab
