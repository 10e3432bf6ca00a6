#include "jobs/TextTokenizer.h"

#include "engine/tokenizer/Tokenizer.h"

namespace ckptlab {

struct TextTokenizer::Impl {
    engine::Tokenizer tokenizer;
};

Outcome<TextTokenizer> TextTokenizer::load(const QString& tokenizerJsonOrDir)
{
    try {
        TextTokenizer out;
        out.m_impl = std::make_shared<const Impl>(Impl{engine::Tokenizer::fromFile(tokenizerJsonOrDir.toStdString())});
        return out;
    } catch (const std::exception& e) {
        return Outcome<TextTokenizer>::failure(QString::fromStdString(e.what()));
    }
}

std::vector<int64_t> TextTokenizer::encode(const std::string& utf8, bool addSpecialTokens) const
{
    return m_impl->tokenizer.encode(utf8, addSpecialTokens);
}

Outcome<std::string> TextTokenizer::decode(const std::vector<int64_t>& ids, bool skipSpecialTokens) const
{
    try {
        return m_impl->tokenizer.decode(ids, skipSpecialTokens);
    } catch (const std::exception& e) {
        return Outcome<std::string>::failure(QString::fromStdString(e.what()));
    }
}

} // namespace ckptlab
