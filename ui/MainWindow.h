#pragma once

#include "charts/FigureSpec.h"
#include "ingest/ImportTypes.h"
#include "project/ProjectTypes.h"

#include <QMainWindow>

class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;
class QTreeView;

namespace ckptlab {

class ChartView;
class CheckpointTreeModel;
struct CheckpointScanReport;
class FilterPanel;
class ProjectExplorerModel;
class ProjectSession;
class ResultsPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    bool openProject(const QString& path, bool create = false);
    void openExample();
    void importPaths(const QStringList& paths);
    // Finds checkpoint folders under the given folders and adds them to the project.
    void addCheckpointFolders(const QStringList& folders);
    // Asks what to evaluate them on (EvaluateDialog), then runs it in the background.
    void evaluateCheckpoints(const QVector<CheckpointInfo>& checkpoints);
    // Writes the current chart; used by File > Export and by tests.
    bool exportCurrentFigure(const QString& path, const QString& styleName, const QString& dataPath = {});

    ProjectSession* session() const { return m_session; }
    FilterPanel* filterPanel() const { return m_filters; }
    ResultsPanel* resultsPanel() const { return m_results; }
    QTabWidget* chartTabs() const { return m_tabs; }
    ChartView* chartView(FigureKind kind) const;
    ChartView* currentChart() const;
    // The text of the last import summary shown to the user.
    QString lastImportSummary() const { return m_lastImportSummary; }
    QTreeView* checkpointView() const { return m_checkpointView; }

signals:
    void importSummaryShown(const QString& summary);

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
};

} // namespace ckptlab
