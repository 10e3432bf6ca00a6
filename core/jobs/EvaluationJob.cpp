#include "jobs/EvaluationJob.h"

#include "engine/LoadedCheckpoint.h"
#include "jobs/EvalResultWriter.h"
#include "engine/eval/TaskData.h"
#include "engine/eval/TaskSpec.h"
#include "project/ProjectWriter.h"

#include <QElapsedTimer>
#include <QFileInfo>

namespace ckptlab {

namespace {

QString checkpointName(const CheckpointInfo& c)
{
    return QStringLiteral("%1 %2").arg(c.series, c.label);
}

// One finished evaluation in its own transaction.
Status writeEvaluation(const Project& project, const CheckpointInfo& checkpoint, const engine::TaskSpec& spec,
                       const engine::EvalResult& result, int* written)
{
    ProjectWriter writer(project.database());
    if (Status s = writer.begin(); !s)
        return s;
    const auto checkpointId = writer.checkpoint(checkpoint);
    if (!checkpointId)
        return Status::failure(checkpointId.error());
    const QString modelRef = QStringLiteral("%1@%2").arg(checkpoint.series, checkpoint.label);
    if (Status s = writeEvalResult(writer, checkpointId.value(), kBaseRecipe, modelRef, spec, result, written); !s)
        return s;
    return writer.commit();
}

} // namespace

QString EvaluationReport::summary() const
{
    QString text = QStringLiteral("%1 evaluation(s) done, %2 result(s) written%3.")
                       .arg(evaluationsDone)
                       .arg(resultsWritten)
                       .arg(cancelled ? QStringLiteral("; stopped on request, finished ones kept") : QString());
    for (const QString& f : failures)
        text += QStringLiteral("\n  failed: %1").arg(f);
    return text;
}

Outcome<EvaluationReport> runEvaluation(const Project& project, const EvaluationPlan& plan,
                                        const std::function<void(const EvaluationProgress&)>& progress,
                                        const std::atomic<bool>* cancel)
{
    using Out = Outcome<EvaluationReport>;
    engine::TaskSpec spec;
    try {
        spec = engine::parseTaskSpec(plan.taskSpecPath.toStdString());
        // Read and check the data once up front: bad data fails the plan before anything runs.
        engine::loadTask(spec, false);
    } catch (const std::exception& e) {
        return Out::failure(QString::fromStdString(e.what()));
    }
    QStringList formats = plan.formats;
    if (formats.isEmpty())
        formats << QString::fromStdString(spec.defaultFormat);
    for (const QString& f : formats)
        if (!spec.formats.count(f.toStdString()))
            return Out::failure(QStringLiteral("%1: the task has no prompt format \"%2\"").arg(plan.taskSpecPath, f));

    EvaluationReport report;
    const int evaluations = int(plan.checkpoints.size() * formats.size() * plan.shots.size());
    int index = 0;
    QElapsedTimer clock;
    clock.start();
    for (const CheckpointInfo& checkpoint : plan.checkpoints) {
        if (cancel && cancel->load()) {
            report.cancelled = true;
            break;
        }
        std::unique_ptr<engine::LoadedCheckpoint> evaluator;
        try {
            evaluator = std::make_unique<engine::LoadedCheckpoint>(checkpoint.path.toStdString(),
                                                                      plan.dtype.toStdString(), plan.device.toStdString());
        } catch (const std::exception& e) {
            report.failures << QStringLiteral("%1: %2").arg(checkpointName(checkpoint), QString::fromStdString(e.what()));
            index += int(formats.size() * plan.shots.size());
            continue;
        }
        for (const QString& format : formats) {
            for (int shots : plan.shots) {
                engine::EvalRequest request;
                request.format = format.toStdString();
                request.shots = shots;
                request.limit = plan.limit;
                request.batchSize = plan.batchSize;
                auto report_progress = [&](const engine::EvalProgress& p) {
                    if (!progress)
                        return;
                    EvaluationProgress out{checkpointName(checkpoint), format, shots, index, evaluations,
                                           p.done, p.total, p.itemsPerSecond, -1.0};
                    const double fraction = (index + (p.total > 0 ? double(p.done) / p.total : 0.0)) / evaluations;
                    if (fraction > 0)
                        out.etaSeconds = clock.elapsed() / 1000.0 * (1.0 - fraction) / fraction;
                    progress(out);
                };
                try {
                    const engine::EvalResult result = evaluator->evaluate(spec, request, report_progress, cancel);
                    if (Status s = writeEvaluation(project, checkpoint, spec, result, &report.resultsWritten); !s)
                        return Out::failure(s.error());
                    ++report.evaluationsDone;
                } catch (const engine::EvalCancelled&) {
                    report.cancelled = true;
                    return report;
                } catch (const std::exception& e) {
                    report.failures << QStringLiteral("%1 (%2, %3-shot): %4")
                                           .arg(checkpointName(checkpoint), format)
                                           .arg(shots)
                                           .arg(QString::fromStdString(e.what()));
                }
                ++index;
            }
        }
    }
    return report;
}

} // namespace ckptlab
