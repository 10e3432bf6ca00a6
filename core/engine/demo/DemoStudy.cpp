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

DemoStudyLayout writeDemoStudy(const std::string& root, const DemoStudyOptions& options,
                               const std::function<void(const DemoProgress&)>& progress,
                               const std::atomic<bool>* cancel)
{
    checkOptions(options);
    configureThreads();
    const auto report = [&](const char* phase, int step, int total, double loss = 0.0, double eta = -1.0) {
        if (progress)
            progress(DemoProgress{phase, step, total, loss, eta});
    };
    const auto checkCancel = [&] {
        if (cancel && cancel->load())
            throw DemoStudyCancelled();
    };

    const fs::path rootPath = fs::absolute(fs::path(root)).lexically_normal();
    makeFolder(rootPath);
    const StagingFolder staging{rootPath / ".demo-study.partial"};
    std::error_code ignored;
    fs::remove_all(staging.path, ignored);
    const fs::path stagedSeries = staging.path / "checkpoints" / kSeriesName;
    const fs::path stagedTasks = staging.path / "tasks";
    makeFolder(stagedSeries);
    makeFolder(stagedTasks);

    checkCancel();
    report("corpus", 0, 1);
    const std::vector<int64_t> saveSteps = demoCheckpointSteps(options.pretrainSteps, options.checkpoints);
    const DemoWorld world = makeDemoWorld(options.seed, kCreatures);
    const double pretrainTokens = double(options.pretrainSteps) * options.batchSize * options.sequenceLength;
    const std::vector<std::string> corpus = demoCorpusDocuments(world, options.seed,
                                                                static_cast<size_t>(pretrainTokens * kCorpusCharactersPerToken));
    const std::vector<std::string> heldOut = demoCorpusDocuments(world, options.seed + 1,
                                                                 static_cast<size_t>(64 * options.sequenceLength * 4));
    report("corpus", 1, 1);

    checkCancel();
    report("tokenizer", 0, 2);
    const std::string tokenizerJson = byteLevelBpeTokenizerJson(learnByteLevelMerges(corpus, options.vocabSize));
    writeFile(stagedSeries / "tokenizer.json", tokenizerJson);
    writeFile(stagedSeries / "tokenizer_config.json", demoTokenizerConfigJson(kMaxPositions));
    report("tokenizer", 1, 2);
    const Tokenizer tokenizer = Tokenizer::fromJsonText(tokenizerJson, {}, (stagedSeries / "tokenizer.json").string());
    const int64_t endOfText = tokenizer.tokenToId(kDemoEndOfText).value();
    const std::vector<int64_t> tokens = tokenStream(tokenizer, corpus, endOfText);
    const std::vector<int64_t> heldOutTokens = tokenStream(tokenizer, heldOut, endOfText);
    report("tokenizer", 2, 2);

    checkCancel();
    DemoModelShape shape;
    shape.vocabSize = static_cast<int64_t>(tokenizer.vocabSize());
    shape.endOfTextId = endOfText;
    shape.hiddenSize = options.hiddenSize;
    shape.layers = options.layers;
    shape.heads = options.heads;
    shape.maxPositions = kMaxPositions;
    DemoPretrainSettings settings;
    settings.steps = options.pretrainSteps;
    settings.batchSize = options.batchSize;
    settings.sequenceLength = options.sequenceLength;
    settings.learningRate = options.learningRate;
    settings.seed = options.seed;
    settings.saveSteps.assign(saveSteps.begin(), saveSteps.end());
    report("pretraining", 0, options.pretrainSteps);
    const DemoPretrainResult pretrained = pretrainDemoModel(
        demoNeoXConfigJson(shape), tokens, heldOutTokens, settings, stagedSeries.string(),
        [&](const TrainProgress& p) { report("pretraining", p.step, p.totalSteps, p.loss, p.etaSeconds); }, cancel);
    if (pretrained.cancelled)
        throw DemoStudyCancelled();

    checkCancel();
    report("tasks", 0, 1);
    const std::vector<std::string> stagedSpecs =
        writeDemoTasks(world, options.seed, options.trainExamples, options.evalExamples, stagedTasks.string());
    report("tasks", 1, 1);

    // Everything is made: move it into place.
    const fs::path seriesDir = rootPath / "checkpoints" / kSeriesName;
    const fs::path tasksDir = rootPath / "tasks";
    makeFolder(seriesDir.parent_path());
    makeFolder(tasksDir);
    fs::remove_all(seriesDir, ignored);
    moveInto(stagedSeries, seriesDir);
    for (const fs::directory_entry& entry : fs::directory_iterator(stagedTasks))
        moveInto(entry.path(), tasksDir / entry.path().filename());

    DemoStudyLayout layout;
    layout.root = root;
    layout.seriesDir = seriesDir.string();
    for (const int64_t step : saveSteps) {
        layout.steps.push_back(step);
        layout.checkpointDirs.push_back((seriesDir / ("step" + std::to_string(step))).string());
    }
    for (const std::string& spec : stagedSpecs)
        layout.taskSpecs.push_back((tasksDir / fs::path(spec).filename()).string());
    layout.fineTune = demoFineTuneConfig();
    layout.heldOutLoss = pretrained.heldOutLoss;
    layout.parameters = pretrained.parameters;
    layout.vocabSize = shape.vocabSize;
    return layout;
}

} // namespace ckptlab::engine
