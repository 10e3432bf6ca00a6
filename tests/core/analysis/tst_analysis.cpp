// Trajectory, change, forgetting, sensitivity and gain over the hand-made project of
// AnalysisFixture.h; expectations worked out by hand.

#include "AnalysisFixture.h"

#include "analysis/AnalysisQuery.h"
#include "analysis/Change.h"
#include "analysis/Gain.h"
#include "analysis/Sensitivity.h"
#include "analysis/Trajectory.h"

#include <QtTest>

#include <cmath>

using namespace ckptlab;
using namespace ckptlab::testing;

namespace {

bool near(double a, double b) { return std::fabs(a - b) < 1e-9; }

template <typename Series>
QStringList namesOf(const QVector<Series>& series)
{
    QStringList names;
    for (const auto& s : series)
        names << s.name;
    return names;
}

template <typename Point>
QVector<RowId> checkpointsOf(const QVector<Point>& points)
{
    QVector<RowId> ids;
    for (const auto& p : points)
        ids << p.checkpointId;
    return ids;
}

template <typename Point>
QVector<int> indexesOf(const QVector<Point>& points)
{
    QVector<int> idx;
    for (const auto& p : points)
        idx << p.index;
    return idx;
}

ResultSelection selection(const QString& task, const QStringList& ftTasks = {}, const QString& series = {})
{
    ResultSelection s;
    s.task = task;
    s.ftTasks = ftTasks;
    s.series = series;
    return s;
}

} // namespace

class TestAnalysis : public QObject {
    Q_OBJECT

private:
    const ResultSnapshot m_snapshot = studySnapshot();

private slots:
    void resolveMetric_data()
    {
        QTest::addColumn<QString>("task");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("shots");
        QTest::addColumn<QString>("chosen");
        QTest::addColumn<QString>("expected");
        QTest::newRow("task metric among several") << "boolq" << "default" << 0 << "" << "acc";
        QTest::newRow("chosen wins") << "boolq" << "default" << 0 << "f1" << "f1";
        QTest::newRow("several, none preferred: alphabetical") << "arc" << "default" << 0 << "" << "acc";
        QTest::newRow("preferred absent: the single one present") << "hellaswag" << "default" << 0 << "" << "acc";
        QTest::newRow("only the format's rows count") << "boolq" << "instruct" << 0 << "" << "acc";
        QTest::newRow("no rows at these shots") << "xlsum" << "default" << 5 << "" << "";
        QTest::newRow("no rows in this format") << "boolq" << "nosuchformat" << 0 << "f1" << "";
        QTest::newRow("unknown task") << "nosuchtask" << "default" << 0 << "" << "";
    }
    void resolveMetric()
    {
        QFETCH(QString, task);
        QFETCH(QString, format);
        QFETCH(int, shots);
        QFETCH(QString, chosen);
        QFETCH(QString, expected);
        ResultSelection s = selection(task);
        s.format = format;
        s.shots = shots;
        s.metric = chosen;
        QCOMPARE(ckptlab::resolveMetric(m_snapshot, s), expected);
    }

    void recipeSelected_data()
    {
        QTest::addColumn<RowId>("recipe");
        QTest::addColumn<QStringList>("ftTasks");
        QTest::addColumn<bool>("expected");
        QTest::newRow("empty selects base") << kBaseRecipe << QStringList{} << true;
        QTest::newRow("empty selects recipes") << RowId(1) << QStringList{} << true;
        QTest::newRow("base by name") << kBaseRecipe << QStringList{"base"} << true;
        QTest::newRow("base not named") << kBaseRecipe << QStringList{"mnli"} << false;
        QTest::newRow("by ft task") << RowId(2) << QStringList{"mnli"} << true;
        QTest::newRow("other ft task") << RowId(3) << QStringList{"mnli"} << false;
        QTest::newRow("base and xsum") << RowId(3) << QStringList{"base", "xsum"} << true;
        QTest::newRow("unknown recipe") << RowId(99) << QStringList{} << false;
    }
    void recipeSelected()
    {
        QFETCH(RowId, recipe);
        QFETCH(QStringList, ftTasks);
        QFETCH(bool, expected);
        QCOMPARE(ckptlab::recipeSelected(m_snapshot, recipe, ftTasks), expected);
    }

    void trajectoryOrderAndGaps()
    {
        const Trajectory t = computeTrajectory(m_snapshot, selection("boolq", {"base", "xsum"}, "pythia"));
        QCOMPARE(t.metric, QString("acc"));
        QCOMPARE(t.axis.checkpointIds, (QVector<RowId>{1, 2, 4, 3})); // final "main" last
        QCOMPARE(t.axis.labels, (QStringList{"1000", "2000", "3000", "main"}));
        QCOMPARE(t.axis.indexOf(4), 2);
        QCOMPARE(t.axis.indexOf(10), -1);
        QCOMPARE(namesOf(t.series), (QStringList{"base", "xsum"}));

        const TrajectorySeries& base = t.series[0];
        QCOMPARE(base.recipeId, kBaseRecipe);
        QCOMPARE(base.checkpointSeries, QString("pythia"));
        QCOMPARE(checkpointsOf(base.points), (QVector<RowId>{1, 2, 4, 3}));
        QCOMPARE(indexesOf(base.points), (QVector<int>{0, 1, 2, 3}));
        QCOMPARE(base.points[0].value, 0.50);
        QCOMPARE(base.points[0].stderr_, 0.01);
        QCOMPARE(base.points[0].tokens, std::optional<double>(2.1e9));
        QCOMPARE(base.points[0].step, std::optional<qint64>(1000));
        QCOMPARE(base.points[3].value, 0.65);
        QVERIFY(!base.points[3].step.has_value());
        QCOMPARE(base.points[3].checkpointLabel, QString("main"));
        QVERIFY(std::isnan(base.points[2].stderr_)); // unknown stays unknown

        // xsum has no 0-shot default value at 2000 and 3000: gaps, not zeros or other rows
        const TrajectorySeries& xsum = t.series[1];
        QCOMPARE(xsum.recipeId, RowId(3));
        QCOMPARE(checkpointsOf(xsum.points), (QVector<RowId>{1, 3}));
        QCOMPARE(indexesOf(xsum.points), (QVector<int>{0, 3}));
        QCOMPARE(xsum.points[0].value, 0.45);
        QCOMPARE(xsum.points[1].value, 0.70);
        QCOMPARE(xsum.points[1].modelRef, QString("ckpt3+r3"));
        QVERIFY(xsum.points[1].resultId > 0);
    }

    void trajectoryChosenMetric()
    {
        ResultSelection s = selection("boolq", {"base"}, "pythia");
        s.metric = "f1";
        const Trajectory t = computeTrajectory(m_snapshot, s);
        QCOMPARE(t.metric, QString("f1"));
        QCOMPARE(t.axis.checkpointIds, (QVector<RowId>{1, 2}));
        QCOMPARE(t.series.size(), 1);
        QCOMPARE(t.series[0].points[1].value, 0.45);
    }

    void trajectoryNames_data()
    {
        QTest::addColumn<QString>("task");
        QTest::addColumn<QStringList>("ftTasks");
        QTest::addColumn<QString>("series");
        QTest::addColumn<QStringList>("names");
        QTest::newRow("two recipes share mnli: labels")
            << "boolq" << QStringList{"mnli"} << "pythia" << QStringList{"mnli (1 ep, 2e-6)", "mnli (3 ep, 2e-6)"};
        QTest::newRow("one mnli recipe plotted: ft task")
            << "mnli_matched" << QStringList{"mnli", "xsum"} << "" << QStringList{"mnli", "xsum"};
        QTest::newRow("two checkpoint series: prefixed")
            << "boolq" << QStringList{} << ""
            << QStringList{"olmo \u00b7 base", "pythia \u00b7 base", "pythia \u00b7 mnli (1 ep, 2e-6)",
                           "pythia \u00b7 mnli (3 ep, 2e-6)", "pythia \u00b7 xsum"};
        QTest::newRow("one series chosen: no prefix") << "boolq" << QStringList{"base"} << "olmo" << QStringList{"base"};
        QTest::newRow("unknown task") << "nosuchtask" << QStringList{} << "" << QStringList{};
    }
    void trajectoryNames()
    {
        QFETCH(QString, task);
        QFETCH(QStringList, ftTasks);
        QFETCH(QString, series);
        QFETCH(QStringList, names);
        QCOMPARE(namesOf(computeTrajectory(m_snapshot, selection(task, ftTasks, series)).series), names);
    }

    void trajectoryAcrossSeries()
    {
        const Trajectory t = computeTrajectory(m_snapshot, selection("boolq"));
        QCOMPARE(t.axis.checkpointIds, (QVector<RowId>{10, 11, 1, 2, 4, 3}));
        QCOMPARE(t.axis.labels.first(), QString("olmo \u00b7 500"));
        QCOMPARE(t.axis.labels.last(), QString("pythia \u00b7 main"));
        QCOMPARE(indexesOf(t.series[1].points), (QVector<int>{2, 3, 4, 5})); // pythia base
        QCOMPARE(indexesOf(t.series[2].points), (QVector<int>{3}));          // mnli (1 ep) at 2000
    }

    void change()
    {
        const ChangeResult c = computeChange(m_snapshot, selection("mnli_matched", {"mnli", "xsum"}));
        QCOMPARE(c.metric, QString("acc"));
        // "main" has a tuned value but no base: absent, so not on the axis either
        QCOMPARE(c.axis.checkpointIds, (QVector<RowId>{1, 2, 4}));
        QCOMPARE(namesOf(c.series), (QStringList{"mnli", "xsum"}));

        const ChangeSeries& mnli = c.series[0];
        QCOMPARE(mnli.recipeId, RowId(1));
        QVERIFY(mnli.trainedOnTask);
        QCOMPARE(checkpointsOf(mnli.points), (QVector<RowId>{1, 2, 4}));
        QCOMPARE(indexesOf(mnli.points), (QVector<int>{0, 1, 2}));
        const ChangePoint& p1 = mnli.points[0];
        QCOMPARE(p1.base, 0.40);
        QCOMPARE(p1.tuned, 0.70);
        QVERIFY(near(p1.change, 0.30));
        QVERIFY(near(p1.ratio, 0.75));
        QVERIFY(near(p1.stderr_, std::sqrt(0.01 * 0.01 + 0.03 * 0.03)));
        QVERIFY(near(p1.ratioStderr, std::sqrt(0.001) / 0.40));
        QCOMPARE(p1.modelRef, QString("ckpt1+r1"));
        const ChangePoint& p2 = mnli.points[1];
        QVERIFY(near(p2.ratio, 0.6));
        QVERIFY(std::isnan(p2.stderr_)); // tuned stderr unknown
        QVERIFY(std::isnan(p2.ratioStderr));
        const ChangePoint& p4 = mnli.points[2];
        QVERIFY(near(p4.change, 0.30));
        QVERIFY(std::isnan(p4.ratio)); // base == 0
        QVERIFY(near(p4.stderr_, std::sqrt(0.0005)));
        QVERIFY(std::isnan(p4.ratioStderr));

        const ChangeSeries& xsum = c.series[1];
        QVERIFY(!xsum.trainedOnTask);
        QCOMPARE(checkpointsOf(xsum.points), (QVector<RowId>{1}));
        QVERIFY(near(xsum.points[0].change, -0.05));
        QVERIFY(near(xsum.points[0].ratio, -0.125));
        QVERIFY(near(xsum.points[0].stderr_, std::sqrt(0.0002)));
    }

    void changeHasNoBaseSeries()
    {
        QVERIFY(computeChange(m_snapshot, selection("mnli_matched", {"base"})).series.isEmpty());
        QVERIFY(computeChange(m_snapshot, selection("nosuchtask")).series.isEmpty());
    }

    void isInDomain_data()
    {
        QTest::addColumn<QString>("ft");
        QTest::addColumn<QString>("eval");
        QTest::addColumn<bool>("expected");
        QTest::newRow("same task") << "mnli" << "mnli" << true;
        QTest::newRow("matched") << "mnli" << "mnli_matched" << true;
        QTest::newRow("mismatched") << "mnli" << "mnli_mismatched" << true;
        QTest::newRow("prefix + _") << "anli" << "anli_r1" << true;
        QTest::newRow("study pair xsum -> xlsum") << "xsum" << "xlsum" << true;
        QTest::newRow("xlsum subset") << "xsum" << "xlsum_english" << true;
        QTest::newRow("case-insensitive") << "MNLI" << "mnli_matched" << true;
        QTest::newRow("prefix without _") << "mnli" << "mnlix" << false;
        QTest::newRow("other task") << "mnli" << "boolq" << false;
        QTest::newRow("pairs are directed") << "xlsum" << "xsum" << false;
        QTest::newRow("eval is a prefix of ft") << "mnli_matched" << "mnli" << false;
        QTest::newRow("empty ft task") << "" << "boolq" << false;
    }
    void isInDomain()
    {
        QFETCH(QString, ft);
        QFETCH(QString, eval);
        QFETCH(bool, expected);
        QCOMPARE(ckptlab::isInDomain(ft, eval), expected);
    }

    void forgettingExcludesTrainedTask()
    {
        const QVector<ChangeSeries> mnli = computeForgetting(m_snapshot, 1, "default", 0);
        QCOMPARE(namesOf(mnli), (QStringList{"boolq", "xlsum"})); // not mnli_matched
        QCOMPARE(mnli[0].metric, QString("acc"));
        QCOMPARE(mnli[1].metric, QString("rouge_l"));
        QVERIFY(!mnli[0].trainedOnTask);
        QCOMPARE(checkpointsOf(mnli[0].points), (QVector<RowId>{1}));
        QVERIFY(near(mnli[0].points[0].change, -0.02));
        QCOMPARE(checkpointsOf(mnli[1].points), (QVector<RowId>{1, 2}));
        QVERIFY(near(mnli[1].points[1].change, -0.03));
        QCOMPARE(indexesOf(mnli[1].points), (QVector<int>{0, 1}));
        QCOMPARE(axisOf(m_snapshot, mnli).checkpointIds, (QVector<RowId>{1, 2}));

        const QVector<ChangeSeries> xsum = computeForgetting(m_snapshot, 3, "default", 0);
        QCOMPARE(namesOf(xsum), (QStringList{"boolq", "mnli_matched"})); // not xlsum
        QCOMPARE(checkpointsOf(xsum[0].points), (QVector<RowId>{1, 3}));
        QVERIFY(near(xsum[0].points[1].change, 0.05));
        QCOMPARE(indexesOf(xsum[0].points), (QVector<int>{0, 1}));

        QVERIFY(computeForgetting(m_snapshot, kBaseRecipe, "default", 0).isEmpty());
        QVERIFY(computeForgetting(m_snapshot, 1, "default", 5).isEmpty());
    }

    void sensitivity()
    {
        ResultSelection s = selection("boolq", {"base"}, "pythia");
        s.format = "ignored";
        const SensitivityResult r = computeSensitivity(m_snapshot, s);
        QCOMPARE(r.metric, QString("acc"));
        QCOMPARE(r.formats, (QStringList{"default", "inputoutput", "instruct"}));
        QCOMPARE(r.axis.checkpointIds, (QVector<RowId>{1, 2, 4, 3}));
        QCOMPARE(namesOf(r.series), (QStringList{"base"}));
        const QVector<SensitivityPoint>& pts = r.series[0].points;
        QCOMPARE(checkpointsOf(pts), (QVector<RowId>{1, 2, 4, 3}));

        // 0.5, 0.7, 0.6: deviations -0.1, 0.1, 0 -> sum of squares 0.02 / (3 - 1) -> std 0.1
        QCOMPARE(pts[0].formatCount, 3);
        QVERIFY(near(pts[0].mean, 0.6));
        QVERIFY(near(pts[0].stddev, 0.1));
        QVERIFY(near(pts[0].range, 0.2));
        QCOMPARE(pts[0].valuesByFormat,
                 (QVector<QPair<QString, double>>{{"default", 0.5}, {"inputoutput", 0.7}, {"instruct", 0.6}}));
        // one format: no spread to speak of
        QCOMPARE(pts[1].formatCount, 1);
        QVERIFY(std::isnan(pts[1].stddev));
        QCOMPARE(pts[1].range, 0.0);
        QCOMPARE(pts[1].mean, 0.55);
        // 0.60, 0.64 -> std 0.04 / sqrt(2)
        QCOMPARE(pts[2].formatCount, 2);
        QVERIFY(near(pts[2].mean, 0.62));
        QVERIFY(near(pts[2].stddev, 0.04 / std::sqrt(2.0)));
        QVERIFY(near(pts[2].range, 0.04));
        QCOMPARE(indexesOf(pts), (QVector<int>{0, 1, 2, 3}));
    }

    void sensitivityOnlyFormats()
    {
        const SensitivityResult r =
            computeSensitivity(m_snapshot, selection("boolq", {"base"}, "pythia"), {"instruct", "default"});
        QCOMPARE(r.formats, (QStringList{"instruct", "default"}));
        const SensitivityPoint& p = r.series[0].points[0];
        QCOMPARE(p.formatCount, 2);
        QCOMPARE(p.valuesByFormat, (QVector<QPair<QString, double>>{{"instruct", 0.6}, {"default", 0.5}}));
        QVERIFY(near(p.stddev, 0.1 / std::sqrt(2.0)));

        const SensitivityResult io = computeSensitivity(m_snapshot, selection("boolq", {"base"}, "pythia"), {"inputoutput"});
        QCOMPARE(io.axis.checkpointIds, (QVector<RowId>{1}));
        QCOMPARE(io.series[0].points.size(), 1);
        QVERIFY(std::isnan(io.series[0].points[0].stddev));
    }

    void sensitivityBaseAndTunedSideBySide()
    {
        const SensitivityResult r = computeSensitivity(m_snapshot, selection("boolq", {"base", "xsum"}, "pythia"));
        QCOMPARE(namesOf(r.series), (QStringList{"base", "xsum"}));
        QCOMPARE(checkpointsOf(r.series[1].points), (QVector<RowId>{1, 4, 3}));
        QCOMPARE(r.series[1].points[1].valuesByFormat, (QVector<QPair<QString, double>>{{"instruct", 0.66}}));
    }

    void formatTrajectories()
    {
        const Trajectory t = computeFormatTrajectories(m_snapshot, selection("boolq", {"base", "xsum"}, "pythia"));
        QCOMPARE(t.metric, QString("acc"));
        QCOMPARE(namesOf(t.series), (QStringList{"base \u00b7 default", "base \u00b7 inputoutput", "base \u00b7 instruct",
                                                 "xsum \u00b7 default", "xsum \u00b7 instruct"}));
        QCOMPARE(checkpointsOf(t.series[2].points), (QVector<RowId>{1, 4}));
        QCOMPARE(indexesOf(t.series[2].points), (QVector<int>{0, 2}));
        QCOMPARE(t.series[4].points.size(), 1);
        QCOMPARE(t.series[4].points[0].value, 0.66);
        QCOMPARE(t.series[4].points[0].index, 2);
    }

    void gainAllTasks()
    {
        ResultSelection s = selection("", {"xsum"}, "pythia");
        const QVector<GainPoint> g = computeGain(m_snapshot, s);
        QCOMPARE(g.size(), 4);
        const QStringList tasks{g[0].task, g[1].task, g[2].task, g[3].task};
        QCOMPARE(tasks, (QStringList{"boolq", "boolq", "mnli_matched", "xlsum"}));
        QCOMPARE(checkpointsOf(g), (QVector<RowId>{1, 3, 1, 1}));
        QCOMPARE(g[0].recipeName, QString("xsum"));
        QCOMPARE(g[0].base, 0.50);
        QVERIFY(near(g[0].change, -0.05));
        QCOMPARE(g[1].base, 0.65);
        QVERIFY(near(g[1].change, 0.05));
        QCOMPARE(g[1].checkpointLabel, QString("main"));
        QVERIFY(near(g[2].change, -0.05));
        QCOMPARE(g[3].metric, QString("rouge_l"));
        QVERIFY(near(g[3].change, 0.20));
    }

    void gainOneTask()
    {
        const QVector<GainPoint> g = computeGain(m_snapshot, selection("boolq"));
        QStringList recipes;
        for (const GainPoint& p : g)
            recipes << p.recipeName;
        QCOMPARE(recipes, (QStringList{"mnli (1 ep, 2e-6)", "mnli (3 ep, 2e-6)", "xsum", "xsum"}));
        QCOMPARE(checkpointsOf(g), (QVector<RowId>{2, 1, 1, 3}));
        QVERIFY(near(g[0].change, -0.03));
        QVERIFY(computeGain(m_snapshot, selection("boolq", {"base"})).isEmpty());
    }

    // 100 checkpoints x 6 models x 20 tasks x 3 formats x 2 shots x 3 metrics = 216,000 results
    void trajectoryOnALargeSnapshot()
    {
        SnapshotBuilder b;
        for (int c = 1; c <= 100; ++c)
            b.checkpoint(c, "pythia", QString::number(c * 1000), c * 1000);
        for (int r = 1; r <= 5; ++r)
            b.recipe(r, QStringLiteral("ft%1").arg(r), r, 1e-5);
        for (int t = 1; t <= 20; ++t)
            b.task(t, QStringLiteral("task%1").arg(t), "acc");
        const QStringList formats{"default", "instruct", "inputoutput"};
        const QStringList metrics{"acc", "acc_norm", "f1"};
        for (int c = 1; c <= 100; ++c)
            for (int r = 0; r <= 5; ++r)
                for (int t = 1; t <= 20; ++t)
                    for (const QString& f : formats)
                        for (int shots : {0, 5})
                            for (const QString& m : metrics)
                                b.result(c, r, QStringLiteral("task%1").arg(t), f, shots, m, c * 0.001 + r);
        const ResultSnapshot big = b.build();
        QCOMPARE(big.results.size(), 216000);

        // Speed is shown by bench/bench_results_scale, not asserted here.
        const Trajectory t = computeTrajectory(big, selection("task7"));
        QCOMPARE(t.series.size(), 6);
        QCOMPARE(t.series[5].points.size(), 100);
        QCOMPARE(t.series[5].points[99].value, 100 * 0.001 + 5);
    }
};

QTEST_GUILESS_MAIN(TestAnalysis)
#include "tst_analysis.moc"
