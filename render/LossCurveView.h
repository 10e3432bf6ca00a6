#pragma once

#include <QPointF>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QLabel;

namespace ckptlab {

// The training loss of one run against the optimizer step: the whole curve of a finished run,
// growing point by point while a run trains.
class LossCurveView : public QWidget {
    Q_OBJECT
public:
    explicit LossCurveView(QWidget* parent = nullptr);

    void setCurve(const QString& title, const QVector<QPointF>& points);
    void addPoint(const QPointF& point);
    // No curve: the message says why (no run selected, an evaluation has no loss, ...).
    void showMessage(const QString& message);

    int pointCount() const;
    QString title() const;
    QCustomPlot* plot() const { return m_plot; }

private:
    void rescale();

    QCustomPlot* m_plot;
    QCPGraph* m_graph;
    QLabel* m_title;   // above the plot, so a long run title wraps instead of being cut
};

} // namespace ckptlab
