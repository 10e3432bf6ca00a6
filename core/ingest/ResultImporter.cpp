#include "ingest/ResultImporter.h"

#include "ingest/LmEvalJsonImporter.h"
#include "ingest/ResultCsvImporter.h"
#include "ingest/ResultFiles.h"
#include "project/ProjectWriter.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHash>
#include <QLocale>

namespace ckptlab {

namespace {

QString notNull(const QString& s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

QString formatValue(double v)
{
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

// Keeps the first of rows that would land on the same result; the later ones become skipped rows.
void dropDuplicates(FileRecords& file, const QString& filePath)
{
    QHash<QString, int> firstIndex;
    QVector<ImportRecord> kept;
    kept.reserve(file.records.size());
    for (const ImportRecord& rec : std::as_const(file.records)) {
        const QString key = QStringList{rec.model.modelKey(), rec.task, rec.format, QString::number(rec.shots), rec.metric}
                                .join(QLatin1Char('\n'));
        const auto it = firstIndex.constFind(key);
        if (it == firstIndex.constEnd()) {
            firstIndex.insert(key, kept.size());
            kept << rec;
            continue;
        }
        const ImportRecord& first = kept[*it];
        const QString valueNote = first.value == rec.value
            ? QStringLiteral("the same value")
            : QStringLiteral("a different value (%1 there, %2 here)").arg(formatValue(first.value), formatValue(rec.value));
        const QString reason = QStringLiteral("duplicate of %1 (\"%2\"): same model, task, format, shots and metric, "
                                              "with %3; the first is kept")
                                   .arg(first.where(), first.modelRef, valueNote);
        file.skipped << SkippedRow{filePath, rec.line, rec.keyPath, rec.modelRef, reason, SkippedRow::Why::Duplicate};
    }
    file.records = kept;
}

Outcome<FileRecords> readFile(const ResultFile& file, const QByteArray& bytes, const ModelIdParser& parser,
                              const ImportOptions& options)
{
    switch (file.kind) {
    case ResultFile::Kind::Csv: return readResultsCsv(bytes, file.path, QLatin1Char(','), parser, options);
    case ResultFile::Kind::Tsv: return readResultsCsv(bytes, file.path, QLatin1Char('\t'), parser, options);
    case ResultFile::Kind::LmEvalJson: return readLmEvalJson(bytes, file.path, parser, options, file.fromFolderScan);
    }
    return Outcome<FileRecords>::failure(QStringLiteral("%1: unknown file type.").arg(file.path));
}

// Writes records through one ProjectWriter, remembering the model of each id it has seen.
class RecordWriter {
public:
    explicit RecordWriter(ProjectWriter& writer) : m_writer(writer) {}

    Outcome<WriteOutcome> write(const ImportRecord& rec, const QString& source)
    {
        using Out = Outcome<WriteOutcome>;
        const QString modelKey = rec.model.modelKey();
        auto model = m_models.constFind(modelKey);
        if (model == m_models.constEnd()) {
            const auto checkpointId = m_writer.checkpoint(rec.model.checkpoint);
            if (!checkpointId)
                return Out::failure(checkpointId.error());
            RowId recipeId = kBaseRecipe;
            if (rec.model.recipe) {
                const auto id = m_writer.recipe(*rec.model.recipe);
                if (!id)
                    return Out::failure(id.error());
                recipeId = id.value();
            }
            model = m_models.insert(modelKey, {checkpointId.value(), recipeId});
        }
        // Registers the task with its metric and kind before result() looks it up by name.
        // Both columns are NOT NULL, and a null QString binds as NULL: pass "" for unknown.
        const auto task = m_writer.task(rec.task, notNull(rec.taskMetric), notNull(rec.taskKind));
        if (!task)
            return Out::failure(task.error());

        NewResult result;
        result.checkpointId = model->first;
        result.recipeId = model->second;
        result.task = rec.task;
        result.format = rec.format;
        result.shots = rec.shots;
        result.metric = rec.metric;
        result.value = rec.value;
        result.stderr_ = rec.stderr_;
        result.n = rec.n;
        result.modelRef = rec.modelRef;
        result.source = source;
        return m_writer.result(result);
    }

private:
    ProjectWriter& m_writer;
    QHash<QString, QPair<RowId, RowId>> m_models; // model key -> (checkpoint, recipe)
};

QString unparsedFailure(const ResultFile& file, const QVector<SkippedRow>& skipped)
{
    QStringList rows;
    for (const SkippedRow& row : skipped)
        if (row.why == SkippedRow::Why::UnparsedId)
            rows << row.toString();
    if (rows.isEmpty())
        return {};
    return QStringLiteral("%1: %2 model id(s) match no id rule; strict mode imports nothing:\n  %3")
        .arg(file.path)
        .arg(rows.size())
        .arg(listSome(rows));
}

} // namespace

Outcome<ImportReport> importResults(const Project& project, const QStringList& filesOrDirs, const ImportOptions& options,
                                    const std::function<bool(int, int)>& progress)
{
    using Out = Outcome<ImportReport>;
    const auto parser = ModelIdParser::create(options.idPattern, options.finalStep);
    if (!parser)
        return Out::failure(parser.error());
    const auto files = collectResultFiles(filesOrDirs);
    if (!files)
        return Out::failure(files.error());
    const int total = files->size();
    const QString cancelled = QStringLiteral("The import was cancelled; the project was not changed.");
    if (progress && !progress(0, total))
        return Out::failure(cancelled);

    ProjectWriter writer(project.database());
    if (Status begun = writer.begin(); !begun)
        return Out::failure(begun.error());
    RecordWriter recordWriter(writer);
    ImportReport report;

    // Any early return below leaves the transaction to the writer's destructor, which rolls it back.
    for (int i = 0; i < total; ++i) {
        const ResultFile& file = files.value()[i];
        QFile in(file.path);
        if (!in.open(QIODevice::ReadOnly))
            return Out::failure(QStringLiteral("%1: cannot read: %2").arg(file.path, in.errorString()));
        const QByteArray bytes = in.readAll();

        auto read = readFile(file, bytes, parser.value(), options);
        if (!read)
            return Out::failure(read.error());
        FileRecords& records = read.value();
        report.errors << records.notes;
        if (!records.ignored) {
            ++report.filesRead;
            report.files << file.path;
        }
        if (options.strict)
            if (const QString failure = unparsedFailure(file, records.skipped); !failure.isEmpty())
                return Out::failure(failure);
        dropDuplicates(records, file.path);

        ImportLogEntry log;
        log.file = file.path;
        log.sha256 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        log.skipped = records.skipped.size();
        for (const ImportRecord& rec : std::as_const(records.records)) {
            const auto written = recordWriter.write(rec, file.sourceName);
            if (!written)
                return Out::failure(QStringLiteral("%1: %2: %3").arg(file.path, rec.where(), written.error()));
            switch (written.value()) {
            case WriteOutcome::Inserted: ++log.inserted; break;
            case WriteOutcome::Updated: ++log.updated; break;
            case WriteOutcome::Unchanged: ++log.unchanged; break;
            }
        }
        if (log.inserted + log.updated > 0)
            if (Status logged = writer.logImport(log); !logged)
                return Out::failure(logged.error());
        report.inserted += log.inserted;
        report.updated += log.updated;
        report.unchanged += log.unchanged;
        report.skipped << records.skipped;

        if (progress && !progress(i + 1, total))
            return Out::failure(cancelled);
    }
    if (Status committed = writer.commit(); !committed)
        return Out::failure(committed.error());
    report.written = report.inserted + report.updated > 0;
    return report;
}

} // namespace ckptlab
