#include "engine/demo/DemoStudy.h"

#include "engine/demo/DemoCorpus.h"
#include "engine/demo/DemoPretrain.h"
#include "engine/demo/DemoTasks.h"
#include "engine/demo/DemoTokenizer.h"
#include "engine/EngineError.h"
#include "engine/tokenizer/Tokenizer.h"
#include "engine/TorchRuntime.h"

#include <filesystem>
#include <fstream>

namespace ckptlab::engine {

namespace fs = std::filesystem;

namespace {

constexpr int kCreatures = 128;   // as many as antonym items: every task can use the same sizes
constexpr int kMaxPositions = 256;
// Characters of corpus per pre-training token: about one pass over the text (the tokenizer
// packs ~3.5 characters into a token); a shorter corpus is passed over again, shifted.
constexpr double kCorpusCharactersPerToken = 3.0;
const char* const kSeriesName = "demo-neox";

void checkOptions(const DemoStudyOptions& o)
{
    const auto fail = [](const std::string& what) { throw std::invalid_argument("demo study: " + what); };
    if (o.checkpoints < 2)
        fail("at least two checkpoints are needed (step 0 and the last)");
    if (o.pretrainSteps < 1 || o.batchSize < 1)
        fail("pre-training needs at least one step of at least one sequence");
    if (o.sequenceLength < 8 || o.sequenceLength > kMaxPositions)
        fail("the sequence length must lie in [8, " + std::to_string(kMaxPositions) + "]");
    if (o.vocabSize < 300 || o.vocabSize > 8192)
        fail("the vocabulary size must lie in [300, 8192]");
    if (o.heads < 1 || o.hiddenSize < o.heads || o.hiddenSize % o.heads != 0 || (o.hiddenSize / o.heads) % 2 != 0)
        fail("the hidden size must be a multiple of twice the number of heads");
    if (o.layers < 1)
        fail("the model needs at least one layer");
    const int capacity = demoTaskCapacity(makeDemoWorld(o.seed, kCreatures));
    if (o.trainExamples < 1 || o.evalExamples < 1 || (o.evalExamples + 1) / 2 * 2 + o.trainExamples > capacity)
        fail("a task holds at most " + std::to_string(capacity) + " train + eval examples");
}

void writeFile(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush())
        throw EngineError(path.string(), "cannot write the demo study's file");
}

void makeFolder(const fs::path& path)
{
    std::error_code error;
    fs::create_directories(path, error);
    if (error)
        throw EngineError(path.string(), "cannot create the folder: " + error.message());
}

void moveInto(const fs::path& from, const fs::path& to)
{
    std::error_code error;
    fs::rename(from, to, error);
    if (error)
        throw EngineError(to.string(), "cannot move the demo study's files here: " + error.message());
}

// The corpus as one token stream, every document followed by end-of-text.
std::vector<int64_t> tokenStream(const Tokenizer& tokenizer, const std::vector<std::string>& documents, int64_t endOfText)
{
    std::vector<int64_t> out;
    for (const std::string& document : documents) {
        const std::vector<int64_t> ids = tokenizer.encode(document);
        out.insert(out.end(), ids.begin(), ids.end());
        out.push_back(endOfText);
    }
    return out;
}

// Removes the staging folder however writeDemoStudy ends.
struct StagingFolder {
    fs::path path;
    ~StagingFolder()
    {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

} // namespace

std::vector<int64_t> demoCheckpointSteps(int pretrainSteps, int checkpoints)
{
    std::vector<int64_t> steps = {0};
    for (int i = 1; i < checkpoints; ++i) {
        const double step = static_cast<double>(pretrainSteps) / static_cast<double>(int64_t(1) << std::min(62, checkpoints - 1 - i));
        const auto rounded = static_cast<int64_t>(step + 0.5);
        if (rounded > steps.back())
            steps.push_back(rounded);
    }
    return steps;
}

TrainConfig demoFineTuneConfig()
{
    TrainConfig c;
    c.epochs = 3;
    c.learningRate = 1e-3; // 3e-4 barely moves the model; 3e-3 makes it forget the other tasks
    c.effectiveBatch = 8;
    c.warmupRatio = 0.03;
    c.weightDecay = 0.0;
    c.maxLength = kMaxPositions;
    c.seed = 42;
    return c;
}

namespace {

// The demo study made in a staging folder, stage by stage, then moved into place.
class DemoStudyWriter {
public:
    DemoStudyWriter(const std::string& root, const DemoStudyOptions& options,
                    const std::function<void(const DemoProgress&)>& progress, const std::atomic<bool>* cancel)
        : m_root(root), m_options(options), m_progress(progress), m_cancel(cancel),
          m_rootPath(fs::absolute(fs::path(root)).lexically_normal()), m_staging{m_rootPath / ".demo-study.partial"},
          m_stagedSeries(m_staging.path / "checkpoints" / kSeriesName), m_stagedTasks(m_staging.path / "tasks")
    {
    }

    DemoStudyLayout write()
    {
        makeFolder(m_rootPath);
        std::error_code ignored;
        fs::remove_all(m_staging.path, ignored);
        makeFolder(m_stagedSeries);
        makeFolder(m_stagedTasks);
        checkCancel();
        makeCorpus();
        checkCancel();
        makeTokenizer();
        checkCancel();
        pretrain();
        checkCancel();
        report("tasks", 0, 1);
        m_stagedSpecs = writeDemoTasks(m_world, m_options.seed, m_options.trainExamples, m_options.evalExamples,
                                       m_stagedTasks.string());
        report("tasks", 1, 1);
        moveIntoPlace();
        return layout();
    }

private:
    void report(const char* phase, int step, int total, double loss = 0.0, double eta = -1.0) const
    {
        if (m_progress)
            m_progress(DemoProgress{phase, step, total, loss, eta});
    }

    void checkCancel() const
    {
        if (m_cancel && m_cancel->load())
            throw DemoStudyCancelled();
    }

    void makeCorpus()
    {
        report("corpus", 0, 1);
        m_saveSteps = demoCheckpointSteps(m_options.pretrainSteps, m_options.checkpoints);
        m_world = makeDemoWorld(m_options.seed, kCreatures);
        const double pretrainTokens = double(m_options.pretrainSteps) * m_options.batchSize * m_options.sequenceLength;
        m_corpus = demoCorpusDocuments(m_world, m_options.seed, static_cast<size_t>(pretrainTokens * kCorpusCharactersPerToken));
        m_heldOut = demoCorpusDocuments(m_world, m_options.seed + 1, static_cast<size_t>(64 * m_options.sequenceLength * 4));
        report("corpus", 1, 1);
    }

    void makeTokenizer()
    {
        report("tokenizer", 0, 2);
        const std::string tokenizerJson = byteLevelBpeTokenizerJson(learnByteLevelMerges(m_corpus, m_options.vocabSize));
        writeFile(m_stagedSeries / "tokenizer.json", tokenizerJson);
        writeFile(m_stagedSeries / "tokenizer_config.json", demoTokenizerConfigJson(kMaxPositions));
        report("tokenizer", 1, 2);
        const Tokenizer tokenizer = Tokenizer::fromJsonText(tokenizerJson, {}, (m_stagedSeries / "tokenizer.json").string());
        m_endOfText = tokenizer.tokenToId(kDemoEndOfText).value();
        m_vocabSize = static_cast<int64_t>(tokenizer.vocabSize());
        m_tokens = tokenStream(tokenizer, m_corpus, m_endOfText);
        m_heldOutTokens = tokenStream(tokenizer, m_heldOut, m_endOfText);
        report("tokenizer", 2, 2);
    }

    void pretrain()
    {
        DemoModelShape shape;
        shape.vocabSize = m_vocabSize;
        shape.endOfTextId = m_endOfText;
        shape.hiddenSize = m_options.hiddenSize;
        shape.layers = m_options.layers;
        shape.heads = m_options.heads;
        shape.maxPositions = kMaxPositions;
        DemoPretrainSettings settings;
        settings.steps = m_options.pretrainSteps;
        settings.batchSize = m_options.batchSize;
        settings.sequenceLength = m_options.sequenceLength;
        settings.learningRate = m_options.learningRate;
        settings.seed = m_options.seed;
        settings.saveSteps.assign(m_saveSteps.begin(), m_saveSteps.end());
        report("pretraining", 0, m_options.pretrainSteps);
        m_pretrained = pretrainDemoModel(
            demoNeoXConfigJson(shape), m_tokens, m_heldOutTokens, settings, m_stagedSeries.string(),
            [&](const TrainProgress& p) { report("pretraining", p.step, p.totalSteps, p.loss, p.etaSeconds); }, m_cancel);
        if (m_pretrained.cancelled)
            throw DemoStudyCancelled();
    }

    // Everything is made: move it into place.
    void moveIntoPlace()
    {
        std::error_code ignored;
        makeFolder(seriesDir().parent_path());
        makeFolder(tasksDir());
        fs::remove_all(seriesDir(), ignored);
        moveInto(m_stagedSeries, seriesDir());
        for (const fs::directory_entry& entry : fs::directory_iterator(m_stagedTasks))
            moveInto(entry.path(), tasksDir() / entry.path().filename());
    }

    fs::path seriesDir() const { return m_rootPath / "checkpoints" / kSeriesName; }
    fs::path tasksDir() const { return m_rootPath / "tasks"; }

    DemoStudyLayout layout() const
    {
        DemoStudyLayout layout;
        layout.root = m_root;
        layout.seriesDir = seriesDir().string();
        for (const int64_t step : m_saveSteps) {
            layout.steps.push_back(step);
            layout.checkpointDirs.push_back((seriesDir() / ("step" + std::to_string(step))).string());
        }
        for (const std::string& spec : m_stagedSpecs)
            layout.taskSpecs.push_back((tasksDir() / fs::path(spec).filename()).string());
        layout.fineTune = demoFineTuneConfig();
        layout.heldOutLoss = m_pretrained.heldOutLoss;
        layout.parameters = m_pretrained.parameters;
        layout.vocabSize = m_vocabSize;
        return layout;
    }

    const std::string& m_root;
    const DemoStudyOptions& m_options;
    const std::function<void(const DemoProgress&)>& m_progress;
    const std::atomic<bool>* m_cancel;
    const fs::path m_rootPath;
    const StagingFolder m_staging;
    const fs::path m_stagedSeries;
    const fs::path m_stagedTasks;
    std::vector<int64_t> m_saveSteps;
    DemoWorld m_world;
    std::vector<std::string> m_corpus, m_heldOut;
    int64_t m_endOfText = 0;
    int64_t m_vocabSize = 0;
    std::vector<int64_t> m_tokens, m_heldOutTokens;
    DemoPretrainResult m_pretrained;
    std::vector<std::string> m_stagedSpecs;
};

} // namespace

DemoStudyLayout writeDemoStudy(const std::string& root, const DemoStudyOptions& options,
                               const std::function<void(const DemoProgress&)>& progress,
                               const std::atomic<bool>* cancel)
{
    checkOptions(options);
    configureThreads();
    return DemoStudyWriter(root, options, progress, cancel).write();
}

} // namespace ckptlab::engine
