// MainWindow's File menu: opening, importing results and adding checkpoints (and what the
// session reports back about them), figure and points export, and the recent projects. The
// rest of MainWindow is in MainWindow.cpp.

#include "MainWindow.h"

#include "render/ChartView.h"
#include "render/FigureFile.h"
#include "jobs/ProjectSession.h"
#include "widgets/ExportDialog.h"
#include "widgets/FilterPanel.h"
#include "widgets/OpenMessage.h"

#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>

namespace ckptlab {

namespace {
constexpr int kMaxRecent = 8;
} // namespace

void MainWindow::openProjectDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open project"), QString(),
                                                      tr("ckptlab project (*.ckptlab);;All files (*)"));
    if (!path.isEmpty())
        openProject(path);
}

void MainWindow::addCheckpointsDialog()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Add checkpoints: a checkpoint folder or the folder of many"));
    if (!folder.isEmpty())
        addCheckpointFolders({folder});
}

void MainWindow::importDialog()
{
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Import results"), QString(),
                                                            tr("Results (*.csv *.tsv *.json);;All files (*)"));
    if (!paths.isEmpty())
        importPaths(paths);
}

void MainWindow::importPaths(const QStringList& paths)
{
    if (!m_session->isOpen()) {
        const QString path = QFileDialog::getSaveFileName(this, tr("New project for the imported results"),
                                                          QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation),
                                                          tr("ckptlab project (*.ckptlab)"));
        if (path.isEmpty() || !openProject(path.endsWith(QStringLiteral(".ckptlab")) ? path : path + QStringLiteral(".ckptlab"), true))
            return;
    }
    statusBar()->showMessage(tr("Importing %n item(s)…", nullptr, paths.size()));
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);
    m_session->importFiles(paths);
}

void MainWindow::addCheckpointFolders(const QStringList& folders)
{
    if (!m_session->isOpen()) {
        const QString path = QFileDialog::getSaveFileName(this, tr("New project for the checkpoints"),
                                                          QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation),
                                                          tr("ckptlab project (*.ckptlab)"));
        if (path.isEmpty() || !openProject(isProjectFile(path) ? path : path + QStringLiteral(".ckptlab"), true))
            return;
    }
    statusBar()->showMessage(tr("Scanning %n folder(s) for checkpoints…", nullptr, folders.size()));
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);
    m_session->scanCheckpoints(folders);
}

void MainWindow::onScanFinished(const CheckpointScanReport& report)
{
    m_progress->setVisible(false);
    QStringList details{report.summary()};
    for (const RejectedFolder& r : report.rejected)
        details << tr("Rejected: %1").arg(r.reason);
    m_lastImportSummary = details.join(QLatin1Char('\n'));
    statusBar()->showMessage(report.summary(), 10000);
    emit importSummaryShown(m_lastImportSummary);
    if (QDockWidget* dock = findChild<QDockWidget*>(QStringLiteral("checkpointDock")))
        dock->raise();
    if (report.broken > 0 || report.needsConversion > 0 || !report.rejected.isEmpty())
        openMessage(this, QMessageBox::Information, tr("Checkpoints added"), report.summary(), m_lastImportSummary);
}

void MainWindow::onImportFinished(const ImportReport& report)
{
    m_progress->setVisible(false);
    m_lastImportSummary = report.summary();
    statusBar()->showMessage(m_lastImportSummary.section(QLatin1Char('\n'), 0, 0), 10000);
    emit importSummaryShown(m_lastImportSummary);
    if (m_showExampleView && !report.written)
        onSnapshotChanged(); // nothing new to load: show the example's first view now
    if (m_showExampleView)
        return; // the example is not the user's import: no report dialog
    openMessage(this, QMessageBox::Information, tr("Import finished"), m_lastImportSummary.section(QLatin1Char('\n'), 0, 0),
                m_lastImportSummary);
}

bool MainWindow::exportCurrentFigure(const QString& path, const QString& styleName, const QString& dataPath)
{
    const FigureSpec spec = m_filters->spec(FigureKind(m_tabs->currentIndex()));
    const FigureStyle style = FigureStyle::byName(styleName).value_or(FigureStyle::paper());
    const Status s = writeFigureFile(buildFigureData(m_session->snapshot(), spec), style, spec.errors, path, {}, dataPath);
    if (!s)
        openMessage(this, QMessageBox::Warning, tr("Export failed"), s.error());
    return s.ok();
}

void MainWindow::exportDialog()
{
    const QString suggestion = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                                   .filePath(figureKindName(FigureKind(m_tabs->currentIndex())) + QStringLiteral(".pdf"));
    ExportDialog dialog(suggestion, QStringLiteral("paper"), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const FigureSpec spec = m_filters->spec(FigureKind(m_tabs->currentIndex()));
    const FigureStyle style = FigureStyle::byName(dialog.styleName()).value_or(FigureStyle::paper());
    const Status s = writeFigureFile(buildFigureData(m_session->snapshot(), spec), style, spec.errors, dialog.path(),
                                     dialog.options(), dialog.dataPath());
    if (!s)
        QMessageBox::warning(this, tr("Export failed"), s.error());
    else
        statusBar()->showMessage(tr("Wrote %1").arg(dialog.path()), 8000);
}

void MainWindow::exportPointsDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export plotted points"), QString(), tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    const Status s = writeFigureDataCsv(currentChart()->figure(), path);
    if (!s)
        QMessageBox::warning(this, tr("Export failed"), s.error());
}

void MainWindow::rememberRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("project/recent")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(QStringLiteral("project/recent"), recent);
    settings.setValue(QStringLiteral("project/last"), path);
    fillRecentMenu();
}

void MainWindow::fillRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("project/recent")).toStringList();
    for (const QString& path : recent)
        m_recentMenu->addAction(path, this, [this, path] { openProject(path); });
    m_recentMenu->setEnabled(!recent.isEmpty());
}

} // namespace ckptlab
