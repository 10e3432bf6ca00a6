// The evaluation job: results and predictions land in the project, a cancel keeps what
// finished, bad task data writes nothing, and the session runs it off the calling thread.

#include "../../support/TinyEvalSetup.h"
#include "../../support/ProjectQueries.h"
#include "jobs/CheckpointScanner.h"
#include "jobs/EvaluationJob.h"
#include "jobs/ProjectSession.h"
#include "project/Project.h"
#include "project/SnapshotLoader.h"

#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace ckptlab;
using ckptlab::testing::count;

class TestEvaluationJob : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_spec;
    QString m_run;

    Project freshProject(const QString& name)
    {
        auto project = Project::open(m_dir.filePath(name));
        if (!project)
            qFatal("%s", qPrintable(project.error()));
        const auto scan = recordCheckpointScan(project.value(), scanCheckpointFolders({m_run}));
        if (!scan)
            qFatal("%s", qPrintable(scan.error()));
        return project.value();
    }

    EvaluationPlan plan(const Project& project)
    {
        EvaluationPlan plan;
        plan.checkpoints = loadSnapshot(project)->checkpoints;
        plan.taskSpecPath = m_spec;
        plan.formats = {QStringLiteral("default"), QStringLiteral("instruct")};
        plan.shots = {0};
        return plan;
    }

private slots:
    void initTestCase()
    {
        m_run = testing::writeTinyRun(m_dir.filePath(QStringLiteral("runs")), {QStringLiteral("100"), QStringLiteral("200")});
        m_spec = testing::writeYesNoTask(m_dir.filePath(QStringLiteral("task")), 6);
    }

    void writesResultsAndPredictions()
    {
        const Project project = freshProject(QStringLiteral("a.ckptlab"));
        QVector<EvaluationProgress> seen;
        const auto report = runEvaluation(project, plan(project), [&](const EvaluationProgress& p) { seen << p; });
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->evaluationsDone, 4);
        QVERIFY(report->failures.isEmpty());
        QCOMPARE(count(project, "SELECT count(*) FROM result WHERE metric = 'acc'"), 4);
        QCOMPARE(count(project, "SELECT count(*) FROM prediction"), 4 * 6);
        // 2 formats x 4 distinct questions (the 6 items repeat the first two)
        QCOMPARE(count(project, "SELECT count(DISTINCT prompt_hash) FROM prediction"), 2 * 4);
        QCOMPARE(count(project, "SELECT count(*) FROM result WHERE value < 0 OR value > 1 OR n != 6"), 0);
        QVERIFY(!seen.isEmpty());
        QCOMPARE(seen.last().evaluations, 4);
        QCOMPARE(seen.last().done, seen.last().total);
        // Running it again replaces, never duplicates.
        QVERIFY(runEvaluation(project, plan(project)).ok());
        QCOMPARE(count(project, "SELECT count(*) FROM result"), 4);
        QCOMPARE(count(project, "SELECT count(*) FROM prediction"), 4 * 6);
    }

    void cancelKeepsWhatFinished()
    {
        const Project project = freshProject(QStringLiteral("b.ckptlab"));
        std::atomic<bool> cancel{false};
        const auto report = runEvaluation(project, plan(project), [&](const EvaluationProgress& p) {
            if (p.evaluation >= 1)
                cancel.store(true); // stop during the second evaluation
        }, &cancel);
        QVERIFY(report.ok());
        QVERIFY(report->cancelled);
        QVERIFY(report->evaluationsDone >= 1 && report->evaluationsDone < 4);
        QCOMPARE(count(project, "SELECT count(*) FROM result"), report->evaluationsDone);
        QVERIFY(project.integrityOk());
    }

    void badTaskDataWritesNothing()
    {
        const Project project = freshProject(QStringLiteral("c.ckptlab"));
        const QString bad = testing::writeYesNoTask(m_dir.filePath(QStringLiteral("badtask")), 3);
        testing::writeTestFile(m_dir.filePath(QStringLiteral("badtask/yesno.jsonl")),
                               "{\"q\": \"fine\", \"label\": \"yes\"}\n{\"q\": \"broken\", \"label\": \"maybe\"}\n");
        EvaluationPlan p = plan(project);
        p.taskSpecPath = bad;
        const auto report = runEvaluation(project, p);
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QStringLiteral("yesno.jsonl")), qPrintable(report.error()));
        QVERIFY2(report.error().contains(QStringLiteral("2")), qPrintable(report.error()));
        QCOMPARE(count(project, "SELECT count(*) FROM result"), 0);
        p.taskSpecPath = m_spec;
        p.formats = {QStringLiteral("nosuchformat")};
        const auto unknownFormat = runEvaluation(project, p);
        QVERIFY(!unknownFormat.ok());
        QVERIFY(unknownFormat.error().contains(QStringLiteral("nosuchformat")));
    }

    void sessionRunsItOnAWorker()
    {
        const Project project = freshProject(QStringLiteral("d.ckptlab"));
        ProjectSession session;
        QVERIFY(session.open(project.path()).ok());
        session.waitForIdle();
        QSignalSpy finished(&session, &ProjectSession::evaluationFinished);
        EvaluationPlan p = plan(project);
        p.formats = {QStringLiteral("default")};
        session.evaluate(p);
        QVERIFY(session.isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
        session.waitForIdle();
        QCOMPARE(session.snapshot().results.size(), 2);
        const TaskInfo* task = session.snapshot().taskByName(QStringLiteral("yesno"));
        QVERIFY(task);
        QCOMPARE(task->kind, QStringLiteral("classification"));
        QCOMPARE(task->metric, QStringLiteral("acc"));
    }
};

QTEST_GUILESS_MAIN(TestEvaluationJob)
#include "tst_evaluation_job.moc"
