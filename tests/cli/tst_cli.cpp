// Runs the real ckptlab-cli binary the way a user does and checks what it writes.

#include <QDir>
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

struct Run {
    int code = -1;
    QString out;
    QString err;
};

Run cli(const QStringList& arguments)
{
    QProcess p;
    p.start(QStringLiteral(CKPTLAB_CLI), arguments);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

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
