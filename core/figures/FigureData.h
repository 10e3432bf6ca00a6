#pragma once

#include "figures/FigureSpec.h"
#include "common/Outcome.h"
#include "project/ProjectTypes.h"

#include <QStringList>
#include <QVector>

#include <optional>

namespace ckptlab {

struct FigurePoint {
    double x = 0.0;
    double y = 0.0;
    double err = kNoValue;          // NaN where unknown
    double low = kNoValue;          // an interval instead of ± err (aggregates), NaN when none
    double high = kNoValue;
    int axisIndex = -1;             // position among the chart's checkpoints; a jump > 1 is a gap
    QString checkpointLabel;
    std::optional<qint64> step;
    QString label;                  // extra identity where x is not a checkpoint (gain: the task)
    QString tooltip;                // what hovering the point shows
};

struct FigureSeries {
    QString name;                   // "base", "mnli", ...
    QVector<FigurePoint> points;    // ascending x
    bool scatter = false;           // points only, no line
    bool bars = false;              // one bar per checkpoint
    bool dashed = false;            // e.g. change on a task the recipe did not train on
    int colorIndex = -1;            // palette slot; the same recipe keeps its colour on every chart (-1: by position)
};

// A chart's content, independent of how it is drawn: the GUI draws it on screen, the CLI into
// a file, and --data writes it as CSV, so all three show the same numbers.
struct FigureData {
    QString title;
    QString xLabel;
    QString yLabel;
    QVector<FigureSeries> series;
    QVector<QPair<double, QString>> xTicks;   // categorical checkpoint axis (index mode)
    bool logX = false;
    bool zeroLine = false;                    // change charts: y = 0 is "no change"
    QStringList notes;                        // e.g. checkpoints left off a step axis
    QString emptyReason;                      // why nothing is plotted, when nothing is

    bool isEmpty() const;
    int pointCount() const;
};

// Whether the figure is about one eval task (trajectories) or spans tasks (gain, forgetting,
// aggregates).
bool figureNeedsTask(const FigureSpec& spec);

FigureData buildFigureData(const ResultSnapshot& snapshot, const FigureSpec& spec);

// One row per plotted point: series,checkpoint,step,x,y,err (gain charts add a task column).
QString figureDataCsv(const FigureData& data);
Status writeFigureDataCsv(const FigureData& data, const QString& path);

} // namespace ckptlab
