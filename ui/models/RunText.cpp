#include "models/RunText.h"

#include <QDateTime>

namespace ckptlab {

double secondsBetween(const QString& fromIso, const QString& toIso)
{
    const QDateTime from = QDateTime::fromString(fromIso, Qt::ISODate);
    const QDateTime to = QDateTime::fromString(toIso, Qt::ISODate);
    if (!from.isValid() || !to.isValid())
        return -1.0;
    return from.msecsTo(to) / 1000.0;
}

} // namespace ckptlab

namespace ckptlab {

QString runStateText(RunState state)
{
    return toStorageText(state); // the queue shows the words the project stores
}

QString runKindText(RunKind kind)
{
    return kind == RunKind::FineTune ? QStringLiteral("fine-tune") : QStringLiteral("evaluate");
}

QString runPhaseText(RunPhase phase)
{
    switch (phase) {
    case RunPhase::Loading: return QStringLiteral("loading");
    case RunPhase::Training: return QStringLiteral("training");
    case RunPhase::Saving: return QStringLiteral("saving");
    case RunPhase::Evaluating: return QStringLiteral("evaluating");
    case RunPhase::Writing: return QStringLiteral("writing");
    case RunPhase::Finished: return QStringLiteral("finished");
    }
    return {};
}

} // namespace ckptlab
