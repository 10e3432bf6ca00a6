#include "UiTestSupport.h"
#include "../support/TinyEvalSetup.h"
#include "MainWindow.h"
#include "render/ChartView.h"
#include "jobs/ProjectSession.h"
#include "widgets/FilterPanel.h"
#include "widgets/ResultsPanel.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QMimeData>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QTreeView>
#include <QDialog>
#include <QLineEdit>
#include <qcustomplot.h>

using namespace ckptlab;

namespace {

void dropFiles(QWidget* target, const QStringList& paths)
{
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString& p : paths)
        urls << QUrl::fromLocalFile(p);
    mime.setUrls(urls);
    const QPoint pos = target->rect().center();
    QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &drop);
}

QByteArray head(const QString& path, int bytes)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.read(bytes) : QByteArray();
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;

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
        m_window = std::make_unique<MainWindow>();
        m_window->resize(1300, 850);
        m_window->show();
        QVERIFY(m_window->openProject(m_dir.filePath(QStringLiteral("gui.ckptlab")), true));
        waitIdle();
    }

    void droppingAResultsFileImportsIt()
    {
        QSignalSpy summaries(m_window.get(), &MainWindow::importSummaryShown);
        dropFiles(m_window.get(), {testing::amuroTable()});
        QTRY_COMPARE_WITH_TIMEOUT(summaries.size(), 1, 30000);
        waitIdle();
        const QString summary = summaries.first().first().toString();
        QVERIFY2(summary.contains(QStringLiteral("648 inserted")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("checkpoint-1000_4shots")), "the skipped duplicate is listed");
        QCOMPARE(m_window->session()->snapshot().results.size(), 648);
    }

    void droppingABadFileChangesNothing()
    {
        const QString bad = m_dir.filePath(QStringLiteral("bad.csv"));
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("model_id,eval dataset,Performance\nolmo1b_checkpoint-1000_original,rte,0.5\n"
                    "olmo1b_checkpoint-18000_original,rte,not-a-number\n");
        }
        QSignalSpy summaries(m_window.get(), &MainWindow::importSummaryShown);
        dropFiles(m_window.get(), {bad});
        QTRY_COMPARE_WITH_TIMEOUT(summaries.size(), 1, 30000);
        waitIdle();
        const QString summary = summaries.first().first().toString();
        QVERIFY2(summary.contains(QStringLiteral("bad.csv")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral(":3")), qPrintable(summary));
        QCOMPARE(m_window->session()->snapshot().results.size(), 648);
    }

    void selectingATaskDrawsItsTrajectory()
    {
        FilterPanel* filters = m_window->filterPanel();
        filters->selectFtTasks({QStringLiteral("base"), QStringLiteral("mnli")});
        filters->selectTask(QStringLiteral("mnli_matched"), QStringLiteral("default"), 4);
        m_window->chartTabs()->setCurrentIndex(int(FigureKind::Trajectory));
        ChartView* chart = m_window->chartView(FigureKind::Trajectory);
        QCOMPARE(chart->figure().series.size(), 2);
        QCOMPARE(chart->figure().pointCount(), 16);
        QVERIFY(chart->plot()->graphCount() >= 2);
        // The results table shows the rows behind the chart.
        QCOMPARE(m_window->resultsPanel()->view()->model()->rowCount(), 16);
    }

    void everyTabDrawsSomething()
    {
        for (FigureKind kind : {FigureKind::Trajectory, FigureKind::Change, FigureKind::Sensitivity, FigureKind::Gain}) {
            m_window->chartTabs()->setCurrentIndex(int(kind));
            QCoreApplication::processEvents();
            ChartView* chart = m_window->chartView(kind);
            QVERIFY2(!chart->figure().isEmpty(), qPrintable(figureKindName(kind) + QStringLiteral(": ") + chart->figure().emptyReason));
            QVERIFY(chart->plot()->graphCount() > 0);
        }
        m_window->chartTabs()->setCurrentIndex(int(FigureKind::Trajectory));
    }

    void hoveringAPointShowsItsDetails()
    {
        ChartView* chart = m_window->chartView(FigureKind::Trajectory);
        chart->plot()->replot();
        int mnli = -1;
        for (int s = 0; s < chart->figure().series.size(); ++s)
            if (chart->figure().series[s].name == QLatin1String("mnli"))
                mnli = s;
        QVERIFY(mnli >= 0);
        int point = -1;
        for (int i = 0; i < chart->figure().series[mnli].points.size(); ++i)
            if (chart->figure().series[mnli].points[i].checkpointLabel == QLatin1String("342000"))
                point = i;
        QVERIFY(point >= 0);
        QSignalSpy hovered(chart, &ChartView::pointHovered);
        const QPoint at = chart->pointPosition(mnli, point) + QPoint(2, -1);
        QMouseEvent move(QEvent::MouseMove, QPointF(at), QPointF(chart->plot()->mapToGlobal(at)), Qt::NoButton, Qt::NoButton,
                         Qt::NoModifier);
        QApplication::sendEvent(chart->plot(), &move);
        QTRY_VERIFY(!hovered.isEmpty());
        const QString text = hovered.last().first().toString();
        QVERIFY2(text.contains(QStringLiteral("342000")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("0.7872")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("olmo1b_hf_ckpt342000_mnli_3epoch_2e-6_4shots")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("± 0.0041")), qPrintable(text));
        // Far from any point: nothing.
        QVERIFY(chart->hoverTextAt(QPoint(2, 2)).isEmpty());
    }

    void legendClickHidesASeries()
    {
        ChartView* chart = m_window->chartView(FigureKind::Trajectory);
        chart->plot()->replot();
        QCPAbstractLegendItem* item = chart->plot()->legend->item(0);
        QVERIFY(item);
        QVERIFY(chart->isSeriesVisible(0));
        const QPoint center = item->outerRect().center();
        QTest::mouseClick(chart->plot(), Qt::LeftButton, Qt::NoModifier, center);
        QVERIFY(!chart->isSeriesVisible(0));
        // A hidden series is not hoverable.
        const FigurePoint& p = chart->figure().series[0].points.first();
        Q_UNUSED(p);
        QVERIFY(chart->hoverTextAt(chart->pointPosition(0, 0)).isEmpty()
                || !chart->hoverTextAt(chart->pointPosition(0, 0)).startsWith(chart->figure().series[0].name + QLatin1Char('\n')));
        QTest::mouseClick(chart->plot(), Qt::LeftButton, Qt::NoModifier, center);
        QVERIFY(chart->isSeriesVisible(0));
    }

    void wheelZoomsAndDoubleClickResets()
    {
        ChartView* chart = m_window->chartView(FigureKind::Trajectory);
        const QCPRange before = chart->plot()->xAxis->range();
        const QPoint center = chart->plot()->axisRect()->rect().center();
        QWheelEvent wheel(QPointF(center), QPointF(chart->plot()->mapToGlobal(center)), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(chart->plot(), &wheel);
        QVERIFY(chart->plot()->xAxis->range().size() < before.size());
        QTest::mouseDClick(chart->plot(), Qt::LeftButton, Qt::NoModifier, center);
        QCOMPARE(chart->plot()->xAxis->range().lower, before.lower);
        QCOMPARE(chart->plot()->xAxis->range().upper, before.upper);
    }

    void exportsRealFigures()
    {
        const QString png = m_dir.filePath(QStringLiteral("fig.png"));
        const QString pdf = m_dir.filePath(QStringLiteral("fig.pdf"));
        const QString svg = m_dir.filePath(QStringLiteral("fig.svg"));
        const QString csv = m_dir.filePath(QStringLiteral("fig.csv"));
        QVERIFY(m_window->exportCurrentFigure(png, QStringLiteral("paper"), csv));
        QVERIFY(m_window->exportCurrentFigure(pdf, QStringLiteral("paper")));
        QVERIFY(m_window->exportCurrentFigure(svg, QStringLiteral("screen")));

        QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.width(), qRound(800 * 150 / 96.0));
        // Not a blank page: the lines put several colours on it.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY(colours.size() > 10);

        QCOMPARE(head(pdf, 5), QByteArray("%PDF-"));
        QVERIFY(QFileInfo(pdf).size() > 5000);

        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        QVERIFY(head(svg, 400).contains("<svg"));

        QFile points(csv);
        QVERIFY(points.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = points.readAll().split('\n');
        QCOMPARE(lines.first(), QByteArray("series,checkpoint,step,x,y,err"));
        QCOMPARE(lines.size(), 1 + 16 + 1);

        // A bad target is an error, not a crash or an empty file.
        QVERIFY(!m_window->exportCurrentFigure(m_dir.filePath(QStringLiteral("no/such/dir/fig.pdf")), QStringLiteral("paper")));
    }

    void droppingCheckpointFoldersListsThem()
    {
        // A parent folder of step folders, one of them broken.
        const QString models = QStringLiteral(CKPTLAB_SHARED_DATA "/models/neox_tiny");
        const QString run = m_dir.filePath(QStringLiteral("pythia-tiny"));
        for (const char* step : {"step1000", "step2000"}) {
            QDir().mkpath(run + "/" + step);
            QVERIFY(QFile::copy(models + "/config.json", run + "/" + step + "/config.json"));
            QVERIFY(QFile::copy(models + "/model.safetensors", run + "/" + step + "/model.safetensors"));
        }
        QDir().mkpath(run + "/step3000");
        QVERIFY(QFile::copy(models + "/config.json", run + "/step3000/config.json"));
        {
            QFile truncated(run + "/step3000/model.safetensors");
            QVERIFY(truncated.open(QIODevice::WriteOnly));
            truncated.write(QByteArray(8, '\x7f'));
        }
        QSignalSpy summaries(m_window.get(), &MainWindow::importSummaryShown);
        dropFiles(m_window.get(), {run});
        QTRY_COMPARE_WITH_TIMEOUT(summaries.size(), 1, 30000);
        waitIdle();
        const QString summary = summaries.first().first().toString();
        QVERIFY2(summary.contains(QStringLiteral("3 checkpoint(s): 2 ok, 0 need conversion, 1 broken")), qPrintable(summary));

        QAbstractItemModel* model = m_window->checkpointView()->model();
        QModelIndex series;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->index(r, 0).data().toString().startsWith(QStringLiteral("pythia-tiny")))
                series = model->index(r, 0);
        QVERIFY(series.isValid());
        QCOMPARE(model->rowCount(series), 3);
        QCOMPARE(model->index(0, 1, series).data().toLongLong(), 1000);      // step
        QCOMPARE(model->index(0, 3, series).data().toString(), QStringLiteral("gpt_neox"));
        QCOMPARE(model->index(2, 7, series).data().toString(), QStringLiteral("broken"));
        QVERIFY(model->index(2, 7, series).data(Qt::ToolTipRole).toString().contains(QStringLiteral("model.safetensors")));
        // The results are untouched by a checkpoint scan.
        QCOMPARE(m_window->session()->snapshot().results.size(), 648);
    }

    void evaluatingCheckpointsFillsTheChart()
    {
        // The checkpoints scanned above, with a tokenizer beside them now.
        const QString run = m_dir.filePath(QStringLiteral("pythia-tiny"));
        testing::writeTestFile(run + "/tokenizer.json", testing::byteLevelTokenizerJson());
        const QString spec = testing::writeYesNoTask(m_dir.filePath(QStringLiteral("task")), 4);
        QVector<CheckpointInfo> chosen;
        for (const CheckpointInfo& c : m_window->session()->snapshot().checkpoints)
            if (c.series == QLatin1String("pythia-tiny") && c.status == QLatin1String("ok"))
                chosen << c;
        QCOMPARE(chosen.size(), 2);

        QSignalSpy summaries(m_window.get(), &MainWindow::importSummaryShown);
        QTimer::singleShot(0, this, [spec] {
            auto* dialog = qobject_cast<QDialog*>(QApplication::activeModalWidget());
            QVERIFY(dialog && dialog->objectName() == QLatin1String("evaluateDialog"));
            dialog->grab().save(QDir::temp().filePath(QStringLiteral("ckptlab-evaluate-dialog.png")));
            dialog->findChild<QLineEdit*>(QStringLiteral("taskSpec"))->setText(spec);
            dialog->findChild<QLineEdit*>(QStringLiteral("formats"))->setText(QStringLiteral("default,instruct"));
            dialog->findChild<QLineEdit*>(QStringLiteral("shots"))->setText(QStringLiteral("0"));
            dialog->accept();
        });
        m_window->evaluateCheckpoints(chosen);
        QTRY_COMPARE_WITH_TIMEOUT(summaries.size(), 1, 120000);
        waitIdle();
        const QString summary = summaries.first().first().toString();
        QVERIFY2(summary.contains(QStringLiteral("4 evaluation(s) done")), qPrintable(summary));

        m_window->filterPanel()->selectFtTasks({});
        m_window->filterPanel()->selectTask(QStringLiteral("yesno"), QStringLiteral("instruct"), 0);
        m_window->chartTabs()->setCurrentIndex(int(FigureKind::Trajectory));
        const FigureData& figure = m_window->chartView(FigureKind::Trajectory)->figure();
        QCOMPARE(figure.series.size(), 1);
        QCOMPARE(figure.series[0].points.size(), 2);
        QCOMPARE(figure.series[0].points[0].checkpointLabel, QStringLiteral("1000"));
        QCOMPARE(m_window->session()->snapshot().results.size(), 648 + 4);
    }

    void copyPutsRowsOnTheClipboard()
    {
        m_window->filterPanel()->selectFtTasks({QStringLiteral("base"), QStringLiteral("mnli")});
        m_window->filterPanel()->selectTask(QStringLiteral("mnli_matched"), QStringLiteral("default"), 4);
        m_window->resultsPanel()->copySelection();
        const QString text = QApplication::clipboard()->text();
        QCOMPARE(text.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 1 + 16);
    }

    void cleanupTestCase()
    {
        m_window->close();
        m_window.reset();
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
