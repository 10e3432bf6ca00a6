#include "engine/tokenizer/Tokenizer.h"

#include "engine/EngineError.h"
#include "engine/tokenizer/TokenizerPipeline.h"

#include <filesystem>

namespace ckptlab::engine {

using tokenizer::Json;

Tokenizer::Tokenizer(std::shared_ptr<const tokenizer::TokenizerPipeline> pipeline)
    : m_pipeline(std::move(pipeline))
{
}

Tokenizer Tokenizer::fromFile(const std::string& tokenizerJsonOrDir)
{
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::path given(tokenizerJsonOrDir);
    if (!fs::exists(given, error))
        throw EngineError(tokenizerJsonOrDir, "no such file or folder");
    const bool isFolder = fs::is_directory(given, error);
    const fs::path tokenizerFile = isFolder ? given / "tokenizer.json" : given;
    if (isFolder && !fs::exists(tokenizerFile, error))
        throw EngineError(tokenizerJsonOrDir, "the folder holds no tokenizer.json");
    const fs::path configFile = tokenizerFile.parent_path() / "tokenizer_config.json";
    const Json tokenizerJson = tokenizer::readJsonFile(tokenizerFile.string());
    const Json configJson = fs::exists(configFile, error) ? tokenizer::readJsonFile(configFile.string()) : Json();
    return Tokenizer(tokenizer::loadTokenizerPipeline(tokenizerJson, tokenizerFile.string(), configJson,
                                                      configFile.string()));
}

Tokenizer Tokenizer::fromJsonText(std::string_view tokenizerJson, std::string_view tokenizerConfigJson,
                                  const std::string& sourceName)
{
    const auto parse = [](std::string_view text, const std::string& name) {
        try {
            return Json::parse(text);
        } catch (const Json::parse_error& error) {
            throw EngineError(name, std::string("is not valid JSON: ") + error.what());
        }
    };
    const std::string configName = "tokenizer_config.json";
    const Json configJson = tokenizerConfigJson.empty() ? Json() : parse(tokenizerConfigJson, configName);
    return Tokenizer(tokenizer::loadTokenizerPipeline(parse(tokenizerJson, sourceName), sourceName, configJson,
                                                      configName));
}

std::vector<int64_t> Tokenizer::encode(std::string_view text, bool addSpecialTokens) const
{
    return m_pipeline->encode(text, addSpecialTokens, false).ids;
}

Tokenizer::Encoding Tokenizer::encodeWithTokens(std::string_view text, bool addSpecialTokens) const
{
    tokenizer::EncodedTokens encoded = m_pipeline->encode(text, addSpecialTokens, true);
    return Encoding{std::move(encoded.ids), std::move(encoded.tokens)};
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const
{
    return m_pipeline->decode(ids, skipSpecialTokens);
}

std::optional<int64_t> Tokenizer::tokenToId(std::string_view token) const
{
    return m_pipeline->tokenToId(token);
}

std::optional<std::string> Tokenizer::idToToken(int64_t id) const
{
    const std::string* token = m_pipeline->idToToken(id);
    if (token == nullptr)
        return std::nullopt;
    return *token;
}

std::optional<int64_t> Tokenizer::bosId() const
{
    return m_pipeline->bosId;
}

std::optional<int64_t> Tokenizer::eosId() const
{
    return m_pipeline->eosId;
}

std::optional<int64_t> Tokenizer::padId() const
{
    return m_pipeline->padId;
}

size_t Tokenizer::vocabSize() const
{
    return m_pipeline->vocabSize;
}

} // namespace ckptlab::engine
