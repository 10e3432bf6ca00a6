// The run pipeline: a queued run is a folder with spec.json; the worker executes the folder
// alone (the project file may be gone meanwhile) and writes status.json and results.json; the
// collector imports it once (collecting again changes nothing); the numbers equal those of a
// run executed by the local queue; a spec.json of another version is refused.

#include "../../support/TinyEvalSetup.h"
#include "../../support/ProjectQueries.h"
#include "jobs/CheckpointScanner.h"
#include "jobs/RunCollector.h"
#include "jobs/RunExecutor.h"
#include "jobs/RunPlanner.h"
#include "jobs/RunWorker.h"
#include "project/Project.h"
#include "project/RunStore.h"
#include "project/SnapshotLoader.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace ckptlab;
using ckptlab::testing::count;

class TestRunPipeline : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_spec;

    Project plannedProject(const QString& name)
    {
        const QString series = testing::writeTinyRun(m_dir.filePath(name + "-data"), {"100"});
        auto project = Project::open(m_dir.filePath(name + ".ckptlab"));
        if (!project)
            qFatal("%s", qPrintable(project.error()));
        if (!recordCheckpointScan(project.value(), scanCheckpointFolders({series})))
            qFatal("scan failed");
        RunPlanRequest r;
        r.name = QStringLiteral("pipeline");
        r.checkpoints = loadSnapshot(project.value())->checkpoints;
        r.grid.taskSpecs = {m_spec};
        r.grid.epochs = {1};
        r.grid.learningRates = {3e-3};
        r.grid.batchSizes = {4};
        r.grid.maxLengths = {64};
        r.evaluations = {EvalSuiteRequest{m_spec, {QStringLiteral("*")}, {0}, 0}};
        r.evaluateBase = false;
        r.device = QStringLiteral("cpu");
        const auto estimate = estimatePlan(project.value(), r);
        if (!estimate || !queuePlan(project.value(), r, estimate.value()))
            qFatal("planning failed");
        return project.value();
    }

    // value per (task, format, metric) of the fine-tuned model's results
    QMap<QString, double> results(const Project& project)
    {
        QMap<QString, double> out;
        QSqlQuery q(project.database());
        q.exec(QStringLiteral("SELECT t.name, f.name, r.metric, r.value FROM result r JOIN task t ON t.id = r.task_id "
                              "JOIN prompt_format f ON f.id = r.format_id"));
        while (q.next())
            out.insert(q.value(0).toString() + "|" + q.value(1).toString() + "|" + q.value(2).toString(), q.value(3).toDouble());
        return out;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_spec = testing::writeYesNoFineTuneTask(m_dir.filePath("task"));
    }

    void workerAloneThenCollectOnce()
    {
        const Project project = plannedProject("worker");
        const RunRecord run = RunStore(project.database()).runs()->first();
        const QString runDir = runDirectory(project, run.id);
        QVERIFY2(QFile::exists(runDir + "/spec.json"), "queuing writes the run's spec.json");
        const auto claimed = RunStore(project.database()).claimNext(QStringLiteral("cpu"), currentRunOwner());
        QVERIFY(claimed && claimed.value());
        project.closeThreadConnection();

        // The worker needs the folder alone: the project file is not even there while it runs.
        const QString away = project.path() + ".away";
        QVERIFY(QFile::rename(project.path(), away));
        RunControl control;
        const WorkerReport report = runWorker(runDir, QStringLiteral("cpu"), {}, control);
        QVERIFY(!QFile::exists(project.path()));
        QVERIFY(QFile::rename(away, project.path()));
        QVERIFY2(report.state == WorkerState::Finished, qPrintable(report.error));
        QVERIFY(QFile::exists(runDir + "/results.json"));
        QVERIFY(QFile::exists(runDir + "/model/model.safetensors"));
        const auto status = readRunStatus(runDir);
        QVERIFY(status && status->state == WorkerState::Finished && !status->lossCurve.isEmpty() && !status->host.isEmpty());
        QCOMPARE(count(project, "SELECT count(*) FROM result"), 0);

        const auto first = collectFinishedRuns(project);
        QVERIFY2(first, qPrintable(first.error()));
        QCOMPARE(first->size(), 1);
        QVERIFY(first->first().changed);
        QCOMPARE(first->first().state, RunState::Done);
        const int results = count(project, "SELECT count(*) FROM result");
        const int predictions = count(project, "SELECT count(*) FROM prediction");
        QVERIFY(results > 0 && predictions > 0);
        QCOMPARE(first->first().resultsWritten, results);
        QCOMPARE(RunStore(project.database()).run(run.id).value()->state, RunState::Done);

        // Collecting again, by run or all: nothing changes.
        const auto again = collectRun(project, run.id, runDir);
        QVERIFY(again && !again->changed);
        const auto all = collectFinishedRuns(project);
        QVERIFY(all && all->isEmpty());
        QCOMPARE(count(project, "SELECT count(*) FROM result"), results);
        QCOMPARE(count(project, "SELECT count(*) FROM prediction"), predictions);
    }

    void sameNumbersAsTheLocalQueue()
    {
        const Project viaWorker = plannedProject("same-a");
        const Project local = plannedProject("same-b");
        RunControl control;
        for (const Project& p : {viaWorker, local}) {
            const auto claimed = RunStore(p.database()).claimNext(QStringLiteral("cpu"), currentRunOwner());
            QVERIFY(claimed && claimed.value());
        }
        const RunRecord a = RunStore(viaWorker.database()).runs()->first();
        QCOMPARE(runWorker(runDirectory(viaWorker, a.id), QStringLiteral("cpu"), {}, control).state, WorkerState::Finished);
        QVERIFY(collectFinishedRuns(viaWorker));
        const RunRecord b = RunStore(local.database()).runs()->first();
        const RunOutcome outcome = executeRun(local, b, QStringLiteral("cpu"), {}, control);
        QVERIFY2(outcome.state == RunState::Done, qPrintable(outcome.error));
        const auto expected = results(local);
        QVERIFY(!expected.isEmpty());
        QCOMPARE(results(viaWorker), expected);
    }

    void otherSpecVersionIsRefused()
    {
        const Project project = plannedProject("version");
        const RunRecord run = RunStore(project.database()).runs()->first();
        const QString runDir = runDirectory(project, run.id);
        auto json = readJsonFile(runDir + "/spec.json");
        QVERIFY(json);
        json.value()["version"] = 99;
        QVERIFY(writeJsonFile(runDir + "/spec.json", json.value()));
        RunControl control;
        const WorkerReport report = runWorker(runDir, QStringLiteral("cpu"), {}, control);
        QCOMPARE(report.state, WorkerState::Failed);
        QVERIFY2(report.error.contains(QLatin1String("spec.json")) && report.error.contains(QLatin1String("version 99")),
                 qPrintable(report.error));
        const auto status = readRunStatus(runDir);
        QVERIFY(status && status->state == WorkerState::Failed && status->error == report.error);
        QVERIFY(!QFile::exists(runDir + "/results.json"));
    }

    void unfinishedFolderIsLeftAlone()
    {
        const Project project = plannedProject("unfinished");
        const RunRecord run = RunStore(project.database()).runs()->first();
        QVERIFY(RunStore(project.database()).claimNext(QStringLiteral("cpu"), currentRunOwner()));
        RunStatus started;
        started.state = WorkerState::Started;
        QVERIFY(writeRunStatus(runDirectory(project, run.id), started));
        const auto collected = collectFinishedRuns(project);
        QVERIFY(collected && collected->isEmpty());
        QCOMPARE(RunStore(project.database()).run(run.id).value()->state, RunState::Running);
    }
};

QTEST_GUILESS_MAIN(TestRunPipeline)
#include "tst_run_pipeline.moc"
