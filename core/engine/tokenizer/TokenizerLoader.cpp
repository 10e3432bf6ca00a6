#include "engine/tokenizer/TokenizerPipeline.h"

#include <initializer_list>

namespace ckptlab::engine::tokenizer {

namespace {

const Json* presentComponent(const Json& root, const char* key)
{
    const auto it = root.find(key);
    return it == root.end() || it->is_null() ? nullptr : &*it;
}

std::unique_ptr<BpeModel> loadModel(const Json& root, const JsonPlace& top)
{
    const JsonPlace place = top.child("model");
    const Json& model = requireObject(requireMember(root, "model", top), place);
    std::string type;
    if (model.contains("type"))
        type = requireString(model, "type", place);
    else if (model.contains("merges"))
        type = "BPE"; // older files leave the tag out; Hugging Face infers it the same way
    if (type != "BPE")
        throwUnsupported(place, type.empty() ? std::string("a model without a type") : "model type '" + type + "'");
    return std::make_unique<BpeModel>(model, place);
}

std::vector<AddedToken> loadAddedTokens(const Json& root, const JsonPlace& top)
{
    std::vector<AddedToken> tokens;
    const Json* list = presentComponent(root, "added_tokens");
    if (list == nullptr)
        return tokens;
    const JsonPlace listPlace = top.child("added_tokens");
    if (!list->is_array())
        throwBadField(listPlace, "expected an array");
    for (size_t i = 0; i < list->size(); ++i) {
        const JsonPlace place = listPlace.element(i);
        const Json& entry = requireObject((*list)[i], place);
        AddedToken token;
        token.content = requireString(entry, "content", place);
        token.singleWord = boolOr(entry, "single_word", false, place);
        token.lstrip = boolOr(entry, "lstrip", false, place);
        token.rstrip = boolOr(entry, "rstrip", false, place);
        token.normalized = boolOr(entry, "normalized", true, place);
        token.special = boolOr(entry, "special", false, place);
        tokens.push_back(std::move(token));
    }
    return tokens;
}

size_t countDistinctTokens(const TokenizerPipeline& pipeline)
{
    size_t count = pipeline.model->vocabSize();
    for (const auto& entry : pipeline.addedVocabulary.idsByContent())
        if (!pipeline.model->tokenToId(entry.first))
            ++count;
    return count;
}

// tokenizer_config.json writes a special token as a string or as {"content": ..., ...}.
std::optional<int64_t> configuredTokenId(const TokenizerPipeline& pipeline, const Json& config, const char* key,
                                         const std::string& configFile)
{
    const auto it = config.find(key);
    if (it == config.end() || it->is_null())
        return std::nullopt;
    const JsonPlace place{configFile, key};
    if (it->is_string())
        return pipeline.tokenToId(it->get<std::string>());
    if (it->is_object())
        return pipeline.tokenToId(requireString(*it, "content", place));
    throwBadField(place, "expected a token string or an object with \"content\"");
}

std::optional<int64_t> firstKnownToken(const TokenizerPipeline& pipeline, std::initializer_list<const char*> names)
{
    for (const char* name : names)
        if (const auto id = pipeline.addedVocabulary.tokenToId(name))
            return id;
    return std::nullopt;
}

void loadSpecialIds(TokenizerPipeline& pipeline, const Json& config, const std::string& configFile)
{
    if (config.is_object()) {
        pipeline.bosId = configuredTokenId(pipeline, config, "bos_token", configFile);
        pipeline.eosId = configuredTokenId(pipeline, config, "eos_token", configFile);
        pipeline.padId = configuredTokenId(pipeline, config, "pad_token", configFile);
        return;
    }
    if (!config.is_null())
        throwBadField(JsonPlace{configFile, ""}, "expected an object");
    pipeline.bosId = firstKnownToken(pipeline, {"<s>", "<|begin_of_text|>", "<bos>", "<|startoftext|>"});
    pipeline.eosId = firstKnownToken(pipeline, {"</s>", "<|end_of_text|>", "<|endoftext|>", "<eos>"});
    pipeline.padId = firstKnownToken(pipeline, {"<pad>", "<|padding|>", "[PAD]", "<|pad|>"});
}

} // namespace

std::shared_ptr<const TokenizerPipeline> loadTokenizerPipeline(const Json& root, const std::string& file,
                                                               const Json& config, const std::string& configFile)
{
    const JsonPlace top{file, ""};
    requireObject(root, top);
    auto pipeline = std::make_shared<TokenizerPipeline>();
    pipeline->file = file;
    pipeline->model = loadModel(root, top);
    if (const Json* spec = presentComponent(root, "normalizer"))
        pipeline->normalizer = makeNormalizer(*spec, top.child("normalizer"));
    if (const Json* spec = presentComponent(root, "pre_tokenizer"))
        pipeline->preTokenizer = makePreTokenizer(*spec, top.child("pre_tokenizer"));
    if (const Json* spec = presentComponent(root, "post_processor"))
        pipeline->postProcessor = makePostProcessor(*spec, top.child("post_processor"));
    if (const Json* spec = presentComponent(root, "decoder"))
        pipeline->decoder = makeTokenDecoder(*spec, top.child("decoder"));
    pipeline->addedVocabulary =
        AddedVocabulary(loadAddedTokens(root, top), *pipeline->model, pipeline->normalizer.get());
    if (const Json* spec = presentComponent(root, "truncation"))
        pipeline->truncation = readTruncation(*spec, top.child("truncation"));
    if (const Json* spec = presentComponent(root, "padding"))
        pipeline->padding = readPadding(*spec, top.child("padding"));
    pipeline->vocabSize = countDistinctTokens(*pipeline);
    loadSpecialIds(*pipeline, config, configFile);
    return pipeline;
}

} // namespace ckptlab::engine::tokenizer
