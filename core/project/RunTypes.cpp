#include "project/RunTypes.h"

namespace ckptlab {

QString toStorageText(RunKind kind)
{
    return kind == RunKind::FineTune ? QStringLiteral("finetune") : QStringLiteral("evaluate");
}

QString toStorageText(RunState state)
{
    switch (state) {
    case RunState::Queued: return QStringLiteral("queued");
    case RunState::Running: return QStringLiteral("running");
    case RunState::Done: return QStringLiteral("done");
    case RunState::Failed: return QStringLiteral("failed");
    case RunState::Cancelled: return QStringLiteral("cancelled");
    case RunState::Interrupted: return QStringLiteral("interrupted");
    }
    return {};
}

QString toStorageText(RunPhase phase)
{
    switch (phase) {
    case RunPhase::Loading: return QStringLiteral("loading");
    case RunPhase::Training: return QStringLiteral("training");
    case RunPhase::Saving: return QStringLiteral("saving");
    case RunPhase::Evaluating: return QStringLiteral("evaluating");
    case RunPhase::Writing: return QStringLiteral("writing");
    case RunPhase::Finished: return QStringLiteral("done");
    }
    return {};
}

std::optional<RunKind> runKindFromStorageText(const QString& text)
{
    for (RunKind k : {RunKind::FineTune, RunKind::Evaluate})
        if (toStorageText(k) == text)
            return k;
    return std::nullopt;
}

std::optional<RunState> runStateFromStorageText(const QString& text)
{
    for (RunState s : {RunState::Queued, RunState::Running, RunState::Done, RunState::Failed, RunState::Cancelled,
                       RunState::Interrupted})
        if (toStorageText(s) == text)
            return s;
    return std::nullopt;
}

bool RunRecord::canRetry() const
{
    return state == RunState::Failed || state == RunState::Cancelled || state == RunState::Interrupted;
}

} // namespace ckptlab
