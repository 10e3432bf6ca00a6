#pragma once

#include "figures/FigureData.h"
#include "render/FigureExporter.h"
#include "render/FigureStyle.h"

namespace ckptlab {

// Draws a figure off screen in the given style and writes it (PNG, PDF or SVG by extension),
// and the plotted points as CSV when dataPath is given. The GUI's export and the CLI's plot
// command both come through here, so the same spec gives the same file.
Status writeFigureFile(const FigureData& data, const FigureStyle& style, ErrorDisplay errors, const QString& path,
                       const ExportOptions& options = {}, const QString& dataPath = {});

} // namespace ckptlab
