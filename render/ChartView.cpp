#include "render/ChartView.h"

#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace ckptlab {

namespace {
constexpr double kHoverRadiusPx = 10.0;
}

ChartView::ChartView(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom | QCP::iSelectLegend);
    m_plot->setMouseTracking(true);
    m_plot->setNoAntialiasingOnDrag(true);
    // On screen, shaded bands need no antialiasing and long lines can take the fast path;
    // exported figures are drawn by a separate plot at full quality.
    m_plot->setNotAntialiasedElements(QCP::aeFills);
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    connect(m_plot, &QCustomPlot::mouseMove, this, &ChartView::onMouseMove);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { resetView(); });
    connect(m_plot, &QCustomPlot::legendClick, this, &ChartView::onLegendClick);
}

void ChartView::setFigure(const FigureData& data, const FigureStyle& style, ErrorDisplay errors)
{
    m_data = data;
    m_rendered = renderFigure(m_plot, m_data, style, errors);
    m_initialX = {m_plot->xAxis->range().lower, m_plot->xAxis->range().upper};
    m_initialY = {m_plot->yAxis->range().lower, m_plot->yAxis->range().upper};
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ChartView::resetView()
{
    m_plot->xAxis->setRange(m_initialX.first, m_initialX.second);
    m_plot->yAxis->setRange(m_initialY.first, m_initialY.second);
    m_plot->replot();
}

QPoint ChartView::pointPosition(int series, int point) const
{
    const FigurePoint& p = m_data.series.at(series).points.at(point);
    return QPoint(qRound(m_plot->xAxis->coordToPixel(p.x)), qRound(m_plot->yAxis->coordToPixel(p.y)));
}

QString ChartView::hoverTextAt(const QPoint& pos) const
{
    double best = kHoverRadiusPx * kHoverRadiusPx;
    QString text;
    for (int s = 0; s < m_data.series.size(); ++s) {
        if (!isSeriesVisible(s))
            continue;
        for (int i = 0; i < m_data.series[s].points.size(); ++i) {
            const QPoint p = pointPosition(s, i);
            const double dx = p.x() - pos.x();
            const double dy = p.y() - pos.y();
            if (dx * dx + dy * dy <= best) {
                best = dx * dx + dy * dy;
                text = m_data.series[s].points[i].tooltip;
            }
        }
    }
    return text;
}

bool ChartView::isSeriesVisible(int series) const
{
    if (series < 0 || series >= m_rendered.seriesParts.size() || m_rendered.seriesParts[series].isEmpty())
        return false;
    return m_rendered.seriesParts[series].first()->visible();
}

void ChartView::setSeriesVisible(int series, bool visible)
{
    if (series < 0 || series >= m_rendered.seriesParts.size())
        return;
    for (QCPAbstractPlottable* part : m_rendered.seriesParts[series])
        part->setVisible(visible);
    QCPAbstractPlottable* line = m_rendered.seriesParts[series].first();
    if (QCPPlottableLegendItem* item = m_plot->legend->itemWithPlottable(line))
        item->setTextColor(visible ? Qt::black : QColor(170, 170, 170));
    m_plot->replot();
}

void ChartView::onMouseMove(QMouseEvent* event)
{
    const QString text = hoverTextAt(event->pos());
    if (text.isEmpty()) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
    emit pointHovered(text);
}

void ChartView::onLegendClick(QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*)
{
    auto* plottableItem = qobject_cast<QCPPlottableLegendItem*>(item);
    if (!plottableItem)
        return;
    const int series = m_rendered.seriesOf(plottableItem->plottable());
    setSeriesVisible(series, !isSeriesVisible(series));
    m_plot->legend->setSelectedParts(QCPLegend::spNone);
    item->setSelected(false);
}

} // namespace ckptlab
