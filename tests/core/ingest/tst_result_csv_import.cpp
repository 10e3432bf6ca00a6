#include "IngestTestSupport.h"

#include "ingest/ResultImporter.h"

#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace ckptlab;
using namespace ingest_test;

namespace {

const QString kAllPerf = QStringLiteral("amuro-char/all_perf_table.csv");
const QString kOfficial = QStringLiteral("amuro-char/official_eval_table.csv");

} // namespace

class TestResultCsvImport : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_projectCount = 0;

    Project freshProject()
    {
        auto project = Project::open(m_dir.filePath(QStringLiteral("p%1.ckptlab").arg(++m_projectCount)));
        if (!project)
            qFatal("cannot create a project: %s", qPrintable(project.error()));
        return project.value();
    }

    // A project that already holds the all_perf table, for the "failure leaves data intact" tests.
    Project projectWithAllPerf()
    {
        Project project = freshProject();
        const auto report = importResults(project, {sharedData(kAllPerf)}, {});
        if (!report || report->inserted != 648)
            qFatal("setup import failed: %s", qPrintable(report ? report->summary() : report.error()));
        return project;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void importsAllPerfTableExceptTheDuplicate()
    {
        const Project project = freshProject();
        const auto report = importResults(project, {sharedData(kAllPerf)}, {});
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->filesRead, 1);
        QCOMPARE(report->inserted, 648);
        QCOMPARE(report->updated, 0);
        QCOMPARE(report->unchanged, 0);
        QVERIFY(report->written);
        QVERIFY(report->errors.isEmpty());
        QCOMPARE(report->skipped.size(), 1);

        const SkippedRow& dup = report->skipped.first();
        QCOMPARE(dup.why, SkippedRow::Why::Duplicate);
        QCOMPARE(dup.line, 409);
        QCOMPARE(dup.id, QStringLiteral("checkpoint-1000_4shots"));
        QVERIFY2(dup.reason.contains(QLatin1String("duplicate of line 329")), qPrintable(dup.reason));
        QVERIFY2(dup.reason.contains(QLatin1String("different value")), qPrintable(dup.reason));
        QVERIFY(dup.file.endsWith(QLatin1String("all_perf_table.csv")));
        QVERIFY(report->summary().contains(QLatin1String("648 inserted")));

        QCOMPARE(rowCount(project, QStringLiteral("result")), 648);
        QCOMPARE(rowCount(project, QStringLiteral("checkpoint")), 8);
        QCOMPARE(rowCount(project, QStringLiteral("recipe")), 6);
        QCOMPARE(rowCount(project, QStringLiteral("task")), 16);
        QCOMPARE(rowCount(project, QStringLiteral("prompt_format")), 35);
        QCOMPARE(rowCount(project, QStringLiteral("import_log")), 1);

        const auto mnli = storedResult(project, QStringLiteral("olmo1b"), QStringLiteral("step:342000"),
                                       recipeKey(QStringLiteral("mnli"), 3, 2e-6), QStringLiteral("mnli_matched"),
                                       QStringLiteral("default"), 4, QStringLiteral("acc"));
        QVERIFY(mnli);
        QCOMPARE(mnli->value, 0.7871625063678044);
        QCOMPARE(mnli->stderr_.toDouble(), 0.004072487342010111);
        QVERIFY(mnli->n.isNull());
        QCOMPARE(mnli->modelRef, QStringLiteral("olmo1b_hf_ckpt342000_mnli_3epoch_2e-6_4shots"));
        QCOMPARE(mnli->source, QStringLiteral("all_perf_table.csv"));

        // The first of the duplicate pair (line 329) is the one kept.
        const auto kept = storedResult(project, QStringLiteral("olmo1b"), QStringLiteral("step:1000"), QString(),
                                       QStringLiteral("socialiqa"), QStringLiteral("default"), 4, QStringLiteral("rouge_l"));
        QVERIFY(kept);
        QCOMPARE(kept->value, 0.01846589268927494);

        // A format variant, a generation metric, a base model.
        const auto cnn = storedResult(project, QStringLiteral("olmo1b"), QStringLiteral("step:1000"), QString(),
                                      QStringLiteral("cnn"), QStringLiteral("instruct"), 4, QStringLiteral("rouge_l"));
        QVERIFY(cnn);
        QCOMPARE(cnn->value, 0.09398842494254464);
        QCOMPARE(cnn->stderr_.toDouble(), 0.00045255275026395724);

        // The final checkpoint fine-tuned with lr 2e-5, 0-shot.
        QCOMPARE(scalar(project, QStringLiteral("SELECT count(*) FROM checkpoint WHERE is_final = 1 AND label = 'main' "
                                                "AND step IS NULL"))
                     .toInt(),
                 1);
        QCOMPARE(scalar(project, QStringLiteral("SELECT metric FROM task WHERE name = 'sciq'")).toString(),
                 QStringLiteral("rouge_l"));
        QCOMPARE(scalar(project, QStringLiteral("SELECT metric FROM task WHERE name = 'llmbar_Natural'")).toString(),
                 QStringLiteral("acc"));
        QCOMPARE(scalar(project, QStringLiteral("SELECT count(DISTINCT shots) FROM result")).toInt(), 4); // 0, 2, 4, 7
    }

    void importsOfficialTableAsAccuracy()
    {
        const Project project = freshProject();
        const auto report = importResults(project, {sharedData(kOfficial)}, {});
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->inserted, 107);
        QVERIFY(report->skipped.isEmpty());
        QCOMPARE(rowCount(project, QStringLiteral("task")), 8);
        QCOMPARE(scalar(project, QStringLiteral("SELECT count(*) FROM result WHERE metric <> 'acc'")).toInt(), 0);
        QCOMPARE(scalar(project, QStringLiteral("SELECT metric FROM task WHERE name = 'sciq'")).toString(),
                 QStringLiteral("acc"));
        // "checkpoint-1000" names no series; every other id says olmo1b.
        QCOMPARE(scalar(project, QStringLiteral("SELECT group_concat(DISTINCT series) FROM checkpoint")).toString(),
                 QStringLiteral("olmo1b"));
        const auto hellaswag = storedResult(project, QStringLiteral("olmo1b"), QStringLiteral("step:1000"), QString(),
                                            QStringLiteral("hellaswag"), QStringLiteral("default"), 0,
                                            QStringLiteral("acc"));
        QVERIFY(hellaswag);
        QCOMPARE(hellaswag->value, 0.2530372435769767);
        QVERIFY(hellaswag->stderr_.isNull());
    }

    void importsBothTablesInOneCall()
    {
        const Project project = freshProject();
        const auto report = importResults(project, {sharedData(kAllPerf), sharedData(kOfficial)}, {});
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->filesRead, 2);
        QCOMPARE(report->inserted, 648 + 107);
        QCOMPARE(rowCount(project, QStringLiteral("checkpoint")), 8);
        QCOMPARE(rowCount(project, QStringLiteral("task")), 21);
        // sciq keeps both: ROUGE-L from the study, accuracy from the official table.
        QCOMPARE(scalar(project, QStringLiteral("SELECT count(DISTINCT r.metric) FROM result r JOIN task t ON "
                                                "r.task_id = t.id WHERE t.name = 'sciq'"))
                     .toInt(),
                 2);
        QCOMPARE(rowCount(project, QStringLiteral("import_log")), 2);
    }

    void reimportChangesNothing()
    {
        const Project project = projectWithAllPerf();
        const QString before = tableCounts(project);
        const QVariant firstCreated = scalar(project, QStringLiteral("SELECT max(created_at) FROM result"));
        const auto again = importResults(project, {sharedData(kAllPerf)}, {});
        QVERIFY2(again.ok(), qPrintable(again.error()));
        QCOMPARE(again->inserted, 0);
        QCOMPARE(again->updated, 0);
        QCOMPARE(again->unchanged, 648);
        QVERIFY(!again->written);
        QCOMPARE(tableCounts(project), before); // no second import_log row either
        QCOMPARE(scalar(project, QStringLiteral("SELECT max(created_at) FROM result")), firstCreated);
    }

    void strictModeWithUnparseableIdChangesNothing()
    {
        const Project project = projectWithAllPerf();
        const QString before = tableCounts(project);
        ImportOptions strict;
        strict.strict = true;
        const auto report = importResults(project, {fixture(QStringLiteral("unparseable_id.csv"))}, strict);
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QLatin1String("unparseable_id.csv:3")), qPrintable(report.error()));
        QVERIFY2(report.error().contains(QLatin1String("my-favourite-model")), qPrintable(report.error()));
        QCOMPARE(tableCounts(project), before);
        QVERIFY(project.integrityOk());
    }

    void nonStrictModeSkipsUnparseableIds()
    {
        const Project project = freshProject();
        const auto report = importResults(project, {fixture(QStringLiteral("unparseable_id.csv"))}, {});
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->inserted, 2);
        QCOMPARE(report->skipped.size(), 1);
        const SkippedRow& row = report->skipped.first();
        QCOMPARE(row.why, SkippedRow::Why::UnparsedId);
        QCOMPARE(row.line, 3);
        QCOMPARE(row.id, QStringLiteral("my-favourite-model"));
        QVERIFY(!row.reason.isEmpty());
        QVERIFY(report->summary().contains(QLatin1String("my-favourite-model")));
    }

    void badNumberOnLine5FailsAndWritesNothing()
    {
        const Project project = freshProject();
        const QString before = tableCounts(project);
        const auto report = importResults(project, {fixture(QStringLiteral("bad_value_line5.csv"))}, {});
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QLatin1String("bad_value_line5.csv:5:")), qPrintable(report.error()));
        QVERIFY2(report.error().contains(QLatin1String("0.13x")), qPrintable(report.error()));
        QCOMPARE(tableCounts(project), before);
        QCOMPARE(rowCount(project, QStringLiteral("result")), 0);
    }

    // One transaction for the whole call: a good file before a bad one is rolled back too.
    void failureLeavesExistingDataIntact()
    {
        const Project project = projectWithAllPerf();
        const QString before = tableCounts(project);
        const auto report = importResults(
            project, {sharedData(kOfficial), fixture(QStringLiteral("bad_value_line5.csv"))}, {});
        QVERIFY(!report.ok());
        QCOMPARE(tableCounts(project), before);
        QCOMPARE(rowCount(project, QStringLiteral("result")), 648);
        QVERIFY(project.integrityOk());
        // and the project still takes a good import afterwards
        const auto good = importResults(project, {sharedData(kOfficial)}, {});
        QVERIFY2(good.ok(), qPrintable(good.error()));
        QCOMPARE(good->inserted, 107);
    }

    void readsQuotedCsvWithBomAndCrlf()
    {
        const Project project = freshProject();
        const auto report = importResults(project, {fixture(QStringLiteral("quoted.csv"))}, {});
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->inserted, 3);
        QCOMPARE(report->skipped.size(), 2);
        QCOMPARE(report->skipped[0].why, SkippedRow::Why::UnparsedId);
        QCOMPARE(report->skipped[0].line, 5); // the quoted line break above shifts it
        QCOMPARE(report->skipped[0].id, QStringLiteral("my \"quoted\", model"));
        QCOMPARE(report->skipped[1].why, SkippedRow::Why::NoValue);
        QCOMPARE(report->skipped[1].line, 7);

        const QString pythia = QStringLiteral("pythia-160m");
        const auto xsum = storedResult(project, pythia, QStringLiteral("step:1000"), QString(), QStringLiteral("xsum"),
                                       QStringLiteral("default"), 0, QStringLiteral("rouge_l"));
        QVERIFY(xsum);
        QCOMPARE(xsum->value, 0.1);
        QCOMPARE(xsum->stderr_.toDouble(), 0.01);
        QCOMPARE(xsum->n.toInt(), 100);
        // shots column, format suffix, metric from the task table, empty std = unknown
        const auto mnli = storedResult(project, pythia, QStringLiteral("step:2000"), QString(),
                                       QStringLiteral("mnli_matched"), QStringLiteral("instruct"), 2, QStringLiteral("acc"));
        QVERIFY(mnli);
        QCOMPARE(mnli->value, 0.5);
        QVERIFY(mnli->stderr_.isNull());
        QCOMPARE(mnli->n.toInt(), 200);
        // "step3000" names no series: it takes the one the other ids agree on
        const auto paws = storedResult(project, pythia, QStringLiteral("step:3000"), QString(), QStringLiteral("paws"),
                                       QStringLiteral("inputoutput"), 0, QStringLiteral("acc"));
        QVERIFY(paws);
        QCOMPARE(paws->value, 0.6);
    }

    void defaultSeriesOptionNamesSeriesLessIds()
    {
        const Project project = freshProject();
        ImportOptions options;
        options.defaultSeries = QStringLiteral("custom");
        const auto report = importResults(project, {fixture(QStringLiteral("quoted.csv"))}, options);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QVERIFY(storedResult(project, QStringLiteral("custom"), QStringLiteral("step:3000"), QString(),
                             QStringLiteral("paws"), QStringLiteral("inputoutput"), 0, QStringLiteral("acc")));
    }

    void readsTsvWithMetricHeaderAndFinalStep()
    {
        const Project project = freshProject();
        ImportOptions options;
        options.finalStep = 143000;
        const auto report = importResults(project, {fixture(QStringLiteral("results.tsv"))}, options);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->inserted, 2);
        const auto final = storedResult(project, QStringLiteral("pythia-160m"), QStringLiteral("final"), QString(),
                                        QStringLiteral("arc_easy"), QStringLiteral("default"), 0, QStringLiteral("acc"));
        QVERIFY(final);
        QCOMPARE(final->value, 0.44);
        QCOMPARE(final->stderr_.toDouble(), 0.0102);
        QCOMPARE(final->n.toInt(), 2376);
        QCOMPARE(scalar(project, QStringLiteral("SELECT step FROM checkpoint WHERE is_final = 1")).toLongLong(),
                 qint64(143000));
    }

    void finalStepFillsInAnExistingFinalCheckpoint()
    {
        const Project project = projectWithAllPerf();
        QVERIFY(scalar(project, QStringLiteral("SELECT step FROM checkpoint WHERE is_final = 1")).isNull());
        ImportOptions options;
        options.finalStep = 750000;
        const auto report = importResults(project, {sharedData(kAllPerf)}, options);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(scalar(project, QStringLiteral("SELECT step FROM checkpoint WHERE is_final = 1")).toLongLong(),
                 qint64(750000));
        QCOMPARE(rowCount(project, QStringLiteral("checkpoint")), 8);
    }

    void missingValueColumnIsAnError()
    {
        const Project project = freshProject();
        const auto report = importResults(project, {fixture(QStringLiteral("missing_value_column.csv"))}, {});
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QLatin1String("missing_value_column.csv:1")), qPrintable(report.error()));
        QVERIFY2(report.error().contains(QLatin1String("value column")), qPrintable(report.error()));
    }

    void invalidIdPatternIsRefusedBeforeReading()
    {
        const Project project = freshProject();
        ImportOptions options;
        options.idPattern = QStringLiteral("(?<step>\\d+");
        const auto report = importResults(project, {sharedData(kAllPerf)}, options);
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QLatin1String("id pattern")), qPrintable(report.error()));
        QCOMPARE(rowCount(project, QStringLiteral("result")), 0);
    }

    void userIdPatternAppliesToCsvIds()
    {
        const Project project = freshProject();
        ImportOptions options;
        // Reads only the checkpoint of fine-tuned ids: everything else is unparsed.
        options.idPattern = QStringLiteral(R"(^olmo1b_hf_ckpt(?<step>\d+)_(?<ft>[a-z]+)_(?<epochs>\d+)epoch_(?<lr>[0-9e.-]+?)(?:_(?<shots>\d+)shots)?$)");
        const auto report = importResults(project, {sharedData(kOfficial)}, options);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->inserted + report->skipped.size(), 107);
        QVERIFY(report->inserted > 0);
        for (const SkippedRow& row : report->skipped)
            QVERIFY2(!row.id.contains(QLatin1String("_hf_ckpt")), qPrintable(row.toString()));
        QCOMPARE(scalar(project, QStringLiteral("SELECT group_concat(DISTINCT series) FROM checkpoint")).toString(),
                 QStringLiteral("official_eval_table")); // no id names a series: the file's base name
    }

    void reportsProgressAndCancels()
    {
        const Project project = freshProject();
        QVector<QPair<int, int>> calls;
        const auto report = importResults(project, {sharedData(kAllPerf), sharedData(kOfficial)}, {},
                                          [&calls](int done, int total) {
                                              calls << qMakePair(done, total);
                                              return true;
                                          });
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(calls, (QVector<QPair<int, int>>{{0, 2}, {1, 2}, {2, 2}}));

        const Project other = freshProject();
        const auto cancelled = importResults(other, {sharedData(kAllPerf), sharedData(kOfficial)}, {},
                                             [](int done, int) { return done < 1; });
        QVERIFY(!cancelled.ok());
        QVERIFY2(cancelled.error().contains(QLatin1String("cancelled")), qPrintable(cancelled.error()));
        QCOMPARE(rowCount(other, QStringLiteral("result")), 0);
    }

    void runsOnAWorkerThread()
    {
        const Project project = freshProject();
        Outcome<ImportReport> report = Outcome<ImportReport>::failure(QStringLiteral("not run"));
        std::thread worker([&] {
            report = importResults(project, {sharedData(kAllPerf)}, {});
            project.closeThreadConnection();
        });
        worker.join();
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->inserted, 648);
        QCOMPARE(rowCount(project, QStringLiteral("result")), 648);
    }
};

QTEST_GUILESS_MAIN(TestResultCsvImport)
#include "tst_result_csv_import.moc"
