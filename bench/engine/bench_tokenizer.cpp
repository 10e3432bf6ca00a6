// Tokenizer speed on a few MB of mixed text (English prose, code, numbers, eight other scripts,
// emoji, whitespace runs, rare identifiers), generated from a fixed seed and encoded document by
// document on one thread. Prints "name value unit" lines: load time, encode MB/s (first pass with a
// cold word cache, then the best of the warm passes), tokens per byte and decode MB/s. Asserts nothing.
//
// usage: bench_tokenizer [--tokenizer DIR_OR_JSON]... [--mb N] [--passes N]
//                        [--corpus-out FILE.jsonl] [--ids-out PREFIX]
// Without --tokenizer it runs GPT-2 and GPT-NeoX-20B from ../shared/data/tokenizers. --corpus-out
// writes the documents (one JSON string a line) and --ids-out writes PREFIX.<name>.jsonl (one id
// array a line): bench_tokenizer_hf.js encodes the same documents with Hugging Face `tokenizers`
// and checks every id.

#include "BenchSupport.h"
#include "engine/EngineError.h"
#include "engine/tokenizer/Tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace ckptlab::engine;
using ckptlab::bench::Clock;
using ckptlab::bench::figure;
using ckptlab::bench::seconds;
namespace fs = std::filesystem;

namespace {




struct Random {
    uint64_t state = 0x9E3779B97F4A7C15ull;
    uint64_t next()
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
    size_t below(size_t n) { return static_cast<size_t>(next() % n); }
    template <typename T, size_t N>
    const T& pick(const T (&items)[N]) { return items[below(N)]; }
};

const char* const kWords[] = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not",
    "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were",
    "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would",
    "who", "so", "no", "model", "training", "checkpoint", "language", "evaluation", "fine-tuning", "accuracy",
    "pre-training", "tokenizer", "research", "experiment", "results", "performance", "dataset", "learning",
    "representation", "gradient", "optimizer", "benchmark", "instruction", "question", "answer", "however",
    "therefore", "although", "university", "government", "international", "development", "information",
    "approximately", "significantly", "nevertheless", "characteristics", "responsibility", "Wikipedia",
    "Pythia", "OLMo", "transformer", "attention", "embedding", "don't", "it's", "we'll", "they've", "I'm",
};
const char* const kOtherScripts[] = {
    "Die Ergebnisse zeigen, dass längeres Vortraining die Feinabstimmung verändert.",
    "Les résultats montrent que le pré-entraînement prolongé modifie l'ajustement fin.",
    "Результаты показывают, что более долгое предобучение меняет дообучение.",
    "结果表明，更长的预训练会改变微调的效果。",
    "結果は、事前学習を長くするとファインチューニングが変わることを示している。",
    "تظهر النتائج أن التدريب المسبق الأطول يغير الضبط الدقيق.",
    "결과는 사전 학습이 길어질수록 미세 조정이 달라진다는 것을 보여준다.",
    "परिणाम दिखाते हैं कि लंबा पूर्व-प्रशिक्षण फ़ाइन-ट्यूनिंग को बदलता है।",
};
const char* const kEmoji[] = {"😀", "👍🏽", "🚀", "🇺🇸", "👨‍👩‍👧‍👦", "✨", "🤖", "📈"};
const char* const kCode[] = {
    "def {id}(x, y=None):\n    if y is None:\n        return x ** 2  # square\n    return x * y\n",
    "for (int i = 0; i < {n}; ++i) {\n\tsum += values[i] * {id};\n}\n",
    "const {id} = await fetch(`https://example.org/api/v{n}/items?limit=50`);\n",
    "SELECT {id}, COUNT(*) FROM runs WHERE step >= {n} GROUP BY {id};\n",
};

std::string identifier(Random& random)
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz_0123456789";
    std::string name(1, static_cast<char>('a' + random.below(26)));
    for (size_t i = 0, n = 3 + random.below(10); i < n; ++i)
        name += letters[random.below(sizeof letters - 1)];
    return name;
}

std::string fill(std::string text, Random& random)
{
    for (size_t at; (at = text.find("{id}")) != std::string::npos;)
        text.replace(at, 4, identifier(random));
    for (size_t at; (at = text.find("{n}")) != std::string::npos;)
        text.replace(at, 3, std::to_string(random.below(100000)));
    return text;
}

std::string sentence(Random& random)
{
    std::string text;
    for (size_t i = 0, n = 6 + random.below(18); i < n; ++i) {
        std::string word = random.below(40) == 0 ? identifier(random) : random.pick(kWords);
        if (i == 0)
            word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
        text += (i ? " " : "") + word;
        if (random.below(12) == 0)
            text += random.below(2) ? "," : " (" + std::to_string(random.below(2025)) + ")";
    }
    return text + (random.below(6) == 0 ? "?" : ".");
}

std::vector<std::string> makeCorpus(size_t targetBytes)
{
    Random random;
    std::vector<std::string> documents;
    size_t total = 0;
    while (total < targetBytes) {
        std::string document;
        for (size_t part = 0, parts = 4 + random.below(12); part < parts; ++part) {
            const size_t kind = random.below(20);
            if (kind < 13)
                document += sentence(random) + " ";
            else if (kind < 15)
                document += fill(random.pick(kCode), random);
            else if (kind < 18)
                document += std::string(random.pick(kOtherScripts)) + " ";
            else if (kind < 19)
                document += std::string(random.pick(kEmoji)) + " " + std::to_string(random.below(1u << 30)) + " ";
            else
                document += "\n\n" + std::string(random.below(12), ' ');
        }
        total += document.size();
        documents.push_back(std::move(document));
    }
    return documents;
}

std::string nameOf(const std::string& path)
{
    const fs::path p(path);
    return fs::is_directory(p) ? p.filename().string() : p.parent_path().filename().string();
}

void benchOne(const std::string& path, const std::vector<std::string>& documents, size_t bytes, int passes,
              const std::string& idsPrefix)
{
    const std::string name = nameOf(path);
    const auto loadStart = Clock::now();
    const Tokenizer tokenizer = Tokenizer::fromFile(path);
    figure("tokenizer_load_" + name, seconds(loadStart), "s");

    std::vector<std::vector<int64_t>> encoded(documents.size());
    double best = 0.0;
    size_t tokens = 0;
    for (int pass = 0; pass <= passes; ++pass) {
        tokens = 0;
        const auto start = Clock::now();
        for (size_t i = 0; i < documents.size(); ++i) {
            encoded[i] = tokenizer.encode(documents[i]);
            tokens += encoded[i].size();
        }
        const double rate = bytes / 1e6 / seconds(start);
        if (pass == 0)
            figure("tokenizer_encode_cold_" + name, rate, "MB/s");
        else
            best = std::max(best, rate);
    }
    figure("tokenizer_encode_" + name, best, "MB/s");
    figure("tokenizer_tokens_per_byte_" + name, static_cast<double>(tokens) / bytes, "tokens/B");

    double bestDecode = 0.0;
    for (int pass = 0; pass < std::max(passes, 1); ++pass) {
        const auto start = Clock::now();
        size_t decodedBytes = 0;
        for (const auto& ids : encoded)
            decodedBytes += tokenizer.decode(ids).size();
        bestDecode = std::max(bestDecode, decodedBytes / 1e6 / seconds(start));
    }
    figure("tokenizer_decode_" + name, bestDecode, "MB/s");

    if (!idsPrefix.empty()) {
        std::ofstream out(idsPrefix + "." + name + ".jsonl");
        for (const auto& ids : encoded)
            out << nlohmann::json(ids).dump() << '\n';
    }
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> tokenizers;
    double megabytes = 4.0;
    int passes = 3;
    std::string corpusOut;
    std::string idsPrefix;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        if (option == "--tokenizer")
            tokenizers.push_back(argv[i + 1]);
        else if (option == "--mb")
            megabytes = std::atof(argv[i + 1]);
        else if (option == "--passes")
            passes = std::max(1, std::atoi(argv[i + 1]));
        else if (option == "--corpus-out")
            corpusOut = argv[i + 1];
        else if (option == "--ids-out")
            idsPrefix = argv[i + 1];
        else {
            std::fprintf(stderr, "unknown option %s\n", option.c_str());
            return 2;
        }
    }
    if (tokenizers.empty()) {
        const fs::path shared = fs::path(__FILE__).parent_path() / "../../../shared/data/tokenizers";
        tokenizers = {(shared / "gpt2").lexically_normal().string(), (shared / "neox20b").lexically_normal().string()};
    }

    const std::vector<std::string> documents = makeCorpus(static_cast<size_t>(megabytes * 1e6));
    size_t bytes = 0;
    for (const auto& document : documents)
        bytes += document.size();
    figure("tokenizer_corpus", bytes / 1e6, "MB");
    figure("tokenizer_documents", static_cast<double>(documents.size()), "docs");
    if (!corpusOut.empty()) {
        std::ofstream out(corpusOut);
        for (const auto& document : documents)
            out << nlohmann::json(document).dump() << '\n';
    }
    try {
        for (const auto& path : tokenizers)
            benchOne(path, documents, bytes, passes, idsPrefix);
    } catch (const EngineError& error) {
        std::fprintf(stderr, "%s\n", error.what());
        return 1;
    }
    return 0;
}
