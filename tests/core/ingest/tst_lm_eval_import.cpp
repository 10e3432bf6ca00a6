#include "IngestTestSupport.h"

#include "ingest/LmEvalJsonImporter.h"
#include "ingest/ResultImporter.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace ckptlab;
using namespace ingest_test;

class TestLmEvalImport : public QObject {
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

    QString writeFile(const QString& relative, const QByteArray& content)
    {
        const QString path = m_dir.filePath(relative);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void importsV03Layout()
    {
        const Project project = freshProject();
        const auto report = importResults(project, {fixture(QStringLiteral("lmeval_v03_pythia-160m.json"))}, {});
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->inserted, 4); // arc_easy acc, acc_norm; lambada_openai ppl, acc
        QVERIFY(report->skipped.isEmpty());

        // step from model_args revision, series from the pretrained name, shots from config.num_fewshot
        const auto acc = storedResult(project, QStringLiteral("pythia-160m"), QStringLiteral("step:3000"), QString(),
                                      QStringLiteral("arc_easy"), QStringLiteral("default"), 5, QStringLiteral("acc"));
        QVERIFY(acc);
        QCOMPARE(acc->value, 0.4377104377104377);
        QCOMPARE(acc->stderr_.toDouble(), 0.010179856486006902);
        QVERIFY(acc->n.isNull());
        QCOMPARE(acc->modelRef, QStringLiteral("EleutherAI/pythia-160m@step3000"));
        const auto norm = storedResult(project, QStringLiteral("pythia-160m"), QStringLiteral("step:3000"), QString(),
                                       QStringLiteral("arc_easy"), QStringLiteral("default"), 5,
                                       QStringLiteral("acc_norm"));
        QVERIFY(norm);
        QCOMPARE(norm->stderr_.toDouble(), 0.010067368960348204);
        const auto lambada = storedResult(project, QStringLiteral("pythia-160m"), QStringLiteral("step:3000"), QString(),
                                          QStringLiteral("lambada_openai"), QStringLiteral("default"), 5,
                                          QStringLiteral("acc"));
        QVERIFY(lambada);
        QVERIFY(lambada->stderr_.isNull()); // no acc_stderr in the file
        QCOMPARE(scalar(project, QStringLiteral("SELECT metric FROM task WHERE name = 'arc_easy'")).toString(),
                 QStringLiteral("acc"));
    }

    void importsV04Layout()
    {
        const Project project = freshProject();
        const auto report = importResults(project, {fixture(QStringLiteral("lmeval_v04_pythia-410m.json"))}, {});
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->inserted, 5); // arc_easy acc, acc_norm; gsm8k two filters; mnli_matched_instruct acc
        const QString series = QStringLiteral("pythia-410m-deduped");
        const QString step = QStringLiteral("step:143000");

        // model_args as an object; n-shot; n from n-samples.effective
        const auto arc = storedResult(project, series, step, QString(), QStringLiteral("arc_easy"),
                                      QStringLiteral("default"), 0, QStringLiteral("acc"));
        QVERIFY(arc);
        QCOMPARE(arc->value, 0.5197811447811448);
        QCOMPARE(arc->stderr_.toDouble(), 0.010251751199542736);
        QCOMPARE(arc->n.toInt(), 2376);

        // filters other than "none" stay in the metric name; n-shot beats configs.num_fewshot
        const auto strict = storedResult(project, series, step, QString(), QStringLiteral("gsm8k"),
                                         QStringLiteral("default"), 8, QStringLiteral("exact_match (strict-match)"));
        QVERIFY(strict);
        QCOMPARE(strict->value, 0.02);
        QCOMPARE(strict->stderr_.toDouble(), 0.004);
        QCOMPARE(strict->n.toInt(), 100);
        const auto flexible = storedResult(project, series, step, QString(), QStringLiteral("gsm8k"),
                                           QStringLiteral("default"), 8,
                                           QStringLiteral("exact_match (flexible-extract)"));
        QVERIFY(flexible);
        QCOMPARE(flexible->value, 0.03);
        QVERIFY(flexible->stderr_.isNull()); // "N/A"

        // format suffix in the task name; shots from configs.<task>.num_fewshot; no n-samples entry
        const auto mnli = storedResult(project, series, step, QString(), QStringLiteral("mnli_matched"),
                                       QStringLiteral("instruct"), 3, QStringLiteral("acc"));
        QVERIFY(mnli);
        QCOMPARE(mnli->value, 0.354);
        QVERIFY(mnli->n.isNull());
        QCOMPARE(rowCount(project, QStringLiteral("checkpoint")), 1);
    }

    void importsAFolderOfCheckpoints()
    {
        const Project project = freshProject();
        const auto report = importResults(project, {fixture(QStringLiteral("lmeval_folder"))}, {});
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->filesRead, 4);
        QCOMPARE(report->inserted, 4);
        QCOMPARE(report->errors.size(), 1); // nested/config.json is not a results file
        QVERIFY2(report->errors.first().contains(QLatin1String("config.json")), qPrintable(report->errors.first()));

        const QString pythia = QStringLiteral("pythia-160m");
        const auto arc = [&](const QString& series, const QString& checkpoint) {
            return storedResult(project, series, checkpoint, QString(), QStringLiteral("arc_easy"),
                                QStringLiteral("default"), 0, QStringLiteral("acc"));
        };
        // step from the file name (no revision in model_args)
        QVERIFY(arc(pythia, QStringLiteral("step:1000")));
        QCOMPARE(arc(pythia, QStringLiteral("step:1000"))->value, 0.38);
        QCOMPARE(arc(pythia, QStringLiteral("step:2000"))->value, 0.41);
        QCOMPARE(arc(pythia, QStringLiteral("step:2000"))->source, QStringLiteral("lmeval_folder/pythia-160m/results_step2000.json"));
        // series and step from the file name alone (no config at all)
        QVERIFY(arc(pythia, QStringLiteral("step:143000")));
        QCOMPARE(arc(pythia, QStringLiteral("step:143000"))->value, 0.44);
        // OLMo revision with a token count
        QVERIFY(arc(QStringLiteral("OLMo-1B-hf"), QStringLiteral("step:738000")));
        QCOMPARE(scalar(project, QStringLiteral("SELECT tokens FROM checkpoint WHERE series = 'OLMo-1B-hf'")).toDouble(),
                 3.095e12);
        QCOMPARE(rowCount(project, QStringLiteral("import_log")), 4);

        const auto again = importResults(project, {fixture(QStringLiteral("lmeval_folder"))}, {});
        QVERIFY2(again.ok(), qPrintable(again.error()));
        QCOMPARE(again->inserted + again->updated, 0);
        QCOMPARE(again->unchanged, 4);
        QCOMPARE(rowCount(project, QStringLiteral("import_log")), 4);
    }

    void malformedJsonNamesTheFileAndWritesNothing()
    {
        const Project project = freshProject();
        const QString before = tableCounts(project);
        const auto report = importResults(
            project, {fixture(QStringLiteral("lmeval_v03_pythia-160m.json")), fixture(QStringLiteral("malformed.json"))},
            {});
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QLatin1String("malformed.json")), qPrintable(report.error()));
        QVERIFY2(report.error().contains(QLatin1String("not valid JSON")), qPrintable(report.error()));
        QCOMPARE(tableCounts(project), before);
    }

    void malformedJsonInsideAFolderFailsTheFolder()
    {
        const Project project = freshProject();
        writeFile(QStringLiteral("bad_folder/a/results_step1000.json"),
                  R"({"results": {"arc_easy": {"acc": 0.3}}, "config": {"model_args": "pretrained=x/pythia-70m"}})");
        writeFile(QStringLiteral("bad_folder/b/results_step2000.json"), R"({"results": {"arc_easy": {"acc": 0.3)");
        const auto report = importResults(project, {m_dir.filePath(QStringLiteral("bad_folder"))}, {});
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QLatin1String("results_step2000.json")), qPrintable(report.error()));
        QCOMPARE(rowCount(project, QStringLiteral("result")), 0);
    }

    void wrongValueTypeNamesTheKeyPath()
    {
        const Project project = freshProject();
        const auto report = importResults(project, {fixture(QStringLiteral("bad_metric_value.json"))}, {});
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QLatin1String("bad_metric_value.json")), qPrintable(report.error()));
        QVERIFY2(report.error().contains(QLatin1String(R"(results.arc_easy."acc,none")")), qPrintable(report.error()));
        QCOMPARE(rowCount(project, QStringLiteral("result")), 0);
    }

    void fileWithoutResultsIsAnErrorWhenNamed()
    {
        const Project project = freshProject();
        const auto report = importResults(project, {fixture(QStringLiteral("lmeval_folder/nested/config.json"))}, {});
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QLatin1String("results")), qPrintable(report.error()));
    }

    void checkpointThatCannotBeToldIsSkippedOrStrictFails()
    {
        const QString path = writeFile(QStringLiteral("mystery/output.json"),
                                       R"({"results": {"arc_easy": {"acc": 0.3, "acc_stderr": 0.01}},
                                           "config": {"model_args": "pretrained=/local/models/mymodel"}})");
        const Project project = freshProject();
        const auto report = importResults(project, {path}, {});
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->inserted, 0);
        QCOMPARE(report->skipped.size(), 1);
        QCOMPARE(report->skipped.first().why, SkippedRow::Why::UnparsedId);
        QCOMPARE(report->skipped.first().id, QStringLiteral("/local/models/mymodel"));
        QVERIFY(!report->written);
        QCOMPARE(rowCount(project, QStringLiteral("import_log")), 0);

        ImportOptions strict;
        strict.strict = true;
        const auto failed = importResults(project, {path}, strict);
        QVERIFY(!failed.ok());
        QVERIFY2(failed.error().contains(QLatin1String("output.json")), qPrintable(failed.error()));

        // a user pattern can read what the built-in rules cannot; a revision-less hub name is "main"
        ImportOptions pattern;
        pattern.idPattern = QStringLiteral(R"(^(?<series>mymodel)$)");
        const auto withRevision = writeFile(
            QStringLiteral("mystery2/output.json"),
            R"({"results": {"arc_easy": {"acc": 0.3}}, "config": {"model_args": "pretrained=/local/models/mymodel,revision=step77"}})");
        const auto read = importResults(project, {withRevision}, pattern);
        QVERIFY2(read.ok(), qPrintable(read.error()));
        QCOMPARE(read->inserted, 1);
        QVERIFY(storedResult(project, QStringLiteral("mymodel"), QStringLiteral("step:77"), QString(),
                             QStringLiteral("arc_easy"), QStringLiteral("default"), 0, QStringLiteral("acc")));
    }

    void hubNameWithoutRevisionIsTheFinalCheckpoint()
    {
        const QString path = writeFile(QStringLiteral("hub/results_2024-06-01T00-00-00.json"),
                                       R"({"results": {"boolq": {"acc,none": 0.61, "acc_stderr,none": 0.008}},
                                           "n-shot": {"boolq": 0},
                                           "config": {"model_args": "pretrained=EleutherAI/pythia-1b"}})");
        const Project project = freshProject();
        ImportOptions options;
        options.finalStep = 143000;
        const auto report = importResults(project, {path}, options);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->inserted, 1);
        QVERIFY(storedResult(project, QStringLiteral("pythia-1b"), QStringLiteral("final"), QString(),
                             QStringLiteral("boolq"), QStringLiteral("default"), 0, QStringLiteral("acc")));
        QCOMPARE(scalar(project, QStringLiteral("SELECT step FROM checkpoint")).toLongLong(), qint64(143000));
    }

    void keyPathsQuoteUnusualParts()
    {
        QCOMPARE(jsonKeyPath({QStringLiteral("results"), QStringLiteral("arc_easy"), QStringLiteral("acc,none")}),
                 QStringLiteral(R"(results.arc_easy."acc,none")"));
        QCOMPARE(jsonKeyPath({QStringLiteral("results"), QStringLiteral("hendrycksTest-anatomy")}),
                 QStringLiteral("results.hendrycksTest-anatomy"));
    }
};

QTEST_GUILESS_MAIN(TestLmEvalImport)
#include "tst_lm_eval_import.moc"
