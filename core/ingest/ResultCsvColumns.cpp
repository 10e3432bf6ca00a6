#include "ingest/ResultCsvColumns.h"

namespace ckptlab {

namespace {

QString normalized(const QString& header)
{
    QString out;
    for (const QChar c : header)
        if (c != QLatin1Char(' ') && c != QLatin1Char('_') && c != QLatin1Char('-'))
            out += c.toLower();
    return out;
}

const QStringList kModelId = {QStringLiteral("modelid"), QStringLiteral("model"), QStringLiteral("modelname")};
const QStringList kTask = {QStringLiteral("evaldataset"), QStringLiteral("task"), QStringLiteral("dataset"),
                           QStringLiteral("evaltask")};
const QStringList kValue = {QStringLiteral("performance"), QStringLiteral("value"),      QStringLiteral("acc"),
                            QStringLiteral("accuracy"),    QStringLiteral("score"),      QStringLiteral("rougel"),
                            QStringLiteral("exactmatch"),  QStringLiteral("f1"),         QStringLiteral("metricvalue")};
const QStringList kStderr = {QStringLiteral("std"), QStringLiteral("stderr"), QStringLiteral("se"),
                             QStringLiteral("accstderr")};

} // namespace

Outcome<ResultCsvColumns> ResultCsvColumns::find(const QStringList& header, const QString& fileName)
{
    ResultCsvColumns columns;
    const auto claim = [](int& slot, int index) {
        if (slot < 0) // the first matching column wins
            slot = index;
    };
    for (int i = 0; i < header.size(); ++i) {
        const QString name = normalized(header[i]);
        if (name.isEmpty())
            continue;
        if (kModelId.contains(name))
            claim(columns.modelId, i);
        else if (kTask.contains(name))
            claim(columns.task, i);
        else if (kValue.contains(name))
            claim(columns.value, i);
        else if (kStderr.contains(name))
            claim(columns.stderr_, i);
        else if (name == QLatin1String("n"))
            claim(columns.n, i);
        else if (name == QLatin1String("metric"))
            claim(columns.metric, i);
        else if (name == QLatin1String("format") || name == QLatin1String("promptformat"))
            claim(columns.format, i);
        else if (name == QLatin1String("shots"))
            claim(columns.shots, i);
    }
    QStringList missing;
    if (columns.modelId < 0)
        missing << QStringLiteral("a model id column (model_id, model, model id, model_name)");
    if (columns.task < 0)
        missing << QStringLiteral("an eval dataset column (eval dataset, task, dataset, eval_task)");
    if (columns.value < 0)
        missing << QStringLiteral("a value column (Performance, value, acc, accuracy, score, rouge_l, exact_match, "
                                  "f1, metric_value)");
    if (!missing.isEmpty())
        return Outcome<ResultCsvColumns>::failure(QStringLiteral("%1:1: the header (%2) lacks %3.")
                                                      .arg(fileName, header.join(QStringLiteral(", ")),
                                                           missing.join(QStringLiteral("; "))));
    columns.valueHeader = header[columns.value];
    return columns;
}

} // namespace ckptlab
