#pragma once

// Builds a project from the study's released results once per test, through the real importer.

#include "ingest/ResultImporter.h"
#include "project/Project.h"
#include "project/SnapshotLoader.h"

#include <QTemporaryDir>
#include <QTest>

namespace ckptlab::testing {

inline QString amuroTable()
{
    return QStringLiteral(CKPTLAB_SHARED_DATA "/amuro-char/all_perf_table.csv");
}

inline QString officialTable()
{
    return QStringLiteral(CKPTLAB_SHARED_DATA "/amuro-char/official_eval_table.csv");
}

inline ResultSnapshot amuroSnapshot(const QTemporaryDir& dir)
{
    auto project = Project::open(dir.filePath(QStringLiteral("amuro.ckptlab")));
    if (!project)
        qFatal("%s", qPrintable(project.error()));
    auto report = importResults(project.value(), {amuroTable()}, ImportOptions{});
    if (!report)
        qFatal("%s", qPrintable(report.error()));
    auto snapshot = loadSnapshot(project.value());
    if (!snapshot)
        qFatal("%s", qPrintable(snapshot.error()));
    project->closeThreadConnection();
    return snapshot.value();
}

} // namespace ckptlab::testing
