#include "render/FigureRenderer.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace ckptlab {

namespace {

const char* const kTitleName = "ckptlab-figure-title";
const char* const kNotesName = "ckptlab-figure-notes";

// The title row above the axis rect and the notes row below it, created once per plot.
QCPTextElement* textRow(QCustomPlot* plot, const char* name, bool top)
{
    if (auto* existing = plot->findChild<QCPTextElement*>(QLatin1String(name)))
        return existing;
    auto* element = new QCPTextElement(plot);
    element->setObjectName(QLatin1String(name));
    if (top) {
        plot->plotLayout()->insertRow(0);
        plot->plotLayout()->addElement(0, 0, element);
    } else {
        const int row = plot->plotLayout()->rowCount();
        plot->plotLayout()->insertRow(row);
        plot->plotLayout()->addElement(row, 0, element);
    }
    return element;
}

// Points of one series with NaN breaks where a checkpoint in between is missing, so a line
// never bridges a gap as if the value were known there.
void lineData(const FigureSeries& s, QVector<double>& x, QVector<double>& y, QVector<double>& err)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int i = 0; i < s.points.size(); ++i) {
        const FigurePoint& p = s.points[i];
        if (i > 0 && !s.scatter) {
            const FigurePoint& prev = s.points[i - 1];
            if (prev.axisIndex >= 0 && p.axisIndex - prev.axisIndex > 1) {
                x << (prev.x + p.x) / 2;
                y << nan;
                err << nan;
            }
        }
        x << p.x;
        y << p.y;
        err << p.err;
    }
}

void styleAxes(QCustomPlot* plot, const FigureStyle& style)
{
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        axis->setLabelFont(style.baseFont);
        axis->setTickLabelFont(style.tickFont);
        axis->grid()->setVisible(style.showGrid);
        axis->grid()->setPen(QPen(QColor(220, 220, 220), 0, Qt::DotLine));
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
    plot->xAxis2->setVisible(style.name == QLatin1String("paper"));
    plot->yAxis2->setVisible(style.name == QLatin1String("paper"));
    plot->xAxis2->setTicks(false);
    plot->yAxis2->setTicks(false);
    plot->xAxis2->setTickLabels(false);
    plot->yAxis2->setTickLabels(false);
    plot->setBackground(style.background);
    plot->legend->setFont(style.baseFont);
    plot->legend->setBrush(QColor(255, 255, 255, 220));
    plot->legend->setBorderPen(QPen(QColor(180, 180, 180)));
}

// Bars with their interval (low..high) as asymmetric error bars, side by side with the other
// bar series of the figure.
QList<QCPAbstractPlottable*> drawBars(QCustomPlot* plot, const FigureSeries& s, const QColor& color, QCPBarsGroup* group)
{
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setName(s.name);
    bars->setPen(QPen(color.darker(120), 1));
    QColor fill = color;
    fill.setAlpha(170);
    bars->setBrush(fill);
    bars->setWidth(0.35);
    bars->setBarsGroup(group);
    QVector<double> x, y, minus, plus;
    for (const FigurePoint& p : s.points) {
        x << p.x;
        y << p.y;
        minus << (std::isnan(p.low) ? 0.0 : p.y - p.low);
        plus << (std::isnan(p.high) ? 0.0 : p.high - p.y);
    }
    bars->setData(x, y, true);
    auto* errors = new QCPErrorBars(plot->xAxis, plot->yAxis);
    errors->removeFromLegend();
    errors->setDataPlottable(bars);
    errors->setData(minus, plus);
    errors->setPen(QPen(QColor(40, 40, 40), 1));
    errors->setSelectable(QCP::stNone);
    return {bars, errors};
}

// Puts the legend in the corner of the plot that covers the fewest data points.
void placeLegend(QCustomPlot* plot, const FigureData& data)
{
    const QCPRange xr = plot->xAxis->range();
    const QCPRange yr = plot->yAxis->range();
    auto fraction = [](const QCPRange& r, double v, bool log) {
        if (log && v > 0 && r.lower > 0)
            return (std::log(v) - std::log(r.lower)) / (std::log(r.upper) - std::log(r.lower));
        return (v - r.lower) / r.size();
    };
    const Qt::Alignment corners[4] = {Qt::AlignTop | Qt::AlignRight, Qt::AlignTop | Qt::AlignLeft,
                                      Qt::AlignBottom | Qt::AlignRight, Qt::AlignBottom | Qt::AlignLeft};
    int covered[4] = {0, 0, 0, 0};
    for (const FigureSeries& s : data.series)
        for (const FigurePoint& p : s.points) {
            const double fx = fraction(xr, p.x, data.logX);
            const double fy = fraction(yr, p.y, false);
            const bool right = fx > 0.65, left = fx < 0.35, top = fy > 0.7, bottom = fy < 0.3;
            covered[0] += top && right;
            covered[1] += top && left;
            covered[2] += bottom && right;
            covered[3] += bottom && left;
        }
    const int best = int(std::min_element(covered, covered + 4) - covered);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, corners[best]);
}

} // namespace

int RenderedFigure::seriesOf(const QCPAbstractPlottable* plottable) const
{
    for (int i = 0; i < seriesParts.size(); ++i)
        if (seriesParts[i].contains(const_cast<QCPAbstractPlottable*>(plottable)))
            return i;
    return -1;
}

namespace {

QVector<QCPAbstractPlottable*> drawLine(QCustomPlot* plot, const FigureSeries& s, const QColor& color, const FigureStyle& style,
                                        ErrorDisplay errors)
{
    QVector<double> x, y, err;
    lineData(s, x, y, err);
    QCPGraph* graph = plot->addGraph();
    graph->setName(s.name);
    QPen pen(color, style.lineWidth);
    if (s.dashed)
        pen.setStyle(Qt::DashLine);
    graph->setPen(pen);
    graph->setLineStyle(s.scatter ? QCPGraph::lsNone : QCPGraph::lsLine);
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, s.scatter ? color : Qt::white, style.markerSize));
    graph->setData(x, y, true);
    QVector<QCPAbstractPlottable*> parts{graph};

    const bool anyError = std::any_of(err.begin(), err.end(), [](double e) { return !std::isnan(e); });
    if (!anyError || s.scatter || errors == ErrorDisplay::None)
        return parts;
    if (errors == ErrorDisplay::Bars) {
        auto* bars = new QCPErrorBars(plot->xAxis, plot->yAxis);
        bars->removeFromLegend();
        bars->setDataPlottable(graph);
        QVector<double> e = err;
        for (double& v : e)
            if (std::isnan(v))
                v = 0;
        bars->setData(e);
        bars->setPen(QPen(color, 1));
        bars->setSelectable(QCP::stNone);
        return parts << bars;
    }
    // Band: value ± stderr, shaded between an upper and a lower outline.
    QVector<double> lo(y.size()), hi(y.size());
    for (int k = 0; k < y.size(); ++k) {
        const double e = std::isnan(err[k]) ? 0.0 : err[k];
        lo[k] = y[k] - e;
        hi[k] = y[k] + e;
    }
    QCPGraph* lower = plot->addGraph();
    QCPGraph* upper = plot->addGraph();
    for (QCPGraph* g : {lower, upper}) {
        g->removeFromLegend();
        g->setPen(Qt::NoPen);
        g->setSelectable(QCP::stNone);
        g->setLayer(plot->layer(QStringLiteral("background")) ? QStringLiteral("background") : QStringLiteral("main"));
    }
    lower->setData(x, lo, true);
    upper->setData(x, hi, true);
    QColor fill = color;
    fill.setAlpha(style.bandAlpha);
    upper->setBrush(fill);
    upper->setChannelFillGraph(lower);
    upper->setName(s.name + QStringLiteral(" ± stderr"));
    return parts << lower << upper;
}

// X axis: checkpoint labels in step order, or steps/tokens, linear or log.
void setUpXAxis(QCustomPlot* plot, const FigureData& data)
{
    if (!data.xTicks.isEmpty()) {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (const auto& [pos, label] : data.xTicks)
            ticker->addTick(pos, label);
        plot->xAxis->setTicker(ticker);
        plot->xAxis->setTickLabelRotation(data.xTicks.size() > 8 ? 45 : 0);
        plot->xAxis->setScaleType(QCPAxis::stLinear);
    } else if (data.logX) {
        plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
        plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        plot->xAxis->setTickLabelRotation(0);
    } else {
        plot->xAxis->setScaleType(QCPAxis::stLinear);
        plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        plot->xAxis->setTickLabelRotation(0);
    }
    plot->xAxis->setLabel(data.xLabel);
    plot->yAxis->setLabel(data.yLabel);
}

void setTitleAndNotes(QCustomPlot* plot, const FigureData& data, const FigureStyle& style)
{
    QCPTextElement* title = textRow(plot, kTitleName, true);
    title->setText(data.title);
    title->setFont(style.titleFont);
    QCPTextElement* notes = textRow(plot, kNotesName, false);
    notes->setText(data.notes.join(QLatin1Char('\n')));
    QFont noteFont = style.tickFont;
    noteFont.setItalic(true);
    notes->setFont(noteFont);
    notes->setTextColor(QColor(90, 90, 90));
    notes->setVisible(!data.notes.isEmpty());
}

// Nothing to plot: the reason alone, not an axis frame pretending there is data.
void showEmptyReason(QCustomPlot* plot, const FigureData& data, const FigureStyle& style)
{
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        axis->setTicks(!data.isEmpty());
        axis->setTickLabels(!data.isEmpty());
        axis->grid()->setVisible(!data.isEmpty() && style.showGrid);
    }
    if (!data.isEmpty())
        return;
    auto* message = new QCPItemText(plot);
    message->position->setType(QCPItemPosition::ptAxisRectRatio);
    message->position->setCoords(0.5, 0.5);
    message->setText(data.emptyReason);
    message->setFont(style.baseFont);
    message->setColor(QColor(110, 110, 110));
}

// Breathing room so markers and bands at the edges are not cut.
void fitRanges(QCustomPlot* plot, const FigureData& data)
{
    plot->legend->setVisible(!data.series.isEmpty());
    plot->rescaleAxes();
    if (data.isEmpty())
        return;
    if (!data.xTicks.isEmpty())
        plot->xAxis->setRange(-0.5, data.xTicks.size() - 0.5);
    else if (!data.logX)
        plot->xAxis->scaleRange(1.06, plot->xAxis->range().center());
    else
        plot->xAxis->setRange(plot->xAxis->range().lower / 1.5, plot->xAxis->range().upper * 1.5);
    plot->yAxis->scaleRange(1.1, plot->yAxis->range().center());
    placeLegend(plot, data);
}

} // namespace

RenderedFigure renderFigure(QCustomPlot* plot, const FigureData& data, const FigureStyle& style, ErrorDisplay errors)
{
    RenderedFigure rendered;
    plot->clearPlottables();
    plot->clearItems();
    styleAxes(plot, style);
    QCPBarsGroup* barsGroup = nullptr;
    for (int i = 0; i < data.series.size(); ++i) {
        const FigureSeries& s = data.series[i];
        const QColor color = style.colorFor(s.colorIndex >= 0 ? s.colorIndex : i);
        if (s.bars) {
            if (!barsGroup)
                barsGroup = new QCPBarsGroup(plot);
            rendered.seriesParts.push_back(drawBars(plot, s, color, barsGroup));
        } else {
            rendered.seriesParts.push_back(drawLine(plot, s, color, style, errors));
        }
    }
    if (data.zeroLine) {
        auto* zero = new QCPItemStraightLine(plot);
        zero->point1->setCoords(0, 0);
        zero->point2->setCoords(1, 0);
        zero->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashDotLine));
    }
    setUpXAxis(plot, data);
    setTitleAndNotes(plot, data, style);
    showEmptyReason(plot, data, style);
    fitRanges(plot, data);
    return rendered;
}

} // namespace ckptlab
