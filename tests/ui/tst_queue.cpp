#include "../support/TinyEvalSetup.h"
#include "MainWindow.h"
#include "render/LossCurveView.h"
#include "jobs/ProjectSession.h"
#include "jobs/RunPlanner.h"
#include "jobs/RunQueue.h"
#include "models/RunTableModel.h"
#include "models/RunText.h"
#include "project/RunStore.h"
#include "widgets/CheckpointPicker.h"
#include "widgets/PlanDialog.h"
#include "widgets/PlanEstimator.h"
#include "widgets/QueueDock.h"
#include "widgets/TaskSpecList.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFrame>
#include <QLineEdit>
#include <QComboBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace ckptlab;

namespace {

// The longest time the GUI thread's event loop went without running a 5 ms timer.
class StallMeter : public QObject {
public:
    StallMeter()
    {
        m_timer.setInterval(5);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_maxGapNs = std::max(m_maxGapNs, now - m_lastNs);
            m_lastNs = now;
        });
    }
    void start()
    {
        m_clock.start();
        m_lastNs = 0;
        m_maxGapNs = 0;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    // Leaves out work the test itself does on the GUI thread (a screenshot).
    template <typename F>
    void excluding(F&& work)
    {
        m_timer.stop();
        work();
        m_lastNs = m_clock.nsecsElapsed();
        m_timer.start();
    }
    double maxGapMs() const { return m_maxGapNs / 1e6; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_maxGapNs = 0;
};

RunRecord record(RowId id, RunState state, RunKind kind = RunKind::FineTune)
{
    RunRecord r;
    r.id = id;
    r.kind = kind;
    r.state = state;
    r.title = QStringLiteral("neox-tiny step%1 · yesno").arg(id);
    return r;
}

RunProgress tick(RowId id, int step, double loss, bool paused = false)
{
    RunProgress p;
    p.runId = id;
    p.phase = RunPhase::Training;
    p.step = step;
    p.totalSteps = 10;
    p.loss = loss;
    p.fraction = 0.07 * step;
    p.etaSeconds = 12;
    p.paused = paused;
    p.device = QStringLiteral("cpu");
    p.detail = QStringLiteral("step %1/10").arg(step);
    return p;
}

// A yes/no task that can be fine-tuned on: `trainItems` training examples and 4 to evaluate.
QString writeTrainableTask(const QString& root, int trainItems)
{
    testing::writeYesNoTask(root, 4);
    const char* questions[][2] = {{"Is snow white?", "yes"}, {"Is coal white?", "no"}, {"Do birds fly?", "yes"},
                                  {"Do rocks swim?", "no"}};
    QByteArray train;
    for (int i = 0; i < trainItems; ++i)
        train += QStringLiteral("{\"q\": \"%1\", \"label\": \"%2\"}\n").arg(QLatin1String(questions[i % 4][0]), QLatin1String(questions[i % 4][1])).toUtf8();
    testing::writeTestFile(root + QStringLiteral("/yesno_train.jsonl"), train);
    const QString spec = root + QStringLiteral("/yesno_ft.json");
    testing::writeTestFile(spec, R"({"name": "yesno", "kind": "classification", "metric": "accuracy", "fields": ["q"],
        "label_field": "label", "label_words": ["yes", "no"], "train": "yesno_train.jsonl", "eval": "yesno.jsonl",
        "formats": {"default": "Q: {q}\nA:", "instruct": "Answer yes or no. {q}"}, "default_format": "default"})");
    return spec;
}

} // namespace

class TestQueue : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_spec;
    std::unique_ptr<MainWindow> m_window;

    Project project() const
    {
        auto p = Project::open(m_window->session()->path(), Project::Mode::OpenExisting);
        if (!p)
            qFatal("%s", qPrintable(p.error()));
        return p.value();
    }

    QVector<CheckpointInfo> scanned() const
    {
        QVector<CheckpointInfo> out;
        for (const CheckpointInfo& c : m_window->session()->snapshot().checkpoints)
            if (c.status == QLatin1String("ok"))
                out << c;
        return out;
    }

    // Queues a plan of the scanned checkpoints fine-tuned on the task with these settings.
    int queue(int epochs, double learningRate, int batch, int seed, qint64 checkpoints = 2)
    {
        RunPlanRequest request;
        request.name = QStringLiteral("test");
        request.checkpoints = scanned().mid(0, int(checkpoints));
        request.grid.taskSpecs = {m_spec};
        request.grid.epochs = {epochs};
        request.grid.learningRates = {learningRate};
        request.grid.batchSizes = {batch};
        request.grid.maxLengths = {64};
        request.grid.seeds = {seed};
        request.grid.saveWeights = false;
        request.evaluations = {EvalSuiteRequest{m_spec, {}, {0}, 0}};
        request.device = QStringLiteral("cpu");
        const Project p = project();
        const auto estimate = estimatePlan(p, request);
        if (!estimate)
            qFatal("%s", qPrintable(estimate.error()));
        const auto queued = queuePlan(p, request, estimate.value());
        if (!queued)
            qFatal("%s", qPrintable(queued.error()));
        m_window->runQueue()->queueChanged();
        return queued.value();
    }

    RunTableModel* table() const { return m_window->queueDock()->model(); }

    // The queue as text, for failure messages.
    QString tableText() const
    {
        QStringList rows;
        for (int r = 0; r < table()->rowCount(); ++r) {
            QStringList cells;
            for (int c = 0; c < RunTableModel::ColumnCount; ++c)
                cells << table()->index(r, c).data().toString();
            rows << cells.join(QStringLiteral(" | "));
        }
        return rows.join(QLatin1Char('\n'));
    }

    QString stateOf(RowId id) const
    {
        const int row = table()->rowOf(id);
        return row < 0 ? QString() : table()->displayState(row);
    }

    // The first run of the table in `state` (0 when none).
    RowId firstRunIn(RunState state) const
    {
        for (int r = 0; r < table()->rowCount(); ++r)
            if (table()->displayState(r) == runStateText(state))
                return table()->runAt(r)->id;
        return 0;
    }

    void waitIdle()
    {
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->session()->isBusy(), 20000);
        QCoreApplication::processEvents();
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ckptlab-test"));
        QSettings().remove(QStringLiteral("queue/runOn")); // the queue runs on this machine
        m_spec = writeTrainableTask(m_dir.filePath(QStringLiteral("task")), 200);
        const QString run = testing::writeTinyRun(m_dir.path(), {QStringLiteral("1000"), QStringLiteral("2000")});
        m_window = std::make_unique<MainWindow>();
        m_window->resize(1400, 900);
        m_window->show();
        QVERIFY(m_window->openProject(m_dir.filePath(QStringLiteral("queue.ckptlab")), true));
        waitIdle();
        QSignalSpy summaries(m_window.get(), &MainWindow::importSummaryShown);
        m_window->addCheckpointFolders({run});
        QTRY_COMPARE_WITH_TIMEOUT(summaries.size(), 1, 30000);
        waitIdle();
        QCOMPARE(scanned().size(), 2);
    }

    void runTablePassesTheModelTester()
    {
        RunTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRuns({record(1, RunState::Done), record(2, RunState::Running), record(3, RunState::Queued)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(RunTableModel::ColumnCount));
        QCOMPARE(model.index(0, RunTableModel::Progress).data(RunTableModel::ProgressRole).toInt(), 100);
        QVERIFY(model.index(2, RunTableModel::Progress).data().toString().isEmpty()); // queued: no bar yet

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.updateProgress(tick(2, 3, 0.75));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed[0][0].toModelIndex().row(), 1);
        QCOMPARE(changed[0][1].toModelIndex().row(), 1);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(model.index(1, RunTableModel::Loss).data().toString(), QStringLiteral("0.7500"));
        QCOMPARE(model.index(1, RunTableModel::Progress).data(RunTableModel::ProgressRole).toInt(), 21);
        QCOMPARE(model.index(1, RunTableModel::Eta).data().toString(), QStringLiteral("12 s left"));

        model.updateProgress(tick(2, 4, 0.7, true));
        QCOMPARE(model.displayState(1), QStringLiteral("paused"));
        QVERIFY(model.index(1, RunTableModel::Progress).data(RunTableModel::PausedRole).toBool());

        // The same rows again: updated in place, no reset.
        RunRecord finished = record(2, RunState::Done);
        finished.lossCurve = {0.9, 0.8, 0.75, 0.7, 0.6};
        model.setRuns({record(1, RunState::Done), finished, record(3, RunState::Running)});
        QCOMPARE(reset.size(), 0);
        QCOMPARE(model.displayState(1), QStringLiteral("done"));
        QCOMPARE(model.index(1, RunTableModel::Loss).data().toString(), QStringLiteral("0.6000"));
        // Moved rows: a reset.
        model.setRuns({record(3, RunState::Queued), record(1, RunState::Done)});
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.rowOf(1), 1);
        QCOMPARE(model.rowOf(2), -1);
        model.updateProgress(tick(99, 1, 0.5)); // not listed (yet): ignored
        model.setRuns({});
        QCOMPARE(model.rowCount(), 0);
    }

    void lossCurveGrowsFromProgress()
    {
        RunTableModel model;
        RunRecord running = record(5, RunState::Running);
        running.lossCurve = {1.0, 0.9};             // saved by the executor a moment ago
        model.setRuns({running});
        QSignalSpy points(&model, &RunTableModel::lossPointAdded);
        model.updateProgress(tick(5, 2, 0.9));
        model.updateProgress(tick(5, 4, 0.8));
        model.updateProgress(tick(5, 4, 0.8));      // the same step again (a pause tick): no new point
        QCOMPARE(points.size(), 2);
        const QVector<QPointF> curve = model.lossCurve(5);
        QCOMPARE(curve.size(), 3);
        QCOMPARE(curve[0], QPointF(1, 1.0));
        QCOMPARE(curve[1], QPointF(2, 0.9));
        QCOMPARE(curve[2], QPointF(4, 0.8));
        RunOutcome outcome;
        outcome.runId = 5;
        outcome.state = RunState::Failed;
        outcome.error = QStringLiteral("out of memory");
        outcome.lossCurve = {1.0, 0.9, 0.85, 0.8};
        model.finishRun(outcome);
        QCOMPARE(model.displayState(0), QStringLiteral("failed"));
        QCOMPARE(model.index(0, RunTableModel::Detail).data().toString(), QStringLiteral("out of memory"));
        QCOMPARE(model.lossCurve(5).size(), 4);
    }

    void planDialogEstimatesQueuesAndTheGuiStaysResponsive()
    {
        PlanDialog* dialog = m_window->planFineTuning();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        QCOMPARE(dialog->checkpoints()->checkedCheckpoints().size(), 2);
        QVERIFY(dialog->tasks()->addSpec(m_spec, true, true));
        dialog->findChild<QLineEdit*>(QStringLiteral("planEpochs"))->setText(QStringLiteral("3"));
        dialog->findChild<QLineEdit*>(QStringLiteral("planLearningRates"))->setText(QStringLiteral("1e-3"));
        dialog->findChild<QLineEdit*>(QStringLiteral("planBatchSizes"))->setText(QStringLiteral("1"));
        dialog->findChild<QLineEdit*>(QStringLiteral("planMaxLengths"))->setText(QStringLiteral("64"));
        QTRY_VERIFY_WITH_TIMEOUT(dialog->canQueue(), 20000);
        QVERIFY2(dialog->estimateText().contains(QStringLiteral("4 new run(s)")), qPrintable(dialog->estimateText()));
        QVERIFY2(dialog->estimateText().contains(QStringLiteral("2 fine-tuning, 2 base-model evaluation")),
                 qPrintable(dialog->estimateText()));
        QVERIFY2(dialog->warningText().isEmpty(), qPrintable(dialog->warningText()));

        // A bad list is named; an enormous batch will not fit in memory, in red.
        dialog->findChild<QLineEdit*>(QStringLiteral("planSeeds"))->setText(QStringLiteral("42, x"));
        QTRY_VERIFY(dialog->warningText().contains(QStringLiteral("Seeds")));
        QVERIFY(!dialog->canQueue());
        dialog->findChild<QLineEdit*>(QStringLiteral("planSeeds"))->setText(QStringLiteral("42"));
        dialog->findChild<QLineEdit*>(QStringLiteral("planBatchSizes"))->setText(QStringLiteral("100000000"));
        QTRY_VERIFY_WITH_TIMEOUT(dialog->warningText().contains(QStringLiteral("will not fit")), 20000);
        dialog->findChild<QLineEdit*>(QStringLiteral("planBatchSizes"))->setText(QStringLiteral("1"));
        QTRY_VERIFY_WITH_TIMEOUT(dialog->canQueue(), 20000);
        QVERIFY(dialog->warningText().isEmpty());
        dialog->grab().save(QDir::temp().filePath(QStringLiteral("ckptlab-plan-dialog.png")));

        QSignalSpy drained(m_window->runQueue(), &RunQueue::drained);
        QSignalSpy notices(m_window.get(), &MainWindow::queueDrainedNotice);
        StallMeter stalls;
        stalls.start();
        dialog->accept(); // queues on a worker, then starts the queue
        // A screenshot while a run trains (not counted as a stall: the test takes it).
        QTRY_VERIFY2_WITH_TIMEOUT(firstRunIn(RunState::Running) && table()->lossCurve(firstRunIn(RunState::Running)).size() > 5,
                                  qPrintable(tableText()), 30000);
        stalls.excluding([this] { m_window->grab().save(QDir::temp().filePath(QStringLiteral("ckptlab-queue-running.png"))); });
        QTRY_COMPARE_WITH_TIMEOUT(drained.size(), 1, 50000);
        stalls.stop();
        qInfo("longest GUI event-loop stall while 4 runs trained and evaluated: %.1f ms", stalls.maxGapMs());
        QVERIFY2(stalls.maxGapMs() < 100.0, qPrintable(QStringLiteral("%1 ms").arg(stalls.maxGapMs())));
        QCOMPARE(drained[0][0].toInt(), 4);
        QCOMPARE(drained[0][1].toInt(), 0);
        QCOMPARE(notices.size(), 1);
        QVERIFY(m_window->queueDock()->notice().contains(QStringLiteral("Queue finished")));

        // Every run shows done, and the fine-tuned results are in the charts' snapshot.
        QTRY_COMPARE(table()->rowCount(), 4);
        QTRY_COMPARE(table()->count(RunState::Done), 4);
        for (int r = 0; r < table()->rowCount(); ++r)
            QCOMPARE(table()->index(r, RunTableModel::State).data().toString(), QStringLiteral("done"));
        QVERIFY2(m_window->queueDock()->statusText().startsWith(QStringLiteral("0 running · 0 queued · 4 done · 0 failed")),
                 qPrintable(m_window->queueDock()->statusText()));
        const auto fineTunedResults = [this] {
            int n = 0;
            for (const ResultRow& r : m_window->session()->snapshot().results)
                n += r.recipeId != kBaseRecipe ? 1 : 0;
            return n;
        };
        QTRY_COMPARE_WITH_TIMEOUT(fineTunedResults(), 2, 10000);
        QCOMPARE(m_window->session()->snapshot().results.size(), 4);

        // Selecting a finished fine-tuning run charts its whole loss curve.
        RowId fineTune = 0;
        for (int r = 0; r < table()->rowCount() && !fineTune; ++r)
            if (table()->runAt(r)->kind == RunKind::FineTune)
                fineTune = table()->runAt(r)->id;
        m_window->queueDock()->selectRuns({fineTune});
        QCOMPARE(m_window->queueDock()->chartedRun(), fineTune);
        QCOMPARE(m_window->queueDock()->lossView()->pointCount(), table()->runAt(table()->rowOf(fineTune))->lossCurve.size());
        QVERIFY(m_window->queueDock()->lossView()->pointCount() >= 600);
    }

    void pauseResumeAndCancelFromTheDock()
    {
        QueueDock* dock = m_window->queueDock();
        QCOMPARE(queue(4, 5e-4, 1, 42), 2); // 800 steps each; the base evaluations are already done
        QTRY_VERIFY_WITH_TIMEOUT(firstRunIn(RunState::Running) != 0, 20000);
        const RowId running = firstRunIn(RunState::Running);
        QTRY_VERIFY_WITH_TIMEOUT(table()->liveProgress(running) && table()->liveProgress(running)->step > 0, 20000);

        dock->pauseAction()->trigger();
        QVERIFY(m_window->runQueue()->isPaused());
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(running), QStringLiteral("paused"), 10000);
        QCOMPARE(dock->pauseAction()->text(), QStringLiteral("Resume"));
        QVERIFY(dock->statusText().startsWith(QStringLiteral("Paused")));
        const int heldAt = table()->liveProgress(running)->step;
        QTest::qWait(400);
        QCOMPARE(table()->liveProgress(running)->step, heldAt);
        dock->pauseAction()->trigger();
        QVERIFY(!m_window->runQueue()->isPaused());
        QTRY_VERIFY_WITH_TIMEOUT(table()->liveProgress(running) && table()->liveProgress(running)->step > heldAt, 10000);
        QCOMPARE(stateOf(running), runStateText(RunState::Running));

        // Cancel the queued run, then the running one (it keeps its training state).
        const RowId queued = firstRunIn(RunState::Queued);
        QVERIFY(queued != 0);
        dock->selectRuns({queued});
        QVERIFY(dock->cancelAction()->isEnabled());
        QVERIFY(!dock->retryAction()->isEnabled());
        dock->cancelAction()->trigger();
        QTRY_COMPARE(stateOf(queued), runStateText(RunState::Cancelled));
        dock->selectRuns({running});
        dock->cancelAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(running), runStateText(RunState::Cancelled), 10000);
        const QString detail = table()->index(table()->rowOf(running), RunTableModel::Detail).data().toString();
        QVERIFY2(detail.contains(QStringLiteral("cancelled at step")), qPrintable(detail));

        // Retry resumes it and it finishes.
        dock->selectRuns({running});
        QVERIFY(dock->retryAction()->isEnabled());
        QCOMPARE(dock->retryAction()->text(), QStringLiteral("Retry"));
        dock->retryAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(stateOf(running) == runStateText(RunState::Queued) || stateOf(running) == runStateText(RunState::Running), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(running), runStateText(RunState::Done), 40000);
        QVERIFY(dock->statusText().contains(QStringLiteral("1 cancelled")));
    }

    void reorderAndRemoveQueuedRuns()
    {
        m_window->runQueue()->stop();
        QCOMPARE(queue(1, 1e-3, 4, 8), 2);
        QTRY_COMPARE(table()->count(RunState::Queued), 2);
        QueueDock* dock = m_window->queueDock();
        RowId first = firstRunIn(RunState::Queued);
        RowId second = 0;
        for (int r = table()->rowOf(first) + 1; r < table()->rowCount() && !second; ++r)
            if (table()->effectiveState(r) == RunState::Queued)
                second = table()->runAt(r)->id;
        QVERIFY(second != 0);
        QVERIFY2(dock->statusText().startsWith(QStringLiteral("Stopped")), qPrintable(dock->statusText()));

        dock->selectRuns({second});
        QVERIFY(dock->moveUpAction()->isEnabled());
        dock->moveUpAction()->trigger();
        QTRY_VERIFY(table()->rowOf(second) < table()->rowOf(first));
        QCOMPARE(dock->selectedRunIds(), QVector<RowId>{second}); // the selection follows the run
        dock->moveDownAction()->trigger();
        QTRY_VERIFY(table()->rowOf(second) > table()->rowOf(first));

        dock->selectRuns({first, second});
        QVERIFY(!dock->moveUpAction()->isEnabled());   // one run at a time
        QVERIFY(dock->removeAction()->isEnabled());
        dock->removeAction()->trigger();
        QTRY_VERIFY(table()->rowOf(first) < 0 && table()->rowOf(second) < 0);
        QCOMPARE(table()->count(RunState::Queued), 0);
    }

    // "Run on: Slurm cluster": Start submits the queue; where sbatch fails (no cluster here),
    // the message says so and every run stays queued.
    void runOnSlurmSubmitsOrSaysWhyNot()
    {
        m_window->runQueue()->stop();
        QueueDock* dock = m_window->queueDock();
        QCOMPARE(queue(1, 1e-3, 4, 8), 2);
        QTRY_COMPARE(table()->count(RunState::Queued), 2);
        dock->runOnBox()->setCurrentIndex(1);
        QCOMPARE(dock->startAction()->text(), QStringLiteral("Submit to Slurm"));
        QVERIFY(dock->startAction()->isEnabled());
        QSignalSpy errors(m_window->runQueue(), &RunQueue::errorOccurred);
        // No Slurm on this PATH: sbatch cannot be found.
        const QByteArray path = qgetenv("PATH");
        qputenv("PATH", m_dir.path().toUtf8());
        dock->startAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(errors.count() > 0, 20000);
        qputenv("PATH", path);
        const QString message = errors.first().first().toString();
        QVERIFY2(message.startsWith(QLatin1String("sbatch: cannot run it")), qPrintable(message));
        QTRY_COMPARE(table()->count(RunState::Queued), 2);
        QVERIFY(!m_window->runQueue()->hasClusterRuns());
        dock->runOnBox()->setCurrentIndex(0);
        QCOMPARE(dock->startAction()->text(), QStringLiteral("Start queue"));
        QVector<RowId> queued;
        for (int r = 0; r < table()->rowCount(); ++r)
            if (table()->effectiveState(r) == RunState::Queued)
                queued << table()->runAt(r)->id;
        dock->selectRuns(queued);
        dock->removeAction()->trigger();
        QTRY_COMPARE(table()->count(RunState::Queued), 0);
    }

    void interruptedRunRestartsWithOneClick()
    {
        m_window->runQueue()->stop();
        QCOMPARE(queue(1, 1e-3, 4, 7, 1), 1);
        // A process that died while it ran the run.
        {
            const Project p = project();
            const auto claimed = RunStore(p.database()).claimNext(QStringLiteral("cpu"), QSysInfo::machineHostName() + QStringLiteral(":999999"));
            QVERIFY(claimed && claimed.value());
        }
        QVERIFY(m_window->openProject(m_window->session()->path())); // as on the next start
        waitIdle();
        QueueDock* dock = m_window->queueDock();
        QTRY_COMPARE(table()->count(RunState::Interrupted), 1);
        const RowId interrupted = firstRunIn(RunState::Interrupted);
        QVERIFY(dock->findChild<QFrame*>(QStringLiteral("interruptedBanner"))->isVisible());
        QVERIFY(dock->restartInterruptedAction()->isEnabled());
        dock->selectRuns({interrupted});
        QCOMPARE(dock->retryAction()->text(), QStringLiteral("Restart"));
        m_window->grab().save(QDir::temp().filePath(QStringLiteral("ckptlab-queue-interrupted.png")));

        dock->restartInterruptedAction()->trigger(); // one click: queued again and the queue runs
        QVERIFY(m_window->runQueue()->isStarted());
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(interrupted), runStateText(RunState::Done), 30000);
        QTRY_VERIFY(!dock->findChild<QFrame*>(QStringLiteral("interruptedBanner"))->isVisible());
    }

    void planDialogOffersDemoTasksAndPreselection()
    {
        // A project made by the demo study has its tasks in "<project>.demo/tasks".
        const QString demoTasks = m_dir.filePath(QStringLiteral("queue.demo/tasks"));
        const QString demoSpec = writeTrainableTask(demoTasks, 8);
        const QVector<CheckpointInfo> one = scanned().mid(1, 1);
        PlanDialog* dialog = m_window->planFineTuning(one); // as the checkpoint dock's "Fine-tune…"
        QVERIFY(dialog);
        QCOMPARE(dialog->checkpoints()->checkedCheckpoints().size(), 1);
        QCOMPARE(dialog->checkpoints()->checkedCheckpoints().first().id, one.first().id);
        QVERIFY(dialog->tasks()->fineTuneSpecs().contains(QFileInfo(demoSpec).absoluteFilePath()));
        QVERIFY(dialog->tasks()->evaluationSpecs().contains(QFileInfo(demoSpec).absoluteFilePath()));
        dialog->checkpoints()->checkRange(QStringLiteral("neox-tiny"), 1500);
        QCOMPARE(dialog->checkpoints()->checkedCheckpoints().size(), 1);
        dialog->checkpoints()->checkRange({}, 0, 1000);
        QCOMPARE(dialog->checkpoints()->checkedCheckpoints().first().step.value_or(-1), 1000);
        // "Run on" offers the cluster; its runs carry the device no local executor takes.
        auto* runOn = dialog->findChild<QComboBox*>(QStringLiteral("planDevice"));
        QVERIFY(runOn && runOn->findData(QStringLiteral("slurm")) > 0);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->estimator()->isBusy(), 20000);
        dialog->reject();
    }

    void cleanupTestCase()
    {
        m_window->close();
        m_window.reset();
    }
};

QTEST_MAIN(TestQueue)
#include "tst_queue.moc"
