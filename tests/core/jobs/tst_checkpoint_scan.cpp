// Folder scanning: layouts, steps, series, header facts, statuses, and recording in a project.

#include "engine/safetensors/SafetensorsHeader.h"
#include "jobs/CheckpointScanner.h"
#include "project/Project.h"
#include "project/SnapshotLoader.h"

#include <QDir>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace ckptlab;

namespace {

const QString kModels = QStringLiteral(CKPTLAB_SHARED_DATA "/models");

void copyFile(const QString& from, const QString& to)
{
    QDir().mkpath(QFileInfo(to).absolutePath());
    QFile::remove(to);
    QVERIFY2(QFile::copy(from, to), qPrintable(from + " -> " + to));
    QFile::setPermissions(to, QFile::ReadOwner | QFile::WriteOwner);
}

void writeFile(const QString& path, const QByteArray& content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
}

void hfCheckpoint(const QString& folder, const QString& model = QStringLiteral("neox_tiny"))
{
    copyFile(kModels + "/" + model + "/config.json", folder + "/config.json");
    copyFile(kModels + "/" + model + "/model.safetensors", folder + "/model.safetensors");
}

qint64 referenceParameters(const QString& model)
{
    qint64 n = 0;
    for (const auto& t : engine::readSafetensorsHeader((kModels + "/" + model + "/model.safetensors").toStdString()).tensors)
        n += t.numel();
    return n;
}

const CheckpointInfo* byPath(const CheckpointScan& scan, const QString& suffix)
{
    for (const CheckpointInfo& c : scan.checkpoints)
        if (c.path.endsWith(suffix))
            return &c;
    return nullptr;
}

} // namespace

class TestCheckpointScan : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_root;

private slots:
    void initTestCase()
    {
        m_root = m_dir.filePath(QStringLiteral("runs"));
        const QString pythia = m_root + "/pythia-160m";
        hfCheckpoint(pythia + "/step1000");
        hfCheckpoint(pythia + "/step2000");
        hfCheckpoint(pythia + "/step143000");
        writeFile(pythia + "/tokenizer.json", "{}");
        copyFile(kModels + "/neox_tiny/config.json", pythia + "/step3000/config.json");
        writeFile(pythia + "/step3000/pytorch_model.bin", QByteArray("\x80\x02}q\x00.", 6));
        copyFile(kModels + "/neox_tiny/config.json", pythia + "/step4000/config.json");
        writeFile(pythia + "/step4000/model.safetensors", QByteArray("\xff\xff\x00\x00\x00\x00\x00\x00{}", 10));
        QDir().mkpath(pythia + "/logs");
        writeFile(m_root + "/OLMo-1B/step738000-tokens3095B/config.yaml", "model:\n  d_model: 2048\n");
        writeFile(m_root + "/OLMo-1B/step738000-tokens3095B/model.pt", "not read");
        // A sharded checkpoint whose index names a shard that is not there.
        const QString sharded = m_root + "/llama-run/checkpoint-1500";
        copyFile(kModels + "/llama_tiny_gqa/config.json", sharded + "/config.json");
        copyFile(kModels + "/llama_tiny_gqa/model.safetensors", sharded + "/model-00001-of-00002.safetensors");
        writeFile(sharded + "/model.safetensors.index.json",
                  R"({"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})");
        // A Trainer folder whose name says nothing: the step comes from trainer_state.json.
        hfCheckpoint(m_root + "/gpt2-ft/last", QStringLiteral("gpt2_tiny"));
        writeFile(m_root + "/gpt2-ft/last/trainer_state.json", R"({"global_step": 250, "epoch": 3.0})");
        // A model folder of its own: its final checkpoint.
        hfCheckpoint(m_root + "/my-model", QStringLiteral("llama_tiny_gqa"));
    }

    void findsEveryLayout()
    {
        const CheckpointScan scan = scanCheckpointFolders({m_root + "/pythia-160m"});
        QCOMPARE(scan.checkpoints.size(), 5);
        // Numeric order, not text order.
        QVERIFY(scan.checkpoints[0].path.endsWith("step1000"));
        QVERIFY(scan.checkpoints[4].path.endsWith("step143000"));
        const CheckpointInfo* ok = byPath(scan, "step2000");
        QVERIFY(ok);
        QCOMPARE(ok->series, QStringLiteral("pythia-160m"));
        QCOMPARE(ok->step.value_or(-1), 2000);
        QCOMPARE(ok->family, QStringLiteral("gpt_neox"));
        QCOMPARE(ok->dtype, QStringLiteral("F32"));
        QCOMPARE(ok->parameters.value_or(-1), referenceParameters("neox_tiny"));
        QCOMPARE(ok->status, checkpoint_status::ok());
        QVERIFY(ok->hasTokenizer);   // the tokenizer lives in the parent folder
        QVERIFY(ok->bytes.value_or(0) > 1000);

        const CheckpointInfo* pickle = byPath(scan, "step3000");
        QCOMPARE(pickle->status, checkpoint_status::needsConversion());
        QVERIFY(pickle->statusDetail.contains("safetensors"));

        const CheckpointInfo* broken = byPath(scan, "step4000");
        QCOMPARE(broken->status, checkpoint_status::broken());
        QVERIFY2(broken->statusDetail.contains("model.safetensors"), qPrintable(broken->statusDetail));

        QCOMPARE(scan.rejected.size(), 1);
        QVERIFY(scan.rejected[0].path.endsWith("logs"));
    }

    void readsOlmoTrainerAndShardedFolders()
    {
        const CheckpointScan scan = scanCheckpointFolders({m_root});
        const CheckpointInfo* olmo = byPath(scan, "step738000-tokens3095B");
        QVERIFY(olmo);
        QCOMPARE(olmo->series, QStringLiteral("OLMo-1B"));
        QCOMPARE(olmo->step.value_or(-1), 738000);
        QCOMPARE(olmo->tokens.value_or(0), 3.095e12);
        QCOMPARE(olmo->status, checkpoint_status::needsConversion());

        const CheckpointInfo* sharded = byPath(scan, "checkpoint-1500");
        QCOMPARE(sharded->step.value_or(-1), 1500);
        QCOMPARE(sharded->status, checkpoint_status::broken());
        QVERIFY2(sharded->statusDetail.contains("model-00002-of-00002.safetensors"), qPrintable(sharded->statusDetail));

        const CheckpointInfo* trainer = byPath(scan, "gpt2-ft/last");
        QCOMPARE(trainer->step.value_or(-1), 250);
        QCOMPARE(trainer->series, QStringLiteral("gpt2-ft"));
        QCOMPARE(trainer->family, QStringLiteral("gpt2"));

        const CheckpointInfo* own = byPath(scan, "my-model");
        QVERIFY(own->isFinal);
        QCOMPARE(own->series, QStringLiteral("my-model"));
        QCOMPARE(own->family, QStringLiteral("llama"));
    }

    void rejectsWhatIsNotACheckpoint()
    {
        const QString empty = m_dir.filePath("empty");
        QDir().mkpath(empty);
        const CheckpointScan scan = scanCheckpointFolders({empty, m_dir.filePath("nope"), kModels + "/neox_tiny/config.json"});
        QCOMPARE(scan.checkpoints.size(), 0);
        QCOMPARE(scan.rejected.size(), 3);
        QVERIFY(scan.rejected[0].reason.contains("not a checkpoint"));
        QVERIFY(scan.rejected[1].reason.contains("no such folder"));
        QVERIFY(scan.rejected[2].reason.contains("a file"));
    }

    void recordingIsIdempotentAndMissingFoldersShow()
    {
        auto project = Project::open(m_dir.filePath("scan.ckptlab"));
        QVERIFY(project.ok());
        const QString copy = m_dir.filePath("copy/pythia-160m");
        hfCheckpoint(copy + "/step1000");
        hfCheckpoint(copy + "/step5000");
        for (int pass = 0; pass < 2; ++pass) {
            const auto report = recordCheckpointScan(project.value(), scanCheckpointFolders({copy}));
            QVERIFY2(report.ok(), qPrintable(report.error()));
            QCOMPARE(report->recorded, 2);
            QSqlQuery q(project->database());
            QVERIFY(q.exec("SELECT count(*) FROM checkpoint") && q.next());
            QCOMPARE(q.value(0).toInt(), 2);
        }
        QVERIFY(QDir(copy + "/step5000").removeRecursively());
        const auto snapshot = loadSnapshot(project.value());
        QVERIFY(snapshot.ok());
        QCOMPARE(snapshot->checkpoints.size(), 2);   // never silently dropped
        QCOMPARE(snapshot->checkpoints[0].status, checkpoint_status::ok());
        QCOMPARE(snapshot->checkpoints[1].status, checkpoint_status::missing());
        QCOMPARE(snapshot->checkpoints[1].family, QStringLiteral("gpt_neox"));
    }

    void detectsCheckpointDrops()
    {
        QVERIFY(containsCheckpointFolders(m_root + "/pythia-160m"));
        QVERIFY(containsCheckpointFolders(m_root + "/pythia-160m/step1000"));
        QVERIFY(!containsCheckpointFolders(QStringLiteral(CKPTLAB_TEST_DATA "/ingest")));
    }
};

QTEST_GUILESS_MAIN(TestCheckpointScan)
#include "tst_checkpoint_scan.moc"
