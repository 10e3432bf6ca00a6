#include "ingest/KnownTaskMetrics.h"

#include <QStringList>

namespace ckptlab {

namespace {

QString normalized(const QString& s)
{
    QString out;
    for (const QChar c : s)
        if (c.isLetterOrNumber())
            out += c.toLower();
    return out;
}

} // namespace

bool isMultipleChoiceSuiteTask(const QString& task)
{
    static const QStringList suite = {QStringLiteral("arc_easy"), QStringLiteral("arc_challenge"), QStringLiteral("boolq"),
                                      QStringLiteral("hellaswag"), QStringLiteral("openbookqa")};
    return suite.contains(task.toLower());
}

TaskMetric knownTaskMetric(const QString& rawTask, bool multipleChoiceFile)
{
    static const QStringList generation = {QStringLiteral("xsum"),      QStringLiteral("xlsum"),
                                           QStringLiteral("cnn"),       QStringLiteral("socialiqa"),
                                           QStringLiteral("tweetqa")};
    static const QStringList classification = {QStringLiteral("mnli"), QStringLiteral("rte"),  QStringLiteral("gpt3nli"),
                                               QStringLiteral("qqp"),  QStringLiteral("stsb"), QStringLiteral("paws")};
    const QString task = rawTask.toLower();
    const QString acc = QStringLiteral("acc");
    const QString rouge = QStringLiteral("rouge_l");

    if (task == QLatin1String("sciq"))
        return multipleChoiceFile ? TaskMetric{acc, QStringLiteral("multiple_choice")}
                                  : TaskMetric{rouge, QStringLiteral("generation")};
    if (generation.contains(task))
        return {rouge, QStringLiteral("generation")};
    if (isMultipleChoiceSuiteTask(task))
        return {acc, QStringLiteral("multiple_choice")};
    if (classification.contains(task) || task.startsWith(QLatin1String("mnli_"))
        || task.startsWith(QLatin1String("llmbar_")))
        return {acc, QStringLiteral("classification")};
    return {};
}

QString metricNamedByHeader(const QString& header)
{
    const QString h = normalized(header);
    if (h == QLatin1String("acc") || h == QLatin1String("accuracy"))
        return QStringLiteral("acc");
    if (h == QLatin1String("rougel"))
        return QStringLiteral("rouge_l");
    if (h == QLatin1String("exactmatch"))
        return QStringLiteral("exact_match");
    if (h == QLatin1String("f1"))
        return QStringLiteral("f1");
    return {};
}

} // namespace ckptlab
