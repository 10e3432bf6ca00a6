#include "engine/train/TrainerState.h"

#include "engine/EngineError.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

namespace ckptlab::engine {

namespace fs = std::filesystem;

std::string trainFingerprint(const TrainConfig& c, const std::vector<TrainExample>& examples)
{
    // FNV-1a over the token ids: a different training set is a different run.
    uint64_t hash = 0xcbf29ce484222325ull;
    const auto mix = [&hash](int64_t v) {
        for (int i = 0; i < 8; ++i) {
            hash ^= static_cast<uint64_t>(v >> (8 * i)) & 0xff;
            hash *= 0x100000001b3ull;
        }
    };
    for (const TrainExample& e : examples) {
        mix(static_cast<int64_t>(e.prompt.size()));
        for (int64_t t : e.prompt)
            mix(t);
        mix(-1);
        for (int64_t t : e.completion)
            mix(t);
    }
    std::ostringstream out;
    out << "epochs=" << c.epochs << ";lr=" << c.learningRate << ";batch=" << c.effectiveBatch
        << ";warmup=" << c.warmupRatio << ";wd=" << c.weightDecay << ";betas=" << c.beta1 << ',' << c.beta2
        << ";eps=" << c.adamEps << ";clip=" << c.maxGradNorm << ";maxlen=" << c.maxLength << ";seed=" << c.seed
        << ";examples=" << examples.size() << ";data=" << std::hex << hash;
    return out.str();
}

void saveTrainerState(const std::string& file, CausalLM& model, torch::optim::Optimizer& optimizer,
                      const TrainerCheckpoint& state)
{
    nlohmann::json meta{{"fingerprint", state.fingerprint},
                        {"step", state.step},
                        {"tokens", state.tokens},
                        {"micro_batch", state.microBatch},
                        {"oom_retries", state.outOfMemoryRetries},
                        {"seconds", state.seconds},
                        {"losses", state.losses},
                        {"learning_rates", state.learningRates},
                        {"grad_norms", state.gradNorms}};
    torch::serialize::OutputArchive archive;
    archive.write("meta", c10::IValue(meta.dump()));
    torch::serialize::OutputArchive weights;
    for (const auto& item : model->named_parameters())
        weights.write(item.key(), item.value().detach(), /*is_buffer=*/false);
    archive.write("model", weights);
    torch::serialize::OutputArchive moments;
    optimizer.save(moments);
    archive.write("optimizer", moments);

    const std::string partial = file + ".partial";
    try {
        archive.save_to(partial);
    } catch (const std::exception& e) {
        throw EngineError(partial, std::string("cannot write the training state: ") + e.what());
    }
    std::error_code error;
    fs::rename(partial, file, error);
    if (error)
        throw EngineError(file, "cannot move the training state into place: " + error.message());
}

TrainerCheckpoint loadTrainerState(const std::string& file, CausalLM& model, torch::optim::Optimizer& optimizer,
                                   const std::string& expectedFingerprint)
{
    torch::serialize::InputArchive archive;
    TrainerCheckpoint state;
    try {
        archive.load_from(file, model->device());
        c10::IValue metaValue;
        archive.read("meta", metaValue);
        const nlohmann::json meta = nlohmann::json::parse(metaValue.toStringRef());
        state.fingerprint = meta.at("fingerprint").get<std::string>();
        if (state.fingerprint != expectedFingerprint)
            throw EngineError(file, "the saved training state belongs to another run (other settings or data); "
                                    "restart the run from the beginning");
        state.step = meta.at("step").get<int>();
        state.tokens = meta.at("tokens").get<int64_t>();
        state.microBatch = meta.at("micro_batch").get<int>();
        state.outOfMemoryRetries = meta.at("oom_retries").get<int>();
        state.seconds = meta.at("seconds").get<double>();
        state.losses = meta.at("losses").get<std::vector<double>>();
        state.learningRates = meta.at("learning_rates").get<std::vector<double>>();
        state.gradNorms = meta.at("grad_norms").get<std::vector<double>>();

        torch::serialize::InputArchive weights;
        archive.read("model", weights);
        torch::NoGradGuard noGrad;
        for (auto& item : model->named_parameters()) {
            torch::Tensor saved;
            if (!weights.try_read(item.key(), saved))
                throw EngineError(file, "the saved training state has no tensor \"" + item.key() + "\"");
            if (saved.sizes() != item.value().sizes())
                throw EngineError(file, "the saved tensor \"" + item.key() + "\" has another shape than the model's");
            item.value().copy_(saved);
        }
        torch::serialize::InputArchive moments;
        archive.read("optimizer", moments);
        optimizer.load(moments);
    } catch (const EngineError&) {
        throw;
    } catch (const std::exception& e) {
        throw EngineError(file, std::string("cannot read the training state: ") + e.what());
    }
    return state;
}

} // namespace ckptlab::engine
