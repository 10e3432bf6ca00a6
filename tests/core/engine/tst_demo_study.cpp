// The built-in demo study, made for real at a reduced size: every checkpoint folder and the
// tokenizer load, the tokenizer round-trips the tasks' text, pre-training lowers the held-out
// loss and makes the last checkpoint better than step 0 at the tasks, the tasks parse with three
// formats and disjoint splits, the recommended fine-tuning improves two tasks, the same seed gives
// byte-identical files, and cancellation or bad options leave nothing behind.

#include "engine/model/CausalLM.h"
#include "engine/demo/DemoStudy.h"
#include "engine/eval/EvalTokenizerCodec.h"
#include "engine/eval/Evaluator.h"
#include "engine/LoadedCheckpoint.h"
#include "engine/model/ModelLoader.h"
#include "engine/eval/TaskData.h"
#include "engine/eval/TaskSpec.h"
#include "engine/tokenizer/Tokenizer.h"
#include "engine/train/Trainer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <set>

using namespace ckptlab::engine;

namespace {

// Big enough for pre-training to show, small enough for a test: 40% of the demo's steps.
DemoStudyOptions reducedOptions()
{
    DemoStudyOptions o;
    o.checkpoints = 4;
    o.pretrainSteps = 320;
    o.trainExamples = 64;
    o.evalExamples = 32;
    return o;
}

// Seconds, not a study: only for files that must come out the same.
DemoStudyOptions tinyOptions(uint64_t seed)
{
    DemoStudyOptions o;
    o.seed = seed;
    o.checkpoints = 2;
    o.pretrainSteps = 4;
    o.batchSize = 4;
    o.sequenceLength = 32;
    o.vocabSize = 320;
    o.hiddenSize = 32;
    o.layers = 1;
    o.trainExamples = 8;
    o.evalExamples = 4;
    return o;
}

QByteArray fileBytes(const std::string& path)
{
    QFile f(QString::fromStdString(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Every file under `dir`, by relative path.
QStringList filesUnder(const QString& dir)
{
    QStringList out;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.toStdString())) {
        if (entry.is_regular_file())
            out << QDir(dir).relativeFilePath(QString::fromStdString(entry.path().string()));
    }
    out.sort();
    return out;
}

double primaryMetric(LoadedCheckpoint& evaluator, const std::string& specPath)
{
    return evaluator.evaluate(parseTaskSpec(specPath), EvalRequest{}).metrics.front().mean;
}

} // namespace

class TestDemoStudy : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    DemoStudyLayout m_layout;
    std::vector<DemoProgress> m_progress;

private slots:
    void initTestCase()
    {
        // One thread: the same numbers whatever the machine's cores (the margins below hold for
        // them), and no slowdown when other tests run beside this one (two threads spinning on a
        // core that another process holds run several times slower than one).
        qputenv("CKPTLAB_THREADS", "1");
        QVERIFY(m_dir.isValid());
        QElapsedTimer timer;
        timer.start();
        m_layout = writeDemoStudy((m_dir.path() + "/demo").toStdString(), reducedOptions(),
                                  [&](const DemoProgress& p) { m_progress.push_back(p); });
        qInfo("reduced demo study made in %.1f s: %lld parameters, vocabulary %lld", timer.elapsed() / 1000.0,
              static_cast<long long>(m_layout.parameters), static_cast<long long>(m_layout.vocabSize));
    }

    void checkpointStepsAreLogSpaced()
    {
        QCOMPARE(demoCheckpointSteps(800, 7), (std::vector<int64_t>{0, 25, 50, 100, 200, 400, 800}));
        QCOMPARE(demoCheckpointSteps(240, 4), (std::vector<int64_t>{0, 60, 120, 240}));
        QCOMPARE(demoCheckpointSteps(4, 5), (std::vector<int64_t>{0, 1, 2, 4}));
        QCOMPARE(m_layout.steps, (std::vector<int64_t>{0, 80, 160, 320}));
    }

    void layoutIsWhatItSays()
    {
        const QString root = m_dir.path() + "/demo";
        QCOMPARE(QString::fromStdString(m_layout.seriesDir), root + "/checkpoints/demo-neox");
        QCOMPARE(m_layout.checkpointDirs.size(), m_layout.steps.size());
        for (size_t i = 0; i < m_layout.steps.size(); ++i)
            QCOMPARE(QString::fromStdString(m_layout.checkpointDirs[i]),
                     root + "/checkpoints/demo-neox/step" + QString::number(m_layout.steps[i]));
        QCOMPARE(m_layout.taskSpecs.size(), size_t(4));
        for (const std::string& spec : m_layout.taskSpecs) {
            QVERIFY(QFileInfo(QString::fromStdString(spec)).isAbsolute());
            QVERIFY(QFileInfo::exists(QString::fromStdString(spec)));
        }
        QVERIFY(!QFileInfo::exists(root + "/.demo-study.partial"));
        QCOMPARE(m_layout.fineTune.effectiveBatch, 8);
    }

    void progressCoversEveryPhase()
    {
        std::vector<std::string> phases;
        for (const DemoProgress& p : m_progress) {
            if (phases.empty() || phases.back() != p.phase)
                phases.push_back(p.phase);
        }
        QCOMPARE(phases, (std::vector<std::string>{"corpus", "tokenizer", "pretraining", "tasks"}));
        int lastPretrainingStep = 0;
        for (const DemoProgress& p : m_progress) {
            if (p.phase == "pretraining") {
                QVERIFY(p.step >= lastPretrainingStep && p.totalSteps == 320);
                lastPretrainingStep = p.step;
            }
        }
        QCOMPARE(lastPretrainingStep, 320);
    }

    void everyCheckpointLoads()
    {
        for (const std::string& dir : m_layout.checkpointDirs) {
            const CausalLM model = loadCausalLM(dir);
            QCOMPARE(model->config().modelType, std::string("gpt_neox"));
            QCOMPARE(model->config().vocabSize, m_layout.vocabSize);
            QCOMPARE(parameterCount(model), m_layout.parameters);
        }
        QVERIFY(m_layout.parameters > 100000 && m_layout.parameters < 1000000);
    }

    void tokenizerRoundTripsTheText()
    {
        const Tokenizer tokenizer = Tokenizer::fromFile(m_layout.seriesDir);
        QCOMPARE(static_cast<int64_t>(tokenizer.vocabSize()), m_layout.vocabSize);
        QCOMPARE(tokenizer.vocabSize(), size_t(768));
        QVERIFY(tokenizer.eosId().has_value());
        QCOMPARE(*tokenizer.eosId(), m_layout.vocabSize - 1);
        for (const std::string& specPath : m_layout.taskSpecs) {
            const LoadedTask task = loadTask(parseTaskSpec(specPath), true);
            for (const TaskExample& example : task.train) {
                const std::string text = example.fields.dump();
                QCOMPARE(tokenizer.decode(tokenizer.encode(text)), text);
            }
        }
        const std::string sample = "the opposite of hot is cold.\nquestion: is 12 more than 7?\nanswer: yes";
        const std::vector<int64_t> ids = tokenizer.encode(sample);
        QVERIFY2(ids.size() * 3 < sample.size(), "the merges should pack about three characters into a token");
        QCOMPARE(tokenizer.decode(ids), sample);
    }

    void pretrainingLowersTheLoss()
    {
        const std::vector<double>& loss = m_layout.heldOutLoss;
        QCOMPARE(loss.size(), m_layout.steps.size());
        qInfo("held-out loss: %.3f (step 0) -> %.3f (step %lld)", loss.front(), loss.back(),
              static_cast<long long>(m_layout.steps.back()));
        QVERIFY(std::abs(loss.front() - std::log(static_cast<double>(m_layout.vocabSize))) < 0.5); // uniform at first
        for (size_t i = 1; i < loss.size(); ++i)
            QVERIFY2(loss[i] < loss[i - 1], qPrintable(QString("step %1").arg(m_layout.steps[i])));
        QVERIFY(loss.back() < loss.front() - 3.0);
    }

    void tasksParseWithThreeFormatsAndDisjointSplits()
    {
        std::set<std::string> kinds;
        for (const std::string& specPath : m_layout.taskSpecs) {
            const TaskSpec spec = parseTaskSpec(specPath);
            kinds.insert(taskKindName(spec.kind));
            QCOMPARE(spec.formatNames(), (std::vector<std::string>{"default", "inputoutput", "instruct"}));
            QCOMPARE(spec.defaultFormat, std::string("default"));
            const LoadedTask task = loadTask(spec, true);
            QCOMPARE(task.train.size(), size_t(64));
            QCOMPARE(task.eval.size(), size_t(32));
            std::set<std::string> train;
            for (const TaskExample& e : task.train)
                train.insert(e.fields.dump());
            QCOMPARE(train.size(), task.train.size());
            for (const TaskExample& e : task.eval)
                QVERIFY2(!train.count(e.fields.dump()), e.fields.dump().c_str());
        }
        QCOMPARE(kinds, (std::set<std::string>{"classification", "generation", "multiple_choice"}));
    }

    void lastCheckpointBeatsStepZero()
    {
        LoadedCheckpoint first(m_layout.checkpointDirs.front(), "fp32", "cpu");
        LoadedCheckpoint last(m_layout.checkpointDirs.back(), "fp32", "cpu");
        double firstTotal = 0.0, lastTotal = 0.0;
        int better = 0;
        for (const std::string& spec : m_layout.taskSpecs) {
            const double a = primaryMetric(first, spec), b = primaryMetric(last, spec);
            qInfo("%s: step 0 %.3f, last %.3f", QFileInfo(QString::fromStdString(spec)).baseName().toUtf8().constData(), a, b);
            firstTotal += a;
            lastTotal += b;
            better += b > a ? 1 : 0;
        }
        QVERIFY(better >= 3);
        QVERIFY(lastTotal > firstTotal + 0.8);
    }

    // On the tasks whose knowledge pre-training gave only in part (the creatures' colours and
    // number comparisons), fine-tuning the last checkpoint teaches the question format.
    void recommendedFineTuningImprovesTheTasks()
    {
        const TokenizerCodec codec(Tokenizer::fromFile(m_layout.seriesDir));
        double gain = 0.0;
        for (const std::string& specPath : {m_layout.taskSpecs[2], m_layout.taskSpecs[3]}) {
            const LoadedTask task = loadTask(parseTaskSpec(specPath), true);
            QVERIFY(task.spec.name == "colours" || task.spec.name == "compare");
            CausalLM model = loadCausalLM(m_layout.checkpointDirs.back());
            const double before = evaluate(model, codec, task, EvalRequest{}).metrics.front().mean;
            QElapsedTimer timer;
            timer.start();
            const TrainReport report = fineTune(model, buildTrainExamples(task, codec), m_layout.fineTune);
            const double after = evaluate(model, codec, task, EvalRequest{}).metrics.front().mean;
            qInfo("%s: %.3f -> %.3f after fine-tuning (%d steps, %.1f s)", task.spec.name.c_str(), before, after,
                  report.steps, timer.elapsed() / 1000.0);
            QCOMPARE(report.steps, 24); // 64 examples, batch 8, 3 epochs
            gain += after - before;
        }
        QVERIFY(gain > 0.2);
    }

    void sameSeedSameFiles()
    {
        const QString a = m_dir.path() + "/a", b = m_dir.path() + "/b", c = m_dir.path() + "/c";
        const DemoStudyLayout la = writeDemoStudy(a.toStdString(), tinyOptions(7));
        writeDemoStudy(b.toStdString(), tinyOptions(7));
        writeDemoStudy(c.toStdString(), tinyOptions(8));
        QCOMPARE(filesUnder(a), filesUnder(b));
        QVERIFY(filesUnder(a).contains("checkpoints/demo-neox/step4/model.safetensors"));
        for (const QString& file : filesUnder(a))
            QVERIFY2(fileBytes((a + "/" + file).toStdString()) == fileBytes((b + "/" + file).toStdString()), qPrintable(file));
        const std::string weights = "/checkpoints/demo-neox/step4/model.safetensors";
        QVERIFY(fileBytes(a.toStdString() + weights) != fileBytes(c.toStdString() + weights));
        QVERIFY(fileBytes(a.toStdString() + "/tasks/colours_eval.jsonl") != fileBytes(c.toStdString() + "/tasks/colours_eval.jsonl"));
        // Made again in the same place, it replaces the files it made.
        writeDemoStudy(a.toStdString(), tinyOptions(7));
        QCOMPARE(filesUnder(a), filesUnder(b));
        QCOMPARE(la.steps, (std::vector<int64_t>{0, 4}));
    }

    void cancellingLeavesNothing()
    {
        const QString root = m_dir.path() + "/cancelled";
        std::atomic<bool> cancel{false};
        bool cancelledInPretraining = false;
        QVERIFY_THROWS_EXCEPTION(DemoStudyCancelled, writeDemoStudy(root.toStdString(), tinyOptions(7), [&](const DemoProgress& p) {
            if (p.phase == "pretraining" && p.step == 1) {
                cancel = true;
                cancelledInPretraining = true;
            }
        }, &cancel));
        QVERIFY(cancelledInPretraining);
        QVERIFY(QDir(root).exists());
        QCOMPARE(QDir(root).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList());
    }

    void badOptionsAreRefused()
    {
        const std::string root = (m_dir.path() + "/bad").toStdString();
        DemoStudyOptions o = tinyOptions(1);
        o.checkpoints = 1;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writeDemoStudy(root, o));
        o = tinyOptions(1);
        o.trainExamples = 200;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writeDemoStudy(root, o));
        o = tinyOptions(1);
        o.hiddenSize = 30; // 4 heads of 7.5
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writeDemoStudy(root, o));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(root)));
    }
};

QTEST_GUILESS_MAIN(TestDemoStudy)
#include "tst_demo_study.moc"
