#pragma once

// What a run is, as every layer sees it: its kind, its state, the phase it is in while it
// executes, and its row. States, kinds and phases are enums everywhere; they become text only
// where they are stored (project/RunStore.cpp) or shown (ui/models/RunText.cpp).
//
// States: Queued -> Running -> Done | Failed | Cancelled; a run found Running whose owner
// process is gone is Interrupted. Failed, Cancelled and Interrupted runs can be queued again.

#include "project/ProjectTypes.h"

#include <QMetaType>
#include <QString>
#include <QVector>

#include <optional>

namespace ckptlab {

enum class RunKind { FineTune, Evaluate };
enum class RunState { Queued, Running, Done, Failed, Cancelled, Interrupted };
// What an executing run is doing; Finished once it has written its results and state.
enum class RunPhase { Loading, Training, Saving, Evaluating, Writing, Finished };

// The storage spellings ("finetune", "queued", "training", ...).
QString toStorageText(RunKind kind);
QString toStorageText(RunState state);
QString toStorageText(RunPhase phase);
std::optional<RunKind> runKindFromStorageText(const QString& text);
std::optional<RunState> runStateFromStorageText(const QString& text);

struct RunRecord {
    RowId id = 0;
    RunKind kind = RunKind::FineTune;
    RowId modelId = 0;
    RowId planId = 0;
    QString title;             // "demo-neox step100 · sentiment (3 ep, 1e-3)"
    QString key;               // identity of the work (checkpoint, recipe, evaluation suite)
    QString spec;              // JSON: what to run (jobs/RunSpec.h)
    RunState state = RunState::Queued;
    int queueOrder = 0;
    QString device;            // "" = any device
    double progress = 0.0;     // 0..1
    QString detail;            // the last progress line
    QString createdAt, startedAt, finishedAt;
    QString error;
    QVector<double> lossCurve; // per optimizer step
    QString stats;             // JSON: tokens, seconds, steps, parameters, ... of a finished run
    QString outputDir;
    QString owner;             // "host:pid" of the process running it

    bool canRetry() const;     // failed, cancelled or interrupted
};

} // namespace ckptlab

Q_DECLARE_METATYPE(ckptlab::RunState)
Q_DECLARE_METATYPE(ckptlab::RunPhase)
