#include "models/RunTableModel.h"

#include "jobs/SlurmCluster.h"

#include "jobs/RunQueue.h"
#include "models/RunText.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <limits>

namespace ckptlab {

namespace {

QColor stateColor(RunState state)
{
    if (state == RunState::Failed)
        return QColor(176, 0, 32);
    if (state == RunState::Interrupted)
        return QColor(179, 89, 0);
    if (state == RunState::Cancelled)
        return QColor(110, 110, 110);
    if (state == RunState::Done)
        return QColor(27, 122, 58);
    if (state == RunState::Running)
        return QColor(0, 90, 181);
    return {};
}

QString stateToolTip(RunState state, bool paused)
{
    if (paused)
        return RunTableModel::tr("Held after its current step until the queue is resumed.");
    if (state == RunState::Interrupted)
        return RunTableModel::tr("ckptlab stopped while this run was running. Restart queues it again; "
                                 "fine-tuning resumes from its last saved training state.");
    if (state == RunState::Cancelled)
        return RunTableModel::tr("Cancelled. Retry queues it again; fine-tuning resumes from its saved state.");
    if (state == RunState::Failed)
        return RunTableModel::tr("Failed: the Detail column says why. Retry queues it again.");
    return {};
}

} // namespace

RunTableModel::RunTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunTableModel::setQueue(RunQueue* queue)
{
    if (m_queue)
        disconnect(m_queue, nullptr, this, nullptr);
    m_queue = queue;
    if (!m_queue) {
        setRuns({});
        return;
    }
    connect(m_queue, &RunQueue::runsChanged, this, [this] { setRuns(m_queue->runs(), m_queue->live()); });
    connect(m_queue, &RunQueue::runProgress, this, &RunTableModel::updateProgress);
    connect(m_queue, &RunQueue::runFinished, this, &RunTableModel::finishRun);
    setRuns(m_queue->runs(), m_queue->live());
}

void RunTableModel::setRuns(const QVector<RunRecord>& runs, const QHash<RowId, RunProgress>& live)
{
    const bool sameRows = runs.size() == m_runs.size()
        && std::equal(runs.begin(), runs.end(), m_runs.begin(), [](const RunRecord& a, const RunRecord& b) { return a.id == b.id; });
    // A run that finished after this list was read keeps the state its outcome gave it.
    if (sameRows) {
        m_runs = runs;
        m_live = live;
        summarizeDoneRuns();
    } else {
        beginResetModel();
        m_runs = runs;
        m_live = live;
        indexRows();
        summarizeDoneRuns();
        endResetModel();
    }
    for (auto it = m_liveLoss.begin(); it != m_liveLoss.end();) {
        const int row = rowOf(it.key());
        if (m_live.contains(it.key()) || (row >= 0 && m_runs[row].state == RunState::Running))
            ++it;
        else
            it = m_liveLoss.erase(it);
    }
    if (sameRows && !m_runs.isEmpty())
        emit dataChanged(index(0, 0), index(m_runs.size() - 1, ColumnCount - 1));
}

void RunTableModel::indexRows()
{
    m_rowOf.clear();
    for (int r = 0; r < m_runs.size(); ++r)
        m_rowOf.insert(m_runs[r].id, r);
}

void RunTableModel::summarizeDoneRuns()
{
    m_doneSummary.clear();
    for (const RunRecord& run : m_runs) {
        if (run.state != RunState::Done || run.stats.isEmpty())
            continue;
        const QJsonObject stats = QJsonDocument::fromJson(run.stats.toUtf8()).object();
        QStringList parts;
        parts << tr("%n result(s) written", nullptr, stats.value(QStringLiteral("results")).toInt());
        if (const int steps = stats.value(QStringLiteral("steps")).toInt(); steps > 0)
            parts << tr("%1 steps, %2 tokens").arg(steps).arg(humanCount(qint64(stats.value(QStringLiteral("train_tokens")).toDouble())));
        if (!run.lossCurve.isEmpty())
            parts << tr("final loss %1").arg(run.lossCurve.last(), 0, 'f', 4);
        if (const int resumed = stats.value(QStringLiteral("resumed_from_step")).toInt(); resumed > 0)
            parts << tr("resumed at step %1").arg(resumed);
        m_doneSummary.insert(run.id, parts.join(QStringLiteral(" · ")));
    }
}

void RunTableModel::updateProgress(const RunProgress& progress)
{
    m_live.insert(progress.runId, progress);
    if (progress.phase == RunPhase::Training && progress.step > 0 && progress.loss >= 0) {
        QVector<QPointF>& points = m_liveLoss[progress.runId];
        if (points.isEmpty() || points.last().x() < progress.step) {
            points.push_back(QPointF(progress.step, progress.loss));
            emit lossPointAdded(progress.runId, points.last());
        }
    }
    const int row = rowOf(progress.runId);
    if (row >= 0)
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void RunTableModel::finishRun(const RunOutcome& outcome)
{
    m_live.remove(outcome.runId);
    m_liveLoss.remove(outcome.runId);
    const int row = rowOf(outcome.runId);
    if (row < 0)
        return;
    RunRecord& run = m_runs[row];
    run.state = outcome.state;
    run.error = outcome.error;
    if (!outcome.lossCurve.isEmpty())
        run.lossCurve = outcome.lossCurve;
    if (outcome.state == RunState::Done)
        run.progress = 1.0;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int RunTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_runs.size();
}

int RunTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const RunRecord* RunTableModel::runAt(int row) const
{
    return row >= 0 && row < m_runs.size() ? &m_runs[row] : nullptr;
}

int RunTableModel::rowOf(RowId id) const
{
    return m_rowOf.value(id, -1);
}

const RunProgress* RunTableModel::liveProgress(RowId id) const
{
    const auto it = m_live.constFind(id);
    return it == m_live.constEnd() ? nullptr : &it.value();
}

RunState RunTableModel::effectiveState(int row) const
{
    const RunRecord& run = m_runs[row];
    return liveProgress(run.id) ? RunState::Running : run.state;
}

bool RunTableModel::isPaused(int row) const
{
    const RunProgress* live = liveProgress(m_runs[row].id);
    return live && live->paused;
}

QString RunTableModel::displayState(int row) const
{
    if (isPaused(row))
        return tr("paused");
    // A run handed to Slurm is running for ckptlab; Slurm may still hold it back.
    if (isPendingOnSlurm(m_runs[row]))
        return tr("pending");
    return runStateText(effectiveState(row));
}

int RunTableModel::count(RunState state) const
{
    int n = 0;
    for (int r = 0; r < m_runs.size(); ++r)
        n += effectiveState(r) == state ? 1 : 0;
    return n;
}

QVector<QPointF> RunTableModel::lossCurve(RowId id) const
{
    const int row = rowOf(id);
    const QVector<QPointF> live = m_liveLoss.value(id);
    QVector<QPointF> points;
    if (row >= 0) {
        const QVector<double>& saved = m_runs[row].lossCurve;
        const double firstLive = live.isEmpty() ? std::numeric_limits<double>::max() : live.first().x();
        for (int i = 0; i < saved.size() && i + 1 < firstLive; ++i)
            points.push_back(QPointF(i + 1, saved[i]));
    }
    return points + live;
}

int RunTableModel::progressPercent(int row) const
{
    const RunRecord& run = m_runs[row];
    if (const RunProgress* live = liveProgress(run.id))
        return qBound(0, qRound(live->fraction * 100), 100);
    if (run.state == RunState::Done)
        return 100;
    return qBound(0, qRound(run.progress * 100), 100);
}

QVariant RunTableModel::display(int row, int column) const
{
    const RunRecord& run = m_runs[row];
    const RunProgress* live = liveProgress(run.id);
    switch (column) {
    case State:
        return displayState(row);
    case Run:
        return run.title;
    case Progress:
        return run.state == RunState::Queued && !live ? QString() : QStringLiteral("%1%").arg(progressPercent(row));
    case Eta:
        if (live) {
            // The executor's ETA covers training; the other phases say what they do instead.
            if (live->phase == RunPhase::Training)
                return live->etaSeconds >= 0 ? tr("%1 left").arg(humanDuration(live->etaSeconds)) : tr("training");
            if (live->phase == RunPhase::Evaluating && live->evaluations > 0)
                return tr("evaluating %1/%2").arg(std::max(1, live->evaluation)).arg(live->evaluations);
            return runPhaseText(live->phase);
        }
        if (run.state == RunState::Done) {
            const double seconds = secondsBetween(run.startedAt, run.finishedAt);
            return seconds < 1 ? tr("took < 1 s") : tr("took %1").arg(humanDuration(seconds)); // timestamps are whole seconds
        }
        return {};
    case Loss:
        if (live && live->loss >= 0)
            return QString::number(live->loss, 'f', 4);
        return run.lossCurve.isEmpty() ? QString() : QString::number(run.lossCurve.last(), 'f', 4);
    case Device:
        if (live && !live->device.isEmpty())
            return live->device;
        if (const QString task = slurmTaskOf(run); !task.isEmpty())
            return tr("Slurm %1").arg(task); // the array task: job_index
        return run.device.isEmpty() ? tr("any") : run.device;
    case Detail:
        if (live)
            return live->detail;
        if (!run.error.isEmpty() && run.state != RunState::Done)
            return run.error;
        if (run.state == RunState::Done)
            return m_doneSummary.value(run.id, run.detail);
        if (run.state == RunState::Cancelled && run.startedAt.isEmpty())
            return tr("cancelled before it started");
        return run.detail;
    }
    return {};
}

QVariant RunTableModel::toolTip(int row, int column) const
{
    const RunRecord& run = m_runs[row];
    switch (column) {
    case State:
        return stateToolTip(effectiveState(row), isPaused(row));
    case Run: {
        QString text = QStringLiteral("%1\n%2 · run %3").arg(run.title, runKindText(run.kind)).arg(run.id);
        if (!run.startedAt.isEmpty())
            text += tr("\nstarted %1").arg(QDateTime::fromString(run.startedAt, Qt::ISODate).toLocalTime().toString());
        if (!run.finishedAt.isEmpty())
            text += tr("\nfinished %1").arg(QDateTime::fromString(run.finishedAt, Qt::ISODate).toLocalTime().toString());
        if (!run.outputDir.isEmpty())
            text += tr("\nfiles: %1").arg(run.outputDir);
        return text;
    }
    case Detail:
    case Progress:
        return display(row, Detail);
    default:
        return {};
    }
}

QVariant RunTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const RunRecord& run = m_runs[row];
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::ToolTipRole:
        return toolTip(row, index.column());
    case Qt::ForegroundRole:
        if (index.column() == State || (index.column() == Detail && (run.state == RunState::Failed || run.state == RunState::Interrupted))) {
            const QColor color = stateColor(effectiveState(row));
            return color.isValid() ? QVariant(QBrush(color)) : QVariant();
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Loss || index.column() == Eta)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case ProgressRole:
        return progressPercent(row);
    case RunIdRole:
        return run.id;
    case StateRole:
        return int(effectiveState(row));
    case PausedRole: {
        const RunProgress* live = liveProgress(run.id);
        return live && live->paused;
    }
    default:
        return {};
    }
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case State: return tr("State");
    case Run: return tr("Run");
    case Progress: return tr("Progress");
    case Eta: return tr("ETA");
    case Loss: return tr("Loss");
    case Device: return tr("Device");
    case Detail: return tr("Detail");
    default: return {};
    }
}

} // namespace ckptlab
