#pragma once

#include <QString>

namespace ckptlab {

struct TaskMetric {
    QString metric; // "acc", "rouge_l"; empty when the task is unknown
    QString kind;   // classification | multiple_choice | generation
};

// The metric the Amuro & Char tables report for a task (by base task name, format suffix removed):
// ROUGE-L for the generation sets (xsum, xlsum, cnn, socialiqa, sciq, tweetqa), accuracy for the
// rest. sciq is generation (ROUGE-L) in all_perf_table.csv but a multiple-choice set (accuracy) in
// official_eval_table.csv, so a file that evaluates the multiple-choice suite asks with
// multipleChoiceFile = true (see isMultipleChoiceSuiteTask()).
TaskMetric knownTaskMetric(const QString& task, bool multipleChoiceFile = false);

// arc_easy, arc_challenge, boolq, hellaswag, openbookqa: a file that has one of these is a
// multiple-choice benchmark table (lm-evaluation-harness style).
bool isMultipleChoiceSuiteTask(const QString& task);

// The metric a value column's header names ("acc", "Accuracy", "rouge_l", "exact_match", "f1"), else empty.
QString metricNamedByHeader(const QString& header);

} // namespace ckptlab
