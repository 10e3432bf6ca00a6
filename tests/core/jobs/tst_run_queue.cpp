// The fine-tuning queue end to end on tiny checkpoints: the planner's grid, estimates and
// skipping; run states (claim, cancel, retry, reorder, interrupted); executing runs that
// fine-tune, save, evaluate and write everything in one transaction; resuming a cancelled run;
// a bad task spec failing a run without writing anything; the threaded RunQueue.

#include "../../support/TinyEvalSetup.h"
#include "../../support/ProjectQueries.h"
#include "analysis/Change.h"
#include "jobs/CheckpointScanner.h"
#include "jobs/RunExecutor.h"
#include "jobs/RunPlanner.h"
#include "jobs/RunQueue.h"
#include "project/Project.h"
#include "project/RunStore.h"
#include "project/SnapshotLoader.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace ckptlab;
using ckptlab::testing::count;

namespace {

std::optional<RunState> stateOf(const Project& p, RowId id)
{
    const auto run = RunStore(p.database()).run(id);
    return run && run.value() ? std::optional<RunState>(run.value()->state) : std::nullopt;
}

} // namespace

class TestRunQueue : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_series;
    QString m_spec;

    Project freshProject(const QString& name, const QStringList& steps = {"100", "200"})
    {
        const QString root = m_dir.filePath(name + "-data");
        const QString series = testing::writeTinyRun(root, steps);
        auto project = Project::open(m_dir.filePath(name + ".ckptlab"));
        if (!project)
            qFatal("%s", qPrintable(project.error()));
        const auto scan = recordCheckpointScan(project.value(), scanCheckpointFolders({series}));
        if (!scan)
            qFatal("%s", qPrintable(scan.error()));
        return project.value();
    }

    RunPlanRequest request(const Project& project, QVector<double> rates = {3e-3})
    {
        RunPlanRequest r;
        r.name = QStringLiteral("test plan");
        r.checkpoints = loadSnapshot(project)->checkpoints;
        r.grid.taskSpecs = {m_spec};
        r.grid.epochs = {2};
        r.grid.learningRates = rates;
        r.grid.batchSizes = {4};
        r.grid.maxLengths = {64};
        r.evaluations = {EvalSuiteRequest{m_spec, {QStringLiteral("*")}, {0}, 0}};
        r.device = QStringLiteral("cpu");
        return r;
    }

    // Executes queued runs on this thread until none is left; returns their outcomes.
    QVector<RunOutcome> drain(const Project& project, RunControl& control)
    {
        QVector<RunOutcome> outcomes;
        for (;;) {
            const auto claimed = RunStore(project.database()).claimNext(QStringLiteral("cpu"), currentRunOwner());
            if (!claimed || !claimed.value())
                break;
            outcomes << executeRun(project, *claimed.value(), QStringLiteral("cpu"), {}, control);
        }
        return outcomes;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_spec = testing::writeYesNoFineTuneTask(m_dir.filePath("task"), 16, 6);
    }

    void runStates()
    {
        const Project project = freshProject("states");
        RunStore store(project.database());
        QVector<NewRun> runs;
        for (int i = 0; i < 4; ++i)
            runs << NewRun{QStringLiteral("evaluate"), 0, QStringLiteral("run %1").arg(i), QStringLiteral("k%1").arg(i),
                           QStringLiteral("{}"), i == 3 ? QStringLiteral("cuda:0") : QString()};
        QVERIFY(store.addPlan(QStringLiteral("p"), QStringLiteral("{}"), runs));
        auto all = store.runs().value();
        QCOMPARE(all.size(), 4);
        const RowId a = all[0].id, b = all[1].id, c = all[2].id, d = all[3].id;

        QVERIFY(store.move(c, -2));
        QCOMPARE(store.claimNext(QStringLiteral("cpu"), currentRunOwner()).value()->id, c);
        QCOMPARE(stateOf(project, c), std::optional<RunState>(RunState::Running));
        QVERIFY(!store.move(c, 1)); // not queued any more
        QVERIFY(store.cancelQueued({a}));
        QCOMPARE(stateOf(project, a), std::optional<RunState>(RunState::Cancelled));
        QCOMPARE(store.claimNext(QStringLiteral("cpu"), currentRunOwner()).value()->id, b);
        // The CUDA-only run is not for the CPU executor.
        QVERIFY(!store.claimNext(QStringLiteral("cpu"), currentRunOwner()).value());
        QCOMPARE(store.claimNext(QStringLiteral("cuda:0"), currentRunOwner()).value()->id, d);

        // A run whose owner process is gone is interrupted; one of a live process is not.
        QSqlQuery q(project.database());
        QVERIFY(q.exec(QStringLiteral("UPDATE run SET owner = '%1:999999999' WHERE id = %2").arg(QSysInfo::machineHostName()).arg(b)));
        QCOMPARE(store.markInterrupted().value(), 1);
        QCOMPARE(stateOf(project, b), std::optional<RunState>(RunState::Interrupted));
        QCOMPARE(stateOf(project, c), std::optional<RunState>(RunState::Running));
        QVERIFY(store.requeue({a, b, c})); // c is running: left alone
        QCOMPARE(stateOf(project, a), std::optional<RunState>(RunState::Queued));
        QCOMPARE(stateOf(project, b), std::optional<RunState>(RunState::Queued));
        QCOMPARE(stateOf(project, c), std::optional<RunState>(RunState::Running));
        QVERIFY(store.release(c));
        QCOMPARE(stateOf(project, c), std::optional<RunState>(RunState::Queued));
        QCOMPARE(store.activeKeys().value().size(), 4);
    }

    void planExpandsEstimatesAndSkips()
    {
        const Project project = freshProject("plan", {"100", "200"});
        const RunPlanRequest r = request(project, {1e-3, 3e-3});
        const auto estimate = estimatePlan(project, r);
        QVERIFY2(estimate, qPrintable(estimate.error()));
        // 2 checkpoints x (1 base evaluation + 2 learning rates)
        QCOMPARE(estimate->newRuns, 6);
        QCOMPARE(estimate->skippedRuns, 0);
        QVERIFY(estimate->trainTokens > 16 * 2 * 2); // > 2 tokens per example, 2 epochs, 2 rates, 2 ckpts
        QVERIFY(estimate->seconds > 0 && !estimate->speedSource.isEmpty());
        QVERIFY(estimate->peakBytes > 16 * 100000); // > 16 bytes per parameter of a ~100k-parameter model
        QVERIFY(estimate->deviceBytes > 0 && estimate->warnings.isEmpty());
        for (const PlannedRun& run : estimate->runs)
            QCOMPARE(run.spec.evaluationCount(), 2); // default + instruct
        RunPlanRequest lean = r; // gradient checkpointing keeps fewer activations
        lean.grid.gradientCheckpointing = true;
        QVERIFY(estimatePlan(project, lean)->peakBytes < estimate->peakBytes);
        QCOMPARE(queuePlan(project, r, estimate.value()).value(), 6);
        QCOMPARE(count(project, "SELECT count(*) FROM plan"), 1);

        // Planned again: nothing new. After adding a checkpoint: only its runs.
        QCOMPARE(estimatePlan(project, r)->newRuns, 0);
        const QString more = testing::writeTinyRun(m_dir.filePath("plan-more"), {"300"});
        QVERIFY(recordCheckpointScan(project, scanCheckpointFolders({more})));
        RunPlanRequest again = r;
        again.checkpoints = loadSnapshot(project)->checkpoints;
        const auto second = estimatePlan(project, again);
        QCOMPARE(second->newRuns, 3);
        QCOMPARE(second->skippedRuns, 6);

        // A plan file round-trips through JSON.
        const auto parsed = RunPlanRequest::fromJson(r.toJson(), loadSnapshot(project)->checkpoints, QStringLiteral("plan.json"));
        QVERIFY2(parsed, qPrintable(parsed.error()));
        QCOMPARE(parsed->checkpoints.size(), 2);
        QCOMPARE(parsed->grid.learningRates, r.grid.learningRates);

        // Bad input names the file and what is wrong.
        RunPlanRequest bad = r;
        bad.grid.taskSpecs = {m_dir.filePath("nope.json")};
        QVERIFY(estimatePlan(project, bad).error().contains("nope.json"));
        bad = r;
        bad.evaluations[0].formats = {QStringLiteral("fancy")};
        QVERIFY(estimatePlan(project, bad).error().contains("fancy"));
        const auto unknownKey = RunPlanRequest::fromJson(QJsonObject{{"checkpoint", "x"}}, {}, QStringLiteral("p.json"));
        QVERIFY(!unknownKey && unknownKey.error().contains("p.json") && unknownKey.error().contains("checkpoint"));
    }

    // Tiny checkpoints -> plan -> run -> results -> the change of every checkpoint.
    void endToEnd()
    {
        const Project project = freshProject("e2e");
        const auto estimate = estimatePlan(project, request(project));
        QVERIFY(estimate);
        QCOMPARE(queuePlan(project, request(project), estimate.value()).value(), 4);
        RunControl control;
        const QVector<RunOutcome> outcomes = drain(project, control);
        QCOMPARE(outcomes.size(), 4);
        for (const RunOutcome& o : outcomes) {
            QVERIFY2(o.state == RunState::Done, qPrintable(o.title + ": " + o.error));
            QCOMPARE(o.resultsWritten, 2);
        }
        QVERIFY(project.integrityOk());
        QCOMPARE(count(project, "SELECT count(*) FROM run WHERE state = 'done'"), 4);
        QCOMPARE(count(project, "SELECT count(*) FROM recipe"), 1);
        QCOMPARE(count(project, "SELECT count(*) FROM result"), 2 * 2 * 2); // (base, tuned) x 2 ckpts x 2 formats
        QCOMPARE(count(project, "SELECT count(*) FROM prediction"), 8 * 6);

        const auto snapshot = loadSnapshot(project);
        for (const QString& format : {QStringLiteral("default"), QStringLiteral("instruct")}) {
            ResultSelection selection;
            selection.task = QStringLiteral("yesno");
            selection.format = format;
            const ChangeResult change = computeChange(snapshot.value(), selection);
            QCOMPARE(change.series.size(), 1);
            QCOMPARE(change.series[0].points.size(), 2); // every checkpoint
            for (const ChangePoint& p : change.series[0].points)
                QCOMPARE(p.change, p.tuned - p.base);
        }

        // A fine-tuning run kept its loss curve, stats and model folder; its resumable state is gone.
        QSqlQuery q(project.database());
        QVERIFY(q.exec("SELECT loss_curve, stats, output_dir FROM run WHERE kind = 'finetune' ORDER BY id LIMIT 1") && q.next());
        QCOMPARE(QJsonDocument::fromJson(q.value(0).toByteArray()).array().size(), 8); // 16 examples / 4 x 2 epochs
        const QJsonObject stats = QJsonDocument::fromJson(q.value(1).toByteArray()).object();
        QCOMPARE(stats.value("steps").toInt(), 8);
        QVERIFY(stats.value("train_tokens").toDouble() > 0 && stats.value("parameters").toDouble() > 0);
        const QString folder = q.value(2).toString();
        QVERIFY(QFile::exists(folder + "/model/model.safetensors") && QFile::exists(folder + "/model/tokenizer.json"));
        QVERIFY(!QFile::exists(folder + "/trainer_state.pt"));
        // The finished run now gives the planner a measured speed.
        RunPlanRequest more = request(project);
        more.grid.learningRates = {1e-4};
        QVERIFY(estimatePlan(project, more)->speedSource.startsWith("from 2 finished run(s)"));
    }

    void cancelledRunResumes()
    {
        const Project project = freshProject("resume", {"100"});
        RunPlanRequest r = request(project);
        r.evaluateBase = false;
        r.grid.epochs = {3};
        QVERIFY(queuePlan(project, r, estimatePlan(project, r).value()));
        const RunRecord run = *RunStore(project.database()).claimNext("cpu", currentRunOwner()).value();
        RunControl control;
        const RunOutcome stopped = executeRun(project, run, "cpu", [&](const RunProgress& p) {
            if (p.step == 5)
                control.cancel = true;
        }, control);
        QCOMPARE(stopped.state, RunState::Cancelled);
        QCOMPARE(stateOf(project, run.id), std::optional<RunState>(RunState::Cancelled));
        QCOMPARE(count(project, "SELECT count(*) FROM result"), 0);
        QVERIFY(QFile::exists(projectRunsFolder(project) + QStringLiteral("/run-%1/trainer_state.pt").arg(run.id)));

        QVERIFY(RunStore(project.database()).requeue({run.id}));
        control.cancel = false;
        const QVector<RunOutcome> outcomes = drain(project, control);
        QCOMPARE(outcomes.size(), 1);
        QCOMPARE(outcomes[0].state, RunState::Done);
        QCOMPARE(outcomes[0].lossCurve.size(), 12);
        QSqlQuery q(project.database());
        QVERIFY(q.exec(QStringLiteral("SELECT stats FROM run WHERE id = %1").arg(run.id)) && q.next());
        QCOMPARE(QJsonDocument::fromJson(q.value(0).toByteArray()).object().value("resumed_from_step").toInt(), 5);
        QCOMPARE(count(project, "SELECT count(*) FROM result"), 2);
    }

    void badTaskFailsRunWritesNothing()
    {
        const Project project = freshProject("bad", {"100"});
        const QString spec = m_dir.filePath("bad-task/yesno_ft.json");
        QVERIFY(QDir().mkpath(m_dir.filePath("bad-task")));
        QFile::copy(m_spec, spec);
        QFile::copy(m_dir.filePath("task/yesno_train.jsonl"), m_dir.filePath("bad-task/yesno_train.jsonl"));
        QFile::copy(m_dir.filePath("task/yesno_eval.jsonl"), m_dir.filePath("bad-task/yesno_eval.jsonl"));
        RunPlanRequest r = request(project);
        r.grid.taskSpecs = {spec};
        r.evaluations = {EvalSuiteRequest{spec, {}, {0}, 0}};
        QVERIFY(queuePlan(project, r, estimatePlan(project, r).value()));
        // Broken after planning: line 3 of the training data is not JSON.
        testing::writeTestFile(m_dir.filePath("bad-task/yesno_train.jsonl"), "{\"q\": \"a\", \"label\": \"yes\"}\n{\"q\": \"b\", \"label\": \"no\"}\n{oops\n");
        RunControl control;
        const QVector<RunOutcome> outcomes = drain(project, control);
        QCOMPARE(outcomes.size(), 2);
        int failed = 0;
        for (const RunOutcome& o : outcomes)
            if (o.state == RunState::Failed) {
                ++failed;
                QVERIFY2(o.error.contains("yesno_train.jsonl") && o.error.contains("3"), qPrintable(o.error));
            }
        QCOMPARE(failed, 1);
        QCOMPARE(count(project, "SELECT count(*) FROM result r JOIN model m ON m.id = r.model_id WHERE m.recipe_id IS NOT NULL"), 0);
        QCOMPARE(count(project, "SELECT count(*) FROM result"), 1); // the base evaluation
        QVERIFY(project.integrityOk());
    }

    void threadedQueueDrains()
    {
        const Project project = freshProject("threaded", {"100"});
        RunPlanRequest r = request(project);
        QVERIFY(queuePlan(project, r, estimatePlan(project, r).value()));
        RunQueue queue;
        QSignalSpy drained(&queue, &RunQueue::drained);
        QSignalSpy finished(&queue, &RunQueue::runFinished);
        QSignalSpy progress(&queue, &RunQueue::runProgress);
        queue.setProject(project);
        queue.start({QStringLiteral("cpu")});
        QVERIFY(drained.wait(60000));
        QCOMPARE(drained.first().at(0).toInt(), 2);
        QCOMPARE(finished.size(), 2);
        QVERIFY(progress.size() >= 2);
        // The list reloads after each run on a worker: wait for the last reload.
        const auto allDone = [&] {
            int done = 0;
            for (const RunRecord& run : queue.runs())
                done += run.state == RunState::Done ? 1 : 0;
            return done;
        };
        QTRY_COMPARE_WITH_TIMEOUT(allDone(), 2, 10000);
        queue.stop();
        QVERIFY(!queue.isStarted());
    }
};

QTEST_GUILESS_MAIN(TestRunQueue)
#include "tst_run_queue.moc"
