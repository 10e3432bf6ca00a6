#pragma once

#include "figures/FigureData.h"
#include "common/Outcome.h"

class QCustomPlot;

namespace ckptlab {

struct ExportOptions {
    int width = 800;    // logical pixels (points for PDF/SVG)
    int height = 500;
    int dpi = 150;      // PNG only: the file has width * dpi / 96 pixels
};

// Writes the plot as PNG, PDF (vector) or SVG (vector), chosen by the file's extension.
Status exportFigure(QCustomPlot* plot, const QString& path, const ExportOptions& options = {});

// The file types exportFigure understands, for file dialogs and argument checks.
QStringList figureFileSuffixes();

} // namespace ckptlab
