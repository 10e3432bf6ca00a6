#pragma once

// Reads a long-format results table (one row per model id and eval dataset) into records.
// Header names are matched loosely; see ResultCsvColumns.

#include "common/Outcome.h"
#include "ingest/ImportTypes.h"

#include <QByteArray>

namespace ckptlab {

// filePath labels messages and names the default series (its base name) when ids name none and
// the file's other ids do not agree on one. Fails (the whole file) when a row cannot be read: no
// model id, a value, stderr, n or shots that is not a number; the message lists every such row.
// Ids no rule parses and rows without a value are returned as skipped, not as failures.
Outcome<FileRecords> readResultsCsv(const QByteArray& bytes, const QString& filePath, QChar delimiter,
                                    const ModelIdParser& parser, const ImportOptions& options);

} // namespace ckptlab
