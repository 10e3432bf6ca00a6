#include "ingest/EvalDatasetName.h"

#include <algorithm>

namespace ckptlab {

QStringList defaultFormatSuffixes()
{
    return {QStringLiteral("instruct"), QStringLiteral("inputoutput")};
}

TaskAndFormat splitEvalDatasetName(const QString& rawName, const QStringList& formatSuffixes)
{
    const QString name = rawName.trimmed();
    QStringList suffixes;
    for (QString suffix : formatSuffixes) {
        suffix = suffix.trimmed();
        while (suffix.startsWith(QLatin1Char('_')))
            suffix.remove(0, 1);
        if (!suffix.isEmpty())
            suffixes << suffix;
    }
    // "_inputoutput" must win over a hypothetical "_output" suffix.
    std::stable_sort(suffixes.begin(), suffixes.end(),
                     [](const QString& a, const QString& b) { return a.size() > b.size(); });
    for (const QString& suffix : suffixes) {
        const QString ending = QLatin1Char('_') + suffix;
        if (name.size() > ending.size() && name.endsWith(ending, Qt::CaseInsensitive))
            return {name.left(name.size() - ending.size()), suffix};
    }
    return {name, QStringLiteral("default")};
}

} // namespace ckptlab
