#pragma once

// RFC 4180 records with the line each starts on: quoted fields with embedded delimiters, quotes
// ("") and line breaks, CRLF or LF endings, a UTF-8 byte order mark. Blank lines are skipped.

#include "common/Outcome.h"

#include <QByteArray>
#include <QStringList>
#include <QVector>

namespace ckptlab {

struct CsvRecord {
    int line = 0; // 1-based line of the file where the record starts
    QStringList fields;
};

// fileName only labels error messages ("results.csv:12: ...").
Outcome<QVector<CsvRecord>> parseCsv(const QByteArray& bytes, const QString& fileName, QChar delimiter = QLatin1Char(','));

} // namespace ckptlab
