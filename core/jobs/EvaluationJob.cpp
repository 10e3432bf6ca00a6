#include "jobs/EvaluationJob.h"

#include "engine/LoadedCheckpoint.h"
#include "jobs/EvalCells.h"
#include "jobs/EvalResultWriter.h"
#include "engine/eval/TaskData.h"
#include "engine/eval/TaskSpec.h"
#include "project/ProjectWriter.h"

#include <QElapsedTimer>
#include <QFileInfo>

#include <memory>

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
    if (Status s = writeEvaluation(writer, checkpointId.value(), kBaseRecipe, modelRef, evaluationValues(spec, result), written); !s)
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

namespace {

// The task spec and its data, read and checked once before anything runs.
Outcome<engine::TaskSpec> readTask(const EvaluationPlan& plan, QVector<EvalCell>* cells)
{
    engine::TaskSpec spec;
    try {
        spec = engine::parseTaskSpec(plan.taskSpecPath.toStdString());
        engine::loadTask(spec, false);
    } catch (const std::exception& e) {
        return Outcome<engine::TaskSpec>::failure(QString::fromStdString(e.what()));
    }
    *cells = evalCells(plan.formats, plan.shots, QString::fromStdString(spec.defaultFormat));
    for (const EvalCell& cell : *cells)
        if (!spec.formats.count(cell.format.toStdString()))
            return Outcome<engine::TaskSpec>::failure(
                QStringLiteral("%1: the task has no prompt format \"%2\"").arg(plan.taskSpecPath, cell.format));
    return spec;
}

// Evaluates one checkpoint in every cell; false when the caller must stop (cancel, write error).
class CheckpointEvaluation {
public:
    CheckpointEvaluation(const Project& project, const EvaluationPlan& plan, const engine::TaskSpec& spec,
                         const QVector<EvalCell>& cells, const std::function<void(const EvaluationProgress&)>& progress,
                         const std::atomic<bool>* cancel, EvaluationReport& report)
        : m_project(project), m_plan(plan), m_spec(spec), m_cells(cells), m_progress(progress), m_cancel(cancel),
          m_report(report)
    {
        m_clock.start();
    }

    // Outcome: true to go on, false when stopped; a failure when writing failed.
    Outcome<bool> run(const CheckpointInfo& checkpoint, int* index)
    {
        std::unique_ptr<engine::LoadedCheckpoint> model;
        try {
            model = std::make_unique<engine::LoadedCheckpoint>(checkpoint.path.toStdString(), m_plan.dtype.toStdString(),
                                                               m_plan.device.toStdString());
        } catch (const std::exception& e) {
            m_report.failures << QStringLiteral("%1: %2").arg(checkpointName(checkpoint), QString::fromStdString(e.what()));
            *index += int(m_cells.size());
            return true;
        }
        for (const EvalCell& cell : m_cells) {
            try {
                const engine::EvalResult result = evaluateCell(*model, m_spec, cell, m_plan.limit, m_plan.batchSize,
                                                               [&](const EvalCellProgress& p) { report(checkpoint, cell, *index, p); },
                                                               m_cancel);
                if (Status s = writeEvaluation(m_project, checkpoint, m_spec, result, &m_report.resultsWritten); !s)
                    return Outcome<bool>::failure(s.error());
                ++m_report.evaluationsDone;
            } catch (const engine::EvalCancelled&) {
                m_report.cancelled = true;
                return false;
            } catch (const std::exception& e) {
                m_report.failures << QStringLiteral("%1 (%2, %3-shot): %4")
                                         .arg(checkpointName(checkpoint), cell.format)
                                         .arg(cell.shots)
                                         .arg(QString::fromStdString(e.what()));
            }
            ++*index;
        }
        return true;
    }

private:
    void report(const CheckpointInfo& checkpoint, const EvalCell& cell, int index, const EvalCellProgress& p)
    {
        if (!m_progress)
            return;
        const int evaluations = int(m_plan.checkpoints.size() * m_cells.size());
        EvaluationProgress out{checkpointName(checkpoint), cell.format, cell.shots, index, evaluations,
                               p.done, p.total, p.itemsPerSecond, -1.0};
        const double fraction = (index + p.fraction()) / evaluations;
        if (fraction > 0)
            out.etaSeconds = m_clock.elapsed() / 1000.0 * (1.0 - fraction) / fraction;
        m_progress(out);
    }

    const Project& m_project;
    const EvaluationPlan& m_plan;
    const engine::TaskSpec& m_spec;
    const QVector<EvalCell>& m_cells;
    const std::function<void(const EvaluationProgress&)>& m_progress;
    const std::atomic<bool>* m_cancel;
    EvaluationReport& m_report;
    QElapsedTimer m_clock;
};

} // namespace

Outcome<EvaluationReport> runEvaluation(const Project& project, const EvaluationPlan& plan,
                                        const std::function<void(const EvaluationProgress&)>& progress,
                                        const std::atomic<bool>* cancel)
{
    QVector<EvalCell> cells;
    const auto spec = readTask(plan, &cells);
    if (!spec)
        return Outcome<EvaluationReport>::failure(spec.error());
    EvaluationReport report;
    CheckpointEvaluation evaluation(project, plan, spec.value(), cells, progress, cancel, report);
    int index = 0;
    for (const CheckpointInfo& checkpoint : plan.checkpoints) {
        if (cancel && cancel->load()) {
            report.cancelled = true;
            break;
        }
        const auto goOn = evaluation.run(checkpoint, &index);
        if (!goOn)
            return Outcome<EvaluationReport>::failure(goOn.error());
        if (!goOn.value())
            break;
    }
    return report;
}

} // namespace ckptlab
