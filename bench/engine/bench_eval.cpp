// Evaluation speed on a Pythia-160M-shaped model (12 layers, width 768, vocab 50304) with random
// weights written by the engine's own writer (the same folder bench_model_load uses). Prints
// "name value unit" lines: classification scoring throughput (prompt tokens/s through the
// restricted next-token scorer, and through full-label log-likelihood), multiple-choice
// log-likelihood tokens/s, and greedy generation tokens/s with the KV cache at batch 1 and 4:
// new tokens over the whole call (prefill included) and decoding alone (prefill subtracted).
// Asserts nothing.
//
// Text goes through a byte-level codec (one token per byte) unless --tokenizer names a
// tokenizer.json or folder (e.g. ../shared/data/tokenizers/neox20b), so the bench needs no data.
//
// usage: bench_eval [--device cpu|cuda:0] [--dtype fp32|bf16] [--dir DIR] [--tokenizer PATH]
//                   [--items N] [--new-tokens N] [--only classify|mc|generate]

#include "BenchRandomModel.h"
#include "BenchSupport.h"
#include "engine/model/CausalLM.h"
#include "engine/eval/EvalGeneration.h"
#include "engine/eval/EvalTokenizerCodec.h"
#include "engine/eval/Evaluator.h"
#include "engine/model/ModelConfig.h"
#include "engine/model/ModelLoader.h"
#include "engine/TorchRuntime.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

using namespace ckptlab::engine;
using ckptlab::bench::Clock;
using ckptlab::bench::figure;
using ckptlab::bench::seconds;
namespace fs = std::filesystem;

namespace {






// One byte, one token (ids 0..255 fit the vocabulary); EOS 0 as Pythia's.
class ByteCodec : public TextCodec {
public:
    std::vector<int64_t> encode(std::string_view text) const override
    {
        return std::vector<int64_t>(reinterpret_cast<const unsigned char*>(text.data()),
                                    reinterpret_cast<const unsigned char*>(text.data()) + text.size());
    }
    std::string decode(const std::vector<int64_t>& ids) const override
    {
        std::string out;
        for (int64_t id : ids)
            out += static_cast<char>(id & 0xFF);
        return out;
    }
    std::optional<int64_t> eosId() const override { return std::nullopt; } // never stop early
};

// Deterministic filler text of about `words` words.
std::string sentence(int seed, int words)
{
    static const char* vocabulary[] = {"the", "model", "reads", "a", "short", "premise", "about", "weather",
                                       "and", "then", "decides", "whether", "hypothesis", "follows", "from", "it"};
    std::string out;
    for (int w = 0; w < words; ++w)
        out += std::string(w ? " " : "") + vocabulary[(seed * 7 + w * 3 + w / 5) % 16];
    return out;
}

LoadedTask syntheticTask(const char* specText, int items, bool choices)
{
    LoadedTask task;
    task.spec = parseTaskSpecText(specText, "bench task");
    std::vector<TaskRecord> records;
    for (int i = 0; i < items; ++i) {
        nlohmann::json r = {{"premise", sentence(i, 20 + (i * 13) % 20)}, {"hypothesis", sentence(i + 3, 6 + i % 5)}};
        if (choices) {
            r["options"] = {sentence(i, 3), sentence(i + 1, 5), sentence(i + 2, 4), sentence(i + 3, 6)};
            r["answer"] = i % 4;
        } else {
            r["label"] = i % 3;
        }
        records.push_back({i + 1, r});
    }
    task.eval = checkTaskRecords(task.spec, records, "bench data");
    return task;
}

const char* kNliSpec = R"({"name": "bench_nli", "kind": "classification", "fields": ["premise", "hypothesis"],
  "label_words": ["entailment", "neutral", "contradiction"],
  "label_map": {"0": "entailment", "1": "neutral", "2": "contradiction"},
  "formats": {"default": "### Input_1: {premise}\n ### Input_2: {hypothesis}\n ### Inference: "}})";

const char* kChoiceSpec = R"({"name": "bench_mc", "kind": "multiple_choice", "fields": ["premise", "hypothesis", "options"],
  "choices_field": "options", "answer_field": "answer", "formats": {"default": "{premise}\nQuestion: {hypothesis}\nAnswer:"}})";

} // namespace

int main(int argc, char** argv)
{
    std::string device = "cpu", dtype = "fp32", tokenizerPath, only;
    fs::path dir = fs::temp_directory_path() / "ckptlab-bench-pythia-160m";
    int items = 8, newTokens = 16;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--device"))
            device = argv[i + 1];
        else if (!std::strcmp(argv[i], "--dtype"))
            dtype = argv[i + 1];
        else if (!std::strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
        else if (!std::strcmp(argv[i], "--tokenizer"))
            tokenizerPath = argv[i + 1];
        else if (!std::strcmp(argv[i], "--items"))
            items = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--only"))
            only = argv[i + 1];
        else if (!std::strcmp(argv[i], "--new-tokens"))
            newTokens = std::max(1, std::atoi(argv[i + 1]));
    }
    configureThreads();
    const RuntimeInfo info = runtimeInfo();
    std::unique_ptr<TextCodec> codec;
    if (tokenizerPath.empty())
        codec = std::make_unique<ByteCodec>();
    else
        codec = std::make_unique<TokenizerCodec>(Tokenizer::fromFile(tokenizerPath));
    std::printf("# libtorch %s, %d threads, device %s, dtype %s, codec %s, %d items\n", info.libtorchVersion.c_str(),
                info.intraOpThreads, device.c_str(), dtype.c_str(), tokenizerPath.empty() ? "bytes" : tokenizerPath.c_str(),
                items);
    if (!fs::exists(dir / "model.safetensors")) {
        const auto start = Clock::now();
        ckptlab::bench::writeRandomPythia160m(dir);
        figure("write_random_model", seconds(start), "s");
    }
    CausalLM model = loadCausalLM(dir.string(), parseModelDtype(dtype), c10::Device(device));

    const LoadedTask nli = syntheticTask(kNliSpec, items, false);
    if (only.empty() || only == "classify") {
        for (const auto& [name, scoring] : std::vector<std::pair<std::string, ClassificationScoring>>{
                 {"next_token", ClassificationScoring::NextToken}, {"full_label", ClassificationScoring::FullLabel}}) {
            EvalRequest request;
            request.scoring = scoring;
            request.limit = 2;
            evaluate(model, *codec, nli, request); // warm-up
            request.limit = 0;
            const EvalResult r = evaluate(model, *codec, nli, request);
            figure("classify_" + name + "_tokens_per_s", double(r.tokensScored) / r.seconds, "tok/s");
            figure("classify_" + name + "_items_per_s", r.itemsPerSecond, "items/s");
            figure("classify_" + name + "_batch", r.finalBatchSize, "seq");
        }
    }
    if (only.empty() || only == "mc") {
        const LoadedTask mc = syntheticTask(kChoiceSpec, items / 2, true);
        const EvalResult r = evaluate(model, *codec, mc, EvalRequest{});
        figure("multiple_choice_tokens_per_s", double(r.tokensScored) / r.seconds, "tok/s");
        figure("multiple_choice_items_per_s", r.itemsPerSecond, "items/s");
    }
    if (only.empty() || only == "generate") {
        std::vector<std::vector<int64_t>> prompts;
        for (int i = 0; i < 4; ++i)
            prompts.push_back(codec->encode("### Input: " + sentence(i, 30) + "\n ### Summary: "));
        BatchedRun warm;
        generateGreedy(model, nullptr, {prompts[0]}, GenerationSettings{2, false, {}, {}}, warm); // warm-up
        for (int batch : {1, 4}) {
            BatchedRun run;
            run.limits.maxBatch = batch;
            // Prefill plus one token, then prefill plus newTokens: the difference is decoding alone.
            const auto timed = [&](int count, int64_t* made) {
                GenerationSettings settings;
                settings.maxNewTokens = count;
                const auto start = Clock::now();
                const auto generated = generateGreedy(model, nullptr, prompts, settings, run);
                const double elapsed = seconds(start);
                *made = 0;
                for (const auto& g : generated)
                    *made += static_cast<int64_t>(g.tokens.size());
                return elapsed;
            };
            int64_t one = 0, many = 0;
            const double prefill = timed(1, &one), whole = timed(newTokens, &many);
            const std::string b = "generate_kv_cache_b" + std::to_string(batch);
            figure(b + "_new_tokens_per_s", double(many) / whole, "tok/s");
            figure(b + "_decode_tokens_per_s", double(many - one) / std::max(1e-9, whole - prefill), "tok/s");
        }
    }
    return 0;
}
