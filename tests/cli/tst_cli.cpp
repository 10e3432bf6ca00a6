// Runs the real ckptlab-cli binary the way a user does and checks what it writes.

#include "../support/CliProcess.h"
#include "../support/TinyEvalSetup.h"

#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QHash>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

using Run = ckptlab::testing::CliRun;
using ckptlab::testing::cli;

const QString kTable = QStringLiteral(CKPTLAB_SHARED_DATA "/amuro-char/all_perf_table.csv");

// The table read independently of ckptlab (the rows are simple: no quoting), keyed by model id + eval name.
QHash<QString, QPair<QString, QString>> readTable()
{
    QHash<QString, QPair<QString, QString>> rows;
    QFile f(kTable);
    if (!f.open(QIODevice::ReadOnly))
        return rows;
    f.readLine();
    while (!f.atEnd()) {
        const QStringList cells = QString::fromUtf8(f.readLine()).trimmed().split(QLatin1Char(','));
        if (cells.size() >= 5)
            rows.insert(cells[1] + QLatin1Char('|') + cells[2], {cells[3], cells[4]});
    }
    return rows;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_project;

private slots:
    void initTestCase() { m_project = m_dir.filePath(QStringLiteral("p.ckptlab")); }

    void importReportsEveryRow()
    {
        const Run run = cli({QStringLiteral("import"), QStringLiteral("--project"), m_project, kTable});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("648 inserted")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("1 skipped")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("all_perf_table.csv:409")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("checkpoint-1000_4shots")), qPrintable(run.out));

        const Run again = cli({QStringLiteral("import"), QStringLiteral("--project"), m_project, kTable});
        QCOMPARE(again.code, 0);
        QVERIFY2(again.out.contains(QStringLiteral("0 inserted, 0 updated, 648 unchanged")), qPrintable(again.out));
    }

    void plotWritesTheTableValues()
    {
        const QString pdf = m_dir.filePath(QStringLiteral("f.pdf"));
        const QString csv = m_dir.filePath(QStringLiteral("f.csv"));
        const Run run = cli({QStringLiteral("plot"), QStringLiteral("--project"), m_project, QStringLiteral("trajectory"),
                             QStringLiteral("--task"), QStringLiteral("mnli_matched"), QStringLiteral("--shots"),
                             QStringLiteral("4"), QStringLiteral("--ft"), QStringLiteral("base,mnli"), QStringLiteral("--out"),
                             pdf, QStringLiteral("--data"), csv});
        QVERIFY2(run.code == 0, qPrintable(run.err));

        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        const QByteArray bytes = pdfFile.readAll();
        QVERIFY(bytes.startsWith("%PDF-"));
        QVERIFY2(!bytes.contains("/Subtype /Image"), "the figure is vector, not an embedded bitmap");

        const auto table = readTable();
        QFile points(csv);
        QVERIFY(points.open(QIODevice::ReadOnly));
        QStringList lines = QString::fromUtf8(points.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.takeFirst(), QStringLiteral("series,checkpoint,step,x,y,err"));
        QCOMPARE(lines.size(), 16);
        const QStringList checkpoints{"1000", "18000", "342000", "424000", "505000", "592000", "738000", "main"};
        QSet<QString> seen;
        for (const QString& line : lines) {
            const QStringList c = line.split(QLatin1Char(','));
            QCOMPARE(c.size(), 6);
            const QString series = c[0], checkpoint = c[1];
            QVERIFY(checkpoints.contains(checkpoint));
            QCOMPARE(c[3].toInt(), checkpoints.indexOf(checkpoint));
            QString id;
            if (series == QLatin1String("base"))
                id = checkpoint == QLatin1String("main") ? QStringLiteral("olmo1b_original_hf_4shots")
                                                         : QStringLiteral("olmo1b_checkpoint-%1_original_hf_4shots").arg(checkpoint);
            else if (series == QLatin1String("mnli"))
                id = checkpoint == QLatin1String("main") ? QStringLiteral("olmo1b_hf_main_mnli_3epoch_2e-6_4shots")
                                                         : QStringLiteral("olmo1b_hf_ckpt%1_mnli_3epoch_2e-6_4shots").arg(checkpoint);
            else
                QFAIL(qPrintable(QStringLiteral("unexpected series ") + series));
            const auto expected = table.value(id + QStringLiteral("|mnli_matched"));
            QVERIFY2(!expected.first.isEmpty(), qPrintable(id));
            QCOMPARE(c[4].toDouble(), expected.first.toDouble());
            QCOMPARE(c[5].toDouble(), expected.second.toDouble());
            QCOMPARE(c[2], checkpoint == QLatin1String("main") ? QString() : checkpoint);
            seen.insert(series + checkpoint);
        }
        QCOMPARE(seen.size(), 16);
    }

    void plotWritesPngAndSvg()
    {
        for (const char* suffix : {"png", "svg"}) {
            const QString out = m_dir.filePath(QStringLiteral("g.") + QLatin1String(suffix));
            const Run run = cli({QStringLiteral("plot"), QStringLiteral("--project"), m_project, QStringLiteral("change"),
                                 QStringLiteral("--task"), QStringLiteral("paws"), QStringLiteral("--shots"), QStringLiteral("4"),
                                 QStringLiteral("--style"), QStringLiteral("screen"), QStringLiteral("--out"), out});
            QVERIFY2(run.code == 0, qPrintable(run.err));
            QVERIFY(QFileInfo(out).size() > 1000);
        }
        QImage png(m_dir.filePath(QStringLiteral("g.png")));
        QVERIFY(!png.isNull());
    }

    void badArgumentsFailWithOneLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList{} << QStringLiteral("usage");
        QTest::newRow("unknown command") << QStringList{"frobnicate"} << QStringLiteral("unknown command");
        QTest::newRow("unknown task") << QStringList{"plot", "--project", "@P", "trajectory", "--task", "nope", "--out", "@D/x.pdf"}
                                      << QStringLiteral("no task \"nope\"");
        QTest::newRow("unknown ft") << QStringList{"plot", "--project", "@P", "trajectory", "--task", "rte", "--ft", "mnlii", "--out", "@D/x.pdf"}
                                    << QStringLiteral("unknown --ft mnlii");
        QTest::newRow("bad suffix") << QStringList{"plot", "--project", "@P", "trajectory", "--task", "rte", "--out", "@D/x.jpg"}
                                    << QStringLiteral(".png, .pdf or .svg");
        QTest::newRow("bad shots") << QStringList{"plot", "--project", "@P", "trajectory", "--task", "rte", "--shots", "x", "--out", "@D/x.pdf"}
                                   << QStringLiteral("--shots");
        QTest::newRow("missing project") << QStringList{"list", "--project", "@D/none.ckptlab", "tasks"} << QStringLiteral("no such file");
        QTest::newRow("unreadable file") << QStringList{"import", "--project", "@P", "@D/missing.csv"} << QStringLiteral("missing.csv");
        QTest::newRow("list what") << QStringList{"list", "--project", "@P", "things"} << QStringLiteral("checkpoints|tasks|recipes|results");
    }

    void badArgumentsFailWithOneLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        for (QString& a : arguments)
            a.replace(QStringLiteral("@P"), m_project).replace(QStringLiteral("@D"), m_dir.path());
        const Run run = cli(arguments);
        QVERIFY(run.code != 0);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("x.pdf"))));
    }

    void scanListsCheckpointsAndRejections()
    {
        const QString run = m_dir.filePath(QStringLiteral("runs/gpt2-small"));
        const QString model = QStringLiteral(CKPTLAB_SHARED_DATA "/models/gpt2_tiny");
        QDir().mkpath(run + "/step500");
        QVERIFY(QFile::copy(model + "/config.json", run + "/step500/config.json"));
        QVERIFY(QFile::copy(model + "/model.safetensors", run + "/step500/model.safetensors"));
        QDir().mkpath(run + "/notes");
        const Run scan = cli({QStringLiteral("scan"), QStringLiteral("--project"), m_project, run});
        QVERIFY2(scan.code == 0, qPrintable(scan.err));
        const QStringList lines = scan.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[0].startsWith(QStringLiteral("OK  gpt2-small  step 500  gpt2")), qPrintable(lines[0]));
        QVERIFY2(lines[1].startsWith(QStringLiteral("REJECTED")) && lines[1].contains(QStringLiteral("notes")), qPrintable(lines[1]));
        const Run list = cli({QStringLiteral("list"), QStringLiteral("--project"), m_project, QStringLiteral("checkpoints")});
        QVERIFY(list.out.contains(QStringLiteral("gpt2-small\t500\t500")));
    }

    void forwardReproducesTheReferenceLogits_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("gpt2") << QStringLiteral("gpt2_tiny");
        QTest::newRow("neox") << QStringLiteral("neox_tiny");
        QTest::newRow("llama gqa") << QStringLiteral("llama_tiny_gqa");
    }

    void forwardReproducesTheReferenceLogits()
    {
        QFETCH(QString, model);
        const QString dir = QStringLiteral(CKPTLAB_SHARED_DATA "/models/") + model;
        QFile idsFile(dir + "/ref/input_ids.json");
        QVERIFY(idsFile.open(QIODevice::ReadOnly));
        QStringList ids;
        for (const QJsonValue& v : QJsonDocument::fromJson(idsFile.readAll()).object().value("input_ids").toArray())
            ids << QString::number(v.toInteger());
        const QString out = m_dir.filePath(model + ".f32");
        const Run run = cli({QStringLiteral("forward"), dir, QStringLiteral("--ids"), ids.join(QLatin1Char(',')),
                             QStringLiteral("--out"), out});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("logits [%1, 512]").arg(ids.size())), qPrintable(run.out));
        QFile mine(out), reference(dir + "/ref/logits.f32");
        QVERIFY(mine.open(QIODevice::ReadOnly) && reference.open(QIODevice::ReadOnly));
        const QByteArray a = mine.readAll(), b = reference.readAll();
        QCOMPARE(a.size(), b.size());
        const auto* x = reinterpret_cast<const float*>(a.constData()); // little-endian host
        const auto* y = reinterpret_cast<const float*>(b.constData());
        double worst = 0;
        for (qsizetype i = 0; i < a.size() / 4; ++i)
            worst = std::max(worst, double(std::abs(x[i] - y[i])));
        QVERIFY2(worst < 1e-4, qPrintable(QString::number(worst)));
    }

    void inspectAndForwardExplainBadInput()
    {
        const Run inspect = cli({QStringLiteral("inspect"), QStringLiteral(CKPTLAB_SHARED_DATA "/models/neox_tiny")});
        QCOMPARE(inspect.code, 0);
        QVERIFY(inspect.out.contains(QStringLiteral("family      gpt_neox")));
        QVERIFY(inspect.out.contains(QStringLiteral("gpt_neox.layers.0.attention.query_key_value.weight")));
        const Run notACheckpoint = cli({QStringLiteral("inspect"), m_dir.path()});
        QVERIFY(notACheckpoint.code != 0);
        QVERIFY2(notACheckpoint.err.contains(QStringLiteral("not a checkpoint")), qPrintable(notACheckpoint.err));
        const Run outOfVocab = cli({QStringLiteral("forward"), QStringLiteral(CKPTLAB_SHARED_DATA "/models/neox_tiny"),
                                    QStringLiteral("--ids"), QStringLiteral("1,99999"), QStringLiteral("--out"),
                                    m_dir.filePath(QStringLiteral("bad.f32"))});
        QVERIFY(outOfVocab.code != 0);
        QVERIFY2(outOfVocab.err.contains(QStringLiteral("99999")), qPrintable(outOfVocab.err));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("bad.f32"))));
    }

    void tokenizeMatchesTheReferences_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("gpt2") << QStringLiteral("gpt2");
        QTest::newRow("neox20b") << QStringLiteral("neox20b");
    }

    void tokenizeMatchesTheReferences()
    {
        QFETCH(QString, name);
        const QString dir = QStringLiteral(CKPTLAB_SHARED_DATA "/tokenizers/") + name;
        QFile refFile(dir + "/ref_tokens.json");
        QVERIFY(refFile.open(QIODevice::ReadOnly));
        const QJsonArray cases = QJsonDocument::fromJson(refFile.readAll()).object().value("cases").toArray();
        QVERIFY(cases.size() > 20);
        QByteArray texts, ids;
        for (const QJsonValue& c : cases) {
            const QJsonObject o = c.toObject();
            texts += QJsonDocument(QJsonArray{o.value("text")}).toJson(QJsonDocument::Compact).mid(1).chopped(1) + '\n';
            ids += QJsonDocument(o.value("ids").toArray()).toJson(QJsonDocument::Compact) + '\n';
        }
        const Run encoded = cli({QStringLiteral("tokenize"), QStringLiteral("--tokenizer"), dir, QStringLiteral("--jsonl")}, texts);
        QVERIFY2(encoded.code == 0, qPrintable(encoded.err));
        const QStringList encodedLines = encoded.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        const Run decoded = cli({QStringLiteral("detokenize"), QStringLiteral("--tokenizer"), dir, QStringLiteral("--jsonl")}, ids);
        QVERIFY2(decoded.code == 0, qPrintable(decoded.err));
        const QStringList decodedLines = decoded.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(encodedLines.size(), cases.size());
        QCOMPARE(decodedLines.size(), cases.size());
        for (int i = 0; i < cases.size(); ++i) {
            const QJsonObject o = cases[i].toObject();
            QCOMPARE(QJsonDocument::fromJson(encodedLines[i].toUtf8()).array(), o.value("ids").toArray());
            const QJsonArray text = QJsonDocument::fromJson("[" + decodedLines[i].toUtf8() + "]").array();
            QCOMPARE(text.first().toString(), o.value("decoded").toString());
        }
        const Run bad = cli({QStringLiteral("tokenize"), QStringLiteral("--tokenizer"), dir, QStringLiteral("--jsonl")},
                            "\"fine\"\n[1,2]\n");
        QVERIFY(bad.code != 0);
        QVERIFY2(bad.err.contains(QStringLiteral("line 2")), qPrintable(bad.err));
    }

    void evalWritesResultsTheTrajectoryShows()
    {
        // Two checkpoints of a tiny GPT-NeoX with a byte-level tokenizer beside them.
        const QString run = ckptlab::testing::writeTinyRun(m_dir.filePath(QStringLiteral("evalrun")), {"100", "200"});
        const QString spec = ckptlab::testing::writeYesNoTask(m_dir.filePath(QStringLiteral("evalrun")));
        const QString project = m_dir.filePath(QStringLiteral("eval.ckptlab"));
        QCOMPARE(cli({QStringLiteral("scan"), QStringLiteral("--project"), project, run}).code, 0);
        const Run eval = cli({QStringLiteral("eval"), QStringLiteral("--project"), project, QStringLiteral("--task"), spec,
                              QStringLiteral("--formats"), QStringLiteral("default,instruct"), QStringLiteral("--shots"),
                              QStringLiteral("0,1")});
        QVERIFY2(eval.code == 0, qPrintable(eval.err + eval.out));
        QVERIFY2(eval.out.contains(QStringLiteral("8 evaluation(s) done")), qPrintable(eval.out));
        QVERIFY2(eval.out.contains(QStringLiteral("items/s")), qPrintable(eval.out));

        const QString csv = m_dir.filePath(QStringLiteral("eval.csv"));
        const Run plot = cli({QStringLiteral("plot"), QStringLiteral("--project"), project, QStringLiteral("trajectory"),
                              QStringLiteral("--task"), QStringLiteral("yesno"), QStringLiteral("--shots"), QStringLiteral("1"),
                              QStringLiteral("--out"), m_dir.filePath(QStringLiteral("eval.png")), QStringLiteral("--data"), csv});
        QVERIFY2(plot.code == 0, qPrintable(plot.err));
        QFile points(csv);
        QVERIFY(points.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(points.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3); // header + two checkpoints
        QVERIFY(lines[1].startsWith(QStringLiteral("base,100,100,0,")));
        QVERIFY(lines[2].startsWith(QStringLiteral("base,200,200,1,")));
        // Accuracy over four items: a multiple of 0.25.
        const double value = lines[1].split(QLatin1Char(','))[4].toDouble();
        QVERIFY(value >= 0 && value <= 1 && qFuzzyCompare(value * 4 + 1, qRound(value * 4) + 1.0));

        // A data error names the file and line, and writes nothing.
        ckptlab::testing::writeTestFile(m_dir.filePath(QStringLiteral("evalrun/yesno.jsonl")), "{\"q\": \"ok\", \"label\": \"yes\"}\n{\"q\": \"bad\", \"label\": \"maybe\"}\n");
        const Run bad = cli({QStringLiteral("eval"), QStringLiteral("--project"), project, QStringLiteral("--task"), spec,
                             QStringLiteral("--shots"), QStringLiteral("2")});
        QVERIFY(bad.code != 0);
        QVERIFY2(bad.err.contains(QStringLiteral("yesno.jsonl")) && bad.err.contains(QStringLiteral("2")), qPrintable(bad.err));
        const Run list = cli({QStringLiteral("list"), QStringLiteral("--project"), project, QStringLiteral("results")});
        QVERIFY(!list.out.contains(QStringLiteral("\t2\tacc\t")));
    }

    void listPrintsJson()
    {
        const Run run = cli({QStringLiteral("list"), QStringLiteral("--project"), m_project, QStringLiteral("checkpoints"),
                             QStringLiteral("--json")});
        QCOMPARE(run.code, 0);
        QVERIFY(run.out.trimmed().startsWith(QLatin1Char('[')));
        QCOMPARE(run.out.count(QStringLiteral("\"series\": \"olmo1b\"")), 8);
        const Run tsv = cli({QStringLiteral("list"), QStringLiteral("--project"), m_project, QStringLiteral("recipes")});
        QCOMPARE(tsv.code, 0);
        QVERIFY(tsv.out.contains(QStringLiteral("mnli (3 ep, 2e-6)\tmnli\t3\t")));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
