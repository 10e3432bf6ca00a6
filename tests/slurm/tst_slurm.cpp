// Runs on a real Slurm (tests/slurm/local-cluster.sh brings up a one-node cluster on this
// machine and runs this test inside it) through the real ckptlab-cli: submit → collect gives
// the numbers of a local run of the same plan; submitting and collecting twice duplicate
// nothing; one array task cancelled; a worker killed with -9 leaves its run interrupted, and
// resubmitting completes it.

#include "../support/CliProcess.h"
#include "../support/TinyEvalSetup.h"
#include "../support/ProjectQueries.h"
#include "project/Project.h"
#include "project/RunStore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace ckptlab;
using ckptlab::testing::count;

namespace {

using Run = ckptlab::testing::CliRun;
using ckptlab::testing::cli;

QMap<QString, double> resultsOf(const QString& path)
{
    auto project = Project::open(path, Project::Mode::OpenExisting);
    QMap<QString, double> out;
    QSqlQuery q(project->database());
    q.exec(QStringLiteral("SELECT c.label, IFNULL(rc.ft_task, 'base'), t.name, f.name, r.shots, r.metric, r.value "
                          "FROM result r JOIN model m ON m.id = r.model_id JOIN checkpoint c ON c.id = m.checkpoint_id "
                          "LEFT JOIN recipe rc ON rc.id = m.recipe_id JOIN task t ON t.id = r.task_id "
                          "JOIN prompt_format f ON f.id = r.format_id"));
    while (q.next())
        out.insert(QStringList{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                               q.value(4).toString(), q.value(5).toString()}.join('|'),
                   q.value(6).toDouble());
    project->closeThreadConnection();
    return out;
}

QMap<RowId, RunState> statesOf(const QString& path)
{
    auto project = Project::open(path, Project::Mode::OpenExisting);
    QMap<RowId, RunState> out;
    const auto runs = RunStore(project->database()).runs();
    if (runs)
        for (const RunRecord& r : runs.value())
            out.insert(r.id, r.state);
    project->closeThreadConnection();
    return out;
}

} // namespace

class TestSlurm : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir{QDir::tempPath() + QStringLiteral("/ckptlab-slurm-test-XXXXXX")};
    QString m_spec;

    QString plannedProject(const QString& name, int epochs, const QStringList& steps = {"100", "200"})
    {
        const QString series = testing::writeTinyRun(m_dir.filePath(name + "-data"), steps);
        const QString path = m_dir.filePath(name + ".ckptlab");
        if (cli({"scan", "--project", path, series}).code != 0)
            qFatal("scan failed");
        const Run plan = cli({"plan", "--project", path, "--checkpoints", "neox-tiny", "--finetune", m_spec, "--epochs",
                              QString::number(epochs), "--lr", "3e-3", "--batch", "4", "--max-length", "64", "--eval", m_spec,
                              "--eval-formats", "*"});
        if (plan.code != 0)
            qFatal("plan failed: %s", qPrintable(plan.err));
        return path;
    }

    Run submit(const QString& project, const QStringList& extra = {})
    {
        return cli(QStringList{"submit", "--project", project, "--slurm", "--cpus-per-run", "1", "--mem", "500M"} + extra);
    }

    // The run folder of the first run whose worker has trained a few steps.
    QString waitForTraining(const QString& project, int timeoutMs)
    {
        QElapsedTimer clock;
        clock.start();
        const QString runs = QFileInfo(project).absoluteDir().filePath(QFileInfo(project).completeBaseName() + ".runs");
        while (clock.elapsed() < timeoutMs) {
            for (const QString& dir : QDir(runs).entryList({"run-*"}, QDir::Dirs))
                if (QFile::exists(runs + "/" + dir + "/trainer_state.pt"))
                    return runs + "/" + dir;
            QThread::msleep(100);
        }
        return {};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!qEnvironmentVariableIsEmpty("SLURM_CONF"), "run me through tests/slurm/local-cluster.sh run");
        m_spec = testing::writeYesNoFineTuneTask(m_dir.filePath("task"), 16, 6);
    }

    void submitThenCollectEqualsALocalRun()
    {
        const QString onSlurm = plannedProject("slurm", 2);
        const QString local = plannedProject("local", 2);
        const Run submitted = submit(onSlurm);
        QVERIFY2(submitted.code == 0, qPrintable(submitted.err + submitted.out));
        QVERIFY2(submitted.out.contains("as Slurm job array"), qPrintable(submitted.out));
        const QString slurmFolder = m_dir.filePath("slurm.runs/slurm");
        QVERIFY2(!QDir(slurmFolder).entryList({"array-*.sh"}).isEmpty(), "the batch script is kept");
        QVERIFY(QFile::exists(slurmFolder + "/settings.json"));

        // Submitting again submits nothing new.
        const int runsBefore = statesOf(onSlurm).size();
        const Run again = submit(onSlurm);
        QCOMPARE(again.code, 1);
        QVERIFY2(again.err.contains("no queued runs"), qPrintable(again.err));
        QCOMPARE(statesOf(onSlurm).size(), runsBefore);

        const Run collected = cli({"collect", "--project", onSlurm, "--wait", "--timeout", "240"});
        QVERIFY2(collected.code == 0, qPrintable(collected.err + collected.out));
        for (RunState s : statesOf(onSlurm))
            QCOMPARE(s, RunState::Done);
        QVERIFY2(cli({"run", "--project", local}).code == 0, "the local run");
        const auto expected = resultsOf(local);
        QVERIFY(expected.size() >= 8);
        QCOMPARE(resultsOf(onSlurm), expected);

        // Collecting again changes nothing.
        QCOMPARE(cli({"collect", "--project", onSlurm}).code, 0);
        QCOMPARE(resultsOf(onSlurm).size(), expected.size());
        auto project = Project::open(onSlurm, Project::Mode::OpenExisting);
        QCOMPARE(count(project.value(), "SELECT count(*) FROM result"), expected.size());
        const Run status = cli({"status", "--project", onSlurm});
        QVERIFY2(status.code == 0 && status.out.contains("slurm:"), qPrintable(status.out));
        project->closeThreadConnection();
    }

    void cancelOneArrayTask()
    {
        const QString path = plannedProject("cancel", 400);
        QVERIFY(submit(path, {"--max-parallel", "1"}).code == 0);
        const QMap<RowId, RunState> runs = statesOf(path);
        const RowId last = runs.lastKey();   // pending behind --max-parallel 1
        const Run cancelled = cli({"cancel", "--project", path, QString::number(last)});
        QVERIFY2(cancelled.code == 0, qPrintable(cancelled.err));
        QCOMPARE(statesOf(path).value(last), RunState::Cancelled);
        const Run collected = cli({"collect", "--project", path, "--wait", "--timeout", "300"});
        QVERIFY2(collected.code == 0, qPrintable(collected.err + collected.out));
        const auto states = statesOf(path);
        for (auto it = states.begin(); it != states.end(); ++it)
            QCOMPARE(it.value(), it.key() == last ? RunState::Cancelled : RunState::Done);
    }

    void killedWorkerIsInterruptedThenResubmitted()
    {
        const QString path = plannedProject("kill", 400, {"100"});
        QVERIFY(submit(path).code == 0);
        const QString runDir = waitForTraining(path, 120000);
        QVERIFY2(!runDir.isEmpty(), "a worker started training");
        QProcess::execute(QStringLiteral("pkill"), {"-9", "-f", "worker " + runDir});
        const Run collected = cli({"collect", "--project", path, "--wait", "--timeout", "120"});
        QVERIFY2(collected.code == 0, qPrintable(collected.err + collected.out));
        QVERIFY2(collected.out.contains("interrupted"), qPrintable(collected.out));
        const auto states = statesOf(path);
        QVERIFY(states.values().contains(RunState::Interrupted));

        const Run again = submit(path, {"--retry"});
        QVERIFY2(again.code == 0, qPrintable(again.err + again.out));
        const Run done = cli({"collect", "--project", path, "--wait", "--timeout", "300"});
        QVERIFY2(done.code == 0, qPrintable(done.err + done.out));
        for (RunState s : statesOf(path))
            QCOMPARE(s, RunState::Done);
        const auto status = QJsonDocument::fromJson([&] {
            QFile f(runDir + "/status.json");
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }()).object();
        QVERIFY2(status.value("stats").toObject().value("resumed_from_step").toInt() > 0, "the retry resumed from the saved state");
    }

    void sbatchFailingMarksNothing()
    {
        const QString path = plannedProject("bad-sbatch", 2, {"100"});
        const Run failed = submit(path, {"--partition", "no-such-partition"});
        QCOMPARE(failed.code, 1);
        QVERIFY2(failed.err.contains("sbatch failed") && failed.err.contains("partition"), qPrintable(failed.err));
        for (RunState s : statesOf(path))
            QCOMPARE(s, RunState::Queued);
    }
};

QTEST_GUILESS_MAIN(TestSlurm)
#include "tst_slurm.moc"
