// MainWindow's File menu: the open/import/add-checkpoint dialogs, figure and points export,
// and the recent projects. The rest of MainWindow is in MainWindow.cpp.

#include "MainWindow.h"

#include "render/ChartView.h"
#include "render/FigureFile.h"
#include "jobs/ProjectSession.h"
#include "widgets/ExportDialog.h"
#include "widgets/FilterPanel.h"
#include "widgets/OpenMessage.h"

#include <QDir>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
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
