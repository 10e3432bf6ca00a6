#pragma once

#include "figures/FigureSpec.h"
#include "project/ProjectTypes.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QListWidget;

namespace ckptlab {

// What the charts and the results table look at: eval task, prompt format, shots, metric,
// recipes and checkpoint series, plus how the charts draw it (x axis, uncertainty, style).
class FilterPanel : public QWidget {
    Q_OBJECT
public:
    explicit FilterPanel(QWidget* parent = nullptr);

    // Fills the choices from the project, keeping the current choices where they still exist.
    void setSnapshot(const ResultSnapshot* snapshot);

    ResultSelection selection() const;
    FigureSpec spec(FigureKind kind) const;
    QString styleName() const;

    // Select programmatically (the explorer, the example's first view, tests).
    void selectTask(const QString& task, const QString& format = {}, int shots = -1);
    void selectFtTasks(const QStringList& ftTasks);   // empty: all
    void setXAxis(XAxisMode mode, bool logX);

signals:
    void selectionChanged();

private:
    void fillTasks();
    void fillFormats();
    void fillShots();
    void fillMetrics();
    void fillRecipesAndSeries();
    void emitChanged();

    const ResultSnapshot* m_snapshot = nullptr;
    bool m_updating = false;
    QComboBox* m_task;
    QComboBox* m_format;
    QComboBox* m_shots;
    QComboBox* m_metric;
    QComboBox* m_series;
    QListWidget* m_recipes;
    QComboBox* m_xAxis;
    QCheckBox* m_logX;
    QComboBox* m_errors;
    QComboBox* m_style;
    QComboBox* m_changeMode;
    QComboBox* m_spread;
};

} // namespace ckptlab
