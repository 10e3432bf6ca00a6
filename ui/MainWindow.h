#pragma once

#include "figures/FigureSpec.h"
#include "ingest/ImportTypes.h"
#include "project/Project.h"
#include "project/ProjectTypes.h"

#include <QMainWindow>

#include <optional>

class QLabel;
class QMenu;
class QProgressBar;
class QSystemTrayIcon;
class QTabWidget;
class QTimer;
class QTreeView;

namespace ckptlab {

class ChartView;
class CheckpointTreeModel;
struct CheckpointScanReport;
class DemoStudyRunner;
class FilterPanel;
class PlanDialog;
class ProjectExplorerModel;
class ProjectSession;
class QueueDock;
class ResultsPanel;
class RunQueue;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override; // stops the queue; the run in flight keeps its training state for a retry

    bool openProject(const QString& path, bool create = false);
    void openExample();
    void importPaths(const QStringList& paths);
    // Finds checkpoint folders under the given folders and adds them to the project.
    void addCheckpointFolders(const QStringList& folders);
    // Asks what to evaluate them on (EvaluateDialog), then runs it in the background.
    void evaluateCheckpoints(const QVector<CheckpointInfo>& checkpoints);
    // Writes the current chart; used by File > Export and by tests.
    bool exportCurrentFigure(const QString& path, const QString& styleName, const QString& dataPath = {});
    // Opens the plan dialog (window-modal, not blocking) with these checkpoints checked (all
    // when empty); accepting it queues the plan and starts the queue. nullptr without a project.
    PlanDialog* planFineTuning(const QVector<CheckpointInfo>& preselected = {});
    // Opens (creating) the project and prepares the demo study in it in the background, then
    // starts the queue. False when the project cannot be opened or a demo is being prepared.
    bool runDemoStudy(const QString& projectPath);

    ProjectSession* session() const { return m_session; }
    FilterPanel* filterPanel() const { return m_filters; }
    ResultsPanel* resultsPanel() const { return m_results; }
    QTabWidget* chartTabs() const { return m_tabs; }
    ChartView* chartView(FigureKind kind) const;
    ChartView* currentChart() const;
    // The text of the last import summary shown to the user.
    QString lastImportSummary() const { return m_lastImportSummary; }
    QTreeView* checkpointView() const { return m_checkpointView; }
    RunQueue* runQueue() const { return m_runQueue; }
    QueueDock* queueDock() const { return m_queueDock; }

signals:
    void importSummaryShown(const QString& summary);
    void demoStudyPrepared(int queuedRuns);
    void demoStudyFailed(const QString& message);
    // The queue ran out of work; the text is what the notice says.
    void queueDrainedNotice(const QString& text);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildDocks();
    void refreshCharts();
    void refreshCurrentChart();
    void onSnapshotChanged();
    void onImportFinished(const ImportReport& report);
    void onExplorerActivated(const QModelIndex& index);
    void newProject();
    void openProjectDialog();
    void importDialog();
    void addCheckpointsDialog();
    void onScanFinished(const CheckpointScanReport& report);
    void showCheckpointMenu(const QPoint& position);
    void exportDialog();
    void exportPointsDialog();
    void rememberRecent(const QString& path);
    void fillRecentMenu();
    void updateTitle();
    // Runs: MainWindowRuns.cpp
    void buildQueue();
    void buildRunsMenu();
    void setQueueProject();
    void runDemoStudyDialog();
    void onDemoPrepared(int checkpoints, int tasks, int queuedRuns, const QString& dataFolder);
    void onQueueDrained(int done, int failed);
    void scheduleResultsReload();
    void stopBackgroundWork();

    ProjectSession* m_session;
    QTabWidget* m_tabs;
    QVector<ChartView*> m_charts;        // indexed by FigureKind
    QVector<bool> m_chartStale;
    FilterPanel* m_filters;
    ResultsPanel* m_results;
    QTreeView* m_explorer;
    ProjectExplorerModel* m_explorerModel;
    QTreeView* m_checkpointView;
    CheckpointTreeModel* m_checkpointModel;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_status;
    QProgressBar* m_progress;
    QString m_lastImportSummary;
    bool m_showExampleView = false;
    std::optional<Project> m_project;      // the session's project, for the queue and the planner
    RunQueue* m_runQueue = nullptr;
    QueueDock* m_queueDock = nullptr;
    DemoStudyRunner* m_demo = nullptr;
    QTimer* m_resultsReload = nullptr;     // coalesces reloads while runs land results
    QSystemTrayIcon* m_tray = nullptr;
};

} // namespace ckptlab
