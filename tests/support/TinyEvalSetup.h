#pragma once

// A tiny evaluation set-up for tests: checkpoints of the shared tiny GPT-NeoX (vocab 512) with a
// byte-level BPE tokenizer beside them (256 byte tokens, so every id fits), and a yes/no
// classification task spec with its JSONL data.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace ckptlab::testing {

inline void writeTestFile(const QString& path, const QByteArray& content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(content);
}

inline QByteArray byteLevelTokenizerJson()
{
    // GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to 256 + n.
    QJsonObject vocab;
    int extra = 0;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        const char32_t code = printable ? char32_t(b) : char32_t(256 + extra++);
        vocab.insert(QString::fromUcs4(&code, 1), b);
    }
    const QJsonObject tokenizer{
        {"version", "1.0"},
        {"added_tokens", QJsonArray{QJsonObject{{"id", 256}, {"content", "<|endoftext|>"}, {"single_word", false},
                                                {"lstrip", false}, {"rstrip", false}, {"normalized", false}, {"special", true}}}},
        {"normalizer", QJsonValue()},
        {"pre_tokenizer", QJsonObject{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
        {"post_processor", QJsonValue()},
        {"decoder", QJsonObject{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
        {"model", QJsonObject{{"type", "BPE"}, {"dropout", QJsonValue()}, {"unk_token", QJsonValue()},
                              {"continuing_subword_prefix", QJsonValue()}, {"end_of_word_suffix", QJsonValue()},
                              {"fuse_unk", false}, {"byte_fallback", false}, {"vocab", vocab}, {"merges", QJsonArray()}}}};
    return QJsonDocument(tokenizer).toJson();
}

// root/neox-tiny/step<S>/ for each step, root/neox-tiny/tokenizer.json; returns the series folder.
inline QString writeTinyRun(const QString& root, const QStringList& steps)
{
    const QString run = root + QStringLiteral("/neox-tiny");
    const QString model = QStringLiteral(CKPTLAB_SHARED_DATA "/models/neox_tiny");
    for (const QString& step : steps) {
        QDir().mkpath(run + "/step" + step);
        QFile::copy(model + "/config.json", run + "/step" + step + "/config.json");
        QFile::copy(model + "/model.safetensors", run + "/step" + step + "/model.safetensors");
    }
    writeTestFile(run + "/tokenizer.json", byteLevelTokenizerJson());
    return run;
}

// root/yesno.json + root/yesno.jsonl with `items` questions; returns the spec path.
inline QString writeYesNoTask(const QString& root, int items = 4)
{
    const QString spec = root + QStringLiteral("/yesno.json");
    writeTestFile(spec, R"({"name": "yesno", "kind": "classification", "metric": "accuracy", "fields": ["q"],
        "label_field": "label", "label_words": ["yes", "no"], "eval": "yesno.jsonl",
        "formats": {"default": "Q: {q}\nA:", "instruct": "Answer yes or no. {q}"}, "default_format": "default"})");
    const char* questions[][2] = {{"Is the sky blue?", "yes"}, {"Is fire cold?", "no"}, {"Is water wet?", "yes"}, {"Do fish fly?", "no"}};
    QByteArray data;
    for (int i = 0; i < items; ++i)
        data += QJsonDocument(QJsonObject{{"q", questions[i % 4][0]}, {"label", questions[i % 4][1]}}).toJson(QJsonDocument::Compact) + '\n';
    writeTestFile(root + QStringLiteral("/yesno.jsonl"), data);
    return spec;
}

// root/yesno_ft.json with a train split (`trainItems` questions) and an eval split (`evalItems`),
// for fine-tuning tests; returns the spec path.
inline QString writeYesNoFineTuneTask(const QString& root, int trainItems = 32, int evalItems = 8)
{
    const QString spec = root + QStringLiteral("/yesno_ft.json");
    writeTestFile(spec, R"({"name": "yesno", "kind": "classification", "metric": "accuracy", "fields": ["q"],
        "label_field": "label", "label_words": ["yes", "no"], "train": "yesno_train.jsonl", "eval": "yesno_eval.jsonl",
        "formats": {"default": "Q: {q}\nA:", "instruct": "Answer yes or no. {q}"}, "default_format": "default"})");
    const char* questions[][2] = {{"Is the sky blue?", "yes"}, {"Is fire cold?", "no"}, {"Is water wet?", "yes"},
                                  {"Do fish fly?", "no"}, {"Is snow white?", "yes"}, {"Is ice hot?", "no"}};
    const auto lines = [&](int n, int offset) {
        QByteArray data;
        for (int i = 0; i < n; ++i) {
            const auto& q = questions[(i + offset) % 6];
            data += QJsonDocument(QJsonObject{{"q", q[0]}, {"label", q[1]}}).toJson(QJsonDocument::Compact) + '\n';
        }
        return data;
    };
    writeTestFile(root + QStringLiteral("/yesno_train.jsonl"), lines(trainItems, 0));
    writeTestFile(root + QStringLiteral("/yesno_eval.jsonl"), lines(evalItems, 3));
    return spec;
}

} // namespace ckptlab::testing
