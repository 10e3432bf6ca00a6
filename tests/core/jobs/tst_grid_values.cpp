// The one rule for a grid's value lists (jobs/GridValues.h): the plan dialog, the CLI flags and
// plan files all accept and refuse the same values.

#include "jobs/GridValues.h"

#include <QJsonArray>
#include <QTest>

using namespace ckptlab;

Q_DECLARE_METATYPE(ckptlab::GridSetting)

class TestGridValues : public QObject {
    Q_OBJECT
private slots:
    void text_data()
    {
        QTest::addColumn<GridSetting>("setting");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected"); // values joined by ';', or "error"
        QTest::newRow("epochs list, duplicate dropped") << GridSetting::Epochs << "3, 5,3" << "3;5";
        QTest::newRow("epochs 0") << GridSetting::Epochs << "0" << "error";
        QTest::newRow("epochs fractional") << GridSetting::Epochs << "2.5" << "error";
        QTest::newRow("epochs word") << GridSetting::Epochs << "three" << "error";
        QTest::newRow("epochs empty") << GridSetting::Epochs << " , " << "error";
        QTest::newRow("lr list") << GridSetting::LearningRate << "2e-6, 1e-5" << "2e-06;1e-05";
        QTest::newRow("lr 0") << GridSetting::LearningRate << "0" << "error";
        QTest::newRow("lr 1.5") << GridSetting::LearningRate << "1.5" << "error";
        QTest::newRow("lr nan") << GridSetting::LearningRate << "nan" << "error";
        QTest::newRow("batch 8") << GridSetting::BatchSize << "8" << "8";
        QTest::newRow("batch -1") << GridSetting::BatchSize << "-1" << "error";
        QTest::newRow("max length 4") << GridSetting::MaxLength << "4" << "error";
        QTest::newRow("max length 64") << GridSetting::MaxLength << "64" << "64";
        QTest::newRow("max length huge") << GridSetting::MaxLength << "1e12" << "error";
        QTest::newRow("seed 0") << GridSetting::Seed << "0, 42" << "0;42";
        QTest::newRow("shots 0,4") << GridSetting::Shots << "0,4" << "0;4";
    }

    void text()
    {
        QFETCH(GridSetting, setting);
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QStringList got;
        QString error;
        if (setting == GridSetting::LearningRate) {
            const auto v = parseGridDoubles(setting, text);
            error = v.error();
            if (v)
                for (double x : v.value())
                    got << QString::number(x);
        } else {
            const auto v = parseGridInts(setting, text);
            error = v.error();
            if (v)
                for (int x : v.value())
                    got << QString::number(x);
        }
        if (expected == QLatin1String("error")) {
            QVERIFY2(!error.isEmpty(), qPrintable(got.join(';')));
            QVERIFY2(error.startsWith(gridSettingName(setting)), qPrintable(error));
        } else {
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(got.join(';'), expected);
        }
    }

    void json()
    {
        const QString where = QStringLiteral("plan.json: finetune.epochs");
        QCOMPARE(gridIntsFromJson(GridSetting::Epochs, QJsonValue(), {3}, where).value(), QVector<int>{3});
        QCOMPARE(gridIntsFromJson(GridSetting::Epochs, QJsonValue(2), {3}, where).value(), QVector<int>{2});
        QCOMPARE(gridIntsFromJson(GridSetting::Epochs, QJsonArray{1, 2, 1}, {3}, where).value(), (QVector<int>{1, 2}));
        const auto zero = gridIntsFromJson(GridSetting::Epochs, QJsonArray{1, 0}, {3}, where);
        QVERIFY(!zero);
        QVERIFY2(zero.error().startsWith(where) && zero.error().contains(QLatin1String("\"0\"")), qPrintable(zero.error()));
        const auto text = gridIntsFromJson(GridSetting::Epochs, QJsonArray{QStringLiteral("3")}, {3}, where);
        QVERIFY(!text);
        // The old plan-file reader read 2147483648 epochs as a negative number; now it is refused.
        QVERIFY(!gridIntsFromJson(GridSetting::Epochs, QJsonArray{2147483648.0}, {3}, where));
        QVERIFY(!gridIntsFromJson(GridSetting::Epochs, QJsonArray{}, {3}, where));
        QCOMPARE(gridDoublesFromJson(GridSetting::LearningRate, QJsonArray{1e-3}, {2e-6}, where).value(), QVector<double>{1e-3});
        QVERIFY(!gridDoublesFromJson(GridSetting::LearningRate, QJsonArray{2.0}, {2e-6}, where));
    }
};

QTEST_APPLESS_MAIN(TestGridValues)
#include "tst_grid_values.moc"
