// Scale benchmark for the results explorer: a generated project of ~200,000 results
// (150 checkpoints x 30 tasks x 3 prompt formats x 15 models), timed through the real code:
// CSV import, opening (snapshot load), and the time from a filter change to a redrawn chart in
// the main window. Also the longest GUI event-loop stall while an import runs on its worker.
// Prints "name value unit" lines; it asserts nothing.

#include "MainWindow.h"
#include "render/ChartView.h"
#include "ingest/ResultImporter.h"
#include "jobs/ProjectSession.h"
#include "project/Project.h"
#include "project/SnapshotLoader.h"
#include "widgets/FilterPanel.h"

#include <QApplication>
#include <QStandardPaths>
#include <qcustomplot.h>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace ckptlab;

namespace {

constexpr int kCheckpoints = 150;
constexpr int kTasks = 30;
constexpr int kRecipes = 14; // + base = 15 models per checkpoint

void figure(const char* name, double value, const char* unit)
{
    std::printf("%s %.3f %s\n", name, value, unit);
    std::fflush(stdout);
}

QString writeCsv(const QString& path)
{
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    QTextStream out(&file);
    out << "model_id,eval dataset,Performance,std\n";
    const char* suffixes[] = {"", "_instruct", "_inputoutput"};
    quint32 state = 12345;
    auto noise = [&state] {
        state = state * 1664525u + 1013904223u;
        return (state >> 8) / double(1 << 24);
    };
    int rows = 0;
    for (int c = 1; c <= kCheckpoints; ++c) {
        const int step = c * 1000;
        for (int m = 0; m <= kRecipes; ++m) {
            const QString id = m == 0 ? QStringLiteral("pythia1b_checkpoint-%1_original").arg(step)
                                      : QStringLiteral("pythia1b_hf_ckpt%1_ft%2_3epoch_2e-6").arg(step).arg(m);
            for (int t = 1; t <= kTasks; ++t)
                for (const char* suffix : suffixes) {
                    out << id << ",task" << t << suffix << ',' << 0.3 + 0.4 * c / kCheckpoints + 0.05 * noise() << ','
                        << 0.01 * noise() << '\n';
                    ++rows;
                }
        }
    }
    return QString::number(rows);
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir dir;
    const QString csv = dir.filePath(QStringLiteral("results.csv"));
    const QString projectPath = dir.filePath(QStringLiteral("scale.ckptlab"));

    QElapsedTimer timer;
    timer.start();
    const QString rows = writeCsv(csv);
    figure("generated_rows", rows.toDouble(), "rows");
    figure("generate_csv", timer.elapsed(), "ms");

    // Import on a worker while the GUI event loop runs: the longest stall between 5 ms ticks.
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    window.openProject(projectPath, true);
    window.session()->waitForIdle();
    qint64 longestGap = 0;
    QElapsedTimer tick;
    tick.start();
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        longestGap = std::max(longestGap, tick.restart());
    });
    ticker.start(5);
    bool imported = false;
    QObject::connect(window.session(), &ProjectSession::importFinished, [&](const ImportReport& report) {
        figure("import_inserted", report.inserted, "results");
        imported = true;
    });
    QObject::connect(window.session(), &ProjectSession::importFailed, [&](const QString& message) {
        std::fprintf(stderr, "import failed: %s\n", qPrintable(message));
        imported = true;
    });
    timer.restart();
    window.session()->importFiles({csv});
    while (!imported)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    figure("import_csv", timer.elapsed(), "ms");
    figure("gui_longest_stall_during_import", longestGap, "ms");
    // The reload after the import: the snapshot loads on a worker, then the GUI thread fills
    // the explorer, filters, table and chart from it.
    timer.restart();
    longestGap = 0;
    while (window.session()->isBusy())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 50)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    ticker.stop();
    figure("reload_after_import", timer.elapsed(), "ms");
    figure("gui_longest_stall_during_reload", longestGap, "ms");

    // Opening: the project file and every result into memory.
    timer.restart();
    auto project = Project::open(projectPath, Project::Mode::OpenExisting);
    const auto snapshot = loadSnapshot(project.value());
    figure("open_and_load_snapshot", timer.elapsed(), "ms");
    figure("snapshot_results", snapshot->results.size(), "results");
    project->closeThreadConnection();

    // Filter change -> redrawn trajectory chart (and results table), through the main window.
    FilterPanel* filters = window.filterPanel();
    ChartView* chart = window.chartView(FigureKind::Trajectory);
    std::vector<double> redraws, selects;
    for (int t = 1; t <= 20; ++t) {
        QElapsedTimer change;
        change.start();
        filters->selectTask(QStringLiteral("task%1").arg(t), QStringLiteral("default"), 0);
        selects.push_back(change.nsecsElapsed() / 1e6);
        // The chart replots on the next event-loop turn (a queued replot), then repaints.
        QCoreApplication::processEvents();
        redraws.push_back(change.nsecsElapsed() / 1e6);
    }
    std::sort(selects.begin(), selects.end());
    figure("filter_to_data_median", selects[selects.size() / 2], "ms");
    QElapsedTimer replot;
    replot.start();
    for (int i = 0; i < 10; ++i)
        chart->plot()->replot();
    figure("replot_only", replot.nsecsElapsed() / 1e7, "ms");
    std::sort(redraws.begin(), redraws.end());
    figure("filter_to_redraw_median", redraws[redraws.size() / 2], "ms");
    figure("filter_to_redraw_max", redraws.back(), "ms");
    figure("trajectory_points", chart->figure().pointCount(), "points");
    window.close();
    return 0;
}
