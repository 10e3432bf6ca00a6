#include "UiTestSupport.h"
#include "figures/FigureData.h"

#include <QTest>

using namespace ckptlab;

class TestFigureData : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    ResultSnapshot m_snapshot;

    FigureSpec trajectory(const QString& task, int shots, const QStringList& ft)
    {
        FigureSpec spec;
        spec.kind = FigureKind::Trajectory;
        spec.selection.task = task;
        spec.selection.shots = shots;
        spec.selection.ftTasks = ft;
        return spec;
    }

private slots:
    void initTestCase() { m_snapshot = testing::amuroSnapshot(m_dir); }

    void trajectoryMatchesTheTable_data()
    {
        QTest::addColumn<QString>("series");
        QTest::addColumn<QString>("checkpoint");
        QTest::addColumn<double>("value");
        QTest::addColumn<double>("err");
        // Straight from all_perf_table.csv (mnli_matched, 4-shot).
        QTest::newRow("base 1000") << "base" << "1000" << 0.3542014773306164 << 0.004852782750578254;
        QTest::newRow("base main") << "base" << "main" << 0.3273051451859399 << 0.0047194467791959287;
        QTest::newRow("mnli 342000") << "mnli" << "342000" << 0.7871625063678044 << 0.0040724873420101108;
        QTest::newRow("mnli main") << "mnli" << "main" << 0.7901171676006113 << 0.004093637090041076;
    }

    void trajectoryMatchesTheTable()
    {
        QFETCH(QString, series);
        QFETCH(QString, checkpoint);
        QFETCH(double, value);
        QFETCH(double, err);
        const FigureData data = buildFigureData(m_snapshot, trajectory("mnli_matched", 4, {"base", "mnli"}));
        QCOMPARE(data.series.size(), 2);
        QCOMPARE(data.xTicks.size(), 8);
        QCOMPARE(data.xTicks.last().second, QStringLiteral("main"));
        bool found = false;
        for (const FigureSeries& s : data.series)
            for (const FigurePoint& p : s.points)
                if (s.name == series && p.checkpointLabel == checkpoint) {
                    QCOMPARE(p.y, value);
                    QVERIFY(qAbs(p.err - err) < 1e-15);
                    found = true;
                }
        QVERIFY(found);
    }

    void csvHasOneRowPerPoint()
    {
        const FigureData data = buildFigureData(m_snapshot, trajectory("mnli_matched", 4, {"base", "mnli"}));
        const QStringList lines = figureDataCsv(data).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QStringLiteral("series,checkpoint,step,x,y,err"));
        QCOMPARE(lines.size(), 1 + 16);
        QVERIFY(lines.contains(QStringLiteral("mnli,342000,342000,2,0.7871625063678044,0.004072487342010111")));
        // The final checkpoint has no known step: the step cell is empty, x is its index.
        QVERIFY(lines.contains(QStringLiteral("base,main,,7,0.3273051451859399,0.004719446779195929")));
    }

    void stepAxisLeavesOffTheUnknownFinalStep()
    {
        FigureSpec spec = trajectory("mnli_matched", 4, {"base"});
        spec.xAxis = XAxisMode::Step;
        spec.logX = true;
        const FigureData data = buildFigureData(m_snapshot, spec);
        QCOMPARE(data.series.size(), 1);
        QCOMPARE(data.series[0].points.size(), 7);
        QCOMPARE(data.series[0].points.first().x, 1000.0);
        QCOMPARE(data.series[0].points.last().x, 738000.0);
        QVERIFY(data.logX);
        QVERIFY(data.xTicks.isEmpty());
        QCOMPARE(data.notes.size(), 1);
        QVERIFY(data.notes.first().contains(QStringLiteral("main")));
    }

    void missingCheckpointsAreGaps()
    {
        // paws fine-tuned models lack mnli_matched 4-shot at 342000 and 738000 in the table.
        const FigureData data = buildFigureData(m_snapshot, trajectory("mnli_matched", 4, {"paws"}));
        QCOMPARE(data.series.size(), 1);
        QStringList labels;
        for (const FigurePoint& p : data.series[0].points)
            labels << p.checkpointLabel;
        QVERIFY(!labels.contains(QStringLiteral("342000")));
        QVERIFY(!labels.contains(QStringLiteral("738000")));
        QCOMPARE(labels.size(), 6);
        for (const FigurePoint& p : data.series[0].points)
            QVERIFY(p.y > 0.3 && p.y < 0.4);
    }

    void changeIsTunedMinusBase()
    {
        FigureSpec spec = trajectory("mnli_matched", 4, {"mnli"});
        spec.kind = FigureKind::Change;
        const FigureData data = buildFigureData(m_snapshot, spec);
        QCOMPARE(data.series.size(), 1);
        QVERIFY(data.zeroLine);
        for (const FigurePoint& p : data.series[0].points)
            if (p.checkpointLabel == QLatin1String("342000"))
                QCOMPARE(p.y, 0.7871625063678044 - 0.3433520122261844);
        spec.changeMode = ChangeMode::Ratio;
        const FigureData ratio = buildFigureData(m_snapshot, spec);
        for (const FigurePoint& p : ratio.series[0].points)
            if (p.checkpointLabel == QLatin1String("342000"))
                QCOMPARE(p.y, (0.7871625063678044 - 0.3433520122261844) / 0.3433520122261844);
    }

    void forgettingShowsUntrainedTasks()
    {
        FigureSpec spec = trajectory("mnli_matched", 4, {"mnli"});
        spec.kind = FigureKind::Change;
        spec.changeMode = ChangeMode::Forgetting;
        const FigureData data = buildFigureData(m_snapshot, spec);
        QVERIFY(!data.isEmpty());
        QStringList names;
        for (const FigureSeries& s : data.series)
            names << s.name;
        QVERIFY(!names.contains(QStringLiteral("mnli_matched")));
        QVERIFY(names.contains(QStringLiteral("paws")));
    }

    void aggregateAveragesTrainedAndOtherTasks()
    {
        FigureSpec spec = trajectory(QString(), 4, {"mnli"});
        spec.kind = FigureKind::Change;
        spec.changeMode = ChangeMode::Aggregate;
        const FigureData data = buildFigureData(m_snapshot, spec);
        QCOMPARE(data.series.size(), 2);
        QCOMPARE(data.series[0].name, QStringLiteral("tasks trained on"));
        QVERIFY(data.series[0].bars);
        // By hand: the change on each in-domain task at 342000, averaged.
        double sum = 0;
        int n = 0;
        for (const char* task : {"mnli_matched", "mnli_mismatched"}) {
            FigureSpec one = trajectory(QLatin1String(task), 4, {"mnli"});
            one.kind = FigureKind::Change;
            for (const FigurePoint& p : buildFigureData(m_snapshot, one).series.value(0).points)
                if (p.checkpointLabel == QLatin1String("342000")) {
                    sum += p.y;
                    ++n;
                }
        }
        QVERIFY(n >= 1);
        bool found = false;
        for (const FigurePoint& p : data.series[0].points)
            if (p.checkpointLabel == QLatin1String("342000")) {
                QVERIFY(qAbs(p.y - sum / n) < 1e-12);
                QVERIFY(p.low <= p.y && p.y <= p.high);
                found = true;
            }
        QVERIFY(found);
        // Other tasks: mnli fine-tuning moves them far less than it moves mnli itself.
        for (const FigurePoint& p : data.series[1].points)
            if (p.checkpointLabel == QLatin1String("342000"))
                QVERIFY(qAbs(p.y) < sum / n);
    }

    void sensitivityNeedsFormats()
    {
        FigureSpec spec = trajectory("mnli_matched", 4, {"base", "mnli"});
        spec.kind = FigureKind::Sensitivity;
        const FigureData data = buildFigureData(m_snapshot, spec);
        QVERIFY(!data.isEmpty());
        for (const FigureSeries& s : data.series)
            for (const FigurePoint& p : s.points)
                QVERIFY(p.y >= 0);
        spec.spread = SpreadMode::FormatLines;
        const FigureData lines = buildFigureData(m_snapshot, spec);
        QVERIFY(lines.series.size() >= 4);
    }

    void gainIsAScatter()
    {
        FigureSpec spec;
        spec.kind = FigureKind::Gain;
        spec.selection.shots = 4;
        spec.selection.ftTasks = {QStringLiteral("mnli")};
        const FigureData data = buildFigureData(m_snapshot, spec);
        QCOMPARE(data.series.size(), 1);
        QVERIFY(data.series[0].scatter);
        QVERIFY(data.series[0].points.size() > 8);
        QVERIFY(figureDataCsv(data).startsWith(QStringLiteral("series,checkpoint,step,x,y,err,task\n")));
    }

    void unknownTaskExplainsItself()
    {
        const FigureData data = buildFigureData(m_snapshot, trajectory("no_such_task", 0, {}));
        QVERIFY(data.isEmpty());
        QVERIFY(data.emptyReason.contains(QStringLiteral("no_such_task")));
        const FigureData wrongShots = buildFigureData(m_snapshot, trajectory("mnli_matched", 9, {}));
        QVERIFY(wrongShots.isEmpty());
        QVERIFY(!wrongShots.emptyReason.isEmpty());
    }
};

QTEST_MAIN(TestFigureData)
#include "tst_figure_data.moc"
