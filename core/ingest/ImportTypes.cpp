#include "ingest/ImportTypes.h"

namespace ckptlab {

QString SkippedRow::where() const
{
    if (line > 0)
        return QStringLiteral("%1:%2").arg(file).arg(line);
    if (!keyPath.isEmpty())
        return QStringLiteral("%1: %2").arg(file, keyPath);
    return file;
}

QString SkippedRow::toString() const
{
    if (id.isEmpty())
        return QStringLiteral("%1: %2").arg(where(), reason);
    return QStringLiteral("%1: \"%2\": %3").arg(where(), id, reason);
}

QString ImportRecord::where() const
{
    return line > 0 ? QStringLiteral("line %1").arg(line) : keyPath;
}

QString ImportReport::summary() const
{
    QString text = QStringLiteral("Read %1 file(s): %2 inserted, %3 updated, %4 unchanged, %5 skipped.")
                       .arg(filesRead)
                       .arg(inserted)
                       .arg(updated)
                       .arg(unchanged)
                       .arg(skipped.size());
    if (!written)
        text += QStringLiteral(" The project was not changed.");
    if (!skipped.isEmpty()) {
        QStringList rows;
        for (const SkippedRow& row : skipped)
            rows << row.toString();
        text += QStringLiteral("\nSkipped:\n  ") + listSome(rows);
    }
    if (!errors.isEmpty())
        text += QStringLiteral("\nProblems:\n  ") + listSome(errors);
    return text;
}

QString listSome(const QStringList& items, int shown, const QString& separator)
{
    QStringList head = items.mid(0, shown);
    if (items.size() > shown)
        head << QStringLiteral("... and %1 more").arg(items.size() - shown);
    return head.join(separator);
}

} // namespace ckptlab
