#include "jobs/RunExecutor.h"

#include "common/HumanUnits.h"

#include "engine/LoadedCheckpoint.h"
#include "engine/eval/TaskSpec.h"
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

RunOutcome executeRun(const Project& project, const RunRecord& run, const QString& device,
                      const std::function<void(const RunProgress&)>& progress, RunControl& control)
{
    QElapsedTimer clock;
    clock.start();
    RunOutcome outcome;
    outcome.runId = run.id;
    outcome.title = run.title;
    ProgressSink sink(project, run, device, progress, control);
    RunProgress& p = sink.progress();
    RunStore store(project.database());

    const auto finish = [&](const QString& state, const QString& error, const QJsonObject& stats = {}) {
        outcome.state = state;
        outcome.error = error;
        outcome.seconds = clock.elapsed() / 1000.0;
        outcome.lossCurve = sink.lossCurve();
        if (Status s = store.finish(run.id, state, error, QString::fromUtf8(QJsonDocument(stats).toJson(QJsonDocument::Compact)),
                                    sink.lossCurve());
            !s && outcome.error.isEmpty())
            outcome.error = s.error();
        return outcome;
    };

    const auto spec = RunSpec::fromJson(QJsonDocument::fromJson(run.spec.toUtf8()).object(), QStringLiteral("run %1").arg(run.id));
    if (!spec)
        return finish(RunState::Failed, spec.error());

    // Every task spec is read before anything heavy runs: a bad file fails the run at once.
    QVector<ParsedEvaluation> evaluations;
    engine::TaskSpec trainSpec;
    try {
        if (spec->fineTune)
            trainSpec = engine::parseTaskSpec(spec->fineTune->specPath.toStdString());
        for (const EvalSuiteEntry& e : spec->evaluations)
            evaluations.push_back({engine::parseTaskSpec(e.specPath.toStdString()), e});
    } catch (const std::exception& e) {
        return finish(RunState::Failed, QString::fromStdString(e.what()));
    }
    p.evaluations = spec->evaluationCount();

    const QString runFolder = QDir(projectRunsFolder(project)).filePath(QStringLiteral("run-%1").arg(run.id));
    const QString statePath = QDir(runFolder).filePath(QStringLiteral("trainer_state.pt"));
    const QString modelFolder = QDir(runFolder).filePath(QStringLiteral("model"));
    const double evalStart = spec->fineTune ? kTrainingShare : 0.0;
    QJsonObject stats;

    p.phase = RunPhase::Loading;
    p.detail = QStringLiteral("loading %1").arg(spec->checkpoint.path);
    sink.report(true);

    std::vector<QPair<const ParsedEvaluation*, engine::EvalResult>> results;
    try {
        engine::LoadedCheckpoint model(spec->checkpoint.path.toStdString(), spec->dtype.toStdString(), device.toStdString());
        stats.insert(QStringLiteral("parameters"), double(model.parameterCount()));
        if (spec->fineTune) {
            if (!QDir().mkpath(runFolder))
                return finish(RunState::Failed, QStringLiteral("%1: cannot create the run folder").arg(runFolder));
            store.setOutputDir(run.id, runFolder);
            p.phase = RunPhase::Training;
            const auto onStep = [&](const engine::TrainProgress& t) {
                sink.lossCurve().push_back(t.loss);
                p.step = t.step;
                p.totalSteps = t.totalSteps;
                p.epoch = t.epoch;
                p.loss = t.loss;
                p.learningRate = t.learningRate;
                p.tokensPerSecond = t.tokensPerSecond;
                p.fraction = kTrainingShare * t.step / std::max(1, t.totalSteps);
                p.etaSeconds = t.etaSeconds / kTrainingShare;
                p.detail = QStringLiteral("step %1/%2 · epoch %3 · loss %4 · %5 tok/s · ETA %6")
                               .arg(t.step)
                               .arg(t.totalSteps)
                               .arg(t.epoch)
                               .arg(t.loss, 0, 'f', 4)
                               .arg(t.tokensPerSecond, 0, 'f', 0)
                               .arg(humanDuration(p.etaSeconds));
                sink.report();
                sink.holdWhilePaused();
            };
            const engine::FineTuneOutcome trained = model.fineTune(
                trainSpec, spec->fineTune->format.toStdString(), trainConfig(*spec->fineTune, statePath), onStep,
                &control.cancel, spec->fineTune->trainLimit);
            const engine::TrainReport& r = trained.report;
            sink.lossCurve() = QVector<double>(r.losses.begin(), r.losses.end());
            stats.insert(QStringLiteral("train_tokens"), double(r.tokens));
            stats.insert(QStringLiteral("train_seconds"), r.seconds);
            stats.insert(QStringLiteral("steps"), r.steps);
            stats.insert(QStringLiteral("examples"), double(trained.examples));
            stats.insert(QStringLiteral("truncated"), r.truncated);
            stats.insert(QStringLiteral("oom_retries"), r.outOfMemoryRetries);
            stats.insert(QStringLiteral("micro_batch"), r.finalMicroBatch);
            stats.insert(QStringLiteral("resumed_from_step"), r.resumedFromStep);
            if (r.cancelled)
                return finish(RunState::Cancelled, QStringLiteral("cancelled at step %1 of %2; the training state is saved, "
                                                                  "so a retry resumes there")
                                                       .arg(r.steps)
                                                       .arg(r.totalSteps),
                              stats);
            if (spec->fineTune->saveWeights) {
                p.phase = RunPhase::Saving;
                p.detail = QStringLiteral("saving the fine-tuned model to %1").arg(modelFolder);
                sink.report(true);
                model.save(modelFolder.toStdString());
                stats.insert(QStringLiteral("model_folder"), modelFolder);
            }
        }

        p.phase = RunPhase::Evaluating;
        int index = 0;
        for (const ParsedEvaluation& e : evaluations) {
            QStringList formats = e.entry.formats;
            if (formats.isEmpty())
                formats << QString::fromStdString(e.spec.defaultFormat);
            for (const QString& format : formats) {
                for (int shots : e.entry.shots) {
                    if (control.cancel.load())
                        return finish(RunState::Cancelled, QStringLiteral("cancelled while evaluating"), stats);
                    ++index;
                    p.evaluation = index;
                    engine::EvalRequest request;
                    request.format = format.toStdString();
                    request.shots = shots;
                    request.limit = e.entry.limit;
                    const QString what = QStringLiteral("%1 · %2 · %3-shot").arg(e.entry.taskName, format).arg(shots);
                    const auto onBatch = [&](const engine::EvalProgress& ep) {
                        const double inner = ep.total > 0 ? double(ep.done) / double(ep.total) : 0.0;
                        p.fraction = evalStart + (1.0 - evalStart) * (index - 1 + inner) / std::max(1, p.evaluations);
                        p.detail = QStringLiteral("evaluating %1/%2: %3 · %4/%5 items")
                                       .arg(index)
                                       .arg(p.evaluations)
                                       .arg(what)
                                       .arg(ep.done)
                                       .arg(ep.total);
                        sink.report();
                        sink.holdWhilePaused();
                    };
                    results.push_back({&e, model.evaluate(e.spec, request, onBatch, &control.cancel)});
                }
            }
        }
    } catch (const engine::EvalCancelled&) {
        return finish(RunState::Cancelled, QStringLiteral("cancelled while evaluating"), stats);
    } catch (const std::exception& e) {
        return finish(RunState::Failed, QString::fromStdString(e.what()), stats);
    }

    p.phase = RunPhase::Writing;
    p.detail = QStringLiteral("writing %1 evaluation(s)").arg(results.size());
    sink.report(true);
    stats.insert(QStringLiteral("seconds"), clock.elapsed() / 1000.0);

    // Results, predictions and the run's final state: all of them, or none.
    ProjectWriter writer(project.database());
    const auto writeFailed = [&](const QString& message) {
        writer.rollback();
        return finish(RunState::Failed, QStringLiteral("writing the results failed: %1").arg(message), stats);
    };
    if (Status s = writer.begin(); !s)
        return writeFailed(s.error());
    const auto checkpointId = writer.checkpoint(spec->checkpoint);
    if (!checkpointId)
        return writeFailed(checkpointId.error());
    RowId recipeId = kBaseRecipe;
    QString modelRef = QStringLiteral("%1@%2").arg(spec->checkpoint.series, spec->checkpoint.label);
    if (spec->fineTune) {
        const auto recipe = writer.recipe(spec->fineTune->recipe());
        if (!recipe)
            return writeFailed(recipe.error());
        recipeId = recipe.value();
        modelRef += QStringLiteral(" + ") + spec->fineTune->recipe().label();
    }
    int written = 0;
    for (const auto& [evaluation, result] : results)
        if (Status s = writeEvalResult(writer, checkpointId.value(), recipeId, modelRef, evaluation->spec, result, &written); !s)
            return writeFailed(s.error());
    stats.insert(QStringLiteral("results"), written);
    outcome.resultsWritten = written;
    outcome.state = RunState::Done;
    outcome.seconds = clock.elapsed() / 1000.0;
    outcome.lossCurve = sink.lossCurve();
    if (Status s = store.finish(run.id, RunState::Done, QString(), QString::fromUtf8(QJsonDocument(stats).toJson(QJsonDocument::Compact)),
                                sink.lossCurve());
        !s)
        return writeFailed(s.error());
    if (Status s = writer.commit(); !s) {
        outcome.resultsWritten = 0;
        return finish(RunState::Failed, QStringLiteral("writing the results failed: %1").arg(s.error()), stats);
    }
    QFile::remove(statePath); // the run is complete: its resumable state is no longer needed
    p.phase = RunPhase::Finished;
    p.fraction = 1.0;
    p.detail = QStringLiteral("done: %1 result(s) in %2").arg(written).arg(humanDuration(outcome.seconds));
    if (progress)
        progress(p);
    return outcome;
}

} // namespace ckptlab
