#include "project/Project.h"
#include "project/ProjectWriter.h"
#include "project/Schema.h"
#include "project/SnapshotLoader.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace ckptlab;

namespace {

QByteArray fileHash(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

WriteOutcome written(ProjectWriter& w, const NewResult& r)
{
    auto outcome = w.result(r);
    if (!outcome.ok())
        qFatal("write failed: %s", qPrintable(outcome.error()));
    return outcome.value();
}

int count(const Project& p, const QString& table)
{
    QSqlQuery q(p.database());
    if (!q.exec(QStringLiteral("SELECT count(*) FROM %1").arg(table)) || !q.next())
        return -1;
    return q.value(0).toInt();
}

CheckpointInfo numbered(const QString& series, qint64 step)
{
    CheckpointInfo c;
    c.series = series;
    c.step = step;
    c.label = QString::number(step);
    return c;
}

} // namespace

class TestProject : public QObject {
    Q_OBJECT
private slots:
    void createsSchemaWithWalAndForeignKeys()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.ckptlab"));
        auto project = Project::open(path);
        QVERIFY2(project.ok(), qPrintable(project.error()));
        QSqlQuery q(project->database());
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        QVERIFY(q.exec(QStringLiteral("PRAGMA foreign_keys")) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
        QCOMPARE(q.value(0).toInt(), schema::latestVersion());
        for (const char* table : {"checkpoint", "recipe", "model", "task", "prompt_format", "result", "prediction", "run"})
            QCOMPARE(count(project.value(), QLatin1String(table)), 0);
        QVERIFY(project->integrityOk());
        project->closeThreadConnection();

        // Reopening an up-to-date project works and changes nothing.
        auto again = Project::open(path, Project::Mode::OpenExisting);
        QVERIFY2(again.ok(), qPrintable(again.error()));
    }

    void refusesForeignFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("text file") << QByteArray("model_id,task\nx,y\n") << QStringLiteral("not a SQLite database");
        QTest::newRow("other sqlite") << QByteArray() << QStringLiteral("not a ckptlab project");
        QTest::newRow("newer ckptlab") << QByteArray("newer") << QStringLiteral("newer ckptlab");
    }

    void refusesForeignFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x.ckptlab"));
        if (content.isEmpty() || content == "newer") {
            // Make a real SQLite file: another program's, or a ckptlab project from the future.
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("maker"));
                db.setDatabaseName(path);
                QVERIFY(db.open());
                QSqlQuery q(db);
                if (content.isEmpty()) {
                    QVERIFY(q.exec(QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")));
                } else {
                    QVERIFY(q.exec(QStringLiteral("PRAGMA application_id = %1").arg(schema::kApplicationId)));
                    QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = %1").arg(schema::latestVersion() + 1)));
                }
                db.close();
            }
            QSqlDatabase::removeDatabase(QStringLiteral("maker"));
        } else {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        const QByteArray before = fileHash(path);
        auto project = Project::open(path, Project::Mode::OpenExisting);
        QVERIFY(!project.ok());
        QVERIFY2(project.error().contains(expected), qPrintable(project.error()));
        QVERIFY2(project.error().contains(path), "the message names the file");
        QCOMPARE(fileHash(path), before);
    }

    void missingFileIsAnErrorWhenOpening()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("nope.ckptlab"));
        auto project = Project::open(path, Project::Mode::OpenExisting);
        QVERIFY(!project.ok());
        QVERIFY(!QFile::exists(path));
    }

    void writerUpsertsAndRollsBack()
    {
        QTemporaryDir dir;
        auto project = Project::open(dir.filePath(QStringLiteral("p.ckptlab")));
        QVERIFY(project.ok());
        {
            ProjectWriter w(project->database());
            QVERIFY(w.begin().ok());
            const RowId ckpt = w.checkpoint(numbered(QStringLiteral("olmo1b"), 1000)).value();
            RecipeInfo recipe;
            recipe.ftTask = QStringLiteral("mnli");
            recipe.epochs = 3;
            recipe.learningRate = 2e-6;
            const RowId rec = w.recipe(recipe).value();
            QCOMPARE(w.recipe(recipe).value(), rec);
            NewResult r;
            r.checkpointId = ckpt;
            r.recipeId = rec;
            r.task = QStringLiteral("mnli_matched");
            r.shots = 4;
            r.metric = QStringLiteral("acc");
            r.value = 0.5;
            r.stderr_ = 0.01;
            r.source = QStringLiteral("test");
            QCOMPARE(written(w, r), WriteOutcome::Inserted);
            QCOMPARE(written(w, r), WriteOutcome::Unchanged);
            r.value = 0.6;
            QCOMPARE(written(w, r), WriteOutcome::Updated);
            r.recipeId = kBaseRecipe;
            QCOMPARE(written(w, r), WriteOutcome::Inserted);
            QVERIFY(w.commit().ok());
        }
        QCOMPARE(count(project.value(), QStringLiteral("result")), 2);
        QCOMPARE(count(project.value(), QStringLiteral("model")), 2);

        {
            ProjectWriter w(project->database());
            QVERIFY(w.begin().ok());
            const RowId ckpt = w.checkpoint(numbered(QStringLiteral("olmo1b"), 2000)).value();
            NewResult r;
            r.checkpointId = ckpt;
            r.task = QStringLiteral("rte");
            r.metric = QStringLiteral("acc");
            r.value = 0.1;
            QCOMPARE(written(w, r), WriteOutcome::Inserted);
            // destroyed without commit: nothing lands
        }
        QCOMPARE(count(project.value(), QStringLiteral("result")), 2);
        QCOMPARE(count(project.value(), QStringLiteral("checkpoint")), 1);
        QCOMPARE(count(project.value(), QStringLiteral("task")), 1);
    }

    void finalCheckpointLearnsItsStep()
    {
        QTemporaryDir dir;
        auto project = Project::open(dir.filePath(QStringLiteral("p.ckptlab")));
        QVERIFY(project.ok());
        ProjectWriter w(project->database());
        QVERIFY(w.begin().ok());
        CheckpointInfo final;
        final.series = QStringLiteral("olmo1b");
        final.label = QStringLiteral("main");
        final.isFinal = true;
        const RowId id = w.checkpoint(final).value();
        final.step = 750000;
        QCOMPARE(w.checkpoint(final).value(), id);
        w.checkpoint(numbered(QStringLiteral("olmo1b"), 738000));
        w.checkpoint(numbered(QStringLiteral("olmo1b"), 1000));
        QVERIFY(w.commit().ok());

        auto snapshot = loadSnapshot(project.value());
        QVERIFY2(snapshot.ok(), qPrintable(snapshot.error()));
        QCOMPARE(snapshot->checkpoints.size(), 3);
        QCOMPARE(snapshot->checkpoints[0].label, QStringLiteral("1000"));
        QCOMPARE(snapshot->checkpoints[1].label, QStringLiteral("738000"));
        QCOMPARE(snapshot->checkpoints[2].label, QStringLiteral("main"));
        QCOMPARE(snapshot->checkpoints[2].step.value_or(-1), 750000);
        QVERIFY(snapshot->checkpoints[2].isFinal);
    }

    void snapshotCarriesResults()
    {
        QTemporaryDir dir;
        auto project = Project::open(dir.filePath(QStringLiteral("p.ckptlab")));
        QVERIFY(project.ok());
        {
            ProjectWriter w(project->database());
            QVERIFY(w.begin().ok());
            const RowId ckpt = w.checkpoint(numbered(QStringLiteral("pythia-160m"), 143000)).value();
            QVERIFY(w.task(QStringLiteral("xsum"), QStringLiteral("rouge_l"), QStringLiteral("generation")).ok());
            NewResult r;
            r.checkpointId = ckpt;
            r.task = QStringLiteral("xsum");
            r.format = QStringLiteral("instruct");
            r.metric = QStringLiteral("rouge_l");
            r.value = 0.25;
            r.n = 500;
            r.modelRef = QStringLiteral("pythia-160m@step143000");
            { auto written = w.result(r); QVERIFY2(written.ok(), qPrintable(written.error())); }
            QVERIFY(w.commit().ok());
        }
        auto s = loadSnapshot(project.value());
        QVERIFY(s.ok());
        QCOMPARE(s->results.size(), 1);
        const ResultRow& row = s->results[0];
        QCOMPARE(row.value, 0.25);
        QVERIFY(!row.hasStderr());
        QCOMPARE(row.n, 500);
        QCOMPARE(row.recipeId, kBaseRecipe);
        QCOMPARE(s->task(row.taskId)->metric, QStringLiteral("rouge_l"));
        QCOMPARE(s->format(row.formatId)->name, QStringLiteral("instruct"));
        QCOMPARE(s->checkpoint(row.checkpointId)->series, QStringLiteral("pythia-160m"));
        QCOMPARE(s->recipeLabel(row.recipeId), QStringLiteral("base"));
    }

    void learningRatesReadAsWritten_data()
    {
        QTest::addColumn<double>("lr");
        QTest::addColumn<QString>("text");
        QTest::newRow("2e-6") << 2e-6 << QStringLiteral("2e-6");
        QTest::newRow("2e-7") << 2e-7 << QStringLiteral("2e-7");
        QTest::newRow("1.5e-5") << 1.5e-5 << QStringLiteral("1.5e-5");
        QTest::newRow("0.001") << 0.001 << QStringLiteral("0.001");
        QTest::newRow("3e-4") << 3e-4 << QStringLiteral("3e-4");
    }

    void learningRatesReadAsWritten()
    {
        QFETCH(double, lr);
        QFETCH(QString, text);
        QCOMPARE(formatLearningRate(lr), text);
    }
};

QTEST_GUILESS_MAIN(TestProject)
#include "tst_project.moc"
