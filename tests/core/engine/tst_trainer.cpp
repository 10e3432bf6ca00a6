// The fine-tuning trainer on a tiny random gpt_neox checkpoint with a byte-level codec:
// examples from a task's train split, completion-only loss against a hand-computed masked
// cross-entropy, the loss falling on a learnable toy set, seeds, the learning-rate schedule,
// gradient accumulation equal to one big batch, clipping, cancellation, resuming, truncation,
// progress.

#include "EvalTestSupport.h"

#include "engine/EngineError.h"
#include "engine/eval/TaskData.h"
#include "engine/eval/TaskSpec.h"
#include "engine/train/Trainer.h"
#include "engine/train/TrainerStep.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace ckptlab;
using namespace ckptlab::engine;
using nlohmann::json;

namespace {

std::vector<int64_t> bytes(const std::string& s) { return test::ByteCodec().encode(s); }

TrainExample example(const std::string& prompt, const std::string& completion)
{
    TrainExample e{bytes(prompt), bytes(completion)};
    e.completion.push_back(256);
    return e;
}

// A learnable toy set: the answer is a function of the prompt.
std::vector<TrainExample> toySet(int copies)
{
    std::vector<TrainExample> out;
    const char* prompts[] = {"a b", "cat sat", "x", "long prompt here"};
    const char* answers[] = {" yes", " no", " no", " yes"};
    for (int c = 0; c < copies; ++c)
        for (int i = 0; i < 4; ++i)
            out.push_back(example(prompts[i], answers[i]));
    return out;
}

std::vector<torch::Tensor> gradients(CausalLM& model)
{
    std::vector<torch::Tensor> out;
    for (const auto& p : model->parameters())
        out.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
    return out;
}

TrainConfig config(int epochs, int batch, double lr, double warmup = 0.03)
{
    TrainConfig c;
    c.epochs = epochs;
    c.effectiveBatch = batch;
    c.learningRate = lr;
    c.warmupRatio = warmup;
    return c;
}

double gradNorm(CausalLM& model)
{
    double s = 0.0;
    for (const auto& g : gradients(model))
        s += g.to(torch::kDouble).pow(2).sum().item<double>();
    return std::sqrt(s);
}

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_modelDir;

    CausalLM fresh() { return loadCausalLM(m_modelDir.toStdString()); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_modelDir = m_dir.path() + "/neox";
        test::writeAndLoadTinyModel(m_modelDir, "gpt_neox", 7);
    }

    void buildsExamplesFromTrainSplit()
    {
        const QString folder = m_dir.path() + "/task";
        test::writeTextFile(folder + "/eval.jsonl", test::jsonl({{{"q", "e"}, {"label", "yes"}}}));
        test::writeTextFile(folder + "/train.jsonl",
                            test::jsonl({{{"q", "is it"}, {"label", "yes"}}, {{"q", "no way"}, {"label", "no"}}}));
        test::writeTextFile(folder + "/spec.json", R"({"name": "yn", "kind": "classification", "fields": ["q"],
          "label_words": ["yes", "no"], "formats": {"default": "Q: {q} A: ", "other": "{q}?"},
          "eval": "eval.jsonl", "train": "train.jsonl"})");
        const TaskSpec spec = parseTaskSpec((folder + "/spec.json").toStdString());
        const test::ByteCodec codec;
        QVERIFY_THROWS_EXCEPTION(EngineError, buildTrainExamples(loadTask(spec, false), codec));
        const LoadedTask task = loadTask(spec, true);
        const auto examples = buildTrainExamples(task, codec);
        QCOMPARE(examples.size(), size_t(2));
        QCOMPARE(examples[1].prompt, bytes("Q: no way A: "));
        QCOMPARE(examples[1].completion, example("", "no").completion);
        QCOMPARE(buildTrainExamples(task, codec, "other")[0].prompt, bytes("is it?"));
        QCOMPARE(buildTrainExamples(task, test::ByteCodec(std::nullopt))[0].completion, bytes("yes"));
    }

    void lossOnCompletionOnly()
    {
        CausalLM model = fresh();
        const std::vector<TrainExample> set = {example("hello there", " ok"), example("hi", " a longer answer")};
        int64_t tokens = 0;
        const double loss = completionLossSum(model, {&set[0], &set[1]}, &tokens).item<double>();
        double expected = 0.0;
        int64_t count = 0;
        for (const TrainExample& e : set) { // one unpadded forward per sequence, masked by hand
            torch::NoGradGuard noGrad;
            std::vector<int64_t> ids = e.prompt;
            ids.insert(ids.end(), e.completion.begin(), e.completion.end());
            const auto logp = torch::log_softmax(
                model->forward(torch::tensor(ids, torch::kLong).unsqueeze(0))[0].to(torch::kDouble), -1);
            for (size_t j = e.prompt.size(); j < ids.size(); ++j, ++count)
                expected -= logp[static_cast<int64_t>(j - 1)][ids[j]].item<double>();
        }
        QCOMPARE(tokens, count);
        QVERIFY2(std::abs(loss - expected) < 1e-3 * std::abs(expected), qPrintable(QString::number(loss - expected)));
        // The prompt is not scored: the same tokens all in the completion give another loss.
        const TrainExample all{{}, [&] { auto v = set[0].prompt; v.insert(v.end(), set[0].completion.begin(), set[0].completion.end()); return v; }()};
        int64_t allTokens = 0;
        completionLossSum(model, {&all}, &allTokens);
        QCOMPARE(allTokens, static_cast<int64_t>(all.completion.size() - 1));
    }

    void lossDecreases()
    {
        CausalLM model = fresh();
        const TrainConfig c = config(8, 4, 3e-3, 0.0);
        const TrainReport r = fineTune(model, toySet(4), c);
        QVERIFY(r.steps == 32 && r.totalSteps == 32 && !r.cancelled);
        const double first = r.losses.front(), last = r.losses.back();
        qInfo("loss %.4f -> %.4f", first, last);
        QVERIFY2(last < 0.4 * first, qPrintable(QString("%1 -> %2").arg(first).arg(last)));
        QVERIFY(!model->is_training());
    }

    void seedsDecideOrderAndLosses()
    {
        TrainConfig c = config(2, 2, 1e-3);
        std::vector<TrainExample> set = toySet(1);
        set.push_back(example("zz top", " rock"));
        set.push_back(example("q", " w"));
        CausalLM a = fresh(), b = fresh(), d = fresh();
        const TrainReport ra = fineTune(a, set, c), rb = fineTune(b, set, c);
        QCOMPARE(ra.losses, rb.losses);
        QCOMPARE(epochOrder(6, 42, 0), epochOrder(6, 42, 0));
        QVERIFY(epochOrder(6, 42, 0) != epochOrder(6, 43, 0));
        QVERIFY(epochOrder(6, 42, 0) != epochOrder(6, 42, 1));
        c.seed = 43;
        const TrainReport rd = fineTune(d, set, c);
        QVERIFY(ra.losses != rd.losses);
    }

    void schedule()
    {
        QVERIFY(warmupSteps(100, 0.03) == 3 && warmupSteps(10, 0.03) == 1 && warmupSteps(10, 0.0) == 0);
        const double p = 2e-6;
        QCOMPARE(scheduledLearningRate(0, 100, 3, p), 0.0);
        QVERIFY(std::abs(scheduledLearningRate(1, 100, 3, p) - p / 3) < 1e-18);
        QCOMPARE(scheduledLearningRate(3, 100, 3, p), p);
        QVERIFY(std::abs(scheduledLearningRate(50, 100, 3, p) - p * 50.0 / 97.0) < 1e-18);
        QCOMPARE(scheduledLearningRate(100, 100, 3, p), 0.0);
        TrainConfig c;
        QVERIFY(c.epochs == 3 && c.learningRate == 2e-6 && c.effectiveBatch == 8 && c.warmupRatio == 0.03
                && c.weightDecay == 0.0 && c.maxLength == 2048); // the study's defaults
        QCOMPARE(plannedSteps(17, c), 9);
        // The trainer uses it: 8 examples, batch 2 -> 4 steps an epoch, 2 epochs, warm-up 2.
        c = config(2, 2, 1.0, 0.25);
        CausalLM model = fresh();
        const TrainReport r = fineTune(model, toySet(2), c);
        QCOMPARE(r.totalSteps, 8);
        const std::vector<double> expected = {0.0, 0.5, 1.0, 5.0 / 6, 4.0 / 6, 3.0 / 6, 2.0 / 6, 1.0 / 6};
        QCOMPARE(r.learningRates.size(), expected.size());
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(std::abs(r.learningRates[i] - expected[i]) < 1e-12, qPrintable(QString::number(i)));
    }

    void accumulationEqualsOneBatch()
    {
        const std::vector<TrainExample> set = {example("a", " one"), example("a much longer prompt", " b"),
                                               example("mid size", " three four"), example("", " z")};
        const std::vector<const TrainExample*> batch = {&set[0], &set[1], &set[2], &set[3]};
        CausalLM model = fresh();
        const StepGradients big = accumulateStepGradients(model, batch, 4);
        const auto g4 = gradients(model);
        model->zero_grad();
        const StepGradients small = accumulateStepGradients(model, batch, 1);
        const auto g1 = gradients(model);
        QVERIFY(std::abs(big.loss - small.loss) < 1e-5);
        QCOMPARE(big.lossTokens, small.lossTokens);
        for (size_t i = 0; i < g1.size(); ++i)
            QVERIFY2(torch::allclose(g1[i], g4[i], 1e-4, 1e-6), qPrintable(QString::number(i)));
        model->zero_grad();
        accumulateStepGradients(model, {&set[0]}, 1); // one example alone gives another gradient
        QVERIFY(!torch::allclose(gradients(model)[0], g4[0], 1e-3, 1e-6));
        // The first update of fineTune: micro-batch 1 x 4 == micro-batch 4.
        TrainConfig c = config(1, 4, 1e-3, 0.0);
        c.maxSteps = 1;
        CausalLM a = fresh(), b = fresh();
        c.microBatch = 4;
        const TrainReport ra = fineTune(a, set, c);
        c.microBatch = 1;
        const TrainReport rb = fineTune(b, set, c);
        QCOMPARE(ra.steps, 1);
        QVERIFY(std::abs(ra.losses[0] - rb.losses[0]) < 1e-5);
        QVERIFY(std::abs(ra.gradNorms[0] - rb.gradNorms[0]) < 1e-4 * ra.gradNorms[0]);
        const auto pa = a->parameters(), pb = b->parameters();
        // Adam's first update is about lr x sign(g): compared where g is above rounding noise
        // (a key bias has a true gradient of 0, and its noise may take either sign).
        for (size_t i = 0; i < pa.size(); ++i) {
            const auto mask = g4[i].abs() > 1e-6;
            QVERIFY2(torch::allclose(pa[i].masked_select(mask), pb[i].masked_select(mask), 1e-5, 1e-7),
                     qPrintable(QString::number(i)));
        }
    }

    // Recomputing each layer in backward gives the gradients of the plain backward, and the
    // same training run.
    void gradientCheckpointingGivesSameGradients()
    {
        const std::vector<TrainExample> set = {example("a", " one"), example("a much longer prompt", " b"),
                                               example("mid size", " three four")};
        const std::vector<const TrainExample*> batch = {&set[0], &set[1], &set[2]};
        CausalLM model = fresh();
        model->train();
        const StepGradients plain = accumulateStepGradients(model, batch, 3);
        const auto expected = gradients(model);
        model->zero_grad();
        model->setGradientCheckpointing(true);
        const StepGradients checkpointed = accumulateStepGradients(model, batch, 3);
        const auto got = gradients(model);
        QVERIFY(std::abs(plain.loss - checkpointed.loss) < 1e-6);
        QVERIFY(gradNorm(model) > 0);
        for (size_t i = 0; i < got.size(); ++i)
            QVERIFY2(torch::allclose(got[i], expected[i], 1e-4, 1e-6), qPrintable(QString::number(i)));

        TrainConfig c = config(2, 2, 3e-3);
        CausalLM a = fresh(), b = fresh();
        const TrainReport ra = fineTune(a, set, c);
        c.gradientCheckpointing = true;
        const TrainReport rb = fineTune(b, set, c);
        QCOMPARE(ra.losses.size(), rb.losses.size());
        for (size_t i = 0; i < ra.losses.size(); ++i)
            QVERIFY(std::abs(ra.losses[i] - rb.losses[i]) < 1e-4 * std::max(1.0, ra.losses[i]));
        QVERIFY(!b->gradientCheckpointing()); // fineTune leaves the model as it found it
    }

    void outOfMemoryHalvesMicroBatch()
    {
        const auto set = toySet(1);
        const std::vector<const TrainExample*> batch = {&set[0], &set[1], &set[2], &set[3]};
        CausalLM model = fresh();
        accumulateStepGradients(model, batch, 1);
        const auto expected = gradients(model);
        model->zero_grad();
        std::vector<int> tried;
        const MicroStepRunner failAbove1 = [&](CausalLM& m, const std::vector<const TrainExample*>& b, int micro) {
            tried.push_back(micro);
            if (micro > 1) {
                accumulateStepGradients(m, {b[0]}, 1); // partial gradients, then out of memory
                throw std::bad_alloc();
            }
            return accumulateStepGradients(m, b, micro);
        };
        int micro = 4, retries = 0;
        runStepWithBackoff(model, batch, &micro, &retries, failAbove1);
        QCOMPARE(tried, (std::vector<int>{4, 2, 1}));
        QVERIFY(micro == 1 && retries == 2);
        const auto got = gradients(model);
        for (size_t i = 0; i < got.size(); ++i)
            QVERIFY(torch::allclose(got[i], expected[i], 1e-5, 1e-7));
        using Batch = std::vector<const TrainExample*>;
        const MicroStepRunner alwaysOom = [](CausalLM&, const Batch&, int) -> StepGradients { throw std::bad_alloc(); };
        micro = 2, retries = 0;
        QVERIFY_THROWS_EXCEPTION(std::bad_alloc, runStepWithBackoff(model, batch, &micro, &retries, alwaysOom));
        QCOMPARE(retries, 1);
        const MicroStepRunner otherError = [](CausalLM&, const Batch&, int) -> StepGradients { throw std::runtime_error("x"); };
        micro = 4, retries = 0;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, runStepWithBackoff(model, batch, &micro, &retries, otherError));
        QVERIFY(micro == 4 && retries == 0);
        TrainConfig c = config(1, 4, 1e-3);
        c.microBatch = 3;
        const TrainReport r = fineTune(model, set, c);
        QVERIFY(r.outOfMemoryRetries == 0 && r.finalMicroBatch == 3);
    }

    void clippingBoundsGlobalNorm()
    {
        CausalLM model = fresh();
        const auto set = toySet(1);
        accumulateStepGradients(model, {&set[0], &set[1], &set[2], &set[3]}, 2);
        const double before = gradNorm(model);
        const auto g = gradients(model);
        QVERIFY(before > 0.05);
        QVERIFY(std::abs(clipGradients(model, 0.0) - before) < 1e-5 * before); // no clipping
        QVERIFY(std::abs(gradNorm(model) - before) < 1e-9 * before);
        QVERIFY(std::abs(clipGradients(model, 0.05) - before) < 1e-5 * before);
        QVERIFY(gradNorm(model) <= 0.05 * (1 + 1e-5) && gradNorm(model) > 0.049);
        QVERIFY(torch::allclose(gradients(model)[0] * (before / 0.05), g[0], 1e-3, 1e-7)); // same direction
    }

    void cancellationAndProgress()
    {
        CausalLM model = fresh();
        const TrainConfig c = config(2, 2, 2e-6);
        std::atomic<bool> cancel{false};
        std::vector<TrainProgress> seen;
        const TrainReport r = fineTune(model, toySet(2), c, [&](const TrainProgress& p) {
            seen.push_back(p);
            if (p.step == 3)
                cancel = true;
        }, &cancel);
        QVERIFY(r.cancelled && r.steps == 3);
        QVERIFY(r.losses.size() == 3 && seen.size() == 3);
        QVERIFY(seen[2].step == 3 && seen[2].totalSteps == 8 && seen[2].epoch == 1);
        QVERIFY(seen[2].tokensPerSecond > 0 && seen[2].etaSeconds >= 0 && seen[2].loss > 0);
        cancel = true;
        const TrainReport none = fineTune(model, toySet(1), c, {}, &cancel);
        QVERIFY(none.cancelled && none.steps == 0);
    }

    // An interrupted run resumed from its saved state ends exactly where an uninterrupted run
    // ends: same losses at every step, same weights.
    void resumeAfterInterruption()
    {
        TrainConfig c = config(3, 2, 3e-3);
        c.weightDecay = 0.01;
        const std::vector<TrainExample> set = toySet(2); // 4 steps per epoch, 12 in all
        CausalLM whole = fresh();
        const TrainReport full = fineTune(whole, set, c);

        c.statePath = (m_dir.path() + "/resume.pt").toStdString();
        std::atomic<bool> cancel{false};
        CausalLM first = fresh();
        const TrainReport stopped = fineTune(first, set, c, [&](const TrainProgress& p) {
            if (p.step == 5)
                cancel = true;
        }, &cancel);
        QVERIFY(stopped.cancelled && stopped.steps == 5);
        QVERIFY(QFile::exists(QString::fromStdString(c.statePath)));

        CausalLM second = fresh(); // as after a restart: the base weights, then the saved state
        const TrainReport resumed = fineTune(second, set, c);
        QCOMPARE(resumed.resumedFromStep, 5);
        QVERIFY(!resumed.cancelled && resumed.steps == 12);
        QCOMPARE(int(resumed.losses.size()), 12);
        for (int i = 0; i < 12; ++i)
            QVERIFY2(std::abs(resumed.losses[i] - full.losses[i]) <= 1e-6 * std::max(1.0, full.losses[i]),
                     qPrintable(QString("step %1: %2 vs %3").arg(i + 1).arg(resumed.losses[i]).arg(full.losses[i])));
        const auto a = whole->parameters(), b = second->parameters();
        for (size_t i = 0; i < a.size(); ++i)
            QVERIFY(torch::allclose(a[i], b[i], 1e-5, 1e-6));

        // A state saved for other settings is refused, not silently mixed in.
        c.learningRate = 1e-3;
        CausalLM other = fresh();
        QVERIFY_THROWS_EXCEPTION(EngineError, fineTune(other, set, c));
    }

    void truncation()
    {
        bool cut = false;
        const TrainExample fitted = fitToLength(example("0123456789", "ab"), 6, &cut); // 13 tokens
        QVERIFY(cut && fitted.prompt == bytes("789") && fitted.completion == example("", "ab").completion);
        const TrainExample tail = fitToLength(example("01", "abcdefgh"), 5, &cut);
        QVERIFY(cut && tail.prompt.empty());
        QCOMPARE(tail.completion, bytes("abcde"));
        fitToLength(example("01", "ab"), 5, &cut);
        QVERIFY(!cut);
        CausalLM model = fresh();
        TrainConfig c = config(1, 8, 2e-6);
        c.maxLength = 8;
        const TrainReport r = fineTune(model, toySet(1), c); // "cat sat no" and "long prompt here yes" cut
        QCOMPARE(r.truncated, 2);
        c.maxLength = 100000; // clamped to the model's 512 positions
        QCOMPARE(fineTune(model, {example(std::string(600, 'x'), " y")}, c).truncated, 1);
    }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
