#include "render/LossCurveView.h"

#include <QLabel>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace ckptlab {

LossCurveView::LossCurveView(QWidget* parent)
    : QWidget(parent), m_plot(new QCustomPlot(this)), m_graph(m_plot->addGraph()), m_title(new QLabel(this))
{
    m_title->setWordWrap(true);
    m_title->setAlignment(Qt::AlignCenter);
    m_title->setObjectName(QStringLiteral("lossTitle"));
    QFont small = m_title->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_title->setFont(small);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_title);
    layout->addWidget(m_plot, 1);
    m_plot->xAxis->setLabel(tr("optimizer step"));
    m_plot->yAxis->setLabel(tr("training loss"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    m_graph->setPen(QPen(QColor(0, 114, 178), 1.5));
    m_graph->setLineStyle(QCPGraph::lsLine);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) {
        rescale();
        m_plot->replot();
    });
    showMessage(tr("Select a run to see its training loss."));
}

void LossCurveView::setCurve(const QString& title, const QVector<QPointF>& points)
{
    QVector<double> x, y;
    x.reserve(points.size());
    y.reserve(points.size());
    for (const QPointF& p : points) {
        x << p.x();
        y << p.y();
    }
    m_graph->setData(x, y, true);
    m_title->setText(points.isEmpty() ? tr("%1 — no training step yet").arg(title) : title);
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossCurveView::addPoint(const QPointF& point)
{
    m_graph->addData(point.x(), point.y());
    rescale();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossCurveView::showMessage(const QString& message)
{
    m_graph->data()->clear();
    m_title->setText(message);
    m_plot->xAxis->setRange(0, 1);
    m_plot->yAxis->setRange(0, 1);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString LossCurveView::title() const
{
    return m_title->text();
}

int LossCurveView::pointCount() const
{
    return m_graph->dataCount();
}

void LossCurveView::rescale()
{
    if (m_graph->dataCount() == 0)
        return;
    bool found = false;
    const QCPRange keys = m_graph->getKeyRange(found);
    const QCPRange values = m_graph->getValueRange(found);
    m_plot->xAxis->setRange(std::min(0.0, keys.lower), std::max(keys.upper, keys.lower + 1.0));
    const double pad = std::max((values.upper - values.lower) * 0.08, 1e-3);
    m_plot->yAxis->setRange(values.lower - pad, values.upper + pad);
}

} // namespace ckptlab
