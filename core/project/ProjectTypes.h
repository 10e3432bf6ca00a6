#pragma once

// Value types read from and written to a project. No SQL here: the analyses and the UI use
// these without knowing where they came from.

#include <QHash>
#include <QString>
#include <QVector>

#include <cmath>
#include <limits>
#include <optional>

namespace ckptlab {

using RowId = qint64;
constexpr RowId kBaseRecipe = 0; // "no fine-tuning": the base checkpoint itself

struct CheckpointInfo {
    RowId id = 0;
    QString series;                 // e.g. "olmo1b", "pythia-160m"
    QString label;                  // "342000", or "main" / "final" / "latest" for the final one
    std::optional<qint64> step;     // unknown for a final checkpoint unless the user gave it
    std::optional<double> tokens;   // tokens seen in pre-training (absolute count)
    bool isFinal = false;           // sorts after every numbered step of its series
    QString path;                   // empty when it only appears in imported results
    QString family;
    std::optional<qint64> parameters;
    QString dtype;
    std::optional<qint64> bytes;
    // From a folder scan: "ok", "needs conversion", "broken", or "" when never scanned;
    // a scanned checkpoint whose folder is gone reads as "missing".
    QString status;
    QString statusDetail;          // why, for anything but ok
    bool hasTokenizer = false;
};

// Order within a series: numbered steps ascending, the final checkpoint last.
inline bool checkpointBefore(const CheckpointInfo& a, const CheckpointInfo& b)
{
    if (a.series != b.series)
        return a.series < b.series;
    if (a.isFinal != b.isFinal)
        return !a.isFinal;
    return a.step.value_or(0) < b.step.value_or(0);
}

struct RecipeInfo {
    RowId id = 0;
    QString ftTask;                      // the fine-tuning task, e.g. "mnli"
    std::optional<double> epochs;
    std::optional<double> learningRate;
    std::optional<int> batchSize;
    std::optional<int> maxLength;
    std::optional<int> seed;
    QString extraJson;                   // other settings, a JSON object ("{}" when none)

    // "mnli (3 ep, 2e-6)": what a legend or a table shows
    QString label() const;
    // canonical identity, unique per project
    QString key() const;
};

// "2e-6" for 2e-6, "0.0001" never: learning rates read as they are written in papers.
QString formatLearningRate(double lr);

struct TaskInfo {
    RowId id = 0;
    QString name;        // "mnli_matched"
    QString kind;        // classification | multiple_choice | generation | "" when unknown
    QString metric;      // preferred metric, e.g. "acc" or "rouge_l"
};

struct PromptFormatInfo {
    RowId id = 0;
    RowId taskId = 0;
    QString name;        // "default", "instruct", "inputoutput", ...
};

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

struct ResultRow {
    RowId id = 0;
    RowId checkpointId = 0;
    RowId recipeId = kBaseRecipe;
    RowId taskId = 0;
    RowId formatId = 0;
    int shots = 0;
    QString metric;
    double value = 0.0;
    double stderr_ = kNoValue;   // NaN when unknown
    int n = -1;                  // -1 when unknown
    QString modelRef;            // the model id as the source wrote it
    QString source;              // "computed" or the imported file name

    bool hasStderr() const { return !std::isnan(stderr_); }
};

// Everything needed to explore results, loaded once per project open or change.
// Lookups by id are O(1) through the index maps.
struct ResultSnapshot {
    QVector<CheckpointInfo> checkpoints;
    QVector<RecipeInfo> recipes;          // kBaseRecipe is not in here
    QVector<TaskInfo> tasks;
    QVector<PromptFormatInfo> formats;
    QVector<ResultRow> results;

    QHash<RowId, int> checkpointIndex;
    QHash<RowId, int> recipeIndex;
    QHash<RowId, int> taskIndex;
    QHash<RowId, int> formatIndex;

    void rebuildIndexes();
    const CheckpointInfo* checkpoint(RowId id) const;
    const RecipeInfo* recipe(RowId id) const;        // nullptr for kBaseRecipe
    const TaskInfo* task(RowId id) const;
    const PromptFormatInfo* format(RowId id) const;
    const TaskInfo* taskByName(const QString& name) const;
    // "base" for kBaseRecipe, else the recipe's label
    QString recipeLabel(RowId id) const;
};

} // namespace ckptlab
