#pragma once

#include "figures/FigureData.h"
#include "render/FigureRenderer.h"
#include "render/FigureStyle.h"

#include <QWidget>

#include <utility>

class QCustomPlot;
class QCPLegend;
class QCPAbstractLegendItem;
class QMouseEvent;

namespace ckptlab {

// Draws a FigureData and makes it explorable (wheel zoom, drag pan, double-click reset, hover
// details, legend click hides/shows a series). With LossCurveView, the widget through which
// ui/ shows charts without including QCustomPlot; plot() is there for tests that drive the
// chart with mouse events.
class ChartView : public QWidget {
    Q_OBJECT
public:
    explicit ChartView(QWidget* parent = nullptr);

    void setFigure(const FigureData& data, const FigureStyle& style, ErrorDisplay errors);
    const FigureData& figure() const { return m_data; }
    QCustomPlot* plot() const { return m_plot; }

    // The details of the point nearest to a widget position (within a few pixels), or "".
    QString hoverTextAt(const QPoint& plotPosition) const;
    // Pixel position of a point of series s, for tests and for keyboard navigation.
    QPoint pointPosition(int series, int point) const;
    bool isSeriesVisible(int series) const;
    void setSeriesVisible(int series, bool visible);
    void resetView();

signals:
    void pointHovered(const QString& details);

private:
    void onMouseMove(QMouseEvent* event);
    void onLegendClick(QCPLegend* legend, QCPAbstractLegendItem* item, QMouseEvent* event);

    QCustomPlot* m_plot = nullptr;
    FigureData m_data;
    RenderedFigure m_rendered;
    // The ranges the figure was drawn with, restored by a double-click.
    std::pair<double, double> m_initialX{0, 1};
    std::pair<double, double> m_initialY{0, 1};
};

} // namespace ckptlab
