// Bootstrap intervals and aggregates of change over (task, recipe) pairs.

#include "AnalysisFixture.h"

#include "analysis/Aggregate.h"
#include "analysis/Bootstrap.h"

#include <QtTest>

#include <cmath>

using namespace ckptlab;
using namespace ckptlab::testing;

namespace {

bool sameInterval(const BootstrapInterval& a, const BootstrapInterval& b)
{
    auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
    return a.n == b.n && same(a.mean, b.mean) && same(a.low, b.low) && same(a.high, b.high) && same(a.stderr_, b.stderr_);
}

const QVector<double> kSpread{0.12, -0.40, 0.33, 0.05, 0.91, -0.07, 0.26, 0.48, -0.15, 0.02};

} // namespace

class TestAggregate : public QObject {
    Q_OBJECT

private:
    const ResultSnapshot m_snapshot = studySnapshot();

    // pythia changes, worked out from AnalysisFixture.h (tuned - base):
    //   boolq / xsum:        1000: 0.45-0.50          main: 0.70-0.65
    //   mnli_matched / mnli: 1000: 0.70-0.40  2000: 0.80-0.50  3000: 0.30-0.00 (ratio: none)
    //   xlsum / mnli:        1000: 0.08-0.10  2000: 0.09-0.12
    AggregateQuery studyQuery() const
    {
        AggregateQuery q;
        q.pairs = {{"boolq", 3}, {"mnli_matched", 1}, {"xlsum", 1},
                   {"boolq", 3},        // repeated: counts once
                   {"nosuchtask", 1},   // unknown: ignored
                   {"boolq", kBaseRecipe}}; // base against itself: no change, ignored
        q.series = "pythia";
        return q;
    }

private slots:
    void bootstrapEdgeCases()
    {
        const BootstrapInterval none = bootstrapMean({});
        QCOMPARE(none.n, 0);
        QVERIFY(std::isnan(none.mean) && std::isnan(none.low) && std::isnan(none.high) && std::isnan(none.stderr_));

        const BootstrapInterval one = bootstrapMean({0.7});
        QCOMPARE(one.n, 1);
        QCOMPARE(one.mean, 0.7);
        QCOMPARE(one.low, 0.7);
        QCOMPARE(one.high, 0.7);
        QVERIFY(std::isnan(one.stderr_));

        const BootstrapInterval withNaN = bootstrapMean({1.0, NaN, 3.0});
        QCOMPARE(withNaN.n, 2);
        QCOMPARE(withNaN.mean, 2.0);
    }

    void bootstrapConstantInput()
    {
        const BootstrapInterval c = bootstrapMean({0.3, 0.3, 0.3, 0.3});
        QCOMPARE(c.low, c.mean);
        QCOMPARE(c.high, c.mean);
        QCOMPARE(c.stderr_, 0.0);
    }

    void bootstrapIsDeterministic()
    {
        const BootstrapInterval a = bootstrapMean(kSpread, 0.95, 2000, 7);
        const BootstrapInterval b = bootstrapMean(kSpread, 0.95, 2000, 7);
        const BootstrapInterval c = bootstrapMean(kSpread, 0.95, 2000, 8);
        QVERIFY(sameInterval(a, b));
        QVERIFY(!sameInterval(a, c));
        QCOMPARE(c.mean, a.mean); // the point estimate does not depend on the draws
    }

    void bootstrapContainsMean_data()
    {
        QTest::addColumn<double>("confidence");
        QTest::newRow("0.50") << 0.50;
        QTest::newRow("0.90") << 0.90;
        QTest::newRow("0.99") << 0.99;
    }
    void bootstrapContainsMean()
    {
        QFETCH(double, confidence);
        const BootstrapInterval i = bootstrapMean(kSpread, confidence);
        QCOMPARE(i.n, kSpread.size());
        QVERIFY(std::fabs(i.mean - 0.155) < 1e-12);
        QVERIFY(i.low < i.mean && i.mean < i.high);
        // wider confidence, wider interval
        const BootstrapInterval narrower = bootstrapMean(kSpread, confidence - 0.1);
        QVERIFY(narrower.low >= i.low && narrower.high <= i.high);
    }

    // {1, 3}: a resample's mean is 1, 2 or 3 with probability 1/4, 1/2, 1/4, so the 5th
    // percentile is 1, the 95th is 3, the 30th and 70th are both 2, and the standard error
    // is sqrt(var / n) = sqrt(1 / 2).
    void bootstrapTwoValuesByHand()
    {
        const BootstrapInterval ninety = bootstrapMean({1.0, 3.0}, 0.90);
        QCOMPARE(ninety.mean, 2.0);
        QCOMPARE(ninety.low, 1.0);
        QCOMPARE(ninety.high, 3.0);
        QVERIFY2(std::fabs(ninety.stderr_ - std::sqrt(0.5)) < 0.03, qPrintable(QString::number(ninety.stderr_)));
        const BootstrapInterval forty = bootstrapMean({1.0, 3.0}, 0.40);
        QCOMPARE(forty.low, 2.0);
        QCOMPARE(forty.high, 2.0);
    }

    // 1..10: population sd sqrt(8.25), so the bootstrap standard error is sqrt(8.25 / 10) = 0.908
    // and the 95% interval is about 5.5 +- 1.96 * 0.908.
    void bootstrapMatchesTheNormalApproximation()
    {
        const BootstrapInterval i = bootstrapMean({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.95, 20000);
        QCOMPARE(i.mean, 5.5);
        QVERIFY2(std::fabs(i.stderr_ - std::sqrt(0.825)) < 0.03, qPrintable(QString::number(i.stderr_)));
        QVERIFY2(std::fabs(i.low - (5.5 - 1.96 * std::sqrt(0.825))) < 0.15, qPrintable(QString::number(i.low)));
        QVERIFY2(std::fabs(i.high - (5.5 + 1.96 * std::sqrt(0.825))) < 0.15, qPrintable(QString::number(i.high)));
    }

    void aggregateChangePerCheckpoint()
    {
        const AggregateQuery q = studyQuery();
        const AggregateResult r = aggregateChange(m_snapshot, q);
        QCOMPARE(r.axis.checkpointIds, (QVector<RowId>{1, 2, 4, 3}));
        QCOMPARE(r.points.size(), 4);

        const QVector<double> at1000{0.45 - 0.50, 0.70 - 0.40, 0.08 - 0.10};
        QCOMPARE(r.points[0].checkpointId, RowId(1));
        QCOMPARE(r.points[0].index, 0);
        QCOMPARE(r.points[0].step, std::optional<qint64>(1000));
        QCOMPARE(r.points[0].interval.n, 3);
        QVERIFY(std::fabs(r.points[0].interval.mean - 0.23 / 3) < 1e-12);
        QVERIFY(sameInterval(r.points[0].interval, bootstrapMean(at1000, q.confidence, q.resamples, q.seed)));

        QCOMPARE(r.points[1].interval.n, 2);
        QVERIFY(std::fabs(r.points[1].interval.mean - 0.135) < 1e-12);
        QVERIFY(r.points[1].interval.low >= -0.03 - 1e-12 && r.points[1].interval.high <= 0.30 + 1e-12);

        QCOMPARE(r.points[2].checkpointLabel, QString("3000"));
        QCOMPARE(r.points[2].interval.n, 1);
        QVERIFY(std::fabs(r.points[2].interval.mean - 0.30) < 1e-12);
        QCOMPARE(r.points[2].interval.low, r.points[2].interval.high);

        QCOMPARE(r.points[3].checkpointLabel, QString("main"));
        QVERIFY(std::fabs(r.points[3].interval.mean - 0.05) < 1e-12);
    }

    void aggregateRatioLeavesOutZeroBase()
    {
        AggregateQuery q = studyQuery();
        q.ratio = true;
        const AggregateResult r = aggregateChange(m_snapshot, q);
        QCOMPARE(r.axis.checkpointIds, (QVector<RowId>{1, 2, 3})); // 3000's only base is 0
        const double expected1000 = ((0.45 - 0.50) / 0.50 + (0.70 - 0.40) / 0.40 + (0.08 - 0.10) / 0.10) / 3;
        QVERIFY(std::fabs(r.points[0].interval.mean - expected1000) < 1e-12);
        QVERIFY(std::fabs(expected1000 - 0.15) < 1e-9);
    }

    void aggregateEmptyAndOtherSeries()
    {
        AggregateQuery q = studyQuery();
        q.series = "olmo";
        QVERIFY(aggregateChange(m_snapshot, q).points.isEmpty());
        QCOMPARE(pooledChange(m_snapshot, q).n, 0);
        q = studyQuery();
        q.shots = 5;
        QVERIFY(aggregateChange(m_snapshot, q).points.isEmpty());
    }

    void pooledOverCheckpoints()
    {
        const AggregateQuery q = studyQuery();
        const BootstrapInterval pooled = pooledChange(m_snapshot, q);
        QCOMPARE(pooled.n, 7);
        QVERIFY(std::fabs(pooled.mean - 0.85 / 7) < 1e-12);
        // pooled in axis order, pairs in query order within a checkpoint
        const QVector<double> values{0.45 - 0.50, 0.70 - 0.40, 0.08 - 0.10, 0.80 - 0.50, 0.09 - 0.12,
                                     0.30 - 0.00, 0.70 - 0.65};
        QVERIFY(sameInterval(pooled, bootstrapMean(values, q.confidence, q.resamples, q.seed)));
        QVERIFY(pooled.low < pooled.mean && pooled.mean < pooled.high);
    }
};

QTEST_GUILESS_MAIN(TestAggregate)
#include "tst_aggregate.moc"
