#include "jobs/RunWorker.h"

#include "common/HumanUnits.h"

#include "engine/LoadedCheckpoint.h"
#include "engine/eval/TaskSpec.h"
#include "jobs/EvalCells.h"
#include "jobs/EvalResultWriter.h"
#include "jobs/RunDirectory.h"
#include "jobs/RunSpec.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QDateTime>
#include <QSysInfo>
#include <QJsonArray>
#include <QThread>
#include <QCoreApplication>
#include <QSaveFile>

#include <memory>
#include <optional>

namespace ckptlab {

namespace {

constexpr double kTrainingShare = 0.7; // of a fine-tuning run's progress bar

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

// Progress to the caller, and holding while paused: the step in flight has finished, the next
// one waits until resumed or cancelled.
class WorkerProgress {
public:
    WorkerProgress(const std::function<void(const RunProgress&)>& callback, RunControl& control)
        : m_callback(callback), m_control(control)
    {
    }

    RunProgress& progress() { return m_progress; }

    void report()
    {
        if (m_callback)
            m_callback(m_progress);
    }

    void holdWhilePaused()
    {
        if (!m_control.paused.load() || m_control.cancel.load())
            return;
        m_progress.paused = true;
        const QString detail = m_progress.detail;
        m_progress.detail = QStringLiteral("paused · ") + detail;
        report();
        while (m_control.paused.load() && !m_control.cancel.load())
            QThread::msleep(50);
        m_progress.paused = false;
        m_progress.detail = detail;
        report();
    }

private:
    std::function<void(const RunProgress&)> m_callback;
    RunControl& m_control;
    RunProgress m_progress;
};

QString nowIso()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

Status writeResults(const QString& runDir, const QVector<EvaluationValues>& evaluations)
{
    QJsonArray array;
    for (const EvaluationValues& e : evaluations)
        array.append(e.toJson());
    return writeJsonFile(QDir(runDir).filePath(QStringLiteral("results.json")), QJsonObject{{"evaluations", array}},
                         QJsonDocument::Compact);
}

// One run folder from its spec to its final status, in named steps. Every step that fails ends
// the run through finish(), which writes status.json.
class RunWork {
public:
    RunWork(const QString& runDir, const QString& device, const std::function<void(const RunProgress&)>& progress,
            RunControl& control)
        : m_runDir(runDir), m_device(device), m_control(control), m_sink(progress, control)
    {
        m_clock.start();
        m_status.host = QStringLiteral("%1:%2").arg(QSysInfo::machineHostName()).arg(QCoreApplication::applicationPid());
        m_status.device = device;
        m_status.startedAt = nowIso();
        m_sink.progress().device = device;
    }

    WorkerReport execute()
    {
        if (!readSpecs())
            return m_report;
        if (Status s = writeRunStatus(m_runDir, m_status); !s)
            return finish(WorkerState::Failed, s.error());
        m_sink.progress().evaluations = m_spec->spec.evaluationCount();
        try {
            if (!loadTrainAndEvaluate())
                return m_report;
        } catch (const engine::EvalCancelled&) {
            return finish(WorkerState::Cancelled, QStringLiteral("cancelled while evaluating"));
        } catch (const std::exception& e) {
            return finish(WorkerState::Failed, QString::fromStdString(e.what()));
        }
        return writeOutputs();
    }

private:
    RunProgress& p() { return m_sink.progress(); }
    QString statePath() const { return QDir(m_runDir).filePath(QStringLiteral("trainer_state.pt")); }

    WorkerReport finish(WorkerState state, const QString& error)
    {
        m_report.state = state;
        m_report.error = error;
        m_report.seconds = m_clock.elapsed() / 1000.0;
        m_report.lossCurve = m_lossCurve;
        m_status.state = state;
        m_status.error = error;
        m_status.finishedAt = nowIso();
        m_status.seconds = m_report.seconds;
        m_status.stats = m_stats;
        m_status.lossCurve = m_lossCurve;
        if (Status s = writeRunStatus(m_runDir, m_status); !s && m_report.error.isEmpty()) {
            m_report.state = WorkerState::Failed;
            m_report.error = s.error();
        }
        return m_report;
    }

    // The spec and every task spec are read before anything heavy runs: a bad file fails the run.
    bool readSpecs()
    {
        const auto spec = readRunSpec(m_runDir);
        if (!spec) {
            finish(WorkerState::Failed, spec.error());
            return false;
        }
        m_spec = spec.value();
        p().runId = m_spec->runId;
        p().title = m_spec->title;
        try {
            if (m_spec->spec.fineTune)
                m_trainSpec = engine::parseTaskSpec(m_spec->spec.fineTune->specPath.toStdString());
            for (const EvalSuiteEntry& e : m_spec->spec.evaluations)
                m_evaluations.push_back({engine::parseTaskSpec(e.specPath.toStdString()), e});
        } catch (const std::exception& e) {
            finish(WorkerState::Failed, QString::fromStdString(e.what()));
            return false;
        }
        return true;
    }

    bool loadTrainAndEvaluate()
    {
        const RunSpec& spec = m_spec->spec;
        p().phase = RunPhase::Loading;
        p().detail = QStringLiteral("loading %1").arg(spec.checkpoint.path);
        m_sink.report();
        engine::LoadedCheckpoint model(spec.checkpoint.path.toStdString(), spec.dtype.toStdString(), m_device.toStdString());
        m_stats.insert(QStringLiteral("parameters"), double(model.parameterCount()));
        if (spec.fineTune && !fineTune(model))
            return false;
        return evaluateSuite(model);
    }

    bool fineTune(engine::LoadedCheckpoint& model)
    {
        const FineTuneSettings& settings = *m_spec->spec.fineTune;
        p().phase = RunPhase::Training;
        const engine::FineTuneOutcome trained = model.fineTune(
            m_trainSpec, settings.format.toStdString(), trainConfig(settings, statePath()),
            [this](const engine::TrainProgress& t) { onTrainingStep(t); }, &m_control.cancel, settings.trainLimit);
        recordTraining(trained);
        const engine::TrainReport& r = trained.report;
        if (r.cancelled) {
            finish(WorkerState::Cancelled, QStringLiteral("cancelled at step %1 of %2; the training state is saved, "
                                                          "so a retry resumes there").arg(r.steps).arg(r.totalSteps));
            return false;
        }
        if (settings.saveWeights) {
            const QString modelFolder = QDir(m_runDir).filePath(QStringLiteral("model"));
            p().phase = RunPhase::Saving;
            p().detail = QStringLiteral("saving the fine-tuned model to %1").arg(modelFolder);
            m_sink.report();
            model.save(modelFolder.toStdString());
            m_stats.insert(QStringLiteral("model_folder"), modelFolder);
        }
        return true;
    }

    void onTrainingStep(const engine::TrainProgress& t)
    {
        m_lossCurve.push_back(t.loss);
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
        m_lossCurve = QVector<double>(r.losses.begin(), r.losses.end());
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
        const double evalStart = m_spec->spec.fineTune ? kTrainingShare : 0.0;
        int index = 0;
        for (const ParsedEvaluation& e : m_evaluations) {
            for (const EvalCell& cell : evalCells(e.entry.formats, e.entry.shots, QString::fromStdString(e.spec.defaultFormat))) {
                if (m_control.cancel.load()) {
                    finish(WorkerState::Cancelled, QStringLiteral("cancelled while evaluating"));
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
                const engine::EvalResult result = evaluateCell(model, e.spec, cell, e.entry.limit, 0, onBatch, &m_control.cancel);
                m_results << evaluationValues(e.spec, result);
            }
        }
        return true;
    }

    WorkerReport writeOutputs()
    {
        p().phase = RunPhase::Writing;
        p().detail = QStringLiteral("writing %1 evaluation(s)").arg(m_results.size());
        m_sink.report();
        m_stats.insert(QStringLiteral("seconds"), m_clock.elapsed() / 1000.0);
        m_stats.insert(QStringLiteral("evaluations"), int(m_results.size()));
        if (Status s = writeResults(m_runDir, m_results); !s)
            return finish(WorkerState::Failed, s.error());
        QFile::remove(statePath()); // the run is complete: its resumable state is no longer needed
        return finish(WorkerState::Finished, QString());
    }

    QString m_runDir;
    QString m_device;
    RunControl& m_control;
    WorkerProgress m_sink;
    QElapsedTimer m_clock;
    RunStatus m_status;
    WorkerReport m_report;
    std::optional<RunDirectorySpec> m_spec;
    engine::TaskSpec m_trainSpec;
    QVector<ParsedEvaluation> m_evaluations;
    QVector<EvaluationValues> m_results;
    QVector<double> m_lossCurve;
    QJsonObject m_stats;
};

} // namespace

WorkerReport runWorker(const QString& runDir, const QString& device,
                       const std::function<void(const RunProgress&)>& progress, RunControl& control)
{
    return RunWork(runDir, device, progress, control).execute();
}

} // namespace ckptlab
