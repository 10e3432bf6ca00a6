#pragma once

// Values the results importers hand around: options, the rows read from a file, the report.

#include "ingest/EvalDatasetName.h"
#include "ingest/ModelIdParser.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>
#include <optional>

namespace ckptlab {

struct ImportOptions {
    bool strict = false;              // an id no rule parses stops the import (nothing written)
    QString idPattern;                // regex with named groups; replaces the built-in id rules
    std::optional<qint64> finalStep;  // the step of the final checkpoint ("main"), unknown otherwise
    QStringList formatSuffixes = defaultFormatSuffixes();
    QString defaultSeries;            // for ids that name no series; else inferred per file
};

struct SkippedRow {
    enum class Why { UnparsedId, Duplicate, NoValue };
    QString file;
    int line = 0;      // CSV: the line the row starts on; 0 for JSON
    QString keyPath;   // JSON: where the value is, e.g. results.arc_easy."acc,none"
    QString id;        // the model id as the file writes it
    QString reason;
    Why why = Why::UnparsedId;

    QString where() const; // "file:12" or "file: results.arc_easy"
    QString toString() const;
};

struct ImportReport {
    int filesRead = 0;
    int inserted = 0;
    int updated = 0;
    int unchanged = 0;
    QVector<SkippedRow> skipped;
    QStringList errors;   // problems that did not stop the import (e.g. a JSON file in a folder that holds no results)
    QStringList files;    // the files read, in order
    bool written = false; // the project changed (a result was inserted or updated)

    QString summary() const;
};

// One result as read from a file, before it has ids.
struct ImportRecord {
    ParsedModelId model;
    QString modelRef;       // the id as the file writes it
    QString task;
    QString format;
    QString metric;
    QString taskMetric;     // the task's preferred metric
    QString taskKind;
    int shots = 0;
    double value = 0.0;
    double stderr_ = std::numeric_limits<double>::quiet_NaN();
    int n = -1;
    int line = 0;
    QString keyPath;

    QString where() const; // "line 12" or the key path
};

// What one file yields. Rows that could not be read at all make the file fail instead.
struct FileRecords {
    QVector<ImportRecord> records;
    QVector<SkippedRow> skipped;
    QStringList notes;   // non-fatal problems, copied to ImportReport::errors
    bool ignored = false; // not a results file (found while scanning a folder)
};

// "a, b, c and 4 more" for error messages that list many rows.
QString listSome(const QStringList& items, int shown = 10, const QString& separator = QStringLiteral("\n  "));

} // namespace ckptlab
