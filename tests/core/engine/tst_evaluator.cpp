// The evaluator end to end on tiny random checkpoints (written by the engine's writer) with a
// byte-level codec, checked against plain unbatched references: restricted next-token and
// full-label classification, multiple choice (acc, acc_norm), greedy generation with the KV
// cache equal to decoding without one, padding invariance (left, right, chunked, batch sizes),
// stops, out-of-memory back-off, cancellation, progress, and bad data evaluating nothing.

#include "EvalTestSupport.h"

#include "engine/eval/BatchRunner.h"
#include "engine/eval/EvalGeneration.h"
#include "engine/eval/EvalHash.h"
#include "engine/eval/EvalKinds.h"
#include "engine/eval/EvalScoring.h"
#include "engine/eval/EvalTokenizerCodec.h"
#include "engine/eval/Evaluator.h"
#include "engine/eval/MetricText.h"

#include <QTemporaryDir>
#include <QTest>

#include <c10/util/Exception.h>

#include <cmath>

using namespace ckptlab;
using namespace ckptlab::engine;
using nlohmann::json;

namespace {

// Batched, padded or chunked float32 arithmetic differs from one plain forward by rounding.
constexpr double kTolerance = 1e-4;

std::vector<int64_t> bytes(const std::string& s)
{
    return test::ByteCodec().encode(s);
}

std::vector<json> yesNoRecords()
{
    std::vector<json> out;
    const char* questions[] = {"is it", "are the cats asleep", "x", "will it rain on the longest day of the year",
                               "ok", "did the committee approve it", "sure"};
    for (int i = 0; i < 7; ++i)
        out.push_back({{"q", questions[i]}, {"label", i % 2 ? "no" : "yes"}});
    return out;
}

const char* kYesNoSpec = R"({"name": "yesno", "kind": "classification", "fields": ["q"],
  "label_words": ["yes", "no"], "formats": {"default": "Q: {q} A: "}, "eval": "eval.jsonl", "train": "train.jsonl"})";

const char* kChoiceSpec = R"({"name": "mc", "kind": "multiple_choice", "fields": ["q", "options"],
  "choices_field": "options", "answer_field": "answer", "formats": {"default": "Q: {q}\nA:"}, "eval": "eval.jsonl"})";

const char* kGenSpec = R"({"name": "gen", "kind": "generation", "fields": ["doc"], "target_field": "ref",
  "metric": "f1", "formats": {"default": "{doc} =>"}, "eval": "eval.jsonl"})";

} // namespace

class TestEvaluator : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    CausalLM m_neox{nullptr};
    CausalLM m_gpt2{nullptr};
    test::ByteCodec m_codec;

    CausalLM& model(const QString& family) { return family == "gpt2" ? m_gpt2 : m_neox; }

    TaskSpec writeTask(const QString& name, const char* specText, const std::vector<json>& eval,
                       const std::vector<json>& train = {})
    {
        const QString folder = m_dir.path() + "/" + name;
        test::writeTextFile(folder + "/eval.jsonl", test::jsonl(eval));
        if (!train.empty())
            test::writeTextFile(folder + "/train.jsonl", test::jsonl(train));
        test::writeTextFile(folder + "/spec.json", specText);
        return parseTaskSpec((folder + "/spec.json").toStdString());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_neox = test::writeAndLoadTinyModel(m_dir.path() + "/neox", "gpt_neox", 3);
        m_gpt2 = test::writeAndLoadTinyModel(m_dir.path() + "/gpt2", "gpt2", 4);
    }

    void classificationNextToken_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<bool>("left");
        QTest::newRow("neox left") << "neox" << true;
        QTest::newRow("neox right") << "neox" << false;
        QTest::newRow("gpt2 left") << "gpt2" << true;
    }
    void classificationNextToken()
    {
        QFETCH(QString, family);
        QFETCH(bool, left);
        const TaskSpec spec = writeTask("yesno", kYesNoSpec, yesNoRecords());
        EvalRequest request;
        request.shots = 1;
        request.batchSize = 3;
        request.padding = left ? PaddingSide::Left : PaddingSide::Right;
        const EvalResult result = evaluate(model(family), m_codec, spec, request);
        QCOMPARE(result.predictions.size(), size_t(7));
        QCOMPARE(result.scoring, std::string("next_token"));
        QCOMPARE(result.metrics.size(), size_t(1));
        QCOMPARE(result.metrics[0].name, std::string("acc"));
        QCOMPARE(result.demonstrationLines, std::vector<int64_t>{1});
        const std::string prefix = "Q: is it A: yes\n";
        double sum = 0;
        for (size_t i = 0; i < 7; ++i) {
            const EvalPrediction& p = result.predictions[i];
            const std::string prompt = prefix + "Q: " + yesNoRecords()[i]["q"].get<std::string>() + " A: ";
            QCOMPARE(p.index, int64_t(i));
            QCOMPARE(p.line, int64_t(i + 1));
            QCOMPARE(p.promptHash, sha256Hex(prompt));
            // Reference: the logits after the prompt at 'y' and 'n' (" yes" and " no" share their
            // first token, a space, so it counts for neither).
            const torch::Tensor logits = test::referenceNextLogits(model(family), bytes(prompt));
            const double y = logits['y'].item<double>(), n = logits['n'].item<double>();
            const std::string expected = y >= n ? "yes" : "no";
            QCOMPARE(p.output, expected);
            QCOMPARE(p.target, yesNoRecords()[i]["label"].get<std::string>());
            const double restricted = std::max(y, n) - std::log(std::exp(y) + std::exp(n));
            QVERIFY2(std::abs(p.logProb - restricted) < kTolerance, qPrintable(QString::number(p.logProb - restricted)));
            QCOMPARE(p.score, p.output == p.target ? 1.0 : 0.0);
            sum += p.score;
        }
        QCOMPARE(result.metrics[0].mean, sum / 7);
        QCOMPARE(result.metrics[0].n, int64_t(7));
    }

    void classificationFullLabel()
    {
        const TaskSpec spec = writeTask("yesno", kYesNoSpec, yesNoRecords());
        EvalRequest request;
        request.scoring = ClassificationScoring::FullLabel;
        request.batchSize = 4;
        const EvalResult result = evaluate(m_neox, m_codec, spec, request);
        QCOMPARE(result.scoring, std::string("full_label"));
        for (size_t i = 0; i < 7; ++i) {
            const EvalPrediction& p = result.predictions[i];
            // The prompt's trailing space moves into the continuation.
            const std::vector<int64_t> context = bytes("Q: " + yesNoRecords()[i]["q"].get<std::string>() + " A:");
            const double yes = test::referenceLogLikelihood(m_neox, context, bytes(" yes"));
            const double no = test::referenceLogLikelihood(m_neox, context, bytes(" no"));
            QCOMPARE(p.output, std::string(yes >= no ? "yes" : "no"));
            QVERIFY2(std::abs(p.logProb - std::max(yes, no)) < kTolerance, qPrintable(QString::number(p.logProb)));
            QCOMPARE(p.promptTokens, int64_t(context.size()));
        }
    }

    void fewShotFromTrainingData()
    {
        std::vector<json> train;
        for (int i = 0; i < 6; ++i)
            train.push_back({{"q", "t" + std::to_string(i)}, {"label", i % 2 ? "no" : "yes"}});
        const TaskSpec spec = writeTask("yesno-train", kYesNoSpec, yesNoRecords(), train);
        EvalRequest request;
        request.shots = 2;
        request.fewShotSource = FewShotSource::TrainSample;
        request.seed = 99;
        request.limit = 3;
        const EvalResult result = evaluate(m_neox, m_codec, spec, request);
        QCOMPARE(result.predictions.size(), size_t(3));
        QCOMPARE(result.demonstrationLines.size(), size_t(2));
        const auto lines = sampleIndices(6, 2, 99);
        QCOMPARE(result.demonstrationLines[0], int64_t(lines[0] + 1));
        std::string prefix;
        for (size_t l : lines)
            prefix += "Q: t" + std::to_string(l) + " A: " + (l % 2 ? "no" : "yes") + "\n";
        QCOMPARE(result.predictions[2].promptHash, sha256Hex(prefix + "Q: x A: "));
    }

    void multipleChoice()
    {
        std::vector<json> records = {
            {{"q", "pick"}, {"options", {"cat", "elephant", "ox"}}, {"answer", 1}},
            {{"q", "which one is it"}, {"options", {"a", "bb", "ccc", "dddd"}}, {"answer", 3}},
            {{"q", "z"}, {"options", {"north", "south"}}, {"answer", "south"}},
            {{"q", "longer question with more words in it"}, {"options", {"yes", "no", "maybe"}}, {"answer", "0"}},
            {{"q", "colour"}, {"options", {"red", "green", "blue", "a very long answer"}}, {"answer", 2}}};
        const TaskSpec spec = writeTask("mc", kChoiceSpec, records);
        EvalRequest request;
        request.batchSize = 5;
        const EvalResult result = evaluate(m_gpt2, m_codec, spec, request);
        QCOMPARE(result.metrics.size(), size_t(2));
        QCOMPARE(result.metrics[0].name, std::string("acc"));
        QCOMPARE(result.metrics[1].name, std::string("acc_norm"));
        const int64_t answers[] = {1, 3, 1, 0, 2};
        double acc = 0, accNorm = 0;
        for (size_t i = 0; i < records.size(); ++i) {
            const std::vector<int64_t> context = bytes("Q: " + records[i]["q"].get<std::string>() + "\nA:");
            std::vector<double> ll, norm;
            const auto options = records[i]["options"].get<std::vector<std::string>>();
            for (const std::string& o : options) {
                ll.push_back(test::referenceLogLikelihood(m_gpt2, context, bytes(" " + o)));
                norm.push_back(ll.back() / double(o.size()));
            }
            const auto best = size_t(std::max_element(ll.begin(), ll.end()) - ll.begin());
            const auto bestNorm = size_t(std::max_element(norm.begin(), norm.end()) - norm.begin());
            const EvalPrediction& p = result.predictions[i];
            QCOMPARE(p.output, options[best]);
            QCOMPARE(p.target, options[size_t(answers[i])]);
            QVERIFY(std::abs(p.logProb - ll[best]) < kTolerance);
            QCOMPARE(p.scores, (std::vector<double>{best == size_t(answers[i]) ? 1.0 : 0.0, bestNorm == size_t(answers[i]) ? 1.0 : 0.0}));
            acc += p.scores[0];
            accNorm += p.scores[1];
        }
        QCOMPARE(result.metrics[0].mean, acc / 5);
        QCOMPARE(result.metrics[1].mean, accNorm / 5);
    }

    void generationMatchesDecodingWithoutCache_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<bool>("left");
        QTest::newRow("neox left") << "neox" << true;
        QTest::newRow("neox right") << "neox" << false;
        QTest::newRow("gpt2 left") << "gpt2" << true;
        QTest::newRow("gpt2 right") << "gpt2" << false;
    }
    void generationMatchesDecodingWithoutCache()
    {
        QFETCH(QString, family);
        QFETCH(bool, left);
        const std::vector<json> records = {{{"doc", "the cat sat"}, {"ref", "cat sat"}},
                                           {{"doc", "a"}, {"ref", "b"}},
                                           {{"doc", "some much longer document about nothing at all"}, {"ref", "nothing"}},
                                           {{"doc", "mid length one"}, {"ref", "one"}}};
        const TaskSpec spec = writeTask("gen", kGenSpec, records);
        EvalRequest request;
        request.maxNewTokens = 12;
        request.batchSize = 4;
        request.padding = left ? PaddingSide::Left : PaddingSide::Right;
        const EvalResult result = evaluate(model(family), m_codec, spec, request);
        QCOMPARE(result.scoring, std::string("greedy"));
        QCOMPARE(result.metrics.size(), size_t(3));
        QCOMPARE(result.metrics[0].name, std::string("f1")); // the spec's metric first
        QCOMPARE(result.metrics[1].name, std::string("rouge_l"));
        QCOMPARE(result.metrics[2].name, std::string("exact_match"));
        for (size_t i = 0; i < records.size(); ++i) {
            const auto reference = test::referenceGreedy(model(family), bytes(records[i]["doc"].get<std::string>() + " =>"), 12, {256, 257});
            const EvalPrediction& p = result.predictions[i];
            QCOMPARE(p.output, m_codec.decode(reference));
            const std::string ref = records[i]["ref"];
            QCOMPARE(p.scores, (std::vector<double>{tokenF1(ref, p.output), engine::rougeL(ref, p.output).f, exactMatch(ref, p.output)}));
        }
    }

    void cachedBatchedGreedyEqualsPlainGreedy_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<bool>("left");
        QTest::addColumn<int>("chunk");
        QTest::newRow("neox left") << "neox" << true << 512;
        QTest::newRow("neox right chunked") << "neox" << false << 7;
        QTest::newRow("gpt2 left chunked") << "gpt2" << true << 5;
        QTest::newRow("gpt2 right") << "gpt2" << false << 512;
    }
    void cachedBatchedGreedyEqualsPlainGreedy()
    {
        QFETCH(QString, family);
        QFETCH(bool, left);
        QFETCH(int, chunk);
        std::vector<std::vector<int64_t>> prompts;
        for (int length : {3, 17, 1, 40, 9, 22})
            prompts.push_back(bytes(std::string(size_t(length), 'a').replace(0, 1, std::to_string(length))));
        GenerationSettings settings;
        settings.maxNewTokens = 20;
        BatchedRun run;
        run.padding = left ? PaddingSide::Left : PaddingSide::Right;
        run.limits.maxBatch = 4;
        run.chunk = chunk;
        const auto generated = generateGreedy(model(family), nullptr, prompts, settings, run);
        for (size_t i = 0; i < prompts.size(); ++i) {
            const auto reference = test::referenceGreedy(model(family), prompts[i], 20, {});
            QCOMPARE(generated[i].tokens, reference);
            QCOMPARE(generated[i].tokens.size(), size_t(20)); // no EOS ids given, so max new tokens
        }
    }

    void generationStops()
    {
        const std::vector<int64_t> prompt = bytes("stop here =>");
        GenerationSettings settings;
        settings.maxNewTokens = 24;
        BatchedRun run;
        const auto free = generateGreedy(m_neox, &m_codec, {prompt}, settings, run)[0];
        QCOMPARE(free.tokens.size(), size_t(24));
        // EOS: the first token not seen before position k >= 1 becomes the EOS id.
        size_t k = 1;
        while (k < free.tokens.size() && std::count(free.tokens.begin(), free.tokens.begin() + long(k), free.tokens[k]))
            ++k;
        QVERIFY(k < free.tokens.size());
        settings.eosIds = {free.tokens[k]};
        const auto byEos = generateGreedy(m_neox, &m_codec, {prompt}, settings, run)[0];
        QCOMPARE(byEos.tokens, std::vector<int64_t>(free.tokens.begin(), free.tokens.begin() + long(k)));
        QVERIFY(byEos.stoppedEarly);
        // A stop string: the text is cut before its first occurrence.
        settings.eosIds.clear();
        const std::string text = m_codec.decode(free.tokens);
        QVERIFY(text.size() > 6);
        const std::string stop = text.substr(4, 2);
        settings.stopStrings = {stop};
        const auto byStop = generateGreedy(m_neox, &m_codec, {prompt}, settings, run)[0];
        QCOMPARE(byStop.text, text.substr(0, text.find(stop)));
        QVERIFY(byStop.stoppedEarly && byStop.tokens.size() < free.tokens.size());
        // Newlines when asked.
        GenerationSettings newline;
        newline.stopAtNewline = true;
        QCOMPARE(stopPosition("ab\ncd", newline), size_t(2));
        newline.stopStrings = {"b"};
        QCOMPARE(stopPosition("ab\ncd", newline), size_t(1));
        newline.stopAtNewline = false;
        newline.stopStrings.clear();
        QCOMPARE(stopPosition("ab\ncd", newline), std::string::npos);
    }

    void paddingInvariance_data()
    {
        QTest::addColumn<QString>("family");
        QTest::newRow("neox") << "neox";
        QTest::newRow("gpt2") << "gpt2";
    }
    void paddingInvariance()
    {
        QFETCH(QString, family);
        std::vector<ScoreSequence> sequences;
        for (int i = 0; i < 9; ++i) {
            const std::string context = "context number " + std::string(size_t(i * 5), 'x') + std::to_string(i);
            sequences.push_back(makeScoreSequence(bytes(context), i % 3 ? bytes(" answer" + std::to_string(i)) : std::vector<int64_t>{},
                                                  0, 256));
        }
        const std::vector<int64_t> candidates{'a', 'b', 'y', 256};
        std::vector<std::vector<ScoreOutcome>> runs;
        for (const auto& [batch, padding, chunk] : std::vector<std::tuple<int, PaddingSide, int>>{
                 {1, PaddingSide::Left, 512}, {9, PaddingSide::Left, 512}, {9, PaddingSide::Right, 512},
                 {4, PaddingSide::Left, 6}, {3, PaddingSide::Right, 4}}) {
            BatchedRun run;
            run.limits.maxBatch = batch;
            run.padding = padding;
            run.chunk = chunk;
            runs.push_back(scoreSequences(model(family), sequences, candidates, run));
        }
        for (size_t s = 0; s < sequences.size(); ++s) {
            // The one-by-one run against a plain forward, then every batched run against it.
            if (!sequences[s].targets.empty()) {
                std::vector<int64_t> context(sequences[s].tokens.begin(), sequences[s].tokens.end() - long(sequences[s].targets.size()) + 1);
                const double reference = test::referenceLogLikelihood(model(family), context, sequences[s].targets);
                QVERIFY(std::abs(runs[0][s].logProb - reference) < kTolerance);
            } else {
                const torch::Tensor logits = test::referenceNextLogits(model(family), sequences[s].tokens);
                for (size_t c = 0; c < candidates.size(); ++c)
                    QVERIFY(std::abs(runs[0][s].candidateLogits[c] - logits[candidates[c]].item<double>()) < kTolerance);
            }
            for (size_t r = 1; r < runs.size(); ++r) {
                QVERIFY2(std::abs(runs[r][s].logProb - runs[0][s].logProb) < kTolerance,
                         qPrintable(QString("run %1 sequence %2: %3").arg(r).arg(s).arg(runs[r][s].logProb - runs[0][s].logProb)));
                QCOMPARE(runs[r][s].greedy, runs[0][s].greedy);
                QCOMPARE(runs[r][s].candidateLogits.size(), runs[0][s].candidateLogits.size());
                for (size_t c = 0; c < runs[r][s].candidateLogits.size(); ++c)
                    QVERIFY(std::abs(runs[r][s].candidateLogits[c] - runs[0][s].candidateLogits[c]) < kTolerance);
            }
        }
    }

    void evaluatorBatchSizeDoesNotChangeResults()
    {
        const TaskSpec spec = writeTask("yesno", kYesNoSpec, yesNoRecords());
        EvalRequest one, automatic;
        one.batchSize = 1;
        one.scoring = automatic.scoring = ClassificationScoring::FullLabel;
        const EvalResult a = evaluate(m_neox, m_codec, spec, one), b = evaluate(m_neox, m_codec, spec, automatic);
        for (size_t i = 0; i < a.predictions.size(); ++i) {
            QCOMPARE(a.predictions[i].output, b.predictions[i].output);
            QVERIFY(std::abs(a.predictions[i].logProb - b.predictions[i].logProb) < kTolerance);
        }
        QCOMPARE(a.finalBatchSize, 1);
        QVERIFY(b.finalBatchSize > 1);
        QCOMPARE(a.metrics[0].standardError, b.metrics[0].standardError); // same seed, same scores
    }

    void longPromptsAreCutOnTheLeft()
    {
        const std::string longQuestion(700, 'q');
        const TaskSpec spec = writeTask("long", kYesNoSpec, {{{"q", longQuestion}, {"label", "yes"}}, {{"q", "short"}, {"label", "no"}}});
        const EvalResult result = evaluate(m_gpt2, m_codec, spec, EvalRequest{}); // gpt2 tiny: 512 positions
        QVERIFY(result.predictions[0].truncated);
        QVERIFY(!result.predictions[1].truncated);
        QCOMPARE(result.predictions[0].promptTokens, int64_t(512));
        std::vector<int64_t> ids = bytes("Q: " + longQuestion + " A: ");
        ids.erase(ids.begin(), ids.end() - 512);
        const torch::Tensor logits = test::referenceNextLogits(m_gpt2, ids);
        QCOMPARE(result.predictions[0].output, std::string(logits['y'].item<double>() >= logits['n'].item<double>() ? "yes" : "no"));
    }

    void outOfMemoryHalvesTheBatch()
    {
        const std::vector<int64_t> lengths(10, 4);
        std::vector<std::pair<size_t, size_t>> succeeded;
        int attempts = 0;
        BatchRunStats stats;
        const bool done = runInBatches(lengths, {8, 0}, [&](size_t begin, size_t end) {
            ++attempts;
            if (end - begin > 3)
                throw std::bad_alloc();
            succeeded.emplace_back(begin, end);
        }, nullptr, &stats);
        QVERIFY(done);
        QCOMPARE(stats.outOfMemoryRetries, 2); // 8 -> 4 -> 2
        QCOMPARE(succeeded, (std::vector<std::pair<size_t, size_t>>{{0, 2}, {2, 4}, {4, 6}, {6, 8}, {8, 10}}));
        QCOMPARE(attempts, 7);
        QCOMPARE(stats.finalMaxBatch, int64_t(2));

        // libtorch's CPU allocator failure counts too; other errors and a single item do not.
        int calls = 0;
        runInBatches(lengths, {4, 0}, [&](size_t begin, size_t end) {
            if (++calls == 1)
                throw c10::Error(c10::SourceLocation{__func__, __FILE__, uint32_t(__LINE__)}, "DefaultCPUAllocator: not enough memory: you tried to allocate 1 bytes");
            QVERIFY(end - begin <= 2);
        }, nullptr);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, runInBatches(lengths, {4, 0}, [](size_t, size_t) { throw std::runtime_error("other"); }, nullptr));
        QVERIFY_THROWS_EXCEPTION(std::bad_alloc, runInBatches(lengths, {1, 0}, [](size_t, size_t) { throw std::bad_alloc(); }, nullptr));
    }

    void tokenBudgetShapesBatches()
    {
        const std::vector<int64_t> lengths{10, 10, 5, 5, 5, 5, 1, 1};
        std::vector<std::pair<size_t, size_t>> groups;
        runInBatches(lengths, {8, 20}, [&](size_t b, size_t e) { groups.emplace_back(b, e); }, nullptr);
        QCOMPARE(groups, (std::vector<std::pair<size_t, size_t>>{{0, 2}, {2, 6}, {6, 8}}));
        QCOMPARE(orderLongestFirst({3, 9, 3, 1, 9}), (std::vector<size_t>{1, 4, 0, 2, 3}));
        const BatchLimits automatic = chooseBatchLimits(0, 1000, 100, 1'000'000);
        QCOMPARE(automatic.maxTokens, int64_t(1000));
        QCOMPARE(automatic.maxBatch, int64_t(32));
        QCOMPARE(chooseBatchLimits(6, 1000, 100, 1'000'000).maxBatch, int64_t(6));
    }

    void cancellationIsCheckedEveryBatch()
    {
        const TaskSpec spec = writeTask("yesno", kYesNoSpec, yesNoRecords());
        EvalRequest request;
        request.batchSize = 2;
        std::atomic<bool> cancel{false};
        int reports = 0;
        QVERIFY_THROWS_EXCEPTION(EvalCancelled, evaluate(m_neox, m_codec, spec, request, [&](const EvalProgress&) {
            ++reports;
            cancel = true;
        }, &cancel));
        QCOMPARE(reports, 1); // one batch ran, then the flag stopped the next
        reports = 0;
        QVERIFY_THROWS_EXCEPTION(EvalCancelled, evaluate(m_neox, m_codec, spec, request, [&](const EvalProgress&) { ++reports; }, &cancel));
        QCOMPARE(reports, 0);
    }

    void progressAfterEveryBatch()
    {
        const TaskSpec spec = writeTask("yesno", kYesNoSpec, yesNoRecords());
        EvalRequest request;
        request.batchSize = 2;
        std::vector<EvalProgress> reports;
        const EvalResult result = evaluate(m_neox, m_codec, spec, request, [&](const EvalProgress& p) { reports.push_back(p); });
        QCOMPARE(reports.size(), size_t(4)); // 7 items in batches of 2
        for (size_t i = 0; i < reports.size(); ++i) {
            QCOMPARE(reports[i].total, int64_t(7));
            QVERIFY(reports[i].itemsPerSecond > 0);
            if (i > 0)
                QVERIFY(reports[i].done > reports[i - 1].done);
        }
        QCOMPARE(reports.back().done, int64_t(7));
        QVERIFY(result.itemsPerSecond > 0 && result.tokensScored > 0);
    }

    void badDataEvaluatesNothing()
    {
        std::vector<json> records = yesNoRecords();
        records[4]["label"] = "maybe";
        const TaskSpec spec = writeTask("bad", kYesNoSpec, records);
        int reports = 0;
        try {
            evaluate(m_neox, m_codec, spec, EvalRequest{}, [&](const EvalProgress&) { ++reports; });
            QFAIL("bad data was evaluated");
        } catch (const TaskDataError& e) {
            QCOMPARE(e.line(), int64_t(5));
            QVERIFY2(QString::fromStdString(e.file()).endsWith("bad/eval.jsonl"), e.what());
        }
        QCOMPARE(reports, 0);
    }

    void unusableLabelWordsAreNamed()
    {
        TaskSpec spec = parseTaskSpecText(R"({"name": "t", "kind": "classification", "label_words": ["yes", "yeah"],
            "formats": {"d": "x"}})", "t.json");
        QVERIFY_THROWS_EXCEPTION(EngineError, labelCandidates(m_codec, spec)); // both begin with 'y'
    }

    void tokenizerCodecSplitsContinuations()
    {
        std::optional<Tokenizer> loaded;
        try {
            loaded = Tokenizer::fromFile(CKPTLAB_SHARED_DATA "/tokenizers/neox20b");
        } catch (const std::exception& e) {
            QSKIP(qPrintable(QString("the tokenizer does not load: ") + e.what()));
        }
        const Tokenizer& tokenizer = *loaded;
        const TokenizerCodec codec(tokenizer);
        const auto [context, continuation] = splitContinuation(codec, "### Inference: ", "entailment");
        QCOMPARE(context, tokenizer.encode("### Inference:"));
        QCOMPARE(continuation, tokenizer.encode(" entailment"));
        QCOMPARE(codec.eosId(), std::optional<int64_t>(0));
        const TaskSpec spec = parseTaskSpec(CKPTLAB_SOURCE_DIR "/resources/tasks/mnli_matched.json");
        const auto candidates = labelCandidates(codec, spec);
        for (const auto& ids : candidates)
            QCOMPARE(ids.size(), size_t(2)); // "entailment" and " entailment" begin with different tokens
    }
};

QTEST_APPLESS_MAIN(TestEvaluator)
#include "tst_evaluator.moc"
