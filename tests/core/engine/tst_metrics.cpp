// Metrics against hand-computed values: ROUGE-L with rouge-score semantics (case, punctuation,
// non-ASCII), exact match and token F1 with SQuAD normalisation, accuracy, the seeded bootstrap
// (determinism, known distributions), quantiles, and the SHA-256 prompt hash.

#include "engine/eval/EvalHash.h"
#include "engine/eval/MetricStats.h"
#include "engine/eval/MetricText.h"

#include <QTest>

#include <cmath>

using namespace ckptlab::engine;

namespace {

QStringList qtokens(const std::vector<std::string>& tokens)
{
    QStringList out;
    for (const auto& t : tokens)
        out << QString::fromStdString(t);
    return out;
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private slots:
    void rougeTokenizer_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("tokens");
        QTest::newRow("case and punctuation") << "Hello, WORLD!!" << QStringList{"hello", "world"};
        QTest::newRow("apostrophe splits") << "don't stop" << QStringList{"don", "t", "stop"};
        QTest::newRow("hyphen and digits") << "e-mail 42nd  3.5" << QStringList{"e", "mail", "42nd", "3", "5"};
        QTest::newRow("non-ASCII letters vanish") << QString::fromUtf8("café au lait") << QStringList{"caf", "au", "lait"};
        QTest::newRow("kelvin sign lowercases to k") << QString::fromUtf8("\u212Aelvin") << QStringList{"kelvin"};
        QTest::newRow("only punctuation") << "?!..." << QStringList{};
        QTest::newRow("newlines and tabs") << "a\tb\nc" << QStringList{"a", "b", "c"};
    }
    void rougeTokenizer()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, tokens);
        QCOMPARE(qtokens(rougeTokens(text.toStdString())), tokens);
    }

    void rougeL_data()
    {
        QTest::addColumn<QString>("reference");
        QTest::addColumn<QString>("prediction");
        QTest::addColumn<double>("precision");
        QTest::addColumn<double>("recall");
        QTest::addColumn<double>("f");
        // rouge-score's README example: LCS "the quick brown jumps the" = 5 of 8 / 9 tokens.
        QTest::newRow("readme example") << "The quick brown fox jumps over the lazy dog"
                                        << "The quick brown dog jumps on the log." << 5.0 / 8 << 5.0 / 9
                                        << 2 * (5.0 / 8) * (5.0 / 9) / (5.0 / 8 + 5.0 / 9);
        // LCS "the cat on the mat" = 5; P = 5/5, R = 5/6, F = 10/11.
        QTest::newRow("dropped word") << "The cat sat on the mat." << "the cat on the mat" << 1.0 << 5.0 / 6 << 10.0 / 11;
        QTest::newRow("case and punctuation only") << "Hello, WORLD!!" << "hello world" << 1.0 << 1.0 << 1.0;
        // LCS is order-sensitive: "police killed" or "the gunman", 2 of 4.
        QTest::newRow("reordered halves") << "police killed the gunman" << "the gunman police killed" << 0.5 << 0.5 << 0.5;
        QTest::newRow("repeated tokens") << "a a b" << "a b b" << 2.0 / 3 << 2.0 / 3 << 2.0 / 3;
        QTest::newRow("nothing shared") << "alpha beta" << "gamma" << 0.0 << 0.0 << 0.0;
        QTest::newRow("empty prediction") << "alpha beta" << "" << 0.0 << 0.0 << 0.0;
        QTest::newRow("punctuation-only prediction") << "alpha" << "..." << 0.0 << 0.0 << 0.0;
        QTest::newRow("accents removed alike") << QString::fromUtf8("café au lait") << "caf au lait" << 1.0 << 1.0 << 1.0;
        // prediction tokens: what is the man s name (6); reference: what is his name (4); LCS 3.
        QTest::newRow("question") << "What is his name?" << "What is the man's name" << 3.0 / 6 << 3.0 / 4
                                  << 2 * (0.5 * 0.75) / 1.25;
    }
    void rougeL()
    {
        QFETCH(QString, reference);
        QFETCH(QString, prediction);
        QFETCH(double, precision);
        QFETCH(double, recall);
        QFETCH(double, f);
        const PrecisionRecallF s = ckptlab::engine::rougeL(reference.toStdString(), prediction.toStdString());
        QVERIFY2(std::abs(s.precision - precision) < 1e-12, qPrintable(QString::number(s.precision)));
        QVERIFY2(std::abs(s.recall - recall) < 1e-12, qPrintable(QString::number(s.recall)));
        QVERIFY2(std::abs(s.f - f) < 1e-12, qPrintable(QString::number(s.f)));
    }

    void exactMatchAndF1_data()
    {
        QTest::addColumn<QString>("reference");
        QTest::addColumn<QString>("prediction");
        QTest::addColumn<double>("em");
        QTest::addColumn<double>("f1");
        QTest::newRow("identical") << "Paris" << "Paris" << 1.0 << 1.0;
        QTest::newRow("case, punctuation, article") << "The Cat!" << "cat" << 1.0 << 1.0;
        // normalised: [big, red, dog] vs [red, dog, barked]: 2 shared, P = R = 2/3.
        QTest::newRow("partial overlap") << "a red dog barked" << "the big red dog" << 0.0 << 2.0 / 3;
        // [new, york, city] vs [new, york]: P = 1, R = 2/3, F1 = 0.8.
        QTest::newRow("shorter prediction") << "New York City" << "new york" << 0.0 << 0.8;
        // multiset: prediction [b, b, b] vs [b]: 1 shared, P = 1/3, R = 1.
        QTest::newRow("repeats count once each") << "b" << "b b b" << 0.0 << 0.5;
        QTest::newRow("no overlap") << "yes" << "no" << 0.0 << 0.0;
        QTest::newRow("both empty after normalising") << "the" << "a" << 1.0 << 1.0;
        QTest::newRow("one empty") << "answer" << "" << 0.0 << 0.0;
        QTest::newRow("whitespace") << "  two   words " << "two words" << 1.0 << 1.0;
    }
    void exactMatchAndF1()
    {
        QFETCH(QString, reference);
        QFETCH(QString, prediction);
        QFETCH(double, em);
        QFETCH(double, f1);
        QCOMPARE(exactMatch(reference.toStdString(), prediction.toStdString()), em);
        QVERIFY2(std::abs(tokenF1(reference.toStdString(), prediction.toStdString()) - f1) < 1e-12,
                 qPrintable(QString::number(tokenF1(reference.toStdString(), prediction.toStdString()))));
    }

    void squadNormalisation()
    {
        QCOMPARE(squadNormalize("The  Quick, brown fox: an   Apple."), std::string("quick brown fox apple"));
        QCOMPARE(squadNormalize("theatre"), std::string("theatre")); // articles are whole words only
    }

    void accuracyIsTheMean()
    {
        const MetricSummary s = summarizeScores("acc", {1, 0, 1, 1});
        QCOMPARE(s.mean, 0.75);
        QCOMPARE(s.n, int64_t(4));
        QCOMPARE(s.name, std::string("acc"));
        QVERIFY(s.low <= s.mean && s.mean <= s.high);
    }

    void bootstrapIsDeterministic()
    {
        std::vector<double> scores;
        for (int i = 0; i < 50; ++i)
            scores.push_back(std::fmod(i * 0.37, 1.0));
        BootstrapOptions options;
        options.seed = 7;
        const MetricSummary a = summarizeScores("m", scores, options), b = summarizeScores("m", scores, options);
        QCOMPARE(a.standardError, b.standardError);
        QCOMPARE(a.low, b.low);
        QCOMPARE(a.high, b.high);
        options.seed = 8;
        const MetricSummary c = summarizeScores("m", scores, options);
        QVERIFY(c.standardError != a.standardError);
        QCOMPARE(c.mean, a.mean); // the mean does not depend on the seed
    }

    void bootstrapOfConstantScores()
    {
        const MetricSummary s = summarizeScores("m", {0.4, 0.4, 0.4});
        QCOMPARE(s.standardError, 0.0);
        QCOMPARE(s.low, 0.4);
        QCOMPARE(s.high, 0.4);
    }

    void bootstrapOfTwoPoints()
    {
        // Resampling {0, 1} gives means 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4: the standard
        // error is 0.5 / sqrt(2) and the 95% interval is [0, 1].
        BootstrapOptions options;
        options.resamples = 20000;
        const MetricSummary s = summarizeScores("m", {0.0, 1.0}, options);
        QVERIFY2(std::abs(s.standardError - 0.5 / std::sqrt(2.0)) < 0.01, qPrintable(QString::number(s.standardError)));
        QCOMPARE(s.low, 0.0);
        QCOMPARE(s.high, 1.0);
        QCOMPARE(s.midpoint(), 0.5);
    }

    void bootstrapMatchesTheBinomialError()
    {
        std::vector<double> scores(400, 0.0);
        for (size_t i = 0; i < 100; ++i)
            scores[i * 4] = 1.0; // p = 0.25
        BootstrapOptions options;
        options.resamples = 4000;
        const MetricSummary s = summarizeScores("acc", scores, options);
        const double expected = std::sqrt(0.25 * 0.75 / 400);
        QVERIFY2(std::abs(s.standardError - expected) < 0.1 * expected, qPrintable(QString::number(s.standardError)));
        QVERIFY(std::abs((s.high - s.low) - 2 * 1.96 * expected) < 0.2 * 2 * 1.96 * expected);
    }

    void bootstrapRejectsNoScores()
    {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, summarizeScores("m", {}));
    }

    void quantilesInterpolateLikeNumpy()
    {
        const std::vector<double> v{1, 2, 3, 4};
        QCOMPARE(sortedQuantile(v, 0.25), 1.75);
        QCOMPARE(sortedQuantile(v, 0.5), 2.5);
        QCOMPARE(sortedQuantile(v, 0.0), 1.0);
        QCOMPARE(sortedQuantile(v, 1.0), 4.0);
    }

    void sha256KnownVectors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("digest");
        QTest::newRow("empty") << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("abc") << QByteArray("abc") << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("two blocks") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                                    << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
        QTest::newRow("million a") << QByteArray(1000000, 'a')
                                   << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    }
    void sha256KnownVectors()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, digest);
        QCOMPARE(QString::fromStdString(sha256Hex(std::string_view(input.constData(), size_t(input.size())))), digest);
    }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
