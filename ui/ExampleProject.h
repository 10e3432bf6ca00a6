#pragma once

#include <QString>
#include <QStringList>

namespace ckptlab {

// The bundled example: the Amuro & Char released results, imported into a project in the
// user's data folder the first time it is opened.
namespace example {

QString projectPath();
// Copies the bundled CSVs next to the project (once) and returns their paths, or an empty
// list with *error set.
QStringList dataFiles(QString* error);
// The first view a newcomer sees: fine-tuned vs base on mnli_matched, 4-shot.
inline const char* firstTask() { return "mnli_matched"; }
inline int firstShots() { return 4; }
inline QStringList firstFtTasks() { return {QStringLiteral("base"), QStringLiteral("mnli")}; }

} // namespace example
} // namespace ckptlab
