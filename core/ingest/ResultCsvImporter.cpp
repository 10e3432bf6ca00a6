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

// sciq is accuracy in a multiple-choice benchmark table, ROUGE-L in the study's own table.
bool isMultipleChoiceFile(const QVector<CsvRecord>& rows, const QStringList& header, const ResultCsvColumns& col,
                          const ImportOptions& options)
{
    for (int r = 1; r < rows.size(); ++r) {
        const RowReader row(rows[r], header);
        if (isMultipleChoiceSuiteTask(splitEvalDatasetName(row.field(col.task), options.formatSuffixes).task))
            return true;
    }
    return false;
}

// Reads one data row. A row that cannot be read adds a line to `badRows`; a gap or an id that
// names no model adds a skipped row; otherwise a record.
class ResultRowReader {
public:
    ResultRowReader(const QString& filePath, const QStringList& header, const ResultCsvColumns& col,
                    const ModelIdParser& parser, const ImportOptions& options, bool multipleChoiceFile)
        : m_filePath(filePath), m_header(header), m_col(col), m_parser(parser), m_options(options),
          m_multipleChoiceFile(multipleChoiceFile), m_headerMetric(metricNamedByHeader(col.valueHeader))
    {
    }

    void read(const CsvRecord& record, FileRecords& out, QStringList& badRows) const
    {
        const RowReader row(record, m_header);
        QStringList problems;
        ImportRecord rec;
        int shotsOverride = -1;
        const bool noValue = readNumbers(row, record, rec, shotsOverride, problems);
        const QString id = row.field(m_col.modelId);
        if (!problems.isEmpty()) {
            badRows << QStringLiteral("%1:%2: %3").arg(m_filePath).arg(record.line).arg(problems.join(QStringLiteral("; ")));
            return;
        }
        if (noValue) { // a gap in the table, never a zero
            out.skipped << SkippedRow{m_filePath, record.line, {}, id, QStringLiteral("no value"), SkippedRow::Why::NoValue};
            return;
        }
        auto parsed = m_parser.parse(id);
        if (!parsed) {
            out.skipped << SkippedRow{m_filePath, record.line, {}, id, parsed.error(), SkippedRow::Why::UnparsedId};
            return;
        }
        rec.model = parsed.value();
        rec.shots = shotsOverride >= 0 ? shotsOverride : rec.model.shots;
        nameTaskAndMetric(row, rec);
        out.records << rec;
    }

private:
    // The id, the task, the value and the optional numbers; returns whether the value is missing.
    bool readNumbers(const RowReader& row, const CsvRecord& record, ImportRecord& rec, int& shotsOverride,
                     QStringList& problems) const
    {
        const QString id = row.field(m_col.modelId);
        const QString valueText = row.field(m_col.value);
        if (row.hasExtraFields())
            problems << QStringLiteral("the row has %1 fields, the header %2").arg(record.fields.size()).arg(m_header.size());
        if (id.isEmpty())
            problems << QStringLiteral("no model id (%1)").arg(row.columnName(m_col.modelId));
        if (row.field(m_col.task).isEmpty())
            problems << QStringLiteral("no eval dataset name (%1)").arg(row.columnName(m_col.task));
        rec.line = record.line;
        rec.modelRef = id;
        const bool noValue = isMissing(valueText);
        if (!noValue) {
            if (const auto v = finiteNumber(valueText))
                rec.value = *v;
            else
                problems << QStringLiteral("%1: \"%2\" is not a number").arg(row.columnName(m_col.value), valueText);
        }
        row.optionalNumber(m_col.stderr_, rec.stderr_, problems);
        row.optionalCount(m_col.n, rec.n, problems);
        row.optionalCount(m_col.shots, shotsOverride, problems);
        return noValue;
    }

    void nameTaskAndMetric(const RowReader& row, ImportRecord& rec) const
    {
        const QString evalName = row.field(m_col.task);
        const QString formatField = row.field(m_col.format);
        if (!formatField.isEmpty()) {
            rec.task = evalName;
            rec.format = formatField;
        } else {
            const TaskAndFormat split = splitEvalDatasetName(evalName, m_options.formatSuffixes);
            rec.task = split.task;
            rec.format = split.format;
        }
        rec.metric = chooseMetric(row.field(m_col.metric), m_headerMetric, rec.task, m_multipleChoiceFile);
        rec.taskMetric = rec.metric;
        rec.taskKind = knownTaskMetric(rec.task, m_multipleChoiceFile).kind;
    }

    const QString& m_filePath;
    const QStringList& m_header;
    const ResultCsvColumns& m_col;
    const ModelIdParser& m_parser;
    const ImportOptions& m_options;
    bool m_multipleChoiceFile;
    QString m_headerMetric;
};

// Ids like "checkpoint-1000" name no series: take the one the file's other ids agree on.
void fillDefaultSeries(FileRecords& out, const QString& filePath, const ImportOptions& options)
{
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
    const ResultRowReader reader(filePath, header, columns.value(), parser, options,
                                 isMultipleChoiceFile(rows, header, columns.value(), options));
    FileRecords out;
    QStringList badRows;
    for (int r = 1; r < rows.size(); ++r)
        reader.read(rows[r], out, badRows);
    if (!badRows.isEmpty())
        return Out::failure(QStringLiteral("%1: %2 row(s) cannot be read; nothing was imported:\n  %3")
                                .arg(filePath)
                                .arg(badRows.size())
                                .arg(listSome(badRows)));
    fillDefaultSeries(out, filePath, options);
    return out;
}

} // namespace ckptlab
