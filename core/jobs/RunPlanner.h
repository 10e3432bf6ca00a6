#pragma once

// The planner: a grid of fine-tuning runs (checkpoints x fine-tuning tasks x hyper-parameter
// values) plus base-model evaluations, each followed by an evaluation suite, turned into
// queued run rows. It estimates what the plan costs before it is queued (runs, training tokens,
// time from the speed measured on this device, peak memory per run) and skips work that is
// already planned or done, so planning again after adding checkpoints adds only the new runs.

#include "common/Outcome.h"
#include "jobs/RunSpec.h"
#include "project/Project.h"

#include <QJsonObject>
#include <QStringList>
#include <QVector>

#include <atomic>

namespace ckptlab {

// Hyper-parameters given as lists: the grid is their product.
struct FineTuneGrid {
    QStringList taskSpecs;               // task spec files to fine-tune on
    QString format;                      // training prompt format; empty = each spec's default
    QVector<int> epochs{3};
    QVector<double> learningRates{2e-6};
    QVector<int> batchSizes{8};
    QVector<int> maxLengths{2048};
    QVector<int> seeds{42};
    double warmupRatio = 0.03;
    double weightDecay = 0.0;
    int microBatch = 0;
    qint64 trainLimit = 0;
    bool saveWeights = true;
    bool gradientCheckpointing = false;
};

struct EvalSuiteRequest {
    QString specPath;
    QStringList formats;                 // empty = the spec's default; {"*"} = all its formats
    QVector<int> shots{0};
    qint64 limit = 0;
};

struct RunPlanRequest {
    QString name;
    QVector<CheckpointInfo> checkpoints; // scanned checkpoints (with a folder)
    FineTuneGrid grid;
    QVector<EvalSuiteRequest> evaluations;
    bool evaluateBase = true;            // also evaluate every base checkpoint with the suite
    QString device;                      // "" = any executor; "cpu", "cuda:0", ...
    QString dtype = QStringLiteral("fp32");

    QJsonObject toJson() const;
    // A plan file / saved plan. Checkpoints are given there as {"series": S, "steps": [from, to]}
    // entries or folder paths; they are resolved against the project's scanned checkpoints.
    static Outcome<RunPlanRequest> fromJson(const QJsonObject& json, const QVector<CheckpointInfo>& known,
                                            const QString& source);
};

struct PlannedRun {
    RunSpec spec;
    bool skipped = false;                // already planned or done
    qint64 trainTokens = 0;              // over all epochs
    qint64 peakBytes = 0;                // estimated device memory at the peak
    double seconds = -1.0;               // estimated training time; -1 unknown
};

struct PlanEstimate {
    QVector<PlannedRun> runs;
    int newRuns = 0;
    int skippedRuns = 0;
    qint64 trainTokens = 0;              // of the new runs
    double seconds = 0.0;                // training time of the new runs
    qint64 peakBytes = 0;                // the largest run's
    qint64 deviceBytes = 0;              // memory of the target device (0 = unknown)
    QString speedSource;                 // how the time was estimated
    QStringList warnings;                // runs that will not fit, missing tokenizers, ...

    QString summary() const;
};

// Expands and costs the plan; reads task specs, tokenizes training data (worker thread).
Outcome<PlanEstimate> estimatePlan(const Project& project, const RunPlanRequest& request,
                                   const std::atomic<bool>* cancel = nullptr);

// Saves the plan and queues its new runs; returns how many were queued.
Outcome<int> queuePlan(const Project& project, const RunPlanRequest& request, const PlanEstimate& estimate);

// The checkpoints of `series` (all series when empty) with steps in [fromStep, toStep] and a folder.
QVector<CheckpointInfo> selectCheckpoints(const QVector<CheckpointInfo>& known, const QString& series,
                                          qint64 fromStep = 0, qint64 toStep = -1);

} // namespace ckptlab
