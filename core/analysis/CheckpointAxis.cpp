#include "analysis/CheckpointAxis.h"

#include "analysis/AnalysisSupport.h"

#include <algorithm>

namespace ckptlab {

int CheckpointAxis::indexOf(RowId checkpointId) const
{
    return checkpointIds.indexOf(checkpointId);
}

bool checkpointOrderBefore(const CheckpointInfo& a, const CheckpointInfo& b)
{
    if (checkpointBefore(a, b))
        return true;
    if (checkpointBefore(b, a))
        return false;
    return a.id < b.id;
}

QString checkpointDisplayLabel(const CheckpointInfo& checkpoint)
{
    if (!checkpoint.label.isEmpty())
        return checkpoint.label;
    if (checkpoint.step)
        return QString::number(*checkpoint.step);
    return checkpoint.isFinal ? QStringLiteral("final") : QStringLiteral("#%1").arg(checkpoint.id);
}

CheckpointAxis buildCheckpointAxis(const ResultSnapshot& snapshot, const QSet<RowId>& checkpointIds)
{
    QVector<const CheckpointInfo*> cps;
    QSet<QString> series;
    for (RowId id : checkpointIds) {
        if (const CheckpointInfo* cp = snapshot.checkpoint(id)) {
            cps.append(cp);
            series.insert(cp->series);
        }
    }
    std::sort(cps.begin(), cps.end(),
              [](const CheckpointInfo* a, const CheckpointInfo* b) { return checkpointOrderBefore(*a, *b); });

    CheckpointAxis axis;
    for (const CheckpointInfo* cp : cps) {
        axis.checkpointIds.append(cp->id);
        const QString label = checkpointDisplayLabel(*cp);
        axis.labels.append(series.size() > 1 ? analysis_detail::joinName(cp->series, label) : label);
    }
    return axis;
}

QHash<RowId, int> axisPositions(const CheckpointAxis& axis)
{
    QHash<RowId, int> positions;
    positions.reserve(axis.checkpointIds.size());
    for (int i = 0; i < axis.checkpointIds.size(); ++i)
        positions.insert(axis.checkpointIds[i], i);
    return positions;
}

} // namespace ckptlab
