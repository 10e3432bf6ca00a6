#include "render/FigureStyle.h"

namespace ckptlab {

namespace {

// Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
QVector<QColor> okabeIto()
{
    return {QColor(0x00, 0x00, 0x00), QColor(0xE6, 0x9F, 0x00), QColor(0x56, 0xB4, 0xE9), QColor(0x00, 0x9E, 0x73),
            QColor(0xD5, 0x5E, 0x00), QColor(0x00, 0x72, 0xB2), QColor(0xCC, 0x79, 0xA7), QColor(0xF0, 0xE4, 0x42)};
}

QFont font(const QString& family, int pointSize, bool bold = false)
{
    QFont f(family);
    f.setPointSize(pointSize);
    f.setBold(bold);
    return f;
}

} // namespace

FigureStyle FigureStyle::screen()
{
    FigureStyle s;
    s.name = QStringLiteral("screen");
    s.baseFont = font(QStringLiteral("Sans Serif"), 9);
    s.tickFont = font(QStringLiteral("Sans Serif"), 8);
    s.titleFont = font(QStringLiteral("Sans Serif"), 10, true);
    s.palette = {QColor(0x33, 0x33, 0x33), QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                 QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2),
                 QColor(0x17, 0xbe, 0xcf), QColor(0xbc, 0xbd, 0x22)};
    s.lineWidth = 1.6;
    s.markerSize = 6;
    s.showGrid = true;
    return s;
}

FigureStyle FigureStyle::paper()
{
    FigureStyle s;
    s.name = QStringLiteral("paper");
    s.baseFont = font(QStringLiteral("Serif"), 12);
    s.tickFont = font(QStringLiteral("Serif"), 11);
    s.titleFont = font(QStringLiteral("Serif"), 13);
    s.palette = okabeIto();
    s.lineWidth = 2.2;
    s.markerSize = 8;
    s.bandAlpha = 40;
    s.showGrid = false;
    return s;
}

std::optional<FigureStyle> FigureStyle::byName(const QString& name)
{
    if (name == QLatin1String("screen"))
        return screen();
    if (name == QLatin1String("paper"))
        return paper();
    return std::nullopt;
}

} // namespace ckptlab
