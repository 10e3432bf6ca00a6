// The headless fine-tuning queue through the real ckptlab-cli: plan (flags and a plan file),
// run, a clean stop on Ctrl-C that resumes, and kill -9 in the middle of a run: the project
// stays intact, finished results stay, the interrupted run is marked and restarts.

#include "../support/CliProcess.h"
#include "../support/TinyEvalSetup.h"
#include "../support/ProjectQueries.h"
#include "project/Project.h"
#include "project/RunStore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace ckptlab;
using ckptlab::testing::count;

namespace {

using Run = ckptlab::testing::CliRun;
using ckptlab::testing::cli;

} // namespace

class TestCliRuns : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_spec;

    // A project with tiny checkpoints scanned in; returns its path.
    QString scannedProject(const QString& name, const QStringList& steps)
    {
        const QString series = testing::writeTinyRun(m_dir.filePath(name + "-data"), steps);
        const QString path = m_dir.filePath(name + ".ckptlab");
        const Run scan = cli({"scan", "--project", path, series});
        if (scan.code != 0)
            qFatal("scan failed: %s", qPrintable(scan.err));
        return path;
    }

    QStringList planFlags(const QString& project, int epochs)
    {
        return {"plan", "--project", project, "--checkpoints", "neox-tiny", "--finetune", m_spec, "--epochs",
                QString::number(epochs), "--lr", "3e-3", "--batch", "4", "--max-length", "64", "--eval", m_spec,
                "--eval-formats", "*"};
    }

    // Starts `ckptlab-cli run` and waits until a fine-tuning run is past `minProgress` (and, when
    // asked, at least one run is done). The run row's progress is saved once a second, so the
    // runs must train for a few seconds. Returns the id of the running run.
    RowId startAndWait(QProcess& process, const QString& path, double minProgress, bool oneDone)
    {
        process.start(QStringLiteral(CKPTLAB_CLI), {"run", "--project", path});
        if (!process.waitForStarted())
            return 0;
        const auto project = Project::open(path, Project::Mode::OpenExisting);
        for (int i = 0; i < 1200; ++i) {
            QTest::qWait(50);
            QSqlQuery q(project->database());
            const bool done = !oneDone || count(project.value(), "SELECT count(*) FROM run WHERE state = 'done'") >= 1;
            if (done && q.exec(QStringLiteral("SELECT id FROM run WHERE state = 'running' AND kind = 'finetune' AND progress > %1")
                                   .arg(minProgress)) &&
                q.next())
                return q.value(0).toLongLong();
        }
        return 0;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_spec = testing::writeYesNoFineTuneTask(m_dir.filePath("task"), 32, 6);
    }

    void planAndRun()
    {
        const QString path = scannedProject("plain", {"100", "200"});
        Run plan = cli(planFlags(path, 1) << "--dry-run" << "--verbose");
        QVERIFY2(plan.code == 0, qPrintable(plan.err));
        QVERIFY2(plan.out.contains("4 new run(s)") && plan.out.contains("training tokens"), qPrintable(plan.out));
        plan = cli(planFlags(path, 1));
        QVERIFY2(plan.code == 0 && plan.out.contains("queued 4 run(s)"), qPrintable(plan.out + plan.err));
        plan = cli(planFlags(path, 1) << "--dry-run");
        QVERIFY2(plan.out.contains("0 new run(s), 4 already planned or done"), qPrintable(plan.out));

        const Run run = cli({"run", "--project", path});
        QVERIFY2(run.code == 0, qPrintable(run.out + run.err));
        QCOMPARE(run.out.count(QRegularExpression("run \\d+ done in")), 4);
        QVERIFY(run.out.contains("4 run(s) executed, 0 failed"));
        const auto project = Project::open(path, Project::Mode::OpenExisting);
        QCOMPARE(count(project.value(), "SELECT count(*) FROM run WHERE state = 'done'"), 4);
        QCOMPARE(count(project.value(), "SELECT count(*) FROM result"), 8);

        // The same grid from a plan file (another learning rate: two new fine-tuning runs).
        const QString file = m_dir.filePath("plan.json");
        testing::writeTestFile(file, QJsonDocument(QJsonObject{
            {"name", "from a file"},
            {"checkpoints", QJsonArray{QJsonObject{{"series", "neox-tiny"}, {"steps", QJsonArray{0, 1000}}}}},
            {"finetune", QJsonObject{{"tasks", QJsonArray{m_spec}}, {"epochs", 1}, {"learning_rates", QJsonArray{1e-3}},
                                     {"batch_sizes", QJsonArray{4}}, {"max_lengths", QJsonArray{64}}}},
            {"evaluations", QJsonArray{QJsonObject{{"spec", m_spec}, {"formats", QJsonArray{"*"}}}}}}).toJson());
        plan = cli({"plan", "--project", path, "--plan", file});
        QVERIFY2(plan.code == 0 && plan.out.contains("2 new run(s), 2 already planned"), qPrintable(plan.out + plan.err));
        testing::writeTestFile(file, R"({"checkpoints": [], "finetune": {}, "evaluation": []})");
        plan = cli({"plan", "--project", path, "--plan", file});
        QVERIFY(plan.code == 1 && plan.err.contains("plan.json") && plan.err.contains("evaluation"));
        plan = cli({"plan", "--project", path, "--checkpoints", "nope"});
        QVERIFY(plan.code == 2 && plan.err.contains("nope"));
    }

    void ctrlCStopsAndResumes()
    {
        const QString path = scannedProject("ctrlc", {"100"});
        QVERIFY(cli(planFlags(path, 150) << "--no-base").code == 0); // long enough to stop mid-way
        QProcess process;
        const RowId id = startAndWait(process, path, 0.05, false);
        QVERIFY(id > 0);
        ::kill(pid_t(process.processId()), SIGINT);
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 130);
        const QString out = QString::fromUtf8(process.readAllStandardOutput());
        QVERIFY2(out.contains("stays queued"), qPrintable(out));
        const auto project = Project::open(path, Project::Mode::OpenExisting);
        QVERIFY(project->integrityOk());
        QCOMPARE(RunStore(project->database()).run(id).value()->state, RunState::Queued);

        const Run resumed = cli({"run", "--project", path});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.out + resumed.err));
        QSqlQuery q(project->database());
        QVERIFY(q.exec(QStringLiteral("SELECT state, stats FROM run WHERE id = %1").arg(id)) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("done"));
        QVERIFY(QJsonDocument::fromJson(q.value(1).toByteArray()).object().value("resumed_from_step").toInt() > 0);
    }

    void killNineKeepsProjectIntact()
    {
        const QString path = scannedProject("kill", {"100", "200"});
        QVERIFY(cli(planFlags(path, 100)).code == 0); // long enough to kill mid-way
        const int runs = 4, resultsPerRun = 2;
        QProcess process;
        const RowId id = startAndWait(process, path, 0.05, true);
        QVERIFY(id > 0);
        process.kill(); // SIGKILL: no chance to clean up
        QVERIFY(process.waitForFinished(10000));

        const auto project = Project::open(path, Project::Mode::OpenExisting);
        QVERIFY2(project, qPrintable(project.error()));
        QVERIFY(project->integrityOk());
        const int done = count(project.value(), "SELECT count(*) FROM run WHERE state = 'done'");
        QVERIFY(done >= 1);
        QCOMPARE(count(project.value(), "SELECT count(*) FROM result"), done * resultsPerRun); // every finished result, nothing half-written
        QCOMPARE(RunStore(project->database()).markInterrupted().value(), 1);
        QCOMPARE(RunStore(project->database()).run(id).value()->state, RunState::Interrupted);

        const Run restarted = cli({"run", "--project", path, "--retry-interrupted"});
        QVERIFY2(restarted.code == 0, qPrintable(restarted.out + restarted.err));
        QCOMPARE(count(project.value(), "SELECT count(*) FROM run WHERE state = 'done'"), runs);
        QCOMPARE(count(project.value(), "SELECT count(*) FROM result"), runs * resultsPerRun);
        QCOMPARE(count(project.value(), "SELECT count(*) FROM prediction"), runs * resultsPerRun * 6);
        QVERIFY(project->integrityOk());
    }
};

QTEST_GUILESS_MAIN(TestCliRuns)
#include "tst_cli_runs.moc"
