#include "ingest/CsvReader.h"

#include <QTest>

using namespace ckptlab;

using Records = QVector<QStringList>;
Q_DECLARE_METATYPE(Records)

class TestCsvReader : public QObject {
    Q_OBJECT
private slots:
    void readsRecords_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QChar>("delimiter");
        QTest::addColumn<Records>("records");
        QTest::addColumn<QList<int>>("lines");
        const QChar comma(QLatin1Char(','));
        QTest::newRow("plain") << QByteArray("a,b\n1,2\n") << comma << Records{{"a", "b"}, {"1", "2"}} << QList<int>{1, 2};
        QTest::newRow("no final newline") << QByteArray("a,b\n1,2") << comma << Records{{"a", "b"}, {"1", "2"}}
                                          << QList<int>{1, 2};
        QTest::newRow("crlf") << QByteArray("a,b\r\n1,2\r\n") << comma << Records{{"a", "b"}, {"1", "2"}}
                              << QList<int>{1, 2};
        QTest::newRow("bom") << QByteArray("\xEF\xBB\xBF,x\n0,1\n") << comma << Records{{"", "x"}, {"0", "1"}}
                             << QList<int>{1, 2};
        QTest::newRow("quoted comma") << QByteArray("\"a,b\",c\n") << comma << Records{{"a,b", "c"}} << QList<int>{1};
        QTest::newRow("doubled quote") << QByteArray("\"say \"\"hi\"\"\",x\n") << comma
                                       << Records{{"say \"hi\"", "x"}} << QList<int>{1};
        QTest::newRow("line break in quotes") << QByteArray("h\n\"two\nlines\",x\nnext\n") << comma
                                              << Records{{"h"}, {"two\nlines", "x"}, {"next"}} << QList<int>{1, 2, 4};
        QTest::newRow("blank lines skipped") << QByteArray("h\n\n1\n") << comma << Records{{"h"}, {"1"}}
                                             << QList<int>{1, 3};
        QTest::newRow("empty fields") << QByteArray(",,\n") << comma << Records{{"", "", ""}} << QList<int>{1};
        QTest::newRow("tab") << QByteArray("a\tb,c\n") << QChar(QLatin1Char('\t')) << Records{{"a", "b,c"}}
                             << QList<int>{1};
        QTest::newRow("utf-8") << QByteArray("m\xC3\xBC,\xE2\x82\xAC\n") << comma
                               << Records{{QStringLiteral("m\u00fc"), QStringLiteral("\u20ac")}} << QList<int>{1};
    }
    void readsRecords()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QChar, delimiter);
        QFETCH(Records, records);
        QFETCH(QList<int>, lines);
        const auto parsed = parseCsv(bytes, QStringLiteral("t.csv"), delimiter);
        QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
        QCOMPARE(parsed->size(), records.size());
        for (int i = 0; i < records.size(); ++i) {
            QCOMPARE(parsed.value()[i].fields, records[i]);
            QCOMPARE(parsed.value()[i].line, lines[i]);
        }
    }

    void unclosedQuoteNamesItsLine()
    {
        const auto parsed = parseCsv(QByteArray("a,b\n1,2\n3,\"oops\n4,5\n"), QStringLiteral("t.csv"));
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().startsWith(QLatin1String("t.csv:3:")), qPrintable(parsed.error()));
    }

    void refusesInvalidUtf8()
    {
        const auto parsed = parseCsv(QByteArray("a,\xFF\xFE\n"), QStringLiteral("t.csv"));
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().contains(QLatin1String("UTF-8")), qPrintable(parsed.error()));
    }
};

QTEST_GUILESS_MAIN(TestCsvReader)
#include "tst_csv_reader.moc"
