#include "ingest/EvalDatasetName.h"
#include "ingest/KnownTaskMetrics.h"

#include <QTest>

using namespace ckptlab;

class TestEvalDatasetName : public QObject {
    Q_OBJECT
private slots:
    void splitsFormatSuffix_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("suffixes");
        QTest::addColumn<QString>("task");
        QTest::addColumn<QString>("format");
        const QStringList defaults = defaultFormatSuffixes();
        QTest::newRow("instruct") << "mnli_matched_instruct" << defaults << "mnli_matched" << "instruct";
        QTest::newRow("inputoutput") << "mnli_mismatched_inputoutput" << defaults << "mnli_mismatched" << "inputoutput";
        QTest::newRow("no suffix") << "mnli_matched" << defaults << "mnli_matched" << "default";
        QTest::newRow("underscores, no suffix") << "llmbar_Adversarial_Manual" << defaults << "llmbar_Adversarial_Manual"
                                                << "default";
        QTest::newRow("short task") << "xsum_inputoutput" << defaults << "xsum" << "inputoutput";
        QTest::newRow("suffix only at the end") << "instruct_mnli" << defaults << "instruct_mnli" << "default";
        QTest::newRow("a name that is only the suffix") << "instruct" << defaults << "instruct" << "default";
        QTest::newRow("no underscore before suffix") << "paraminstruct" << defaults << "paraminstruct" << "default";
        QTest::newRow("case-insensitive") << "paws_Instruct" << defaults << "paws" << "instruct";
        QTest::newRow("custom suffix with underscore") << "gsm8k_cot" << QStringList{QStringLiteral("_cot")} << "gsm8k"
                                                       << "cot";
        QTest::newRow("custom list drops defaults") << "rte_instruct" << QStringList{QStringLiteral("cot")}
                                                    << "rte_instruct" << "default";
        QTest::newRow("longest suffix wins") << "qqp_inputoutput"
                                             << QStringList{QStringLiteral("output"), QStringLiteral("inputoutput")}
                                             << "qqp" << "inputoutput";
    }
    void splitsFormatSuffix()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, suffixes);
        QFETCH(QString, task);
        QFETCH(QString, format);
        const TaskAndFormat split = splitEvalDatasetName(name, suffixes);
        QCOMPARE(split.task, task);
        QCOMPARE(split.format, format);
    }

    void knowsAmuroMetrics_data()
    {
        QTest::addColumn<QString>("task");
        QTest::addColumn<bool>("multipleChoiceFile");
        QTest::addColumn<QString>("metric");
        for (const char* t : {"xsum", "xlsum", "cnn", "socialiqa", "tweetqa"})
            QTest::newRow(t) << t << false << "rouge_l";
        QTest::newRow("sciq in all_perf") << "sciq" << false << "rouge_l";
        QTest::newRow("sciq in the multiple-choice table") << "sciq" << true << "acc";
        for (const char* t : {"mnli_matched", "mnli_mismatched", "rte", "gpt3nli", "qqp", "stsb", "paws",
                              "llmbar_Natural", "llmbar_Adversarial_Neighbor", "arc_easy", "arc_challenge", "boolq",
                              "hellaswag", "openbookqa"})
            QTest::newRow(t) << t << false << "acc";
        QTest::newRow("unknown") << "my_task" << false << "";
    }
    void knowsAmuroMetrics()
    {
        QFETCH(QString, task);
        QFETCH(bool, multipleChoiceFile);
        QFETCH(QString, metric);
        QCOMPARE(knownTaskMetric(task, multipleChoiceFile).metric, metric);
    }

    void valueHeaderNamesMetric_data()
    {
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("metric");
        QTest::newRow("acc") << "acc" << "acc";
        QTest::newRow("Accuracy") << "Accuracy" << "acc";
        QTest::newRow("ROUGE-L") << "ROUGE-L" << "rouge_l";
        QTest::newRow("rouge_l") << "rouge_l" << "rouge_l";
        QTest::newRow("Exact Match") << "Exact Match" << "exact_match";
        QTest::newRow("F1") << "F1" << "f1";
        QTest::newRow("Performance") << "Performance" << "";
        QTest::newRow("value") << "value" << "";
    }
    void valueHeaderNamesMetric()
    {
        QFETCH(QString, header);
        QFETCH(QString, metric);
        QCOMPARE(metricNamedByHeader(header), metric);
    }
};

QTEST_GUILESS_MAIN(TestEvalDatasetName)
#include "tst_eval_dataset_name.moc"
