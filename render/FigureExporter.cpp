#include "render/FigureExporter.h"

#include <QFileInfo>
#include <QSvgGenerator>
#include <qcustomplot.h>

namespace ckptlab {

QStringList figureFileSuffixes()
{
    return {QStringLiteral("png"), QStringLiteral("pdf"), QStringLiteral("svg")};
}

namespace {

Status saveSvg(QCustomPlot* plot, const QString& path, const ExportOptions& o)
{
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(QSize(o.width, o.height));
    generator.setViewBox(QRect(0, 0, o.width, o.height));
    generator.setTitle(QStringLiteral("ckptlab figure"));
    QCPPainter painter;
    if (!painter.begin(&generator))
        return Status::failure(QStringLiteral("%1: cannot write the SVG file.").arg(path));
    plot->toPainter(&painter, o.width, o.height);
    painter.end();
    return success();
}

} // namespace

Status exportFigure(QCustomPlot* plot, const QString& path, const ExportOptions& o)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (o.width <= 0 || o.height <= 0 || o.dpi <= 0)
        return Status::failure(QStringLiteral("%1: width, height and DPI must be positive.").arg(path));
    if (!QFileInfo(QFileInfo(path).absolutePath()).isDir())
        return Status::failure(QStringLiteral("%1: the folder does not exist.").arg(path));
    bool ok = false;
    if (suffix == QLatin1String("png")) {
        ok = plot->savePng(path, o.width, o.height, o.dpi / 96.0, -1, o.dpi, QCP::ruDotsPerInch);
    } else if (suffix == QLatin1String("pdf")) {
        ok = plot->savePdf(path, o.width, o.height, QCP::epNoCosmetic, QStringLiteral("ckptlab"),
                           QStringLiteral("ckptlab figure"));
    } else if (suffix == QLatin1String("svg")) {
        if (Status s = saveSvg(plot, path, o); !s)
            return s;
        ok = true;
    } else {
        return Status::failure(QStringLiteral("%1: unknown figure type \"%2\" (use .png, .pdf or .svg).").arg(path, suffix));
    }
    if (!ok || QFileInfo(path).size() == 0)
        return Status::failure(QStringLiteral("%1: writing the figure failed.").arg(path));
    return success();
}

} // namespace ckptlab
