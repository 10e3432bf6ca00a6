#pragma once

// Reading a project the way another tool would, to check what a test's code wrote.

#include "project/Project.h"

#include <QSqlQuery>
#include <QVariant>

namespace ckptlab::testing {

// The first column of the first row of `sql` as a number (e.g. a count), -1 when it fails.
inline int count(const Project& p, const QString& sql)
{
    QSqlQuery q(p.database());
    if (!q.exec(sql) || !q.next())
        return -1;
    return q.value(0).toInt();
}

} // namespace ckptlab::testing
