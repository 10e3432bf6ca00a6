#include "ingest/LmEvalJsonImporter.h"

#include "ingest/KnownTaskMetrics.h"
#include "ingest/LmEvalModel.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <cmath>

namespace ckptlab {

namespace {

struct MetricKey {
    QString name;   // "acc", "acc_stderr"
    QString filter; // "none", "strict-match", or empty (v0.3)
};

MetricKey splitMetricKey(const QString& key)
{
    const qsizetype comma = key.indexOf(QLatin1Char(','));
    if (comma < 0)
        return {key, {}};
    return {key.left(comma), key.mid(comma + 1)};
}

QString metricName(const MetricKey& key)
{
    if (key.filter.isEmpty() || key.filter == QLatin1String("none"))
        return key.name;
    return QStringLiteral("%1 (%2)").arg(key.name, key.filter);
}

bool isNotAvailable(const QJsonValue& v)
{
    return v.isNull() || (v.isString() && v.toString().trimmed().compare(QLatin1String("N/A"), Qt::CaseInsensitive) == 0);
}

// A count written as a number or as text ("5"); nullopt when absent or unreadable.
std::optional<int> countValue(const QJsonValue& v)
{
    if (v.isDouble() && v.toDouble() >= 0 && v.toDouble() == std::floor(v.toDouble()))
        return int(v.toDouble());
    if (v.isString()) {
        bool ok = false;
        const int n = v.toString().trimmed().toInt(&ok);
        if (ok && n >= 0)
            return n;
    }
    return std::nullopt;
}

std::optional<int> shotsFor(const QJsonObject& root, const QString& task)
{
    if (auto k = countValue(root.value(QLatin1String("n-shot")).toObject().value(task)))
        return k;
    const QJsonObject taskConfig = root.value(QLatin1String("configs")).toObject().value(task).toObject();
    if (auto k = countValue(taskConfig.value(QLatin1String("num_fewshot"))))
        return k;
    return countValue(root.value(QLatin1String("config")).toObject().value(QLatin1String("num_fewshot")));
}

int samplesFor(const QJsonObject& root, const QString& task)
{
    const QJsonObject samples = root.value(QLatin1String("n-samples")).toObject().value(task).toObject();
    if (auto n = countValue(samples.value(QLatin1String("effective"))))
        return *n;
    return countValue(samples.value(QLatin1String("original"))).value_or(-1);
}

QString describe(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::String: return QStringLiteral("the text \"%1\"").arg(v.toString());
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    default: return QStringLiteral("nothing");
    }
}

// lm-eval reports several metrics per task; accuracy is the one a chart shows first.
QString preferredMetric(const QJsonObject& metrics, const QString& fallback)
{
    if (metrics.contains(QLatin1String("acc,none")) || metrics.contains(QLatin1String("acc")))
        return QStringLiteral("acc");
    return fallback;
}

int lineOfOffset(const QByteArray& bytes, int offset)
{
    return 1 + int(bytes.left(offset).count('\n'));
}

} // namespace

QString jsonKeyPath(const QStringList& parts)
{
    static const QRegularExpression plain(QStringLiteral(R"(^[A-Za-z0-9_-]+$)"));
    QStringList quoted;
    for (const QString& part : parts)
        quoted << (plain.match(part).hasMatch() ? part : QLatin1Char('"') + part + QLatin1Char('"'));
    return quoted.join(QLatin1Char('.'));
}

namespace {

// The metrics of one task of a results file, as records (or skipped rows for N/A values).
class TaskMetricsReader {
public:
    TaskMetricsReader(const QString& filePath, const QJsonObject& root, const LmEvalModel& model, const ImportOptions& options)
        : m_filePath(filePath), m_root(root), m_model(model), m_options(options)
    {
    }

    // Counts the task's values in `resultCount`; a value of the wrong type fails the file.
    Status read(const QString& evalName, const QJsonValue& value, FileRecords& out, int& resultCount) const
    {
        if (!value.isObject())
            return Status::failure(QStringLiteral("%1: %2: expected an object of metrics.")
                                       .arg(m_filePath, jsonKeyPath({QStringLiteral("results"), evalName})));
        const QJsonObject metrics = value.toObject();
        for (auto it = metrics.begin(); it != metrics.end(); ++it) {
            const MetricKey key = splitMetricKey(it.key());
            if (key.name == QLatin1String("alias") || key.name.endsWith(QLatin1String("_stderr")))
                continue;
            const QString where = jsonKeyPath({QStringLiteral("results"), evalName, it.key()});
            if (isNotAvailable(it.value())) {
                out.skipped << SkippedRow{m_filePath, 0, where, m_model.modelRef, QStringLiteral("the value is N/A"),
                                          SkippedRow::Why::NoValue};
                continue;
            }
            if (!it.value().isDouble())
                return Status::failure(
                    QStringLiteral("%1: %2: expected a number, found %3.").arg(m_filePath, where, describe(it.value())));
            ++resultCount;
            if (!m_model.model)
                continue;
            auto rec = record(evalName, metrics, key, it.value().toDouble(), where);
            if (!rec)
                return Status::failure(rec.error());
            out.records << rec.value();
        }
        return success();
    }

private:
    Outcome<ImportRecord> record(const QString& evalName, const QJsonObject& metrics, const MetricKey& key, double value,
                                 const QString& where) const
    {
        const TaskAndFormat split = splitEvalDatasetName(evalName, m_options.formatSuffixes);
        const TaskMetric known = knownTaskMetric(split.task, true);
        const auto shots = shotsFor(m_root, evalName);
        ImportRecord rec;
        rec.model = *m_model.model;
        rec.modelRef = m_model.modelRef;
        rec.task = split.task;
        rec.format = split.format;
        rec.metric = metricName(key);
        rec.value = value;
        QString stderrKey = key.name + QLatin1String("_stderr");
        if (!key.filter.isEmpty())
            stderrKey += QLatin1Char(',') + key.filter;
        const QJsonValue stderrValue = metrics.value(stderrKey);
        if (stderrValue.isDouble())
            rec.stderr_ = stderrValue.toDouble();
        else if (!stderrValue.isUndefined() && !isNotAvailable(stderrValue))
            return Outcome<ImportRecord>::failure(QStringLiteral("%1: %2: expected a number or \"N/A\".")
                                                      .arg(m_filePath, jsonKeyPath({QStringLiteral("results"), evalName, stderrKey})));
        rec.shots = shots ? *shots : rec.model.shots;
        rec.n = samplesFor(m_root, evalName);
        rec.keyPath = where;
        rec.taskKind = known.kind;
        rec.taskMetric = known.metric.isEmpty() ? preferredMetric(metrics, rec.metric) : known.metric;
        return rec;
    }

    const QString& m_filePath;
    const QJsonObject& m_root;
    const LmEvalModel& m_model;
    const ImportOptions& m_options;
};

} // namespace

Outcome<FileRecords> readLmEvalJson(const QByteArray& bytes, const QString& filePath, const ModelIdParser& parser,
                                    const ImportOptions& options, bool ignoreIfNotResults)
{
    using Out = Outcome<FileRecords>;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Out::failure(QStringLiteral("%1:%2: not valid JSON: %3 (at byte %4).")
                                .arg(filePath)
                                .arg(lineOfOffset(bytes, parseError.offset))
                                .arg(parseError.errorString())
                                .arg(parseError.offset));
    FileRecords out;
    const QJsonObject root = doc.object();
    const QJsonValue results = root.value(QLatin1String("results"));
    if (!doc.isObject() || results.isUndefined()) {
        if (ignoreIfNotResults) {
            out.notes << QStringLiteral("%1: ignored: no \"results\" object, so not an lm-evaluation-harness results "
                                        "file.")
                             .arg(filePath);
            out.ignored = true;
            return out;
        }
        return Out::failure(QStringLiteral("%1: results: missing; an lm-evaluation-harness results file has a top-level "
                                           "\"results\" object.")
                                .arg(filePath));
    }
    if (!results.isObject())
        return Out::failure(QStringLiteral("%1: results: expected an object of tasks.").arg(filePath));
    const auto identified = identifyLmEvalModel(root, filePath, parser, options.defaultSeries);
    if (!identified)
        return Out::failure(identified.error());
    const LmEvalModel& model = identified.value();
    const TaskMetricsReader reader(filePath, root, model, options);
    const QJsonObject tasks = results.toObject();
    int resultCount = 0;
    for (auto taskIt = tasks.begin(); taskIt != tasks.end(); ++taskIt)
        if (Status s = reader.read(taskIt.key(), taskIt.value(), out, resultCount); !s)
            return Out::failure(s.error());
    if (!model.model && resultCount > 0)
        out.skipped << SkippedRow{filePath, 0, model.keyPath, model.modelRef,
                                  QStringLiteral("%1; its %2 result(s) were skipped").arg(model.reason).arg(resultCount),
                                  SkippedRow::Why::UnparsedId};
    return out;
}

} // namespace ckptlab
