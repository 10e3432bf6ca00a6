#include "MainWindow.h"

#include "ExampleProject.h"
#include "render/ChartView.h"
#include "jobs/ProjectSession.h"
#include "jobs/CheckpointScanner.h"
#include "models/CheckpointTreeModel.h"
#include "models/ProjectExplorerModel.h"
#include "widgets/EvaluateDialog.h"
#include "widgets/FilterPanel.h"
#include "widgets/OpenMessage.h"
#include "widgets/QueueDock.h"
#include "widgets/ResultsPanel.h"

#include <QAction>
#include <QCoreApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollArea>
#include <QItemSelectionModel>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeView>

namespace ckptlab {

namespace {
const QString kProjectSuffix = QStringLiteral("ckptlab");

bool isProjectFile(const QString& path)
{
    return QFileInfo(path).suffix().compare(kProjectSuffix, Qt::CaseInsensitive) == 0;
}
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_session(new ProjectSession(this)), m_tabs(new QTabWidget(this)),
      m_filters(new FilterPanel), m_results(new ResultsPanel), m_explorer(new QTreeView),
      m_explorerModel(new ProjectExplorerModel(this)), m_checkpointView(new QTreeView),
      m_checkpointModel(new CheckpointTreeModel(this)), m_status(new QLabel(this)), m_progress(new QProgressBar(this))
{
    setWindowIcon(QIcon(QStringLiteral(":/ckptlab/icons/ckptlab.svg")));
    setAcceptDrops(true);
    const QList<QPair<FigureKind, QString>> tabs = {{FigureKind::Trajectory, tr("Trajectory")},
                                                    {FigureKind::Change, tr("Change / forgetting")},
                                                    {FigureKind::Sensitivity, tr("Prompt sensitivity")},
                                                    {FigureKind::Gain, tr("Gain vs base")}};
    for (const auto& [kind, title] : tabs) {
        auto* chart = new ChartView(m_tabs);
        chart->setObjectName(figureKindName(kind) + QStringLiteral("Chart"));
        connect(chart, &ChartView::pointHovered, this, [this](const QString& text) {
            statusBar()->showMessage(QString(text).replace(QLatin1Char('\n'), QStringLiteral(" · ")), 5000);
        });
        m_charts.push_back(chart);
        m_chartStale.push_back(true);
        m_tabs->addTab(chart, title);
    }
    setCentralWidget(m_tabs);
    buildQueue();
    buildDocks();
    buildMenus();

    m_progress->setMaximumWidth(220);
    m_progress->setVisible(false);
    statusBar()->addPermanentWidget(m_status);
    statusBar()->addPermanentWidget(m_progress);

    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::refreshCurrentChart);
    connect(m_filters, &FilterPanel::selectionChanged, this, [this] {
        refreshCharts();
        m_results->setSelection(m_filters->selection());
    });
    connect(m_session, &ProjectSession::snapshotChanged, this, &MainWindow::onSnapshotChanged);
    connect(m_session, &ProjectSession::importFinished, this, &MainWindow::onImportFinished);
    connect(m_session, &ProjectSession::scanFinished, this, &MainWindow::onScanFinished);
    connect(m_session, &ProjectSession::scanFailed, this, [this](const QString& message) {
        m_progress->setVisible(false);
        m_lastImportSummary = tr("Adding checkpoints failed; the project is unchanged.\n%1").arg(message);
        emit importSummaryShown(m_lastImportSummary);
        openMessage(this, QMessageBox::Warning, tr("Adding checkpoints failed"), m_lastImportSummary);
    });
    connect(m_session, &ProjectSession::evaluationProgress, this, [this](const EvaluationProgress& p) {
        m_progress->setVisible(true);
        m_progress->setRange(0, int(std::max<qint64>(p.total, 1)));
        m_progress->setValue(int(p.done));
        statusBar()->showMessage(tr("Evaluating %1 (%2, %3-shot): %4/%5 items, %6 items/s, evaluation %7 of %8%9")
                                     .arg(p.checkpoint, p.format)
                                     .arg(p.shots)
                                     .arg(p.done)
                                     .arg(p.total)
                                     .arg(p.itemsPerSecond, 0, 'f', 1)
                                     .arg(p.evaluation + 1)
                                     .arg(p.evaluations)
                                     .arg(p.etaSeconds < 0 ? QString() : tr(", ETA %1 s").arg(qRound(p.etaSeconds))));
    });
    connect(m_session, &ProjectSession::evaluationFinished, this, [this](const EvaluationReport& report) {
        m_progress->setVisible(false);
        m_lastImportSummary = report.summary();
        statusBar()->showMessage(m_lastImportSummary.section(QLatin1Char('\n'), 0, 0), 10000);
        emit importSummaryShown(m_lastImportSummary);
        if (!report.failures.isEmpty())
            openMessage(this, QMessageBox::Warning, tr("Evaluation"), m_lastImportSummary.section(QLatin1Char('\n'), 0, 0),
                        m_lastImportSummary);
    });
    connect(m_session, &ProjectSession::evaluationFailed, this, [this](const QString& message) {
        m_progress->setVisible(false);
        m_lastImportSummary = tr("Evaluation failed: %1").arg(message);
        emit importSummaryShown(m_lastImportSummary);
        openMessage(this, QMessageBox::Warning, tr("Evaluation failed"), message);
    });
    connect(m_session, &ProjectSession::scanProgress, this, [this](int done, int total) {
        m_progress->setVisible(true);
        m_progress->setRange(0, std::max(total, 1));
        m_progress->setValue(done);
    });
    connect(m_session, &ProjectSession::importFailed, this, [this](const QString& message) {
        m_progress->setVisible(false);
        m_lastImportSummary = tr("Import failed; the project is unchanged.\n%1").arg(message);
        emit importSummaryShown(m_lastImportSummary);
        openMessage(this, QMessageBox::Warning, tr("Import failed"), m_lastImportSummary);
    });
    connect(m_session, &ProjectSession::loadFailed, this,
            [this](const QString& message) { openMessage(this, QMessageBox::Warning, tr("Cannot read the project"), message); });
    connect(m_session, &ProjectSession::importProgress, this, [this](int done, int total) {
        m_progress->setVisible(true);
        m_progress->setRange(0, std::max(total, 1));
        m_progress->setValue(done);
    });
    connect(m_session, &ProjectSession::busyChanged, this, [this](bool busy) {
        if (!busy)
            m_progress->setVisible(false);
    });

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(1400, 900);
    if (!settings.contains(QStringLiteral("window/state")))
        resizeDocks({m_queueDock}, {300}, Qt::Vertical); // room for a dozen runs and the loss chart
    updateTitle();
}

MainWindow::~MainWindow()
{
    stopBackgroundWork();
}

void MainWindow::buildDocks()
{
    auto dock = [this](const QString& title, const QString& name, QWidget* widget, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(widget);
        addDockWidget(area, d);
        return d;
    };
    m_explorer->setModel(m_explorerModel);
    m_explorer->setObjectName(QStringLiteral("projectExplorer"));
    m_explorer->header()->setStretchLastSection(false);
    m_explorer->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_explorer->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_explorer->setToolTip(tr("Double-click a task or format to chart it, a series to filter by it."));
    connect(m_explorer, &QTreeView::activated, this, &MainWindow::onExplorerActivated);
    connect(m_explorer, &QTreeView::doubleClicked, this, &MainWindow::onExplorerActivated);
    dock(tr("Project"), QStringLiteral("explorerDock"), m_explorer, Qt::LeftDockWidgetArea);

    auto* scroll = new QScrollArea;
    scroll->setWidget(m_filters);
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(290);
    dock(tr("Filters"), QStringLiteral("filterDock"), scroll, Qt::RightDockWidgetArea);
    QDockWidget* results = dock(tr("Results"), QStringLiteral("resultsDock"), m_results, Qt::BottomDockWidgetArea);

    m_checkpointView->setModel(m_checkpointModel);
    m_checkpointView->setObjectName(QStringLiteral("checkpointView"));
    m_checkpointView->setAlternatingRowColors(true);
    m_checkpointView->setUniformRowHeights(true);
    m_checkpointView->setToolTip(tr("Drop checkpoint folders (or their parent folder) on the window, or File > Add checkpoints."));
    m_checkpointView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_checkpointView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_checkpointView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_checkpointView, &QWidget::customContextMenuRequested, this, &MainWindow::showCheckpointMenu);
    QDockWidget* checkpoints = dock(tr("Checkpoints"), QStringLiteral("checkpointDock"), m_checkpointView, Qt::BottomDockWidgetArea);
    tabifyDockWidget(results, checkpoints);
    addDockWidget(Qt::BottomDockWidgetArea, m_queueDock);
    tabifyDockWidget(checkpoints, m_queueDock);
    results->raise();
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New project…"), QKeySequence::New, this, &MainWindow::newProject);
    file->addAction(tr("&Open project…"), QKeySequence::Open, this, &MainWindow::openProjectDialog);
    file->addAction(tr("Open &example (Amuro && Char results)"), this, &MainWindow::openExample);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    fillRecentMenu();
    file->addSeparator();
    file->addAction(tr("&Import results (CSV, lm-eval JSON)…"), QKeySequence(tr("Ctrl+I")), this, &MainWindow::importDialog);
    file->addAction(tr("Add &checkpoints (folders)…"), QKeySequence(tr("Ctrl+K")), this, &MainWindow::addCheckpointsDialog);
    file->addSeparator();
    file->addAction(tr("&Export figure…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportDialog);
    file->addAction(tr("Export plotted &points (CSV)…"), this, &MainWindow::exportPointsDialog);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* d : findChildren<QDockWidget*>())
        view->addAction(d->toggleViewAction());
    view->addSeparator();
    view->addAction(tr("&Reset chart zoom"), QKeySequence(tr("Ctrl+0")), this, [this] { currentChart()->resetView(); });

    buildRunsMenu();

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("Run &demo study (tiny model, no GPU or download)…"), this, &MainWindow::runDemoStudyDialog);
    help->addSeparator();
    help->addAction(tr("&About ckptlab"), this, [this] {
        QMessageBox::about(this, tr("About ckptlab"),
                           tr("<b>ckptlab</b> %1<br>How does more pre-training change what fine-tuning can do?<br>"
                              "Trajectories across checkpoints, forgetting, prompt sensitivity.<br><br>"
                              "Example data: Sun &amp; Dredze, <i>Amuro &amp; Char</i> (2024), released results.")
                               .arg(QCoreApplication::applicationVersion()));
    });
}

ChartView* MainWindow::chartView(FigureKind kind) const
{
    return m_charts.value(int(kind));
}

ChartView* MainWindow::currentChart() const
{
    return qobject_cast<ChartView*>(m_tabs->currentWidget());
}

bool MainWindow::openProject(const QString& path, bool create)
{
    const Status s = m_session->open(path, create ? Project::Mode::CreateIfMissing : Project::Mode::OpenExisting);
    if (!s) {
        openMessage(this, QMessageBox::Warning, tr("Cannot open project"), s.error());
        return false;
    }
    m_showExampleView = false;
    rememberRecent(m_session->path());
    updateTitle();
    setQueueProject();
    return true;
}

void MainWindow::openExample()
{
    QString error;
    const QStringList files = example::dataFiles(&error);
    if (files.isEmpty()) {
        openMessage(this, QMessageBox::Warning, tr("Example"), error);
        return;
    }
    if (!openProject(example::projectPath(), true))
        return;
    m_showExampleView = true;
    // Importing is idempotent: a fresh example gets its results, an existing one is unchanged.
    importPaths(files);
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

void MainWindow::showCheckpointMenu(const QPoint& position)
{
    // The selected checkpoints; a selected series stands for all of its checkpoints.
    QVector<CheckpointInfo> chosen;
    QSet<QString> paths;
    auto take = [&](const QModelIndex& index) {
        const CheckpointInfo* c = m_checkpointModel->checkpointAt(index);
        if (c && c->status == QLatin1String("ok") && !paths.contains(c->path)) {
            paths.insert(c->path);
            chosen.push_back(*c);
        }
    };
    for (const QModelIndex& index : m_checkpointView->selectionModel()->selectedRows()) {
        if (m_checkpointModel->checkpointAt(index))
            take(index);
        else
            for (int r = 0; r < m_checkpointModel->rowCount(index); ++r)
                take(m_checkpointModel->index(r, 0, index));
    }
    QMenu menu(this);
    QAction* fineTune = menu.addAction(tr("Fine-tune %n checkpoint(s)…", nullptr, chosen.size()));
    fineTune->setEnabled(!chosen.isEmpty());
    QAction* evaluate = menu.addAction(tr("Evaluate %n checkpoint(s)…", nullptr, chosen.size()));
    evaluate->setEnabled(!chosen.isEmpty());
    QAction* cancel = menu.addAction(tr("Cancel the running evaluation"));
    QAction* picked = menu.exec(m_checkpointView->viewport()->mapToGlobal(position));
    if (picked == fineTune)
        planFineTuning(chosen);
    else if (picked == evaluate)
        evaluateCheckpoints(chosen);
    else if (picked == cancel)
        m_session->cancelEvaluation();
}

void MainWindow::evaluateCheckpoints(const QVector<CheckpointInfo>& checkpoints)
{
    EvaluateDialog dialog(checkpoints.size(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    EvaluationPlan plan = dialog.plan();
    plan.checkpoints = checkpoints;
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);
    statusBar()->showMessage(tr("Loading the first checkpoint…"));
    m_session->evaluate(plan);
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

void MainWindow::onSnapshotChanged()
{
    const ResultSnapshot& s = m_session->snapshot();
    m_explorerModel->setSnapshot(s);
    m_explorer->expandToDepth(0);
    m_checkpointModel->setSnapshot(s);
    m_checkpointView->expandAll();
    for (int c = 0; c < CheckpointTreeModel::Path; ++c)
        m_checkpointView->resizeColumnToContents(c);
    m_results->setSnapshot(&s);
    m_filters->setSnapshot(&s);
    if (m_showExampleView && s.taskByName(QLatin1String(example::firstTask()))) {
        m_filters->selectFtTasks(example::firstFtTasks());
        m_filters->selectTask(QLatin1String(example::firstTask()), QStringLiteral("default"), example::firstShots());
        m_showExampleView = false;
    }
    m_status->setText(tr("%1 results · %2 checkpoints · %3 tasks")
                          .arg(s.results.size())
                          .arg(s.checkpoints.size())
                          .arg(s.tasks.size()));
    refreshCharts();
}

void MainWindow::refreshCharts()
{
    for (int i = 0; i < m_chartStale.size(); ++i)
        m_chartStale[i] = true;
    refreshCurrentChart();
}

void MainWindow::refreshCurrentChart()
{
    const int index = m_tabs->currentIndex();
    if (index < 0 || !m_chartStale.value(index))
        return;
    const FigureSpec spec = m_filters->spec(FigureKind(index));
    const FigureStyle style = FigureStyle::byName(m_filters->styleName()).value_or(FigureStyle::screen());
    m_charts[index]->setFigure(buildFigureData(m_session->snapshot(), spec), style, spec.errors);
    m_chartStale[index] = false;
}

void MainWindow::onExplorerActivated(const QModelIndex& index)
{
    const QModelIndex first = index.siblingAtColumn(0);
    const auto kind = ProjectExplorerModel::NodeKind(first.data(ProjectExplorerModel::KindRole).toInt());
    const QString name = first.data(ProjectExplorerModel::NameRole).toString();
    switch (kind) {
    case ProjectExplorerModel::NodeKind::Task:
        m_filters->selectTask(name);
        break;
    case ProjectExplorerModel::NodeKind::Format:
        m_filters->selectTask(first.data(ProjectExplorerModel::TaskRole).toString(), name);
        break;
    case ProjectExplorerModel::NodeKind::Recipe:
        m_filters->selectFtTasks(name == QLatin1String("base") ? QStringList{name} : QStringList{QStringLiteral("base"), name});
        break;
    default:
        break;
    }
}

void MainWindow::newProject()
{
    QString path = QFileDialog::getSaveFileName(this, tr("New project"),
                                                QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation),
                                                tr("ckptlab project (*.ckptlab)"));
    if (path.isEmpty())
        return;
    if (!isProjectFile(path))
        path += QStringLiteral(".ckptlab");
    if (QFileInfo::exists(path)) {
        QMessageBox::warning(this, tr("New project"), tr("%1 already exists; open it instead.").arg(path));
        return;
    }
    openProject(path, true);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList imports, checkpointFolders;
    for (const QUrl& url : event->mimeData()->urls()) {
        if (!url.isLocalFile())
            continue;
        const QString path = url.toLocalFile();
        if (isProjectFile(path)) {
            openProject(path);
            event->acceptProposedAction();
            return;
        }
        // Folders of checkpoints are scanned; result files and folders of them are imported.
        (containsCheckpointFolders(path) ? checkpointFolders : imports) << path;
    }
    if (imports.isEmpty() && checkpointFolders.isEmpty())
        return;
    event->acceptProposedAction();
    if (!checkpointFolders.isEmpty())
        addCheckpointFolders(checkpointFolders);
    if (!imports.isEmpty())
        importPaths(imports); // runs beside the scan; SQLite serialises the two writers
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    stopBackgroundWork();
    m_session->cancelImport();
    m_session->waitForIdle();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    if (m_session->isOpen())
        settings.setValue(QStringLiteral("project/last"), m_session->path());
    QMainWindow::closeEvent(event);
}

void MainWindow::updateTitle()
{
    setWindowTitle(m_session->isOpen() ? tr("%1 — ckptlab").arg(QFileInfo(m_session->path()).fileName())
                                       : tr("ckptlab"));
}

} // namespace ckptlab
