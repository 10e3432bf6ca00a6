#pragma once

// A small hand-made project shared by the analysis tests. Every expected number in the tests
// is worked out by hand from the values below.
//
// Checkpoints (inserted out of order on purpose):
//   pythia: 1 "1000" (step 1000), 2 "2000", 4 "3000", 3 "main" (final, step unknown)
//   olmo:   10 "500", 11 "final" (final)
// Recipes: 1 mnli (3 ep, 2e-6), 2 mnli (1 ep, 2e-6), 3 xsum (3 ep)
// Tasks:   1 boolq (acc), 2 mnli_matched (acc), 3 xlsum (rouge_l), 4 arc (no preferred
//          metric), 5 hellaswag (prefers acc_norm, has only acc); each task has the formats
//          default, instruct, inputoutput.

#include "project/ProjectTypes.h"

#include <QHash>
#include <QPair>

namespace ckptlab::testing {

inline constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

class SnapshotBuilder {
public:
    void checkpoint(RowId id, const QString& series, const QString& label, std::optional<qint64> step,
                    bool isFinal = false, std::optional<double> tokens = std::nullopt)
    {
        CheckpointInfo c;
        c.id = id;
        c.series = series;
        c.label = label;
        c.step = step;
        c.isFinal = isFinal;
        c.tokens = tokens;
        m_snapshot.checkpoints.append(c);
    }

    void recipe(RowId id, const QString& ftTask, std::optional<double> epochs, std::optional<double> lr)
    {
        RecipeInfo r;
        r.id = id;
        r.ftTask = ftTask;
        r.epochs = epochs;
        r.learningRate = lr;
        r.extraJson = QStringLiteral("{}");
        m_snapshot.recipes.append(r);
    }

    void task(RowId id, const QString& name, const QString& metric)
    {
        m_snapshot.tasks.append(TaskInfo{id, name, QStringLiteral("classification"), metric});
        const QStringList formats{QStringLiteral("default"), QStringLiteral("instruct"), QStringLiteral("inputoutput")};
        for (int i = 0; i < formats.size(); ++i) {
            const RowId formatId = id * 10 + i;
            m_snapshot.formats.append(PromptFormatInfo{formatId, id, formats[i]});
            m_formatIds.insert({name, formats[i]}, formatId);
            m_taskIds.insert(name, id);
        }
    }

    void result(RowId checkpointId, RowId recipeId, const QString& task, const QString& format, int shots,
                const QString& metric, double value, double stderr_ = NaN)
    {
        ResultRow r;
        r.id = m_nextResult++;
        r.checkpointId = checkpointId;
        r.recipeId = recipeId;
        r.taskId = m_taskIds.value(task);
        r.formatId = m_formatIds.value({task, format});
        r.shots = shots;
        r.metric = metric;
        r.value = value;
        r.stderr_ = stderr_;
        r.n = 100;
        r.modelRef = QStringLiteral("ckpt%1+r%2").arg(checkpointId).arg(recipeId);
        r.source = QStringLiteral("test");
        m_snapshot.results.append(r);
    }

    ResultSnapshot build()
    {
        m_snapshot.rebuildIndexes();
        return m_snapshot;
    }

private:
    ResultSnapshot m_snapshot;
    QHash<QPair<QString, QString>, RowId> m_formatIds;
    QHash<QString, RowId> m_taskIds;
    RowId m_nextResult = 1;
};

inline ResultSnapshot studySnapshot()
{
    SnapshotBuilder b;
    b.checkpoint(3, "pythia", "main", std::nullopt, true);
    b.checkpoint(1, "pythia", "1000", 1000, false, 2.1e9);
    b.checkpoint(4, "pythia", "3000", 3000);
    b.checkpoint(2, "pythia", "2000", 2000);
    b.checkpoint(10, "olmo", "500", 500);
    b.checkpoint(11, "olmo", "final", std::nullopt, true);

    b.recipe(1, "mnli", 3, 2e-6);
    b.recipe(2, "mnli", 1, 2e-6);
    b.recipe(3, "xsum", 3, std::nullopt);

    b.task(1, "boolq", "acc");
    b.task(2, "mnli_matched", "acc");
    b.task(3, "xlsum", "rouge_l");
    b.task(4, "arc", "");
    b.task(5, "hellaswag", "acc_norm");

    const QString def = "default", instruct = "instruct", io = "inputoutput";
    // boolq, base
    b.result(1, kBaseRecipe, "boolq", def, 0, "acc", 0.50, 0.01);
    b.result(2, kBaseRecipe, "boolq", def, 0, "acc", 0.55, 0.01);
    b.result(4, kBaseRecipe, "boolq", def, 0, "acc", 0.60);
    b.result(3, kBaseRecipe, "boolq", def, 0, "acc", 0.65, 0.02);
    b.result(10, kBaseRecipe, "boolq", def, 0, "acc", 0.30);
    b.result(11, kBaseRecipe, "boolq", def, 0, "acc", 0.35);
    b.result(1, kBaseRecipe, "boolq", instruct, 0, "acc", 0.60);
    b.result(4, kBaseRecipe, "boolq", instruct, 0, "acc", 0.64);
    b.result(1, kBaseRecipe, "boolq", io, 0, "acc", 0.70);
    b.result(1, kBaseRecipe, "boolq", def, 0, "f1", 0.40);
    b.result(2, kBaseRecipe, "boolq", def, 0, "f1", 0.45);
    // boolq, fine-tuned
    b.result(1, 3, "boolq", def, 0, "acc", 0.45, 0.02);
    b.result(3, 3, "boolq", def, 0, "acc", 0.70);
    b.result(4, 3, "boolq", instruct, 0, "acc", 0.66); // not in the default format
    b.result(2, 3, "boolq", def, 5, "acc", 0.99);      // 5-shot: must not fill a 0-shot gap
    b.result(1, 1, "boolq", def, 0, "acc", 0.48);
    b.result(2, 2, "boolq", def, 0, "acc", 0.52);
    // mnli_matched
    b.result(1, kBaseRecipe, "mnli_matched", def, 0, "acc", 0.40, 0.01);
    b.result(2, kBaseRecipe, "mnli_matched", def, 0, "acc", 0.50, 0.02);
    b.result(4, kBaseRecipe, "mnli_matched", def, 0, "acc", 0.00, 0.01);
    b.result(1, 1, "mnli_matched", def, 0, "acc", 0.70, 0.03);
    b.result(2, 1, "mnli_matched", def, 0, "acc", 0.80);
    b.result(4, 1, "mnli_matched", def, 0, "acc", 0.30, 0.02);
    b.result(3, 1, "mnli_matched", def, 0, "acc", 0.90, 0.01); // no base at "main"
    b.result(1, 3, "mnli_matched", def, 0, "acc", 0.35, 0.01);
    // xlsum
    b.result(1, kBaseRecipe, "xlsum", def, 0, "rouge_l", 0.10);
    b.result(2, kBaseRecipe, "xlsum", def, 0, "rouge_l", 0.12);
    b.result(1, 1, "xlsum", def, 0, "rouge_l", 0.08);
    b.result(2, 1, "xlsum", def, 0, "rouge_l", 0.09);
    b.result(1, 3, "xlsum", def, 0, "rouge_l", 0.30);
    // metric resolution only
    b.result(1, kBaseRecipe, "arc", def, 0, "acc_norm", 0.30);
    b.result(1, kBaseRecipe, "arc", def, 0, "acc", 0.28);
    b.result(1, kBaseRecipe, "hellaswag", def, 0, "acc", 0.25);
    return b.build();
}

} // namespace ckptlab::testing
