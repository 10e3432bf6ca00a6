#include "project/ProjectTypes.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace ckptlab {

QString formatLearningRate(double lr)
{
    if (lr == 0.0)
        return QStringLiteral("0");
    // Shortest round-trip form in scientific notation without a '+' or leading exponent zeros.
    QString s = QString::number(lr, 'g', 15);
    if (!s.contains(QLatin1Char('e'))) {
        const double mag = std::fabs(lr);
        if (mag >= 1e-3 && mag < 1e4)
            return s;
        s = QString::number(lr, 'e', 14);
    }
    QString mantissa = s.section(QLatin1Char('e'), 0, 0);
    QString exponent = s.section(QLatin1Char('e'), 1, 1);
    if (mantissa.contains(QLatin1Char('.'))) {
        while (mantissa.endsWith(QLatin1Char('0')))
            mantissa.chop(1);
        if (mantissa.endsWith(QLatin1Char('.')))
            mantissa.chop(1);
    }
    const bool negative = exponent.startsWith(QLatin1Char('-'));
    if (exponent.startsWith(QLatin1Char('+')) || negative)
        exponent.remove(0, 1);
    while (exponent.size() > 1 && exponent.startsWith(QLatin1Char('0')))
        exponent.remove(0, 1);
    return mantissa + QLatin1Char('e') + (negative ? QStringLiteral("-") : QString()) + exponent;
}

static QString formatNumber(double v)
{
    return QString::number(v, 'g', 10);
}

QString RecipeInfo::label() const
{
    QStringList parts;
    if (epochs)
        parts << QStringLiteral("%1 ep").arg(formatNumber(*epochs));
    if (learningRate)
        parts << formatLearningRate(*learningRate);
    if (batchSize)
        parts << QStringLiteral("bs %1").arg(*batchSize);
    if (maxLength)
        parts << QStringLiteral("len %1").arg(*maxLength);
    if (seed)
        parts << QStringLiteral("seed %1").arg(*seed);
    if (parts.isEmpty())
        return ftTask;
    return QStringLiteral("%1 (%2)").arg(ftTask, parts.join(QStringLiteral(", ")));
}

QString RecipeInfo::key() const
{
    auto opt = [](const auto& o) { return o ? formatNumber(double(*o)) : QString(); };
    QString extra = extraJson.trimmed();
    if (extra.isEmpty())
        extra = QStringLiteral("{}");
    else // canonical form: keys sorted, compact
        extra = QString::fromUtf8(QJsonDocument::fromJson(extra.toUtf8()).toJson(QJsonDocument::Compact));
    return QStringList{ftTask, opt(epochs), learningRate ? formatLearningRate(*learningRate) : QString(),
                       opt(batchSize), opt(maxLength), opt(seed), extra}
        .join(QLatin1Char('|'));
}

void ResultSnapshot::rebuildIndexes()
{
    checkpointIndex.clear();
    recipeIndex.clear();
    taskIndex.clear();
    formatIndex.clear();
    for (int i = 0; i < checkpoints.size(); ++i)
        checkpointIndex.insert(checkpoints[i].id, i);
    for (int i = 0; i < recipes.size(); ++i)
        recipeIndex.insert(recipes[i].id, i);
    for (int i = 0; i < tasks.size(); ++i)
        taskIndex.insert(tasks[i].id, i);
    for (int i = 0; i < formats.size(); ++i)
        formatIndex.insert(formats[i].id, i);
}

template <typename T>
static const T* lookup(const QVector<T>& rows, const QHash<RowId, int>& index, RowId id)
{
    const auto it = index.constFind(id);
    return it == index.constEnd() ? nullptr : &rows[*it];
}

const CheckpointInfo* ResultSnapshot::checkpoint(RowId id) const { return lookup(checkpoints, checkpointIndex, id); }
const RecipeInfo* ResultSnapshot::recipe(RowId id) const { return lookup(recipes, recipeIndex, id); }
const TaskInfo* ResultSnapshot::task(RowId id) const { return lookup(tasks, taskIndex, id); }
const PromptFormatInfo* ResultSnapshot::format(RowId id) const { return lookup(formats, formatIndex, id); }

const TaskInfo* ResultSnapshot::taskByName(const QString& name) const
{
    for (const TaskInfo& t : tasks)
        if (t.name == name)
            return &t;
    return nullptr;
}

QString ResultSnapshot::recipeLabel(RowId id) const
{
    if (id == kBaseRecipe)
        return QStringLiteral("base");
    const RecipeInfo* r = recipe(id);
    return r ? r->label() : QStringLiteral("recipe %1").arg(id);
}

} // namespace ckptlab
