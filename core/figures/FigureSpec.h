#pragma once

#include "analysis/AnalysisQuery.h"

#include <QString>

namespace ckptlab {

enum class FigureKind { Trajectory, Change, Sensitivity, Gain };
enum class XAxisMode { Index, Step, Tokens };
enum class ErrorDisplay { Band, Bars, None };
// Aggregate: mean change over the tasks a recipe trained on and over all others, per
// checkpoint, with 90% bootstrap intervals (the study's figure 4).
enum class ChangeMode { Change, Ratio, Forgetting, Aggregate };
enum class SpreadMode { StdDev, Range, FormatLines };

// Everything that decides what a chart shows. The GUI's filter panel and the CLI's flags both
// fill one of these, and the same code turns it into a figure.
struct FigureSpec {
    FigureKind kind = FigureKind::Trajectory;
    ResultSelection selection;
    XAxisMode xAxis = XAxisMode::Index;
    bool logX = false;
    ErrorDisplay errors = ErrorDisplay::Band;
    ChangeMode changeMode = ChangeMode::Change;
    SpreadMode spread = SpreadMode::StdDev;
};

QString figureKindName(FigureKind kind);                    // "trajectory", "change", ...
std::optional<FigureKind> figureKindFromName(const QString& name);
QString xAxisModeName(XAxisMode mode);                       // "index", "step", "tokens"
std::optional<XAxisMode> xAxisModeFromName(const QString& name);

} // namespace ckptlab
