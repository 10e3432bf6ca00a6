#pragma once

#include "common/Outcome.h"

#include <QSqlDatabase>

namespace ckptlab {

// The project file's schema: ordered migrations keyed by PRAGMA user_version.
namespace schema {

// "ckpt" in ASCII: PRAGMA application_id of every ckptlab project.
constexpr int kApplicationId = 0x636b7074;

// The newest schema version this build knows.
int latestVersion();

// Brings an empty or older project up to latestVersion() in one transaction.
// Refuses files that belong to another application or to a newer ckptlab.
Status migrate(QSqlDatabase& db, const QString& path);

} // namespace schema
} // namespace ckptlab
