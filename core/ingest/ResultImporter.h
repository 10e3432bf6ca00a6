#pragma once

// Imports results files into a project: long-format CSV/TSV tables and lm-evaluation-harness
// JSON files, or folders of them.
//
// One call is one transaction: every file is read and written inside it, and it commits only
// when all of them succeeded. A file that cannot be read (a malformed CSV or JSON, a value that
// is not a number), an id no rule parses in strict mode, or a cancel rolls the whole call back;
// the project is then exactly as before and the failure message names the file and the line or
// JSON key path. Re-importing the same files changes nothing (every result is Unchanged) and
// adds no import_log row; a file that inserted or updated results gets one.
// Within one file a repeated (model, task, format, shots, metric) keeps the first row and skips
// the later ones; across files of one call, a later file updates what an earlier one wrote.
// Runs on any thread: it writes through project.database() of the calling thread.

#include "common/Outcome.h"
#include "ingest/ImportTypes.h"
#include "project/Project.h"

#include <functional>

namespace ckptlab {

// progress(done, total) is called with the number of files read so far; returning false
// cancels the import (nothing is written).
Outcome<ImportReport> importResults(const Project& project, const QStringList& filesOrDirs, const ImportOptions& options,
                                    const std::function<bool(int done, int total)>& progress = {});

} // namespace ckptlab
