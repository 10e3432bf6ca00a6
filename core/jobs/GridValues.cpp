#include "jobs/GridValues.h"

#include <QJsonArray>
#include <QStringList>

#include <cmath>
#include <limits>
#include <optional>

namespace ckptlab {

namespace {

bool isWhole(GridSetting setting)
{
    return setting != GridSetting::LearningRate;
}

bool isValid(GridSetting setting, double v)
{
    if (!std::isfinite(v))
        return false;
    if (isWhole(setting) && (v != std::floor(v) || v > std::numeric_limits<int>::max()))
        return false;
    switch (setting) {
    case GridSetting::Epochs: return v >= 1;
    case GridSetting::LearningRate: return v > 0 && v < 1;
    case GridSetting::BatchSize: return v >= 1;
    case GridSetting::MaxLength: return v >= 8;
    case GridSetting::Seed: return v >= 0;
    case GridSetting::Shots: return v >= 0;
    }
    return false;
}

QString rule(GridSetting setting)
{
    switch (setting) {
    case GridSetting::Epochs: return QStringLiteral("whole numbers >= 1");
    case GridSetting::LearningRate: return QStringLiteral("numbers between 0 and 1");
    case GridSetting::BatchSize: return QStringLiteral("whole numbers >= 1");
    case GridSetting::MaxLength: return QStringLiteral("whole numbers >= 8");
    case GridSetting::Seed: return QStringLiteral("whole numbers >= 0");
    case GridSetting::Shots: return QStringLiteral("whole numbers >= 0");
    }
    return {};
}

template <typename T>
Outcome<QVector<T>> collect(GridSetting setting, const QVector<std::optional<double>>& values, const QStringList& texts,
                            const QString& where)
{
    QVector<T> out;
    for (int i = 0; i < values.size(); ++i) {
        if (!values[i] || !isValid(setting, *values[i]))
            return Outcome<QVector<T>>::failure(QStringLiteral("%1: \"%2\" is not valid: %3 takes %4")
                                                    .arg(where, texts[i], gridSettingName(setting), rule(setting)));
        const T v = T(*values[i]);
        if (!out.contains(v))
            out << v;
    }
    if (out.isEmpty())
        return Outcome<QVector<T>>::failure(
            QStringLiteral("%1: give at least one value (%2)").arg(where, rule(setting)));
    return out;
}

template <typename T>
Outcome<QVector<T>> parseText(GridSetting setting, const QString& text)
{
    QVector<std::optional<double>> values;
    QStringList texts;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString trimmed = part.trimmed();
        if (trimmed.isEmpty())
            continue;
        bool ok = false;
        const double v = trimmed.toDouble(&ok);
        values << (ok ? std::optional<double>(v) : std::nullopt);
        texts << trimmed;
    }
    return collect<T>(setting, values, texts, gridSettingName(setting));
}

template <typename T>
Outcome<QVector<T>> parseJson(GridSetting setting, const QJsonValue& value, const QVector<T>& fallback, const QString& where)
{
    if (value.isUndefined() || value.isNull())
        return fallback;
    const QJsonArray array = value.isArray() ? value.toArray() : QJsonArray{value};
    QVector<std::optional<double>> values;
    QStringList texts;
    for (const QJsonValue& v : array) {
        values << (v.isDouble() ? std::optional<double>(v.toDouble()) : std::nullopt);
        texts << (v.isDouble() ? QString::number(v.toDouble(), 'g', 17) : v.isString() ? v.toString() : QStringLiteral("(not a number)"));
    }
    return collect<T>(setting, values, texts, where);
}

} // namespace

QString gridSettingName(GridSetting setting)
{
    switch (setting) {
    case GridSetting::Epochs: return QStringLiteral("Epochs");
    case GridSetting::LearningRate: return QStringLiteral("Learning rate");
    case GridSetting::BatchSize: return QStringLiteral("Batch");
    case GridSetting::MaxLength: return QStringLiteral("Max length");
    case GridSetting::Seed: return QStringLiteral("Seeds");
    case GridSetting::Shots: return QStringLiteral("Shots");
    }
    return {};
}

Outcome<QVector<int>> parseGridInts(GridSetting setting, const QString& text)
{
    return parseText<int>(setting, text);
}

Outcome<QVector<double>> parseGridDoubles(GridSetting setting, const QString& text)
{
    return parseText<double>(setting, text);
}

Outcome<QVector<int>> gridIntsFromJson(GridSetting setting, const QJsonValue& value, const QVector<int>& fallback,
                                       const QString& where)
{
    return parseJson<int>(setting, value, fallback, where);
}

Outcome<QVector<double>> gridDoublesFromJson(GridSetting setting, const QJsonValue& value,
                                             const QVector<double>& fallback, const QString& where)
{
    return parseJson<double>(setting, value, fallback, where);
}

} // namespace ckptlab
