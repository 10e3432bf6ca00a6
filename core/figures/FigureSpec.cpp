#include "figures/FigureSpec.h"

namespace ckptlab {

QString figureKindName(FigureKind kind)
{
    switch (kind) {
    case FigureKind::Trajectory: return QStringLiteral("trajectory");
    case FigureKind::Change: return QStringLiteral("change");
    case FigureKind::Sensitivity: return QStringLiteral("sensitivity");
    case FigureKind::Gain: return QStringLiteral("gain");
    }
    return {};
}

std::optional<FigureKind> figureKindFromName(const QString& name)
{
    for (FigureKind k : {FigureKind::Trajectory, FigureKind::Change, FigureKind::Sensitivity, FigureKind::Gain})
        if (figureKindName(k) == name)
            return k;
    return std::nullopt;
}

QString xAxisModeName(XAxisMode mode)
{
    switch (mode) {
    case XAxisMode::Index: return QStringLiteral("index");
    case XAxisMode::Step: return QStringLiteral("step");
    case XAxisMode::Tokens: return QStringLiteral("tokens");
    }
    return {};
}

std::optional<XAxisMode> xAxisModeFromName(const QString& name)
{
    for (XAxisMode m : {XAxisMode::Index, XAxisMode::Step, XAxisMode::Tokens})
        if (xAxisModeName(m) == name)
            return m;
    return std::nullopt;
}

} // namespace ckptlab
