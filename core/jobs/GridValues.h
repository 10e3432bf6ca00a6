#pragma once

// One rule for the value lists of a fine-tuning grid, wherever they come from: the plan
// dialog's fields, `ckptlab-cli plan`'s flags and a plan file's arrays. Each value must suit
// its setting (epochs >= 1, 0 < learning rate < 1, batch >= 1, max length >= 8, seed and shots
// >= 0, whole numbers where whole numbers are meant); duplicates are dropped, the first kept;
// a list needs at least one value. Errors name the setting and the value.

#include "common/Outcome.h"

#include <QJsonValue>
#include <QString>
#include <QVector>

namespace ckptlab {

enum class GridSetting { Epochs, LearningRate, BatchSize, MaxLength, Seed, Shots };

// "Epochs", "Learning rate", ... as the plan dialog labels them and error messages name them.
QString gridSettingName(GridSetting setting);

// "3, 5" (commas, spaces ignored).
Outcome<QVector<int>> parseGridInts(GridSetting setting, const QString& text);
Outcome<QVector<double>> parseGridDoubles(GridSetting setting, const QString& text);

// A plan file's value: a number or an array of numbers; `fallback` when absent. `where` names
// the place in the file ("plan.json: finetune.epochs").
Outcome<QVector<int>> gridIntsFromJson(GridSetting setting, const QJsonValue& value, const QVector<int>& fallback,
                                       const QString& where);
Outcome<QVector<double>> gridDoublesFromJson(GridSetting setting, const QJsonValue& value,
                                             const QVector<double>& fallback, const QString& where);

} // namespace ckptlab
