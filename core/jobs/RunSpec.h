#pragma once

// What one queued run does, stored as JSON in its run row: the checkpoint, the fine-tuning
// recipe (none for a base-model evaluation) and the evaluation suite to run on the result.

#include "common/Outcome.h"
#include "project/ProjectTypes.h"
#include "project/RunTypes.h"

#include <QJsonObject>
#include <QStringList>
#include <QVector>

#include <optional>

namespace ckptlab {

struct FineTuneSettings {
    QString taskName;               // the fine-tuning task (its spec's name)
    QString specPath;               // its task spec JSON
    QString format;                 // prompt format of the training examples; empty = the spec's default
    int epochs = 3;                 // the study's defaults
    double learningRate = 2e-6;
    int batchSize = 8;              // effective batch
    int microBatch = 0;             // 0 = the whole batch at once
    double warmupRatio = 0.03;
    double weightDecay = 0.0;
    int maxLength = 2048;
    int seed = 42;
    qint64 trainLimit = 0;          // first N training examples; 0 = all
    bool saveWeights = true;        // keep the fine-tuned model in the project's run folder
    int saveStateEverySteps = 50;   // resumable state every N steps (and on cancel)
    bool gradientCheckpointing = false; // less memory, ~1/3 more time; the same model

    // The recipe row of the fine-tuned model: the hyper-parameters that define it.
    RecipeInfo recipe() const;
};

struct EvalSuiteEntry {
    QString taskName;
    QString specPath;
    QStringList formats;            // empty = the spec's default format
    QVector<int> shots{0};
    qint64 limit = 0;               // first N evaluation items; 0 = all
};

struct RunSpec {
    CheckpointInfo checkpoint;      // series, label, step and path are what a run needs
    std::optional<FineTuneSettings> fineTune;
    QVector<EvalSuiteEntry> evaluations;
    QString dtype = QStringLiteral("fp32");

    RunKind kind() const;
    QString title() const;          // "demo-neox step100 · sentiment (3 ep, 1e-3)"
    // Identity of the work: the same checkpoint, recipe and evaluation suite give the same key.
    QString key() const;
    int evaluationCount() const;    // (task, format, shots) evaluations

    QJsonObject toJson() const;
    // `source` names where the JSON came from in messages ("run 12", a plan file).
    static Outcome<RunSpec> fromJson(const QJsonObject& json, const QString& source);
};

QJsonObject fineTuneSettingsToJson(const FineTuneSettings& s);
FineTuneSettings fineTuneSettingsFromJson(const QJsonObject& json);
QJsonObject evalSuiteEntryToJson(const EvalSuiteEntry& e);
EvalSuiteEntry evalSuiteEntryFromJson(const QJsonObject& json);

} // namespace ckptlab
