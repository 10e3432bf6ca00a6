#pragma once

// Helpers for tst_tokenizer: small tokenizer.json documents built in code, and conversions to Qt
// types so that a failed QCOMPARE prints both sides.
//
// The expected values in tst_tokenizer come from the Hugging Face `tokenizers` npm package
// (0.23.2, the version that wrote ../shared/data/tokenizers/*/ref_tokens.json), run from Node on the
// same JSON: Tokenizer.fromString(json).encode(text, null, {addSpecialTokens}) and decode(ids, skip).

#include "engine/tokenizer/Tokenizer.h"

#include <nlohmann/json.hpp>

#include <QList>
#include <QString>
#include <QStringList>

#include <string>
#include <vector>

namespace tokenizer_test {

using Json = nlohmann::json;

inline QStringList toQt(const std::vector<std::string>& strings)
{
    QStringList list;
    for (const auto& s : strings)
        list << QString::fromStdString(s);
    return list;
}

inline QList<qint64> toQt(const std::vector<int64_t>& ids)
{
    return QList<qint64>(ids.begin(), ids.end());
}

inline std::vector<int64_t> toIds(const QList<qint64>& ids)
{
    return std::vector<int64_t>(ids.begin(), ids.end());
}

inline Json addedToken(int64_t id, const std::string& content, Json flags = Json::object())
{
    Json token = {{"id", id},        {"content", content}, {"single_word", false}, {"lstrip", false},
                  {"rstrip", false}, {"normalized", false}, {"special", false}};
    token.update(flags);
    return token;
}

inline Json bpeModel(Json vocab, Json merges = Json::array(), Json options = Json::object())
{
    Json model = {{"type", "BPE"},          {"dropout", nullptr},         {"unk_token", nullptr},
                  {"continuing_subword_prefix", nullptr}, {"end_of_word_suffix", nullptr},
                  {"fuse_unk", false},      {"byte_fallback", false},     {"ignore_merges", false},
                  {"vocab", std::move(vocab)}, {"merges", std::move(merges)}};
    model.update(options);
    return model;
}

inline Json tokenizerJson(Json model, Json components = Json::object())
{
    Json root = {{"version", "1.0"},       {"truncation", nullptr}, {"padding", nullptr},
                 {"added_tokens", Json::array()}, {"normalizer", nullptr}, {"pre_tokenizer", nullptr},
                 {"post_processor", nullptr}, {"decoder", nullptr}, {"model", std::move(model)}};
    root.update(components);
    return root;
}

// A tokenizer whose vocabulary is exactly `words` (plus [UNK] at id 0) and that looks each piece
// up whole (ignore_merges): its tokens show the pieces the normalizer and pre-tokenizer made. A
// piece ckptlab cuts differently is not in the vocabulary and comes out as [UNK]s.
inline Json wordTokenizerJson(const std::vector<std::string>& words, Json components = Json::object())
{
    Json vocab = {{"[UNK]", 0}};
    for (const auto& word : words)
        if (!vocab.contains(word))
            vocab[word] = static_cast<int64_t>(vocab.size());
    return tokenizerJson(bpeModel(std::move(vocab), Json::array(), {{"unk_token", "[UNK]"}, {"ignore_merges", true}}),
                         std::move(components));
}

inline ckptlab::engine::Tokenizer load(const Json& json, const std::string& config = {})
{
    return ckptlab::engine::Tokenizer::fromJsonText(json.dump(), config, "snippet/tokenizer.json");
}

inline QStringList tokensOf(const ckptlab::engine::Tokenizer& tokenizer, const std::string& text, bool addSpecial = false)
{
    return toQt(tokenizer.encodeWithTokens(text, addSpecial).tokens);
}

inline QList<qint64> idsOf(const ckptlab::engine::Tokenizer& tokenizer, const std::string& text, bool addSpecial = false)
{
    return toQt(tokenizer.encode(text, addSpecial));
}

// Llama-2's layout in miniature: byte_fallback and a fused unknown token, "▁" spaces written by
// the normalizer, <s> A </s> template, and the Replace/ByteFallback/Fuse/Strip decoder chain.
inline Json llamaLikeJson()
{
    Json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
    char name[8];
    for (int byte = 0; byte < 256; ++byte) {
        std::snprintf(name, sizeof name, "<0x%02X>", byte);
        vocab[name] = 3 + byte;
    }
    for (const char* piece : {"▁", "H", "i", "t", "h", "e", "r", "▁H", "▁t", "th", "the", "ther", "there", "▁there",
                              "Hi", "▁Hi"})
        vocab[piece] = static_cast<int64_t>(vocab.size());
    const Json merges = Json::parse(
        R"([["▁","H"],["H","i"],["▁H","i"],["t","h"],["th","e"],["the","r"],["ther","e"],["▁","t"],["▁","there"]])");
    const Json special = {{"special", true}};
    return tokenizerJson(
        bpeModel(vocab, merges, {{"unk_token", "<unk>"}, {"fuse_unk", true}, {"byte_fallback", true}}),
        {{"added_tokens", {addedToken(0, "<unk>", special), addedToken(1, "<s>", special), addedToken(2, "</s>", special)}},
         {"normalizer", Json::parse(R"({"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},
             {"type":"Replace","pattern":{"String":" "},"content":"▁"}]})")},
         {"post_processor", Json::parse(R"({"type":"TemplateProcessing",
             "single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}],
             "pair":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"Sequence":{"id":"B","type_id":1}}],
             "special_tokens":{"<s>":{"id":"<s>","ids":[1],"tokens":["<s>"]},"</s>":{"id":"</s>","ids":[2],"tokens":["</s>"]}}})")},
         {"decoder", Json::parse(R"({"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},
             {"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]})")}});
}

} // namespace tokenizer_test
