#pragma once

#include <QString>
#include <QStringList>

namespace ckptlab {

// An eval dataset name split into the task and its prompt format.
struct TaskAndFormat {
    QString task;   // "mnli_matched"
    QString format; // "instruct", or "default" when the name carries no format suffix
};

QStringList defaultFormatSuffixes(); // instruct, inputoutput

// "mnli_matched_instruct" -> {mnli_matched, instruct}. Task names contain underscores, so a
// suffix counts only as the last "_<suffix>" of the name (case-insensitive); the longest
// configured suffix that fits wins. Suffixes may be given with or without the leading '_'.
TaskAndFormat splitEvalDatasetName(const QString& name, const QStringList& formatSuffixes = defaultFormatSuffixes());

} // namespace ckptlab
