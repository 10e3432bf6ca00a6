#include "jobs/RunExecutor.h"

#include "common/HumanUnits.h"

#include "engine/LoadedCheckpoint.h"
#include "engine/eval/TaskSpec.h"
#include "jobs/EvalCells.h"
#include "jobs/EvalResultWriter.h"
#include "jobs/RunSpec.h"
#include "project/ProjectWriter.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <memory>
#include <optional>

namespace ckptlab {

namespace {

constexpr double kTrainingShare = 0.7; // of a fine-tuning run's progress bar

// Reports progress to the caller, and to the run row at most once a second.
class ProgressSink {
public:
    ProgressSink(const Project& project, const RunRecord& run, const QString& device,
                 const std::function<void(const RunProgress&)>& callback, RunControl& control)
        : m_store(project.database())
        , m_callback(callback)
        , m_control(control)
    {
        m_progress.runId = run.id;
        m_progress.title = run.title;
        m_progress.device = device;
        m_lastSaved.start();
    }

    RunProgress& progress() { return m_progress; }
    QVector<double>& lossCurve() { return m_lossCurve; }

    void report(bool saveNow = false)
    {
        if (m_callback)
            m_callback(m_progress);
        if (saveNow || m_lastSaved.elapsed() >= 1000) {
            m_store.updateProgress(m_progress.runId, m_progress.fraction, m_progress.detail, m_lossCurve);
            m_lastSaved.restart();
        }
    }

    // Holds here while paused: the step in flight has finished, the next one waits.
    void holdWhilePaused()
    {
        if (!m_control.paused.load() || m_control.cancel.load())
            return;
        m_progress.paused = true;
        const QString detail = m_progress.detail;
        m_progress.detail = QStringLiteral("paused · ") + detail;
        report(true);
        while (m_control.paused.load() && !m_control.cancel.load())
            QThread::msleep(50);
        m_progress.paused = false;
        m_progress.detail = detail;
        report(true);
    }

private:
    RunStore m_store;
    std::function<void(const RunProgress&)> m_callback;
    RunControl& m_control;
    RunProgress m_progress;
    QVector<double> m_lossCurve;
    QElapsedTimer m_lastSaved;
};

struct ParsedEvaluation {
    engine::TaskSpec spec;
    EvalSuiteEntry entry;
};

engine::TrainConfig trainConfig(const FineTuneSettings& s, const QString& statePath)
{
    engine::TrainConfig c;
    c.epochs = s.epochs;
    c.learningRate = s.learningRate;
    c.effectiveBatch = s.batchSize;
    c.microBatch = s.microBatch;
    c.warmupRatio = s.warmupRatio;
    c.weightDecay = s.weightDecay;
    c.maxLength = s.maxLength;
    c.seed = uint64_t(s.seed);
    c.autocastBf16 = true; // only takes effect for float32 models on CUDA
    c.statePath = statePath.toStdString();
    c.saveStateEverySteps = s.saveStateEverySteps;
    c.gradientCheckpointing = s.gradientCheckpointing;
    return c;
}

} // namespace

QString projectRunsFolder(const Project& project)
{
    const QFileInfo file(project.path());
    return file.absoluteDir().filePath(file.completeBaseName() + QStringLiteral(".runs"));
}

namespace {

// One run from its spec to its final state, in named steps. Every step that fails ends the
// run through finish(), which records the state, error and stats on the run row.
class RunExecution {
public:
    RunExecution(const Project& project, const RunRecord& run, const QString& device,
                 const std::function<void(const RunProgress&)>& progress, RunControl& control)
        : m_project(project), m_run(run), m_device(device), m_progressCallback(progress), m_control(control),
          m_sink(project, run, device, progress, control), m_store(project.database())
    {
        m_clock.start();
        m_outcome.runId = run.id;
        m_outcome.title = run.title;
    }

    RunOutcome execute()
    {
        if (!readSpecs())
            return m_outcome;
        m_sink.progress().evaluations = m_spec->evaluationCount();
        try {
            if (!loadTrainAndEvaluate())
                return m_outcome;
        } catch (const engine::EvalCancelled&) {
            return finish(RunState::Cancelled, QStringLiteral("cancelled while evaluating"));
        } catch (const std::exception& e) {
            return finish(RunState::Failed, QString::fromStdString(e.what()));
        }
        return writeResults();
    }

private:
    RunProgress& p() { return m_sink.progress(); }
    QString runFolder() const { return QDir(projectRunsFolder(m_project)).filePath(QStringLiteral("run-%1").arg(m_run.id)); }
    QString statePath() const { return QDir(runFolder()).filePath(QStringLiteral("trainer_state.pt")); }

    RunOutcome finish(RunState state, const QString& error)
    {
        m_outcome.state = state;
        m_outcome.error = error;
        m_outcome.seconds = m_clock.elapsed() / 1000.0;
        m_outcome.lossCurve = m_sink.lossCurve();
        if (Status s = m_store.finish(m_run.id, state, error, statsJson(), m_sink.lossCurve()); !s && m_outcome.error.isEmpty())
            m_outcome.error = s.error();
        return m_outcome;
    }

    QString statsJson() const { return QString::fromUtf8(QJsonDocument(m_stats).toJson(QJsonDocument::Compact)); }

    // Every task spec is read before anything heavy runs: a bad file fails the run at once.
    bool readSpecs()
    {
        const auto spec = RunSpec::fromJson(QJsonDocument::fromJson(m_run.spec.toUtf8()).object(),
                                            QStringLiteral("run %1").arg(m_run.id));
        if (!spec) {
            finish(RunState::Failed, spec.error());
            return false;
        }
        m_spec = spec.value();
        try {
            if (m_spec->fineTune)
                m_trainSpec = engine::parseTaskSpec(m_spec->fineTune->specPath.toStdString());
            for (const EvalSuiteEntry& e : m_spec->evaluations)
                m_evaluations.push_back({engine::parseTaskSpec(e.specPath.toStdString()), e});
        } catch (const std::exception& e) {
            finish(RunState::Failed, QString::fromStdString(e.what()));
            return false;
        }
        return true;
    }

    bool loadTrainAndEvaluate()
    {
        p().phase = RunPhase::Loading;
        p().detail = QStringLiteral("loading %1").arg(m_spec->checkpoint.path);
        m_sink.report(true);
        engine::LoadedCheckpoint model(m_spec->checkpoint.path.toStdString(), m_spec->dtype.toStdString(),
                                       m_device.toStdString());
        m_stats.insert(QStringLiteral("parameters"), double(model.parameterCount()));
        if (m_spec->fineTune && !fineTune(model))
            return false;
        return evaluateSuite(model);
    }

    bool fineTune(engine::LoadedCheckpoint& model)
    {
        if (!QDir().mkpath(runFolder())) {
            finish(RunState::Failed, QStringLiteral("%1: cannot create the run folder").arg(runFolder()));
            return false;
        }
        m_store.setOutputDir(m_run.id, runFolder());
        p().phase = RunPhase::Training;
        const engine::FineTuneOutcome trained = model.fineTune(
            m_trainSpec, m_spec->fineTune->format.toStdString(), trainConfig(*m_spec->fineTune, statePath()),
            [this](const engine::TrainProgress& t) { onTrainingStep(t); }, &m_control.cancel, m_spec->fineTune->trainLimit);
        recordTraining(trained);
        const engine::TrainReport& r = trained.report;
        if (r.cancelled) {
            finish(RunState::Cancelled, QStringLiteral("cancelled at step %1 of %2; the training state is saved, "
                                                       "so a retry resumes there").arg(r.steps).arg(r.totalSteps));
            return false;
        }
        if (m_spec->fineTune->saveWeights) {
            const QString modelFolder = QDir(runFolder()).filePath(QStringLiteral("model"));
            p().phase = RunPhase::Saving;
            p().detail = QStringLiteral("saving the fine-tuned model to %1").arg(modelFolder);
            m_sink.report(true);
            model.save(modelFolder.toStdString());
            m_stats.insert(QStringLiteral("model_folder"), modelFolder);
        }
        return true;
    }

    void onTrainingStep(const engine::TrainProgress& t)
    {
        m_sink.lossCurve().push_back(t.loss);
        RunProgress& pr = p();
        pr.step = t.step;
        pr.totalSteps = t.totalSteps;
        pr.epoch = t.epoch;
        pr.loss = t.loss;
        pr.learningRate = t.learningRate;
        pr.tokensPerSecond = t.tokensPerSecond;
        pr.fraction = kTrainingShare * t.step / std::max(1, t.totalSteps);
        pr.etaSeconds = t.etaSeconds / kTrainingShare;
        pr.detail = QStringLiteral("step %1/%2 · epoch %3 · loss %4 · %5 tok/s · ETA %6")
                        .arg(t.step)
                        .arg(t.totalSteps)
                        .arg(t.epoch)
                        .arg(t.loss, 0, 'f', 4)
                        .arg(t.tokensPerSecond, 0, 'f', 0)
                        .arg(humanDuration(pr.etaSeconds));
        m_sink.report();
        m_sink.holdWhilePaused();
    }

    void recordTraining(const engine::FineTuneOutcome& trained)
    {
        const engine::TrainReport& r = trained.report;
        m_sink.lossCurve() = QVector<double>(r.losses.begin(), r.losses.end());
        m_stats.insert(QStringLiteral("train_tokens"), double(r.tokens));
        m_stats.insert(QStringLiteral("train_seconds"), r.seconds);
        m_stats.insert(QStringLiteral("steps"), r.steps);
        m_stats.insert(QStringLiteral("examples"), double(trained.examples));
        m_stats.insert(QStringLiteral("truncated"), r.truncated);
        m_stats.insert(QStringLiteral("oom_retries"), r.outOfMemoryRetries);
        m_stats.insert(QStringLiteral("micro_batch"), r.finalMicroBatch);
        m_stats.insert(QStringLiteral("resumed_from_step"), r.resumedFromStep);
    }

    bool evaluateSuite(engine::LoadedCheckpoint& model)
    {
        p().phase = RunPhase::Evaluating;
        const double evalStart = m_spec->fineTune ? kTrainingShare : 0.0;
        int index = 0;
        for (const ParsedEvaluation& e : m_evaluations) {
            for (const EvalCell& cell : evalCells(e.entry.formats, e.entry.shots, QString::fromStdString(e.spec.defaultFormat))) {
                if (m_control.cancel.load()) {
                    finish(RunState::Cancelled, QStringLiteral("cancelled while evaluating"));
                    return false;
                }
                p().evaluation = ++index;
                const QString what = QStringLiteral("%1 · %2 · %3-shot").arg(e.entry.taskName, cell.format).arg(cell.shots);
                const auto onBatch = [&](const EvalCellProgress& ep) {
                    RunProgress& pr = p();
                    pr.fraction = evalStart + (1.0 - evalStart) * (index - 1 + ep.fraction()) / std::max(1, pr.evaluations);
                    pr.detail = QStringLiteral("evaluating %1/%2: %3 · %4/%5 items")
                                    .arg(index).arg(pr.evaluations).arg(what).arg(ep.done).arg(ep.total);
                    m_sink.report();
                    m_sink.holdWhilePaused();
                };
                m_results.push_back({&e, evaluateCell(model, e.spec, cell, e.entry.limit, 0, onBatch, &m_control.cancel)});
            }
        }
        return true;
    }

    // Results, predictions and the run's final state: all of them, or none.
    RunOutcome writeResults()
    {
        p().phase = RunPhase::Writing;
        p().detail = QStringLiteral("writing %1 evaluation(s)").arg(m_results.size());
        m_sink.report(true);
        m_stats.insert(QStringLiteral("seconds"), m_clock.elapsed() / 1000.0);
        ProjectWriter writer(m_project.database());
        const auto writeFailed = [&](const QString& message) {
            writer.rollback();
            m_outcome.resultsWritten = 0;
            return finish(RunState::Failed, QStringLiteral("writing the results failed: %1").arg(message));
        };
        if (Status s = writer.begin(); !s)
            return writeFailed(s.error());
        int written = 0;
        if (Status s = writeRows(writer, &written); !s)
            return writeFailed(s.error());
        m_stats.insert(QStringLiteral("results"), written);
        if (Status s = m_store.finish(m_run.id, RunState::Done, QString(), statsJson(), m_sink.lossCurve()); !s)
            return writeFailed(s.error());
        if (Status s = writer.commit(); !s)
            return writeFailed(s.error());
        QFile::remove(statePath()); // the run is complete: its resumable state is no longer needed
        m_outcome.resultsWritten = written;
        m_outcome.state = RunState::Done;
        m_outcome.seconds = m_clock.elapsed() / 1000.0;
        m_outcome.lossCurve = m_sink.lossCurve();
        p().phase = RunPhase::Finished;
        p().fraction = 1.0;
        p().detail = QStringLiteral("done: %1 result(s) in %2").arg(written).arg(humanDuration(m_outcome.seconds));
        if (m_progressCallback)
            m_progressCallback(p());
        return m_outcome;
    }

    Status writeRows(ProjectWriter& writer, int* written)
    {
        const auto checkpointId = writer.checkpoint(m_spec->checkpoint);
        if (!checkpointId)
            return Status::failure(checkpointId.error());
        RowId recipeId = kBaseRecipe;
        QString modelRef = QStringLiteral("%1@%2").arg(m_spec->checkpoint.series, m_spec->checkpoint.label);
        if (m_spec->fineTune) {
            const auto recipe = writer.recipe(m_spec->fineTune->recipe());
            if (!recipe)
                return Status::failure(recipe.error());
            recipeId = recipe.value();
            modelRef += QStringLiteral(" + ") + m_spec->fineTune->recipe().label();
        }
        for (const auto& [evaluation, result] : m_results)
            if (Status s = writeEvalResult(writer, checkpointId.value(), recipeId, modelRef, evaluation->spec, result, written); !s)
                return s;
        return success();
    }

    const Project& m_project;
    const RunRecord& m_run;
    QString m_device;
    std::function<void(const RunProgress&)> m_progressCallback;
    RunControl& m_control;
    ProgressSink m_sink;
    RunStore m_store;
    QElapsedTimer m_clock;
    RunOutcome m_outcome;
    std::optional<RunSpec> m_spec;
    engine::TaskSpec m_trainSpec;
    QVector<ParsedEvaluation> m_evaluations;
    std::vector<QPair<const ParsedEvaluation*, engine::EvalResult>> m_results;
    QJsonObject m_stats;
};

} // namespace

RunOutcome executeRun(const Project& project, const RunRecord& run, const QString& device,
                      const std::function<void(const RunProgress&)>& progress, RunControl& control)
{
    return RunExecution(project, run, device, progress, control).execute();
}

} // namespace ckptlab
