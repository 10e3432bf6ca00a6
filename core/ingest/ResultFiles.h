#pragma once

#include "common/Outcome.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace ckptlab {

struct ResultFile {
    enum class Kind { Csv, Tsv, LmEvalJson };
    QString path;               // absolute
    QString sourceName;         // stored with each result: the file name, or its path below the scanned folder's parent
    Kind kind = Kind::Csv;
    bool fromFolderScan = false;
};

// Files given by name must be .csv, .tsv or .json; folders are scanned recursively for those,
// in name order. A file named twice is read once. Fails on a path that does not exist, a file
// of another type, or a folder without any results file.
Outcome<QVector<ResultFile>> collectResultFiles(const QStringList& filesOrDirs);

} // namespace ckptlab
