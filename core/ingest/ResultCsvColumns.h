#pragma once

#include "common/Outcome.h"

#include <QStringList>

namespace ckptlab {

// Where the columns of a results table are. Header names are compared without case, spaces,
// underscores or hyphens; an empty header (a pandas index) is never a column of interest.
struct ResultCsvColumns {
    int modelId = -1;
    int task = -1;
    int value = -1;
    int stderr_ = -1;
    int n = -1;
    int metric = -1;
    int format = -1;
    int shots = -1;
    QString valueHeader; // as written, e.g. "Performance" or "acc"

    // Fails when the model id, eval dataset or value column is missing.
    static Outcome<ResultCsvColumns> find(const QStringList& header, const QString& fileName);
};

} // namespace ckptlab
