#include "IngestTestSupport.h"

#include "ingest/CsvReader.h"
#include "ingest/ModelIdParser.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace ckptlab;

namespace {

constexpr qint64 kNoStep = -1;
constexpr double kNoNumber = -1;

// Columns shared by the data-driven parse tests.
void addExpectedColumns()
{
    QTest::addColumn<QString>("series");
    QTest::addColumn<bool>("isFinal");
    QTest::addColumn<qint64>("step");
    QTest::addColumn<QString>("label");
    QTest::addColumn<double>("tokens");
    QTest::addColumn<QString>("ftTask");
    QTest::addColumn<double>("epochs");
    QTest::addColumn<double>("lr");
    QTest::addColumn<int>("shots");
}

void verifyParsed(const Outcome<ParsedModelId>& parsed)
{
    QFETCH(QString, series);
    QFETCH(bool, isFinal);
    QFETCH(qint64, step);
    QFETCH(QString, label);
    QFETCH(double, tokens);
    QFETCH(QString, ftTask);
    QFETCH(double, epochs);
    QFETCH(double, lr);
    QFETCH(int, shots);

    QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
    const ParsedModelId& id = parsed.value();
    QCOMPARE(id.checkpoint.series, series);
    QCOMPARE(id.checkpoint.isFinal, isFinal);
    QCOMPARE(id.checkpoint.step.value_or(kNoStep), step);
    QCOMPARE(id.checkpoint.label, label);
    QCOMPARE(id.checkpoint.tokens.value_or(kNoNumber), tokens);
    QCOMPARE(id.recipe.has_value(), !ftTask.isEmpty());
    if (id.recipe) {
        QCOMPARE(id.recipe->ftTask, ftTask);
        QCOMPARE(id.recipe->epochs.value_or(kNoNumber), epochs);
        QCOMPARE(id.recipe->learningRate.value_or(kNoNumber), lr);
    }
    QCOMPARE(id.shots, shots);
}

QStringList idsOf(const QString& csvPath)
{
    QFile f(csvPath);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const auto rows = parseCsv(f.readAll(), csvPath);
    QStringList ids;
    if (!rows)
        return ids;
    for (int i = 1; i < rows->size(); ++i)
        ids << rows.value()[i].fields.value(1);
    ids.removeDuplicates();
    return ids;
}

} // namespace

class TestModelIdParser : public QObject {
    Q_OBJECT
private slots:
    void parsesBuiltInForms_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("defaultSeries");
        QTest::addColumn<QString>("revision");
        addExpectedColumns();
        const QString none;
        const QString olmo = QStringLiteral("olmo1b");
        // Amuro & Char, all_perf_table.csv: one row per form of FORMATS.md
        QTest::newRow("ft k-shot") << "olmo1b_hf_ckpt424000_socialiqa_3epoch_2e-6_4shots" << none << none << olmo << false
                                   << qint64(424000) << "424000" << kNoNumber << "socialiqa" << 3.0 << 2e-6 << 4;
        QTest::newRow("ft 2-shot") << "olmo1b_hf_ckpt1000_xsum_3epoch_2e-7_2shots" << none << none << olmo << false
                                   << qint64(1000) << "1000" << kNoNumber << "xsum" << 3.0 << 2e-7 << 2;
        QTest::newRow("ft 0-shot") << "olmo1b_hf_ckpt18000_mnli_3epoch_2e-6" << none << none << olmo << false
                                   << qint64(18000) << "18000" << kNoNumber << "mnli" << 3.0 << 2e-6 << 0;
        QTest::newRow("ft tulu 5 epochs") << "olmo1b_hf_ckpt738000_tulu_5epoch_2e-6_4shots" << none << none << olmo
                                          << false << qint64(738000) << "738000" << kNoNumber << "tulu" << 5.0 << 2e-6
                                          << 4;
        QTest::newRow("ft from main") << "olmo1b_hf_main_mnli_3epoch_2e-5" << none << none << olmo << true << kNoStep
                                      << "main" << kNoNumber << "mnli" << 3.0 << 2e-5 << 0;
        QTest::newRow("ft from main 7-shot") << "olmo1b_hf_main_paws_3epoch_2e-6_7shots" << none << none << olmo << true
                                             << kNoStep << "main" << kNoNumber << "paws" << 3.0 << 2e-6 << 7;
        QTest::newRow("base k-shot") << "olmo1b_checkpoint-1000_original_hf_4shots" << none << none << olmo << false
                                     << qint64(1000) << "1000" << kNoNumber << "" << kNoNumber << kNoNumber << 4;
        QTest::newRow("base 2-shot") << "olmo1b_checkpoint-592000_original_hf_2shots" << none << none << olmo << false
                                     << qint64(592000) << "592000" << kNoNumber << "" << kNoNumber << kNoNumber << 2;
        QTest::newRow("base 0-shot") << "olmo1b_checkpoint-18000_original" << none << none << olmo << false
                                     << qint64(18000) << "18000" << kNoNumber << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("base final") << "olmo1b_original_hf" << none << none << olmo << true << kNoStep << "main"
                                    << kNoNumber << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("base final 7-shot") << "olmo1b_original_hf_7shots" << none << none << olmo << true << kNoStep
                                           << "main" << kNoNumber << "" << kNoNumber << kNoNumber << 7;
        QTest::newRow("irregular no series") << "checkpoint-1000_4shots" << olmo << none << olmo << false << qint64(1000)
                                             << "1000" << kNoNumber << "" << kNoNumber << kNoNumber << 4;
        // official_eval_table.csv
        QTest::newRow("official base") << "checkpoint-424000" << olmo << none << olmo << false << qint64(424000)
                                       << "424000" << kNoNumber << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("official tulu") << "olmo1b_hf_ckpt342000_tulu_5epoch_2e-6" << none << none << olmo << false
                                       << qint64(342000) << "342000" << kNoNumber << "tulu" << 5.0 << 2e-6 << 0;
        QTest::newRow("official tulu main") << "olmo1b_hf_main_tulu_5epoch_2e-6" << none << none << olmo << true
                                            << kNoStep << "main" << kNoNumber << "tulu" << 5.0 << 2e-6 << 0;
        // Pythia and OLMo revisions
        QTest::newRow("bare step") << "step143000" << "pythia-160m" << none << "pythia-160m" << false << qint64(143000)
                                   << "143000" << kNoNumber << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("name@step") << "pythia-160m@step143000" << none << none << "pythia-160m" << false
                                   << qint64(143000) << "143000" << kNoNumber << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("hub name + revision") << "EleutherAI/pythia-160m-deduped" << none << "step3000"
                                             << "pythia-160m-deduped" << false << qint64(3000) << "3000" << kNoNumber
                                             << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("hub name + main") << "EleutherAI/pythia-160m" << none << "main" << "pythia-160m" << true << kNoStep
                                         << "main" << kNoNumber << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("olmo tokens") << "step738000-tokens3095B" << "olmo-1b" << none << "olmo-1b" << false
                                     << qint64(738000) << "738000" << 3.095e12 << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("hub@olmo revision") << "allenai/OLMo-1B@step20000-tokens84B" << none << none << "OLMo-1B" << false
                                           << qint64(20000) << "20000" << 84e9 << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("name@main") << "pythia-160m@main" << none << none << "pythia-160m" << true << kNoStep << "main"
                                   << kNoNumber << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("name@latest") << "pythia-160m@latest" << none << none << "pythia-160m" << true << kNoStep
                                     << "latest" << kNoNumber << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("bare final") << "final" << "pythia-1b" << none << "pythia-1b" << true << kNoStep << "final"
                                    << kNoNumber << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("file-name style") << "pythia-160m_step1000" << none << none << "pythia-160m" << false
                                         << qint64(1000) << "1000" << kNoNumber << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("series in id beats default") << "olmo1b_checkpoint-1000_original" << "other" << none << olmo
                                                    << false << qint64(1000) << "1000" << kNoNumber << ""
                                                    << kNoNumber << kNoNumber << 0;
    }
    void parsesBuiltInForms()
    {
        QFETCH(QString, id);
        QFETCH(QString, defaultSeries);
        QFETCH(QString, revision);
        const ModelIdParser parser;
        verifyParsed(parser.parse(id, {defaultSeries, revision}));
    }

    // Every id of both Amuro & Char tables parses, and agrees with what the id text says.
    void parsesEveryAmuroId_data()
    {
        QTest::addColumn<QString>("id");
        QStringList ids = idsOf(ingest_test::sharedData(QStringLiteral("amuro-char/all_perf_table.csv")));
        QCOMPARE(ids.size(), 76);
        const QStringList official = idsOf(ingest_test::sharedData(QStringLiteral("amuro-char/official_eval_table.csv")));
        QCOMPARE(official.size(), 16);
        ids << official;
        ids.removeDuplicates();
        for (const QString& id : std::as_const(ids))
            QTest::newRow(qPrintable(id)) << id;
    }
    void parsesEveryAmuroId()
    {
        QFETCH(QString, id);
        const auto parsed = ModelIdParser().parse(id, {QStringLiteral("olmo1b"), {}});
        QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
        QCOMPARE(parsed->checkpoint.series, QStringLiteral("olmo1b"));
        QCOMPARE(parsed->seriesFromId, id.startsWith(QLatin1String("olmo1b_")));

        const auto stepMatch = QRegularExpression(QStringLiteral(R"((?:ckpt|checkpoint-)(\d+))")).match(id);
        QCOMPARE(parsed->checkpoint.isFinal, !stepMatch.hasMatch());
        if (stepMatch.hasMatch())
            QCOMPARE(parsed->checkpoint.step.value_or(kNoStep), stepMatch.captured(1).toLongLong());
        else
            QCOMPARE(parsed->checkpoint.label, QStringLiteral("main"));

        const auto ftMatch = QRegularExpression(QStringLiteral(R"(_(mnli|paws|socialiqa|xsum|tulu)_(\d)epoch_([0-9e.-]+?)(?:_\d+shots)?$)")).match(id);
        QCOMPARE(parsed->recipe.has_value(), ftMatch.hasMatch());
        if (ftMatch.hasMatch()) {
            QCOMPARE(parsed->recipe->ftTask, ftMatch.captured(1));
            QCOMPARE(parsed->recipe->epochs.value_or(kNoNumber), ftMatch.captured(2).toDouble());
            QCOMPARE(parsed->recipe->learningRate.value_or(kNoNumber), ftMatch.captured(3).toDouble());
        }
        const auto shotsMatch = QRegularExpression(QStringLiteral(R"(_(\d+)shots$)")).match(id);
        QCOMPARE(parsed->shots, shotsMatch.hasMatch() ? shotsMatch.captured(1).toInt() : 0);
    }

    void idWithoutSeriesAndNoDefaultHasNoSeries()
    {
        const auto parsed = ModelIdParser().parse(QStringLiteral("checkpoint-1000"));
        QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
        QVERIFY(parsed->checkpoint.series.isEmpty());
        QVERIFY(!parsed->seriesFromId);
        QCOMPARE(parsed->checkpoint.step.value_or(kNoStep), qint64(1000));
    }

    void finalStepGoesToTheFinalCheckpointOnly()
    {
        const auto parser = ModelIdParser::create({}, qint64(750000));
        QVERIFY2(parser.ok(), qPrintable(parser.error()));
        const auto final = parser->parse(QStringLiteral("olmo1b_original_hf"));
        QVERIFY(final.ok());
        QVERIFY(final->checkpoint.isFinal);
        QCOMPARE(final->checkpoint.step.value_or(kNoStep), qint64(750000));
        const auto ft = parser->parse(QStringLiteral("olmo1b_hf_main_mnli_3epoch_2e-5"));
        QVERIFY(ft.ok());
        QCOMPARE(ft->checkpoint.step.value_or(kNoStep), qint64(750000));
        const auto numbered = parser->parse(QStringLiteral("olmo1b_checkpoint-1000_original"));
        QVERIFY(numbered.ok());
        QCOMPARE(numbered->checkpoint.step.value_or(kNoStep), qint64(1000));
    }

    void unparseableIdsGiveAReason_data()
    {
        QTest::addColumn<QString>("id");
        QTest::newRow("free text") << "my-favourite-model";
        QTest::newRow("empty") << "";
        QTest::newRow("bad revision") << "pythia-160m@notarevision";
        QTest::newRow("ft without epochs") << "olmo1b_hf_ckpt1000_mnli";
        QTest::newRow("series only") << "pythia-160m";
    }
    void unparseableIdsGiveAReason()
    {
        QFETCH(QString, id);
        const auto parsed = ModelIdParser().parse(id, {QStringLiteral("fallback"), {}});
        QVERIFY(!parsed.ok());
        QVERIFY(!parsed.error().isEmpty());
    }

    void userPatternOverridesBuiltInRules_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("defaultSeries");
        addExpectedColumns();
        QTest::newRow("all groups")
            << R"(^(?<series>[a-z0-9]+)-rev(?<step>\d+)-ft-(?<ft>[a-z]+)-e(?<epochs>\d+)-lr(?<lr>[0-9.e-]+)-k(?<shots>\d+)$)"
            << "mymodel-rev5000-ft-mnli-e2-lr1e-5-k3" << QString() << "mymodel" << false << qint64(5000) << "5000"
            << kNoNumber << "mnli" << 2.0 << 1e-5 << 3;
        QTest::newRow("step group says main") << R"(^run_(?<step>\w+)$)" << "run_main" << "mine" << "mine" << true
                                              << kNoStep << "main" << kNoNumber << "" << kNoNumber << kNoNumber << 0;
        QTest::newRow("tokens group") << R"((?<series>\w+)/tok(?<tokens>\d+B)/s(?<step>\d+))" << "olmo/tok84B/s20000"
                                      << QString() << "olmo" << false << qint64(20000) << "20000" << 84e9 << ""
                                      << kNoNumber << kNoNumber << 0;
        // The built-in rules would read a recipe and 4 shots here; the pattern reads neither.
        QTest::newRow("built-ins not used") << R"(^(?<series>olmo1b)_hf_ckpt(?<step>\d+))"
                                            << "olmo1b_hf_ckpt424000_socialiqa_3epoch_2e-6_4shots" << QString()
                                            << "olmo1b" << false << qint64(424000) << "424000" << kNoNumber << ""
                                            << kNoNumber << kNoNumber << 0;
    }
    void userPatternOverridesBuiltInRules()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, id);
        QFETCH(QString, defaultSeries);
        const auto parser = ModelIdParser::create(pattern);
        QVERIFY2(parser.ok(), qPrintable(parser.error()));
        QVERIFY(parser->hasUserPattern());
        verifyParsed(parser->parse(id, {defaultSeries, {}}));
    }

    void userPatternThatDoesNotMatchLeavesIdUnparsed()
    {
        const auto parser = ModelIdParser::create(QStringLiteral(R"(^ckpt(?<step>\d+)$)"));
        QVERIFY(parser.ok());
        const auto parsed = parser->parse(QStringLiteral("olmo1b_checkpoint-1000_original")); // built-ins would read it
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().contains(QLatin1String("does not match")), qPrintable(parsed.error()));
    }

    void invalidUserPatternIsRefused_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("expected");
        QTest::newRow("does not compile") << R"(^(?<step>\d+)" << "not a valid regular expression";
        QTest::newRow("no named group") << R"(^ckpt(\d+)$)" << "no named group";
        QTest::newRow("unknown group") << R"(^ckpt(?<stepz>\d+)$)" << "unknown group \"stepz\"";
    }
    void invalidUserPatternIsRefused()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, expected);
        const auto parser = ModelIdParser::create(pattern);
        QVERIFY(!parser.ok());
        QVERIFY2(parser.error().contains(expected), qPrintable(parser.error()));
    }

    void parsesRevisionsAndTokenCounts_data()
    {
        QTest::addColumn<QString>("revision");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<qint64>("step");
        QTest::addColumn<double>("tokens");
        QTest::newRow("pythia") << "step1000" << true << qint64(1000) << kNoNumber;
        QTest::newRow("olmo") << "step738000-tokens3095B" << true << qint64(738000) << 3.095e12;
        QTest::newRow("olmo 7b") << "step1000-tokens4B" << true << qint64(1000) << 4e9;
        QTest::newRow("checkpoint") << "checkpoint-500" << true << qint64(500) << kNoNumber;
        QTest::newRow("global step") << "global_step42" << true << qint64(42) << kNoNumber;
        QTest::newRow("digits") << "7" << true << qint64(7) << kNoNumber;
        QTest::newRow("garbage") << "v1.2" << false << kNoStep << kNoNumber;
    }
    void parsesRevisionsAndTokenCounts()
    {
        QFETCH(QString, revision);
        QFETCH(bool, valid);
        QFETCH(qint64, step);
        QFETCH(double, tokens);
        const auto parsed = parseRevision(revision);
        QCOMPARE(parsed.has_value(), valid);
        if (!parsed)
            return;
        QCOMPARE(parsed->step.value_or(kNoStep), step);
        QCOMPARE(parsed->tokens.value_or(kNoNumber), tokens);
    }
};

QTEST_GUILESS_MAIN(TestModelIdParser)
#include "tst_model_id_parser.moc"
