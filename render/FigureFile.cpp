#include "render/FigureFile.h"

#include "render/FigureRenderer.h"

#include <qcustomplot.h>

namespace ckptlab {

Status writeFigureFile(const FigureData& data, const FigureStyle& style, ErrorDisplay errors, const QString& path,
                       const ExportOptions& options, const QString& dataPath)
{
    QCustomPlot plot;
    plot.resize(options.width, options.height);
    renderFigure(&plot, data, style, errors);
    plot.replot();
    if (Status s = exportFigure(&plot, path, options); !s)
        return s;
    if (!dataPath.isEmpty())
        return writeFigureDataCsv(data, dataPath);
    return success();
}

} // namespace ckptlab
