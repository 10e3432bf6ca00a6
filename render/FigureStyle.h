#pragma once

#include <QColor>
#include <QFont>
#include <QString>
#include <QVector>

#include <optional>

namespace ckptlab {

// How a figure looks: "screen" for exploring, "paper" for publication (serif, larger type,
// the Okabe-Ito colour-blind-safe palette, thicker lines, no background grid clutter).
struct FigureStyle {
    QString name;
    QFont baseFont;
    QFont titleFont;
    QFont tickFont;
    QVector<QColor> palette;
    double lineWidth = 1.5;
    double markerSize = 6.0;
    int bandAlpha = 45;
    bool showGrid = true;
    QColor background = Qt::white;

    QColor colorFor(int seriesIndex) const { return palette[seriesIndex % palette.size()]; }

    static FigureStyle screen();
    static FigureStyle paper();
    static std::optional<FigureStyle> byName(const QString& name);
};

} // namespace ckptlab
