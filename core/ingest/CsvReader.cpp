#include "ingest/CsvReader.h"

#include <QStringDecoder>

namespace ckptlab {

Outcome<QVector<CsvRecord>> parseCsv(const QByteArray& bytes, const QString& fileName, QChar delimiter)
{
    using Out = Outcome<QVector<CsvRecord>>;
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return Out::failure(QStringLiteral("%1: the file is not UTF-8 text.").arg(fileName));

    QVector<CsvRecord> records;
    CsvRecord record;
    QString field;
    bool inQuotes = false;
    bool fieldWasQuoted = false;
    int line = 1;
    int quoteStartLine = 0;
    record.line = 1;

    const auto endField = [&] {
        record.fields << field;
        field.clear();
        fieldWasQuoted = false;
    };
    const auto endRecord = [&] {
        endField();
        const bool blank = record.fields.size() == 1 && record.fields.first().isEmpty();
        if (!blank)
            records << record;
        record = CsvRecord{};
        record.line = line;
    };

    qsizetype i = 0;
    if (text.startsWith(QChar(0xFEFF)))
        i = 1;
    for (; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (inQuotes) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                    field += c;
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                if (c == QLatin1Char('\n'))
                    ++line;
                field += c;
            }
            continue;
        }
        if (c == QLatin1Char('"') && field.isEmpty() && !fieldWasQuoted) {
            inQuotes = true;
            fieldWasQuoted = true;
            quoteStartLine = line;
        } else if (c == delimiter) {
            endField();
        } else if (c == QLatin1Char('\r') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\n')) {
            continue; // the '\n' ends the record
        } else if (c == QLatin1Char('\n') || c == QLatin1Char('\r')) {
            ++line;
            endRecord();
        } else {
            field += c; // text after a closing quote is kept as written, as spreadsheets do
        }
    }
    if (inQuotes)
        return Out::failure(QStringLiteral("%1:%2: a quoted field is never closed (missing '\"').")
                                .arg(fileName)
                                .arg(quoteStartLine));
    if (!field.isEmpty() || !record.fields.isEmpty())
        endRecord();
    return records;
}

} // namespace ckptlab
