#include "ingest/ResultCsvImporter.h"

#include "ingest/CsvReader.h"
#include "ingest/KnownTaskMetrics.h"
#include "ingest/ResultCsvColumns.h"

#include <QFileInfo>
#include <QSet>

#include <cmath>

namespace ckptlab {

namespace {

bool isMissing(const QString& text)
{
    return text.isEmpty() || text.compare(QLatin1String("nan"), Qt::CaseInsensitive) == 0;
}

std::optional<double> finiteNumber(const QString& text)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v))
        return std::nullopt;
    return v;
}

std::optional<int> wholeNumber(const QString& text)
{
    const auto v = finiteNumber(text);
    if (!v || *v < 0 || *v != std::floor(*v) || *v > std::numeric_limits<int>::max())
        return std::nullopt;
    return int(*v);
}

// Reads one table row; returns a problem description when a field cannot be read.
class RowReader {
public:
    RowReader(const CsvRecord& record, const QStringList& header) : m_record(record), m_header(header)
    {
    }

    QString field(int column) const
    {
        return column >= 0 && column < m_record.fields.size() ? m_record.fields[column].trimmed() : QString();
    }

    // A number in an optional column: empty or NaN means unknown.
    bool optionalNumber(int column, double& out, QStringList& problems) const
    {
        const QString text = field(column);
        if (isMissing(text))
            return true;
        if (const auto v = finiteNumber(text)) {
            out = *v;
            return true;
        }
        problems << QStringLiteral("%1: \"%2\" is not a number").arg(columnName(column), text);
        return false;
    }

    bool optionalCount(int column, int& out, QStringList& problems) const
    {
        const QString text = field(column);
        if (isMissing(text))
            return true;
        if (const auto v = wholeNumber(text)) {
            out = *v;
            return true;
        }
        problems << QStringLiteral("%1: \"%2\" is not a whole number").arg(columnName(column), text);
        return false;
    }

    QString columnName(int column) const { return QStringLiteral("column \"%1\"").arg(m_header.value(column)); }

    // Fields past the header are tolerated only when empty (a trailing delimiter).
    bool hasExtraFields() const
    {
        for (int i = m_header.size(); i < m_record.fields.size(); ++i)
            if (!m_record.fields[i].trimmed().isEmpty())
                return true;
        return false;
    }

private:
    const CsvRecord& m_record;
    const QStringList& m_header;
};

QString chooseMetric(const QString& metricField, const QString& headerMetric, const QString& task, bool multipleChoiceFile)
{
    if (!metricField.isEmpty())
        return metricField;
    if (!headerMetric.isEmpty())
        return headerMetric;
    const QString known = knownTaskMetric(task, multipleChoiceFile).metric;
    return known.isEmpty() ? QStringLiteral("score") : known;
}

} // namespace

Outcome<FileRecords> readResultsCsv(const QByteArray& bytes, const QString& filePath, QChar delimiter,
                                    const ModelIdParser& parser, const ImportOptions& options)
{
    using Out = Outcome<FileRecords>;
    auto table = parseCsv(bytes, filePath, delimiter);
    if (!table)
        return Out::failure(table.error());
    const QVector<CsvRecord>& rows = table.value();
    if (rows.isEmpty())
        return Out::failure(QStringLiteral("%1: the file is empty.").arg(filePath));
    const QStringList header = rows.first().fields;
    const auto columns = ResultCsvColumns::find(header, filePath);
    if (!columns)
        return Out::failure(columns.error());
    const ResultCsvColumns& col = columns.value();
    const QString headerMetric = metricNamedByHeader(col.valueHeader);

    // sciq is accuracy in a multiple-choice benchmark table, ROUGE-L in the study's own table.
    bool multipleChoiceFile = false;
    for (int r = 1; r < rows.size() && !multipleChoiceFile; ++r) {
        const RowReader row(rows[r], header);
        multipleChoiceFile = isMultipleChoiceSuiteTask(splitEvalDatasetName(row.field(col.task), options.formatSuffixes).task);
    }

    FileRecords out;
    QStringList badRows;
    for (int r = 1; r < rows.size(); ++r) {
        const CsvRecord& record = rows[r];
        const RowReader row(record, header);
        const QString id = row.field(col.modelId);
        const QString evalName = row.field(col.task);
        const QString valueText = row.field(col.value);
        QStringList problems;
        if (row.hasExtraFields())
            problems << QStringLiteral("the row has %1 fields, the header %2").arg(record.fields.size()).arg(header.size());
        if (id.isEmpty())
            problems << QStringLiteral("no model id (%1)").arg(row.columnName(col.modelId));
        if (evalName.isEmpty())
            problems << QStringLiteral("no eval dataset name (%1)").arg(row.columnName(col.task));

        ImportRecord rec;
        rec.line = record.line;
        rec.modelRef = id;
        const bool noValue = isMissing(valueText);
        if (!noValue) {
            if (const auto v = finiteNumber(valueText))
                rec.value = *v;
            else
                problems << QStringLiteral("%1: \"%2\" is not a number").arg(row.columnName(col.value), valueText);
        }
        row.optionalNumber(col.stderr_, rec.stderr_, problems);
        row.optionalCount(col.n, rec.n, problems);
        int shotsOverride = -1;
        row.optionalCount(col.shots, shotsOverride, problems);
        if (!problems.isEmpty()) {
            badRows << QStringLiteral("%1:%2: %3").arg(filePath).arg(record.line).arg(problems.join(QStringLiteral("; ")));
            continue;
        }
        if (noValue) { // a gap in the table, never a zero
            out.skipped << SkippedRow{filePath, record.line, {}, id, QStringLiteral("no value"), SkippedRow::Why::NoValue};
            continue;
        }

        auto parsed = parser.parse(id);
        if (!parsed) {
            out.skipped << SkippedRow{filePath, record.line, {}, id, parsed.error(), SkippedRow::Why::UnparsedId};
            continue;
        }
        rec.model = parsed.value();
        rec.shots = shotsOverride >= 0 ? shotsOverride : rec.model.shots;

        const QString formatField = row.field(col.format);
        if (!formatField.isEmpty()) {
            rec.task = evalName;
            rec.format = formatField;
        } else {
            const TaskAndFormat split = splitEvalDatasetName(evalName, options.formatSuffixes);
            rec.task = split.task;
            rec.format = split.format;
        }
        rec.metric = chooseMetric(row.field(col.metric), headerMetric, rec.task, multipleChoiceFile);
        rec.taskMetric = rec.metric;
        rec.taskKind = knownTaskMetric(rec.task, multipleChoiceFile).kind;
        out.records << rec;
    }
    if (!badRows.isEmpty())
        return Out::failure(QStringLiteral("%1: %2 row(s) cannot be read; nothing was imported:\n  %3")
                                .arg(filePath)
                                .arg(badRows.size())
                                .arg(listSome(badRows)));

    // Ids like "checkpoint-1000" name no series: take the one the file's other ids agree on.
    QString defaultSeries = options.defaultSeries;
    if (defaultSeries.isEmpty()) {
        QSet<QString> seen;
        for (const ImportRecord& rec : out.records)
            if (rec.model.seriesFromId)
                seen.insert(rec.model.checkpoint.series);
        defaultSeries = seen.size() == 1 ? *seen.begin() : QFileInfo(filePath).completeBaseName();
    }
    for (ImportRecord& rec : out.records)
        if (rec.model.checkpoint.series.isEmpty())
            rec.model.checkpoint.series = defaultSeries;
    return out;
}

} // namespace ckptlab
