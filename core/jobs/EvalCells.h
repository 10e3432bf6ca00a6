#pragma once

// One evaluation suite entry expands into cells (prompt format x shots); evaluating a cell is
// the same for a base checkpoint (jobs/EvaluationJob) and a fine-tuned one (jobs/RunExecutor).
// Engine types are only named here (jobs headers never include the engine).

#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <functional>

namespace ckptlab {

namespace engine {
class LoadedCheckpoint;
struct TaskSpec;
struct EvalResult;
} // namespace engine

struct EvalCell {
    QString format;
    int shots = 0;
};

// formats (the spec's default when empty) x shots, formats outer.
QVector<EvalCell> evalCells(const QStringList& formats, const QVector<int>& shots, const QString& defaultFormat);

struct EvalCellProgress {
    qint64 done = 0;
    qint64 total = 0;
    double itemsPerSecond = 0.0;
    double fraction() const { return total > 0 ? double(done) / double(total) : 0.0; }
};

// Throws what the engine throws (engine::EvalCancelled when `cancel` was set, EngineError).
engine::EvalResult evaluateCell(engine::LoadedCheckpoint& model, const engine::TaskSpec& spec, const EvalCell& cell,
                                qint64 limit, int batchSize, const std::function<void(const EvalCellProgress&)>& progress,
                                const std::atomic<bool>* cancel);

} // namespace ckptlab
