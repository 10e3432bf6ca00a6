#pragma once

// Reads an lm-evaluation-harness results file (v0.3 and v0.4 layouts) into records.
//
// Every numeric entry of results.<task> except "alias" and the *_stderr keys becomes a result; a
// stderr key pairs with its metric ("acc_stderr" -> "acc", "acc_stderr,none" -> "acc,none").
// v0.4 keys carry a filter after a comma: ",none" is dropped ("acc,none" -> metric "acc"); any
// other filter stays in the metric name in parentheses ("exact_match,strict-match" ->
// "exact_match (strict-match)") so the filtered variants never overwrite each other.
// "N/A" and null values are skipped (a stderr that is N/A is unknown).
// Shots: n-shot.<task>, else configs.<task>.num_fewshot, else config.num_fewshot, else the model
// id, else 0. n: n-samples.<task>.effective (else .original).

#include "common/Outcome.h"
#include "ingest/ImportTypes.h"

#include <QByteArray>

namespace ckptlab {

// ignoreIfNotResults: a JSON file found while scanning a folder that has no top-level "results"
// object (a config.json, tokenizer.json) is returned empty with a note instead of failing.
Outcome<FileRecords> readLmEvalJson(const QByteArray& bytes, const QString& filePath, const ModelIdParser& parser,
                                    const ImportOptions& options, bool ignoreIfNotResults = false);

// results.arc_easy."acc,none": parts with characters other than letters, digits, '_' and '-' are quoted.
QString jsonKeyPath(const QStringList& parts);

} // namespace ckptlab
