#include "UiTestSupport.h"
#include "models/CheckpointTreeModel.h"
#include "models/ProjectExplorerModel.h"
#include "models/ResultsTableModel.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace ckptlab;

class TestItemModels : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    ResultSnapshot m_snapshot;

private slots:
    void initTestCase() { m_snapshot = testing::amuroSnapshot(m_dir); }

    void resultsTablePassesTheModelTester()
    {
        ResultsTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(&m_snapshot);
        QCOMPARE(model.rowCount(), 648);
        ResultSelection selection;
        selection.task = QStringLiteral("mnli_matched");
        selection.shots = 4;
        selection.ftTasks = {QStringLiteral("base"), QStringLiteral("mnli")};
        model.setFilter(selection, false);
        QCOMPARE(model.rowCount(), 16);
        model.setFilter(selection, true);   // all tasks, still only base + mnli recipes
        QVERIFY(model.rowCount() > 16);
        model.setSnapshot(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void finalCheckpointSortsLast()
    {
        ResultsTableModel model;
        model.setSnapshot(&m_snapshot);
        ResultSelection selection;
        selection.task = QStringLiteral("mnli_matched");
        selection.shots = 4;
        selection.ftTasks = {QStringLiteral("base")};
        model.setFilter(selection, false);
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(ResultsTableModel::SortRole);
        proxy.sort(ResultsTableModel::Checkpoint, Qt::AscendingOrder);
        QCOMPARE(proxy.rowCount(), 8);
        QCOMPARE(proxy.index(0, ResultsTableModel::Checkpoint).data().toString(), QStringLiteral("1000"));
        QCOMPARE(proxy.index(1, ResultsTableModel::Checkpoint).data().toString(), QStringLiteral("18000"));
        QCOMPARE(proxy.index(7, ResultsTableModel::Checkpoint).data().toString(), QStringLiteral("main"));
        // Values sort as numbers, not as text.
        proxy.sort(ResultsTableModel::Value, Qt::AscendingOrder);
        double previous = -1;
        for (int r = 0; r < proxy.rowCount(); ++r) {
            const double v = proxy.index(r, ResultsTableModel::Value).data(ResultsTableModel::SortRole).toDouble();
            QVERIFY(v >= previous);
            previous = v;
        }
    }

    void copiesFullPrecisionTsv()
    {
        ResultsTableModel model;
        model.setSnapshot(&m_snapshot);
        ResultSelection selection;
        selection.task = QStringLiteral("mnli_matched");
        selection.shots = 4;
        selection.ftTasks = {QStringLiteral("mnli")};
        model.setFilter(selection, false);
        QList<int> rows;
        for (int r = 0; r < model.rowCount(); ++r)
            rows << r;
        const QStringList lines = model.toTsv(rows).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 9);
        QVERIFY(lines[0].startsWith(QStringLiteral("Series\tCheckpoint\tStep\tRecipe\tTask")));
        bool found = false;
        for (const QString& line : lines)
            found = found || (line.contains(QStringLiteral("\t342000\t")) && line.contains(QStringLiteral("\t0.7871625063678044\t")));
        QVERIFY(found);
    }

    void explorerPassesTheModelTester()
    {
        ProjectExplorerModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(m_snapshot);
        QCOMPARE(model.rowCount(), 3);
        const QModelIndex checkpoints = model.index(0, 0);
        QCOMPARE(model.rowCount(checkpoints), 1);                  // one series: olmo1b
        const QModelIndex series = model.index(0, 0, checkpoints);
        QCOMPARE(series.data(ProjectExplorerModel::NameRole).toString(), QStringLiteral("olmo1b"));
        QCOMPARE(model.rowCount(series), 8);
        QCOMPARE(model.index(7, 0, series).data(ProjectExplorerModel::NameRole).toString(), QStringLiteral("main"));
        int total = 0;
        for (int r = 0; r < model.rowCount(series); ++r)
            total += model.index(r, 0, series).data(ProjectExplorerModel::CountRole).toInt();
        QCOMPARE(total, 648);
        const QModelIndex tasks = model.index(1, 0);
        bool mnliHasThreeFormats = false;
        for (int r = 0; r < model.rowCount(tasks); ++r) {
            const QModelIndex t = model.index(r, 0, tasks);
            if (t.data(ProjectExplorerModel::NameRole).toString() == QLatin1String("mnli_matched"))
                mnliHasThreeFormats = model.rowCount(t) == 3;
        }
        QVERIFY(mnliHasThreeFormats);
        // Replacing the snapshot keeps the model consistent (the tester watches the resets).
        model.setSnapshot(ResultSnapshot{});
        QCOMPARE(model.rowCount(model.index(0, 0)), 0);
    }

    void checkpointTreePassesTheModelTester()
    {
        CheckpointTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(m_snapshot);
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex series = model.index(0, 0);
        QVERIFY(series.data().toString().startsWith(QStringLiteral("olmo1b")));
        QCOMPARE(model.rowCount(series), 8);
        QCOMPARE(model.index(0, CheckpointTreeModel::Step, series).data().toLongLong(), 1000);
        QCOMPARE(model.index(7, CheckpointTreeModel::Name, series).data().toString(), QStringLiteral("main"));
        QCOMPARE(model.parent(model.index(3, 2, series)), series);
        QCOMPARE(model.checkpointAt(model.index(2, 0, series))->label, QStringLiteral("342000"));
        QVERIFY(!model.checkpointAt(series));
        // Imported-only checkpoints were never scanned.
        QCOMPARE(model.index(0, CheckpointTreeModel::Status, series).data().toString(), QStringLiteral("results only"));
        model.setSnapshot(ResultSnapshot{});
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestItemModels)
#include "tst_item_models.moc"
