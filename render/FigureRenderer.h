#pragma once

#include "figures/FigureData.h"
#include "render/FigureStyle.h"

#include <QList>
#include <QVector>

class QCustomPlot;
class QCPAbstractPlottable;

namespace ckptlab {

struct RenderedFigure {
    // The plottables that draw each series of the FigureData: its line first, then its band
    // or error bars. Hiding a series hides all of them.
    QVector<QList<QCPAbstractPlottable*>> seriesParts;
    int seriesOf(const QCPAbstractPlottable* plottable) const;
};

// Draws a FigureData onto a QCustomPlot, replacing what was there.
RenderedFigure renderFigure(QCustomPlot* plot, const FigureData& data, const FigureStyle& style, ErrorDisplay errors);

} // namespace ckptlab
